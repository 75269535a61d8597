"""What a batch settles as it closes: the quarantine items of earlier batches whose rows it read again, and the
coverage of its code fields, with the codes that did not translate queued for review."""

from __future__ import annotations

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.access import Actor
from zhizhi.codes.coverage import coverage_report, save_coverage
from zhizhi.codes.review import note_for_review
from zhizhi.ingest.kinds import Context
from zhizhi.sources.config import SourceConfig
from zhizhi.store.tables import Batch, QuarantineItem, RawRow


def settle_codes(
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


def settle_quarantine(session: Session, batch: Batch) -> int:
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
