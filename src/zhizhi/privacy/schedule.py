"""The daily retention run of `zhizhi worker`: once a local (Beijing) day, whichever worker comes first.

A worker checks every `CHECK_SECONDS`; under the retention lock it looks at the newest `privacy.erased` ledger entry
and runs only when none is from today, so several workers (or a run by hand) make one run a day between them.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from zhizhi.access import Actor
from zhizhi.config import Workspace
from zhizhi.privacy.retention import RetentionReport, expire, last_run, lock
from zhizhi.store.types import LOCAL_TZ, utcnow

log = logging.getLogger("zhizhi.privacy")

CHECK_SECONDS = 600.0
SCHEDULE = Actor.operator("worker:retention")


def retain_if_due(
    sessions: sessionmaker[Session], workspace: Workspace, *, now: datetime | None = None
) -> RetentionReport | None:
    """Run retention unless a run was made today already (local time); the report, or None when not due."""
    moment = now or utcnow()
    with sessions() as session, session.begin():
        lock(session)
        last = last_run(session)
        if last is not None and last.astimezone(LOCAL_TZ).date() >= moment.astimezone(LOCAL_TZ).date():
            return None
        return expire(session, SCHEDULE, workspace, now=moment)


def run_daily(
    sessions: sessionmaker[Session],
    workspace: Workspace,
    stop: threading.Event,
    *,
    check_seconds: float = CHECK_SECONDS,
) -> None:
    """Check for a due run every `check_seconds` until `stop` is set; an error is logged and tried at the next
    check, never fatal to the worker."""
    while not stop.is_set():
        try:
            report = retain_if_due(sessions, workspace)
        except Exception:
            log.exception("retention failed; trying again in %.0f s", check_seconds)
        else:
            if report is not None:
                log.info("retention: %d changes, report %s", report.changed, report.file)
        stop.wait(check_seconds)
