"""The stewards' word on the register: pairs to review, merges, splits, and undoing either.

A decision is about records, not entity ids, so it holds whatever data comes later: `merge` ties two records to one
entity, `apart` keeps two records in different entities (a split is `apart` between the records taken out and the
ones that stay). Decisions are remembered across runs (resolution reads them every time), audited, and undone by
marking them undone — never deleted. The caller runs resolution after deciding, so the register shows the decision
at once.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.access import Actor, audit
from zhizhi.access.roles import require
from zhizhi.errors import InputError, NotFoundError
from zhizhi.records.history import masked
from zhizhi.store.tables import EntityLink, Record, RecordVersion, ResolveDecision, ReviewPair
from zhizhi.store.types import iso_utc, utcnow


def list_pairs(session: Session, actor: Actor, *, status: str = "open", limit: int = 100) -> list[dict[str, Any]]:
    """Pairs waiting (or decided), most doubtful first, each with both records side by side and why they scored."""
    require(actor, "data.read")
    pairs = session.scalars(
        select(ReviewPair)
        .where(ReviewPair.status == status)
        .order_by(ReviewPair.probability.desc(), ReviewPair.id)
        .limit(limit)
    ).all()
    details = [pair_detail(session, actor, pair) for pair in pairs]
    if status != "open":
        return details
    # A pair whose records other evidence (or a steward) already put in one entity asks nothing any more.
    return [d for d in details if d["left"]["entity_id"] is None or d["left"]["entity_id"] != d["right"]["entity_id"]]


def pair_detail(session: Session, actor: Actor, pair: ReviewPair) -> dict[str, Any]:
    return {
        "id": pair.id,
        "probability": pair.probability,
        "why": json.loads(pair.why) if pair.why and pair.why.startswith("{") else pair.why,
        "status": pair.status,
        "left": _side(session, actor, pair.record_id_l),
        "right": _side(session, actor, pair.record_id_r),
    }


def _side(session: Session, actor: Actor, record_id: int) -> dict[str, Any]:
    record = session.get(Record, record_id)
    assert record is not None
    version = session.get(RecordVersion, record.version_id)
    link = session.get(EntityLink, record_id)
    return {
        "record_id": record_id,
        "record_type": record.record_type,
        "source": record.source,
        "entity_id": link.entity_id if link else None,
        "data": masked(actor, record.record_type, json.loads(version.data)) if version else {},
    }


def decide_pair(session: Session, actor: Actor, pair_id: int, kind: str, reason: str) -> ResolveDecision:
    """A steward's answer to a review pair: `merge` (the same entity) or `apart`."""
    pair = session.get(ReviewPair, pair_id)
    if pair is None:
        raise NotFoundError(f"No review pair {pair_id}. See `zhizhi review list`.", zh=f"没有待审记录对 {pair_id}。")
    decision = decide(session, actor, kind, [(pair.record_id_l, pair.record_id_r)], reason)[0]
    pair.status, pair.decision_id = "merged" if kind == "merge" else "apart", decision.id
    return decision


def split(session: Session, actor: Actor, record_ids: list[int], reason: str) -> list[ResolveDecision]:
    """Take these records out of their entity into one of their own: `apart` from every record that stays."""
    links = session.scalars(select(EntityLink).where(EntityLink.record_id.in_(record_ids))).all()
    entities = {link.entity_id for link in links}
    if len(links) != len(set(record_ids)) or len(entities) != 1:
        raise InputError(
            "Name records of one entity to split off (see `zhizhi entities show ID`).",
            zh="请指定同一主体下要拆分出去的记录。",
        )
    staying = session.scalars(
        select(EntityLink.record_id).where(
            EntityLink.entity_id == entities.pop(), EntityLink.record_id.not_in(record_ids)
        )
    ).all()
    if not staying:
        raise InputError("Those are all the entity's records: nothing would stay.", zh="这些已是该主体的全部记录。")
    return decide(session, actor, "apart", [(a, b) for a in record_ids for b in staying], reason)


def decide(
    session: Session, actor: Actor, kind: str, pairs: list[tuple[int, int]], reason: str
) -> list[ResolveDecision]:
    """Record `merge` or `apart` for record pairs; audited."""
    require(actor, "data.write")
    if kind not in ("merge", "apart"):
        raise InputError(f"A decision is `merge` or `apart`, not `{kind}`.")
    if len(reason.strip()) < 2:
        raise InputError("Say why, in a few words: the reason is kept with the decision.", zh="请填写决定的理由。")
    now = utcnow()
    made = []
    for left, right in pairs:
        if left == right:
            raise InputError("A record is always its own entity: name two different records.")
        low, high = sorted((left, right))
        decision = ResolveDecision(
            kind=kind,
            record_id_l=low,
            record_id_r=high,
            reason=reason.strip()[:500],
            decided_by=actor.name,
            decided_at=now,
        )
        session.add(decision)
        made.append(decision)
    session.flush()
    audit.record(
        session,
        actor,
        f"register.{kind}",
        object_type="resolve_decision",
        object_id=made[0].id if made else None,
        detail={"pairs": pairs, "reason": reason, "decisions": [d.id for d in made]},
    )
    return made


def undo(session: Session, actor: Actor, decision_ids: list[int], reason: str) -> int:
    """Undo decisions (they stay on record, marked undone); review pairs they settled wait again."""
    require(actor, "data.write")
    if len(reason.strip()) < 2:
        raise InputError("Say why, in a few words: the reason is kept in the audit trail.", zh="请填写撤销的理由。")
    now = utcnow()
    undone = 0
    for decision in session.scalars(select(ResolveDecision).where(ResolveDecision.id.in_(decision_ids))):
        if decision.undone_at is None:
            decision.undone_at, decision.undone_by = now, actor.name
            undone += 1
    for pair in session.scalars(select(ReviewPair).where(ReviewPair.decision_id.in_(decision_ids))):
        pair.status, pair.decision_id = "open", None
    audit.record(
        session, actor, "register.undo", object_type="resolve_decision", detail={"ids": decision_ids, "reason": reason}
    )
    return undone


def decisions(session: Session, actor: Actor, *, limit: int = 100) -> list[dict[str, Any]]:
    """The latest decisions, undone ones included."""
    require(actor, "data.read")
    rows = session.scalars(select(ResolveDecision).order_by(ResolveDecision.id.desc()).limit(limit))
    return [
        {
            "id": d.id,
            "kind": d.kind,
            "records": [d.record_id_l, d.record_id_r],
            "reason": d.reason,
            "decided_by": d.decided_by,
            "decided_at": iso_utc(d.decided_at),
            "undone_at": iso_utc(d.undone_at),
        }
        for d in rows
    ]
