"""What a batch settles as it closes: the quarantine items of earlier batches whose rows it read again, and the
coverage of its code fields, with the codes that did not translate queued for review."""

from __future__ import annotations

import json

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
    """Close open quarantine items of earlier batches whose row this batch read again (same file name): accepted now
    (the item points at the version it made), quarantined again (the new item replaces it), or skipped now with its
    reason (a row emptied, a sign-off line an earlier version of zhizhi took for data), so a file sent again never
    leaves the same row waiting twice.

    The row read again is the one at the same sheet and row number when it holds the same row (most of the cells the
    item's row filled, a corrected value or two apart); else the row of the batch that does (a corrected export with
    a row taken out above). A file that only shares the name (next month's 导出数据.xlsx, other firms at those places)
    closes nothing: the item waits until its own row comes, or a steward replays it."""
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
    unmatched = []
    count = 0
    at_places = _at_places(session, batch, {raw.row_number for _, raw in items})
    for item, raw in items:
        new = at_places.get((raw.sheet, raw.row_number))
        if new is None or not _same_row(_cells(raw), new) or (_emptied(new) and not _in_place(session, raw, new)):
            unmatched.append((item, raw))
            continue
        _supersede(item, batch, new.record_version_id)
        count += 1
    for item, version in _elsewhere(session, batch, unmatched):
        _supersede(item, batch, version)
        count += 1
    return count


_SETTLED = ("accepted", "quarantined", "skipped")
_COMMON = 32  # a value more items' rows hold than this (电梯, 食品销售经营者) says nothing about which row is which


def _supersede(item: QuarantineItem, batch: Batch, version: int | None) -> None:
    item.status, item.record_version_id = "superseded", version
    item.updated_at, item.updated_by = batch.finished_at, batch.created_by


def _cells(raw: RawRow) -> dict[str, str]:
    """The cells a raw row filled, stripped."""
    data = json.loads(raw.data or "{}")
    return {column: str(value).strip() for column, value in data.items() if value is not None and str(value).strip()}


def _agreeing(old: dict[str, str], cells: dict[str, str]) -> int:
    return sum(1 for column, value in old.items() if cells.get(column) == value)


def _same_row(old: dict[str, str], new: RawRow) -> bool:
    """Whether `new` holds the row `old` was: more than half of the cells old filled hold the same value in new (a
    skipped row: blank, or the same cells read as a note)."""
    if new.status == "skipped":
        text = str(json.loads(new.data or "{}").get("text", "")).strip()
        return new.reason == "blank" or (bool(old) and text == " ".join(old.values())[:200].strip())
    return 2 * _agreeing(old, _cells(new)) > len(old)


def _emptied(new: RawRow) -> bool:
    return new.status == "skipped" and new.reason == "blank"


def _in_place(session: Session, raw: RawRow, blank: RawRow) -> bool:
    """Whether a blank row stands where `raw` was because the department emptied that row in the same file: a row
    next to it holds the row that stood next to `raw` (a blank line at that place in another month's export with the
    same name says nothing about `raw`)."""
    around = (raw.row_number - 1, raw.row_number + 1)
    rows = select(RawRow).where(
        RawRow.sheet.is_(None) if raw.sheet is None else RawRow.sheet == raw.sheet,
        RawRow.row_number.in_(around),
        RawRow.status.in_(("accepted", "quarantined")),
    )
    before = {r.row_number: _cells(r) for r in session.scalars(rows.where(RawRow.batch_id == raw.batch_id))}
    now = session.scalars(rows.where(RawRow.batch_id == blank.batch_id))
    return any(r.row_number in before and _same_row(before[r.row_number], r) for r in now)


def _at_places(session: Session, batch: Batch, numbers: set[int]) -> dict[tuple[str | None, int], RawRow]:
    """The batch's rows at these row numbers, by sheet and row number (a thousand numbers a query)."""
    found: dict[tuple[str | None, int], RawRow] = {}
    ordered = sorted(numbers)
    for start in range(0, len(ordered), 1000):
        rows = select(RawRow).where(
            RawRow.batch_id == batch.id,
            RawRow.row_number.in_(ordered[start : start + 1000]),
            RawRow.status.in_(_SETTLED),
        )
        for new in session.scalars(rows):
            found.setdefault((new.sheet, new.row_number), new)
    return found


def _elsewhere(
    session: Session, batch: Batch, unmatched: list[tuple[QuarantineItem, RawRow]]
) -> list[tuple[QuarantineItem, int | None]]:
    """For items whose place holds another row, the batch's data row holding theirs: the one agreeing in the most of
    their telling cells (a value at most `_COMMON` of them hold), more than half of them; one pass over the batch."""
    if not unmatched:
        return []
    olds = [_cells(raw) for _, raw in unmatched]
    postings: dict[tuple[str, str], list[int]] = {}
    for index, old in enumerate(olds):
        for cell in old.items():
            postings.setdefault(cell, []).append(index)
    telling = {cell: found for cell, found in postings.items() if len(found) <= _COMMON}
    needed = [sum(1 for cell in old.items() if cell in telling) for old in olds]
    best: dict[int, tuple[int, int | None]] = {}
    rows = select(RawRow).where(RawRow.batch_id == batch.id, RawRow.status.in_(("accepted", "quarantined")))
    for new in session.scalars(rows.execution_options(yield_per=2000)):
        counts: dict[int, int] = {}
        for cell in _cells(new).items():
            for index in telling.get(cell, ()):
                counts[index] = counts.get(index, 0) + 1
        for index, agreeing in counts.items():
            if 2 * agreeing > needed[index] and agreeing > best.get(index, (0, None))[0]:
                best[index] = (agreeing, new.record_version_id)
    return [(unmatched[index][0], version) for index, (_, version) in sorted(best.items())]
