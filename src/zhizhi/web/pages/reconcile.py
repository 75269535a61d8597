"""Reconciliation pages: per department, what its sources brought in and what each target made of it; every
delivery figure opens the deliveries behind it; the same as an Excel workbook."""

from __future__ import annotations

import io
import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from zhizhi.access import Actor, list_departments
from zhizhi.delivery import load_targets
from zhizhi.delivery.drilldown import FIGURES, all_deliveries, check_figure, list_deliveries
from zhizhi.delivery.figures import Line
from zhizhi.delivery.reconcile import known_targets, reconcile
from zhizhi.delivery.reconcile_export import write_reconciliation_xlsx
from zhizhi.web import ingest_view
from zhizhi.web.deps import DbSession, Page, PageGuard, app_context
from zhizhi.web.templating import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Actor, Depends(PageGuard("data.read"))]
PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INTAKE = ("produced", "accepted", "quarantined", "skipped")
OUTCOME = ("owed", "delivered", "acknowledged", "rejected", "sent", "pending", "dead", "unknown")


@router.get("/reconcile", response_class=HTMLResponse)
def show_reconcile(
    request: Request,
    db: DbSession,
    actor: Reader,
    target: str = "",
    source: str = "",
    department: str = "",
    period: str = "",
) -> Response:
    """A table per department: rows produced and how they ended; per target, deliveries owed and what became of them."""
    root = app_context(request).workspace.root
    targets = load_targets(root)
    filters = {"target": target, "source": source, "department": department, "period": period.strip()}
    result = reconcile(db, actor, targets=targets, **_given(filters))

    def drill(figure: str, line: Line | None = None, department: str = "", target: str = "") -> str:
        """The deliveries behind a figure of a line, a department's subtotal, a target's total, or the total."""
        chosen = dict(filters)
        if line is not None:
            chosen |= {"target": line.target or "", "source": line.source, "department": line.department}
        chosen |= {"department": department} if department else {}
        chosen |= {"target": target} if target else {}
        return "/reconcile/deliveries?" + urlencode({k: v for k, v in (chosen | {"status": figure}).items() if v})

    return render(
        request,
        "reconcile.html",
        {
            "result": result,
            "filters": filters,
            "targets": known_targets(db, targets),
            "sources": ingest_view.source_names(root),
            "departments": list_departments(db, actor),
            "intake_figures": INTAKE,
            "outcome_figures": OUTCOME,
            "drill": drill,
            "export_query": urlencode({k: v for k, v in filters.items() if v}),
        },
    )


@router.get("/reconcile/deliveries", response_class=HTMLResponse)
def show_reconcile_deliveries(
    request: Request,
    db: DbSession,
    actor: Reader,
    target: str = "",
    source: str = "",
    department: str = "",
    period: str = "",
    status: str = "owed",
    page: Page = 1,
) -> Response:
    """The deliveries behind a figure: record, name, the file, sheet and row it came from, state, what was said."""
    check_figure(status)
    filters = {"target": target, "source": source, "department": department, "period": period.strip()}
    found = list_deliveries(
        db,
        actor,
        targets=load_targets(app_context(request).workspace.root),
        status=status,
        limit=PAGE_SIZE + 1,
        offset=(page - 1) * PAGE_SIZE,
        **_given(filters),
    )
    given = {k: v for k, v in filters.items() if v}
    return render(
        request,
        "reconcile_deliveries.html",
        {
            "deliveries": found[:PAGE_SIZE],
            "has_next": len(found) > PAGE_SIZE,
            "page": page,
            "filters": filters,
            "status": status,
            "figures": FIGURES,
            "back_query": urlencode(given),
            "figure_query": lambda figure: urlencode(given | {"status": figure}),
            "query_for": lambda n: urlencode(given | {"status": status, "page": n}),
        },
    )


@router.get("/reconcile/export.xlsx")
def export_reconcile(
    request: Request,
    db: DbSession,
    actor: Reader,
    target: str = "",
    source: str = "",
    department: str = "",
    period: str = "",
) -> Response:
    """The figures (sheet `summary`) and every delivery behind them (sheet `deliveries`); text never a formula."""
    targets = load_targets(app_context(request).workspace.root)
    filters = _given({"target": target, "source": source, "department": department, "period": period.strip()})
    result = reconcile(db, actor, targets=targets, **filters)
    buffer = io.BytesIO()
    write_reconciliation_xlsx(result, all_deliveries(db, actor, targets=targets, **filters), buffer)
    name = "reconcile-" + re.sub(r"[^0-9A-Za-z.-]", "_", result.period.text if result.period else "all") + ".xlsx"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(buffer.getvalue(), media_type=XLSX, headers=headers)


def _given(filters: dict[str, str]) -> dict[str, Any]:
    """The filters as `reconcile` takes them: None for an empty one."""
    return {key: value or None for key, value in filters.items()}
