"""Receipts: a platform that acknowledges later says, per idempotency key, whether it took the record."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.access import Actor, audit
from zhizhi.access.roles import require
from zhizhi.delivery.send import finish
from zhizhi.delivery.transports import Outcome
from zhizhi.store.tables import Delivery
from zhizhi.store.types import utcnow


@dataclass
class ReceiptReport:
    """What the receipts did: deliveries acknowledged or rejected, and keys that changed nothing (with why)."""

    acknowledged: int = 0
    rejected: int = 0
    ignored: dict[str, str] = field(default_factory=dict)


def apply_receipts(session: Session, actor: Actor, outcomes: Iterable[Outcome]) -> ReceiptReport:
    """Settle `sent` (or still `pending`) deliveries from the platform's word; repeating a receipt changes nothing."""
    require(actor, "data.write")
    report = ReceiptReport()
    moment = utcnow()
    for outcome in outcomes:
        delivery = session.scalar(select(Delivery).where(Delivery.idempotency_key == outcome.key))
        if delivery is None:
            report.ignored[outcome.key] = "no such delivery"
            continue
        if delivery.status not in ("sent", "pending"):
            report.ignored[outcome.key] = f"already {delivery.status}"
            continue
        if outcome.accepted is None:
            report.ignored[outcome.key] = "no decision in the receipt"
            continue
        state = finish(session, delivery, "acknowledged" if outcome.accepted else "rejected", moment, outcome.reason)
        report.acknowledged += state == "acknowledged"
        report.rejected += state == "rejected"
    audit.record(
        session,
        actor,
        "delivery.receipts",
        object_type="delivery",
        detail={"acknowledged": report.acknowledged, "rejected": report.rejected, "ignored": len(report.ignored)},
    )
    return report
