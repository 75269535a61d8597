"""Send what a target is owed, one batch at a time: claim, render, send, and record what happened.

Three short steps, so that no database lock is held while the platform answers:

1. **Claim** (one transaction): due `pending` deliveries of the target, oldest due first, locked `FOR UPDATE SKIP
   LOCKED` on PostgreSQL so that two workers never claim the same delivery. A claim holds the delivery for the
   target's `claim_seconds` (its `next_attempt_at` moves that far ahead, which is also the claim's token): a worker
   killed mid-send leaves its claim to run out, and the batch is sent again, with no attempt charged for the death.
   The receiver drops what it already has by the idempotency key.
2. **Send**: the rendered batch goes to the target's transport, outside any transaction.
3. **Record** (one transaction): accepted -> `acknowledged`; rejected -> `rejected` with the platform's reason; no
   answer yet -> `sent` (the platform acknowledges later through a receipt). Each delivery so tried counts an
   attempt. A transient failure (timeout, refused connection, 5xx) leaves the batch `pending`, tried again after a
   backoff that starts at the target's `retry_seconds` and doubles with each attempt (with jitter, up to an hour),
   for `retry_hours` after the first failed try (and at most `max_attempts` tries, when set); then a delivery is
   `dead` with the last error, or `unknown` (送达未知) when the last try timed out after the request left, since it
   may have arrived: a receipt or a retry (idempotent by key) settles it. A terminal failure (a setting that is
   wrong, a code list that is missing) makes the batch `dead` at once with its reason. An outcome whose claim was
   taken over (it ran out and another worker claimed the delivery again) is left to that worker. An answer for a
   delivery closed meanwhile as not arrived (`dead` or `unknown`: a steward gave it up while it was in flight) is
   recorded over that state, as a receipt would be: the platform's word is the truth. The answer is in hand, so a
   lost database connection does not lose it: the step is tried again on a fresh connection a few times.

A record whose code has no single equivalent in the target's list is not sent: its delivery is `withheld` at the
claim, naming the code review item whose decision releases it (`zhizhi.delivery.holds`), so `rejected` always means
that the platform refused. A record's later delivery to a target is `held` while an earlier one is pending, and
released when that one leaves `pending` (`zhizhi.delivery.outbox.release_next`), so its versions arrive in order;
one whose record has a newer version that already reached the platform is `superseded` at the claim, never sent
(`zhizhi.delivery.supersede`). Every outcome is a ledger entry (`delivery.acknowledged`, `.rejected`, `.sent`,
`.retry`, `.dead`, `.withheld`, `.superseded`).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

import polars as pl
from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session, sessionmaker

from zhizhi import ledger
from zhizhi.codes.review import note_for_review, review_items_for
from zhizhi.delivery.holds import count_held
from zhizhi.delivery.outbox import release_next
from zhizhi.delivery.outcomes import Entries, Failure, give_up
from zhizhi.delivery.record import Claim, record_answer
from zhizhi.delivery.record import SendReport as SendReport  # the report of send_once, as callers import it
from zhizhi.delivery.render import Renderer, Untranslatable, renderer
from zhizhi.delivery.supersede import Older, newer_versions, supersede
from zhizhi.delivery.targets import TargetConfig
from zhizhi.delivery.transports import STAMP, Outcome, TransientError, Transport, transport_for
from zhizhi.errors import ZhizhiError
from zhizhi.store.tables import DUE, Batch, Delivery, Department, Record, RecordVersion
from zhizhi.store.types import iso_utc, utcnow

log = logging.getLogger("zhizhi.delivery")


def send_once(
    sessions: sessionmaker[Session],
    target: TargetConfig,
    *,
    now: datetime | None = None,
    transport: Transport | None = None,
) -> SendReport:
    """Claim, send and record one batch for `target`, each database step its own transaction."""
    moment = now or utcnow()
    carrier = transport or transport_for(target)
    report = SendReport()
    entries: Entries = []
    with sessions() as session, session.begin(), session.no_autoflush:
        claim = _claim(session, target, moment, carrier.batch_size(target), report, entries)
        ledger.append_many(session, entries)
    if not claim.items:
        return report
    try:
        outcomes: list[Outcome] | Failure = carrier.send(target, claim.items)
    except TransientError as exc:
        outcomes = Failure(str(exc), maybe_arrived=exc.maybe_arrived, retry_after=exc.retry_after)
    except ZhizhiError as exc:  # a setting or the data: terminal ones are not retried
        log.error("target %s: %s", target.name, exc.message)
        outcomes = Failure(exc.message_zh or exc.message, terminal=exc.terminal)
    except Exception as exc:  # a transport's fault: logged, and retried like a failure within the time budget
        log.exception("target %s: the transport failed", target.name)
        outcomes = Failure(f"{type(exc).__name__}: {exc}")
    answered = moment if now is not None else utcnow()  # when the platform answered, not when the claim began
    record_answer(sessions, target, claim, outcomes, answered, report)
    return report


def _claim(
    session: Session, target: TargetConfig, moment: datetime, limit: int, report: SendReport, entries: Entries
) -> Claim:
    """Claim due deliveries and render them; one the target cannot take is withheld (or dead) here with the reason."""
    claim = Claim(held_until=moment + timedelta(seconds=target.claim_seconds))
    renderers: dict[str, Renderer] = {}
    withheld: list[tuple[Delivery, Untranslatable]] = []
    settled: list[Delivery] = []
    rows = _due(session, target, moment, limit, claim)
    newer = newer_versions(session, target.name, [Older(r.id, r.record_id, r.version, r.current) for r in rows])
    for row in rows:
        report.claimed += 1
        if row.id in newer.superseded:  # a newer version reached the platform: this one never goes
            delivery = session.get_one(Delivery, row.id)
            entries.append(supersede(delivery, newer.superseded[row.id], moment))
            settled.append(delivery)
            report.add("superseded")
            continue
        if row.id in newer.behind:  # a newer version goes first: checked again when this claim runs out
            report.add("waiting")
            continue
        refused = _not_taken(target, row)
        if refused is not None:  # the target file changed since the delivery was owed: never sent
            delivery = session.get_one(Delivery, row.id)
            settled.append(delivery)
            report.add(give_up(delivery, "dead", moment, refused, entries))
            continue
        try:
            if row.record_type not in renderers:
                renderers[row.record_type] = renderer(session, target, row.record_type, today=moment.date())
            payload = renderers[row.record_type].render(json.loads(row.data)) | _stamp(row.version, row.version_at)
        except ZhizhiError as exc:
            delivery = session.get_one(Delivery, row.id)
            settled.append(delivery)
            if isinstance(exc, Untranslatable):
                withheld.append((delivery, exc))
            else:  # the target's settings or code lists: fails at once, not retried
                report.add(give_up(delivery, "dead", moment, exc.message_zh or exc.message, entries))
            continue
        claim.items.append((row.idempotency_key, payload))
        claim.tokens[row.idempotency_key] = row.id
    _withhold(session, target, withheld, moment, report, entries)
    release_next(session, settled, moment)
    return claim


def _not_taken(target: TargetConfig, row: Any) -> str | None:
    """Why the target, as its file says now, does not take the delivery's record (None: it does): a record type,
    source or department its file has dropped since the delivery was owed."""
    what = target.left_out(row.record_type, row.source, row.department)
    if what is None:
        return None
    return (
        f"目标平台文件已不再接收此记录（{what[0]}），未发送；如仍应发送，请改回目标文件后运行 zhizhi targets retry "
        f"{target.name}。The target's file no longer takes this record ({what[1]}): not sent; if it should go, put "
        f"the file back and run `zhizhi targets retry {target.name}`."
    )


def _withhold(
    session: Session,
    target: TargetConfig,
    withheld: list[tuple[Delivery, Untranslatable]],
    moment: datetime,
    report: SendReport,
    entries: Entries,
) -> None:
    """Deliveries with a code the target's list cannot take: the code goes to the review queue, and each delivery
    is `withheld`, naming the review item whose decision releases it (`dead`, when a steward decided that the code
    has no equivalent)."""
    by_translator: dict[int, list[tuple[Delivery, Untranslatable]]] = {}
    for delivery, exc in withheld:
        by_translator.setdefault(id(exc.translator), []).append((delivery, exc))
    for group in by_translator.values():
        translator = group[0][1].translator
        fields = list(translator.rule_fields)
        results = pl.DataFrame(
            {
                "code": [e.code for _, e in group],
                "method": [e.method for _, e in group],
                **{f: [None if e.data.get(f) is None else str(e.data[f]) for _, e in group] for f in fields},
            },
            schema={"code": pl.String, "method": pl.String, **dict.fromkeys(fields, pl.String)},
        )
        note_for_review(session, translator, results, seen_in=f"交付目标「{target.title or target.name}」")
        items = review_items_for(session, translator, [(e.code, e.data) for _, e in group])
        for (delivery, exc), item in zip(group, items, strict=True):
            delivery.review_item_id = item.id if item is not None else None
            state = "dead" if exc.decided else "withheld"
            report.add(give_up(delivery, state, moment, exc.message_zh or exc.message, entries))
        count_held(session, [item for item in items if item is not None])


def due_query(target: str, moment: datetime, limit: int) -> Select[Any]:
    """The ids of `target`'s due pending deliveries not held behind an earlier one, oldest due first.

    One range scan of the partial index `ix_deliveries_due`: its cost is that of the batch, whatever the backlog
    and whatever the planner's statistics say (no anti-join over the deliveries).
    """
    return (
        select(Delivery.id)
        # The index's own predicate, written as in its definition: SQLite uses a partial index only for a query
        # whose WHERE clause holds the same terms, constants included.
        .where(Delivery.target == target, DUE, Delivery.next_attempt_at <= moment)
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
    )


def _due(session: Session, target: TargetConfig, moment: datetime, limit: int, claim: Claim) -> list[Any]:
    """Claim the due deliveries (held until the claim's token; SKIP LOCKED on PostgreSQL) in one UPDATE, then read
    what they carry as plain rows: the delivery, its version's data, number and time, the record type and its
    current version number."""
    due = due_query(target.name, moment, limit)
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    hold = {"next_attempt_at": claim.held_until, "updated_at": moment}
    claimed = update(Delivery).where(Delivery.id.in_(due.scalar_subquery())).values(**hold).returning(Delivery.id)
    ids = sorted(session.scalars(claimed, execution_options={"synchronize_session": False}))
    if not ids:
        return []
    query = (
        select(
            Delivery.id,
            Delivery.record_id,
            Delivery.idempotency_key,
            RecordVersion.data,
            RecordVersion.version,
            RecordVersion.created_at.label("version_at"),
            Record.record_type,
            Record.version.label("current"),
            Record.source,
            Department.code.label("department"),
        )
        .join(RecordVersion, RecordVersion.id == Delivery.record_version_id)
        .join(Record, Record.id == Delivery.record_id)
        .join(Batch, Batch.id == RecordVersion.batch_id)
        .join(Department, Department.id == Batch.department_id)
        .where(Delivery.id.in_(ids))
        .order_by(Delivery.id)
    )
    return list(session.execute(query).all())


def _stamp(version: int, at: datetime) -> dict[str, Any]:
    """What every payload carries of its version (under `STAMP`), so a platform can refuse one older than it holds."""
    return {STAMP: {"version": version, "version_at": iso_utc(at)}}


