"""What the inspection pages show, shaped once for the page and its JSON twin: the overview of the section, a draw
with its visits, teams and every exclusion it applied, and one visit."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhizhi.access.roles import Actor, require
from zhizhi.config import Workspace
from zhizhi.inspections.draws import draw_as_dict, get_draw, list_draws, unstaffed_left
from zhizhi.inspections.publication import publication_view
from zhizhi.inspections.targets import list_targets
from zhizhi.inspections.visits import (
    ACKNOWLEDGEMENTS,
    STATUS_WORDS,
    legal_representatives,
    list_visits,
    may_record,
    visible,
    visit_checks,
)
from zhizhi.privacy.catalogue import FREE_TEXT
from zhizhi.privacy.masking import mask, mask_known
from zhizhi.records.inspection import RESULTS
from zhizhi.store.tables import (
    Department,
    DrawExclusion,
    InspectionDraw,
    InspectionItem,
    InspectionPhoto,
    InspectionPlan,
    InspectionTarget,
    InspectionVisit,
    Inspector,
    User,
    VisitInspector,
    VisitItem,
)
from zhizhi.store.types import iso_utc

RULE_WORDS = {
    "own_office": ("本所（属地）人员回避", "own office"),
    "relation": ("申报回避关系", "declared relation"),
    "recent_inspector": ("近期检查过该对象", "inspected this target recently"),
    "cap": ("已达每人任务上限", "at the cap of visits"),
    "recent_target": ("近期已检查，排除", "inspected recently: excluded"),
    "recent_thinned": ("近期已检查，降低权重未入选", "inspected recently: thinned"),
    "unstaffed": ("可派人员不足一个检查组", "fewer inspectors could go than a team needs"),
}


def overview(session: Session, actor: Actor, workspace: Workspace) -> dict[str, Any]:
    """The section at a glance: the registers' sizes (the target register's by class, as its page counts them, and
    how many of them may be drawn), the draws, the visits by status, the actor's own visits, and the publication
    clock."""
    require(actor, "data.read")
    register = list_targets(session, actor, limit=0)
    drawable = select(func.count()).select_from(InspectionTarget).where(InspectionTarget.active)
    statuses = {
        s: int(n)
        for s, n in session.execute(
            select(InspectionVisit.status, func.count()).where(visible(actor)).group_by(InspectionVisit.status)
        )
    }
    clock = publication_view(session, actor, workspace)
    return {
        "items": session.scalar(select(func.count()).where(InspectionItem.active)) or 0,
        "targets": register["by_class"],
        "targets_total": register["total"],
        "drawable": session.scalar(drawable) or 0,
        "inspectors": session.scalar(select(func.count()).select_from(Inspector)) or 0,
        "draws": list_draws(session, actor)[:20],
        "visits": statuses,
        "mine": list_visits(session, actor, mine=True, status="assigned", limit=50) if actor.user_id else [],
        "publication": {"waiting": len(clock["waiting"]), "breaches": len(clock["breaches"])},
    }


def draw_view(session: Session, actor: Actor, number: str, *, limit: int = 500) -> dict[str, Any]:
    """A draw: its commitment and reveal, and each visit it made (the first `limit` by rank) with its team and the
    candidates passed over."""
    draw, plan = get_draw(session, actor, number)
    names = {u: (n, d) for u, n, d in session.execute(select(User.id, User.display_name, User.department_id))}
    offices = {d: name for d, name in session.execute(select(Department.id, Department.name))}
    visits = session.scalars(
        select(InspectionVisit).where(InspectionVisit.draw_id == draw.id).order_by(InspectionVisit.rank).limit(limit)
    ).all()
    ids = [v.id for v in visits]
    shown = {v.entity_id for v in visits}
    teams: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for visit_id, user_id, how, removed in session.execute(
        select(VisitInspector.visit_id, VisitInspector.user_id, VisitInspector.how, VisitInspector.removed_at)
        .where(VisitInspector.visit_id.in_(ids))
        .order_by(VisitInspector.position)
    ):
        teams[visit_id].append({"name": names[user_id][0], "how": how, "removed": removed is not None})
    departments: dict[int, set[str]] = defaultdict(set)
    for visit_id, department_id in session.execute(
        select(VisitItem.visit_id, VisitItem.department_id).where(VisitItem.visit_id.in_(ids))
    ):
        departments[visit_id].add(offices[department_id])
    passed: dict[int, list[dict[str, str]]] = defaultdict(list)
    left_out: dict[str, int] = defaultdict(int)
    for entity_id, inspector, rule in session.execute(
        select(DrawExclusion.entity_id, DrawExclusion.user_id, DrawExclusion.rule)
        .where(DrawExclusion.draw_id == draw.id)
        .order_by(DrawExclusion.id)
    ):
        if inspector is None:
            left_out[rule] += 1
            continue
        if entity_id not in shown:
            continue
        name, office = names.get(inspector, (str(inspector), None))
        passed[entity_id].append(
            {
                "name": name,
                "office": offices.get(office or 0, ""),
                "rule": rule,
                "rule_zh": RULE_WORDS[rule][0],
                "rule_en": RULE_WORDS[rule][1],
            }
        )
    return {
        **draw_as_dict(draw, plan),
        "title": plan.title,
        "left_out": dict(left_out),
        "visits_total": session.scalar(select(func.count()).where(InspectionVisit.draw_id == draw.id)) or 0,
        "unstaffed_left": unstaffed_left(session, draw),
        "visits": [
            {
                "number": v.number,
                "rank": v.rank,
                "entity_id": v.entity_id,
                "entity_name": v.entity_name,
                "risk_class": v.risk_class,
                "status": v.status,
                "office": offices.get(v.office_id or 0),
                "departments": sorted(departments[v.id]),
                "joint": len(departments[v.id]) > 1,
                "team": teams[v.id],
                "passed_over": passed[v.entity_id],
            }
            for v in visits
        ],
    }


def visit_view(session: Session, actor: Actor, visit: InspectionVisit) -> dict[str, Any]:
    """Everything a visit page shows: the target, the team, the items and findings, photos, the acknowledgement.

    What the team wrote about people is theirs to read: the name of the firm's person who signed (a person's name)
    is masked, the notes and remark (free text) have the numbers found in them and the names the visit knows (the
    signer, the firm's legal representative) masked, and why a member was replaced is left out (but for that member),
    for anyone who may not record the visit's results."""
    recorder = may_record(session, actor, visit)
    legal = {} if recorder else legal_representatives(session, [visit.entity_id])
    people = (visit.acknowledged_by, legal.get(visit.entity_id))

    def shown(category: str, value: str | None) -> str | None:
        if recorder or value is None:
            return value
        return str(mask_known(value, people) if category == FREE_TEXT else mask(category, value))

    departments = {d.id: d for d in session.scalars(select(Department))}
    draw = session.get(InspectionDraw, visit.draw_id) if visit.draw_id else None
    plan = session.get(InspectionPlan, draw.plan_id) if draw else None
    items = visit_checks(session, visit)
    merged_into = session.get(InspectionVisit, visit.merged_into) if visit.merged_into else None
    return {
        "number": visit.number,
        "status": visit.status,
        "status_zh": STATUS_WORDS[visit.status][0],
        "draw": draw.number if draw else None,
        "plan": plan.number if plan else None,
        "plan_title": plan.title if plan else None,
        "organiser": departments[visit.department_id].name,
        "entity": {
            "id": visit.entity_id,
            "name": visit.entity_name,
            "uscc": visit.entity_uscc,
            "address": visit.address,
        },
        "office": departments[visit.office_id].name if visit.office_id else None,
        "risk_class": visit.risk_class,
        "joint": len({v.department_id for v, _ in items}) > 1,
        "departments": sorted({departments[v.department_id].name for v, _ in items}),
        "planned_on": visit.planned_on.isoformat() if visit.planned_on else None,
        "inspected_on": visit.inspected_on.isoformat() if visit.inspected_on else None,
        "team": _team(session, actor, visit, departments, recorder),
        "items": [
            {
                "code": item.code,
                "name": item.name,
                "legal_basis": item.legal_basis,
                "department": departments[v.department_id].code,
                "department_name": departments[v.department_id].name,
                "result": v.result,
                "result_zh": RESULTS.get(v.result or "", ""),
                "note": shown(FREE_TEXT, v.note),
                "record_id": v.record_id,
            }
            for v, item in items
        ],
        "photos": _photos(session, visit),
        "acknowledgement": visit.acknowledgement,
        "acknowledgement_zh": ACKNOWLEDGEMENTS[visit.acknowledgement][0] if visit.acknowledgement else None,
        "acknowledged_by": shown("person_name", visit.acknowledged_by),
        "remark": shown(FREE_TEXT, visit.remark),
        "recorded_by": visit.recorded_by,
        "recorded_at": iso_utc(visit.recorded_at),
        "publish_by": visit.publish_by.isoformat() if visit.publish_by else None,
        "published_at": iso_utc(visit.published_at),
        "merged_into": merged_into.number if merged_into else None,
        "may_record": visit.status != "merged" and visit.published_at is None and recorder,
    }


def _team(
    session: Session, actor: Actor, visit: InspectionVisit, departments: dict[int, Department], recorder: bool
) -> list[dict[str, Any]]:
    """The visit's team in order, those replaced too; why one was replaced (a sick leave, a recusal) is about that
    person: only theirs and the recorders' to read."""
    team = session.execute(
        select(VisitInspector, User, Inspector)
        .join(User, User.id == VisitInspector.user_id)
        .outerjoin(Inspector, Inspector.user_id == User.id)
        .where(VisitInspector.visit_id == visit.id)
        .order_by(VisitInspector.position)
    ).all()
    return [
        {
            "user_id": u.id,
            "username": u.username,
            "display_name": u.display_name,
            "office": departments[i.office_id if i else u.department_id].name,
            "how": v.how,
            "removed": v.removed_at is not None,
            "removed_reason": v.removed_reason if recorder or v.user_id == actor.user_id else None,
        }
        for v, u, i in team
    ]


def _photos(session: Session, visit: InspectionVisit) -> list[dict[str, Any]]:
    photos = session.scalars(
        select(InspectionPhoto).where(InspectionPhoto.visit_id == visit.id).order_by(InspectionPhoto.id)
    )
    return [
        {
            "id": p.id,
            "item": p.item_id,
            "size": p.size,
            "content_type": p.content_type,
            "location_kept": p.location_kept,
            "uploaded_by": p.uploaded_by,
            "uploaded_at": iso_utc(p.uploaded_at),
        }
        for p in photos
    ]
