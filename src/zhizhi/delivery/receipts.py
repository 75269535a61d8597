"""Receipts: a platform that acknowledges later says, per idempotency key, whether it took the record."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi import ledger
from zhizhi.access import Actor, audit
from zhizhi.access.roles import require
from zhizhi.delivery.send import Entries, finish
from zhizhi.delivery.targets import FILES, TargetConfig
from zhizhi.delivery.transports import Outcome
from zhizhi.store.tables import Delivery
from zhizhi.store.types import utcnow


@dataclass
class ReceiptReport:
    """What the receipts did: deliveries acknowledged or rejected, and keys that changed nothing (with why)."""

    acknowledged: int = 0
    rejected: int = 0
    ignored: dict[str, str] = field(default_factory=dict)


def apply_receipts(
    session: Session, actor: Actor, outcomes: Iterable[Outcome], *, root: Path | None = None
) -> ReceiptReport:
    """Settle `sent` (or still `pending`) deliveries from the platform's word; repeating a receipt changes nothing.

    With the workspace `root`, a rejection's reason is put in the words of the target file's `reasons`.
    """
    require(actor, "data.write")
    report = ReceiptReport()
    targets: dict[str, TargetConfig | None] = {}
    entries: Entries = []
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
        if root is not None and delivery.target not in targets:
            known = FILES.path(root, delivery.target).is_file()
            targets[delivery.target] = FILES.load(root, delivery.target) if known else None
        target = targets.get(delivery.target)
        reason = target.reason_in_words(outcome.reason) if target is not None else outcome.reason
        state = finish(delivery, "acknowledged" if outcome.accepted else "rejected", moment, reason, entries)
        report.acknowledged += state == "acknowledged"
        report.rejected += state == "rejected"
    ledger.append_many(session, entries)
    audit.record(
        session,
        actor,
        "delivery.receipts",
        object_type="delivery",
        detail={"acknowledged": report.acknowledged, "rejected": report.rejected, "ignored": len(report.ignored)},
    )
    return report
