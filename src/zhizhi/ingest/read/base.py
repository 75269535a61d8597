"""What every reader gives back: chunks of raw rows, each row named by sheet and row number, and skipped rows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import polars as pl

CHUNK_ROWS = 50_000
ROW = "_row"  # the row number as a person sees it in the file: 1-based, header rows counted
ERROR = "_error"  # why a row could not be read as a row (wrong number of fields, broken JSON); null when fine
LANGUAGES = "\x1f"
"""Between the Chinese and the English of an `ERROR` given in both (a reader's own words are English alone)."""
TOTAL_MARKERS = ("合计", "总计", "小计", "本页小计", "本页合计", "共计", "累计", "total")
# Below the data of a ledger: a notes block (填表说明, 注：, 备注：, 以下空白) and sign-off lines
# (制表人：张三 审核人：李四 制表日期：…), and below each page of a paged export its footer (第1页 共3页).
# NOTE_HEAD is matched against a row's first filled cell, SIGN_OFF against every filled cell, both with their
# spaces removed; the same patterns run in Python (rows.py) and in polars (csv_fast.py).
NOTE_HEAD = (
    r"^(?:(?:填表说明|填报说明|填写说明|说明|注意事项|注|备注|附注)[0-9一二三四五六七八九十]*(?:[:：]|$)"
    r"|以下(?:空白|无正文|无内容|无数据))"
)
SIGN_OFF = (
    r"^(?:制表人?|填表人?|填报人?|审核人?|复核人?|审批人|经办人|联系人|联系电话|(?:单位|统计|部门)?负责人|分管领导"
    r"|(?:填报|制表|填表|报送)(?:单位|日期|时间)|(?:打印|导出)(?:日期|时间|人)|(?:数据|资料)?来源|日期)"
    r"(?:[（(][^）)]*[）)])?[:：]"
    r"|第[0-9]+页|共[0-9]+页|[Pp]age[0-9]+"  # a page's footer: 第1页 共3页, Page 1 of 3
    r"|共[0-9]+(?:条|户|家|件|项|个|笔)"  # an export's count: 共4条记录
)
_NOTE_HEAD, _SIGN_OFF, _SPACE = re.compile(NOTE_HEAD), re.compile(SIGN_OFF), re.compile(r"\s")
# byte-order marks (a second one after the first, one at the start of a file pasted into another, a UTF-16 one read
# as text) and zero-width characters: invisible in a header cell, never part of a column's name
_INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufeff\ufffe]")


# Why zhizhi's readers skip a row (a plugin's reader may name its own): each has words on the batch page (the
# catalogue's `ingest.skip.REASON`) and a line in docs/ingest.md.
SKIP_REASONS = (
    "blank",
    "title_row",
    "header_row",
    "column_numbers",
    "repeated_header",
    "total_row",
    "note_row",
    "other_table",
    "hidden_sheet",
)


@dataclass(frozen=True)
class Skip:
    """A row that is not data (blank, a title, a repeated header, a total), counted with its reason."""

    sheet: str | None
    row: int
    reason: str
    text: str = ""


@dataclass
class Chunk:
    """Up to CHUNK_ROWS rows of one sheet: `_row`, `_error`, then one String column per header; and, from a workbook,
    per column the positions (0 for the chunk's first row) of the rows whose cell was a number (`numbers`: a code
    typed as a number may have lost its leading zeros, which its text cannot show)."""

    sheet: str | None
    frame: pl.DataFrame
    numbers: dict[str, list[int]] = field(default_factory=dict)


class NumberText(str):
    """A cell's text that a workbook held as a number (readers of workbooks give these; see `Chunk.numbers`)."""

    __slots__ = ()


def numbers_in(rows: list[tuple[int, str | None, list[str]]], header: list[str]) -> dict[str, list[int]]:
    """Per column, the positions of the rows whose cell is a `NumberText`."""
    found: dict[str, list[int]] = {}
    for index, name in enumerate(header):
        numbered = [at for at, r in enumerate(rows) if index < len(r[2]) and type(r[2][index]) is NumberText]
        if numbered:
            found[name] = numbered
    return found


@dataclass
class Reading:
    """An opened file: its sheets' headers, its chunks (read lazily), and the rows skipped so far."""

    path: Path
    encoding: str | None
    chunks: Iterator[Chunk]
    headers: dict[str | None, list[str]] = field(default_factory=dict)
    skipped: list[Skip] = field(default_factory=list)
    # How a person names where the rows came from (the file name; for a query or an API, what was asked).
    label: str = ""
    # Readers that fetch incrementally (sql, http) set the new high-water mark once every chunk has been read.
    watermark: str | None = None
    # What the file is when not what its name says, in English and Chinese (an HTML page named .xls), for errors.
    appears: tuple[str, str] = ("", "")
    # Sheets holding rows that were not read (a source naming other sheets), each with its filled rows below its
    # header: set once every chunk has been read, and said in the batch report.
    left_out: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.label:
            self.label = self.path.name


