"""The outbox: the one place deliveries are owed (`owe`), released in order (`release_next`), and counted."""

from __future__ import annotations

import logging
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from zhizhi.access.departments import within_scope
from zhizhi.access.roles import Actor, require
from zhizhi.delivery import wake
from zhizhi.delivery.targets import FILES, TargetConfig, subscribed
from zhizhi.ingest.bulk import Ids, bulk_insert, stamp
from zhizhi.sources.config import SourceConfig
from zhizhi.store.engine import READING
from zhizhi.store.frames import slices
from zhizhi.store.tables import DUE, Batch, Delivery
from zhizhi.store.types import utcnow

# A delivery's state in people's words (Chinese, English): the web pages and the entity timeline. `rejected` is
# the platform's refusal; `withheld` was never sent (a code waits for a steward's decision); `superseded` was never
# sent either, and never will be: a newer version of its record reached the platform first (`delivery.supersede`).
STATUS_WORDS = {
    "pending": ("待发送", "pending"),
    "sent": ("已发送，待回执", "sent, awaiting receipt"),
    "acknowledged": ("已确认", "acknowledged"),
    "rejected": ("被拒收", "rejected"),
    "withheld": ("未能发出：待决定", "not sent: awaiting a decision"),
    "dead": ("发送失败（死信）", "dead letter"),
    "unknown": ("送达未知（超时，可能已送达）", "unknown: timed out, may have arrived"),
    "superseded": ("已被新版本取代", "superseded by a newer version"),
}
STATUSES = tuple(STATUS_WORDS)


log = logging.getLogger(__name__)


def delivery_counts(session: Session, actor: Actor) -> dict[str, dict[str, int]]:
    """Per target, deliveries by status, of the records the actor's departments brought in."""
    require(actor, "data.read")
    query = (
        select(Delivery.target, Delivery.status, func.count())
        .join(Batch, Batch.id == Delivery.batch_id)
        .where(within_scope(actor, Batch.department_id))
        .group_by(Delivery.target, Delivery.status)
    )
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATUSES, 0))
    for target, status, count in session.execute(query):
        counts[target][status] = int(count)
    return dict(counts)


# What a new delivery row holds, in this order (see `owe`).
DELIVERY_COLUMNS = (
    "id",
    "target",
    "record_id",
    "record_version_id",
    "record_key",
    "batch_id",
    "idempotency_key",
    "status",
    "held",
    "attempts",
    "next_attempt_at",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True)
class Owed:
    """One record version owed to one target."""

    target: str
    record_id: int
    version_id: int
    record_key: str
    batch_id: int | None


def owe(
    session: Session, owed: Sequence[Owed], moment: datetime, *, known_new: Iterable[int] = (), ids: Ids | None = None
) -> list[int]:
    """Insert a pending delivery for each owed version, due at once; returns their ids.

    A delivery behind an earlier pending one of the same record and target is `held` until that one settles, so a
    record's versions reach a platform in order (`release_next`). `known_new` names records that have no delivery
    yet (new in this batch), which need no look-up; `ids` is the transaction's id allocator, if it has one.
    """
    if not owed:
        return []
    fresh = set(known_new)
    waiting = _pending_pairs(session, sorted({o.record_id for o in owed if o.record_id not in fresh}))
    first = (ids or Ids(session)).take(Delivery, len(owed))
    when = stamp(session, moment)
    rows = []
    for n, item in enumerate(owed):  # in the order given: a record's versions oldest first
        pair = (item.target, item.record_id)
        held = pair in waiting
        waiting.add(pair)
        rows.append(
            (first + n, item.target, item.record_id, item.version_id, item.record_key, item.batch_id, delivery_key())
            + ("pending", held, 0, when, when, when)
        )
    bulk_insert(session, Delivery, DELIVERY_COLUMNS, rows)
    wake.owed(session)
    return [row[0] for row in rows]


def release_next(session: Session, settled: Iterable[Any], moment: datetime) -> None:
    """Deliveries (or rows with their `target` and `record_id`) that left `pending`: the next held one of each
    record, due now."""
    pairs = {(d.target, d.record_id) for d in settled}
    by_target: dict[str, list[int]] = defaultdict(list)
    for target, record_id in pairs:
        by_target[target].append(record_id)
    for target, records in by_target.items():
        for part in slices(sorted(records)):
            nexts = (
                select(func.min(Delivery.id))
                .where(Delivery.held, Delivery.target == target, Delivery.record_id.in_(part))
                .group_by(Delivery.record_id)
            )
            session.execute(
                update(Delivery)
                .where(Delivery.id.in_(nexts))
                .values(held=False, next_attempt_at=moment, updated_at=moment)
                .execution_options(synchronize_session=False)
            )


