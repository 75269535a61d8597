"""The registers in Excel: one sheet, a header row of Chinese column names (English ones read too), and every
problem of an imported file named by row, column and value, in Chinese and English, all at once; and the same for
the files and forms checked against a model (`checked`)."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from zhizhi.cells import as_typed, check_unpacked, read_or_refuse, xlsx_cell
from zhizhi.errors import InputError

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024  # the XML of a million-row register is far less; more is a zip bomb
M = TypeVar("M", bound=BaseModel)
MAX_PROBLEMS_SHOWN = 20
HEADER_ROWS = 10  # the header is looked for among the first rows: titles and notes are often put above it


@dataclass(frozen=True)
class Column:
    """A column of a register's sheet: the field it fills, its header in Chinese and English, other headers read."""

    name: str
    header: str
    header_en: str
    aliases: tuple[str, ...] = ()
    required: bool = False

    def headers(self) -> tuple[str, ...]:
        return (self.header, self.header_en, self.name, *self.aliases)


@dataclass
class Problems:
    """The problems found in one imported file, each naming its row, column and value."""

    file_name: str
    found: list[tuple[str, str]] = field(default_factory=list)  # (English, Chinese)

    def add(self, row: int, column: Column, value: Any, problem: str, problem_zh: str) -> None:
        self.found.append(
            (
                f"row {row}, column `{column.header}` ({column.header_en}) = `{value}`: {problem}",
                f"第 {row} 行「{column.header}」`{value}`：{problem_zh}",
            )
        )

    def raise_if_any(self) -> None:
        """Refuse the file when anything was found, naming every problem (the first ones in the message)."""
        if not self.found:
            return
        shown = self.found[:MAX_PROBLEMS_SHOWN]
        more = len(self.found) - len(shown)
        tail, tail_zh = (f"; and {more} more", f"；另有 {more} 处") if more else ("", "")
        english = "; ".join(en for en, _ in shown)
        chinese = "；".join(zh for _, zh in shown)
        raise InputError(
            f"`{self.file_name}` has {len(self.found)} problem(s), nothing was imported: {english}{tail}. "
            "Correct the file and import it again.",
            zh=f"`{self.file_name}` 有 {len(self.found)} 处错误，未导入任何内容：{chinese}{tail_zh}。"
            "请修改后重新导入。",
            details=[en for en, _ in self.found],
        )


def read_sheet(
    data: bytes, file_name: str, columns: Sequence[Column], *, max_rows: int
) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows of the first sheet naming the columns (an .xlsx, whose first sheet may be a template's instructions;
    or a CSV in UTF-8 or GBK) as (row number, field -> text), blank rows skipped; the header is the first of the
    first rows naming the columns (a title row above it, merged or not, is passed over). A file that is not a
    workbook, lacks a required column or holds more than `max_rows` rows is refused."""
    if len(data) > MAX_FILE_BYTES:
        raise InputError(
            f"`{file_name}` is {len(data):,} bytes; at most {MAX_FILE_BYTES:,} are read. Split the file.",
            zh=f"`{file_name}` 超过 {MAX_FILE_BYTES // 1024 // 1024} MB，请拆分后导入。",
        )
    with _sheets(data, file_name) as sheets:
        lines, first, where = _first_with_header(sheets, columns, file_name)
        for number, values in enumerate(lines, start=first + 1):
            if number > max_rows + first:
                raise InputError(
                    f"`{file_name}` has more than {max_rows:,} rows. Split the file.",
                    zh=f"`{file_name}` 超过 {max_rows:,} 行，请拆分后导入。",
                )
            row = {name: _text(values[i]) if i < len(values) else "" for name, i in where.items()}
            if any(row.values()):
                yield number, row


class MissingColumnsError(InputError):
    """A sheet whose first rows do not name the columns a register needs."""


Sheet = tuple[str, Iterator[Sequence[Any]]]  # a sheet's name and its rows, read lazily


def _first_with_header(
    sheets: Iterator[Sheet], columns: Sequence[Column], file_name: str
) -> tuple[Iterator[Sequence[Any]], int, dict[str, int]]:
    """The rows of the first sheet whose first rows name the columns, its header row and where each column is; the
    first sheet's problem, naming every sheet looked at, when none does."""
    refused: MissingColumnsError | None = None
    names: list[str] = []
    for name, lines in sheets:
        names.append(name)
        try:
            first, where = _header(lines, columns, file_name)
        except MissingColumnsError as exc:
            refused = refused or exc
            continue
        return lines, first, where
    assert refused is not None, "a file has a sheet at least"
    if len(names) > 1:
        raise MissingColumnsError(
            f"{refused.message} No sheet of it names them: {', '.join(f'`{n}`' for n in names)}.",
            zh=f"{refused.message_zh} 各工作表（{'、'.join(names)}）均未找到。",
        )
    raise refused


@contextmanager
def _sheets(data: bytes, file_name: str) -> Iterator[Iterator[Sheet]]:
    """The sheets of a workbook in order, or the one of a CSV (a file that is not a zip, or named .csv)."""
    name = file_name.lower()
    if name.endswith((".csv", ".txt")) or not (data.startswith(b"PK") or name.endswith((".xlsx", ".xlsm", ".xls"))):
        text = _decoded(data, file_name)
        if text is not None:
            yield iter([(file_name, iter(csv.reader(io.StringIO(text), delimiter=_delimiter(text))))])
            return
    from openpyxl import load_workbook

    check_unpacked(data, file_name, MAX_UNPACKED_BYTES)
    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputError(
            f"`{file_name}` cannot be read as an Excel workbook ({type(exc).__name__}). Save it as .xlsx, or as CSV.",
            zh=f"`{file_name}` 无法作为 Excel 工作簿读取，请另存为 .xlsx 或 CSV。",
        ) from exc
    try:
        yield ((s.title, read_or_refuse(s.iter_rows(values_only=True), file_name, s.title)) for s in book.worksheets)
    finally:
        book.close()


