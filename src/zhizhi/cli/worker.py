"""`zhizhi worker`: send every target what it is owed, in a process of its own, until stopped."""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

import typer
from sqlalchemy.orm import Session, sessionmaker

from zhizhi.cli.common import console, store
from zhizhi.config import Workspace
from zhizhi.delivery import load_target
from zhizhi.delivery.send import SendReport
from zhizhi.delivery.worker import Checkpoints, Worker, loops_per_target
from zhizhi.hotline import DeskChore
from zhizhi.privacy.schedule import run_daily
from zhizhi.reports import ReportChore


def worker(
    ctx: typer.Context,
    names: list[str] = typer.Argument(None, help="Only these targets; none for every target file."),  # noqa: B008
    poll: float | None = typer.Option(
        None, "--poll", min=0.05, max=60, help="Seconds to wait when nothing is due (default: delivery.poll_seconds)."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing but errors."),
) -> None:
    """Run the sending loops (per target: two on PostgreSQL, one on SQLite) until Ctrl+C or SIGTERM; each finishes
    its batch before it stops.
    Once a day it also erases the personal data whose retention has passed (`zhizhi privacy retain`)."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    with store(ctx) as (workspace, sessions):
        for name in names or []:  # a name mistyped: said, not a worker sending nothing for ever
            load_target(workspace.root, name)

        def said(name: str, report: SendReport) -> None:
            if not quiet:
                figures = ", ".join(f"{state} {count}" for state, count in sorted(report.states.items()))
                console.print(f"{name}: {figures}")

        running = make_worker(workspace, sessions, poll_seconds=poll, names=names or None, on_report=said)

        def stop(*_: Any) -> None:
            running.stop.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        if not quiet:
            console.print(f"zhizhi worker sending for {workspace.config.name} (Ctrl+C to stop)")
        retention = threading.Thread(
            target=run_daily, args=(sessions, workspace, running.stop), name="zhizhi-retention", daemon=True
        )
        retention.start()
        running.run()
        retention.join(timeout=30)


def make_worker(
    workspace: Workspace, sessions: sessionmaker[Session], *, poll_seconds: float | None = None, **options: Any
) -> Worker:
    """The workspace's worker as `zhizhi worker` and `zhizhi serve` run it: its targets' sending loops, paced by
    `delivery.poll_seconds` and `delivery.idle_seconds`, the ledger checkpoints, and the desk's and reports' chores."""
    settings = workspace.config.delivery
    return Worker(
        sessions,
        workspace.root,
        poll_seconds=poll_seconds or settings.poll_seconds,
        idle_seconds=settings.idle_seconds,
        checkpoints=Checkpoints.of(workspace),
        loops_per_target=loops_per_target(workspace),
        chores=[DeskChore(sessions, workspace), ReportChore(sessions, workspace)],
        **options,
    )
