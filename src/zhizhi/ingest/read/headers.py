"""Find the header in the first rows of a sheet: skip title rows above it, join a two-row merged header, skip the
row of column numbers a form prints under it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from zhizhi.ingest.read.base import SIGN_OFF, Skip, header_cell, unique_header
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
    titles: list[list[str]] = field(default_factory=list)  # the title rows above the header, as written


def find_header(sheet: str | None, rows: list[tuple[int, list[str]]]) -> HeaderFound:
    """Look at the first rows: the header is the first row nearly as full as the fullest; above it, titles.

    Rows with at most one filled cell before the first with two (up to LEAD of them) are titles and notes; the
    header is looked for in the WINDOW rows from there (from the first row when no row has two filled cells: a
    file of one column). A row of sign-off cells (填报单位：… 填报人：… 填报日期：…) is never the header nor its
    top row: it is skipped as a note wherever it stands above the header."""
    lead = rows[: LEAD + 1]
    start = next((i for i, (_, cells) in enumerate(lead) if _filled(cells) >= 2 and not _signed(cells)), 0)
    skipped = [_title(sheet, number, cells) for number, cells in rows[:start]]
    window = rows[start : start + WINDOW]
    fullest = max((_filled(cells) for _, cells in window), default=0)
    for index, (number, cells) in enumerate(window):
        filled = _filled(cells)
        if _signed(cells):
            skipped.append(_title(sheet, number, cells))
            continue
        below = [row for _, row in window[index + 1 : index + 3]]
        if filled >= max(2, fullest // 2 + 1) or (fullest == 1 and filled == 1) or _groups_over(cells, below):
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
            titles = [[header_cell(c) for c in cells] for number, cells in rows[: start + index]
                      if _filled(cells) and not _signed(cells)]  # fmt: skip
            return HeaderFound(unique_header(names), start + index + used, skipped, written, numbers, titles)
        skipped.append(_title(sheet, number, cells))
    return HeaderFound([], start + len(window), skipped)


def _title(sheet: str | None, number: int, cells: list[str]) -> Skip:
    reason = "note_row" if _signed(cells) else "title_row" if _filled(cells) else "blank"
    return Skip(sheet, number, reason, " ".join(c for c in cells if c)[:200])


_SIGN_OFF = re.compile(SIGN_OFF)


def _signed(cells: list[str]) -> bool:
    """A row whose every filled cell is a sign-off (填报单位：…, 填报人：…, 联系电话：…, 导出时间：…, 共4条) or
    the value in the cell after a bare one (填报日期： | 2026年3月5日): who filled the form in and when, as offices
    write it above a header as well as below the data."""
    filled = ["".join(cell.split()) for cell in cells if cell.strip()]
    bare = False  # the cell before was a sign-off's label alone, the value in the next cell
    for cell in filled:
        if _SIGN_OFF.match(cell):
            bare = cell.endswith((":", "："))
        elif bare:
            bare = False
        else:
            return False
    return bool(filled)


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


def _groups_over(top: list[str], below: list[list[str]]) -> bool:
    """A row of three or more group names, each over the parts the next row names (工单信息 | 来电人信息 | 被反映对象
    over ten columns): the top of a two-row header, though less than half full."""
    if _filled(top) < 3 or not below:
        return False
    width = max(len(top), len(below[0]))
    parts = below[0] + [""] * (width - len(below[0]))
    return _filled(parts) > _filled(top) and _looks_like_subheader(top + [""] * (width - len(top)), parts)


def _looks_like_subheader(top: list[str], below: list[str]) -> bool:
    gaps = [i for i, cell in enumerate(top) if not cell.strip() and i > 0 and any(c.strip() for c in top[:i])]
    if not gaps or not any(below[i].strip() for i in gaps):
        return False
    filled = [c.strip() for c in below if c.strip()]
    if len(filled) < 2 or any(data_like(c) for c in filled):
        return False
    # Under a column of its own (its name not followed by a gap), a merged header leaves the row below empty (or
    # names it again); a data row fills it. Most such columns filled with something else: data, not parts.
    single = [i for i, cell in enumerate(top) if cell.strip() and (i + 1 == len(top) or top[i + 1].strip())]
    other = [i for i in single if below[i].strip() and below[i].strip() != top[i].strip()]
    return not (len(single) >= 2 and 2 * len(other) > len(single))


DATA_SHAPES = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月|\d{5,}|[0-9A-Z]{15,}")
"""A day written in Chinese, a run of five digits or more (a phone, a number), a code of fifteen or more digits and
capitals (a credit code, an ID number): a data row's cells, never a header's."""


def data_like(cell: str) -> bool:
    compact = cell.replace("-", "").replace("/", "").replace(".", "").replace(":", "").replace(" ", "")
    return compact.isdigit() or len(cell) > 30 or DATA_SHAPES.search(cell.upper()) is not None
