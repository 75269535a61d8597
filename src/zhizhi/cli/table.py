"""Tables for people at a terminal: they fit its width, never cut a number, and show every value as text.

Every command prints its tables with `Table` (a rich table): text wraps inside its column; numbers, dates, times, ids
and codes are never cut or wrapped; when even wrapped text cannot fit, columns are left out and a line under the
table names them. A cell may be any value: `as_text` writes a mapping as `key: value; ...` and a list as `a, b`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from typing import Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Column
from rich.table import Table as RichTable
from rich.text import Text


def as_text(value: Any) -> str:
    """A cell's value as people read it: nothing for None, yes/no, a mapping as `key: value; ...`, a list as
    `a, b`; never a Python repr."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e15 else str(value)
    if isinstance(value, Mapping):
        return "; ".join(f"{key}: {as_text(item)}" for key, item in value.items())
    if isinstance(value, Iterable) and not isinstance(value, str | bytes | Text):
        return ", ".join(as_text(item) for item in value)
    return value if isinstance(value, str) else str(value)


# A cell that must never be cut: a number (2,925 · 0.98 · 45 % · -3), a date or time, an id or code
# (91450202LWX1G1L981, E1021).
_WHOLE = re.compile(r"[-+]?\d[\d,.:/\-TZ ]*%?|[0-9A-Z][0-9A-Z\-]{1,24}")
_NUMBER = re.compile(r"[-+]?\d[\d,.]*( ?%)?")
_NARROWEST_TEXT = 6  # the narrowest a wrapped text column may become


class Table(RichTable):
    """A rich table that fits the terminal: text wraps, numbers, dates and ids are never cut, and when even wrapped
    text cannot fit, columns are left out (the first one never; those in `drop`, else the rightmost text columns,
    first), with a line saying which. Cells may be any value (`as_text`)."""

    def __init__(self, *headers: str | Column, drop: Iterable[str] = (), **options: Any) -> None:
        super().__init__(*headers, **options)
        self.drop = list(drop)

    def add_row(self, *cells: Any, **options: Any) -> None:
        shown = [cell if isinstance(cell, Text) or hasattr(cell, "__rich__") else as_text(cell) for cell in cells]
        super().add_row(*shown, **options)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        fitted, left_out = self._fitted(options.max_width)
        yield from RichTable.__rich_console__(fitted, console, options)
        if left_out:
            yield Text(f"(left out to fit {options.max_width} columns: {', '.join(left_out)}; --json has all)", "dim")

    def _fitted(self, width: int) -> tuple[RichTable, list[str]]:
        """A copy of the table whose whole cells never wrap, without the columns that cannot fit."""
        columns = [copy.copy(column) for column in self.columns]
        whole = [_is_whole(column) for column in columns]
        for column, keep in zip(columns, whole, strict=True):
            column.no_wrap, column.overflow = keep, "fold"
            if keep and column.justify == "left" and _all_match(_NUMBER, column):
                column.justify = "right"
        left_out: list[str] = []
        if self._width(columns, whole, narrowest=False) > width:
            for column, keep in zip(columns, whole, strict=True):
                if keep:  # as wide as its widest cell or header word; a longer header wraps between words
                    column.width = _whole_width(column)
                    column.no_wrap = False
            order = self._drop_order(columns, whole)
            while order and (_is_empty(order[0]) or self._width(columns, whole, narrowest=True) > width):
                index = columns.index(order.pop(0))
                left_out.append(str(columns[index].header))
                del columns[index], whole[index]
        fitted = copy.copy(self)
        for index, column in enumerate(columns):
            column._index = index
        fitted.columns = columns
        return fitted, left_out

    def _drop_order(self, columns: list[Column], whole: list[bool]) -> list[Column]:
        """Which columns go first: empty ones, those named in `drop`, then text from the right, then the rest from the
        right."""
        empty = [c for c in columns[1:] if _is_empty(c)]
        named = empty + [c for name in self.drop for c in columns[1:] if str(c.header) == name and c not in empty]
        text = [c for c, keep in zip(columns, whole, strict=True) if not keep and c is not columns[0]]
        rest = [c for c in columns[1:] if c not in text]
        return named + [c for c in [*reversed(text), *reversed(rest)] if c not in named]

    def _width(self, columns: list[Column], whole: list[bool], *, narrowest: bool) -> int:
        """The table's width: its columns at their natural width, or with text wrapped as narrow as it goes."""
        _, right, _, left = self.padding
        needed = (right + left) * len(columns)
        if self.box:
            needed += len(columns) - 1 + (2 if self.show_edge else 0)
        for column, keep in zip(columns, whole, strict=True):
            natural = max(_cells_width(column), cell_len(str(column.header)))
            if narrowest:
                natural = _whole_width(column) if keep else min(natural, _NARROWEST_TEXT)
            needed += natural
        return needed


def _cells_width(column: Column) -> int:
    return max((cell_len(str(cell)) for cell in column._cells), default=0)


def _whole_width(column: Column) -> int:
    return max([_cells_width(column), *(cell_len(word) for word in str(column.header).split())])


def _is_empty(column: Column) -> bool:
    return not any(str(cell).strip() for cell in column._cells)


def _is_whole(column: Column) -> bool:
    """Whether every cell of the column is a number, date, time or id: such a cell is never cut or wrapped."""
    return _all_match(_WHOLE, column)


def _all_match(pattern: re.Pattern[str], column: Column) -> bool:
    cells = [str(cell).strip() for cell in column._cells]
    return any(cells) and all(pattern.fullmatch(cell) for cell in cells if cell)
