"""Quarantine: rows held back by hard findings, listed and filtered, fixed in place, and replayed.

A fix never edits the raw row (it is kept as read): it is stored on the item as column -> new value and laid
over the row when it is replayed. Replay runs the row through the source's current mapping and checks, so a
corrected source file (a missing `map`, a code list) also lets rows through. Every fix and replay is audited.
A corrected file ingested again closes the items of the rows it now accepts (status `superseded`); so does a replay
of a row whose record a later file has brought since (an old row never overwrites a newer version).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.access import audit
from zhizhi.access.departments import within_scope
from zhizhi.access.roles import Actor, require
from zhizhi.delivery.outbox import Outbox
from zhizhi.errors import ConflictError, InputError, NotFoundError
from zhizhi.ingest.batches import source_mapping
from zhizhi.ingest.bulk import Ids, lock_ingest
from zhizhi.ingest.columns import as_written, check_columns, resolve_column
from zhizhi.ingest.encode import encode_chunk
from zhizhi.ingest.mapping import HARD, map_chunk, record_columns
from zhizhi.ingest.pipeline import build_context
from zhizhi.ingest.read.base import ERROR, ROW
from zhizhi.ingest.report import Tally
from zhizhi.ingest.versions import Versions
from zhizhi.privacy.catalogue import FREE_TEXT, NOT_PERSONAL, classify_columns
from zhizhi.privacy.detect import mask_text
from zhizhi.privacy.masking import disclose, mask_example, mask_row
from zhizhi.sources.config import SourceConfig
from zhizhi.store.tables import Batch, QuarantineItem, RawRow, Record, RecordVersion
from zhizhi.store.types import iso_utc, local_today, utcnow

STATUSES = ("open", "replayed", "superseded")
MAX_FIX_LENGTH = 2_000
SourceLoader = Callable[[str], SourceConfig]


def _items(actor: Actor) -> Any:
    return (
        select(QuarantineItem, RawRow, Batch)
        .join(RawRow, RawRow.id == QuarantineItem.raw_row_id)
        .join(Batch, Batch.id == QuarantineItem.batch_id)
        .where(within_scope(actor, Batch.department_id))
    )


def list_items(
    session: Session,
    actor: Actor,
    *,
    source: str | None = None,
    batch_id: int | None = None,
    reason: str | None = None,
    status: str | None = "open",
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Items in file order, filtered by source, batch, reason code and status (None: every status)."""
    require(actor, "data.read")
    if status is not None and status not in STATUSES:
        raise InputError(
            f"Unknown status `{status}`; use one of {', '.join(STATUSES)}.",
            zh=f"未知状态 `{status}`，请使用以下之一：{'、'.join(STATUSES)}。",
        )
    query = _items(actor)
    if source:
        query = query.where(QuarantineItem.source == source)
    if batch_id is not None:
        query = query.where(QuarantineItem.batch_id == batch_id)
    if reason:
        query = query.where(QuarantineItem.reasons.contains(f" {reason.strip()} "))
    if status:
        query = query.where(QuarantineItem.status == status)
    query = query.order_by(QuarantineItem.batch_id, RawRow.sheet, RawRow.row_number).limit(limit).offset(offset)
    return [item_as_dict(*row) for row in session.execute(query)]


def count_items(session: Session, actor: Actor, *, status: str = "open") -> dict[str, int]:
    """Items of each reason code with the given status, most frequent first."""
    require(actor, "data.read")
    counts: dict[str, int] = defaultdict(int)
    query = (
        select(QuarantineItem.reasons)
        .join(Batch, Batch.id == QuarantineItem.batch_id)
        .where(QuarantineItem.status == status, within_scope(actor, Batch.department_id))
    )
    for reasons in session.scalars(query):
        for code in reasons.split():
            counts[code] += 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def get_item(
    session: Session, actor: Actor, item_id: int, *, purpose: str | None = None, per_hour: int = 200
) -> dict[str, Any]:
    """One item in the actor's scope; personal cells masked unless a `purpose` is declared (audited)."""
    require(actor, "data.read")
    loaded = _load(session, actor, item_id)
    if purpose is not None:
        ids = [f"quarantine_item:{item_id}"]
        disclose(
            session, actor, purpose=purpose, object_type="quarantine_item", object_ids=ids, fields=[], per_hour=per_hour
        )
    return item_as_dict(*loaded, unmasked=purpose is not None)


