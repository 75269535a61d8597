"""Workload in numbers, by month: per office and per person, the work in hand against what the office can carry.

For each month (its last day, or today if sooner, is "the day"):
- `cases`: hotline cases the office (its handler) had in hand at some time in the month: received by its end and
  not closed before its start;
- `parts`: task parts it owned in the month, likewise (held from before its end, not done or handed on before its
  start; each department counts the months it held a part, `zhizhi.workload.items`);
- `overdue`: parts it held on the day, still open when the day began, that were due before it (as the `workload`
  report counts them): a subset of `parts`;
- `draws`, `visits`, `open_items`: random inspections (`zhizhi.inspections.workload_counts`): draws organised or
  sent on, visits on the team, their items with no finding yet;
- `load` = cases + parts + visits (draws and open items are shown, not added: a draw is an hour's work, open
  items are inside visits); `capacity` = staff x items per person (a person: items per person of their office);
  `ratio` = load / capacity, and `over` when the load exceeds the capacity.
Everything counts for the office that holds it (not its parents) and only offices in the caller's subtree show.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from zhizhi.access.roles import Actor, Role, require
from zhizhi.errors import InputError, PermissionDeniedError
from zhizhi.inspections import workload_counts
from zhizhi.reports.periods import Period, month
from zhizhi.reports.periods import parse as parse_period
from zhizhi.store.tables import Department, User
from zhizhi.store.types import LOCAL_TZ, local_today
from zhizhi.workload.capacity import capacities, capacity_as_dict, may_set
from zhizhi.workload.items import work_items

MEASURES = ("cases", "parts", "overdue", "draws", "visits", "open_items")
IN_LOAD = ("cases", "parts", "visits")
MAX_MONTHS = 24


def months(last: str | None = None, count: int = 6, today: date | None = None) -> list[Period]:
    """`count` months ending with the month `last` (`2026-11`; default: this month), oldest first."""
    if not 1 <= count <= MAX_MONTHS:
        raise InputError(f"Show 1 to {MAX_MONTHS} months, not {count}.", zh=f"月份数应为 1 至 {MAX_MONTHS}。")
    end = parse_period(last) if last else month(today or local_today())
    if end.label.count("-") != 1 or "W" in end.label or "Q" in end.label:
        raise InputError(f"`{last}` is not a month; write it as 2026-11.", zh=f"`{last}` 不是月份，请写成 2026-11。")
    found = [end]
    try:
        while len(found) < count:
            found.append(month(found[-1].first - timedelta(days=1)))
    except OverflowError:  # months before the calendar's first year
        raise InputError(
            f"`{last}` with {count} months reaches before the year 1; write a month such as 2026-11.",
            zh=f"`{last}` 向前 {count} 个月超出日历范围，请写成 2026-11 这样的月份。",
        ) from None
    return found[::-1]


def _start(day: date) -> datetime:
    return datetime.combine(day, time(), LOCAL_TZ)


@dataclass
class Tally:
    """The figures of one office or person in one month."""

    values: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MEASURES, 0))

    def add(self, measure: str, count: int) -> None:
        self.values[measure] += count

    def row(self, label: str, capacity: int | None) -> dict[str, Any]:
        load = sum(self.values[m] for m in IN_LOAD)
        ratio = round(load / capacity, 3) if capacity else None
        over = capacity is not None and load > capacity
        return {"month": label, **self.values, "load": load, "capacity": capacity, "ratio": ratio, "over": over}


Key = tuple[str, int]  # ("office" | "person", id)


def _count_items(session: Session, period: Period, today: date, scope: Any) -> dict[Key, Tally]:
    items = work_items()
    day = min(period.last, today)
    end, first = _start(period.last + timedelta(days=1)), _start(period.first)
    in_hand = and_(items.c.kind.in_(("case", "part")), items.c.opened_at < end,
                   or_(items.c.closed_at.is_(None), items.c.closed_at >= first))  # fmt: skip
    late = and_(items.c.kind == "part", items.c.due_on < day, items.c.opened_at < _start(day + timedelta(days=1)),
                or_(items.c.closed_at.is_(None), items.c.closed_at >= _start(day)))  # fmt: skip
    tallies: dict[Key, Tally] = defaultdict(Tally)
    for who, column in (("office", items.c.department_id), ("person", items.c.user_id)):
        for condition, name in ((in_hand, None), (late, "overdue")):
            query = (
                select(items.c.kind, column, func.count())
                .where(condition, items.c.department_id.in_(scope), column.is_not(None))
                .group_by(items.c.kind, column)
            )
            for kind, owner, count in session.execute(query):
                tallies[who, owner].add(name or f"{kind}s", count)
    return tallies


def _inspections(session: Session, period: Period, scope_ids: set[int], offices: dict[int, int]) -> dict[Key, Tally]:
    counts = workload_counts(session, period.first, period.last)
    tallies: dict[Key, Tally] = defaultdict(Tally)
    for who, figures in (("office", counts.departments), ("person", counts.inspectors)):
        for owner, work in figures.items():
            if (owner if who == "office" else offices.get(owner)) not in scope_ids:
                continue
            for measure in ("draws", "visits", "open_items"):
                tallies[who, owner].add(measure, getattr(work, measure))
    return tallies


def workload(session: Session, actor: Actor, periods: list[Period], *, today: date | None = None) -> dict[str, Any]:
    """The workload of the offices and people in the actor's subtree, month by month (a leader's view)."""
    require(actor, "data.read")
    if not actor.is_operator and Role.LEADER not in actor.roles:
        raise PermissionDeniedError("The workload page is for leaders.", zh="工作量统计仅供领导查看。")
    day = today or local_today()
    departments = {d.id: d for d in session.scalars(
        select(Department).where(Department.path.startswith(actor.department_path, autoescape=True)))}  # fmt: skip
    scope = list(departments)
    offices = dict(session.execute(select(User.id, User.department_id)).all())
    by_month: dict[str, dict[Key, Tally]] = {}
    for period in periods:
        tallies = _count_items(session, period, day, scope)
        for key, extra in _inspections(session, period, set(scope), offices).items():
            for measure, value in extra.values.items():
                tallies[key].add(measure, value)
        by_month[period.label] = tallies
    kept = capacities(session, scope)
    office_ids = sorted({k[1] for t in by_month.values() for k in t if k[0] == "office"} | set(kept),
                        key=lambda i: [int(p) for p in departments[i].path.strip("/").split("/")])  # fmt: skip
    people = _people(session, {k[1] for t in by_month.values() for k in t if k[0] == "person"})
    labels = [p.label for p in periods]
    office_rows = []
    for office in office_ids:
        limit = capacity_as_dict(kept.get(office))
        office_rows.append({
            "department": {"code": departments[office].code, "name": departments[office].name},
            **limit, "may_set": may_set(actor, departments[office]),
            "months": [by_month[m].get(("office", office), Tally()).row(m, limit["capacity"]) for m in labels],
        })  # fmt: skip
    person_rows = []
    for user in people:
        home = departments.get(offices.get(user.id) or 0)
        limit_row = kept.get(home.id) if home else None
        per = limit_row.per_person if limit_row else None
        person_rows.append({
            "user": {"username": user.username, "name": user.display_name},
            "department": {"code": home.code, "name": home.name} if home else None, "per_person": per,
            "months": [by_month[m].get(("person", user.id), Tally()).row(m, per) for m in labels],
        })  # fmt: skip
    return {"months": labels, "today": day.isoformat(), "offices": office_rows, "people": person_rows,
            "over": _over(office_rows)}  # fmt: skip


def _people(session: Session, ids: Iterable[int]) -> list[User]:
    return list(session.scalars(select(User).where(User.id.in_(list(ids))).order_by(User.department_id, User.username)))


def _over(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The office-months whose load exceeds the capacity, the heaviest first."""
    found = [{"department": r["department"], "month": m["month"], "load": m["load"], "capacity": m["capacity"],
              "ratio": m["ratio"]} for r in rows for m in r["months"] if m["over"]]  # fmt: skip
    # An office of no staff with work in hand has no ratio, and comes first.
    return sorted(found, key=lambda f: (-(f["ratio"] or float("inf")), f["month"], f["department"]["code"]))
