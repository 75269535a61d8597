"""Long work started from a page: start it as a job on the app's board (`zhizhi.progress.Board`), and show its line.

The job runs in a thread of its own, in transactions of its own; the form that started it leads to the job's page
(`/jobs/ID`), which shows the line and polls `GET /api/progress/ID` (`static/progress.js`) until the job is done,
with a link to what it made, or failed. Only the user who started a job reads it. Both read through a session that
only reads (`reading_session`): on SQLite a job's transaction holds the writer lock for as long as it runs, and a
page that waited for it would show the line only once there is nothing left to follow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from zhizhi.access import Actor
from zhizhi.errors import NotFoundError
from zhizhi.progress import Board, Job
from zhizhi.store.engine import READING
from zhizhi.web.deps import ApiGuard, PageGuard, app_context, locale_of

JOB_ID_LENGTH = 32  # longer ids are no job's: refused before any look-up


def board_of(request: Request) -> Board:
    """The serving process's board."""
    board: Board = request.app.state.progress
    return board


def start(request: Request, actor: Actor, origin: str, work: Callable[[Job], str | None]) -> str:
    """Run `work` as a job of the actor's, started from the page `origin`; returns its id. `work` returns the link to
    what it made."""
    board = board_of(request)
    job = board.start(actor.name, origin)
    board.run(job, work)
    return job.id


def no_job(job_id: str) -> NotFoundError:
    """The error for a job the caller did not start, or that is no longer kept."""
    return NotFoundError(
        f"No job `{job_id}` of yours: it ended long ago, the server restarted, or another user started it.",
        zh=f"没有您发起的任务 `{job_id}`：可能早已结束、服务已重启，或由其他用户发起。",
    )


def job_line(request: Request, actor: Actor, job_id: str | None) -> dict[str, Any] | None:
    """The actor's job `job_id` as the page shows it, in the visitor's language; None for no such job of theirs."""
    if not job_id or len(job_id) > JOB_ID_LENGTH:
        return None
    job = board_of(request).find(job_id, actor.name)
    return None if job is None else job.snapshot(locale_of(request))


def reading_session(request: Request) -> Iterator[Session]:
    """A session that only reads (no writer lock on SQLite), for the job's page and line."""
    with app_context(request).sessions() as session:
        session.connection(execution_options={READING: True})
        request.state.db = session
        yield session


Reading = Annotated[Session, Depends(reading_session)]


class ReadingPageGuard(PageGuard):
    """`PageGuard` over a session that only reads."""

    def __call__(self, request: Request, db: Reading) -> Actor:
        return super().__call__(request, db)


class ReadingApiGuard(ApiGuard):
    """`ApiGuard` over a session that only reads (GET only: it checks no CSRF token)."""

    def __call__(self, request: Request, db: Reading) -> Actor:
        return super().__call__(request, db)