def _load(session: Session, actor: Actor, item_id: int) -> tuple[QuarantineItem, RawRow, Batch]:
    row = session.execute(_items(actor).where(QuarantineItem.id == item_id)).first()
    if row is None:
        raise NotFoundError(
            f"No quarantine item {item_id} in your scope. See `zhizhi quarantine list`.", zh=f"没有隔离记录 {item_id}。"
        )
    return row


def item_as_dict(item: QuarantineItem, raw: RawRow, batch: Batch, *, unmasked: bool = False) -> dict[str, Any]:
    """An item named as a person finds the row: source, file, sheet and row number (1-based, header counted).

    Personal cells (and values in the findings) are masked unless `unmasked`.
    """
    cells, fixes = json.loads(raw.data), json.loads(item.fixes) if item.fixes else {}
    findings = json.loads(item.findings)
    if not unmasked:
        mapping = source_mapping(batch)
        cells, fixes = mask_row(batch.record_type, mapping, cells), mask_row(batch.record_type, mapping, fixes)
        findings = [mask_example(batch.record_type, f) for f in findings]
    return {
        "id": item.id,
        "status": item.status,
        "source": item.source,
        "record_type": batch.record_type,
        "file": batch.file_name,
        "sheet": raw.sheet,
        "row": raw.row_number,
        "batch_id": item.batch_id,
        "reasons": item.reasons.split(),
        "findings": findings,
        "cells": cells,
        "fixes": fixes,
        "fixes_seen": fixes_seen(item),
        "record_version_id": item.record_version_id,
        "created_at": iso_utc(item.created_at),
        "updated_at": iso_utc(item.updated_at),
        "updated_by": item.updated_by,
    }


def fix_item(
    session: Session, actor: Actor, item_id: int, target: str, value: str, *, source: SourceConfig
) -> dict[str, Any]:
    """Set a corrected value for one cell of the row: `target` is a field of the source or a column of the row."""
    require(actor, "data.write")
    item, raw, batch = _load(session, actor, item_id)
    if item.status != "open":
        raise InputError(
            f"Quarantine item {item_id} is {item.status}; only open items can be fixed.",
            zh=f"隔离记录 {item_id} 已不是待处理状态，只有待处理的记录可以修正。",
        )
    if len(value) > MAX_FIX_LENGTH:
        raise InputError(
            f"The value is {len(value)} characters long; at most {MAX_FIX_LENGTH} are accepted.",
            zh=f"修正值有 {len(value)} 个字符，最多 {MAX_FIX_LENGTH} 个。",
        )
    cells: dict[str, Any] = json.loads(raw.data)
    source = as_written(source, list(cells))  # the file may write a mapped column (联系电话(手机)) its own way
    column = _column(source, target, cells, item_id)
    fixes: dict[str, str] = json.loads(item.fixes) if item.fixes else {}
    before = fixes.get(column, cells.get(column))
    fixes[column] = value
    item.fixes = json.dumps(fixes, ensure_ascii=False)
    item.updated_at, item.updated_by = utcnow(), actor.name
    audit.record(
        session,
        actor,
        "quarantine.fix",
        object_type="quarantine_item",
        object_id=item.id,
        detail={
            "source": item.source,
            "file": batch.file_name,
            "sheet": raw.sheet,
            "row": raw.row_number,
            "column": column,
            "before": _audited(batch, column, before),
            "after": _audited(batch, column, value),
        },
    )
    return item_as_dict(item, raw, batch)


def _audited(batch: Batch, column: str, value: Any) -> Any:
    """A cell's value as the append-only audit trail may keep it (erasure cannot reach it there): a personal
    column's left out, any other masked as the raw row shows it and then by detection (a resident ID typed in a
    credit-code column, a phone in a remark)."""
    category = classify_columns(batch.record_type, [column], source_mapping(batch)).get(column)
    if category not in (NOT_PERSONAL, FREE_TEXT):
        return "(personal data)"
    masked = mask_row(batch.record_type, source_mapping(batch), {column: value})[column]
    return mask_text(masked) if isinstance(masked, str) else masked


def fixes_seen(item: QuarantineItem) -> str:
    """A short digest of the item's fixes as they stand: a form carries it, to tell whether they changed since."""
    return hashlib.sha256((item.fixes or "").encode("utf-8")).hexdigest()[:16]


