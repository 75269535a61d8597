"""Excel workbooks, .xlsx and legacy .xls: every sheet (or the ones named), titles and merged headers handled."""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, NamedTuple

from zhizhi.errors import InputError
from zhizhi.ingest.read.base import Chunk, Reading, ReadOptions, Skip
from zhizhi.ingest.read.rows import sheet_chunks
from zhizhi.ingest.read.sniff import looks_like, read_head

MAX_UNPACKED_BYTES = 2 << 30  # 2 GiB of XML is far beyond any export; more is a zip bomb
MAX_RATIO = 200
FLOAT_EXACT = 2**53


class ExcelReader:
    """Reads .xlsx with openpyxl (streaming) and .xls with xlrd; cached values, never formulas."""

    name = "excel"
    needs_file = True
    suffixes = (".xlsx", ".xlsm", ".xls")

    def open(self, path: Path, options: ReadOptions) -> Reading:
        sheets = _xls_sheets(path) if path.suffix.lower() == ".xls" else _xlsx_sheets(path, options.sheets)
        wanted = [s for s in sheets if not options.sheets or s.name in options.sheets]
        missing = set(options.sheets) - {s.name for s in sheets}
        if missing:
            raise InputError(
                f"Workbook `{path.name}` has no sheet "
                + ", ".join(f"`{m}`" for m in sorted(missing))
                + "; it has "
                + ", ".join(f"`{s.name}`" for s in sheets)
                + "."
            )
        reading = Reading(path=path, encoding=None, chunks=iter(()))
        reading.chunks = self._chunks(wanted, reading, bool(options.sheets))
        return reading

    def _chunks(self, sheets: list[Sheet], reading: Reading, named: bool) -> Iterator[Chunk]:
        for sheet in sheets:
            if sheet.hidden and not named:
                # A hidden sheet holds a drop-down's choices, a template's settings or rows put aside, not the
                # export's data: each of its rows is skipped with that reason (a source's `sheets:` reads it).
                reading.skipped.extend(
                    Skip(sheet.name, number, "hidden_sheet", " ".join(c for c in cells if c)[:200])
                    for number, cells in sheet.rows
                )
                continue
            yield from sheet_chunks(sheet.name, sheet.rows, reading.headers, reading.skipped)


class Sheet(NamedTuple):
    """A workbook's sheet: its name, its rows (numbered as Excel numbers them) and whether it is hidden."""

    name: str
    rows: Iterator[tuple[int, list[str]]]
    hidden: bool


