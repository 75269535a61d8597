"""A record's older version never reaches a platform after a newer one.

A delivery whose record has a newer version that already reached the target (`sent`, `acknowledged`, `rejected`)
or may have (`unknown`) does not go out: it is `superseded` (已被新版本取代), settled, with a ledger entry
(`delivery.superseded`) naming the newer version. This is checked where an older delivery can come back after a
newer one went: when a steward releases or requeues it (`zhizhi.delivery.steward.requeue`, the code decision
included) and at the claim (`zhizhi.delivery.send`). One delivery whose record has a newer version pending ahead of
it (due, in backoff or being sent) waits, as the in-order rule says (`zhizhi.delivery.outbox.release_next`), and is
checked again once that one settled: superseded when it arrived, sent when it never could (`dead`).

A delivery of its record's current version (the common case) needs no check; each other costs one look-up of its
record's deliveries (the index on `record_id`): the cost is that of the claimed batch or the released deliveries,
whatever the backlog.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from zhizhi.store.frames import slices
from zhizhi.store.tables import Delivery, Record, RecordVersion

REACHED = ("sent", "acknowledged", "rejected", "unknown")  # a newer version reached the platform, or may have


@dataclass(frozen=True)
class Newer:
    """A later delivery of the same record and target: its id, version and state."""

    delivery_id: int
    record_version_id: int
    version: int
    status: str

    def reason(self) -> str:
        """Why the older delivery does not go out, in Chinese and English (its `last_error`)."""
        return (
            f"已被新版本取代：第 {self.version} 版（交付 {self.delivery_id}）已{_REACHED_ZH[self.status]}。"
            f" / Superseded by a newer version: version {self.version} (delivery {self.delivery_id}) "
            f"was {_REACHED_EN[self.status]}."
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "delivery_id": self.delivery_id,
            "record_version_id": self.record_version_id,
            "version": self.version,
            "status": self.status,
        }


_REACHED_ZH = {
    "sent": "发送",
    "acknowledged": "被平台确认",
    "rejected": "送达（被拒收）",
    "unknown": "发送（送达未知）",
}
_REACHED_EN = {
    "sent": "sent",
    "acknowledged": "acknowledged",
    "rejected": "delivered (and rejected)",
    "unknown": "sent (it may have arrived)",
}


@dataclass(frozen=True)
class Older:
    """A delivery about to go: its id, record, version number and the record's current version number."""

    delivery_id: int
    record_id: int
    version: int
    current: int


@dataclass
class Found:
    """Of the deliveries looked at: those a newer version supersedes, and those a newer pending one goes ahead of."""

    superseded: dict[int, Newer]
    behind: dict[int, Newer]


def newer_versions(session: Session, target: str, going: Iterable[Older]) -> Found:
    """Which of these deliveries to `target` a newer version of their record supersedes (the newest that reached the
    platform), and which wait behind a newer pending one that is not itself held.

    A delivery of its record's current version has nothing newer and costs nothing; the others cost one look-up of
    their record's deliveries each (`later_query`).
    """
    chosen = [older for older in going if older.version < older.current]
    later: dict[int, list[Newer]] = {}  # record -> its deliveries to the target that count
    for record_id in sorted({older.record_id for older in chosen}):
        rows = session.execute(later_query(record_id))
        later[record_id] = [Newer(*row[1:]) for row in rows if row[0] == target]
    found = Found({}, {})
    for older in chosen:
        newer = [n for n in later[older.record_id] if n.version > older.version]
        reached = [n for n in newer if n.status in REACHED]
        if reached:
            found.superseded[older.delivery_id] = max(reached, key=lambda n: n.version)
        elif newer:
            found.behind[older.delivery_id] = max(newer, key=lambda n: n.version)
    return found


def later_query(record_id: int) -> Select[str, int, int, int, str]:
    """A record's deliveries that reached the platform or are pending and not held, with their targets and version
    numbers: one look-up of the index on `record_id` (a few rows), whatever the backlog and the statistics.

    One record at a time: for a list of records, PostgreSQL without fresh statistics (a burst just came in) guesses
    a large share of the table and reads all of it. The target is left out on purpose: given it, SQLite reads every
    delivery of the target by the unique index (target, record_version_id) instead.
    """
    return (
        select(Delivery.target, Delivery.id, Delivery.record_version_id, RecordVersion.version, Delivery.status)
        .join(RecordVersion, RecordVersion.id == Delivery.record_version_id)
        .where(
            Delivery.record_id == record_id,
            or_(Delivery.status.in_(REACHED), and_(Delivery.status == "pending", Delivery.held.is_(False))),
        )
    )


def of_deliveries(session: Session, deliveries: Iterable[Delivery]) -> Found:
    """`newer_versions` for deliveries of any targets (a steward's release or requeue)."""
    chosen = list(deliveries)
    versions: dict[int, int] = {}
    for part in slices(sorted({d.record_version_id for d in chosen})):
        query = select(RecordVersion.id, RecordVersion.version).where(RecordVersion.id.in_(part))
        versions.update((int(i), int(v)) for i, v in session.execute(query))
    current: dict[int, int] = {}
    for part in slices(sorted({d.record_id for d in chosen})):
        query = select(Record.id, Record.version).where(Record.id.in_(part))
        current.update((int(i), int(v)) for i, v in session.execute(query))
    by_target: dict[str, list[Older]] = defaultdict(list)
    for d in chosen:
        by_target[d.target].append(Older(d.id, d.record_id, versions[d.record_version_id], current[d.record_id]))
    found = Found({}, {})
    for target, olders in by_target.items():
        each = newer_versions(session, target, olders)
        found.superseded.update(each.superseded)
        found.behind.update(each.behind)
    return found


def supersede(
    delivery: Delivery, newer: Newer, moment: datetime, **more: str
) -> tuple[str, str, str | int, dict[str, Any]]:
    """Settle a delivery as `superseded` by `newer`; returns its ledger entry (`delivery.superseded`, with `more`:
    what it was and why a steward moved it)."""
    delivery.status, delivery.held, delivery.next_attempt_at = "superseded", False, None
    delivery.last_error, delivery.updated_at = newer.reason(), moment
    payload = {
        "target": delivery.target,
        "idempotency_key": delivery.idempotency_key,
        "record_version_id": delivery.record_version_id,
        "attempt": delivery.attempts,
        "reason": delivery.last_error,
        "newer": newer.as_dict(),
    } | more
    return ("delivery.superseded", "delivery", delivery.id, payload)


def withdraw(delivery: Delivery, why: str, moment: datetime, **more: str) -> tuple[str, str, str | int, dict[str, Any]]:
    """Settle a delivery not sent yet as `superseded` with no newer version: what it carries was taken back before it
    went (an answer to a ticket that left the case it answered); returns its ledger entry (`delivery.superseded`)."""
    delivery.status, delivery.held, delivery.next_attempt_at = "superseded", False, None
    delivery.last_error, delivery.updated_at = why, moment
    payload = {
        "target": delivery.target,
        "idempotency_key": delivery.idempotency_key,
        "record_version_id": delivery.record_version_id,
        "attempt": delivery.attempts,
        "reason": why,
        "newer": None,
    } | more
    return ("delivery.superseded", "delivery", delivery.id, payload)
