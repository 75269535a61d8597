"""The home page, the deliveries overview, and the pages of the sections that later releases fill."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from zhizhi.dashboard import overview
from zhizhi.dashboard.deliveries import funnels, latest_problems, target_titles
from zhizhi.reports import reader_card
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
    reports = reader_card(db, actor, app_context(request).workspace.root) if actor.can("data.read") else None
    context = {"state": state, "sections": sections, "hotline": desk}
    return render(request, "home.html", {**context, "reports": reports})


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
