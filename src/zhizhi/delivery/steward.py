"""What a steward does with deliveries: send dead letters again, and resend records a platform says it lacks.

- **Retry** (`retry`): deliveries that are `dead` (or, when asked, `rejected` once the platform has fixed the cause,
  `withheld` once a crosswalk gives their code, `unknown`) go back to `pending` with their attempts counted from
  zero. A decision in the code review queue releases the deliveries withheld for it by itself
  (`zhizhi.delivery.holds`).
- **Resend** (`resend`): the current version of one record, or of every record whose current version was made in a
  period, is owed to the target again: its delivery goes back to `pending` whatever its state, or one is made when
  there is none (a target added after the record came in). The idempotency key stays the same, so a platform that
  has the record drops the copy and one that lost it takes it.

Both work only on records of the actor's departments, and only on records the target takes; both are audited and
every delivery they move is a ledger entry (`delivery.requeued`).

- **Give up** (`give_up`): the deliveries not sent yet (`pending`, `withheld`) to a target whose file was removed
  (a platform retired) are closed as `dead`, each a `delivery.dead` ledger entry with the steward's reason, so the
  outbox no longer owes them and no code decision releases them; those sent already (`sent`, `unknown`: they may
  have arrived) are left as they are. A target whose file is there is refused (its deliveries are sent, or
  retried). A batch being sent at that moment is closed too (a claim looks like a backoff, and the file that said
  how long it lasts is gone); the platform's answer, when it comes, is recorded over the `dead`
  (`zhizhi.delivery.send`), so nothing stays recorded as not arrived that the platform says arrived.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from zhizhi import ledger
from zhizhi.access import Actor, audit
from zhizhi.access.departments import within_scope
from zhizhi.access.roles import require
from zhizhi.delivery import outbox, outcomes, supersede
from zhizhi.delivery.outbox import Owed, owe
from zhizhi.delivery.outcomes import Entries
from zhizhi.delivery.period import Period
from zhizhi.delivery.targets import TargetConfig
from zhizhi.errors import InputError
from zhizhi.ingest.bulk import lock_ingest
from zhizhi.records import record_type
from zhizhi.store.frames import slices
from zhizhi.store.tables import Batch, Delivery, Department, Record, RecordVersion
from zhizhi.store.types import utcnow

RETRYABLE = ("dead", "rejected", "unknown", "withheld")
OWED = ("pending", "withheld")  # not sent yet: what giving up on a removed target closes


@dataclass
class Resent:
    """What a resend did: deliveries sent back to `pending`, and deliveries made where there were none."""

    requeued: int = 0
    created: int = 0


@dataclass(frozen=True)
class Released:
    """What a release did with the deliveries held for an item: queued again, or superseded (a newer version of
    their record reached the target meanwhile: never sent)."""

    queued: int
    superseded: int

    def as_dict(self) -> dict[str, int]:
        return {"released": self.queued, "superseded": self.superseded}


def retry(
    session: Session, actor: Actor, target: TargetConfig, *, ids: list[int] | None = None, status: str = "dead"
) -> Released:
    """Send `status` deliveries of `target` (all, or the ones in `ids`) again from the first attempt; those a newer
    version of their record superseded meanwhile are settled so instead, and counted apart."""
    require(actor, "data.write")
    if status not in RETRYABLE:
        raise InputError(
            f"Only {' or '.join(RETRYABLE)} deliveries are tried again, not `{status}`.",
            zh=f"只有状态为 {' 或 '.join(RETRYABLE)} 的交付可以重试，不能重试 `{status}`。",
        )
    query = (
        select(Delivery)
        .join(Batch, Batch.id == Delivery.batch_id)
        .where(Delivery.target == target.name, Delivery.status == status, within_scope(actor, Batch.department_id))
        .order_by(Delivery.id)
    )
    if ids is not None:
        query = query.where(Delivery.id.in_(ids))
    chosen = list(session.scalars(query))
    missing = sorted(set(ids or ()) - {d.id for d in chosen})
    if missing:
        named = ", ".join(map(str, missing))
        raise InputError(
            f"No {status} delivery to `{target.name}` in your departments has the id {named}: nothing was retried. "
            "See `zhizhi targets list` for its deliveries by state.",
            zh=f"您所在部门没有编号为 {named} 且状态为 {status} 的投递（目标 `{target.name}`），未重试任何投递。"
            "请用 `zhizhi targets list` 查看各状态的投递。",
        )
    moved = requeue(session, chosen, f"retry {status}")
    audit.record(
        session,
        actor,
        "delivery.retry",
        object_type="target",
        object_id=target.name,
        detail={"status": status, "ids": ids, "requeued": moved, "superseded": len(chosen) - moved},
    )
    return Released(moved, len(chosen) - moved)


def resend(
    session: Session,
    actor: Actor,
    target: TargetConfig,
    *,
    record_keys: list[str] | None = None,
    source: str | None = None,
    period: Period | None = None,
) -> Resent:
    """Owe `target` the current version of the chosen records again (by key, or made in `period`)."""
    require(actor, "data.write")
    if not record_keys and period is None:
        raise InputError("Name the records to resend (their keys) or a period.", zh="请指定要重发的记录或期间。")
    lock_ingest(session)  # new deliveries take ids the way ingest does
    wanted = _spelled_out(target, record_keys or [])
    chosen = _current_versions(actor, target, list(wanted), source, period)
    rows = session.execute(chosen).all()
    if record_keys:
        missing = set(record_keys) - {wanted[key] for _, _, key, _ in rows}
        if missing:
            raise InputError(
                f"No record of target `{target.name}`'s record types and sources in your departments has the key "
                + ", ".join(f"`{k}`" for k in sorted(missing))
                + ". Check the key with `zhizhi records list`.",
                zh="在您所在部门、目标 `" + target.name + "` 接收的记录类型和数据源中，找不到键为 "
                + "、".join(f"`{k}`" for k in sorted(missing))
                + " 的记录。请用 `zhizhi records list` 核对键。",
            )
    existing = _deliveries_of(session, target, [version for _, version, _, _ in rows])
    report = Resent(requeued=requeue(session, list(existing.values()), "resend"))
    report.created = _owe_again(session, target, [row for row in rows if row[1] not in existing])
    audit.record(
        session,
        actor,
        "delivery.resend",
        object_type="target",
        object_id=target.name,
        detail={
            "record_keys": record_keys,
            "source": source,
            "period": period.text if period else None,
            "requeued": report.requeued,
            "created": report.created,
        },
    )
    return report


def _deliveries_of(session: Session, target: TargetConfig, versions: list[int]) -> dict[int, Delivery]:
    """The target's deliveries of these versions, by version (looked up in slices: a period can hold many)."""
    found: dict[int, Delivery] = {}
    for part in slices(versions):
        query = select(Delivery).where(Delivery.target == target.name, Delivery.record_version_id.in_(part))
        found.update({d.record_version_id: d for d in session.scalars(query)})
    return found


