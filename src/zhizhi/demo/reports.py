"""The demo city's reports: the built-in definitions issued by the bureau, each run for the last three months; the
bureau holds a seal certificate, and the last month's runs of two reports are kept as sealed PDFs."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from zhizhi.access import Actor
from zhizhi.access.roles import Role
from zhizhi.config import Workspace
from zhizhi.progress import SILENT, Progress
from zhizhi.reports import export_run, install_builtin, report_names, run_report
from zhizhi.reports.periods import Period, last_complete, month
from zhizhi.reports.runs import keep_file
from zhizhi.reports.tables import ReportReceipt, ReportRun
from zhizhi.seals import issue_seal, list_seals
from zhizhi.store.tables import User

BUREAU = "LZ"
READ_BY_LEADER = ("entities-by-county", "hotline", "inspections", "workload")  # the others show as nobody's: flagged
SEALED = ("entities-by-county", "hotline")  # their last month's runs, taken by the leader as sealed PDFs


def last_three_months(today: date) -> list[Period]:
    """The three months that ended before `today`, oldest first."""
    months = [last_complete("monthly", today)]
    for _ in range(2):
        months.append(month(months[-1].first - timedelta(days=1)))
    return months[::-1]


def run_demo_reports(
    sessions: Any, workspace: Workspace, today: date, actor: Actor | None = None, progress: Progress = SILENT
) -> int:
    """Install the built-in reports and run each for the three months before `today` (a task of `progress`), then
    seal the last month's runs of the SEALED reports; returns the runs made (a month already run is not run again,
    nor sealed again)."""
    actor = actor or Actor.operator("demo")
    install_builtin(workspace.root, BUREAU)
    made = 0
    names, months = report_names(workspace.root), last_three_months(today)
    with progress.task("progress.reports", total=len(names) * len(months), unit="runs") as task:
        for name in names:
            for period in months:
                with sessions() as session, session.begin():
                    query = select(ReportRun.id).where(ReportRun.report == name, ReportRun.period == period.label)
                    if session.scalar(query) is None:
                        run_report(session, workspace, actor, name, period, trigger="schedule")
                        made += 1
                task.advance(note=f"{name} {period.label}")
    with sessions() as session, session.begin():
        _leader_reads(session, workspace)
    _seal_runs(sessions, workspace, actor, last_three_months(today)[-1])
    return made


def _seal_runs(sessions: Any, workspace: Workspace, actor: Actor, period: Period) -> None:
    """Issue the bureau its seal certificate (once), and export the period's runs of the SEALED reports as PDFs
    sealed by it, as `zhizhi reports export RUN --format pdf --seal` does, kept under data/reports (once)."""
    with sessions() as session, session.begin():
        if not any(c.department_code == BUREAU and c.active for c in list_seals(workspace.keys_dir)):
            issue_seal(session, actor, workspace.keys_dir, BUREAU, bureau=workspace.config.name)
    for name in SEALED:
        with sessions() as session, session.begin():
            query = select(ReportRun).where(ReportRun.report == name, ReportRun.period == period.label)
            run = session.scalar(query.order_by(ReportRun.id.desc()))
            if run is None or "pdf" in json.loads(run.files or "{}"):
                continue
            file_name, body = export_run(session, workspace, _leader(session) or actor, run.id, "pdf", seal=True)
            keep_file(session, workspace, run, file_name, body)


def _leader(session: Any) -> Actor | None:
    user = session.scalar(select(User).where(User.username == "leader"))
    if user is None:
        return None
    return Actor(user.username, user.id, user.department_id, user.department.path, frozenset({Role.LEADER}))


def _leader_reads(session: Any, workspace: Workspace) -> None:
    """The leader downloads the latest run of a few reports, so the catalogue shows who reads what."""
    leader = _leader(session)
    if leader is None or session.scalar(select(ReportReceipt.id).limit(1)) is not None:
        return
    for name in READ_BY_LEADER:
        run = session.scalar(select(ReportRun).where(ReportRun.report == name).order_by(ReportRun.id.desc()))
        if run is not None:
            export_run(session, workspace, leader, run.id, "csv")
