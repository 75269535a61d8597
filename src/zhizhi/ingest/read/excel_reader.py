"""Excel workbooks, .xlsx and legacy .xls: every sheet (or the ones named), titles and merged headers handled."""

from __future__ import annotations

import re
import weakref
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from functools import partial
from itertools import chain, islice
from pathlib import Path
from typing import Any, NamedTuple

from zhizhi.cells import read_or_refuse
from zhizhi.errors import InputError
from zhizhi.ingest.read.base import Chunk, NumberText, Reading, ReadOptions, Skip
from zhizhi.ingest.read.headers import HEAD_ROWS, find_header
from zhizhi.ingest.read.html_table import html_tables
from zhizhi.ingest.read.rows import sheet_chunks, without_trailing_blanks
from zhizhi.ingest.read.sheet_xml import Merge, filled_rows, scan_sheets
from zhizhi.ingest.read.sniff import (
    EXCEL_2003_XML,
    OLE2,
    Looks,
    is_html,
    is_spreadsheet_ml,
    looks_like,
    no_table,
    read_head,
)

MAX_UNPACKED_BYTES = 2 << 30  # 2 GiB of XML is far beyond any export; more is a zip bomb
MAX_RATIO = 200
EXACT = 10**15  # 16 digits and more: past the 15 significant digits a spreadsheet keeps
_ZEROS = re.compile(r"0+")  # a number format of zeros only (`0000`, `000000`): a whole number shown that wide


class ExcelReader:
    """Reads .xlsx with openpyxl (streaming) and .xls with xlrd; cached values, never formulas."""

    name = "excel"
    needs_file = True
    suffixes = (".xlsx", ".xlsm", ".xls")

    def open(self, path: Path, options: ReadOptions) -> Reading:
        kind = workbook_format(path)
        if kind == "html":
            sheets = [Sheet(name, rows, False) for name, rows in html_tables(path)]
            if not sheets:
                raise no_table(path, Looks("an HTML page with no table in it", "网页（HTML），其中没有表格"))
        else:
            sheets = _xls_sheets(path) if kind == "xls" else _xlsx_sheets(path, options.sheets)
        wanted = [s for s in sheets if not options.sheets or s.name in options.sheets]
        left = [s for s in sheets if s not in wanted and not s.hidden]
        missing = set(options.sheets) - {s.name for s in sheets}
        if missing:
            named = ", ".join(f"`{m}`" for m in sorted(missing))
            has = ", ".join(f"`{s.name}`" for s in sheets)
            raise InputError(
                f"Workbook `{path.name}` has no sheet {named}; it has {has}. Fix the source file's `sheets`.",
                zh=f"工作簿 `{path.name}` 中没有工作表 {named}，它有：{has}。请修改数据源文件的 sheets。",
            )
        reading = Reading(path=path, encoding=None, chunks=iter(()))
        if kind == "html":
            reading.appears = ("an HTML page, read as a table", "网页格式（HTML），已按表格读取")
        reading.chunks = self._chunks(wanted, left, reading, bool(options.sheets))
        return reading

    def _chunks(self, sheets: list[Sheet], left: list[Sheet], reading: Reading, named: bool) -> Iterator[Chunk]:
        for sheet in sheets:
            if sheet.hidden and not named:
                # A hidden sheet holds a drop-down's choices, a template's settings or rows put aside, not the
                # export's data: each of its rows is skipped with that reason (a source's `sheets:` reads it).
                reading.skipped.extend(
                    Skip(sheet.name, number, "hidden_sheet", " ".join(c for c in cells if c)[:200])
                    for number, cells in without_trailing_blanks(sheet.rows)
                )
                continue
            rows = without_trailing_blanks(sheet.rows)
            yield from sheet_chunks(
                sheet.name, rows, reading.headers, reading.skipped, merged=sheet.merged, numbers=True
            )
        for sheet in left:  # sheets the source does not name: not read, but what they hold is said
            if below := rows_below_header(sheet):
                reading.left_out[sheet.name] = below