def _owe_again(session: Session, target: TargetConfig, fresh: list[Any]) -> int:
    """New pending deliveries for versions the target was never owed (record, version, key, batch)."""
    made = owe(
        session, [Owed(target.name, record, version, key, batch) for record, version, key, batch in fresh], utcnow()
    )
    named = select(Delivery.id, Delivery.idempotency_key, Delivery.record_version_id)
    said = {i: (key, version) for part in slices(sorted(made))
            for i, key, version in session.execute(named.where(Delivery.id.in_(part)))}  # fmt: skip
    ledger.append_many(session, [
        ("delivery.requeued", "delivery", delivery_id,
         {"target": target.name, "idempotency_key": said[delivery_id][0], "record_version_id": said[delivery_id][1],
          "why": "new"})
        for delivery_id in made
    ])  # fmt: skip
    return len(made)


def _spelled_out(target: TargetConfig, keys: list[str]) -> dict[str, str]:
    """Stored keys (`uscc=9145...`) for keys as people write them (`9145...`, or already spelled out)."""
    single = {key[0] for spec in map(record_type, target.record_types) for key in spec.keys if len(key) == 1}
    found = {key: key for key in keys}
    for key in keys:
        if "=" not in key:
            found.update({f"{field}={key}": key for field in single})
    return found


