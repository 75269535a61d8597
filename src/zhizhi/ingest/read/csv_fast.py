"""The fast way through a CSV file: polars parses it in batches, and skipped rows are found column-wise.

It gives exactly what the row-by-row path gives (the same header, row numbers, skips and cells) and keeps memory
flat: a file that is not UTF-8 is first re-encoded into a temporary UTF-8 file, and polars streams batches from
it. It declines (the row-by-row path then reads the file) when the delimiter is not one byte (a full-width comma),
when its title and header rows hold line breaks (polars
skips lines, not records) or a row has more fields than the header, which a first streaming pass over the whole
file finds before any row is handed on. The tests compare both paths on the same tricky files.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from zhizhi.ingest.read import base
from zhizhi.ingest.read.base import ERROR, ROW, TOTAL_MARKERS, Chunk, Reading, Skip, header_cell
from zhizhi.ingest.read.headers import WINDOW, find_header

UTF8 = ("utf-8", "utf_8", "utf-8-sig", "utf_8_sig")
BLOCK = 1 << 22  # characters re-encoded at a time


class NotEncoded(ValueError):
    """The file's bytes are not its encoding: `row` is the line where that was found."""

    def __init__(self, row: int, reason: str) -> None:
        super().__init__(reason)
        self.row, self.reason = row, reason


def fast_chunks(path: Path, encoding: str, delimiter: str, reading: Reading) -> Iterator[Chunk] | None:
    """The file's chunks, or None when this path cannot read it exactly (the caller reads it row by row).

    Raises NotEncoded when the bytes are not `encoding`.
    """
    if len(delimiter.encode("utf-8")) != 1:
        return None  # polars splits on one byte; a full-width comma is three
    window = _first_records(path, encoding, delimiter)
    found = find_header(None, window)
    if not found.names:
        return None
    if any("\n" in cell or "\r" in cell for _, cells in window[: found.used] for cell in cells):
        return None  # polars skips lines, not records: a title with a line break would shift the rows
    folder = None
    source = path
    if encoding not in UTF8:
        folder = Path(tempfile.mkdtemp(prefix="zhizhi-csv-"))
        source = folder / "utf8.csv"
        try:
            _reencode(path, encoding, source)
        except NotEncoded:
            shutil.rmtree(folder, ignore_errors=True)
            raise
    frame = pl.scan_csv(
        source,
        has_header=False,
        skip_rows=found.used,
        separator=delimiter,
        schema={f"c{i}": pl.String for i in range(len(found.names))},
        raise_if_empty=False,
    )
    try:
        frame.select(pl.all().null_count()).collect(engine="streaming")  # every field parsed, nothing kept
    except pl.exceptions.PolarsError:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        return None
    header_rows = [[header_cell(c) for c in window[found.used - 1][1]]]
    if any(s.reason == "header_row" for s in found.skipped) and found.used >= 2:
        header_rows.insert(0, [header_cell(c) for c in window[found.used - 2][1]])
    reading.headers[None] = found.names
    reading.skipped.extend(found.skipped)
    return _chunks(frame, found.used, found.names, header_rows, reading, folder)


def _first_records(path: Path, encoding: str, delimiter: str) -> list[tuple[int, list[str]]]:
    records = []
    try:
        with path.open(encoding=encoding, errors="strict", newline="") as handle:
            for number, cells in enumerate(csv.reader(handle, delimiter=delimiter), start=1):
                records.append((number, cells))
                if number == WINDOW:
                    break
    except UnicodeDecodeError as exc:
        raise NotEncoded(len(records) + 1, exc.reason) from None
    return records


def _reencode(path: Path, encoding: str, target: Path) -> None:
    lines = 0
    with path.open(encoding=encoding, errors="strict", newline="") as source, target.open("w", encoding="utf-8") as out:
        while True:
            try:
                block = source.read(BLOCK)
            except UnicodeDecodeError as exc:
                raise NotEncoded(lines + 1, exc.reason) from None
            if not block:
                return
            out.write(block)
            lines += block.count("\n")


def _reasons(columns: list[str], header_rows: list[list[str]]) -> pl.Expr:
    stripped = [pl.col(c).str.strip_chars() for c in columns]
    stripped[0] = stripped[0].str.strip_chars_start("\ufeff")  # a file pasted after another keeps its BOM
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
    return (
        pl.when(blank)
        .then(pl.lit("blank"))
        .when(repeated)
        .then(pl.lit("repeated_header"))
        .when(total)
        .then(pl.lit("total_row"))
    )


def _chunks(
    frame: pl.LazyFrame,
    used: int,
    names: list[str],
    header_rows: list[list[str]],
    reading: Reading,
    folder: Path | None,
) -> Iterator[Chunk]:
    columns = [f"c{i}" for i in range(len(names))]
    reason = _reasons(columns, header_rows)
    renamed = [pl.col(c).alias(n) for c, n in zip(columns, names, strict=True)]
    offset = used + 1
    try:
        for batch in frame.collect_batches(chunk_size=base.CHUNK_ROWS):
            marked = batch.fill_null("").with_columns(
                pl.int_range(offset, offset + batch.height, dtype=pl.Int64).alias(ROW), reason.alias("_reason")
            )
            offset += batch.height
            for row in marked.filter(pl.col("_reason").is_not_null()).iter_rows(named=True):
                text = " ".join(row[c] for c in columns if row[c])[:200]
                reading.skipped.append(Skip(None, row[ROW], row["_reason"], text))
            kept = marked.filter(pl.col("_reason").is_null())
            if kept.height:
                yield Chunk(None, kept.select(ROW, pl.lit(None, dtype=pl.String).alias(ERROR), *renamed))
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
