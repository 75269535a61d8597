"""Ingest one file for one source: read, map, clean, check, store; all of it or nothing.

The whole file is one transaction: the batch row, every raw row, every record version and quarantine item.
If anything fails half-way (a corrupt sheet, a missing column, a crash) the caller's rollback leaves nothing.
An identical file (same bytes) already ingested for the source changes nothing; a changed one makes new
versions of the records whose content changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi import ledger
from zhizhi.access import Actor, audit
from zhizhi.access.departments import get_department_by_code
from zhizhi.access.roles import require
from zhizhi.codes.translate import build_translator
from zhizhi.delivery.outbox import Outbox
from zhizhi.errors import InputError
from zhizhi.ingest.ahead import ReadAhead
from zhizhi.ingest.bulk import lock_ingest
from zhizhi.ingest.kinds import Context
from zhizhi.ingest.mapping import record_columns
from zhizhi.ingest.produce import Job, Opened, Prepared, produce
from zhizhi.ingest.read.base import ReadOptions
from zhizhi.ingest.read.registry import reader_for
from zhizhi.ingest.settle import settle_codes, settle_quarantine
from zhizhi.ingest.writer import BatchWriter
from zhizhi.sources.config import SourceConfig
from zhizhi.store.tables import Batch, CodeList
from zhizhi.store.types import local_today, utcnow

Progress = Callable[[int], None]
"""Called after each chunk with the number of rows read so far."""


@dataclass(frozen=True)
class IngestResult:
    """The batch written, or (`already`) the earlier batch of the very same file, when nothing was written."""

    batch: Batch
    already: bool = False

    @property
    def report(self) -> dict[str, object]:
        loaded: dict[str, object] = json.loads(self.batch.report)
        return loaded


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_context(session: Session, source: SourceConfig, today: date) -> Context:
    """The defaults and code translators the source's fields need, and their code lists' titles."""
    translators = {}
    for name, mapping in source.fields.items():
        spec = source.kind.field(name)
        if spec.kind == "code":
            assert spec.code_list is not None
            from_list = mapping.code_list or spec.code_list
            translators[name] = build_translator(session, from_list, spec.code_list, as_of=today)
    lists = {name for t in translators.values() for name in (t.from_list, t.to_list)}
    titles = {n: t for n, t in session.execute(select(CodeList.name, CodeList.title).where(CodeList.name.in_(lists)))}
    return Context(today, source.default_prefecture, source.default_area_code, translators, titles)


def ingest_file(
    session: Session,
    actor: Actor,
    source: SourceConfig,
    path: Path,
    *,
    today: date | None = None,
    force: bool = False,
    progress: Progress | None = None,
    outbox: Outbox,
) -> IngestResult:
    """Ingest `path` for `source` in the caller's transaction (for fetching readers, `path` is the source file).

    Every new record version is owed to each target that takes the source's records (the `outbox`, required: see
    `zhizhi.delivery.outbox.Outbox`): one pending delivery each, in the same transaction. Several files one after
    another go faster through an `IngestRun`.
    """
    with IngestRun(actor, outbox=outbox, force=force) as run:
        return run.ingest(session, FileToIngest(source, path, today), progress=progress)


@dataclass(frozen=True)
class FileToIngest:
    """A file and the source it is for; `today`: the day its checks run as (default: today in China)."""

    source: SourceConfig
    path: Path
    today: date | None = None


@dataclass
class _Reading:
    """A file's reading: its job, its digest, and the background thread that reads, maps and encodes it."""

    file: FileToIngest
    job: Job
    digest: str
    chunks: ReadAhead[Opened | Prepared]


