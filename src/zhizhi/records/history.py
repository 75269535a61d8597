"""A record's history: every version, what it held, and the raw row (file, sheet, row) each came from."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.access.departments import within_scope
from zhizhi.access.roles import Actor, require
from zhizhi.errors import NotFoundError
from zhizhi.privacy.catalogue import personal_columns
from zhizhi.privacy.masking import disclose, mask_data
from zhizhi.store.tables import Batch, RawRow, Record, RecordVersion
from zhizhi.store.types import iso_utc


def find_records(
    session: Session,
    actor: Actor,
    *,
    source: str | None = None,
    record_type: str | None = None,
    key: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Records whose latest version the actor may see, filtered by source, type and part of their key."""
    require(actor, "data.read")
    query = (
        select(Record, RecordVersion)
        .join(RecordVersion, RecordVersion.id == Record.version_id)
        .join(Batch, Batch.id == RecordVersion.batch_id)
        .where(within_scope(actor, Batch.department_id))
    )
    if source:
        query = query.where(Record.source == source)
    if record_type:
        query = query.where(Record.record_type == record_type)
    if key:
        query = query.where(Record.key.contains(key))
    query = query.order_by(Record.id).limit(limit).offset(offset)
    return [
        {**_record(record), "data": mask_data(record.record_type, json.loads(version.data))}
        for record, version in session.execute(query)
    ]


def record_history(
    session: Session, actor: Actor, record_id: int, *, purpose: str | None = None, per_hour: int = 200
) -> dict[str, Any]:
    """The record and all its versions, oldest first, each with the row it came from.

    Personal fields are masked; with a `purpose`, a reader holding `personal.read` sees them, and the read is
    audited (`zhizhi.privacy.masking.disclose`).
    """
    require(actor, "data.read")
    record = session.get(Record, record_id)
    query = (
        select(RecordVersion, RawRow, Batch)
        .join(RawRow, RawRow.id == RecordVersion.raw_row_id)
        .join(Batch, Batch.id == RecordVersion.batch_id)
        .where(RecordVersion.record_id == record_id, within_scope(actor, Batch.department_id))
        .order_by(RecordVersion.version)
    )
    versions = session.execute(query).all()
    if record is None or not versions:
        raise NotFoundError(f"No record {record_id} in your scope.", zh=f"您的权限范围内没有记录 {record_id}。")
    show = _shown(session, actor, record.record_type, [str(record_id)], purpose, per_hour)
    return {
        **_record(record),
        "versions": [
            {
                "version": version.version,
                "id": version.id,
                "data": show(json.loads(version.data)),
                "warnings": json.loads(version.warnings) if version.warnings else [],
                "batch_id": batch.id,
                "source": batch.source,
                "file": batch.file_name,
                "sheet": raw.sheet,
                "row": raw.row_number,
                "created_at": iso_utc(version.created_at),
            }
            for version, raw, batch in versions
        ],
    }


def _shown(
    session: Session, actor: Actor, record_type: str, ids: list[str], purpose: str | None, per_hour: int
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """How the records' data is shown: masked, or as it is once a purposeful read was allowed and audited."""
    if purpose is None:
        return lambda data: mask_data(record_type, data)
    fields = sorted(personal_columns(record_type))
    disclose(session, actor, purpose=purpose, object_type="record", object_ids=ids, fields=fields, per_hour=per_hour)
    return lambda data: data


def _record(record: Record) -> dict[str, Any]:
    return {
        "id": record.id,
        "record_type": record.record_type,
        "source": record.source,
        "key": record.key,
        "version": record.version,
        "created_at": iso_utc(record.created_at),
        "updated_at": iso_utc(record.updated_at),
    }
