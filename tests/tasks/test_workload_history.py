"""A task part counts in the workload for the months each department held it (the page and the report `workload`
alike): never before it was created, so a task entered late is not overdue in months before it existed; and a
handover, once accepted, moves it from that day on, leaving the giver's past months as they were."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.tasks.helpers import actor
from tests.tasks.workload_data import local
from zhizhi.config import Workspace
from zhizhi.hotline import load_calendar
from zhizhi.reports import install_builtin, parse_period, run_report
from zhizhi.store.tables import TaskPart
from zhizhi.tasks import accept, create_task, finish, hand_over, parse_task
from zhizhi.workload import months, workload

TODAY = date(2026, 12, 16)
MEASURES = ("received", "closed", "in_hand", "overdue")


def _part(session: Session, where: dict[str, str], deadline: str, start: date, created: datetime) -> TaskPart:
    """A task of one part (`where`: its department and owner), created at `created`."""
    spec = {"title": "补录任务", "lead": "LZ-SP", "start": start,
            "parts": [{**where, "title": "检查", "deadline": deadline, "evidence": "text"}]}  # fmt: skip
    task = create_task(session, OPERATOR, parse_task(spec, "back"), load_calendar(None), today=TODAY)
    part = session.scalars(select(TaskPart).where(TaskPart.task_id == task.id)).one()
    part.created_at = created
    return part


def _move(session: Session, part: TaskPart, department: str, on: datetime) -> None:
    """Hand the part to `department`, accepted at `on`."""
    hand_over(session, OPERATOR, part, department=department, reason="就近检查")
    accept(session, OPERATOR, part).answered_at = on


def _page(session: Session, last: str, count: int, today: date = TODAY) -> dict[str, Any]:
    """(parts, overdue) by office and person, month by month, as the bureau's leader sees them on `today`."""
    seen = workload(session, actor(session, "leader"), months(last, count), today=today)
    offices = {r["department"]["code"]: [(m["parts"], m["overdue"]) for m in r["months"]] for r in seen["offices"]}
    people = {r["user"]["username"]: [(m["parts"], m["overdue"]) for m in r["months"]] for r in seen["people"]}
    for figures in (*offices.values(), *people.values()):
        assert all(overdue <= parts for parts, overdue in figures)  # overdue is a part held
    return {"offices": {k: v for k, v in offices.items() if any(p for p, _ in v)}, "people": people}


def _report(session: Session, workspace: Workspace, period: str) -> dict[str, tuple[int, ...]]:
    run = run_report(session, workspace, OPERATOR, "workload", parse_period(period))
    rows = {r["department"]: tuple(r[m] for m in MEASURES) for r in json.loads(run.figures or "{}")["rows"]}
    assert all(overdue <= in_hand for _, _, in_hand, overdue in rows.values())
    return {code: values for code, values in rows.items() if any(values)}


def test_a_part_entered_late_is_not_overdue_before_it_existed(workspace: Workspace,
                                                               city: sessionmaker[Session]) -> None:  # fmt: skip
    install_builtin(workspace.root, "LZ")
    with city() as session, session.begin():
        _part(session, {"department": "LZ-LB"}, "2026-09-10", date(2026, 9, 1), local("2026-12-07 10:00"))
    with city() as session, session.begin():
        seen = _page(session, "2026-12", 4)
        assert seen["offices"] == {"LZ-LB": [(0, 0), (0, 0), (0, 0), (1, 1)]}  # September to December
        assert _page(session, "2026-12", 1, today=date(2026, 12, 7))["offices"] == {"LZ-LB": [(1, 1)]}  # that day
        assert _report(session, workspace, "2026-09") == {}
        assert _report(session, workspace, "2026-11") == {}
        assert _report(session, workspace, "2026-12") == {"LZ-LB": (1, 0, 1, 1)}


def test_a_handover_moves_the_part_from_its_acceptance_on(workspace: Workspace, city: sessionmaker[Session]) -> None:
    install_builtin(workspace.root, "LZ")
    with city() as session, session.begin():
        part = _part(session, {"department": "LZ-CZ", "owner": "chengzhong"}, "2026-11-20", date(2026, 11, 2),
                     local("2026-11-07 09:00"))
        _move(session, part, "LZ-CZ-GY", local("2026-12-07 10:00"))
    with city() as session, session.begin():
        seen = _page(session, "2026-12", 2)
        # 城中区局 held it from 11-07 to 12-07: overdue on 11-30, not on 12-16; 公园所 holds it since.
        assert seen["offices"] == {"LZ-CZ": [(1, 1), (1, 0)], "LZ-CZ-GY": [(0, 0), (1, 1)]}
        assert seen["people"] == {"chengzhong": [(1, 1), (1, 0)]}
        on_the_day = _page(session, "2026-12", 1, today=date(2026, 12, 7))["offices"]
        assert on_the_day == {"LZ-CZ": [(1, 1)], "LZ-CZ-GY": [(1, 1)]}  # both held it late that day
        assert _report(session, workspace, "2026-11") == {"LZ-CZ": (1, 0, 1, 1)}
        # Handed over is not done: 城中区局 closed nothing; 公园所 received it.
        assert _report(session, workspace, "2026-12") == {"LZ-CZ": (0, 0, 1, 0), "LZ-CZ-GY": (1, 0, 1, 1)}


def test_each_holder_of_a_part_handed_on_twice_keeps_its_months(workspace: Workspace,
                                                                 city: sessionmaker[Session]) -> None:  # fmt: skip
    install_builtin(workspace.root, "LZ")
    with city() as session, session.begin():
        part = _part(session, {"department": "LZ-CZ"}, "2026-11-20", date(2026, 11, 2), local("2026-10-20 09:00"))
        _move(session, part, "LZ-CZ-GY", local("2026-11-25 10:00"))
        _move(session, part, "LZ-CZ-ZN", local("2026-12-07 10:00"))
        finish(session, OPERATOR, part, text="已检查")
        part.done_at = local("2026-12-10 16:00")
    with city() as session, session.begin():
        seen = _page(session, "2026-12", 3)
        assert seen["offices"] == {
            "LZ-CZ": [(1, 0), (1, 0), (0, 0)],  # October and November, until 11-25: never late while it held it
            "LZ-CZ-ZN": [(0, 0), (0, 0), (1, 0)],  # from 12-07, done 12-10
            "LZ-CZ-GY": [(0, 0), (1, 1), (1, 0)],  # 11-25 to 12-07: late on 11-30
        }
        assert _report(session, workspace, "2026-12") == {"LZ-CZ-ZN": (1, 1, 1, 0), "LZ-CZ-GY": (0, 0, 1, 0)}
