"""The stewards' word on the register: pairs to review, merges, splits, and undoing either.

A decision is about records, not entity ids, so it holds whatever data comes later: `merge` ties two records to one
entity, `apart` keeps two records in different entities (a split is `apart` between the records taken out and the
ones that stay). Decisions are remembered across runs (resolution reads them every time), audited, and undone by
marking them undone — never deleted. The caller runs resolution after deciding, so the register shows the decision
at once.

Who decides: a steward (`data.write`) on records in their department's subtree. A pair across departments can only
be decided by a steward whose subtree holds both (in practice the bureau's); a split needs the records taken out; an
undo needs both records of each decision of the act (a split whole), or to be the steward who made it. Records outside
the caller's scope are answered exactly as records that do not exist, and pairs and decisions about them are not
listed.

Two records are decided once: a pair already decided, or two records with a decision in force, are refused until it is
undone. A merge never puts two credit codes in one entity (see `credit_codes.py`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, NoReturn

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session, aliased

from zhizhi.access import Actor, audit
from zhizhi.access.departments import within_scope
from zhizhi.access.roles import require
from zhizhi.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from zhizhi.privacy.masking import mask_data
from zhizhi.resolve.credit_codes import check_merge_codes
from zhizhi.resolve.register import current_id
from zhizhi.store.frames import among
from zhizhi.store.tables import Batch, EntityLink, Record, RecordVersion, ResolveDecision, ReviewPair
from zhizhi.store.types import iso_utc, utcnow

_WORDS = {"merge": "合并", "merged": "合并", "apart": "不是同一主体"}  # a decision's kind in the review page's words


def list_pairs(
    session: Session, actor: Actor, *, status: str = "open", limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    """Pairs waiting (or decided), most doubtful first, each with both records side by side and why they scored."""
    require(actor, "data.read")
    query = _pairs(actor, status).order_by(ReviewPair.probability.desc(), ReviewPair.id)
    return [pair_detail(session, actor, pair) for pair in session.scalars(query.limit(limit).offset(offset))]


def count_pairs(session: Session, actor: Actor, *, status: str = "open") -> int:
    """How many pairs `list_pairs` has for the actor, over all its pages."""
    require(actor, "data.read")
    return session.scalar(select(func.count()).select_from(_pairs(actor, status).subquery())) or 0


def _pairs(actor: Actor, status: str) -> Select[Any]:
    """The pairs of `status` both of whose records are in the actor's scope; an open one only while it still asks
    something (other evidence, or a steward, may have put its records in one entity already)."""
    scoped = scoped_records(actor)
    query = select(ReviewPair).where(
        ReviewPair.status == status, ReviewPair.record_id_l.in_(scoped), ReviewPair.record_id_r.in_(scoped)
    )
    if status != "open":
        return query
    left, right = aliased(EntityLink), aliased(EntityLink)
    return (
        query.outerjoin(left, left.record_id == ReviewPair.record_id_l)
        .outerjoin(right, right.record_id == ReviewPair.record_id_r)
        .where(or_(left.entity_id.is_(None), right.entity_id.is_(None), left.entity_id != right.entity_id))
    )


def pair_detail(session: Session, actor: Actor, pair: ReviewPair) -> dict[str, Any]:
    return {
        "id": pair.id,
        "probability": pair.probability,
        "why": json.loads(pair.why) if pair.why and pair.why.startswith("{") else pair.why,
        "status": pair.status,
        "left": _side(session, pair.record_id_l),
        "right": _side(session, pair.record_id_r),
    }


def _side(session: Session, record_id: int) -> dict[str, Any]:
    record = session.get(Record, record_id)
    assert record is not None
    version = session.get(RecordVersion, record.version_id)
    link = session.get(EntityLink, record_id)
    return {
        "record_id": record_id,
        "record_type": record.record_type,
        "source": record.source,
        "entity_id": link.entity_id if link else None,
        "data": mask_data(record.record_type, json.loads(version.data)) if version else {},
    }


def decide_pair(session: Session, actor: Actor, pair_id: int, kind: str, reason: str) -> ResolveDecision:
    """A steward's answer to a review pair: `merge` (the same entity) or `apart`."""
    require(actor, "data.write")
    pair = session.get(ReviewPair, pair_id)
    if pair is None or _outside(session, actor, [pair.record_id_l, pair.record_id_r]):
        raise NotFoundError(
            f"No review pair {pair_id} in your scope. See `zhizhi review list`.",
            zh=f"您的权限范围内没有待审记录对 {pair_id}。",
        )
    if pair.status != "open":
        raise ConflictError(
            f"Pair {pair_id} was already decided by decision {pair.decision_id} ({pair.status}): undo it first "
            f"(`zhizhi review undo {pair.decision_id} --reason ...`, or 撤销 on the review page).",
            zh=f"记录对 {pair_id} 已由决定 {pair.decision_id} 处理（{_WORDS.get(pair.status, pair.status)}）："
            "如需改变，请先撤销该决定。",
        )
    pairs = [(pair.record_id_l, pair.record_id_r)]
    _check_undecided(session, pairs)
    return _decide(session, actor, kind, pairs, reason)[0]


