"""What random inspections put on each office and inspector in a period, in numbers (for the workload page).

A visit belongs to the period its day falls in: the day it was inspected, else the day it is planned for, else the
day it was drawn (Beijing time). It counts for each inspector on its team (replacements in, the removed out) and for
each inspector's office (the office of the inspector register, else the user's department; the office itself, not
its parents). A draw counts for the department that organised it and for every office and inspector it sent on a
visit, in the period it was drawn. Open items are the items of those visits with no finding entered yet.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from zhizhi.store.frames import slices
from zhizhi.store.tables import (
    InspectionDraw,
    InspectionPlan,
    InspectionVisit,
    Inspector,
    User,
    VisitInspector,
    VisitItem,
)
from zhizhi.store.types import LOCAL_TZ


@dataclass(frozen=True)
class Workload:
    """One office's or one inspector's figures for a period."""

    draws: int = 0
    visits: int = 0
    open_items: int = 0


@dataclass(frozen=True)
class WorkloadCounts:
    """Per department id and per user id (inspectors), the period's figures; absent means all zero."""

    first: date
    last: date
    departments: dict[int, Workload]
    inspectors: dict[int, Workload]


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(), LOCAL_TZ)


def _day(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TZ).date()


def workload_counts(session: Session, first: date, last: date) -> WorkloadCounts:
    """Draws, visits and open items per office and per inspector from `first` to `last` (both included)."""
    offices = _offices(session)
    visits = _visits(session, first, last)
    teams: dict[int, set[int]] = defaultdict(set)
    open_items: dict[int, int] = {}
    for part in slices([v for v, _ in visits]):
        on_teams = select(VisitInspector.visit_id, VisitInspector.user_id).where(
            VisitInspector.visit_id.in_(part), VisitInspector.removed_at.is_(None)
        )
        for visit_id, user_id in session.execute(on_teams):
            teams[visit_id].add(user_id)
        unanswered = (
            select(VisitItem.visit_id, func.count())
            .where(VisitItem.visit_id.in_(part), VisitItem.result.is_(None))
            .group_by(VisitItem.visit_id)
        )
        open_items.update({visit_id: int(n) for visit_id, n in session.execute(unanswered)})
    figures: dict[str, dict[int, list[int]]] = {
        "departments": defaultdict(lambda: [0, 0, 0]),
        "inspectors": defaultdict(lambda: [0, 0, 0]),
    }
    for visit_id, _ in visits:
        members = teams.get(visit_id, set())
        for key, owners in (("inspectors", members), ("departments", {offices.get(u) for u in members} - {None})):
            for owner in owners:
                assert owner is not None
                figures[key][owner][1] += 1
                figures[key][owner][2] += int(open_items.get(visit_id, 0))
    for organiser, members in _draws(session, first, last):
        for owner in members:
            figures["inspectors"][owner][0] += 1
        for owner in {organiser} | ({offices.get(u) for u in members} - {None}):
            assert owner is not None
            figures["departments"][owner][0] += 1
    return WorkloadCounts(
        first,
        last,
        {k: Workload(*v) for k, v in figures["departments"].items()},
        {k: Workload(*v) for k, v in figures["inspectors"].items()},
    )


def _offices(session: Session) -> dict[int, int]:
    """user id -> the office they inspect for (the inspector register's, else their department)."""
    offices = {user: office for user, office in session.execute(select(User.id, User.department_id))}
    offices.update({user: office for user, office in session.execute(select(Inspector.user_id, Inspector.office_id))})
    return offices


def _visits(session: Session, first: date, last: date) -> list[tuple[int, date]]:
    """The visits (not merged away) whose day is in the period, with that day."""
    drawn = select(InspectionDraw.drawn_at).where(InspectionDraw.id == InspectionVisit.draw_id).scalar_subquery()
    rows = session.execute(
        select(
            InspectionVisit.id,
            InspectionVisit.inspected_on,
            InspectionVisit.planned_on,
            drawn,
            InspectionVisit.created_at,
        ).where(
            InspectionVisit.status != "merged",
            or_(
                InspectionVisit.inspected_on.between(first, last),
                and_(InspectionVisit.inspected_on.is_(None), InspectionVisit.planned_on.between(first, last)),
                and_(
                    InspectionVisit.inspected_on.is_(None),
                    InspectionVisit.planned_on.is_(None),
                    InspectionVisit.created_at.between(
                        _moment(first - timedelta(days=1)), _moment(last + timedelta(days=2))
                    ),
                ),
            ),
        )
    ).all()
    found = []
    for visit_id, inspected, planned, drawn_at, created in rows:
        day = inspected or planned or _day(drawn_at or created)
        if first <= day <= last:
            found.append((visit_id, day))
    return found


def _draws(session: Session, first: date, last: date) -> list[tuple[int, set[int]]]:
    """The draws made in the period: the organising department and the inspectors the draw sent."""
    rows = session.execute(
        select(InspectionDraw.id, InspectionDraw.drawn_at, InspectionPlan.department_id)
        .join(InspectionPlan, InspectionPlan.id == InspectionDraw.plan_id)
        .where(InspectionDraw.drawn_at.between(_moment(first - timedelta(days=1)), _moment(last + timedelta(days=2))))
    ).all()
    draws = [(draw_id, organiser) for draw_id, at, organiser in rows if at is not None and first <= _day(at) <= last]
    members: dict[int | None, set[int]] = defaultdict(set)
    for draw_id, user_id in session.execute(
        select(InspectionVisit.draw_id, VisitInspector.user_id)
        .join(VisitInspector, VisitInspector.visit_id == InspectionVisit.id)
        .where(InspectionVisit.draw_id.in_([d for d, _ in draws]), VisitInspector.how == "drawn")
    ):
        members[draw_id].add(user_id)
    return [(organiser, members.get(draw_id, set())) for draw_id, organiser in draws if draw_id is not None]