def stranded() -> Any:
    """The first held delivery of each (target, record) that has no delivery pending and not held before it any more.

    A sender settles a delivery and releases the next held one of its record (`release_next`) in one transaction;
    on PostgreSQL an ingest may meanwhile have held a new version behind it and not yet committed, so the settle
    cannot see it to release it. Such a hold waits for nothing: `release_stranded` lets it go."""
    earlier = aliased(Delivery)
    ahead = exists().where(
        earlier.record_id == Delivery.record_id,
        earlier.target == Delivery.target,
        earlier.status == "pending",
        earlier.held.is_(False),
    )
    return (
        select(func.min(Delivery.id))
        .where(Delivery.held, Delivery.status == "pending", ~ahead)
        .group_by(Delivery.target, Delivery.record_id)
    )


def release_stranded(sessions: sessionmaker[Session]) -> int:
    """Release the held deliveries that wait for nothing (see `stranded`), due now; how many. A look that takes no
    write lock (on SQLite) comes first: the write is made only when there is something to release."""
    with sessions() as session:
        session.connection(execution_options={READING: True})
        if session.execute(stranded().limit(1)).first() is None:
            return 0
    with sessions() as session, session.begin():
        released = _release(session, list(session.scalars(stranded())), utcnow())
    if released:
        log.warning("released %d held deliveries whose earlier version had settled unseen", released)
    return released


def _release(session: Session, ids: list[int], moment: datetime) -> int:
    for part in slices(ids):
        session.execute(
            update(Delivery)
            .where(Delivery.id.in_(part), Delivery.held)
            .values(held=False, next_attempt_at=moment, updated_at=moment)
            .execution_options(synchronize_session=False)
        )
    return len(ids)


def requeue(session: Session, ids: Sequence[int], moment: datetime) -> None:
    """Make these deliveries pending again from the first attempt, due at `moment`, in each record's order: one
    behind another pending delivery of its record and target is `held` until that one settles."""
    fresh = {
        "status": "pending",
        "held": True,
        "attempts": 0,
        "first_attempt_at": None,
        "next_attempt_at": moment,
        "last_error": None,
        "review_item_id": None,
        "sent_at": None,
        "acknowledged_at": None,
        "updated_at": moment,
    }
    pairs: set[tuple[str, int]] = set()
    for part in slices(sorted(ids)):
        moved = update(Delivery).where(Delivery.id.in_(part)).values(**fresh)
        session.execute(moved, execution_options={"synchronize_session": "fetch"})
        moved_pairs = select(Delivery.target, Delivery.record_id).where(Delivery.id.in_(part))
        pairs.update((target, record) for target, record in session.execute(moved_pairs))
    running: set[tuple[str, int]] = set()
    for part in slices(sorted({record for _, record in pairs})):
        query = select(Delivery.target, Delivery.record_id).where(Delivery.record_id.in_(part), DUE)
        running.update((target, record) for target, record in session.execute(query))
    release_next(session, [_Pair(target, record) for target, record in pairs - running], moment)
    wake.owed(session)


@dataclass(frozen=True)
class _Pair:
    target: str
    record_id: int


def _pending_pairs(session: Session, record_ids: list[int]) -> set[tuple[str, int]]:
    """The (target, record) pairs among these records that have a pending delivery."""
    found: set[tuple[str, int]] = set()
    for part in slices(record_ids):
        query = select(Delivery.target, Delivery.record_id).where(
            Delivery.record_id.in_(part), Delivery.status == "pending"
        )
        found.update((target, record_id) for target, record_id in session.execute(query))
    return found


def delivery_key() -> str:
    """A new delivery's idempotency key: 128 random bits, so nobody can guess another delivery's key from its ids."""
    return secrets.token_urlsafe(16)


@dataclass(frozen=True)
class Outbox:
    """Who is owed what: the workspace's subscriptions (its target files), read once. Every path that makes record
    versions (ingest, replay) takes one, required, so none can make a version and forget to owe it."""

    targets: tuple[TargetConfig, ...] = ()

    @classmethod
    def of(cls, root: Path) -> Outbox:
        """The outbox of the workspace at `root`: its target files as they are now."""
        return cls(tuple(FILES.load(root, name) for name in FILES.names(root)))

    def owed_to(self, source: SourceConfig) -> list[str]:
        """The targets that take `source`'s records."""
        return subscribed(self.targets, source)