def split(
    session: Session, actor: Actor, record_ids: list[int], reason: str, *, entity_id: int | None = None
) -> list[ResolveDecision]:
    """Take these records out of their entity (`entity_id`, when given, must be theirs) into one of their own.

    The records taken out must be in the actor's scope; they are kept `apart` from every record that stays.
    """
    require(actor, "data.write")
    _check_records(session, actor, record_ids)
    links = session.scalars(select(EntityLink).where(EntityLink.record_id.in_(record_ids))).all()
    entities = {link.entity_id for link in links}
    if len(links) != len(set(record_ids)) or len(entities) != 1:
        raise InputError(
            "Name records of one entity to split off (see `zhizhi entities show ID`).",
            zh="请指定同一主体下要拆分出去的记录。",
        )
    if entity_id is not None and current_id(session, entity_id) not in entities:
        raise NotFoundError(
            f"Records {_listed(record_ids)} are not records of entity {entity_id}. See `zhizhi entities show "
            f"{entity_id}`.",
            zh=f"记录 {_listed(record_ids)} 不属于主体 {entity_id}。",
        )
    staying = session.scalars(
        select(EntityLink.record_id).where(
            EntityLink.entity_id == entities.pop(), EntityLink.record_id.not_in(record_ids)
        )
    ).all()
    if not staying:
        raise InputError("Those are all the entity's records: nothing would stay.", zh="这些已是该主体的全部记录。")
    # The records that stay may be other departments': the split is a word about the records taken out.
    return _decide(session, actor, "apart", [(a, b) for a in record_ids for b in staying], reason)


def decide(
    session: Session, actor: Actor, kind: str, pairs: list[tuple[int, int]], reason: str
) -> list[ResolveDecision]:
    """Record `merge` or `apart` for record pairs; audited. Both records of each pair must be in the actor's scope."""
    require(actor, "data.write")
    _check_input(kind, pairs, reason)
    _check_records(session, actor, [n for pair in pairs for n in pair])
    _check_undecided(session, pairs)
    return _decide(session, actor, kind, pairs, reason)


def _check_undecided(session: Session, pairs: list[tuple[int, int]]) -> None:
    """Refuse pairs of records that have a decision in force: deciding again would leave both in force (an `apart`
    wins), while the answer said otherwise."""
    ordered = [tuple(sorted(pair)) for pair in pairs]
    same = or_(*((ResolveDecision.record_id_l == low) & (ResolveDecision.record_id_r == high) for low, high in ordered))
    found = session.scalars(select(ResolveDecision).where(same, ResolveDecision.undone_at.is_(None)).limit(1)).first()
    if found is not None:
        records = f"{found.record_id_l} and {found.record_id_r}"
        raise ConflictError(
            f"Records {records} were already decided by decision {found.id} ({found.kind}): undo it first "
            f"(`zhizhi review undo {found.id} --reason ...`, or 撤销 on the review page).",
            zh=f"记录 {found.record_id_l}、{found.record_id_r} 已由决定 {found.id} 处理（{_WORDS[found.kind]}）："
            "如需改变，请先撤销该决定。",
        )


