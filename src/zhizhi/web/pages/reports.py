"""The reports' catalogue page: who asked for each report, how often, who reads it, the time saved; a steward retires
a report, or runs one now and follows its progress."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from zhizhi.config.files import NAME_PATTERN
from zhizhi.errors import InputError, PermissionDeniedError
from zhizhi.progress import Job
from zhizhi.reports import catalogue, load_report, run_report
from zhizhi.reports.catalogue import retire
from zhizhi.reports.periods import last_complete
from zhizhi.reports.runs import issuer, today
from zhizhi.web import progress_view
from zhizhi.web.deps import DbSession, FormDataWriter, PageDataReader, app_context
from zhizhi.web.templating import render

router = APIRouter()


@router.get("/reports", response_class=HTMLResponse)
@router.get("/reports/catalogue", response_class=HTMLResponse)
def show_catalogue(request: Request, db: DbSession, actor: PageDataReader) -> Response:
    """The page of `GET /api/reports`; a steward of the issuing department (or one above it) retires a report nobody
    reads with one click (and a reason), or runs one now and follows the run on its job's page: the reports a
    steward may retire (`retirable`, not retired yet) are the ones they may run."""
    found = catalogue(db, actor, app_context(request).workspace.root)
    context = {"found": found, "retired": request.query_params.get("retired")}
    return render(request, "reports_catalogue.html", context)


@router.post("/reports/{name}/run")
def run_now(
    request: Request,
    db: DbSession,
    actor: FormDataWriter,
    name: Annotated[str, Path(pattern=NAME_PATTERN)],
) -> Response:
    """Run a report for its last ended period, as `zhizhi reports run NAME` does, in a job the page follows; a report
    unknown, on demand or issued outside the steward's departments is refused before any job."""
    context = app_context(request)
    report = load_report(context.workspace.root, name)
    department, _ = issuer(db, report)
    if not actor.covers(department.path):
        raise PermissionDeniedError(
            f"Report `{name}` is issued by `{report.department}`, outside your departments.",
            zh=f"报表 `{name}` 的报送部门不在您的权限范围内。",
        )
    if report.frequency == "on_demand":
        raise InputError(
            f"Report `{name}` is on demand: run it with `zhizhi reports run {name} --period ...`.",
            zh=f"报表 `{name}` 按需生成，请用 `zhizhi reports run {name} --period 报告期` 指定报告期。",
        )
    period = last_complete(report.frequency, today())

    def work(job: Job) -> str:
        with context.sessions() as session, session.begin():
            run_report(session, context.workspace, actor, name, period, progress=job)
        return "/reports/catalogue"

    return RedirectResponse(f"/jobs/{progress_view.start(request, actor, '/reports', work)}", status_code=303)


@router.post("/reports/{name}/retire")
def retire_report(
    request: Request,
    db: DbSession,
    actor: FormDataWriter,
    name: Annotated[str, Path(pattern=NAME_PATTERN)],
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Retire a report: no longer run on schedule (its file and runs stay); audited as `report.retire`."""
    retire(db, actor, app_context(request).workspace.root, name, reason)
    return RedirectResponse("/reports/catalogue?" + urlencode({"retired": name}), status_code=303)
