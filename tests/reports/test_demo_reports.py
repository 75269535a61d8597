"""The demo city has the built-in reports, each run for the last three months, a few read by the leader."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from zhizhi.config import Workspace
from zhizhi.demo.reports import last_three_months, run_demo_reports
from zhizhi.reports import catalogue
from zhizhi.reports.tables import ReportRun


def test_the_demo_runs_the_builtin_reports_for_the_last_three_months(
    workspace: Workspace, city: sessionmaker[Session]
) -> None:
    today = date(2026, 12, 5)
    assert [p.label for p in last_three_months(today)] == ["2026-09", "2026-10", "2026-11"]
    assert run_demo_reports(city, workspace, today) == 7 * 3
    assert run_demo_reports(city, workspace, today) == 0  # run again: nothing new
    with city() as session:
        runs = session.execute(select(ReportRun.report, ReportRun.period)).all()
        found = catalogue(session, OPERATOR, workspace.root)
    assert {p for _, p in runs} == {"2026-09", "2026-10", "2026-11"} and len(runs) == 21
    taken = {r["name"]: r["taken_by"] for r in found["reports"]}
    assert taken["hotline"] == ["leader"] and taken["licences"] == []
    assert sorted(found["flagged"]) == ["data-quality", "deliveries", "equipment", "licences"]
