"""The record step of a send (`send.send_once`): the platform's answer written in one short transaction after the
network, tried again on a fresh connection when the connection was lost; deliveries still under this send's claim
settled, and those a steward closed meanwhile given the answer as news."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from zhizhi import ledger
from zhizhi.delivery.outbox import release_next
from zhizhi.delivery.outcomes import Entries, Failure, enter, give_up, retry_later, settle_answer
from zhizhi.delivery.targets import TargetConfig
from zhizhi.delivery.transports import Item, Outcome
from zhizhi.errors import DatabaseUnavailableError
from zhizhi.store.tables import Delivery

log = logging.getLogger("zhizhi.delivery")

RECORD_TRIES = 4  # tries of the record step when the database connection is lost: the answer is in hand
RECORD_PAUSE = 0.5  # seconds before its second try, doubling: 3.5 s in all
CLOSED = ("dead", "unknown")  # closed as not (or maybe not) arrived: an answer that comes after is news

@dataclass
class SendReport:
    """What one call sent: deliveries by the state they reached."""

    claimed: int = 0
    states: dict[str, int] = field(default_factory=dict)

    def add(self, state: str, count: int = 1) -> None:
        self.states[state] = self.states.get(state, 0) + count


@dataclass
class Claim:
    items: list[Item] = field(default_factory=list)
    tokens: dict[str, int] = field(default_factory=dict)  # key -> delivery id
    held_until: datetime | None = None  # the claim's token: the deliveries' next_attempt_at while it holds them


def record_answer(
    sessions: sessionmaker[Session],
    target: TargetConfig,
    claim: Claim,
    outcomes: list[Outcome] | Failure,
    answered: datetime,
    report: SendReport,
) -> None:
    """Record the answer in one transaction, tried again on a fresh connection when the connection was lost (a
    database restart, a failover, a killed backend): otherwise the answer is lost, and the batch waits out its
    claim and is sent again. Any other database error is raised at once."""
    for attempt in range(1, RECORD_TRIES + 1):
        entries: Entries = []
        tried = SendReport()
        try:
            with sessions() as session, session.begin(), session.no_autoflush:
                _record(session, target, claim, outcomes, answered, tried, entries, again=attempt > 1)
                ledger.append_many(session, entries)
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            if attempt == RECORD_TRIES:
                raise DatabaseUnavailableError(
                    f"Target `{target.name}`: the database connection was lost {RECORD_TRIES} times while recording "
                    f"the platform's answer for {len(claim.tokens)} deliveries; the answer is not recorded. They stay "
                    "claimed until their claim runs out (`claim_seconds`) and are then sent again (the platform drops "
                    "what it has by key). Check the database server and the network to it.",
                    zh=f"目标 `{target.name}`：记录平台答复时数据库连接 {RECORD_TRIES} 次中断，{len(claim.tokens)} "
                    "条投递的答复未能记录；认领到期（claim_seconds）后将重新发送（平台按幂等键去重）。请检查数据库服务器及网络。",
                ) from exc
            pause = RECORD_PAUSE * 2 ** (attempt - 1)
            log.warning(
                "target %s: the database connection was lost while recording the platform's answer for %d deliveries "
                "(%s); trying again on a new connection in %.1f s (try %d of %d)",
                target.name, len(claim.tokens), str(exc.orig).strip().splitlines()[0], pause, attempt + 1,
                RECORD_TRIES,
            )  # fmt: skip
            time.sleep(pause)
            continue
        for state, count in tried.states.items():
            report.add(state, count)
        return


def _still_claimed(
    session: Session, claim: Claim, tokens: dict[str, int]
) -> tuple[dict[str, Delivery], dict[str, Delivery]]:
    """Of these claimed deliveries, those that are still this claim's (pending, and held until its token), and those
    closed meanwhile as not arrived (`CLOSED`), for which this claim's answer is news."""
    ids = {delivery_id: key for key, delivery_id in tokens.items()}
    query = select(Delivery).where(Delivery.id.in_(ids))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=Delivery)
    ours: dict[str, Delivery] = {}
    closed: dict[str, Delivery] = {}
    for delivery in session.scalars(query):
        if delivery.status == "pending" and delivery.next_attempt_at == claim.held_until:
            ours[ids[delivery.id]] = delivery
        elif delivery.status in CLOSED:
            closed[ids[delivery.id]] = delivery
    return ours, closed


