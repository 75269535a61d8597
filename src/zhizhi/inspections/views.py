"""What the inspection pages show, shaped once for the page and its JSON twin: the overview of the section, and a
draw with its visits, teams and every exclusion it applied."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhizhi.access.roles import Actor, require
from zhizhi.config import Workspace
from zhizhi.inspections.draws import draw_as_dict, get_draw, list_draws
from zhizhi.inspections.publication import publication_view
from zhizhi.inspections.visits import list_visits, visible
from zhizhi.store.tables import (
    Department,
    DrawExclusion,
    InspectionItem,
    InspectionTarget,
    InspectionVisit,
    Inspector,
    User,
    VisitInspector,
    VisitItem,
)

RULE_WORDS = {
    "own_office": ("本所（属地）人员回避", "own office"),
    "relation": ("申报回避关系", "declared relation"),
    "recent_inspector": ("近期检查过该对象", "inspected this target recently"),
    "cap": ("已达每人任务上限", "at the cap of visits"),
    "recent_target": ("近期已检查，排除", "inspected recently: excluded"),
    "recent_thinned": ("近期已检查，降低权重未入选", "inspected recently: thinned"),
    "unstaffed": ("可派人员不足两名", "fewer than two inspectors could go"),
}


def overview(session: Session, actor: Actor, workspace: Workspace) -> dict[str, Any]:
    """The section at a glance: the registers' sizes, the draws, the visits by status, the actor's own visits, and
    the publication clock."""
    require(actor, "data.read")
    classes = {
        c: int(n)
        for c, n in session.execute(
            select(InspectionTarget.risk_class, func.count())
            .where(InspectionTarget.active)
            .group_by(InspectionTarget.risk_class)
        )
    }
    statuses = {
        s: int(n)
        for s, n in session.execute(
            select(InspectionVisit.status, func.count()).where(visible(actor)).group_by(InspectionVisit.status)
        )
    }
    clock = publication_view(session, actor, workspace)
    return {
        "items": session.scalar(select(func.count()).where(InspectionItem.active)) or 0,
        "targets": classes,
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
