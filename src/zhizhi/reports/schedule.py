"""Runs on schedule: the worker's chore fills, for every report not on demand and not retired, the latest period
that has ended, once (`zhizhi serve` and `zhizhi worker` run it every few minutes). A run taken before the period
ended (asked for by hand mid-month) or one that failed does not count: the scheduled run still comes."""

from __future__ import annotations

import logging
import time as clock
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.access.roles import Actor
from zhizhi.config import Workspace
from zhizhi.errors import ZhizhiError
from zhizhi.reports.catalogue import is_retired
from zhizhi.reports.definition import FILES
from zhizhi.reports.periods import Period, last_complete
from zhizhi.reports.runs import run_report, today
from zhizhi.reports.tables import ReportRun
from zhizhi.store.types import LOCAL_TZ

log = logging.getLogger("zhizhi.reports")
EVERY_SECONDS = 300.0


def due(session: Session, workspace: Workspace, on: date) -> list[tuple[str, Period]]:
    """The reports whose latest ended period has no run yet, as of day `on`."""
    found = []
    for name in FILES.names(workspace.root):
        try:
            report = FILES.load(workspace.root, name)
        except ZhizhiError:
            continue  # a broken file is named by `zhizhi reports list`; the others still run
        if report.frequency == "on_demand" or is_retired(session, name):
            continue
        period = last_complete(report.frequency, on)
        ended = datetime.combine(period.last + timedelta(days=1), time.min, LOCAL_TZ).astimezone(UTC)
        # A run counts once the period was over when it was taken, and only a done one: a run of the month on its
        # 6th day (asked for by hand) or a run that failed does not stand for the month.
        ran = session.scalar(
            select(ReportRun.id).where(ReportRun.report == name, ReportRun.period == period.label,
                                       ReportRun.status == "done", ReportRun.snapshot_at >= ended).limit(1)
        )  # fmt: skip
        if ran is None:
            found.append((name, period))
    return found


def run_due(sessions: Any, workspace: Workspace, on: date | None = None) -> list[ReportRun]:
    """Run every due report, each in its own transaction (one failing does not hold up the others)."""
    actor = Actor.operator("zhizhi worker（定时报表）")
    done = []
    with sessions() as session:
        todo = due(session, workspace, on or today())
    for name, period in todo:
        try:
            with sessions() as session, session.begin():
                run = run_report(session, workspace, actor, name, period, trigger="schedule")
                session.expunge(run)
            done.append(run)
        except ZhizhiError as exc:
            log.warning("report %s for %s: %s", name, period.label, exc.message)
    return done


@dataclass
class ReportChore:
    """The worker's chore: the due reports, looked for every five minutes."""

    sessions: Any
    workspace: Workspace
    next_at: float = 0.0
    __name__: str = "the scheduled reports"

    def __call__(self) -> None:
        now = clock.monotonic()
        if now < self.next_at:
            return
        self.next_at = now + EVERY_SECONDS
        run_due(self.sessions, self.workspace)