class IngestRun:
    """Files ingested one after another, each in its caller's transaction, by one actor into one outbox.

    Told which file comes next (`then`), a file's ingest prepares that file's reading in its own transaction (what
    the reading needs from the store: the file's digest checked against earlier batches, the code translators) and
    starts it as soon as its own reading is done: the next file is read, mapped and encoded while the current one's
    last chunks are written and its transaction commits, so that neither side waits at a file's boundary. A run
    holds at most one reading ahead; `close` (or leaving the `with`) stops it. A fetching source (sql, http) is not
    read ahead: where it starts depends on the batch before.
    """

    def __init__(self, actor: Actor, *, outbox: Outbox, force: bool = False) -> None:
        self.actor, self.outbox, self.force = actor, outbox, force
        self._ahead: _Reading | None = None

    def __enter__(self) -> IngestRun:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the reading ahead of a file that was not ingested."""
        if self._ahead is not None:
            self._ahead.chunks.close()
            self._ahead = None

    def ingest(
        self,
        session: Session,
        file: FileToIngest,
        *,
        progress: Progress | None = None,
        then: FileToIngest | None = None,
    ) -> IngestResult:
        """Ingest `file` in the caller's transaction (see `ingest_file`); `then`: the file the run ingests next."""
        require(self.actor, "data.write")
        lock_ingest(session)
        department = get_department_by_code(session, self.actor, file.source.department)
        reading, self._ahead = self._ahead, None
        if reading is not None and reading.file != file:
            reading.chunks.close()
            reading = None
        if reading is None:
            job, digest = self._job(session, file)
            reading = _Reading(file, job, digest, ReadAhead(lambda: produce(job), start=False))
        job, digest = reading.job, reading.digest
        if job.needs_file and not self.force:
            earlier = session.scalar(
                select(Batch)
                .where(Batch.source == file.source.name, Batch.file_hash == digest)
                .order_by(Batch.id.desc())
            )
            if earlier is not None:
                reading.chunks.close()
                self._read_next(session, then, after=None)
                return IngestResult(earlier, already=True)
        self._read_next(session, then, after=reading)
        try:
            targets = self.outbox.owed_to(file.source)
            written = _write(session, self.actor, job, department.id, digest, progress, targets, reading.chunks)
        finally:
            reading.chunks.close()  # read to its end, or stopped where the writing failed
        return IngestResult(_close(session, self.actor, job, written, digest))

    def _job(self, session: Session, file: FileToIngest) -> tuple[Job, str]:
        """What reading `file` needs, and its digest (empty for a fetching source)."""
        source, path = file.source, file.path
        if path.is_dir():  # before the reader, which would name the folder's missing suffix
            raise InputError(
                f"`{path}` is a folder, not a file: name the files in it (`{path}/*.xlsx`).",
                zh=f"`{path}` 是文件夹，不是文件：请写出其中的文件（如 `{path}/*.xlsx`）。",
            )
        reader = reader_for(path, source.reader)
        if reader.needs_file and not path.is_file():
            raise InputError(f"File `{path}` does not exist.", zh=f"文件 `{path}` 不存在。")
        digest = file_digest(path) if reader.needs_file else ""
        context = build_context(session, source, file.today or local_today())
        options = ReadOptions(
            encoding=source.encoding,
            sheets=tuple(source.sheets),
            delimiter=source.delimiter,
            settings=dict(source.settings),
            watermark=None if reader.needs_file else _last_watermark(session, source.name),
        )
        return Job(reader.name, path, options, source, context, record_columns(source.kind), reader.needs_file), digest

    def _read_next(self, session: Session, then: FileToIngest | None, after: _Reading | None) -> None:
        """Prepare the reading of the file that comes next, started once `after` (the current reading) is done.
        A file that cannot be prepared (missing, of no known kind) is not read ahead: its own ingest says why; nor
        is one that will not be read (the same bytes as a batch of its source, or as the current file)."""
        if then is None:
            return
        try:
            job, digest = self._job(session, then)
        except Exception:  # noqa: BLE001 - said when that file's turn comes, not as this file's failure
            return
        if not job.needs_file:
            return
        if not self.force:
            same = after is not None and (after.digest, after.file.source.name) == (digest, then.source.name)
            earlier = select(Batch.id).where(Batch.source == then.source.name, Batch.file_hash == digest).limit(1)
            if same or session.scalar(earlier) is not None:
                return
        chunks: ReadAhead[Opened | Prepared] = ReadAhead(lambda: produce(job), AHEAD_NEXT, start=False)
        self._ahead = _Reading(then, job, digest, chunks)
        if after is None:
            chunks.start()
        else:
            after.chunks.then(chunks.start)


AHEAD_NEXT = 4  # chunks the next file's reading may prepare before the current file is committed


