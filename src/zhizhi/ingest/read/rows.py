"""Turn a sheet's rows (after its header) into chunks, skipping blank, repeated-header and total rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from zhizhi.ingest.read import base
from zhizhi.ingest.read.base import TOTAL_MARKERS, Chunk, Skip, frame, header_cell, is_total, note_kind, sparse
from zhizhi.ingest.read.headers import HEAD_ROWS, find_header

TOTAL_INITIALS = frozenset(marker[0] for marker in TOTAL_MARKERS) | frozenset("T")
# First characters of the notes and sign-off lines below the data (base.NOTE_HEAD, base.SIGN_OFF): a row starting
# otherwise is data without a further look, unless a notes block is open.
SKIP_INITIALS = TOTAL_INITIALS | frozenset("填说注备附以制审复经联单统部负分报打导日")


def sheet_chunks(
    sheet: str | None,
    rows: Iterable[tuple[int, list[str]]],
    headers: dict[str | None, list[str]],
    skipped: list[Skip],
    *,
    chunk_rows: int | None = None,
) -> Iterator[Chunk]:
    """Find the header in the first rows, then yield the data rows in chunks; every other row is a Skip."""
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
    # The header row(s) as written: an export that pages its output repeats them, both rows of a merged header.
    header_rows = [[header_cell(c) for c in window[found.used - 1][1]]] if found.used else []
    if any(s.reason == "header_row" for s in found.skipped) and found.used >= 2:
        header_rows.insert(0, [header_cell(c) for c in window[found.used - 2][1]])
    width = len(header)
    firsts = {row[0] for row in header_rows if row}
    batch: list[tuple[int, str | None, list[str]]] = []
    append = batch.append
    notes = False  # inside a notes block (填表说明 and its numbered lines) below the data
    for number, cells in _chain(window[found.used :], iterator):
        # The common row (a first cell that is no header, total, note or blank, exactly `width` cells) costs no calls.
        first = cells[0].strip().lstrip("\ufeff") if cells else ""  # a file pasted after another keeps its BOM
        if notes or not first or first[0] in SKIP_INITIALS or first in firsts:
            reason = _skip_reason(cells, header_rows)
            if reason is None:
                kind = note_kind(cells, width)
                if kind == "head":
                    notes = True
                elif kind is None:  # a sign-off line leaves the block as it was
                    notes = notes and sparse(_filled(cells), width)
                reason = "note_row" if kind or notes else None
            elif reason == "repeated_header":
                notes = False  # the next page of a paged export
            if reason:
                skipped.append(Skip(sheet, number, reason, " ".join(c for c in cells if c)[:200]))
                continue
        error = None
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            error = f"row has {len(cells)} fields but the header has {width}"
        append((number, error, cells))
        if len(batch) >= chunk_rows:
            yield Chunk(sheet, frame(batch, header))
            batch = []
            append = batch.append
    if batch:
        yield Chunk(sheet, frame(batch, header))


def _chain(
    first: list[tuple[int, list[str]]], rest: Iterator[tuple[int, list[str]]]
) -> Iterator[tuple[int, list[str]]]:
    yield from first
    yield from rest


def _filled(cells: list[str]) -> int:
    return sum(1 for c in cells if c.strip())


def _skip_reason(cells: list[str], header_rows: list[list[str]]) -> str | None:
    first = cells[0].strip().lstrip("\ufeff") if cells else ""
    if first and first[0] not in TOTAL_INITIALS and all(first != row[0] for row in header_rows if row):
        return None  # the common case, decided by the first cell alone
    stripped = [header_cell(c) for c in cells]
    if not any(stripped):
        return "blank"
    if any(row and stripped[: len(row)] == row for row in header_rows):
        return "repeated_header"
    if is_total(stripped):
        return "total_row"
    return None
