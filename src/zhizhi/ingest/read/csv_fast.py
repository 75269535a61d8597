"""The fast way through a CSV file: polars parses it, and skipped rows are found column-wise.

Used for files small enough to hold in memory (the text and its frame) whose title and header rows hold no line
breaks. It gives exactly what the row-by-row path gives (the same header, row numbers, skips and cells); when polars
cannot say the same thing, for instance a row with more fields than the header, it declines and the row-by-row
path reads the file, marking that row. The tests compare both paths on the same tricky files.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import polars as pl

from zhizhi.ingest.read import base
from zhizhi.ingest.read.base import ERROR, ROW, TOTAL_MARKERS, Chunk, Reading, Skip
from zhizhi.ingest.read.headers import WINDOW, find_header

FAST_LIMIT = 256 * 1024 * 1024  # bytes of text: above this a file is streamed row by row


def fast_chunks(text: str, utf8: bytes, delimiter: str, reading: Reading) -> Iterator[Chunk] | None:
    """The file's chunks, or None when this path cannot read it exactly (the caller reads it row by row)."""
    window = list(_first_records(text, delimiter))
    found = find_header(None, window)
    if not found.names:
        return None
    preamble = window[: found.used]
    if any("\n" in cell or "\r" in cell for _, cells in preamble for cell in cells):
        return None  # polars skips lines, not records: a title with a line break would shift the rows
    width = len(found.names)
    try:
        data = pl.read_csv(
            io.BytesIO(utf8),
            has_header=False,
            skip_rows=found.used,
            separator=delimiter,
            schema={f"c{i}": pl.String for i in range(width)},
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:
        return None
    header_rows = [[c.strip() for c in window[found.used - 1][1]]]
    if any(s.reason == "header_row" for s in found.skipped) and found.used >= 2:
        header_rows.insert(0, [c.strip() for c in window[found.used - 2][1]])
    reading.headers[None] = found.names
    reading.skipped.extend(found.skipped)
    return _chunks(data.fill_null(""), found.used, found.names, header_rows, reading)


def _first_records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
        yield number, cells
        if number == WINDOW:
            return


def _chunks(
    data: pl.DataFrame, used: int, names: list[str], header_rows: list[list[str]], reading: Reading
) -> Iterator[Chunk]:
    columns = data.columns
    stripped = [pl.col(c).str.strip_chars() for c in columns]
    blank = pl.all_horizontal([s == "" for s in stripped])
    repeated = pl.any_horizontal(
        [
            pl.all_horizontal([stripped[i] == value for i, value in enumerate(row)])
            for row in header_rows
            if 0 < len(row) <= len(columns)
        ]
        or [pl.lit(False)]
    )
    first = pl.coalesce([pl.when(s != "").then(s) for s in stripped]).str.replace_all(" ", "").str.to_lowercase()
    total = pl.any_horizontal([first.str.starts_with(marker) for marker in TOTAL_MARKERS]).fill_null(False)
    reason = (
        pl.when(blank)
        .then(pl.lit("blank"))
        .when(repeated)
        .then(pl.lit("repeated_header"))
        .when(total)
        .then(pl.lit("total_row"))
    )
    marked = data.with_columns(
        pl.int_range(used + 1, used + 1 + data.height, dtype=pl.Int64).alias(ROW), reason.alias("_reason")
    )
    for row in marked.filter(pl.col("_reason").is_not_null()).iter_rows(named=True):
        text = " ".join(row[c] for c in columns if row[c])[:200]
        reading.skipped.append(Skip(None, row[ROW], row["_reason"], text))
    kept = marked.filter(pl.col("_reason").is_null()).select(
        ROW,
        pl.lit(None, dtype=pl.String).alias(ERROR),
        *(pl.col(c).alias(n) for c, n in zip(columns, names, strict=True)),
    )
    size = base.CHUNK_ROWS
    for start in range(0, kept.height, size):
        yield Chunk(None, kept.slice(start, size))
