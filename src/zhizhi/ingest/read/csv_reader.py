"""CSV (and TSV) exports in UTF-8, UTF-8 with BOM, GBK or GB18030, streamed in chunks."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from zhizhi.errors import InputError
from zhizhi.ingest.read.base import Chunk, Reading, ReadOptions
from zhizhi.ingest.read.csv_fast import NotEncoded, fast_chunks
from zhizhi.ingest.read.encoding import check_encoding, detect_encoding
from zhizhi.ingest.read.rows import sheet_chunks

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # a clerk's 10 MB cell is data, not an attack on the reader


class CsvReader:
    """Reads delimited text; the delimiter is sniffed from the first line unless the source names it."""

    name = "csv"
    needs_file = True
    suffixes = (".csv", ".tsv", ".txt")

    def open(self, path: Path, options: ReadOptions) -> Reading:
        encoding = check_encoding(options.encoding) if options.encoding else detect_encoding(path)
        reading = Reading(path=path, encoding=encoding, chunks=iter(()))
        reading.chunks = self._chunks(path, encoding, options, reading)
        return reading

    def _chunks(self, path: Path, encoding: str, options: ReadOptions, reading: Reading) -> Iterator[Chunk]:
        with path.open(encoding=encoding, errors="replace", newline="") as handle:
            delimiter = options.delimiter or _sniff(handle.readline())
        try:
            fast = fast_chunks(path, encoding, delimiter, reading)
        except NotEncoded as exc:
            raise _not_encoded(path, encoding, exc.row, exc.reason) from None
        if fast is not None:
            yield from fast
            return
        with path.open(encoding=encoding, errors="strict", newline="") as handle:
            yield from self._rows(handle, delimiter, path, encoding, reading)

    def _rows(self, handle: TextIO, delimiter: str, path: Path, encoding: str, reading: Reading) -> Iterator[Chunk]:
        """Row by row, for large files and for those the fast path declines."""
        number = 0
        try:
            records = csv.reader(handle, delimiter=delimiter)

            def numbered() -> Iterator[tuple[int, list[str]]]:
                nonlocal number
                for cells in records:
                    number += 1
                    yield number, cells

            yield from sheet_chunks(None, numbered(), reading.headers, reading.skipped)
        except UnicodeDecodeError as exc:
            raise _not_encoded(path, encoding, number + 1, exc.reason) from None
        except csv.Error as exc:
            raise InputError(f"File `{path.name}` row {number + 1}: not readable as CSV ({exc}).") from None


def _not_encoded(path: Path, encoding: str, row: int, reason: str) -> InputError:
    return InputError(
        f"File `{path.name}` row {row}: bytes are not `{encoding}` ({reason}). "
        "Give the file's real encoding (e.g. gbk), or save it as UTF-8.",
        zh=f"文件 `{path.name}` 第 {row} 行不是 `{encoding}` 编码，请指定文件的实际编码（如 gbk）或另存为 UTF-8。",
    )


def _sniff(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","