def _check_input(kind: str, pairs: list[tuple[int, int]], reason: str) -> None:
    if kind not in ("merge", "apart"):
        raise InputError(
            f"A decision is `merge` or `apart`, not `{kind}`.",
            zh=f"决定只能是 `merge`（合并）或 `apart`（分开），不能是 `{kind}`。",
        )
    if len(reason.strip()) < 2:
        raise InputError(
            "Say why, in a few words (two characters at least): the reason is kept with the decision.",
            zh="请用几个字说明决定的理由（至少两个字）：理由与决定一并保存。",
        )
    if any(left == right for left, right in pairs):
        raise InputError(
            "A record is always its own entity: name two different records.",
            zh="一条记录总与它自己属于同一主体：请给出两条不同的记录。",
        )


def _decide(
    session: Session, actor: Actor, kind: str, pairs: list[tuple[int, int]], reason: str
) -> list[ResolveDecision]:
    _check_input(kind, pairs, reason)
    if kind == "merge":
        check_merge_codes(session, pairs)
    now = utcnow()
    made = []
    for left, right in pairs:
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
    _settle_pairs(session, made)
    audit.record(
        session,
        actor,
        f"register.{kind}",
        object_type="resolve_decision",
        object_id=made[0].id if made else None,
        detail={"pairs": pairs, "reason": reason, "decisions": [d.id for d in made]},
    )
    return made


def _settle_pairs(session: Session, made: list[ResolveDecision]) -> None:
    """The waiting review pairs of the decided records are answered by the decisions (an undo reopens them)."""
    by_records = {(d.record_id_l, d.record_id_r): d for d in made}
    lows = sorted({d.record_id_l for d in made})
    waiting = select(ReviewPair).where(ReviewPair.status == "open")
    for condition in among(session, ReviewPair.record_id_l, lows):
        for pair in session.scalars(waiting.where(condition)):
            decision = by_records.get((pair.record_id_l, pair.record_id_r))
            if decision is not None:
                pair.status, pair.decision_id = "merged" if decision.kind == "merge" else "apart", decision.id


def undo(session: Session, actor: Actor, decision_ids: list[int], reason: str) -> int:
    """Undo decisions (they stay on record, marked undone); review pairs they settled wait again.

    Each must be the actor's own, or about two records in the actor's scope; otherwise nothing is undone.
    """
    require(actor, "data.write")
    if len(reason.strip()) < 2:
        raise InputError("Say why, in a few words: the reason is kept in the audit trail.", zh="请填写撤销的理由。")
    query = select(ResolveDecision).where(ResolveDecision.id.in_(decision_ids), _decision_in_scope(actor))
    found = list(session.scalars(query))
    missing = sorted(set(decision_ids) - {d.id for d in found})
    if missing:
        raise NotFoundError(
            f"No decision {_listed(missing)} in your scope: nothing was undone. See `zhizhi review decisions`.",
            zh=f"您的权限范围内没有决定 {_listed(missing)}，未撤销任何决定。",
        )
    found = _whole_acts(session, actor, found)
    ids = sorted(d.id for d in found)
    now = utcnow()
    undone = 0
    for decision in found:
        if decision.undone_at is None:
            decision.undone_at, decision.undone_by = now, actor.name
            undone += 1
    for pair in session.scalars(select(ReviewPair).where(ReviewPair.decision_id.in_(ids))):
        pair.status, pair.decision_id = "open", None
    audit.record(session, actor, "register.undo", object_type="resolve_decision", detail={"ids": ids, "reason": reason})
    return undone