def workbook_format(path: Path) -> str:
    """`xlsx`, `xls` or `html`, by what the file's first bytes are rather than its name: systems export .xlsx
    workbooks and HTML pages named .xls, and a clerk renames files."""
    head = read_head(path)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "xlsx"
    if head.startswith(OLE2):
        return "xls"
    if is_spreadsheet_ml(head):  # a table, in a format no reader here takes: said as what it is
        raise InputError(
            f"File `{path.name}` is {EXCEL_2003_XML.en}. Nothing was ingested.",
            zh=f"文件 `{path.name}` 是{EXCEL_2003_XML.zh}。未导入任何数据。",
        )
    if is_html(head):
        return "html"
    return "xls" if path.suffix.lower() == ".xls" else "xlsx"


class Sheet(NamedTuple):
    """A workbook's sheet: its name, its rows (numbered as Excel numbers them), whether it is hidden, its merged
    ranges, and (an .xlsx sheet's) how to count its filled rows without reading them."""

    name: str
    rows: Iterator[tuple[int, list[str]]]
    hidden: bool
    merged: tuple[Merge, ...] = ()
    filled: Callable[[], int] | None = None


def rows_below_header(sheet: Sheet) -> int:
    """How many filled rows a sheet holds below its header (all of them when it has none): those a source naming
    other sheets leaves unread. Only the first rows are read, to find the header, where the sheet's XML can count
    the rest."""
    window = list(islice(sheet.rows, HEAD_ROWS))
    found = find_header(sheet.name, window)
    used = found.used if found.names else 0
    above = sum(1 for _, cells in window[:used] if any(c.strip() for c in cells))
    if sheet.filled is not None:
        return max(sheet.filled() - above, 0)
    return sum(1 for _, cells in chain(window[used:], sheet.rows) if any(c.strip() for c in cells))


def padding(number_format: str | None) -> int:
    """How many digits a whole number is shown with under a number format: its width for a format of zeros only
    (`0000` shows 169 as 0169: how a code column typed as numbers keeps its leading zeros on screen), else 0."""
    return len(number_format) if number_format and _ZEROS.fullmatch(number_format) else 0


