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
from zhizhi.codes.coverage import coverage_report, save_coverage
from zhizhi.codes.review import note_for_review
from zhizhi.codes.translate import build_translator
from zhizhi.delivery.outbox import Outbox
from zhizhi.errors import InputError
from zhizhi.ingest.ahead import ReadAhead
from zhizhi.ingest.bulk import lock_ingest
from zhizhi.ingest.kinds import Context
from zhizhi.ingest.mapping import record_columns
from zhizhi.ingest.produce import Job, Opened, produce
from zhizhi.ingest.read.base import ReadOptions
from zhizhi.ingest.read.registry import reader_for
from zhizhi.ingest.writer import BatchWriter
from zhizhi.sources.config import SourceConfig
from zhizhi.store.tables import Batch, CodeList, QuarantineItem, RawRow
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
    `zhizhi.delivery.outbox.Outbox`): one pending delivery each, in the same transaction.
    """
    require(actor, "data.write")
    lock_ingest(session)
    department = get_department_by_code(session, actor, source.department)
    reader = reader_for(path, source.reader)
    if reader.needs_file and not path.is_file():
        raise InputError(f"File `{path}` does not exist.", zh=f"文件 `{path}` 不存在。")
    digest = file_digest(path) if reader.needs_file else ""
    if reader.needs_file and not force:
        earlier = session.scalar(
            select(Batch).where(Batch.source == source.name, Batch.file_hash == digest).order_by(Batch.id.desc())
        )
        if earlier is not None:
            return IngestResult(earlier, already=True)
    day = today or local_today()
    context = build_context(session, source, day)
    options = ReadOptions(
        encoding=source.encoding,
        sheets=tuple(source.sheets),
        delimiter=source.delimiter,
        settings=dict(source.settings),
        watermark=None if reader.needs_file else _last_watermark(session, source.name),
    )
    job = Job(reader.name, path, options, source, context, record_columns(source.kind), reader.needs_file)
    written = _write(session, actor, job, department.id, digest, progress, outbox.owed_to(source))
    return IngestResult(_close(session, actor, job, written, digest))


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
    superseded = _supersede(session, batch) if job.needs_file else 0
    coverage = _code_coverage(session, actor, source, batch, job.context, written.translated)
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
) -> _Written:
    """Write the rows the read-ahead thread prepares, chunk after chunk, as they come."""
    started = utcnow()
    batch: Batch | None = None
    writer: BatchWriter | None = None
    watermark, written_as, left_out = None, {}, {}
    fetched = hashlib.sha256()
    translated: dict[str, list[pl.DataFrame]] = {name: [] for name in job.context.translators}
    for item in ReadAhead(lambda: produce(job)):
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


def _code_coverage(
    session: Session,
    actor: Actor,
    source: SourceConfig,
    batch: Batch,
    context: Context,
    translated: dict[str, list[pl.DataFrame]],
) -> dict[str, int]:
    """Keep the coverage of each code field (on the codes pages, named by source and file) and queue the codes
    that did not translate for a steward's decision; returns per field how many codes wait."""
    queued = {}
    for name, frames in translated.items():
        if not frames:
            continue
        results = pl.concat(frames)
        translator = context.translators[name]
        label = source.kind.field(name).label_zh
        subject = f"数据源 {source.name} · {label} · {batch.file_name}"
        save_coverage(session, actor, subject, coverage_report(translator, results))
        queued[name] = note_for_review(session, translator, results, seen_in=f"数据源 {source.name}（批次 {batch.id}）",
                                       origin=f"数据源 {source.name}")  # a source's next file replaces its count
    return queued


def _last_watermark(session: Session, source: str) -> str | None:
    return session.scalar(
        select(Batch.watermark)
        .where(Batch.source == source, Batch.watermark.is_not(None))
        .order_by(Batch.id.desc())
        .limit(1)
    )


def _supersede(session: Session, batch: Batch) -> int:
    """Close open quarantine items of earlier batches whose row (same file name, sheet and row) this batch read
    again: accepted now (the item points at the version it made), quarantined again (the new item replaces it), or
    skipped now with its reason (a sign-off line an earlier version of zhizhi took for data), so a file sent again
    never leaves the same row waiting twice."""
    old = (
        select(QuarantineItem, RawRow)
        .join(RawRow, RawRow.id == QuarantineItem.raw_row_id)
        .join(Batch, Batch.id == QuarantineItem.batch_id)
        .where(
            QuarantineItem.source == batch.source,
            QuarantineItem.status == "open",
            QuarantineItem.batch_id != batch.id,
            Batch.file_name == batch.file_name,
        )
    )
    items = session.execute(old).all()
    if not items:
        return 0
    again = {
        (sheet, row): version
        for sheet, row, version in session.execute(
            select(RawRow.sheet, RawRow.row_number, RawRow.record_version_id).where(
                RawRow.batch_id == batch.id, RawRow.status.in_(("accepted", "quarantined", "skipped"))
            )
        )
    }
    count = 0
    for item, raw in items:
        if (raw.sheet, raw.row_number) in again:
            item.status, item.record_version_id = "superseded", again[(raw.sheet, raw.row_number)]
            item.updated_at, item.updated_by = batch.finished_at, batch.created_by
            count += 1
    return count
