"""CSV (and TSV) exports in UTF-8, UTF-8 with BOM, GBK, GB18030 or UTF-16, streamed in chunks.

A file is refused before anything is read when its first bytes show it holds no table (see `sniff`). The
delimiter, unless the source names one, is the one whose header and records (a quoted cell may span lines) explain
the most of the first lines, among those people type: comma, tab, semicolon, `|`, and the full-width comma and
semicolon of a Chinese input method.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import polars as pl

from zhizhi.errors import InputError
from zhizhi.ingest.read.base import ERROR, LANGUAGES, ROW, Chunk, Reading, ReadOptions
from zhizhi.ingest.read.csv_fast import NotEncoded, fast_chunks, lines_end_in_cr
from zhizhi.ingest.read.encoding import check_encoding, detect_encoding
from zhizhi.ingest.read.headers import HEAD_ROWS, data_like
from zhizhi.ingest.read.rows import sheet_chunks
from zhizhi.ingest.read.sniff import first_line_is_no_header, no_table, refuse_unless_text

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # a clerk's 10 MB cell is data, not an attack on the reader
DELIMITERS = (",", "\t", ";", "|", "\uff0c", "\uff1b")  # the last two: ， and ； typed with a Chinese input method


class CsvReader:
    """Reads delimited text; the delimiter is sniffed from the first lines unless the source names it."""

    name = "csv"
    needs_file = True
    suffixes = (".csv", ".tsv", ".txt")

    def open(self, path: Path, options: ReadOptions) -> Reading:
        head = refuse_unless_text(path)
        encoding = check_encoding(options.encoding) if options.encoding else detect_encoding(path)
        text = head.decode(encoding, errors="replace")
        delimiter = options.delimiter or sniff_delimiter(text)
        looks = first_line_is_no_header(text, "".join(DELIMITERS))
        if looks is not None:
            raise no_table(path, looks)
        reading = Reading(path=path, encoding=encoding, chunks=iter(()))
        reading.chunks = self._chunks(path, encoding, delimiter, reading)
        return reading

    def _chunks(self, path: Path, encoding: str, delimiter: str, reading: Reading) -> Iterator[Chunk]:
        try:
            fast = fast_chunks(path, encoding, delimiter, reading)
        except NotEncoded as exc:
            raise _not_encoded(path, encoding, exc.row, exc.reason) from None
        cut = _cut_short(path, encoding, delimiter)
        if fast is not None:
            yield from _last_row_cut(cut, (_swallowed(chunk, delimiter) for chunk in fast), reading)
            return
        cr_only = lines_end_in_cr(path)  # else a carriage return alone is inside a cell, as polars reads it
        with path.open(encoding=encoding, errors="strict", newline="" if cr_only else "\n") as handle:
            lines = handle if cr_only else _cr_in_cells(handle)
            rows = self._rows(lines, delimiter, path, encoding, reading)
            yield from _last_row_cut(cut, (_swallowed(chunk, delimiter) for chunk in rows), reading)

    def _rows(
        self, handle: Iterable[str], delimiter: str, path: Path, encoding: str, reading: Reading
    ) -> Iterator[Chunk]:
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
            raise InputError(
                f"File `{path.name}` row {number + 1}: not readable as CSV ({exc}).",
                zh=f"文件 `{path.name}` 第 {number + 1} 行无法按 CSV 读取（{exc}），请检查该行的引号和分隔符。",
            ) from None


def _cr_in_cells(lines: Iterable[str]) -> Iterator[str]:
    """Lines ending in a line feed (or CR LF), a carriage return alone inside them made a space: the csv module would
    end the row there, and the rest of it become a row of its own (`文昌路2号\r东门`)."""
    for line in lines:
        end = "\r\n" if line.endswith("\r\n") else "\n" if line.endswith("\n") else ""
        body = line[: len(line) - len(end)]
        yield body.replace("\r", " ") + end if "\r" in body else line


def _cut_short(path: Path, encoding: str, delimiter: str) -> int | None:
    """The number of cells of the file's last line when the file ends in it with no line end: a file cut short
    (a download broken off, a copy stopped) ends in the middle of a row. None when the file ends with a line end."""
    with path.open("rb") as handle:
        start = handle.read(2)
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - 65_536) & ~1)  # even: a UTF-16 file's characters stay whole
        tail = handle.read()
    if encoding.lower().replace("_", "-") == "utf-16":  # the tail has no byte-order mark of its own
        encoding = "utf-16-be" if start == b"\xfe\xff" else "utf-16-le"
    text = tail.decode(encoding, errors="ignore").lstrip("\ufeff")
    if not text or text.endswith(("\n", "\r")):
        return None
    last = text.replace("\r", "\n").rsplit("\n", 1)[-1]
    if last.count('"') % 2:  # inside a quoted cell: the unclosed quote says so already
        return None
    return len(next(csv.reader([last], delimiter=delimiter), []))


def _last_row_cut(cells: int | None, chunks: Iterable[Chunk], reading: Reading) -> Iterator[Chunk]:
    """The chunks, the last one's last row marked malformed when the file ends in it with fewer cells than its
    header names: the missing cells were cut off, not left empty (a cut address would overwrite a whole one). A last
    line the reader skipped (a footer) is no row of data."""
    held: Chunk | None = None
    for chunk in chunks:
        if held is not None:
            yield held
        held = chunk
    if held is None:
        return
    names = [c for c in held.frame.columns if c not in (ROW, ERROR)]
    if cells is None or cells >= len(names) or not held.frame.height:
        yield held
        return
    last = held.frame[ROW].to_list()[-1]  # rows in file order
    if any(skip.row > last for skip in reading.skipped if skip.sheet is None):
        yield held
        return
    reason = (
        f"文件在这一行中间结束：只有 {cells} 个单元格（表头有 {len(names)} 个），且没有行尾；文件可能未完整导出或复制，"
        f"请重新导出{LANGUAGES}the file ends in the middle of this row: {cells} of the header's {len(names)} cells "
        "and no line end; the file was cut short: export it again"
    )
    frame = held.frame.with_columns(
        pl.when(pl.col(ROW) == last).then(pl.lit(reason)).otherwise(pl.col(ERROR)).alias(ERROR)
    )
    yield Chunk(held.sheet, frame)


def _swallowed(chunk: Chunk, delimiter: str) -> Chunk:
    """Mark the rows holding a cell that swallowed the rows below it: a quote opened and not closed at the end of
    its cell (`"柳州市某商行,韦小宝,...`) reads every line up to the next quote into that cell. A line break in a
    cell is common (an address on two lines); a line after it holding a row's worth of delimiters is not."""
    frame = chunk.frame
    cells = [c for c in frame.columns if c not in (ROW, ERROR)]
    need = max(2, len(cells) // 2)
    broken = frame.filter(pl.any_horizontal(pl.col(c).str.contains("\n", literal=True) for c in cells) if cells
                          else pl.lit(False))  # fmt: skip
    if not broken.height:
        return chunk
    errors: dict[int, str] = {}
    for row in broken.iter_rows(named=True):
        for column in cells:
            lines = (row[column] or "").split("\n")[1:]
            if any(line.count(delimiter) >= need for line in lines):
                errors[row[ROW]] = (
                    f"`{column}` 中的引号在下一行之前没有闭合：下面 {len(lines)} 行都被读进了这个单元格；"
                    f"请补上（或删去）引号后重新导出{LANGUAGES}a quote opened in `{column}` is not closed before the "
                    f"next row: {len(lines)} line(s) below were read into this cell; close the quote (or remove it) "
                    "and export again"
                )
                break
    if not errors:
        return chunk
    marked = pl.DataFrame({ROW: list(errors), "_swallowed": list(errors.values())}, schema={ROW: pl.Int64,
                          "_swallowed": pl.String})  # fmt: skip
    frame = frame.join(marked, on=ROW, how="left", maintain_order="left")
    frame = frame.with_columns(pl.coalesce(ERROR, "_swallowed").alias(ERROR)).drop("_swallowed")
    return Chunk(chunk.sheet, frame)


def _not_encoded(path: Path, encoding: str, row: int, reason: str) -> InputError:
    row = _first_bad_line(path, encoding) or row  # the readers decode in blocks: the line itself, found again
    return InputError(
        f"File `{path.name}` row {row}: bytes are not `{encoding}` ({reason}). "
        "Give the file's real encoding (e.g. gbk), or save it as UTF-8.",
        zh=f"文件 `{path.name}` 第 {row} 行不是 `{encoding}` 编码，请指定文件的实际编码（如 gbk）或另存为 UTF-8。",
    )


def _first_bad_line(path: Path, encoding: str) -> int | None:
    """The number of the first line whose bytes are not `encoding` (a line feed is never part of a GBK or UTF-8
    character, so each line decodes on its own; not so in UTF-16 or UTF-32); read only when a file was found wrong."""
    if "16" in encoding or "32" in encoding:
        return None
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode(encoding)
            except UnicodeDecodeError:
                return number
            except LookupError:
                return None
    return None


def sniff_delimiter(text: str) -> str:
    """The delimiter whose table explains the most cells of the first lines, read as the csv module reads them: its
    header's width times the lines making records of that width. A quoted cell spanning lines is part of one record,
    so a full-width comma on each line of a complaint's text does not outvote the header's commas; nor does a title
    row or a comma inside an address. A comma when no delimiter splits a header."""
    lines = _LINE.findall(text)[:HEAD_ROWS]
    best, best_cells = ",", 0
    for delimiter in DELIMITERS:
        cells = _explained(lines, delimiter)
        if cells > best_cells:
            best, best_cells = delimiter, cells
    return best


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def _explained(lines: list[str], delimiter: str) -> int:
    """The header's width times the number of `lines` that make records of that width (a title or notes padded to
    it count; 0 when no header is found). The header is the first record of two filled cells or more, most of them
    no data: not a sign-off line with its date, nor a line of a complaint's text split at its commas."""
    widths: list[tuple[int, int]] = []  # each record's width and the lines it spans
    width = read = 0
    records = csv.reader(lines, delimiter=delimiter)
    try:
        for cells in records:
            widths.append((len(cells), records.line_num - read))
            read = records.line_num
            filled = [cell for cell in cells if cell.strip()]
            if not width and len(filled) >= 2 and 2 * sum(1 for cell in filled if data_like(cell)) < len(filled):
                width = len(cells)
    except csv.Error:  # a NUL or a stray carriage return: what was read so far is the evidence
        pass
    return width * sum(spans for cells, spans in widths if cells == width)