def cell_text(value: Any, pad: int = 0) -> str:
    """A cell as the text a person sees: 12 not 12.0, 0169 for 169 under the number format `0000` (`pad`),
    4.50202199001011E+17 for a number too long for a float, dates as 2021-07-08, nothing for empty."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return NumberText(_number_text(value, pad))  # a number: what it shows, marked as having been one
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _number_text(value: float, pad: int) -> str:
    if pad and float(value).is_integer() and 0 <= value < EXACT:
        return str(int(value)).zfill(pad)
    if isinstance(value, float) and value.is_integer():
        # Excel keeps 15 significant digits of a number: past them the digits are not the number's. Show it as
        # Excel does, so that an 18-digit ID typed as a number is seen to have lost its last digits instead of
        # gaining made-up ones.
        return str(int(value)) if abs(value) < EXACT else f"{value:.15G}"
    return str(value)


def _xlsx_sheets(path: Path, named: tuple[str, ...] = ()) -> list[Sheet]:
    _check_zip(path)
    from openpyxl import load_workbook

    try:
        # A file object, not the name: openpyxl refuses a name not ending .xlsx, and systems name workbooks .xls.
        handle = path.open("rb")
        try:
            workbook = load_workbook(handle, read_only=True, data_only=True)
        except Exception:
            handle.close()
            raise
        weakref.finalize(workbook, handle.close)  # read lazily, sheet after sheet: closed with the workbook
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        en, zh = _appears(path)
        raise InputError(
            f"File `{path.name}` is not a readable .xlsx workbook ({type(exc).__name__}){en}. Open and save "
            "it again in Excel, or export CSV.",
            zh=f"文件 `{path.name}` 不是可读的 Excel 工作簿{zh}。请用 Excel 或 WPS 打开后重新保存，或导出为 CSV。",
        ) from None

    def rows(sheet: Any) -> Iterator[tuple[int, list[str]]]:
        pads: dict[int, int] = {}  # a cell style's padding, looked up once per style
        # The sheet's own <dimension> tag is what a writer says it holds, and some write it wrong (A1, or short):
        # read every row and cell that is there instead.
        sheet.reset_dimensions()
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            texts = []
            for cell in cells:
                value = cell.value
                pad = 0
                if isinstance(value, int | float):  # only a number's format can change what it shows
                    style = getattr(cell, "_style_id", 0)
                    if style not in pads:
                        pads[style] = padding(cell.number_format)
                    pad = pads[style]
                texts.append(cell_text(value, pad))
            yield number, texts

    hidden = {ws.title: ws.sheet_state != "visible" for ws in workbook.worksheets}
    read = [ws for ws in workbook.worksheets if (ws.title in named if named else not hidden[ws.title])]
    merged = scan_sheets(path, [(ws.title, getattr(ws, "_worksheet_path", None)) for ws in read])

    def sheet(ws: Any) -> Sheet:
        member = getattr(ws, "_worksheet_path", None)
        filled = partial(filled_rows, path, member) if member else None
        rows_read = read_or_refuse(rows(ws), path.name, ws.title)
        return Sheet(ws.title, rows_read, hidden[ws.title], tuple(merged.get(ws.title, ())), filled)

    return [sheet(ws) for ws in workbook.worksheets]


def _xls_sheets(path: Path) -> list[Sheet]:
    import xlrd

    try:
        try:  # the formatting is where a sheet's merged ranges are kept
            book = xlrd.open_workbook(str(path), formatting_info=True)
        except Exception:  # some writers' formatting records xlrd cannot read: the values alone then
            book = xlrd.open_workbook(str(path))
    except Exception as exc:  # xlrd raises many kinds for a broken file
        en, zh = _appears(path)
        raise InputError(
            f"File `{path.name}` is not a readable .xls workbook ({type(exc).__name__}){en}. Open and save "
            "it again in Excel, or export CSV.",
            zh=f"文件 `{path.name}` 不是可读的 Excel 工作簿{zh}。请用 Excel 或 WPS 打开后重新保存，或导出为 CSV。",
        ) from None

    def pad(xf_index: int | None) -> int:
        """The padding of a cell's format (none when the workbook's formatting could not be read)."""
        if xf_index is None or xf_index >= len(book.xf_list):
            return 0
        shown = book.format_map.get(book.xf_list[xf_index].format_key)
        return padding(shown.format_str if shown is not None else None)

    def rows(sheet: Any) -> Iterator[tuple[int, list[str]]]:
        for index in range(sheet.nrows):
            cells = []
            for cell in sheet.row(index):
                value = cell.value
                if cell.ctype == xlrd.XL_CELL_DATE:
                    value = xlrd.xldate.xldate_as_datetime(value, book.datemode)
                number = cell.ctype == xlrd.XL_CELL_NUMBER
                cells.append(cell_text(value, pad(cell.xf_index) if number else 0))
            yield index + 1, cells

    return [
        Sheet(
            sheet.name,
            read_or_refuse(rows(sheet), path.name, sheet.name),
            sheet.visibility != 0,
            tuple(Merge(r1 + 1, r2, c1, c2 - 1) for r1, r2, c1, c2 in sheet.merged_cells),
        )
        for sheet in book.sheets()
    ]


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
    head = read_head(path)
    looks = looks_like(path, head)
    if looks is None:  # text, not a workbook: most likely a CSV saved under a workbook's name
        if head.count(b",") + head.count(b"\t") + head.count("，".encode()) >= 2:
            return (": it appears to be delimited text (CSV) under a workbook's name; rename it to .csv",
                    "：它看起来是以工作簿扩展名保存的分隔文本（CSV），请改名为 .csv")  # fmt: skip
        return "", ""
    if looks.en.startswith("an Excel workbook"):
        return "", ""
    return f": it appears to be {looks.en}", f"：它看起来是{looks.zh}"
