"""Visits: who may see one (the organiser's subtree, the target's office's, the departments whose items it carries,
and its team), what a visit page shows, and the changes after the draw (`assign`): a planned day, a team member
replaced by the next inspector of the draw's own order for that target, or two visits to one target merged into one
(one team, every department's items: a joint visit).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.orm import Session

from zhizhi import ledger
from zhizhi.access import audit
from zhizhi.access.departments import within_scope
from zhizhi.access.roles import Actor, require
from zhizhi.config import Workspace
from zhizhi.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from zhizhi.inspections import algorithm, joins, snapshot
from zhizhi.inspections.inspectors import not_drawable, qualifications_of
from zhizhi.privacy.masking import mask_known
from zhizhi.records.inspection import RESULTS
from zhizhi.resolve.register import current_id, merged_ids
from zhizhi.store.tables import (
    Department,
    Entity,
    InspectionDraw,
    InspectionItem,
    InspectionVisit,
    Inspector,
    InspectorRelation,
    User,
    VisitInspector,
    VisitItem,
)
from zhizhi.store.types import iso_utc, local_today, utcnow

STATUS_WORDS = {"assigned": ("待检查", "to inspect"), "done": ("已检查", "inspected"), "merged": ("已合并", "merged")}
ACKNOWLEDGEMENTS = {
    "signed": ("当事人已签字确认", "signed by the firm"),
    "refused": ("当事人拒绝签字", "the firm refused to sign"),
    "absent": ("无人在场（未找到当事人）", "nobody present"),
}
RESULTS_EN = {
    "pass": "no problem found",
    "rectify": "ordered to rectify",
    "fail": "failed",
    "not_found": "not found at its address",
}


def visible(actor: Actor) -> ColumnElement[bool]:
    """A filter on visits: those the actor may see (all for the operator). The target's own office sees a visit once
    it is inspected, not before: its people are kept off the team, and nobody there should tip the firm off."""
    if actor.is_operator:
        return true()
    on_team = select(VisitInspector.visit_id).where(
        VisitInspector.user_id == (actor.user_id or 0), VisitInspector.removed_at.is_(None)
    )
    items = select(VisitItem.visit_id).where(within_scope(actor, VisitItem.department_id))
    return or_(
        within_scope(actor, InspectionVisit.department_id),
        and_(within_scope(actor, InspectionVisit.office_id), InspectionVisit.status == "done"),
        InspectionVisit.id.in_(items),
        InspectionVisit.id.in_(on_team),
    )


def get_visit(session: Session, actor: Actor, number: str) -> InspectionVisit:
    """A visit the actor may see."""
    require(actor, "data.read")
    visit = session.scalar(select(InspectionVisit).where(InspectionVisit.number == number, visible(actor)))
    if visit is None:
        raise NotFoundError(
            f"No visit `{number}` in your scope. See `zhizhi inspections visits`.",
            zh=f"在您的权限范围内没有检查任务 `{number}`。",
        )
    return visit


def team_of(session: Session, visit: InspectionVisit, *, current: bool = True) -> list[int]:
    """The user ids of the visit's team in order (with those removed when not `current`)."""
    query = select(VisitInspector.user_id).where(VisitInspector.visit_id == visit.id)
    if current:
        query = query.where(VisitInspector.removed_at.is_(None))
    return list(session.scalars(query.order_by(VisitInspector.position)))


def may_record(session: Session, actor: Actor, visit: InspectionVisit) -> bool:
    """Results are entered by the visit's team, or by a steward of the organiser's subtree (or the operator)."""
    if actor.is_operator or (actor.user_id is not None and actor.user_id in team_of(session, visit)):
        return True
    organiser = session.get_one(Department, visit.department_id)
    return actor.can("data.write") and actor.covers(organiser.path)


