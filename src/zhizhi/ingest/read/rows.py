"""Turn a sheet's rows (after its header) into chunks, skipping blank, repeated-header and total rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from zhizhi.ingest.read import base
from zhizhi.ingest.read.base import (
    NOTES_MIN_WIDTH,
    TOTAL_MARKERS,
    Chunk,
    Skip,
    frame,
    header_cell,
    holds_credit_code,
    is_total,
    note_kind,
    numbers_in,
    sparse,
)
from zhizhi.ingest.read.headers import HEAD_ROWS, HeaderFound, find_header
from zhizhi.ingest.read.sheet_xml import Merge

TOTAL_INITIALS = frozenset(marker[0] for marker in TOTAL_MARKERS) | frozenset("T")
# First characters of the notes and sign-off lines below the data (base.NOTE_HEAD, base.SIGN_OFF): a row starting
# otherwise is data without a further look, unless a notes block is open.
SKIP_INITIALS = TOTAL_INITIALS | frozenset("填说注备附以制审复经联单统部负分报打导日第共数资来pP")


def sheet_chunks(
    sheet: str | None,
    rows: Iterable[tuple[int, list[str]]],
    headers: dict[str | None, list[str]],
    skipped: list[Skip],
    *,
    chunk_rows: int | None = None,
    merged: Sequence[Merge] = (),
    numbers: bool = False,
) -> Iterator[Chunk]:
    """Find the header in the first rows, then yield the data rows in chunks; every other row is a Skip.

    `merged` are a workbook sheet's merged ranges: one that starts below the header and runs down (a firm's name
    merged over the rows of its licences) gives its value to each row it covers, as a person reads it. With
    `numbers` (a workbook's cells), each chunk says which of its cells were numbers (`Chunk.numbers`).
    """
    chunk_rows = chunk_rows or base.CHUNK_ROWS
    iterator = iter(rows)
    window: list[tuple[int, list[str]]] = []
    for number, cells in iterator:
        window.append((number, cells))
        if len(window) == HEAD_ROWS:
            break
    found = find_header(sheet, window)
    skipped.extend(found.skipped)
    if not found.names:
        return
    header = found.names
    headers[sheet] = header
    # The header row(s) as written: an export that pages its output repeats them, both rows of a merged header, and
    # its row of column numbers.
    header_rows = repeats(found)
    width = len(header)
    firsts = {row[0] for row, _ in header_rows if row}
    batch: list[tuple[int, str | None, list[str]]] = []
    append = batch.append
    notes = False  # inside a notes block (填表说明 and its numbered lines) below the data
    data = _chain(window[found.used :], iterator)
    below = window[found.used - 1][0] if found.used else 0
    down = [m for m in merged if m.first_row > below and m.last_row > m.first_row]
    for number, cells in _fill_down(data, down, header_rows) if down else data:
        # The common row (a first cell that is no header, total, note or blank, exactly `width` cells) costs no calls.
        first = cells[0].strip().lstrip("\ufeff") if cells else ""  # a file pasted after another keeps its BOM
        if notes or not first or first[0] in SKIP_INITIALS or first in firsts:
            reason = _skip_reason(cells, header_rows)
            if reason is None:
                kind = note_kind(cells, width)
                if kind == "head":
                    notes = True
                elif kind is None:  # a sign-off line leaves the block as it was
                    notes = notes and sparse(_filled(cells), width) and not holds_credit_code(cells)
                reason = "note_row" if kind or (notes and width >= NOTES_MIN_WIDTH) else None
            elif reason == "repeated_header":
                notes = False  # the next page of a paged export
            if reason:
                skipped.append(Skip(sheet, number, reason, " ".join(c for c in cells if c)[:200]))
                continue
        error = None
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            error = past_the_header(cells, width)
        append((number, error, cells))
        if len(batch) >= chunk_rows:
            yield Chunk(sheet, frame(batch, header), numbers_in(batch, header) if numbers else {})
            batch = []
            append = batch.append
    if batch:
        yield Chunk(sheet, frame(batch, header), numbers_in(batch, header) if numbers else {})


def past_the_header(cells: list[str], width: int) -> str:
    """Why a row with filled cells past its header's width is no row (its frame keeps only the header's cells): the
    cells past it quoted, in both languages (`zhizhi.ingest.mapping` reads them apart at the separator `LANGUAGES`)."""
    extra = "、".join(f"「{c.strip()}」" for c in cells[width:] if c.strip())
    extra = extra if len(extra) <= 300 else extra[:300] + "…"
    return (
        f"有 {len(cells)} 个字段，表头只有 {width} 列；表头之外的内容：{extra}"
        "（多半是一个没加引号的逗号，或多粘贴的单元格）"
        f"{base.LANGUAGES}row has {len(cells)} fields but the header has {width}; past the header: {extra} (an "
        "unquoted comma, or a cell pasted too many?)"
    )


def _chain(
    first: list[tuple[int, list[str]]], rest: Iterator[tuple[int, list[str]]]
) -> Iterator[tuple[int, list[str]]]:
    yield from first
    yield from rest


def without_trailing_blanks(rows: Iterable[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    """The rows, less the blank ones after the last filled row: in a workbook, a template's borders or a used range
    over thousands of empty rows are formatting, not rows of the table. (A CSV's blank lines are lines it holds.)"""
    waiting: list[tuple[int, list[str]]] = []
    for number, cells in rows:
        if (cells and cells[0].strip()) or any(c.strip() for c in cells):
            if waiting:
                yield from waiting
                waiting = []
            yield number, cells
        else:
            waiting.append((number, cells))


def _fill_down(
    rows: Iterator[tuple[int, list[str]]], merged: list[Merge], header_rows: list[tuple[list[str], str]]
) -> Iterator[tuple[int, list[str]]]:
    """Rows with the value of each merged range's first cell in the rows below it that the range covers (its first
    column only: a range merged across is one cell, and a note merged across a row stays one cell). A blank row
    and the header repeated (whose merged cells are the header's) are left as they are, to be skipped."""
    starts: dict[int, list[Merge]] = {}
    for merge in merged:
        starts.setdefault(merge.first_row, []).append(merge)
    open_: dict[int, tuple[int, str]] = {}  # column -> (last row, value)
    for number, cells in rows:
        closed = [column for column, (last, _) in open_.items() if number > last]
        for column in closed:
            del open_[column]
        if open_ and _skip_reason(cells, header_rows) not in ("blank", "repeated_header", "column_numbers"):
            for column, (_, value) in open_.items():
                if column < len(cells) and not cells[column].strip():
                    cells[column] = value
        for merge in starts.get(number, ()):
            column = merge.first_column
            open_[column] = (merge.last_row, cells[column] if column < len(cells) else "")
        yield number, cells


def _filled(cells: list[str]) -> int:
    return sum(1 for c in cells if c.strip())


def repeats(found: HeaderFound) -> list[tuple[list[str], str]]:
    """The rows a paged export repeats on each page (its header, column numbers, title), as written, each with the
    reason it is skipped for."""
    rows = [(row, "repeated_header") for row in found.rows]
    rows += [(found.numbers, "column_numbers")] if found.numbers is not None else []
    width = len(found.names)  # a title again (a new page) only with the rest of its row empty, as it was
    return rows + [(title + [""] * (width - len(title)), "title_row") for title in found.titles if len(title) <= width]


def _skip_reason(cells: list[str], header_rows: list[tuple[list[str], str]]) -> str | None:
    first = cells[0].strip().lstrip("\ufeff") if cells else ""
    if first and first[0] not in TOTAL_INITIALS and all(first != row[0] for row, _ in header_rows if row):
        return None  # the common case, decided by the first cell alone
    stripped = [header_cell(c) for c in cells]
    if not any(stripped):
        return "blank"
    for row, reason in header_rows:
        if row and stripped[: len(row)] == row:
            return reason
    if is_total(stripped):
        return "total_row"
    return None
