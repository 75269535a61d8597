"""Receipts: a platform that acknowledges later says, per idempotency key, whether it took the record."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi import ledger
from zhizhi.access import Actor, audit
from zhizhi.delivery.outbox import release_next
from zhizhi.delivery.outcomes import Entries, finish
from zhizhi.delivery.targets import FILES
from zhizhi.delivery.transports import Outcome
from zhizhi.store.tables import Delivery
from zhizhi.store.types import utcnow

UNKNOWN = "no such delivery"


@dataclass
class ReceiptReport:
    """What the receipts did: deliveries acknowledged or rejected, and keys that changed nothing (with why)."""

    acknowledged: int = 0
    rejected: int = 0
    ignored: dict[str, str] = field(default_factory=dict)


def apply_receipts(
    session: Session, actor: Actor, target: str, outcomes: Iterable[Outcome], *, root: Path | None = None
) -> ReceiptReport:
    """Settle `sent` (or still `pending`, `unknown` or `dead`: given up on, yet it arrived) deliveries of `target` from
    its platform's word; repeats change nothing.

    Only deliveries of `target` are looked at: a key of another target's delivery is answered exactly like a key
    that does not exist, so a receipt tells a platform nothing about deliveries that are not its own. With the
    workspace `root`, a rejection's reason is put in the words of the target file's `reasons`.
    """
    config = FILES.load(root, target) if root is not None and FILES.path(root, target).is_file() else None
    report = ReceiptReport()
    entries: Entries = []
    left_pending = []  # deliveries settled before they were even sent: the next version of their record may go
    moment = utcnow()
    for outcome in outcomes:
        query = select(Delivery).where(Delivery.idempotency_key == outcome.key, Delivery.target == target)
        delivery = session.scalar(query)
        if delivery is None:
            report.ignored[outcome.key] = UNKNOWN
            continue
        if delivery.status not in ("sent", "pending", "unknown", "dead"):  # dead: given up on, yet it arrived
            report.ignored[outcome.key] = f"already {delivery.status}"
            continue
        if outcome.accepted is None:
            report.ignored[outcome.key] = "no decision in the receipt"
            continue
        reason = config.reason_in_words(outcome.reason) if config is not None else outcome.reason
        if delivery.status == "pending":
            left_pending.append(delivery)
        state = finish(delivery, "acknowledged" if outcome.accepted else "rejected", moment, reason, entries)
        report.acknowledged += state == "acknowledged"
        report.rejected += state == "rejected"
    release_next(session, left_pending, moment)
    ledger.append_many(session, entries)
    audit.record(
        session,
        actor,
        "delivery.receipts",
        object_type="target",
        object_id=target,
        detail={"acknowledged": report.acknowledged, "rejected": report.rejected, "ignored": len(report.ignored)},
    )
    return report
