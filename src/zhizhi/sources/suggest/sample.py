"""A sample of the file a source is suggested from: each column's values, the main table of a workbook, and the
columns the header writes more than once."""

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
    columns: dict[str, list[str]]
    rows: int
    title_row: str | None
    # A workbook's main table: the sheets sharing the header with the most rows sampled (empty for one table), and
    # the headers of its other sheets (notes, code lists, a summary), which are no part of the suggestion.
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


def read_sample(path: Path, options: ReadOptions, sample_rows: int) -> Sample:
    """Up to `sample_rows` data rows, each column's non-blank values cleaned; the first title row above the header.

    In a workbook whose sheets have different headers, only the main table's sheets are sampled: those sharing the
    header under which most rows were read."""
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
    title = next((skip.text for skip in reading.skipped if skip.reason == "title_row" and skip.text), None)
    return _main_table(sheets, reading.headers, title)


@dataclass
class _Sheets:
    """What was sampled, sheet by sheet: each column's cleaned values, the repeated columns, the rows read."""

    values: dict[str | None, dict[str, list[str]]] = field(default_factory=dict)
    repeated: dict[str | None, dict[str, Repeated]] = field(default_factory=dict)
    rows: Counter[str | None] = field(default_factory=Counter)


def _read_sheets(chunks: Iterable[Chunk], sample_rows: int) -> _Sheets:
    """Read chunks until `sample_rows` data rows were sampled, keeping each sheet's apart."""
    sheets = _Sheets()
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


def _main_table(sheets: _Sheets, read_headers: dict[str | None, list[str]], title: str | None) -> Sample:
    """The sample of the main table: the sheets sharing the header with the most rows sampled (ties: the wider,
    then the first); the other sheets' headers kept apart."""
    headers = {sheet: tuple(read_headers.get(sheet) or sheets.values[sheet]) for sheet in sheets.values}
    by_header: Counter[tuple[str, ...]] = Counter()
    for sheet, header in headers.items():
        by_header[header] += sheets.rows[sheet]
    main = max(by_header, key=lambda header: (by_header[header], len(header)))
    chosen = [sheet for sheet, header in headers.items() if header == main]
    columns: dict[str, list[str]] = {}
    copies: dict[str, Repeated] = {}
    for sheet in chosen:
        for name, values in sheets.values[sheet].items():
            columns.setdefault(name, []).extend(values)
        for first, item in sheets.repeated.get(sheet, {}).items():
            total = copies.setdefault(first, Repeated(item.copies))
            total.differ, total.rows = total.differ + item.differ, total.rows + item.rows
    others = {str(sheet): list(header) for sheet, header in headers.items() if header != main}
    named = [str(sheet) for sheet in chosen if sheet is not None] if others else []
    return Sample(columns, sum(sheets.rows[sheet] for sheet in chosen), title, named, others, copies)
