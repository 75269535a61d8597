"""Batches as people look them up: the list, one batch with its report, its rows by how they ended."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhizhi.access.departments import within_scope
from zhizhi.access.roles import Actor, require
from zhizhi.errors import NotFoundError
from zhizhi.privacy.masking import disclose, mask_example, mask_row
from zhizhi.store.tables import Batch, Department, QuarantineItem, RawRow
from zhizhi.store.types import iso_utc


def list_batches(
    session: Session, actor: Actor, *, source: str | None = None, limit: int = 100, offset: int = 0
) -> list[Batch]:
    """The newest batches first, of the actor's departments."""
    require(actor, "data.read")
    query = select(Batch).where(within_scope(actor, Batch.department_id))
    if source:
        query = query.where(Batch.source == source)
    return list(session.scalars(query.order_by(Batch.id.desc()).limit(limit).offset(offset)))


def get_batch(session: Session, actor: Actor, batch_id: int) -> Batch:
    require(actor, "data.read")
    batch = session.scalar(select(Batch).where(Batch.id == batch_id, within_scope(actor, Batch.department_id)))
    if batch is None:
        raise NotFoundError(
            f"No batch {batch_id} in your scope. See `zhizhi batches`.", zh=f"您的权限范围内没有批次 {batch_id}。"
        )
    return batch


def open_quarantine(session: Session, batch_ids: list[int]) -> dict[int, int]:
    """Per batch, how many of its quarantined rows are still waiting for a steward."""
    if not batch_ids:
        return {}
    query = (
        select(QuarantineItem.batch_id, func.count())
        .where(QuarantineItem.batch_id.in_(batch_ids), QuarantineItem.status == "open")
        .group_by(QuarantineItem.batch_id)
    )
    return {batch_id: count for batch_id, count in session.execute(query)}


def batch_as_dict(session: Session, batch: Batch, *, report: bool = False) -> dict[str, Any]:
    """The JSON form of a batch: identity, counts (which always add up), and optionally its report."""
    department = session.get(Department, batch.department_id)
    data: dict[str, Any] = {
        "id": batch.id,
        "source": batch.source,
        "record_type": batch.record_type,
        "department": department.code if department else None,
        "file": batch.file_name,
        "file_hash": batch.file_hash,
        "file_size": batch.file_size,
        "reader": batch.reader,
        "encoding": batch.encoding,
        "watermark": batch.watermark,
        "rows": {
            "read": batch.rows_read,
            "accepted": batch.rows_accepted,
            "quarantined": batch.rows_quarantined,
            "skipped": batch.rows_skipped,
        },
        "records": {
            "new": batch.records_new,
            "changed": batch.records_changed,
            "unchanged": batch.records_unchanged,
        },
        "quarantine_open": open_quarantine(session, [batch.id]).get(batch.id, 0),
        "started_at": iso_utc(batch.started_at),
        "finished_at": iso_utc(batch.finished_at),
        "created_by": batch.created_by,
    }
    if report:
        data["report"] = json.loads(batch.report)
        for reason in data["report"].get("reasons", []):
            if reason.get("example"):
                reason["example"] = mask_example(batch.record_type, reason["example"])
    return data


def batch_rows(
    session: Session,
    actor: Actor,
    batch_id: int,
    *,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
    purpose: str | None = None,
    per_hour: int = 200,
) -> list[dict[str, Any]]:
    """A batch's raw rows in file order, each named by source, file, sheet and row, with its cells.

    Personal cells are masked; with a `purpose`, a reader holding `personal.read` sees them, each row's read audited.
    """
    batch = get_batch(session, actor, batch_id)
    query = select(RawRow).where(RawRow.batch_id == batch.id)
    if status:
        query = query.where(RawRow.status == status)
    query = query.order_by(RawRow.sheet, RawRow.row_number).limit(limit).offset(offset)
    rows = list(session.scalars(query))
    if purpose is not None:
        ids = [f"raw_row:{row.id}" for row in rows]
        disclose(session, actor, purpose=purpose, object_type="raw_row", object_ids=ids, fields=[], per_hour=per_hour)
    mapping = source_mapping(batch)
    return [raw_row_as_dict(batch, row, mapping=mapping, unmasked=purpose is not None) for row in rows]


def source_mapping(batch: Batch) -> dict[str, str]:
    """The source's mapping as the batch was ingested with it: column -> field (from the batch's report), with the
    columns as the file wrote them where it wrote them otherwise (法定代表人(负责人) for 法定代表人（负责人）)."""
    report = json.loads(batch.report) if batch.report else {}
    fields = report.get("fields", [])
    mapping = {f["column"]: f["field"] for f in fields if f.get("column")}
    return mapping | {column: f["field"] for f in fields for column in f.get("columns_as_written", [])}


def raw_row_as_dict(
    batch: Batch, row: RawRow, *, mapping: dict[str, str] | None = None, unmasked: bool = False
) -> dict[str, Any]:
    """A raw row named as a person finds it; its cells masked through the source's mapping unless `unmasked`."""
    cells = json.loads(row.data)
    if not unmasked:
        cells = mask_row(batch.record_type, source_mapping(batch) if mapping is None else mapping, cells)
    return {
        "id": row.id,
        "source": batch.source,
        "file": batch.file_name,
        "sheet": row.sheet,
        "row": row.row_number,
        "status": row.status,
        "reason": row.reason,
        "record_version_id": row.record_version_id,
        "cells": cells,
    }
