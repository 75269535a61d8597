"""The reports' catalogue page (read-only): who asked for each report, how often, who reads it, the time saved."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from zhizhi.access import Actor
from zhizhi.reports import catalogue
from zhizhi.web.deps import DbSession, PageGuard, app_context
from zhizhi.web.templating import render

router = APIRouter()


@router.get("/reports/catalogue", response_class=HTMLResponse)
def show_catalogue(
    request: Request, db: DbSession, actor: Annotated[Actor, Depends(PageGuard("data.read"))]
) -> Response:
    """The page of `GET /api/reports`."""
    return render(
        request, "reports_catalogue.html", {"found": catalogue(db, actor, app_context(request).workspace.root)}
    )