def _whole_acts(session: Session, actor: Actor, found: list[ResolveDecision]) -> list[ResolveDecision]:
    """The decisions with every other of their acts still in force: a split is an `apart` for each pair of a record
    taken out and one that stayed, made at once; undoing a part of it would leave the rest in force, unseen. An act
    with a part out of the actor's reach (another department's records, another steward's split) is refused whole."""
    acts = {(d.kind, d.decided_by, d.decided_at, d.reason) for d in found if d.kind == "apart"}
    more: dict[int, ResolveDecision] = {d.id: d for d in found}
    for kind, by, at, why in acts:
        same = select(ResolveDecision).where(
            ResolveDecision.kind == kind, ResolveDecision.decided_by == by, ResolveDecision.decided_at == at,
            ResolveDecision.reason == why, ResolveDecision.undone_at.is_(None),
        )  # fmt: skip
        act = {d.id: d for d in session.scalars(same)}
        if _beyond_reach(session, actor, list(act.values())):
            _refuse_part(sorted(d.id for d in found if d.id in act), by)
        more |= act
    return list(more.values())


def _beyond_reach(session: Session, actor: Actor, act: list[ResolveDecision]) -> bool:
    """Whether some decision of the act is neither the actor's own nor about two records in the actor's scope."""
    others = [d for d in act if d.decided_by != actor.name]
    outside = set(_outside(session, actor, [n for d in others for n in (d.record_id_l, d.record_id_r)]))
    return any(d.record_id_l in outside or d.record_id_r in outside for d in others)


def _refuse_part(named: list[int], by: str) -> NoReturn:
    """Refuse undoing the `named` decisions, part of `by`'s act whose other parts are out of the caller's reach."""
    raise PermissionDeniedError(
        f"Decision {_listed(named)} is part of a split by `{by}` that also keeps apart records outside your scope: "
        f"nothing was undone. Ask `{by}`, or a steward whose scope holds all of its records, to undo it.",
        zh=f"决定 {_listed(named)} 属于 {by} 的一次拆分，该拆分还涉及您权限范围以外的记录：未撤销任何决定。"
        f"请由 {by} 或权限范围涵盖其全部记录的数据管理员撤销。",
    )


def decisions(session: Session, actor: Actor, *, limit: int = 100) -> list[dict[str, Any]]:
    """The latest decisions, undone ones included."""
    require(actor, "data.read")
    query = select(ResolveDecision).where(_decision_in_scope(actor))
    rows = session.scalars(query.order_by(ResolveDecision.id.desc()).limit(limit))
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


def scoped_records(actor: Actor) -> Select[Any]:
    """The ids of the records the actor's departments own (by the batch of their current version)."""
    return (
        select(Record.id)
        .join(RecordVersion, RecordVersion.id == Record.version_id)
        .join(Batch, Batch.id == RecordVersion.batch_id)
        .where(within_scope(actor, Batch.department_id))
    )


def _outside(session: Session, actor: Actor, record_ids: Iterable[int]) -> list[int]:
    """Of these ids, those that name no record in the actor's scope (missing ones included), in order."""
    wanted = sorted(set(record_ids))
    inside: set[int] = set(session.scalars(scoped_records(actor).where(Record.id.in_(wanted))))
    return [n for n in wanted if n not in inside]


def _check_records(session: Session, actor: Actor, record_ids: Iterable[int]) -> None:
    outside = _outside(session, actor, record_ids)
    if outside:
        raise NotFoundError(
            f"No record {_listed(outside)} in your scope. See `zhizhi records list`.",
            zh=f"您的权限范围内没有记录 {_listed(outside)}。",
        )


def _decision_in_scope(actor: Actor) -> ColumnElement[bool]:
    scoped = scoped_records(actor)
    both = ResolveDecision.record_id_l.in_(scoped) & ResolveDecision.record_id_r.in_(scoped)
    return or_(both, ResolveDecision.decided_by == actor.name)


def _listed(ids: Iterable[int]) -> str:
    return ", ".join(str(n) for n in ids)
