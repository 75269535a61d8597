"""What a workbook's sheet XML says that openpyxl's streaming reader does not: formulas saved without their values,
and the merged ranges (a firm's name merged down the rows of its licences). One pass over the XML, row by row."""

from __future__ import annotations

import html
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from zhizhi.errors import InputError

# A formula cell whose value was never calculated: `<f>…</f>` and then no `<v>`, or an empty `<v>` on a cell that is
# not a text result (Excel writes `t="str"` and `<v></v>` for a formula whose result is empty text). Formula text
# is XML-escaped, so it holds no `<`.
_FORMULA_CELL = re.compile(
    rb"<(?:\w+:)?c\b([^>]*)>\s*<(?:\w+:)?f\b[^>]*?(?:/>|>([^<]*)</(?:\w+:)?f>)\s*"
    rb"(<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>"
)
_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_ROW_END = re.compile(rb"</(?:\w+:)?row>")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+)([0-9]+):([A-Z]+)([0-9]+)"')
_VALUE = re.compile(rb"<(?:\w+:)?v>[^<]|<(?:\w+:)?t\b[^>]*>[^<]")  # a cell's value, or its inline text
BLOCK = 1 << 22


@dataclass(frozen=True)
class Merge:
    """A merged range: its first and last row (1-based, as Excel numbers them) and columns (0-based)."""

    first_row: int
    last_row: int
    first_column: int
    last_column: int


@dataclass
class SheetScan:
    """Formula cells saved without a value (how many, the first one's reference and formula) and merged ranges."""

    uncalculated: int = 0
    first: tuple[str, str] | None = None
    merged: list[Merge] = field(default_factory=list)


def column_index(letters: bytes) -> int:
    """`A` -> 0, `Z` -> 25, `AA` -> 26."""
    index = 0
    for letter in letters:
        index = index * 26 + letter - 64
    return index - 1


def scan_sheet(archive: zipfile.ZipFile, member: str) -> SheetScan:
    """Read a sheet's XML once, a block of whole rows at a time."""
    scan = SheetScan()
    tail = b""
    with archive.open(member) as handle:
        while block := handle.read(BLOCK):
            text = tail + block
            ends = list(_ROW_END.finditer(text))
            cut = ends[-1].end() if ends else 0
            _scan_rows(text[:cut], scan)
            tail = text[cut:]
    _scan_rows(tail, scan)
    scan.merged = [
        Merge(int(top), int(bottom), column_index(left), column_index(right))
        for left, top, right, bottom in _MERGE.findall(tail)
    ]
    return scan


def filled_rows(path: Path, member: str) -> int:
    """How many rows of a sheet hold a value, counted in its XML without reading a cell: for a sheet left unread."""
    count, tail = 0, b""
    with zipfile.ZipFile(path) as archive, archive.open(member.lstrip("/")) as handle:
        while block := handle.read(BLOCK):
            *rows, tail = _ROW_END.split(tail + block)
            count += sum(1 for row in rows if _VALUE.search(row))
    return count


def _scan_rows(text: bytes, scan: SheetScan) -> None:
    if b"<f" not in text and b":f" not in text:
        return
    for match in _FORMULA_CELL.finditer(text):
        attributes, formula, empty = match.group(1), match.group(2), match.group(3)
        if empty is not None and b't="str"' in attributes:
            continue  # a formula whose result is empty text
        scan.uncalculated += 1
        if scan.first is None:
            ref = _REF.search(attributes)
            shown = html.unescape((formula or b"").decode("utf-8", errors="replace"))
            scan.first = (ref.group(1).decode() if ref else "?", shown)


def scan_sheets(path: Path, sheets: list[tuple[str, str | None]]) -> dict[str, list[Merge]]:
    """Each sheet's merged ranges (`sheets`: title and XML member); refuses a workbook whose sheets hold formulas
    saved without their values (a program wrote it and never calculated it): read as empty cells, their values
    would be lost without a word, and zhizhi never runs formulas."""
    merged = {}
    with zipfile.ZipFile(path) as archive:
        members = set(archive.namelist())
        for title, member in sheets:
            if member is None or member.lstrip("/") not in members:
                continue
            scan = scan_sheet(archive, member.lstrip("/"))
            if scan.first is not None:
                raise _uncalculated(path, title, scan.uncalculated, *scan.first)
            merged[title] = scan.merged
    return merged


def _uncalculated(path: Path, title: str, count: int, ref: str, formula: str) -> InputError:
    shown = f"`={formula[:100]}`" if formula else "a shared formula"
    return InputError(
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
