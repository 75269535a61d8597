"""The demo city's reports: the built-in definitions issued by the bureau, each run for the last three months."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from zhizhi.access import Actor
from zhizhi.config import Workspace
from zhizhi.reports import install_builtin, report_names, run_report
from zhizhi.reports.periods import Period, last_complete, month
from zhizhi.reports.tables import ReportRun

BUREAU = "LZ"


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
    return made