def fix_row(
    session: Session, actor: Actor, item_id: int, values: dict[str, str], *, source: SourceConfig,
    seen: str | None = None,
) -> list[str]:  # fmt: skip
    """Keep the corrected values of a row's cells at once, as a form for the whole row sends them (column -> value):
    a value equal to the one shown (as fixed before, else as read; masked where personal) is not a change. Each
    change is kept and audited as `fix_item` keeps it; returns the columns changed. `seen`, the form's
    `fixes_seen`: when another steward saved fixes since the form was shown, nothing is kept (their fix would be
    put back by the values this form still shows)."""
    shown = get_item(session, actor, item_id)
    if seen is not None and seen != shown["fixes_seen"]:
        raise ConflictError(
            f"Quarantine item {item_id} was fixed by {shown['updated_by'] or 'someone'} since you opened it: nothing "
            "of your form was kept. Reload the item, see their fix, and enter yours again.",
            zh=f"隔离记录 {item_id} 在您打开之后已被 {shown['updated_by'] or '他人'} 修正：您的表单未保存。"
            "请重新打开该记录，核对对方的修正后再填写。",
        )
    current = {**shown["cells"], **shown["fixes"]}
    changed = [c for c, v in values.items() if v != ("" if current.get(c) is None else str(current.get(c)))]
    for column in changed:
        fix_item(session, actor, item_id, column, values[column], source=source)
    return changed


def _column(source: SourceConfig, target: str, cells: dict[str, Any], item_id: int) -> str:
    mapping = source.fields.get(target)
    if mapping is not None:
        if mapping.column is None:
            raise InputError(
                f"Field `{target}` of source `{source.name}` is a constant; change it in the source file.",
                zh=f"数据源 `{source.name}` 的字段 `{target}` 是常量，请在数据源文件中修改。",
            )
        return mapping.column
    found = resolve_column(target, list(cells))  # as ingest finds a column: 发证日期 for 许可证信息/发证日期
    if len(found) == 1:
        return found[0]
    fields, columns = ", ".join(source.fields), ", ".join(cells)
    if found:
        raise InputError(
            f"Item {item_id}: `{target}` matches several columns of the row ({', '.join(found)}); name one of them.",
            zh=f"隔离记录 {item_id}：`{target}` 对应该行的多个列（{'、'.join(found)}），请写出其中一列的完整列名。",
        )
    raise InputError(
        f"Item {item_id}: `{target}` is neither a field of source `{source.name}` nor a column of the row. "
        f"Fields: {fields}; columns: {columns}.",
        zh=f"隔离记录 {item_id}：`{target}` 既不是数据源 `{source.name}` 的字段，也不是该行的列。"
        f"字段：{fields}；列：{columns}。",
    )


def replay(
    session: Session,
    actor: Actor,
    load_source: SourceLoader,
    *,
    item_ids: list[int] | None = None,
    source: str | None = None,
    batch_id: int | None = None,
    reason: str | None = None,
    today: date | None = None,
    outbox: Outbox,
) -> dict[str, Any]:
    """Run open items through their source again; those now passing become record versions (owed, like any new
    version, to the targets the `outbox` says take the source's records).

    Returns counts: `replayed` (accepted now), `superseded` (accepted now, but a later file brought the record
    since: nothing written), `still_quarantined`, and per item the outcome.
    """
    require(actor, "data.write")
    lock_ingest(session)
    query = _items(actor).where(QuarantineItem.status == "open")
    if item_ids:
        query = query.where(QuarantineItem.id.in_(item_ids))
    if source:
        query = query.where(QuarantineItem.source == source)
    if batch_id is not None:
        query = query.where(QuarantineItem.batch_id == batch_id)
    if reason:
        query = query.where(QuarantineItem.reasons.contains(f" {reason.strip()} "))
    rows = session.execute(query.order_by(QuarantineItem.id)).all()
    if item_ids:
        missing = sorted(set(item_ids) - {item.id for item, _, _ in rows})
        if missing:
            raise InputError(
                f"Quarantine item(s) {missing} are not open (replayed or closed since, perhaps by another steward) "
                "or not in your scope. Reload the list.",
                zh=f"隔离项 {missing} 已不在待处理状态（可能已被其他人重新处理或关闭），或不在您的权限范围内。"
                "请刷新列表。",
            )
    groups: dict[tuple[str, tuple[str, ...]], list[tuple[QuarantineItem, RawRow, Batch]]] = defaultdict(list)
    for item, raw, batch in rows:
        groups[(item.source, tuple(json.loads(raw.data)))].append((item, raw, batch))
    ids, now, day = Ids(session), utcnow(), today or local_today()
    outcome: dict[int, str] = {}
    for (name, header), members in groups.items():
        config = load_source(name)
        config = check_columns(config, list(header), members[0][2].file_name, members[0][1].sheet)
        targets = outbox.owed_to(config)
        context = build_context(session, config, day)
        _replay_group(session, config, list(header), members, context, ids, now, actor, targets)
        outcome.update({item.id: item.status for item, _, _ in members})
    replayed = sum(1 for status in outcome.values() if status == "replayed")
    superseded = sum(1 for status in outcome.values() if status == "superseded")
    counts = {"items": len(outcome), "replayed": replayed, "superseded": superseded,
              "still_quarantined": len(outcome) - replayed - superseded}  # fmt: skip
    # One event per item with its outcome (a list of ids cut to a column's width lost items of a bulk replay).
    audit.record_many(session, actor, ({"action": "quarantine.replay", "object_type": "quarantine_item",
                                        "object_id": item_id, "detail": {"outcome": status, **counts}}
                                       for item_id, status in sorted(outcome.items())))  # fmt: skip
    return {**counts, "outcome": outcome}


