"""A sample of the file a source is suggested from: each sheet's columns and their values, the sheets grouped by
header into tables, and the columns a header writes more than once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from zhizhi.errors import InputError
from zhizhi.ingest.normalize.text import clean_text_value
from zhizhi.ingest.read import ERROR, ROW, ReadOptions, open_file
from zhizhi.ingest.read.base import Chunk, repeated_columns


@dataclass
class Repeated:
    """A column the header writes more than once: its copies as read (电话, 电话_2) and in how many of the rows
    sampled they differ."""

    copies: tuple[str, ...]
    differ: int = 0
    rows: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"copies": list(self.copies), "rows_differing": self.differ, "rows": self.rows}


@dataclass
class Sample:
    """The table a source is suggested for: each column's cleaned values, the rows sampled, the title row."""

    columns: dict[str, list[str]]
    rows: int
    title_row: str | None
    # A workbook's main table: its sheets, named when the workbook holds other tables (empty for one table), and the
    # headers of its other sheets (notes, code lists, a summary), which are no part of the suggestion.
    sheets: list[str] = field(default_factory=list)
    others: dict[str, list[str]] = field(default_factory=dict)
    repeated: dict[str, Repeated] = field(default_factory=dict)


def _compare_copies(frame: pl.DataFrame, found: dict[str, Repeated]) -> None:
    """Count the rows of `frame` in which the copies of each repeated column differ (spaces around ignored)."""
    for first, copies in repeated_columns(frame.columns).items():
        item = found.setdefault(first, Repeated((first, *copies)))
        base, *others = [pl.col(c).str.strip_chars().fill_null("") for c in item.copies]
        item.differ += frame.filter(pl.any_horizontal([base != other for other in others])).height
        item.rows += frame.height


def read_sample(path: Path, options: ReadOptions, sample_rows: int) -> Sheets:
    """Up to `sample_rows` data rows, each column's non-blank values cleaned, sheet by sheet; the first title row
    above a header."""
    reading = open_file(path, options)
    try:
        sheets = _read_sheets(reading.chunks, sample_rows)
    finally:
        close = getattr(reading.chunks, "close", None)
        if callable(close):
            close()
    for sheet, names in reading.headers.items():  # headers of sheets with no data rows count too
        for name in names:
            sheets.values.setdefault(sheet, {}).setdefault(name, [])
    if not sheets.values:
        raise InputError(
            f"File `{path.name}` has no header row that zhizhi could find: nothing to suggest a source from.",
            zh=f"文件 `{path.name}` 中找不到表头，无法生成数据源。",
        )
    sheets.headers = {sheet: list(reading.headers.get(sheet) or sheets.values[sheet]) for sheet in sheets.values}
    sheets.title = next((skip.text for skip in reading.skipped if skip.reason == "title_row" and skip.text), None)
    return sheets


@dataclass
class Sheets:
    """What was sampled, sheet by sheet: each column's cleaned values, the repeated columns, the rows read, the
    header; and the file's first title row."""

    values: dict[str | None, dict[str, list[str]]] = field(default_factory=dict)
    repeated: dict[str | None, dict[str, Repeated]] = field(default_factory=dict)
    rows: Counter[str | None] = field(default_factory=Counter)
    headers: dict[str | None, list[str]] = field(default_factory=dict)
    title: str | None = None

    def tables(self) -> list[list[str | None]]:
        """The sheets grouped by header, each group one table (the sheets of a month each, say), in file order."""
        groups: dict[tuple[str, ...], list[str | None]] = {}
        for sheet, header in self.headers.items():
            groups.setdefault(tuple(header), []).append(sheet)
        return list(groups.values())

    def sample(self, chosen: list[str | None]) -> Sample:
        """The sample of the table made of the `chosen` sheets; the other sheets' headers kept apart."""
        columns: dict[str, list[str]] = {}
        copies: dict[str, Repeated] = {}
        for sheet in chosen:
            for name, values in self.values[sheet].items():
                columns.setdefault(name, []).extend(values)
            for first, item in self.repeated.get(sheet, {}).items():
                total = copies.setdefault(first, Repeated(item.copies))
                total.differ, total.rows = total.differ + item.differ, total.rows + item.rows
        others = {str(sheet): header for sheet, header in self.headers.items() if sheet not in chosen}
        named = [str(sheet) for sheet in chosen if sheet is not None] if others else []
        return Sample(columns, sum(self.rows[sheet] for sheet in chosen), self.title, named, others, copies)


def _read_sheets(chunks: Iterable[Chunk], sample_rows: int) -> Sheets:
    """Read chunks until `sample_rows` data rows were sampled, keeping each sheet's apart."""
    sheets = Sheets()
    for chunk in chunks:
        frame = chunk.frame.head(max(sample_rows - sheets.rows.total(), 0))
        found = sheets.values.setdefault(chunk.sheet, {})
        _compare_copies(frame, sheets.repeated.setdefault(chunk.sheet, {}))
        for name in frame.columns:
            if name in (ROW, ERROR):
                continue
            cleaned = (clean_text_value(value) for value in frame[name].to_list())
            found.setdefault(name, []).extend(value for value in cleaned if value is not None)
        sheets.rows[chunk.sheet] += frame.height
        if sheets.rows.total() >= sample_rows:
            break
    return sheets
