"""The audit trail: append-only, hash-chained events of every write, login and personal-data read."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, insert, select, text, true
from sqlalchemy import event as orm_event
from sqlalchemy.orm import Session

from zhizhi.access.roles import Actor, require
from zhizhi.privacy.detect import mask_text
from zhizhi.store.tables import AuditEvent, Department
from zhizhi.store.types import as_aware, iso_utc, utcnow

GENESIS = "0" * 64
_PG_CHAIN_LOCK = 7_241_001  # advisory lock id: one appender at a time extends the chain
_HEAD = "zhizhi.audit.head"  # session.info key: the chain head as this transaction left it
# The longest text an event keeps per field: a caller's input must not grow the append-only trail without bound.
FIELD_LIMITS = {"actor": 100, "ip": 64, "action": 64, "object_type": 64, "object_id": 200, "purpose": 200}
DETAIL_TEXT_LIMIT = 500
FREE_TEXT = frozenset({"reason", "why", "note", "notes", "remark", "comment", "answer", "name", "title", "file",
                       "source"})
"""Keys of an event's detail whose values a person typed or named (a step's reason, a note, a file's or a task's name):
kept with ID, phone and card numbers masked, whoever records them, since the trail is never erased and auditors read
it."""


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    object_type: str | None = None,
    object_id: str | int | None = None,
    purpose: str | None = None,
    detail: dict[str, Any] | None = None,
) -> int:
    """Append one event in the caller's transaction, so it commits (or not) with the change it records.

    Every text is bounded (see `bounded`), so no caller can grow the trail by what it passes; the purpose, and what
    a person typed into the detail (`FREE_TEXT`), are kept with ID, phone and card numbers masked. Returns the
    event's sequence number.
    """
    row = _event(session, actor, action, object_type, object_id, purpose, detail)
    session.execute(insert(AuditEvent), [row])
    return int(row["seq"])


def record_many(session: Session, actor: Actor, events: Iterable[dict[str, Any]]) -> int:
    """Append several events of one actor in order, in one statement (each event the keyword arguments of `record`
    after the actor). Returns the last event's sequence number (0 when there is none)."""
    rows = [_event(session, actor, **event) for event in events]
    if rows:
        session.execute(insert(AuditEvent), rows)
    return int(rows[-1]["seq"]) if rows else 0


def _event(
    session: Session,
    actor: Actor,
    action: str,
    object_type: str | None = None,
    object_id: str | int | None = None,
    purpose: str | None = None,
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The next event's row; the chain's head (of this transaction) moves on to it."""
    seq, prev_hash = _chain_head(session)
    texts = {
        "actor": actor.name,
        "ip": actor.ip,
        "action": action,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id),
        "purpose": None if purpose is None else mask_text(purpose),  # typed by a person, like a reason
    }
    values = {
        "seq": seq + 1,
        "at": utcnow(),
        "actor_user_id": actor.user_id,
        "department_id": actor.department_id,
        **{field: None if value is None else bounded(value, FIELD_LIMITS[field]) for field, value in texts.items()},
        "detail": json.dumps(_bounded_detail(detail or {}), ensure_ascii=False, sort_keys=True),
        "prev_hash": prev_hash,
    }
    digest = event_hash(SimpleNamespace(**values))
    session.info[_HEAD] = (seq + 1, digest)
    return {**values, "hash": digest}


def bounded(value: str, limit: int) -> str:
    """`value` cut to at most `limit` characters, the cut marked with the original length: `abc…[3145728 chars]`."""
    if len(value) <= limit:
        return value
    marker = f"…[{len(value)} chars]"
    return value[: max(limit - len(marker), 0)] + marker


def _bounded_detail(value: Any, key: str | None = None) -> Any:
    """An event's detail with every text bounded, and what a person typed (under a `FREE_TEXT` key) masked."""
    if isinstance(value, str):
        return bounded(mask_text(value) if key in FREE_TEXT else value, DETAIL_TEXT_LIMIT)
    if isinstance(value, dict):
        return {bounded(str(k), DETAIL_TEXT_LIMIT): _bounded_detail(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_bounded_detail(item, key) for item in value]
    return value


def _chain_head(session: Session) -> tuple[int, str]:
    # The head is read once per transaction, under a lock held to its end (BEGIN IMMEDIATE on SQLite, an
    # advisory lock on PostgreSQL), so later events of the same transaction can extend it from memory.
    cached: tuple[int, str] | None = session.info.get(_HEAD)
    if cached is not None:
        return cached
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_CHAIN_LOCK})
    head = session.execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).first()
    return (head.seq, head.hash) if head else (0, GENESIS)


def holds_chain(session: Session) -> bool:
    """Whether this transaction has appended to the trail, and so holds the chain's lock to its end: every other
    transaction that appends waits for it."""
    return _HEAD in session.info


