"""The personal-data catalogue page: what is personal in each record type, how it is masked, how long it is kept."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from zhizhi.privacy.catalogue import catalogue
from zhizhi.web.deps import PageWorkspaceReader, app_context
from zhizhi.web.templating import render

router = APIRouter()


@router.get("/privacy", response_class=HTMLResponse)
def show_catalogue(request: Request, actor: PageWorkspaceReader) -> Response:
    """Every field of every record type classified; the page of `GET /api/privacy/catalogue`."""
    retention = app_context(request).workspace.config.privacy.retention
    return render(request, "privacy.html", {"kinds": catalogue(retention)})
