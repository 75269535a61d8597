"""The personal-data catalogue page: what is personal in each record type, how it is masked, how long it is kept."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from zhizhi.access import Actor
from zhizhi.privacy.catalogue import catalogue
from zhizhi.web.deps import PageGuard, app_context
from zhizhi.web.templating import render

router = APIRouter()


@router.get("/privacy", response_class=HTMLResponse)
def show_catalogue(request: Request, actor: Annotated[Actor, Depends(PageGuard("workspace.read"))]) -> Response:
    """Every field of every record type classified; the page of `GET /api/privacy/catalogue`."""
    retention = app_context(request).workspace.config.privacy.retention
    return render(request, "privacy.html", {"kinds": catalogue(retention)})
