"""The reading side of an ingest: open the file, read, map and encode chunk after chunk, with no database work.

It runs in a read-ahead thread beside the writer, which works on the previous chunk meanwhile. The first item says
how the file was opened, the last carries what the reader learnt at the end (a fetch's new watermark).

(Running it in a process of its own instead was measured: pickling the encoded chunks across and starting the
process cost more than the interpreter lock it would free, 30,400 against 37,100 rows/s on a 200,000-row file.)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from zhizhi.errors import InputError
from zhizhi.ingest.columns import check_columns, shares_a_column
from zhizhi.ingest.encode import Encoded, encode_chunk
from zhizhi.ingest.kinds import Context
from zhizhi.ingest.mapping import map_chunk
from zhizhi.ingest.read.base import ERROR, ROW, Chunk, Reading, ReadOptions, Skip
from zhizhi.ingest.read.registry import readers
from zhizhi.sources.config import SourceConfig


@dataclass(frozen=True)
class Job:
    """What the reading side needs: the reader, the file, how to read it, the source and its code translators."""

    reader: str
    path: Path
    options: ReadOptions
    source: SourceConfig
    context: Context
    columns: list[str]
    needs_file: bool


@dataclass(frozen=True)
class Opened:
    """How the file was opened: the name a person gives it (for a fetch, what was asked) and its encoding."""

    label: str
    encoding: str | None


@dataclass(frozen=True)
class Prepared:
    """A chunk read, mapped and encoded; the rows skipped since the previous one; for a fetching reader, the
    chunk as CSV text for the batch's hash. The last one has no chunk and carries the reader's watermark."""

    chunk: Encoded | None
    translations: dict[str, pl.DataFrame] = field(default_factory=dict)
    skips: list[Skip] = field(default_factory=list)
    fetched: str | None = None
    last: bool = False
    watermark: str | None = None
    # field -> the columns it was read from where the file writes them otherwise than the source (联系电话(手机))
    written_as: dict[str, list[str]] = field(default_factory=dict)
    left_out: dict[str, int] = field(default_factory=dict)  # sheets not read -> their filled rows (Reading.left_out)


def produce(job: Job) -> Iterator[Opened | Prepared]:
    """Open, then read and map chunk after chunk, each with the rows skipped before it."""
    reader = readers()[job.reader]
    fixed_header = getattr(reader, "fixed_header", True)
    reading = reader.open(job.path, job.options)
    yield Opened(reading.label, reading.encoding)
    sheets = _Sheets(job, reading, fixed_header)
    skips_taken = 0
    for chunk in _first_short(reading.chunks):
        source = sheets.source_for(chunk)
        skips, skips_taken = reading.skipped[skips_taken:], len(reading.skipped)
        if source is None:  # a sheet of notes or codes beside the data: its rows are skipped, each with its reason
            yield Prepared(None, skips=[*skips, *_other_table(chunk)])
            continue
        mapped = map_chunk(chunk.frame, source, job.context, chunk.numbers)
        text = None if job.needs_file else chunk.frame.write_csv()
        encoded = encode_chunk(chunk.frame, mapped, chunk.sheet, job.columns)
        yield Prepared(encoded, mapped.translations, skips, text)
    sheets.check_some_read()
    last = reading.skipped[skips_taken:]
    yield Prepared(None, skips=last, last=True, watermark=reading.watermark, written_as=sheets.written_as(),
                   left_out=dict(reading.left_out))  # fmt: skip


FIRST_ROWS = 5_000


def _first_short(chunks: Iterator[Chunk]) -> Iterator[Chunk]:
    """The chunks, the file's first one cut after FIRST_ROWS rows: the writer waits for the first chunk to be read
    and mapped, and for nothing after it, so a short first chunk starts it sooner."""
    first = next(chunks, None)
    if first is None:
        return
    if first.frame.height <= FIRST_ROWS:
        yield first
    else:
        for start, stop in ((0, FIRST_ROWS), (FIRST_ROWS, first.frame.height)):
            numbers = {c: [at - start for at in rows if start <= at < stop] for c, rows in first.numbers.items()}
            yield Chunk(first.sheet, first.frame.slice(start, stop - start), {c: r for c, r in numbers.items() if r})
    yield from chunks


class _Sheets:
    """The source as each sheet's header names its columns, checked at the sheet's first chunk.

    A workbook may hold, beside its data, a sheet of notes (填表说明) or of codes (代码表) sharing no column with the
    source: when the source names no sheets, such a sheet's rows are skipped as `other_table`, and the file is
    refused only when no sheet had the source's columns.
    """

    def __init__(self, job: Job, reading: Reading, fixed_header: bool) -> None:
        self.job, self.reading, self.fixed_header = job, reading, fixed_header
        self.resolved: dict[str | None, SourceConfig | None] = {}

    def source_for(self, chunk: Chunk) -> SourceConfig | None:
        """The source to map this chunk with; None for a sheet that is another table."""
        if not self.fixed_header:
            return self.job.source
        if chunk.sheet not in self.resolved:
            header = self.reading.headers.get(chunk.sheet, chunk.frame.columns)
            other = chunk.sheet is not None and not self.job.options.sheets
            if other and not shares_a_column(self.job.source, header):
                self.resolved[chunk.sheet] = None
            else:
                self.resolved[chunk.sheet] = check_columns(
                    self.job.source, header, self.reading.label, chunk.sheet, self.reading.appears
                )
        return self.resolved[chunk.sheet]

    def written_as(self) -> dict[str, list[str]]:
        """Per field, the columns it was read from where a sheet writes them otherwise than the source."""
        found: dict[str, list[str]] = {}
        for source in self.resolved.values():
            for name, mapping in (source.fields if source is not None else {}).items():
                column = mapping.column
                if column is not None and column != self.job.source.fields[name].column:
                    found.setdefault(name, [])
                    if column not in found[name]:
                        found[name].append(column)
        return found

    def check_some_read(self) -> None:
        """Once every row is read: check the headers of sheets that had no data row (a header-only export is a batch
        of 0 rows, but only with the source's columns), and refuse a file in which no header was found, or none of
        whose sheets had the source's columns (naming the first sheet's)."""
        if not self.fixed_header:
            return
        for sheet, header in self.reading.headers.items():
            if sheet not in self.resolved:
                self.source_for(Chunk(sheet, pl.DataFrame(schema=dict.fromkeys(header, pl.String))))
        if not self.reading.headers and self.job.needs_file:
            where, where_zh = _where(self.reading.label, list(self.job.options.sheets))
            hidden = sorted({str(s.sheet) for s in self.reading.skipped if s.reason == "hidden_sheet"})
            named = ", ".join(f"`{h}`" for h in hidden)
            raise InputError(
                f"{where} holds no table: no header row was found (it holds only blank or title rows"
                + (
                    f"; hidden sheet(s) {named} were not read: name them in the source's `sheets:` to read them"
                    if hidden
                    else ""
                )
                + "). Nothing was ingested. Export the data again with its header row.",
                zh=f"{where_zh}中没有表格：未找到表头行（只有空行或标题行"
                + (f"；隐藏的工作表 {named} 未读取，如需读取请在数据源的 sheets 中列出" if hidden else "")
                + "）。本次未导入任何数据，请连同表头重新导出。",
            )
        if self.resolved and all(source is None for source in self.resolved.values()):
            first = next(iter(self.resolved))
            header = self.reading.headers.get(first, [])
            check_columns(self.job.source, header, self.reading.label, first, self.reading.appears)


def _where(label: str, sheets: list[str]) -> tuple[str, str]:
    named = ", ".join(f"`{s}`" for s in sheets)
    if sheets:
        return f"File `{label}` (sheet(s) {named})", f"文件 `{label}`（工作表 {named}）"
    return f"File `{label}`", f"文件 `{label}` "


def _other_table(chunk: Chunk) -> list[Skip]:
    cells = [c for c in chunk.frame.columns if c not in (ROW, ERROR)]
    return [
        Skip(chunk.sheet, row[ROW], "other_table", " ".join(row[c] for c in cells if row[c])[:200])
        for row in chunk.frame.iter_rows(named=True)
    ]
