"""`GET /api/progress/{job_id}`: the line of a job the caller started from a page (an upload's ingest, a report run),
which that page polls."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request

from zhizhi.access import Actor
from zhizhi.web.progress_view import JOB_ID_LENGTH, ReadingApiGuard, job_line, no_job

router = APIRouter(tags=["progress"])


@router.get("/progress/{job_id}")
def read_progress(
    request: Request,
    actor: Annotated[Actor, Depends(ReadingApiGuard("workspace.read"))],
    job_id: Annotated[str, Path(max_length=JOB_ID_LENGTH)],
) -> dict[str, Any]:
    """State (running, done, failed), what is being done, counts, share done, seconds left, and the link when done."""
    line = job_line(request, actor, job_id)
    if line is None:
        raise no_job(job_id)
    return line
