"""A task part counts in the workload for the months each department held it (the page and the report `workload`
alike): never before it was created, so a task entered late is not overdue in months before it existed."""

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
from zhizhi.tasks import create_task, parse_task
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
