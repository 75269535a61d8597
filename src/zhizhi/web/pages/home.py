"""The home page, the deliveries overview, and the pages of the sections that later releases fill."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhizhi.access import Actor
from zhizhi.dashboard import overview
from zhizhi.dashboard.deliveries import funnels, latest_problems, target_titles
from zhizhi.reports import catalogue
from zhizhi.reports.runs import today
from zhizhi.reports.tables import ReportRun
from zhizhi.store.tables import Department
from zhizhi.store.types import LOCAL_TZ
from zhizhi.web import hotline_view
from zhizhi.web.api.status import for_viewer
from zhizhi.web.deps import DbSession, PageDataReader, PageWorkspaceReader, app_context
from zhizhi.web.templating import render

router = APIRouter()
SECTIONS = ("sources", "quarantine", "register", "deliveries", "hotline", "reports")
# Served by their own pages; the others say what they will do.
BUILT = ("sources", "quarantine", "register", "deliveries", "hotline", "reports")


@router.get("/", response_class=HTMLResponse)
def show_home(request: Request, db: DbSession, actor: PageWorkspaceReader) -> Response:
    """The workspace at a glance."""
    state = for_viewer(overview(db, app_context(request).workspace, actor), actor)
    sections = [s for s in SECTIONS if s not in BUILT or actor.can("data.read")]
    desk = hotline_view.summary(db, actor, hotline_view.desk(request)) if actor.can("data.read") else None
    reports = reports_card(db, actor, app_context(request).workspace.root) if actor.can("data.read") else None
    context = {"state": state, "sections": sections, "hotline": desk}
    return render(request, "home.html", {**context, "reports": reports})


def reports_card(db: Session, actor: Actor, root: Path) -> dict[str, Any] | None:
    """The home page's reports card: the reports defined, the runs made this month, the hand-filling time saved
    (the definitions' minutes x the periods filled, summed, as in the catalogue) and the reports flagged for
    retirement; None when the workspace defines no report."""
    found = catalogue(db, actor, root)
    if not found["reports"] and not found["broken"]:
        return None
    # Like every figure of the home page, the reader's departments' own: the reports issued within them.
    paths = dict(db.execute(select(Department.code, Department.path)).all())
    mine = [r for r in found["reports"] if actor.covers(paths.get(r["department"], "\0"))]
    first = datetime.combine(today().replace(day=1), time(), LOCAL_TZ)
    runs = db.scalar(select(func.count()).where(ReportRun.status == "done", ReportRun.created_at >= first,
                                                ReportRun.report.in_([r["name"] for r in mine])))  # fmt: skip
    minutes = sum(r["minutes_saved"] for r in mine)
    return {
        "reports": len(mine),
        "retired": sum(1 for r in mine if r["retired"]),
        "runs_this_month": int(runs or 0),
        "minutes_saved": minutes,
        "hours_saved": round(minutes / 60, 1),
        "flagged": sum(1 for r in mine if r["flag_retire"]),
    }


@router.get("/deliveries", response_class=HTMLResponse)
def show_deliveries(request: Request, db: DbSession, actor: PageDataReader) -> Response:
    """Per target the delivery funnel, and the latest rejected and dead deliveries with the platform's reason."""
    root = app_context(request).workspace.root
    context = {
        "funnels": funnels(db, actor, root),
        "problems": latest_problems(db, actor),
        "titles": target_titles(root),
    }
    return render(request, "deliveries.html", context)


def _section_page(section: str) -> Callable[..., Response]:
    def show_section(request: Request, actor: PageWorkspaceReader) -> Response:
        """A section of the hub that is not built yet says so, and what it will do."""
        return render(request, "section.html", {"section": section})

    return show_section


for _section in SECTIONS:
    if _section in BUILT:
        continue
    router.add_api_route(f"/{_section}", _section_page(_section), methods=["GET"], response_class=HTMLResponse)
