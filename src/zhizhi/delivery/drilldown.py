"""The deliveries behind a reconciliation figure: each record, where its row was read, and what the platform said.

`status` is one of the figures: `owed` (every delivery), `delivered` (reached the platform: sent, acknowledged
or rejected), `acknowledged`, `rejected` (the platform refused), `sent`, `pending`, `withheld` (never sent: a code
waits for a decision), `dead`, `unknown` or `superseded` (never sent: a newer version of the record reached the
platform first). The filter is that of `reconcile`, checked the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from zhizhi.access.roles import Actor
from zhizhi.delivery.figures import ReconcileFilter
from zhizhi.delivery.reconcile import ALL, Scope, resolve
from zhizhi.delivery.targets import TargetConfig
from zhizhi.errors import InputError
from zhizhi.privacy.detect import mask_text
from zhizhi.privacy.masking import mask_data
from zhizhi.records import record_types
from zhizhi.store.tables import Batch, Delivery, Department, RawRow, RecordVersion
from zhizhi.store.types import iso_utc

FIGURES: dict[str, tuple[str, ...]] = {
    "owed": (),
    "delivered": ("sent", "acknowledged", "rejected"),
    "acknowledged": ("acknowledged",),
    "rejected": ("rejected",),
    "sent": ("sent",),
    "pending": ("pending",),
    "withheld": ("withheld",),
    "dead": ("dead",),
    "unknown": ("unknown",),
    "superseded": ("superseded",),
}
PAGE = 1_000


def list_deliveries(
    session: Session,
    actor: Actor,
    chosen: ReconcileFilter = ALL,
    *,
    targets: Sequence[TargetConfig] = (),
    status: str = "owed",
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """One page of the deliveries behind a figure, in the order they were owed."""
    scope = resolve(session, actor, chosen, targets=targets)
    query = _query(scope, status).order_by(Delivery.id).limit(limit).offset(offset)
    return [_as_dict(actor, row) for row in session.execute(query)]


def all_deliveries(
    session: Session,
    actor: Actor,
    chosen: ReconcileFilter = ALL,
    *,
    targets: Sequence[TargetConfig] = (),
    status: str = "owed",
) -> Iterator[dict[str, Any]]:
    """Every delivery behind a figure, read a page at a time (for the Excel export)."""
    scope = resolve(session, actor, chosen, targets=targets)
    query = _query(scope, status).order_by(Delivery.id)
    after = 0
    while True:
        page = list(session.execute(query.where(Delivery.id > after).limit(PAGE)))
        yield from (_as_dict(actor, row) for row in page)
        if len(page) < PAGE:
            return
        after = page[-1][0].id


def check_figure(status: str) -> tuple[str, ...]:
    """The delivery states a figure counts; an InputError names the figures for any other word."""
    if status not in FIGURES:
        raise InputError(
            f"Unknown figure `{status}`; use one of {', '.join(FIGURES)}.",
            zh=f"未知的统计项「{status}」，可选：{'、'.join(FIGURES)}。",
        )
    return FIGURES[status]


def _query(scope: Scope, status: str) -> Select[*tuple[Any, ...]]:
    states = check_figure(status)
    query = (
        select(
            Delivery,
            Batch.source,
            Batch.file_name,
            Batch.record_type,
            Department.code,
            RawRow.sheet,
            RawRow.row_number,
            RecordVersion.version,
            RecordVersion.data,
        )
        .join(Batch, Batch.id == Delivery.batch_id)
        .join(Department, Department.id == Batch.department_id)
        .join(RecordVersion, RecordVersion.id == Delivery.record_version_id)
        .join(RawRow, RawRow.id == RecordVersion.raw_row_id)
        .where(*scope.clauses)
    )
    if scope.target is not None:
        query = query.where(Delivery.target == scope.target)
    if states:
        query = query.where(Delivery.status.in_(states))
    return query


def _as_dict(actor: Actor, row: Any) -> dict[str, Any]:
    delivery, source, file_name, record_type, department, sheet, row_number, version, data = row
    return {
        "id": delivery.id,
        "target": delivery.target,
        "status": delivery.status,
        "record_id": delivery.record_id,
        "record_key": delivery.record_key,
        "record_type": record_type,
        "record_version_id": delivery.record_version_id,
        "name": _name(actor, record_type, data),
        "version": version,
        "source": source,
        "department": department,
        "batch_id": delivery.batch_id,
        "file": file_name,
        "sheet": sheet,
        "row": row_number,
        "attempts": delivery.attempts,
        "last_error": mask_text(delivery.last_error) if delivery.last_error else None,  # may quote a person's number
        "review_item_id": delivery.review_item_id,
        "idempotency_key": delivery.idempotency_key,
        "created_at": iso_utc(delivery.created_at),
        "sent_at": iso_utc(delivery.sent_at),
        "acknowledged_at": iso_utc(delivery.acknowledged_at),
    }


def _name(actor: Actor, record_type: str, data: str) -> str | None:
    """The record's name (its first field of kind `name`: a firm's, a holder's), as the actor may see it."""
    field = _name_field(record_type)
    if field is None:
        return None
    value = mask_data(record_type, json.loads(data)).get(field)
    return None if value is None else str(value)


@cache
def _name_field(record_type: str) -> str | None:
    kind = record_types().get(record_type)
    return next((spec.name for spec in kind.fields if spec.kind == "name"), None) if kind else None