def _close(session: Session, actor: Actor, job: Job, written: _Written, digest: str) -> Batch:
    """Set the batch's counts and report, settle earlier quarantine and code coverage, audit and enter it."""
    source, batch, tally = job.source, written.batch, written.writer.tally
    batch.rows_read, batch.rows_accepted = tally.read, tally.accepted
    batch.rows_quarantined, batch.rows_skipped = tally.quarantined, tally.skipped
    batch.records_new, batch.records_changed, batch.records_unchanged = tally.new, tally.changed, tally.unchanged
    batch.watermark = written.watermark
    if not job.needs_file:
        batch.file_hash = written.fetched.hexdigest()
    report = tally.report(source)
    for item in report["fields"]:  # the columns as the file wrote them, so that its raw rows are masked by field
        if item["field"] in written.written_as:
            item["columns_as_written"] = written.written_as[item["field"]]
    report["sheets_left_out"] = [{"sheet": sheet, "rows": rows} for sheet, rows in written.left_out.items()]
    batch.report = json.dumps(report, ensure_ascii=False)
    batch.finished_at = utcnow()
    # A file sent again holds the same rows at the same places; a fetch's row numbers are only places in its answer.
    superseded = settle_quarantine(session, batch) if job.needs_file else 0
    coverage = settle_codes(session, actor, source, batch, job.context, written.translated)
    facts = {"source": source.name, "file": batch.file_name, "rows": report["rows"], "records": report["records"]}
    audit.record(
        session,
        actor,
        "ingest.batch",
        object_type="batch",
        object_id=batch.id,
        detail=facts | {"file_hash": digest, "quarantine_superseded": superseded, "codes_queued_for_review": coverage},
    )
    entry = facts | {"department": source.department, "file_hash": batch.file_hash}
    ledger.append(session, "batch.ingested", "batch", batch.id, entry)
    session.flush()
    return batch


@dataclass
class _Written:
    """What writing a file's rows left: the batch and its writer's tally, and what the reading side reported."""

    batch: Batch
    writer: BatchWriter
    watermark: str | None
    fetched: Any  # the running SHA-256 of a fetch's rows
    translated: dict[str, list[pl.DataFrame]]
    written_as: dict[str, list[str]]
    left_out: dict[str, int]


def _write(
    session: Session,
    actor: Actor,
    job: Job,
    department_id: int,
    digest: str,
    progress: Progress | None,
    targets: Sequence[str],
    chunks: ReadAhead[Opened | Prepared],
) -> _Written:
    """Write the rows the read-ahead thread prepares, chunk after chunk, as they come."""
    started = utcnow()
    batch: Batch | None = None
    writer: BatchWriter | None = None
    watermark, written_as, left_out = None, {}, {}
    fetched = hashlib.sha256()
    translated: dict[str, list[pl.DataFrame]] = {name: [] for name in job.context.translators}
    for item in chunks:
        if isinstance(item, Opened):
            batch = _new_batch(session, actor, job, department_id, item, digest, started)
            writer = BatchWriter(session, batch.id, job.source.name, job.source.record_type, started, targets)
            continue
        assert batch is not None and writer is not None
        writer.write_skips(item.skips)
        if item.chunk is not None:
            writer.write_chunk(item.chunk)
        for name, frame in item.translations.items():
            translated[name].append(frame)
        if item.fetched is not None:
            fetched.update(item.fetched.encode("utf-8"))
        if item.last:
            watermark, written_as, left_out = item.watermark, item.written_as, item.left_out
        if progress is not None:
            progress(writer.tally.read)
    assert batch is not None and writer is not None
    return _Written(batch, writer, watermark, fetched, translated, written_as, left_out)


def _new_batch(
    session: Session, actor: Actor, job: Job, department_id: int, opened: Opened, digest: str, started: datetime
) -> Batch:
    """The batch row, written first with no rows (its counts are set once every row is stored)."""
    batch = Batch(
        source=job.source.name,
        record_type=job.source.record_type,
        department_id=department_id,
        file_name=opened.label[:300],
        file_hash=digest,
        file_size=job.path.stat().st_size if job.needs_file else None,
        reader=job.reader,
        encoding=opened.encoding,
        rows_read=0,
        rows_accepted=0,
        rows_quarantined=0,
        rows_skipped=0,
        records_new=0,
        records_changed=0,
        records_unchanged=0,
        report="{}",
        started_at=started,
        finished_at=started,
        created_by=actor.name,
    )
    session.add(batch)
    session.flush()
    return batch


def _last_watermark(session: Session, source: str) -> str | None:
    return session.scalar(
        select(Batch.watermark)
        .where(Batch.source == source, Batch.watermark.is_not(None))
        .order_by(Batch.id.desc())
        .limit(1)
    )