def _delimiter(text: str) -> str:
    """What separates the columns: a comma (CSV), a tab (Excel's Unicode text or text, tab-separated, and what a copy
    from a sheet gives) or a semicolon; the one that splits the first line any of them splits (the header, or a title
    Excel padded with them: never a row of data, whose notes may hold any of them) into the most cells."""
    for line in text.splitlines()[:HEADER_ROWS]:
        cells = {d: len(next(csv.reader([line], delimiter=d), [])) for d in (",", "\t", ";")}
        if max(cells.values()) > 1:
            return max(cells, key=lambda d: cells[d])
    return ","


def _decoded(data: bytes, file_name: str) -> str | None:
    """A CSV's text: UTF-16 with its mark (Excel's `Unicode text`), UTF-8 (with or without its mark), else GBK
    (GB18030, what Excel in Chinese saves); None for bytes that are none of them (a damaged workbook: reported as
    one)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\0" in data[:4096]:
        return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    if file_name.lower().endswith((".csv", ".txt")):
        raise InputError(
            f"`{file_name}` is neither UTF-8 nor GBK text. Save it from Excel as `CSV UTF-8`, or as .xlsx.",
            zh=f"`{file_name}` 既不是 UTF-8 也不是 GBK 编码，请在 Excel 中另存为“CSV UTF-8”或 .xlsx。",
        )
    return None


def _header(lines: Iterator[Sequence[Any]], columns: Sequence[Column], file_name: str) -> tuple[int, dict[str, int]]:
    """The header row's number and where each column is: the first of the first rows that names every required
    column (and one column at least)."""
    first: list[str] = []
    for number in range(1, HEADER_ROWS + 1):
        values = next(lines, None)
        if values is None:
            break
        header = [_heading(h) for h in values]
        first = first or [h for h in header if h]
        where = _locate(header, columns)
        if where and all(c.name in where for c in columns if c.required):
            return number, where
    missing = [c for c in columns if c.required] or list(columns)
    names = ", ".join(f"`{c.header}` ({c.header_en})" for c in missing)
    raise MissingColumnsError(
        f"`{file_name}` lacks the column(s) {names} in its first {HEADER_ROWS} rows (its first row has: "
        f"{', '.join(first)}). Export the register once to see the expected columns.",
        zh=f"`{file_name}` 前 {HEADER_ROWS} 行中缺少列：{'、'.join(c.header for c in missing)}。"
        "可先导出一次名录查看应有的列。",
    )


def _heading(value: Any) -> str:
    """A header cell as compared: no spaces or line breaks inside, no `*` marking it required."""
    return re.sub(r"[\s*＊]+", "", str(value)) if value is not None else ""


def _locate(header: list[str], columns: Sequence[Column]) -> dict[str, int]:
    where: dict[str, int] = {}
    for column in columns:
        for i, title in enumerate(header):
            if title in column.headers():
                where[column.name] = i
                break
    return where


def once_each(
    rows: Iterable[tuple[int, dict[str, str]]], column: Column, problems: Problems
) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows whose `column` was not on an earlier row; a repeat is a problem naming both rows (the last one must
    not silently win over the first)."""
    seen: dict[str, int] = {}
    for number, row in rows:
        key = row.get(column.name, "")
        if key and key in seen:
            problems.add(number, column, key, f"already on row {seen[key]}", f"与第 {seen[key]} 行重复")
            continue
        seen.setdefault(key, number)
        yield number, row


def _text(value: Any) -> str:
    return "" if value is None else str(as_typed(value)).strip()


def checked(model: type[M], raw: Any, origin: str) -> M:
    """`raw` (a parsed file, a form, options) as `model`, or one error naming every problem, each by its key."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = [f"`{'.'.join(map(str, e['loc']))}`: {e['msg'].removeprefix('Value error, ')}" for e in exc.errors()]
        raise InputError(
            f"{origin} has {len(problems)} problem(s): {'; '.join(problems)}. See docs/inspections.md.",
            zh=f"{origin} 有 {len(problems)} 处错误：{'；'.join(problems)}。见 docs/inspections.md。",
            details=problems,
        ) from exc


def write_book(title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]], *, english: bool = False) -> bytes:
    """An .xlsx of one sheet: the header row (Chinese, or English), then the rows, every cell a safe string."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append([xlsx_cell(sheet, c.header_en if english else c.header) for c in columns])
    for row in rows:
        sheet.append([xlsx_cell(sheet, v) for v in row])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def parse_day(text: str) -> date | None:
    """A date written 2026-03-05, 2026/3/5 or 2026年3月5日; None when it is none of them."""
    cleaned = text.strip().replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-").rstrip("日")
    try:
        year, month, day = (int(part) for part in cleaned.split("-"))
        return date(year, month, day)
    except ValueError:
        return None


YES = {"是", "可派", "启用", "在岗", "yes", "y", "true", "1"}
NO = {"否", "不可派", "停用", "不在岗", "no", "n", "false", "0"}


def parse_flag(text: str) -> bool | None:
    """是/否 (yes/no, 启用/停用 ...): True, False, or None when it is neither."""
    lowered = text.strip().lower()
    return True if lowered in YES else False if lowered in NO else None
