"""Find the header in the first rows of a sheet: skip title rows above it, join a two-row merged header, skip the
row of column numbers a form prints under it."""

from __future__ import annotations

from dataclasses import dataclass, field

from zhizhi.ingest.read.base import Skip, header_cell, unique_header
from zhizhi.ingest.read.ordinals import is_column_numbers

WINDOW = 12
# A ledger may open with a long notes block (填表说明, one line a row) above its header: rows with at most one filled
# cell, up to this many, are titles; the header is looked for in the WINDOW rows after them.
LEAD = 100
HEAD_ROWS = LEAD + WINDOW  # how many first rows a reader hands to find_header


@dataclass
class HeaderFound:
    """The header's names, how many of the window's rows it and the rows above it used, and those skipped; the
    header's rows as written and its row of column numbers (甲 乙 丙 / 1 2 3), for a paged export that repeats them."""

    names: list[str]
    used: int
    skipped: list[Skip] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    numbers: list[str] | None = None


def find_header(sheet: str | None, rows: list[tuple[int, list[str]]]) -> HeaderFound:
    """Look at the first rows: the header is the first row nearly as full as the fullest; above it, titles.

    Rows with at most one filled cell before the first with two (up to LEAD of them) are titles and notes; the
    header is looked for in the WINDOW rows from there (from the first row when no row has two filled cells: a
    file of one column)."""
    start = next((i for i, (_, cells) in enumerate(rows[: LEAD + 1]) if _filled(cells) >= 2), 0)
    skipped = [_title(sheet, number, cells) for number, cells in rows[:start]]
    window = rows[start : start + WINDOW]
    fullest = max((_filled(cells) for _, cells in window), default=0)
    for index, (number, cells) in enumerate(window):
        filled = _filled(cells)
        if filled >= max(2, fullest // 2 + 1) or (fullest == 1 and filled == 1):
            below = [row for _, row in window[index + 1 : index + 3]]
            numbered = bool(below) and is_column_numbers(below[0], len(cells))
            names, used = _join_second_row(cells, below[0] if below and not numbered else None)
            written = [[header_cell(c) for c in row] for row in [cells, *below][:used]]
            if used == 2:
                skipped.append(Skip(sheet, window[index + 1][0], "header_row", " | ".join(window[index + 1][1])))
            numbers = None
            if len(below) >= used and is_column_numbers(below[used - 1], len(names)):
                number_row, numbers = window[index + used], [header_cell(c) for c in below[used - 1]]
                skipped.append(Skip(sheet, number_row[0], "column_numbers", " ".join(c for c in numbers if c)[:200]))
                used += 1
            return HeaderFound(unique_header(names), start + index + used, skipped, written, numbers)
        skipped.append(_title(sheet, number, cells))
    return HeaderFound([], start + len(window), skipped)


def _title(sheet: str | None, number: int, cells: list[str]) -> Skip:
    return Skip(sheet, number, "title_row" if _filled(cells) else "blank", " ".join(c for c in cells if c)[:200])


def _filled(cells: list[str]) -> int:
    return sum(1 for c in cells if c.strip())


def _join_second_row(top: list[str], below: list[str] | None) -> tuple[list[str], int]:
    # A merged group header (许可证 spanning 编号 | 有效期至) leaves blanks to the right of its text in the top
    # row and puts the parts in the row below; a data row below would hold numbers or dates, not only words.
    width = max(len(top), len(below or []))
    top = top + [""] * (width - len(top))
    if below is None or not _looks_like_subheader(top, below + [""] * (width - len(below))):
        return top, 1
    below = below + [""] * (width - len(below))
    names, group = [], ""
    for upper, lower in zip(top, below, strict=True):
        if upper.strip():
            group = upper.strip()
            names.append(f"{group}/{lower.strip()}" if lower.strip() and lower.strip() != group else group)
        else:
            names.append(f"{group}/{lower.strip()}" if group and lower.strip() else lower.strip())
    return names, 2


def _looks_like_subheader(top: list[str], below: list[str]) -> bool:
    gaps = [i for i, cell in enumerate(top) if not cell.strip() and i > 0 and any(c.strip() for c in top[:i])]
    if not gaps or not any(below[i].strip() for i in gaps):
        return False
    filled = [c.strip() for c in below if c.strip()]
    return len(filled) >= 2 and not any(_data_like(c) for c in filled)


def _data_like(cell: str) -> bool:
    compact = cell.replace("-", "").replace("/", "").replace(".", "").replace(":", "").replace(" ", "")
    return compact.isdigit() or len(cell) > 30