def _record(
    session: Session,
    target: TargetConfig,
    claim: Claim,
    outcomes: list[Outcome] | Failure,
    answered: datetime,
    report: SendReport,
    entries: Entries,
    *,
    again: bool = False,
) -> None:
    """The platform's answers (or the failure) on the deliveries still this claim's, and on those closed meanwhile
    as not arrived (`_record_closed`).

    Acknowledgements, the common case, are one UPDATE of the deliveries still held by this claim's token; the
    other outcomes are settled one by one. Each delivery tried counts an attempt; the first try starts the clock of
    its retries. `again`: a try after the connection was lost, whose first try may have committed.
    """
    accepted = set() if isinstance(outcomes, Failure) else {o.key for o in outcomes if o.accepted}
    done = _acknowledge(session, claim, [claim.tokens[k] for k in accepted if k in claim.tokens], answered)
    for row in done:
        enter(entries, row, "acknowledged", None)
    if done:
        report.add("acknowledged", len(done))
    acknowledged = {row.id for row in done}
    rest = {k: v for k, v in claim.tokens.items() if v not in acknowledged}
    deliveries, closed = _still_claimed(session, claim, rest) if rest else ({}, {})
    lost = len(claim.tokens) - len(done) - len(deliveries) - len(closed)
    if lost and again:  # the first try's commit may have reached the database before the connection was lost
        report.add("claim_lost", lost)
        log.warning(
            "target %s: %d deliveries of the batch are no longer this send's: this answer's first try may have "
            "recorded them before the database connection was lost, or another sender claimed them again; this try "
            "records nothing for them (see their ledger entries)",
            target.name,
            lost,
        )
    elif lost:  # claimed again by another sender while the platform answered slower than the claim lasts
        report.add("claim_lost", lost)
        log.warning(
            "target %s: %d deliveries of the batch were claimed again by another sender while the platform answered "
            "(slower than `claim_seconds`): this answer is not recorded for them; raise `claim_seconds` above the "
            "transport's timeout",
            target.name,
            lost,
        )
    _settle(session, list(deliveries.values()), {}, attempt=True)
    for delivery in deliveries.values():
        if delivery.first_attempt_at is None:
            delivery.first_attempt_at = answered
    if isinstance(outcomes, Failure):
        for delivery in deliveries.values():
            report.add(retry_later(target, delivery, answered, outcomes, entries))
    else:
        for outcome in outcomes:
            found = deliveries.get(outcome.key)
            if found is not None and not outcome.accepted:
                report.add(settle_answer(target, found, outcome, answered, entries))
        if claim.tokens and not outcomes:
            log.warning(
                "target %s: the answer settled none of the batch's %d keys; check the target's `answer` mapping "
                "(docs/targets.md): its deliveries stay `sent` until a receipt comes",
                target.name,
                len(claim.tokens),
            )
    if closed:
        _record_closed(session, target, claim, closed, outcomes, answered, report, entries)
    release_next(session, [*done, *(d for d in deliveries.values() if d.status != "pending")], answered)


def _record_closed(
    session: Session,
    target: TargetConfig,
    claim: Claim,
    closed: dict[str, Delivery],
    outcomes: list[Outcome] | Failure,
    answered: datetime,
    report: SendReport,
    entries: Entries,
) -> None:
    """The answer for deliveries closed as not arrived while this send was under way (a steward gave them up), or
    after its claim ran out (another sender ran out of time): the platform's word is recorded over that state, as a
    receipt's would be (accepted -> `acknowledged`, rejected -> `rejected`, received -> `sent`; a failure after
    which the records may have arrived turns `dead` into `unknown`), each with its ledger entry after the one that
    closed it. A failure that cannot have arrived leaves them as they are."""
    if isinstance(outcomes, Failure):
        answers: dict[str, Outcome] = {}
        news = [d for d in closed.values() if outcomes.maybe_arrived and d.status == "dead"]
    else:
        answers = {o.key: o for o in outcomes if o.key in closed}
        news = [closed[key] for key in answers]
    if not news:
        return
    held = claim.held_until
    in_flight = all(d.updated_at is not None and held is not None and d.updated_at < held for d in news)
    _settle(session, news, {}, attempt=True)
    states: dict[str, int] = {}
    for delivery in news:
        delivery.first_attempt_at = delivery.first_attempt_at or answered
        if isinstance(outcomes, Failure):
            why = f"{outcomes.message}; {delivery.last_error}" if delivery.last_error else outcomes.message
            state = give_up(delivery, "unknown", answered, why, entries)
        else:
            state = settle_answer(target, delivery, answers[delivery.idempotency_key], answered, entries)
        states[state] = states.get(state, 0) + 1
        report.add(state)
    log.warning(
        "target %s: %d deliveries of the batch had been closed as not arrived (`dead` or `unknown`) %s; the "
        "platform's answer says otherwise and is recorded for them (%s), each a ledger entry after the one that "
        "closed them: nothing to do",
        target.name,
        len(news),
        "while this send was under way (given up by a steward)"
        if in_flight
        else "after this send's claim ran out (another sender closed them: raise `claim_seconds` above the "
        "transport's timeout)",
        ", ".join(f"{state} {count}" for state, count in sorted(states.items())),
    )


def _acknowledge(session: Session, claim: Claim, ids: list[int], moment: datetime) -> list[Any]:
    """Settle these deliveries as acknowledged, if still this claim's, in one UPDATE; returns what the ledger needs."""
    if not ids:
        return []
    query = (
        update(Delivery)
        .where(Delivery.id.in_(ids), Delivery.status == "pending", Delivery.next_attempt_at == claim.held_until)
        .values(
            status="acknowledged",
            sent_at=moment,
            acknowledged_at=moment,
            updated_at=moment,
            next_attempt_at=None,
            last_error=None,
            attempts=Delivery.attempts + 1,
            first_attempt_at=func.coalesce(Delivery.first_attempt_at, moment),
        )
        .returning(
            Delivery.id, Delivery.target, Delivery.record_id, Delivery.idempotency_key,
            Delivery.record_version_id, Delivery.attempts,
        )
    )  # fmt: skip
    return sorted(session.execute(query, execution_options={"synchronize_session": False}).all(), key=lambda r: r.id)


def _settle(session: Session, deliveries: list[Delivery], values: dict[str, Any], *, attempt: bool = False) -> None:
    """Give many deliveries the same values in one UPDATE (and count an attempt), keeping the objects in step."""
    if not deliveries:
        return
    changes: dict[str, Any] = dict(values) | ({"attempts": Delivery.attempts + 1} if attempt else {})
    session.execute(
        update(Delivery).where(Delivery.id.in_([d.id for d in deliveries])).values(**changes),
        execution_options={"synchronize_session": False},
    )
    for delivery in deliveries:
        for key, value in values.items():
            set_committed_value(delivery, key, value)
        if attempt:
            set_committed_value(delivery, "attempts", delivery.attempts + 1)