def _current_versions(
    actor: Actor, target: TargetConfig, keys: list[str] | None, source: str | None, period: Period | None
) -> Select[int, int, str, int]:
    """(record, current version, key, batch) of the records the target takes, within the actor's departments."""
    query = (
        select(Record.id, RecordVersion.id, Record.key, RecordVersion.batch_id)
        .join(RecordVersion, RecordVersion.id == Record.version_id)
        .join(Batch, Batch.id == RecordVersion.batch_id)
        .join(Department, Department.id == Batch.department_id)
        .where(Record.record_type.in_(target.record_types), within_scope(actor, Batch.department_id))
        .order_by(Record.id)
    )
    if target.filter.sources:
        query = query.where(Record.source.in_(target.filter.sources))
    if target.filter.departments:
        query = query.where(Department.code.in_(target.filter.departments))
    if source is not None:
        query = query.where(Record.source == source)
    if keys:
        query = query.where(Record.key.in_(keys))
    if period is not None:
        query = query.where(RecordVersion.created_at >= period.start, RecordVersion.created_at < period.end)
    return query


def requeue(session: Session, deliveries: Sequence[Delivery], why: str) -> int:
    """Send these deliveries again from the first attempt (in each record's order), each a ledger entry saying why;
    returns how many. One whose record has a newer version that already reached the target is `superseded` instead
    (`zhizhi.delivery.supersede`), never sent."""
    moment = utcnow()
    newer = supersede.of_deliveries(session, deliveries).superseded
    going = [d for d in deliveries if d.id not in newer]
    entries: list[tuple[str, str, str | int, dict[str, Any]]] = [
        (
            "delivery.requeued",
            "delivery",
            delivery.id,
            {
                "target": delivery.target,
                "idempotency_key": delivery.idempotency_key,
                "record_version_id": delivery.record_version_id,
                "was": delivery.status,
                "why": why,
            },
        )
        for delivery in going
    ]
    entries += [supersede.supersede(d, newer[d.id], moment, was=d.status, why=why) for d in deliveries if d.id in newer]
    ledger.append_many(session, entries)
    outbox.requeue(session, [d.id for d in going], moment)
    return len(going)


def give_up(session: Session, actor: Actor, target: str, configured: set[str], *, reason: str) -> int:
    """Close the deliveries not sent yet to `target`, whose file is gone (not among `configured`), as `dead` with
    `reason`, each a ledger entry; returns how many. One in flight takes the platform's answer when it comes."""
    require(actor, "data.write")
    reason = " ".join(reason.split())[:500]
    if not reason:
        raise InputError("Say why the deliveries are given up (--reason).", zh="请说明放弃这些投递的原因（--reason）。")
    if target in configured:
        raise InputError(
            f"Target `{target}` has its file in targets/: its deliveries are sent (or retried), not given up. Remove "
            "or rename its file first if the platform is retired.",
            zh=f"目标 `{target}` 的配置文件仍在 targets/ 中：其投递照常发送或重试，不能放弃。"
            "平台已停用的，请先移除或改名其文件。",
        )
    if session.scalar(select(Delivery.id).where(Delivery.target == target).limit(1)) is None:
        known = sorted(configured | set(session.scalars(select(Delivery.target).distinct())))
        listed = ", ".join(f"`{name}`" for name in known) or "none"
        raise InputError(
            f"No delivery was ever owed to a target `{target}`: nothing was given up. Known targets: {listed}.",
            zh=f"从未有投递属于目标 `{target}`，未放弃任何投递。已知目标：{listed}。",
        )
    query = (
        select(Delivery)
        .join(Batch, Batch.id == Delivery.batch_id)
        .where(Delivery.target == target, Delivery.status.in_(OWED), within_scope(actor, Batch.department_id))
        .order_by(Delivery.id)
        .with_for_update()
    )
    moment, why = utcnow(), f"目标已移除 target removed: {reason}"
    entries: Entries = []
    closed = 0
    for delivery in session.scalars(query):
        delivery.review_item_id = None  # given up for good: no code decision sends it again
        outcomes.give_up(delivery, "dead", moment, why, entries)
        closed += 1
    # a dead letter waiting for a code decision ("no equivalent" decided) is given up with them: unlinked too
    held = select(Delivery.id).join(Batch, Batch.id == Delivery.batch_id).where(
        Delivery.target == target, Delivery.status == "dead", Delivery.review_item_id.is_not(None),
        within_scope(actor, Batch.department_id),
    )  # fmt: skip
    session.execute(update(Delivery).where(Delivery.id.in_(held)).values(review_item_id=None))
    ledger.append_many(session, entries)
    audit.record(session, actor, "delivery.give_up", object_type="target", object_id=target,
                 detail={"closed": closed, "reason": reason})  # fmt: skip
    return closed
