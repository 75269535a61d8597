"""Send what a target is owed, one batch at a time: claim, render, send, and record what happened.

- **Claim**: due `pending` deliveries of the target, oldest first (the order they were owed, so one record's
  versions go in order), locked `FOR UPDATE SKIP LOCKED` on PostgreSQL so that two senders never send the same
  delivery at once.
- **Answer**: accepted -> `acknowledged`; rejected -> `rejected` with the platform's reason; no answer yet ->
  `sent` (the platform acknowledges later through a receipt).
- **Transient failure** (timeout, refused connection, 5xx): the batch stays `pending`, tried again after a backoff
  that doubles with each attempt (with jitter, up to an hour); after the target's `max_attempts` a delivery is
  `dead`, with the last error. A record's later deliveries are not claimed while an earlier one waits, so its
  versions arrive in order.
- **Ledger**: every attempt's outcome is entered (`delivery.acknowledged`, `.rejected`, `.sent`, `.retry`, `.dead`).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from zhizhi import ledger
from zhizhi.delivery.render import Renderer, renderer
from zhizhi.delivery.targets import TargetConfig
from zhizhi.delivery.transports import Outcome, TransientError, Transport, transport_for
from zhizhi.errors import InputError
from zhizhi.store.tables import Delivery, Record, RecordVersion
from zhizhi.store.types import utcnow

BACKOFF_FIRST = timedelta(seconds=5)
BACKOFF_MAX = timedelta(hours=1)


@dataclass
class SendReport:
    """What one call sent: deliveries by the state they reached."""

    claimed: int = 0
    states: dict[str, int] = field(default_factory=dict)

    def add(self, state: str, count: int = 1) -> None:
        self.states[state] = self.states.get(state, 0) + count


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """The wait before attempt `attempts + 1`: doubling from 5 s, capped at an hour, with up to 25 % jitter."""
    base: timedelta = min(BACKOFF_FIRST * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)
    jitter = 1 + 0.25 * (rng or random).random()
    return timedelta(seconds=base.total_seconds() * jitter)


def send_once(
    session: Session, target: TargetConfig, *, now: datetime | None = None, transport: Transport | None = None
) -> SendReport:
    """Claim and send one batch for `target` in the caller's transaction; returns what happened."""
    moment = now or utcnow()
    carrier = transport or transport_for(target)
    claimed = _claim(session, target, moment, carrier.batch_size(target))
    report = SendReport(claimed=len(claimed))
    if not claimed:
        return report
    renderers: dict[str, Renderer] = {}
    items: list[tuple[str, dict[str, object]]] = []
    by_key: dict[str, Delivery] = {}
    for delivery, data, kind in claimed:
        if kind not in renderers:
            renderers[kind] = renderer(session, target, kind, today=moment.date())
        try:
            payload = renderers[kind].render(json.loads(data))
        except InputError as exc:
            finish(session, delivery, "rejected", moment, exc.message_zh or exc.message)
            report.add("rejected")
            continue
        items.append((delivery.idempotency_key, payload))
        by_key[delivery.idempotency_key] = delivery
    if not items:
        return report
    try:
        outcomes = carrier.send(target, items)
    except TransientError as exc:
        for delivery in by_key.values():
            report.add(_retry(session, target, delivery, moment, str(exc)))
        return report
    for outcome in outcomes:
        delivery = by_key[outcome.key]
        report.add(_answered(session, delivery, outcome, moment))
    return report


def _claim(session: Session, target: TargetConfig, moment: datetime, limit: int) -> list[Any]:
    """Due pending deliveries with their version's data and record type, oldest first, locked on PostgreSQL."""
    earlier = aliased(Delivery)
    query = (
        select(Delivery, RecordVersion.data, Record.record_type)
        .join(RecordVersion, RecordVersion.id == Delivery.record_version_id)
        .join(Record, Record.id == Delivery.record_id)
        .where(
            Delivery.target == target.name,
            Delivery.status == "pending",
            (Delivery.next_attempt_at.is_(None)) | (Delivery.next_attempt_at <= moment),
            ~exists().where(  # a record's earlier delivery that is waiting holds its later ones back
                earlier.target == Delivery.target,
                earlier.record_id == Delivery.record_id,
                earlier.id < Delivery.id,
                earlier.status == "pending",
                earlier.next_attempt_at > moment,
            ),
        )
        .order_by(Delivery.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Delivery)
    return list(session.execute(query).all())


def _answered(session: Session, delivery: Delivery, outcome: Outcome, moment: datetime) -> str:
    delivery.attempts += 1
    delivery.sent_at = moment
    if outcome.accepted is None:
        state = "sent"
        delivery.status, delivery.updated_at = state, moment
        _enter(session, delivery, state, None)
        return state
    return finish(session, delivery, "acknowledged" if outcome.accepted else "rejected", moment, outcome.reason)


def finish(session: Session, delivery: Delivery, state: str, moment: datetime, reason: str | None) -> str:
    """Settle a delivery as `acknowledged` or `rejected` (with the reason) and enter it in the ledger."""
    delivery.status, delivery.updated_at, delivery.last_error = state, moment, reason
    if state == "acknowledged":
        delivery.acknowledged_at = moment
    _enter(session, delivery, state, reason)
    return state


def _retry(session: Session, target: TargetConfig, delivery: Delivery, moment: datetime, error: str) -> str:
    delivery.attempts += 1
    delivery.last_error, delivery.updated_at = error[:2000], moment
    if delivery.attempts >= target.max_attempts:
        delivery.status = "dead"
        _enter(session, delivery, "dead", error)
        return "dead"
    delivery.next_attempt_at = moment + backoff(delivery.attempts)
    _enter(session, delivery, "retry", error)
    return "retry"


def _enter(session: Session, delivery: Delivery, state: str, reason: str | None) -> None:
    ledger.append(
        session,
        f"delivery.{state}",
        "delivery",
        delivery.id,
        {
            "target": delivery.target,
            "idempotency_key": delivery.idempotency_key,
            "record_version_id": delivery.record_version_id,
            "attempt": delivery.attempts,
            "reason": reason,
        },
    )
