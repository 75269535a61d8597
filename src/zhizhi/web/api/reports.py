"""`GET /api/reports`: the reports' catalogue, the JSON twin of /reports/catalogue (read-only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from zhizhi.reports import catalogue
from zhizhi.web.deps import ApiDataReader, DbSession, app_context

router = APIRouter(tags=["reports"])


@router.get("/reports")
def read_reports(request: Request, db: DbSession, actor: ApiDataReader) -> dict[str, Any]:
    """Every report: requester, frequency, last run, who took its recent runs, flagged or retired; time saved."""
    return catalogue(db, actor, app_context(request).workspace.root)
