"""The registers in Excel: one sheet, a header row of Chinese column names (English ones read too), and every
problem of an imported file named by row, column and value, in Chinese and English, all at once; and the same for
the files and forms checked against a model (`checked`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from zhizhi.cells import check_unpacked, xlsx_cell
from zhizhi.errors import InputError

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024  # the XML of a million-row register is far less; more is a zip bomb
M = TypeVar("M", bound=BaseModel)
MAX_PROBLEMS_SHOWN = 20


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
    """The rows of the first sheet as (row number, field -> text), blank rows skipped; a file that is not a
    workbook, lacks a required column or holds more than `max_rows` rows is refused."""
    from openpyxl import load_workbook

    if len(data) > MAX_FILE_BYTES:
        raise InputError(
            f"`{file_name}` is {len(data):,} bytes; at most {MAX_FILE_BYTES:,} are read. Split the file.",
            zh=f"`{file_name}` 超过 {MAX_FILE_BYTES // 1024 // 1024} MB，请拆分后导入。",
        )
    check_unpacked(data, file_name, MAX_UNPACKED_BYTES)
    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputError(
            f"`{file_name}` cannot be read as an Excel workbook ({type(exc).__name__}). Save it as .xlsx.",
            zh=f"`{file_name}` 无法作为 Excel 工作簿读取，请另存为 .xlsx。",
        ) from exc
    try:
        sheet = book.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(lines, ())]
        where = _locate(header, columns, file_name)
        for number, values in enumerate(lines, start=2):
            if number > max_rows + 1:
                raise InputError(
                    f"`{file_name}` has more than {max_rows:,} rows. Split the file.",
                    zh=f"`{file_name}` 超过 {max_rows:,} 行，请拆分后导入。",
                )
            row = {name: _text(values[i]) if i < len(values) else "" for name, i in where.items()}
            if any(row.values()):
                yield number, row
    finally:
        book.close()


def _locate(header: list[str], columns: Sequence[Column], file_name: str) -> dict[str, int]:
    where: dict[str, int] = {}
    for column in columns:
        for i, title in enumerate(header):
            if title in column.headers():
                where[column.name] = i
                break
    missing = [c for c in columns if c.required and c.name not in where]
    if missing:
        names = ", ".join(f"`{c.header}` ({c.header_en})" for c in missing)
        raise InputError(
            f"`{file_name}` lacks the column(s) {names} in its first row (it has: "
            f"{', '.join(h for h in header if h)}). Export the register once to see the expected columns.",
            zh=f"`{file_name}` 第一行缺少列：{'、'.join(c.header for c in missing)}。可先导出一次名录查看应有的列。",
        )
    return where


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


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
