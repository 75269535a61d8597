"""Long work started from a page: start it as a job on the app's board (`zhizhi.progress.Board`), and show its line.

The job runs in a thread of its own, in transactions of its own; the page that started it gets `?job=ID`, shows the
line, and polls `GET /api/progress/ID` (`static/progress.js`) until the job is done or failed. Only the user who
started a job reads it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request

from zhizhi.access import Actor
from zhizhi.progress import Board, Job
from zhizhi.web.deps import locale_of

JOB_ID_LENGTH = 32  # longer ids are no job's: refused before any look-up


def board_of(request: Request) -> Board:
    """The serving process's board."""
    board: Board = request.app.state.progress
    return board


def start(request: Request, actor: Actor, work: Callable[[Job], str | None]) -> str:
    """Run `work` as a job of the actor's; returns its id. `work` returns the link to what it made."""
    board = board_of(request)
    job = board.start(actor.name)
    board.run(job, work)
    return job.id


def job_line(request: Request, actor: Actor, job_id: str | None) -> dict[str, Any] | None:
    """The actor's job `job_id` as the page shows it, in the visitor's language; None for no such job of theirs."""
    if not job_id or len(job_id) > JOB_ID_LENGTH:
        return None
    job = board_of(request).find(job_id, actor.name)
    return None if job is None else job.snapshot(locale_of(request))