def _replay_group(
    session: Session,
    source: SourceConfig,
    header: list[str],
    members: list[tuple[QuarantineItem, RawRow, Batch]],
    context: Any,
    ids: Ids,
    now: Any,
    actor: Actor,
    targets: Sequence[str],
) -> None:
    columns: dict[str, list[Any]] = {ROW: [], ERROR: [], **{h: [] for h in header}}
    for item, raw, _ in members:
        cells = json.loads(raw.data) | (json.loads(item.fixes) if item.fixes else {})
        columns[ROW].append(raw.row_number)
        columns[ERROR].append(None if item.fixes else _read_error(item))
        for h in header:
            value = cells.get(h)
            columns[h].append(None if value is None else str(value))
    frame = pl.DataFrame(columns, schema={ROW: pl.Int64, ERROR: pl.String, **{h: pl.String for h in header}})
    mapped = map_chunk(frame, source, context, _numbers(members))
    encoded = encode_chunk(frame, mapped, None, record_columns(source.kind)).rows
    versions = Versions(session, ids, source.name, source.record_type, now, targets)
    newer = _latest_versions(session, source.name, encoded.filter(~pl.col(HARD))["key"].to_list())
    for row, (item, raw, _) in zip(encoded.iter_rows(named=True), members, strict=True):
        item.updated_at, item.updated_by, item.findings = now, actor.name, row["findings"]
        if row[HARD]:
            item.reasons = row["reasons"]
            continue
        version_id, raw_row_id = newer.get(row["key"], (0, 0))
        # A later row already brought this record (a later file, or further down the same file: raw rows are
        # numbered in the order read): an older row never overwrites it.
        if raw_row_id > raw.id:
            item.status, item.record_version_id = "superseded", version_id
            continue
        planned = pl.DataFrame(
            [{"key": row["key"], "data": row["data"], "raw_id": raw.id, "warnings": row["warnings"]}],
            schema={"key": pl.String, "data": pl.String, "raw_id": pl.Int64, "warnings": pl.String},
        )
        plan = versions.plan(planned, item.batch_id, Tally())
        versions.write(plan)
        item.status, item.record_version_id = "replayed", int(plan.versions_by_row()["version_id"][0])


def _latest_versions(session: Session, source: str, keys: list[str]) -> dict[str, tuple[int, int]]:
    """Each stored record of `keys`: its latest version and the raw row it was read from (0: none)."""
    found: dict[str, tuple[int, int]] = {}
    for start in range(0, len(keys), 500):
        found.update(
            (key, (version_id, raw_row_id or 0))
            for key, version_id, raw_row_id in session.execute(
                select(Record.key, Record.version_id, RecordVersion.raw_row_id)
                .join(RecordVersion, RecordVersion.id == Record.version_id)
                .where(Record.source == source, Record.key.in_(keys[start : start + 500]))
            )
        )
    return found


def _numbers(members: list[tuple[QuarantineItem, RawRow, Batch]]) -> dict[str, list[int]]:
    """The cells a workbook held as numbers that may have lost their zeros (`code.leading_zero`), per column, unless
    the steward fixed them: replayed as they were, they are as doubtful as when read."""
    found: dict[str, list[int]] = {}
    for at, (item, _, _) in enumerate(members):  # by position: members of other files share row numbers
        fixed = json.loads(item.fixes) if item.fixes else {}
        for finding in json.loads(item.findings):
            column = finding.get("column")
            if finding["code"] == "code.leading_zero" and column and column not in fixed:
                found.setdefault(column, []).append(at)
    return found


def _read_error(item: QuarantineItem) -> str | None:
    for found in json.loads(item.findings):
        if found["code"] == "row.malformed":
            return str(found["value"])
    return None