@dataclass(frozen=True)
class ReadOptions:
    """What a source file says about how to read: forced encoding, sheets to read, delimiter."""

    encoding: str | None = None
    sheets: tuple[str, ...] = ()
    delimiter: str | None = None
    # Reader-specific settings from the source file (a query, a URL, a token's environment variable ...).
    settings: dict[str, Any] = field(default_factory=dict)
    # The high-water mark of the last batch, for readers that fetch only what is new.
    watermark: str | None = None


class Reader(Protocol):
    """A way to read one kind of file; registered under the `zhizhi.readers` entry-point group.

    A reader whose `needs_file` is False fetches from elsewhere (a database, an API) and is given the source
    file's path; its settings say where to fetch from. A reader may set `fixed_header = False` (JSON records that
    leave out empty keys): a column the source maps is then not required in the header, and missing means empty.
    """

    name: str
    suffixes: tuple[str, ...]
    needs_file: bool

    def open(self, path: Path, options: ReadOptions) -> Reading:
        """Start reading `path`; errors that make the whole file unreadable raise InputError."""
        ...


def frame(rows: list[tuple[int, str | None, list[str]]], header: list[str]) -> pl.DataFrame:
    """A chunk's frame from (row number, error, cells) tuples; short rows padded, long ones cut (and marked)."""
    width = len(header)
    cells = [r[2] if len(r[2]) == width else (r[2] + [""] * width)[:width] for r in rows]
    columns = list(zip(*cells, strict=True)) if cells else [()] * width
    data: dict[str, object] = {ROW: [r[0] for r in rows], ERROR: [r[1] for r in rows]}
    data.update({name: list(column) for name, column in zip(header, columns, strict=True)})
    schema = {ROW: pl.Int64, ERROR: pl.String, **{name: pl.String for name in header}}
    return pl.DataFrame(data, schema=schema)


def is_total(cells: list[str]) -> bool:
    """A footer row whose first filled cell says 合计 / 总计 / 小计 / Total (spaced out or not: 合　计, 总 计)."""
    first = next((c for c in cells if c), "")
    return _SPACE.sub("", first).lower().startswith(TOTAL_MARKERS)


# A notes block's numbered lines are told from data only in a table this wide: in a narrower one, a data row with a
# cell left empty fills as little of the header as a note does.
NOTES_MIN_WIDTH = 3


def sparse(filled: int, width: int) -> bool:
    """A row with at most half its header's cells filled (at least one): room for a note, not a record."""
    return filled <= max(1, width // 2)


def holds_credit_code(cells: list[str]) -> bool:
    """Whether a cell holds a whole, valid credit code (spaces aside): a firm's row, never a note's line, so a row
    of a notes block holding one is data (备注：以下为本月新增 and the new firms under it) and closes the block."""
    from zhizhi.ingest.validate.identifiers import validate_uscc

    for cell in cells:
        code = _SPACE.sub("", cell).upper()
        if len(code) == 18 and not validate_uscc(code).findings:
            return True
    return False


def note_kind(cells: list[str], width: int) -> str | None:
    """`head` for the first line of a notes block (填表说明, 注：…, 以下空白) in a sparse row, `sign` for a row of
    sign-off cells only (制表人：… 审核人：…), else None."""
    filled = [_SPACE.sub("", c) for c in cells if c.strip()]
    if not filled:
        return None
    if _NOTE_HEAD.match(filled[0]) and sparse(len(filled), width):
        return "head"
    if all(_SIGN_OFF.match(c) for c in filled):
        return "sign"
    return None


def header_cell(cell: str) -> str:
    """A header cell as a column's name: without byte-order marks, zero-width characters and surrounding space."""
    return _INVISIBLE.sub("", cell).strip()


def unique_header(names: list[str]) -> list[str]:
    """Header names made unique and never empty: a blank becomes `column_3`, a repeat `名称_2` (`名称_3` for the
    third, or when the header has a column called `名称_2` of its own)."""
    cells = [header_cell(raw) or f"column_{index}" for index, raw in enumerate(names, start=1)]
    cells = [f"{name}_" if name in (ROW, ERROR) else name for name in cells]
    taken = set(cells)
    seen: dict[str, int] = {}
    result = []
    for name in cells:
        count = seen.get(name, 0) + 1
        if count > 1:
            while f"{name}_{count}" in taken:
                count += 1
            taken.add(f"{name}_{count}")
        seen[name] = count
        result.append(name if count == 1 else f"{name}_{count}")
    return result


_COPY = re.compile(r"(.+)_([2-9]|[1-9][0-9]+)")


def repeated_columns(header: list[str]) -> dict[str, list[str]]:
    """The columns a header writes more than once, as `unique_header` names them: the first -> its copies
    (`电话` -> [`电话_2`])."""
    present = set(header)
    found: dict[str, list[str]] = {}
    for name in header:
        match = _COPY.fullmatch(name)
        if match and match.group(1) in present:
            found.setdefault(match.group(1), []).append(name)
    return found
