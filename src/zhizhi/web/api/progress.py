"""`GET /api/progress/{job_id}`: the line of a job the caller started from a page (an upload's ingest, a report run),
which that page polls."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request

from zhizhi.access import Actor
from zhizhi.errors import NotFoundError
from zhizhi.web.deps import ApiGuard
from zhizhi.web.progress_view import JOB_ID_LENGTH, job_line

router = APIRouter(tags=["progress"])


@router.get("/progress/{job_id}")
def read_progress(
    request: Request,
    actor: Annotated[Actor, Depends(ApiGuard("workspace.read"))],
    job_id: Annotated[str, Path(max_length=JOB_ID_LENGTH)],
) -> dict[str, Any]:
    """State (running, done, failed), what is being done, counts, share done, seconds left, and the link when done."""
    line = job_line(request, actor, job_id)
    if line is None:
        raise NotFoundError(
            f"No job `{job_id}` of yours: it ended long ago, the server restarted, or another user started it.",
            zh=f"没有您发起的任务 `{job_id}`：可能早已结束、服务已重启，或由其他用户发起。",
        )
    return line
