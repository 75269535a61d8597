"""The demo city's tasks: one overdue task, whose late part was refused by 中南所 and stays 城中区局's, shown to the
leaders of both sides; one on time with an offer waiting for 天马所; the offices' capacity; built once."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.tasks.helpers import actor
from zhizhi.config import Workspace
from zhizhi.demo.tasks import CAPACITY, OVERDUE, run_demo_tasks
from zhizhi.store.tables import OfficeCapacity
from zhizhi.tasks import list_tasks, overdue_parts, task_view
from zhizhi.workload import months, workload

TODAY = date(2026, 12, 5)


def test_the_demo_has_one_overdue_task(workspace: Workspace, city: sessionmaker[Session]) -> None:
    assert run_demo_tasks(city, workspace, TODAY) == 2
    assert run_demo_tasks(city, workspace, TODAY) == 0  # built once
    with city() as session:
        late = list_tasks(session, OPERATOR, state="overdue", today=TODAY)
        assert [t.title for t in late] == [OVERDUE]
        view = task_view(session, OPERATOR, late[0], today=TODAY)
        assert [(p["department"]["code"], p["status"], p["overdue"]) for p in view["items"]] == [
            ("LZ-SP", "done", False), ("LZ-CZ", "open", True), ("LZ-YF", "done", False)]  # fmt: skip
        assert [h["status"] for h in view["items"][1]["handovers"]] == ["refused"]
        for leader in ("leader", "chengzhong"):  # the bureau (above the lead section) and the owning county
            rows = overdue_parts(session, actor(session, leader), today=TODAY)
            assert [(r["title"], r["days_overdue"]) for r in rows] == [("城中区中小学校周边食品经营户全面检查", 9)]
        offered = task_view(session, actor(session, "yufeng"), list_tasks(session, OPERATOR, state="open")[0])
        assert offered["items"][1]["handover"]["to"]["code"] == "LZ-YF-TZ"
        assert len(session.scalars(select(OfficeCapacity.department_id)).all()) == len(CAPACITY)
        figures = workload(session, actor(session, "leader"), months("2026-12", 2), today=TODAY)
    cz = next(r for r in figures["offices"] if r["department"]["code"] == "LZ-CZ")
    assert [m["parts"] for m in cz["months"]] == [1, 1] and cz["capacity"] == 80  # since its start, 11-05