def may_assign(session: Session, actor: Actor, visit: InspectionVisit) -> None:
    """Plans are changed by a steward of the organiser's subtree (or the operator)."""
    organiser = session.get_one(Department, visit.department_id)
    if not (actor.is_operator or (actor.can("data.write") and actor.covers(organiser.path))):
        raise PermissionDeniedError(
            f"Only a steward of `{organiser.code}` (the visit's organiser) changes visit `{visit.number}`.",
            zh=f"只有组织部门（{organiser.name}）的数据管理员可以调整检查任务 `{visit.number}`。",
        )


def may_change(session: Session, actor: Actor, visit: InspectionVisit) -> bool:
    """Whether `actor` may change the visit now (`may_assign`, and the visit still to be inspected, as `assign`
    requires): the visit page shows its forms then."""
    try:
        may_assign(session, actor, visit)
    except PermissionDeniedError:
        return False
    return visit.status == "assigned"


def list_visits(
    session: Session,
    actor: Actor,
    *,
    draw: str | None = None,
    status: str | None = None,
    mine: bool = False,
    entity_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Visits the actor may see, by draw rank (newest draws first); `mine`: those the actor is on the team of."""
    require(actor, "data.read")
    query = select(InspectionVisit, InspectionDraw.number).outerjoin(
        InspectionDraw, InspectionDraw.id == InspectionVisit.draw_id
    )
    query = query.where(visible(actor))
    if draw:
        query = query.where(InspectionDraw.number == draw)
    if status:
        query = query.where(InspectionVisit.status == status)
    if entity_id is not None:
        query = query.where(InspectionVisit.entity_id == entity_id)
    if mine:
        query = query.where(
            InspectionVisit.id.in_(
                select(VisitInspector.visit_id).where(
                    VisitInspector.user_id == (actor.user_id or 0), VisitInspector.removed_at.is_(None)
                )
            )
        )
    query = query.order_by(InspectionVisit.draw_id.desc(), InspectionVisit.rank, InspectionVisit.id)
    rows = session.execute(query.limit(limit).offset(offset)).all()
    results = _visit_results(session, [v.id for v, _ in rows])
    return [
        {
            "number": v.number,
            "draw": n,
            "entity_id": v.entity_id,
            "entity_name": v.entity_name,
            "risk_class": v.risk_class,
            "status": v.status,
            "planned_on": v.planned_on.isoformat() if v.planned_on else None,
            "inspected_on": v.inspected_on.isoformat() if v.inspected_on else None,
            "result": results.get(v.id),
            "publish_by": v.publish_by.isoformat() if v.publish_by else None,
            "published_at": iso_utc(v.published_at),
        }
        for v, n in rows
    ]


ORDER = ("not_found", "fail", "rectify", "pass")


def visit_checks(session: Session, visit: InspectionVisit) -> list[tuple[VisitItem, InspectionItem]]:
    """The visit's items with their catalogue entries, by item code."""
    query = (
        select(VisitItem, InspectionItem)
        .join(InspectionItem, InspectionItem.id == VisitItem.item_id)
        .where(VisitItem.visit_id == visit.id)
        .order_by(InspectionItem.code)
    )
    return [(check, item) for check, item in session.execute(query)]


def overall(results: list[str | None]) -> str | None:
    """One result for several items: not found, else the worst finding; None while any item is open."""
    if not results or any(r is None for r in results):
        return None
    return next(r for r in ORDER if r in results)


def _visit_results(session: Session, ids: list[int]) -> dict[int, str | None]:
    found: dict[int, list[str | None]] = {}
    for visit_id, result in session.execute(
        select(VisitItem.visit_id, VisitItem.result).where(VisitItem.visit_id.in_(ids))
    ):
        found.setdefault(visit_id, []).append(result)
    return {k: overall(v) for k, v in found.items()}


def assign(
    session: Session,
    actor: Actor,
    workspace: Workspace,
    number: str,
    *,
    planned_on: date | None = None,
    replace: str | None = None,
    reason: str = "",
    merge: str | None = None,
) -> dict[str, Any]:
    """Plan a visit's day, replace a team member (with a reason) by the draw's next inspector for the target, or
    merge another visit to the same target into it (its items and photos join this visit). Audited."""
    require(actor, "data.write")
    visit = get_visit(session, actor, number)
    may_assign(session, actor, visit)
    if visit.status != "assigned":
        raise ConflictError(
            f"Visit `{number}` is {visit.status}: only a visit still to be inspected changes.",
            zh=f"检查任务 `{number}` 已{STATUS_WORDS[visit.status][0]}，不能再调整。",
        )
    done: dict[str, Any] = {}
    if planned_on is not None:
        if planned_on < local_today():
            raise InputError(f"`{planned_on}` is past: plan a day from today on.",
                             zh=f"计划检查日期 `{planned_on}` 已过，请选今天或以后的日期。")  # fmt: skip
        visit.planned_on = planned_on
        done["planned_on"] = planned_on.isoformat()
    if replace:
        done["replaced"] = _replace(session, actor, workspace, visit, replace, reason)
    if merge:
        done["merged"] = _merge(session, actor, workspace, visit, merge)
    if not done:
        raise InputError(
            "Say what to change: a day, a member to replace, or a visit to merge.",
            zh="请说明要调整的内容：计划日期、更换人员或合并检查任务。",
        )
    audited = done
    if "replaced" in done:  # why a member left, as the team's lists show it: numbers and the firm's people masked
        people = (visit.acknowledged_by, legal_representatives(session, [visit.entity_id]).get(visit.entity_id))
        replaced = done["replaced"]
        audited = done | {"replaced": replaced | {"reason": mask_known(replaced["reason"], people)}}
    audit.record(
        session, actor, "inspection_visit.assign", object_type="inspection_visit", object_id=number, detail=audited
    )
    return done


def _replace(
    session: Session, actor: Actor, workspace: Workspace, visit: InspectionVisit, username: str, reason: str
) -> dict[str, Any]:
    if not 2 <= len(reason.strip()) <= 200:
        raise InputError(
            "Give the reason for the replacement (2-200 characters), e.g. 病假.",
            zh="更换检查人员须说明原因（2-200字），如“病假”。",
        )
    user = session.scalar(select(User).where(User.username == username))
    member = session.get(VisitInspector, (visit.id, user.id)) if user else None
    if user is None or member is None or member.removed_at is not None:
        raise NotFoundError(
            f"`{username}` is not on the team of visit `{visit.number}`.",
            zh=f"`{username}` 不是检查任务 `{visit.number}` 的检查人员。",
        )
    draw, found, skipped = next_replacement(session, workspace, visit)
    if found is None:
        command = f"zhizhi inspections staff {draw.number} --visit {visit.number} --reason ..."
        raise ConflictError(
            f"No inspector is left for visit `{visit.number}` in the draw's order (all on the team, replaced, in "
            "conflict or unavailable). Add or certify inspectors in the register, then give the visit a new team by "
            f"a staffing draw: `{command}`.",
            zh=f"检查任务 `{visit.number}` 已无可替换的检查人员。请在检查人员名录库中增补或登记执法证后，"
            f"通过补充抽取为该任务重新抽取检查组：`{command}`。",
        )
    reason = reason.strip()
    member.removed_at, member.removed_reason, member.removed_by = utcnow(), reason, actor.name
    position = max(
        p for p in session.scalars(select(VisitInspector.position).where(VisitInspector.visit_id == visit.id))
    )
    session.add(VisitInspector(visit_id=visit.id, user_id=found, position=position + 1, how="replacement"))
    added = session.get_one(User, found)
    change = {
        "visit": visit.number,
        "removed": username,
        "added": added.username,
        "passed_over": [[u, r] for u, r in skipped],
    }
    # The ledger proves the draw's order was kept, to anyone a proof is given; why the member left (a recusal may
    # name a relative, a leave a health matter) stays with the team's record, read by few and erased at retention.
    ledger.append(session, "draw.replace", "inspection_draw", draw.number, change)
    return change | {"reason": reason}


def next_replacement(
    session: Session, workspace: Workspace, visit: InspectionVisit
) -> tuple[InspectionDraw, int | None, list[tuple[int, str]]]:
    """The visit's draw, the next inspector of its order for the visit's firm who can be sent today and is not on
    the team nor replaced (None when nobody is left), and those passed over, with why."""
    draw = session.get(InspectionDraw, visit.draw_id) if visit.draw_id else None
    if draw is None or draw.seed is None or draw.snapshot_file is None:
        raise ConflictError(
            f"Visit `{visit.number}` has no drawn draw to take a replacement from.",
            zh="该检查任务没有可用于抽取替换人员的抽取记录。",
        )
    population, _ = snapshot.read(workspace.data_dir / draw.snapshot_file)
    used = set(team_of(session, visit, current=False))
    now_unavailable = _unavailable(session, visit, bool(population.rules.exclude_own_office))
    found, skipped = algorithm.replacement(population, bytes.fromhex(draw.seed), visit.entity_id, used, now_unavailable)
    return draw, found, skipped


def _unavailable(session: Session, visit: InspectionVisit, own_office: bool) -> Callable[[int], str | None]:
    """Who cannot be sent to the visit's firm today (a replacement goes today, not on the draw's day), and why: not
    drawable now (`not_drawable`: no certificate recorded, the account disabled, unavailable), with a relation with
    the firm declared since the population was frozen (回避 holds whenever it is declared), or moved since into the
    firm's office or one under it (when the plan keeps the own office off)."""
    today = local_today()
    rows = session.execute(select(Inspector, User).join(User, User.id == Inspector.user_id)).all()
    off = {u.id: reason for i, u in rows if (reason := not_drawable(i, u, today))}  # no_certificate, inactive ...
    related = related_to(session, visit.entity_id)
    local: set[int] = set()
    if own_office and visit.office_id is not None:
        paths = {d: p for d, p in session.execute(select(Department.id, Department.path))}
        under = paths.get(visit.office_id, "\0")
        local = {i.user_id for i, _ in rows if paths.get(i.office_id, "").startswith(under)}

    # A visit's items now (another visit merged in may need more than the frozen target's items did).
    needed, held = _qualifications_needed(session, [visit.id]), _qualifications_held(session)

    def why(user_id: int) -> str | None:
        if user_id in related:
            return "relation"
        if not needed <= held.get(user_id, set()):
            return "unqualified"
        return "own_office" if user_id in local else off.get(user_id)

    return why


def _qualifications_needed(session: Session, visit_ids: list[int]) -> set[str]:
    """The qualifications the items of these visits require."""
    found = select(InspectionItem.qualification).join(VisitItem, VisitItem.item_id == InspectionItem.id)
    return {q for q in session.scalars(found.where(VisitItem.visit_id.in_(visit_ids))) if q}


def _qualifications_held(session: Session) -> dict[int, set[str]]:
    """Each inspector's qualifications, by user id."""
    return {i.user_id: set(qualifications_of(i)) for i in session.scalars(select(Inspector))}


def related_to(session: Session, entity_id: int) -> set[int]:
    """The users with a relation with the entity declared and not withdrawn: with the firm as the register holds it
    now, so a relation declared on a firm merged into it (or on the one it was merged into) counts."""
    firm = merged_ids(session, current_id(session, entity_id))
    found = select(InspectorRelation.user_id).where(
        InspectorRelation.entity_id.in_(sorted(firm)), InspectorRelation.withdrawn_at.is_(None)
    )
    return set(session.scalars(found))


def legal_representatives(session: Session, entity_ids: Collection[int]) -> dict[int, str]:
    """The legal representative of each of these firms, as the register holds it (a person's name a visit knows,
    beside who signed its results)."""
    found = {}
    for entity_id, golden in session.execute(select(Entity.id, Entity.golden).where(Entity.id.in_(sorted(entity_ids)))):
        value = json.loads(golden or "{}").get("legal_representative")
        name = value.get("value") if isinstance(value, dict) else value
        if isinstance(name, str):
            found[entity_id] = name
    return found


def recused_members(session: Session, visit: InspectionVisit) -> list[str]:
    """The usernames of the visit's current team who declared a relation with its firm: they must be replaced."""
    related = related_to(session, visit.entity_id) & set(team_of(session, visit))
    return sorted(session.scalars(select(User.username).where(User.id.in_(related)))) if related else []


def _merge(session: Session, actor: Actor, workspace: Workspace, visit: InspectionVisit, number: str) -> str:
    other = get_visit(session, actor, number)
    may_assign(session, actor, other)
    if other.id == visit.id or other.entity_id != visit.entity_id or other.status != "assigned":
        raise ConflictError(
            f"Visit `{number}` cannot join `{visit.number}`: merge two visits to the same entity, both still to be "
            "inspected.",
            zh=f"检查任务 `{number}` 不能并入 `{visit.number}`：只能合并同一检查对象、均未检查的任务。",
        )
    needed = _qualifications_needed(session, [visit.id, other.id])
    held = _qualifications_held(session)
    team = session.execute(select(User.id, User.username).where(User.id.in_(team_of(session, visit))))
    lacking = {name: sorted(missing) for user_id, name in team if (missing := needed - held.get(user_id, set()))}
    if lacking:  # every member holds every qualification the target's items require, as the draw staffed them
        said = "; ".join(f"`{name}` lacks {', '.join(q)}" for name, q in sorted(lacking.items()))
        said_zh = "；".join(f"`{name}` 缺少 {'、'.join(q)} 资格" for name, q in sorted(lacking.items()))
        raise ConflictError(
            f"Visit `{number}` cannot join `{visit.number}`: its items need qualifications the team lacks ({said}). "
            f"Merge them the other way round (`{visit.number}` into `{number}`) if that team holds them, or replace "
            "the members first.",
            zh=f"检查任务 `{number}` 不能并入 `{visit.number}`：并入的事项需要检查组不具备的资格（{said_zh}）。"
            "请反向合并（若对方检查组具备），或先更换检查人员。",
        )
    joins.join(session, actor, workspace, other, visit)
    return other.number


def entity_results(session: Session, actor: Actor, entity_id: int, *, limit: int = 50) -> list[dict[str, Any]]:
    """The entity page's list (一企一档): the random inspections of this entity that were carried out, newest first,
    with each result (a visit still to come is not shown: the firm's file is read widely); visits outside the
    actor's scope are named without a link. A visit to an entity the register merged into this one is the firm's."""
    require(actor, "data.read")
    firm = merged_ids(session, current_id(session, entity_id))
    rows = session.scalars(
        select(InspectionVisit)
        .where(InspectionVisit.entity_id.in_(sorted(firm)), InspectionVisit.status == "done")
        .order_by(InspectionVisit.id.desc())
        .limit(limit)
    ).all()
    mine = set(
        session.scalars(select(InspectionVisit.id).where(InspectionVisit.id.in_([v.id for v in rows]), visible(actor)))
    )
    results = _visit_results(session, [v.id for v in rows])
    items: dict[int, list[str]] = {}
    for visit_id, name in session.execute(
        select(VisitItem.visit_id, InspectionItem.name)
        .join(InspectionItem, InspectionItem.id == VisitItem.item_id)
        .where(VisitItem.visit_id.in_([v.id for v in rows]))
    ):
        items.setdefault(visit_id, []).append(name)
    return [
        {
            "number": v.number,
            "status": v.status,
            "inspected_on": v.inspected_on.isoformat() if v.inspected_on else None,
            "result": results.get(v.id),
            "result_zh": RESULTS.get(results.get(v.id) or "", ""),
            "items": sorted(items.get(v.id, [])),
            "published": v.published_at is not None,
            "may_open": v.id in mine,
        }
        for v in rows
    ]
