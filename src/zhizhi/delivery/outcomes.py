"""A delivery's outcome: the state one try leaves it in and its ledger entry.

- answered: accepted -> `acknowledged`; rejected -> `rejected` with the platform's reason; no answer yet -> `sent`;
- a transient failure: `pending` again after a backoff (from the target's `retry_seconds`, doubling with each
  attempt, with jitter, up to an hour) for the target's `retry_hours` (and at most `max_attempts` tries); then
  `dead`, or `unknown` (送达未知) when a try may have arrived; a terminal failure: `dead` at once;
- given up (`give_up`): `dead`, `unknown` or `withheld` with its reason.

Every state is a ledger entry (`delivery.<state>`), gathered in `Entries` and written with the transaction's others.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import object_session

from zhizhi.delivery.targets import TargetConfig
from zhizhi.delivery.transports import Outcome
from zhizhi.privacy.detect import mask_text
from zhizhi.store.tables import Delivery, LedgerEntry

Entries = list[tuple[str, str, str | int, Mapping[str, Any]]]  # ledger entries of one transaction, in order


BACKOFF_FIRST = timedelta(seconds=5)
BACKOFF_MAX = timedelta(hours=1)


@dataclass(frozen=True)
class Failure:
    """Why a batch got no answer: the error; whether it is terminal (a setting: no retry); whether the records may
    have arrived all the same (the request left, the answer did not come back in time)."""

    message: str
    terminal: bool = False
    maybe_arrived: bool = False
    retry_after: float | None = None  # seconds the platform asked to be left alone for (`Retry-After`)


def backoff(attempts: int, rng: random.Random | None = None, first: timedelta = BACKOFF_FIRST) -> timedelta:
    """The wait before attempt `attempts + 1`: doubling from `first`, capped at an hour, with up to 25 % jitter."""
    base: timedelta = min(first * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)
    jitter = 1 + 0.25 * (rng or random).random()
    return timedelta(seconds=base.total_seconds() * jitter)


def settle_answer(
    target: TargetConfig, delivery: Delivery, outcome: Outcome, moment: datetime, entries: Entries
) -> str:
    """A platform's answer: `acknowledged`, `rejected` with its reason, or `sent` (a receipt settles it later)."""
    delivery.sent_at = moment
    if outcome.accepted is None:
        delivery.status, delivery.updated_at, delivery.next_attempt_at = "sent", moment, None
        enter(entries, delivery, "sent", None)
        return "sent"
    state = "acknowledged" if outcome.accepted else "rejected"
    return finish(delivery, state, moment, target.reason_in_words(outcome.reason), entries)


def finish(delivery: Delivery, state: str, moment: datetime, reason: str | None, entries: Entries) -> str:
    """Settle a delivery as `acknowledged` or `rejected` (with the reason); its ledger entry joins `entries`."""
    delivery.status, delivery.updated_at, delivery.last_error = state, moment, reason
    delivery.next_attempt_at = None
    if state == "acknowledged":
        delivery.acknowledged_at = moment
    enter(entries, delivery, state, reason)
    return state


def retry_later(target: TargetConfig, delivery: Delivery, moment: datetime, failure: Failure, entries: Entries) -> str:
    """A failed try: again after a backoff while the target's retry time lasts; then `dead`, or `unknown` when the
    records may have arrived; at once `dead` on a terminal failure."""
    delivery.last_error, delivery.updated_at = failure.message[:2000], moment
    began = delivery.first_attempt_at or moment
    spent = moment - began >= timedelta(hours=target.retry_hours)
    counted = target.max_attempts is not None and delivery.attempts >= target.max_attempts
    if failure.terminal or spent or counted:
        arrived = failure.maybe_arrived or _arrived_before(delivery)
        return give_up(delivery, "unknown" if arrived else "dead", moment, failure.message, entries)
    wait = backoff(delivery.attempts, first=timedelta(seconds=target.retry_seconds))
    if failure.retry_after is not None:  # never sooner than the platform asked (within the retry time)
        wait = max(wait, timedelta(seconds=failure.retry_after))
    delivery.next_attempt_at = moment + wait
    enter(entries, delivery, "retry", failure.message, maybe_arrived=failure.maybe_arrived)
    return "retry"


def _arrived_before(delivery: Delivery) -> bool:
    """Whether an earlier try of this delivery may have arrived (its ledger says so): then a last try refused at the
    door does not make it `dead`."""
    session = object_session(delivery)
    if session is None or delivery.attempts <= 1:
        return False
    said = session.scalar(
        select(LedgerEntry.seq)
        .where(LedgerEntry.subject_type == "delivery", LedgerEntry.subject_id == str(delivery.id))
        .where(LedgerEntry.kind == "delivery.retry", LedgerEntry.payload.contains('"maybe_arrived":true'))
        .limit(1)
    )
    return said is not None


def give_up(delivery: Delivery, state: str, moment: datetime, reason: str, entries: Entries) -> str:
    """Settle a delivery that will not be sent (again) as `state`, with the reason."""
    delivery.status, delivery.next_attempt_at = state, None
    delivery.last_error, delivery.updated_at = reason[:2000], moment
    enter(entries, delivery, state, reason)
    return state


def enter(entries: Entries, delivery: Any, state: str, reason: str | None, *, maybe_arrived: bool = False) -> None:
    """The ledger entry of an outcome (of a delivery, or a row with its fields); written with the others of its
    transaction in one statement. A retry after a try that may have arrived says so. The reason (a platform's
    words may quote a person's ID or phone number) is entered with those masked: the chain cannot be erased later."""
    payload = {
        "target": delivery.target,
        "idempotency_key": delivery.idempotency_key,
        "record_version_id": delivery.record_version_id,
        "attempt": delivery.attempts,
        "reason": mask_text(reason) if reason else reason,
    } | ({"maybe_arrived": True} if maybe_arrived else {})
    entries.append((f"delivery.{state}", "delivery", delivery.id, payload))