def cell_text(value: Any) -> str:
    """A cell as the text a person sees: 12 not 12.0, 4.50202199001011E+17 for a number too long for a float,
    dates as 2021-07-08, nothing for empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        # Past 2^53 a float's digits are not the number's: show it as Excel does, 15 significant digits, so that an
        # 18-digit ID typed as a number is seen to have lost its last digits instead of gaining made-up ones.
        return str(int(value)) if abs(value) < FLOAT_EXACT else f"{value:.15G}"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _xlsx_sheets(path: Path, named: tuple[str, ...] = ()) -> list[Sheet]:
    _check_zip(path)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        en, zh = _appears(path)
        raise InputError(
            f"File `{path.name}` is not a readable .xlsx workbook ({type(exc).__name__}){en}. Open and save "
            "it again in Excel, or export CSV.",
            zh=f"文件 `{path.name}` 不是可读的 Excel 工作簿{zh}。",
        ) from None

    def rows(sheet: Any) -> Iterator[tuple[int, list[str]]]:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [cell_text(v) for v in values]

    sheets = [Sheet(ws.title, rows(ws), ws.sheet_state != "visible") for ws in workbook.worksheets]
    read = [ws for ws, sheet in zip(workbook.worksheets, sheets, strict=True) if _read(sheet, named)]
    _refuse_uncalculated(path, [(ws.title, getattr(ws, "_worksheet_path", None)) for ws in read])
    return sheets


def _read(sheet: Sheet, named: tuple[str, ...]) -> bool:
    return sheet.name in named if named else not sheet.hidden


def _xls_sheets(path: Path) -> list[Sheet]:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path))
    except Exception as exc:  # xlrd raises many kinds for a broken file
        en, zh = _appears(path)
        raise InputError(
            f"File `{path.name}` is not a readable .xls workbook ({type(exc).__name__}){en}. Open and save "
            "it again in Excel, or export CSV.",
            zh=f"文件 `{path.name}` 不是可读的 Excel 工作簿{zh}。",
        ) from None

    def rows(sheet: Any) -> Iterator[tuple[int, list[str]]]:
        for index in range(sheet.nrows):
            cells = []
            for cell in sheet.row(index):
                value = cell.value
                if cell.ctype == xlrd.XL_CELL_DATE:
                    value = xlrd.xldate.xldate_as_datetime(value, book.datemode)
                cells.append(cell_text(value))
            yield index + 1, cells

    return [Sheet(sheet.name, rows(sheet), sheet.visibility != 0) for sheet in book.sheets()]


# A formula cell whose value was never calculated: `<f>…</f>` and then no `<v>`, or an empty `<v>` on a cell that is
# not a text result (Excel writes `t="str"` and `<v></v>` for a formula whose result is empty text).
_FORMULA_CELL = re.compile(
    rb"<(?:\w+:)?c\b([^>]*)>\s*<(?:\w+:)?f\b[^>]*?(?:/>|>([^<]*)</(?:\w+:)?f>)\s*(<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?"
    rb"\s*</(?:\w+:)?c>",
    re.S,
)
_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_ROW_END = re.compile(rb"</(?:\w+:)?row>")


def _refuse_uncalculated(path: Path, sheets: list[tuple[str, str | None]]) -> None:
    """Refuse a workbook whose sheets hold formulas saved without their values (a program wrote the file and never
    calculated it): read as empty cells, their values would be lost without a word. zhizhi never runs formulas."""
    with zipfile.ZipFile(path) as archive:
        members = set(archive.namelist())
        for title, member in sheets:
            if member is None or member.lstrip("/") not in members:
                continue
            found = _uncalculated(archive, member.lstrip("/"))
            if found is None:
                continue
            count, ref, formula = found
            shown = f"`={formula[:100]}`" if formula else "a shared formula"
            raise InputError(
                f"Workbook `{path.name}`, sheet `{title}` cell {ref} holds {shown} with no value saved with it "
                f"({count:,} such cell(s) in the sheet): the program that wrote the file did not calculate its "
                "formulas, and zhizhi reads the values saved, never runs formulas. Open the file in Excel or WPS "
                "and save it (that calculates and saves the values), or export the values, then ingest it again. "
                "Nothing was ingested.",
                zh=f"工作簿 `{path.name}` 工作表 `{title}` 的单元格 {ref} 是公式 {shown}，但文件中没有保存其计算结果"
                f"（该表共 {count:,} 个这样的单元格）：生成该文件的程序没有计算公式，而本系统只读取已保存的值、"
                "不执行公式。请用 Excel 或 WPS 打开并保存该文件（保存时会计算并写入结果），或导出为数值后重新导入。"
                "本次未导入任何数据。",
            )


def _uncalculated(archive: zipfile.ZipFile, member: str) -> tuple[int, str, str] | None:
    """How many formula cells of a sheet's XML have no value, and the first one's reference and formula."""
    count, first = 0, None
    tail = b""
    with archive.open(member) as handle:
        while block := handle.read(1 << 22):
            text = tail + block
            ends = list(_ROW_END.finditer(text))
            cut = ends[-1].end() if ends else 0
            count, first = _count_uncalculated(text[:cut], count, first)
            tail = text[cut:]
    count, first = _count_uncalculated(tail, count, first)
    return None if first is None else (count, first[0], first[1])


def _count_uncalculated(text: bytes, count: int, first: tuple[str, str] | None) -> tuple[int, tuple[str, str] | None]:
    if b"<f" not in text and b":f" not in text:
        return count, first
    for match in _FORMULA_CELL.finditer(text):
        attributes, formula, empty = match.group(1), match.group(2), match.group(3)
        if empty is not None and b't="str"' in attributes:
            continue  # a formula whose result is empty text
        count += 1
        if first is None:
            ref = _REF.search(attributes)
            shown = html.unescape((formula or b"").decode("utf-8", errors="replace"))
            first = (ref.group(1).decode() if ref else "?", shown)
    return count, first


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        en, zh = _appears(path)
        raise InputError(
            f"File `{path.name}` is not a readable .xlsx workbook (damaged or not a workbook){en}. Open and "
            "save it again in Excel, or export CSV.",
            zh=f"文件 `{path.name}` 已损坏或不是 Excel 工作簿{zh}。",
        ) from None
    packed = max(path.stat().st_size, 1)
    if unpacked > MAX_UNPACKED_BYTES or unpacked / packed > MAX_RATIO:
        raise InputError(
            f"File `{path.name}` would unpack to {unpacked:,} bytes from {packed:,}: refused as a zip "
            "bomb. Export the data again.",
            zh=f"文件 `{path.name}` 解压后异常巨大，已拒绝。",
        )


def _appears(path: Path) -> tuple[str, str]:
    """What a file that is not a readable workbook appears to be, as a clause for the error (empty if unknown)."""
    looks = looks_like(path, read_head(path))
    if looks is None or looks.en.startswith("an Excel workbook"):
        return "", ""
    return f": it appears to be {looks.en}", f"：它看起来是{looks.zh}"
