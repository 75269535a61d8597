"""One delivery as a steward looks at it: the record and the row it came from, what the platform said (in words),
the code decision a withheld delivery waits for, and every ledger entry about it, each provable to anyone."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.access.departments import within_scope
from zhizhi.access.roles import Actor, require
from zhizhi.delivery.holds import waits_for
from zhizhi.errors import NotFoundError
from zhizhi.privacy.detect import mask_text
from zhizhi.store.tables import Batch, Delivery, LedgerEntry, RawRow, Record, RecordVersion
from zhizhi.store.types import iso_utc


def delivery_detail(session: Session, actor: Actor, delivery_id: int) -> dict[str, Any]:
    """The delivery, its record and source row, and its ledger entries (oldest first); only within scope."""
    require(actor, "data.read")
    row = session.execute(
        select(Delivery, Record, RecordVersion, Batch, RawRow)
        .join(Record, Record.id == Delivery.record_id)
        .join(RecordVersion, RecordVersion.id == Delivery.record_version_id)
        .join(Batch, Batch.id == RecordVersion.batch_id)
        .outerjoin(RawRow, RawRow.id == RecordVersion.raw_row_id)
        .where(Delivery.id == delivery_id, within_scope(actor, Batch.department_id))
    ).first()
    if row is None:
        raise NotFoundError(
            f"No delivery {delivery_id} among your departments' records.", zh=f"没有第 {delivery_id} 号交付。"
        )
    delivery, record, version, batch, raw = row
    history = session.scalars(
        select(LedgerEntry)
        .where(LedgerEntry.subject_type == "delivery", LedgerEntry.subject_id == str(delivery_id))
        .order_by(LedgerEntry.seq)
    )
    return {
        "id": delivery.id,
        "target": delivery.target,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "idempotency_key": delivery.idempotency_key,
        "reason": mask_text(delivery.last_error) if delivery.last_error else None,  # may quote a person's number
        "review_item": waits_for(session, delivery.review_item_id) if delivery.review_item_id else None,
        "created_at": iso_utc(delivery.created_at),
        "sent_at": iso_utc(delivery.sent_at),
        "acknowledged_at": iso_utc(delivery.acknowledged_at),
        "next_attempt_at": iso_utc(delivery.next_attempt_at) if delivery.status == "pending" else None,
        "record": {
            "id": record.id,
            "key": record.key,
            "source": record.source,
            "record_type": record.record_type,
            "version": version.version,
            "current": record.version_id == version.id,
        },
        "row": {
            "batch_id": batch.id,
            "file": batch.file_name,
            "sheet": raw.sheet if raw else None,
            "row": raw.row_number if raw else None,
        },
        "ledger": [
            {"seq": e.seq, "at": iso_utc(e.at), "kind": e.kind, "payload": _masked(json.loads(e.payload))}
            for e in history
        ],
    }


def _masked(payload: dict[str, Any]) -> dict[str, Any]:
    """A delivery's ledger entry as shown: a platform's reason may quote a person's number (the entry itself, hashed
    into the chain, keeps it)."""
    reason = payload.get("reason")
    return payload | {"reason": mask_text(reason)} if isinstance(reason, str) else payload
