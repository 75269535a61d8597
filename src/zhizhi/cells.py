"""Cells of the files people open in Excel or WPS: every CSV and .xlsx export writes its cells through here, and
every workbook a page takes in (a register, a task file) is first checked for a zip bomb here (`check_unpacked`),
and its cells read as people typed them (`as_typed`).

Values hold whatever a department typed, including text that a spreadsheet would run as a formula
(`=cmd|' /C calc'!A0`, `+1`, `-2`, `@SUM(...)`, or a leading tab or carriage return). In a CSV such text gets a
leading `'`, which Excel and WPS show as text; in an .xlsx it stays a string cell marked `quotePrefix` and keeps
its value unchanged. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from typing import IO, Any, TypeVar

from zhizhi.errors import InputError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL = 32_767  # Excel's limit on the characters of one cell
MAX_RATIO = 200  # as the ingest's Excel reader: real workbooks pack 5 to 20 times
# Control characters that are not allowed in the XML of a sheet (tab, line feed and carriage return are).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
Row = TypeVar("Row")


def as_typed(value: Any) -> Any:
    """A cell of a workbook as the person typed it: a day (a date, or a date and time) as its ISO date, a number as
    its text (a whole one without Excel's `.0`: a staff number, a year), anything else as it is."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def csv_cell(value: Any) -> Any:
    """A CSV cell: numbers as they are, None empty, text that starts like a formula behind a `'`."""
    if is_number(value):
        return value
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def sheet_text(value: Any) -> str:
    """Text a sheet can hold: control characters its XML cannot (a \x01 a label carried) made U+FFFD, at most
    Excel's 32,767 characters."""
    return _ILLEGAL.sub("\ufffd", str(value))[:MAX_CELL]


def xlsx_cell(sheet: Any, value: Any) -> Any:
    """A cell for a write-only openpyxl sheet: numbers as numbers, everything else a string cell, never a formula."""
    from openpyxl.cell import WriteOnlyCell

    if value is None:
        return None
    if is_number(value):
        return value
    text = sheet_text(value)
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # openpyxl made text starting with `=` a formula: make it a string again
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    return cell


def write_csv(path: Path, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> None:
    """A CSV file in UTF-8 with a BOM (so Excel reads the Chinese), every cell through `csv_cell`."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([csv_cell(h) for h in header])
        writer.writerows([csv_cell(v) for v in row] for row in rows)


def write_xlsx(path: Path, sheet_title: str | None, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> None:
    """An .xlsx file of one sheet, every cell through `xlsx_cell`."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title)
    sheet.append([xlsx_cell(sheet, h) for h in header])
    for row in rows:
        sheet.append([xlsx_cell(sheet, v) for v in row])
    save_workbook(book, path)


def save_workbook(book: Any, target: Path | str | IO[bytes]) -> None:
    """Save a workbook through memory, then write it out whole: a disk that fills up mid-way raises one OSError, and
    leaves no half-closed zip that complains again when Python cleans it up."""
    buffer = BytesIO()
    book.save(buffer)
    if isinstance(target, Path | str):
        Path(target).write_bytes(buffer.getvalue())
    else:
        target.write(buffer.getvalue())


def check_unpacked(data: bytes, name: str, limit: int) -> None:
    """Refuse a workbook (a zip) that would unpack past `limit` bytes or MAX_RATIO times its size, before any of it
    is unpacked; a file that is not a zip is left to the workbook reader's own error."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return
    if unpacked > limit or unpacked > MAX_RATIO * max(len(data), 1):
        raise InputError(
            f"`{name}` would unpack to {unpacked:,} bytes from {len(data):,}: refused as a zip bomb (at most "
            f"{limit:,} bytes and {MAX_RATIO} times the file). Save the workbook again from Excel.",
            zh=f"`{name}` 解压后达 {unpacked:,} 字节（文件 {len(data):,} 字节），异常巨大，已拒绝。"
            "请用 Excel 重新保存后导入。",
        )


def read_or_refuse(rows: Iterable[Row], file_name: str, sheet: str) -> Iterator[Row]:
    """A sheet's rows, read lazily, with a damaged sheet (its XML cut short, a bad zip member, a cell that cannot be
    read) refused as an InputError naming the file, the sheet and the rows read, instead of the library's error."""
    count = 0
    try:
        for row in rows:
            yield row
            count += 1
    except Exception as exc:  # openpyxl, the XML parser, zipfile and xlrd raise many kinds for a damaged sheet
        en, zh = (f"after row {count:,}", f"第 {count:,} 行之后") if count else ("before its first row", "开头处")
        raise InputError(
            f"File `{file_name}` sheet `{sheet}` is damaged {en} and cannot be read ({type(exc).__name__}: {exc}). "
            "Open and save it again in Excel, or export it again.",
            zh=f"文件 `{file_name}` 的工作表 `{sheet}` 在{zh}已损坏，无法读取。"
            "请用 Excel 或 WPS 打开后重新保存，或重新导出。",
        ) from exc