@orm_event.listens_for(Session, "after_soft_rollback")
@orm_event.listens_for(Session, "after_commit")
def _forget_head(session: Session, *_: Any) -> None:
    session.info.pop(_HEAD, None)


def event_hash(event: Any) -> str:
    """SHA-256 over the previous hash and the event's canonical JSON (position included).

    `event` is anything with the event's fields as attributes: a stored event, a row, or values about to be stored.
    """
    body = [
        event.seq,
        _iso(event.at),
        event.actor,
        event.actor_user_id,
        event.department_id,
        event.ip,
        event.action,
        event.object_type,
        event.object_id,
        event.purpose,
        event.detail,
    ]
    canonical = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{event.prev_hash}\n{canonical}".encode()).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    """The outcome of checking the chain: how far it is sound and, if not, the first bad event."""

    ok: bool
    events: int
    head_hash: str
    first_bad_seq: int | None = None
    problem: str | None = None


def verify(session: Session) -> ChainReport:
    """Walk the chain in order and report the first edited, deleted, inserted or reordered event."""
    expected_seq, running = 1, GENESIS
    for event in _in_order(session):
        if event.seq != expected_seq:
            return _broken(
                expected_seq - 1,
                running,
                expected_seq,
                f"event {expected_seq} is missing (next found is {event.seq}): deleted",
            )
        if event.prev_hash != running:
            return _broken(
                expected_seq - 1,
                running,
                event.seq,
                f"event {event.seq} does not follow event {event.seq - 1}: "
                "an event before it was deleted, inserted or reordered",
            )
        if event_hash(event) != event.hash:
            return _broken(
                expected_seq - 1,
                running,
                event.seq,
                f"event {event.seq} does not match its hash: edited or moved",
            )
        running = event.hash
        expected_seq += 1
    return ChainReport(ok=True, events=expected_seq - 1, head_hash=running)


@dataclass(frozen=True)
class AuditFilter:
    """What to look for in the trail; empty fields match everything."""

    actor: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100
    offset: int = 0


def list_events(session: Session, actor: Actor, query: AuditFilter) -> list[AuditEvent]:
    """Events newest first, limited to those done from within the actor's department subtree."""
    require(actor, "audit.read")
    stmt = _filtered(select(AuditEvent), query).where(in_scope(actor))
    stmt = stmt.order_by(AuditEvent.seq.desc()).limit(min(query.limit, 1000)).offset(query.offset)
    return list(session.scalars(stmt))


def in_scope(actor: Actor) -> ColumnElement[bool]:
    """Events done from within the actor's department subtree (all of them for the operator)."""
    if actor.is_operator:
        return true()
    subtree = select(Department.id).where(Department.path.startswith(actor.department_path))
    clause: ColumnElement[bool] = AuditEvent.department_id.in_(subtree)
    # Events with no department (the operator, failed logins by unknown names) belong to the root.
    if actor.department_path.count("/") == 2:
        clause = clause | AuditEvent.department_id.is_(None)
    return clause


def event_as_dict(event: AuditEvent) -> dict[str, Any]:
    """The JSON form of one event."""
    return {
        "seq": event.seq,
        "at": _iso(event.at),
        "actor": event.actor,
        "actor_user_id": event.actor_user_id,
        "department_id": event.department_id,
        "ip": event.ip,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "purpose": event.purpose,
        "detail": json.loads(event.detail),
        "hash": event.hash,
    }


def _filtered(stmt: Select[tuple[AuditEvent]], q: AuditFilter) -> Select[tuple[AuditEvent]]:
    if q.actor:
        stmt = stmt.where(AuditEvent.actor == q.actor)
    if q.action:
        stmt = stmt.where(AuditEvent.action == q.action)
    if q.object_type:
        stmt = stmt.where(AuditEvent.object_type == q.object_type)
    if q.object_id:
        stmt = stmt.where(AuditEvent.object_id == q.object_id)
    if q.since:
        stmt = stmt.where(AuditEvent.at >= as_aware(q.since))
    if q.until:
        stmt = stmt.where(AuditEvent.at < as_aware(q.until))
    return stmt


def _in_order(session: Session) -> Iterator[Row[Any]]:
    # Plain rows rather than ORM objects: a verify walks millions of them.
    stmt = select(*AuditEvent.__table__.columns).order_by(AuditEvent.seq).execution_options(yield_per=5000)
    yield from session.execute(stmt)


def _broken(good: int, head: str, seq: int, problem: str) -> ChainReport:
    return ChainReport(ok=False, events=good, head_hash=head, first_bad_seq=seq, problem=problem)


def _iso(moment: datetime) -> str:
    text = iso_utc(moment)
    assert text is not None
    return text
