"""The demo city's reports: the built-in definitions issued by the bureau, each run for the last three months."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from zhizhi.access import Actor
from zhizhi.access.roles import Role
from zhizhi.config import Workspace
from zhizhi.reports import export_run, install_builtin, report_names, run_report
from zhizhi.reports.periods import Period, last_complete, month
from zhizhi.reports.tables import ReportReceipt, ReportRun
from zhizhi.store.tables import User

BUREAU = "LZ"
READ_BY_LEADER = ("entities-by-county", "hotline", "inspections")  # the others show as nobody's: flagged


def last_three_months(today: date) -> list[Period]:
    """The three months that ended before `today`, oldest first."""
    months = [last_complete("monthly", today)]
    for _ in range(2):
        months.append(month(months[-1].first - timedelta(days=1)))
    return months[::-1]


def run_demo_reports(sessions: Any, workspace: Workspace, today: date, actor: Actor | None = None) -> int:
    """Install the built-in reports and run each for the three months before `today`; returns the runs made (a
    month already run is not run again)."""
    actor = actor or Actor.operator("demo")
    install_builtin(workspace.root, BUREAU)
    made = 0
    for name in report_names(workspace.root):
        for period in last_three_months(today):
            with sessions() as session, session.begin():
                query = select(ReportRun.id).where(ReportRun.report == name, ReportRun.period == period.label)
                if session.scalar(query) is None:
                    run_report(session, workspace, actor, name, period, trigger="schedule")
                    made += 1
    with sessions() as session, session.begin():
        _leader_reads(session, workspace)
    return made


def _leader_reads(session: Any, workspace: Workspace) -> None:
    """The leader downloads the latest run of a few reports, so the catalogue shows who reads what."""
    user = session.scalar(select(User).where(User.username == "leader"))
    if user is None or session.scalar(select(ReportReceipt.id).limit(1)) is not None:
        return
    leader = Actor(user.username, user.id, user.department_id, user.department.path, frozenset({Role.LEADER}))
    for name in READ_BY_LEADER:
        run = session.scalar(select(ReportRun).where(ReportRun.report == name).order_by(ReportRun.id.desc()))
        if run is not None:
            export_run(session, workspace, leader, run.id, "csv")
