"""The reports' catalogue page (read-only): who asked for each report, how often, who reads it, the time saved."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from zhizhi.access import Actor
from zhizhi.config.files import NAME_PATTERN
from zhizhi.reports import catalogue
from zhizhi.reports.catalogue import retire
from zhizhi.web.deps import DbSession, FormGuard, PageGuard, app_context
from zhizhi.web.templating import render

router = APIRouter()


@router.get("/reports", response_class=HTMLResponse)
@router.get("/reports/catalogue", response_class=HTMLResponse)
def show_catalogue(
    request: Request, db: DbSession, actor: Annotated[Actor, Depends(PageGuard("data.read"))]
) -> Response:
    """The page of `GET /api/reports`; a steward retires a report nobody reads with one click (and a reason)."""
    found = catalogue(db, actor, app_context(request).workspace.root)
    context = {"found": found, "retired": request.query_params.get("retired")}
    return render(request, "reports_catalogue.html", context)


@router.post("/reports/{name}/retire")
def retire_report(
    request: Request,
    db: DbSession,
    actor: Annotated[Actor, Depends(FormGuard("data.write"))],
    name: Annotated[str, Path(pattern=NAME_PATTERN)],
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Retire a report: no longer run on schedule (its file and runs stay); audited as `report.retire`."""
    retire(db, actor, app_context(request).workspace.root, name, reason)
    return RedirectResponse("/reports/catalogue?" + urlencode({"retired": name}), status_code=303)
