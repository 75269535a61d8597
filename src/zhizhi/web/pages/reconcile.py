"""Reconciliation pages: per department, what its sources brought in and what each target made of it; every
delivery figure opens the deliveries behind it; the same as an Excel workbook. One filter (`Chosen`) for all three."""

from __future__ import annotations

import io
import re

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from zhizhi.access import list_departments
from zhizhi.delivery import load_targets
from zhizhi.delivery.drilldown import FIGURES, all_deliveries, check_figure, list_deliveries
from zhizhi.delivery.figures import OUTCOME_FIGURES, Line
from zhizhi.delivery.reconcile import known_targets, reconcile
from zhizhi.delivery.reconcile_export import write_reconciliation_xlsx
from zhizhi.web import ingest_view
from zhizhi.web.api.reconcile import Chosen
from zhizhi.web.deps import DbSession, PageDataReader, Paging, app_context
from zhizhi.web.templating import render

router = APIRouter(include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INTAKE = ("produced", "accepted", "quarantined", "skipped")


@router.get("/reconcile", response_class=HTMLResponse)
def show_reconcile(request: Request, db: DbSession, actor: PageDataReader, chosen: Chosen) -> Response:
    """A table per department: rows produced and how they ended; per target, deliveries owed and what became of them."""
    root = app_context(request).workspace.root
    targets = load_targets(root)
    result = reconcile(db, actor, chosen, targets=targets)

    def drill(figure: str, line: Line | None = None, department: str = "", target: str = "") -> str:
        """The deliveries behind a figure of a line, a department's subtotal, a target's total, or the total."""
        narrowed = chosen
        if line is not None:
            narrowed = narrowed.but(target=line.target, source=line.source, department=line.department)
        narrowed = narrowed.but(department=department) if department else narrowed
        narrowed = narrowed.but(target=target) if target else narrowed
        return "/reconcile/deliveries?" + narrowed.query(status=figure)

    return render(
        request,
        "reconcile.html",
        {
            "result": result,
            "filters": chosen,
            "targets": known_targets(db, targets),
            "sources": ingest_view.source_names(root),
            "departments": list_departments(db, actor),
            "intake_figures": INTAKE,
            "outcome_figures": OUTCOME_FIGURES,
            "drill": drill,
            "export_query": chosen.query(),
        },
    )


@router.get("/reconcile/deliveries", response_class=HTMLResponse)
def show_reconcile_deliveries(
    request: Request, db: DbSession, actor: PageDataReader, chosen: Chosen, pager: Paging, status: str = "owed"
) -> Response:
    """The deliveries behind a figure: record, name, the file, sheet and row it came from, state, what was said
    (or, for one withheld, the code decision it waits for)."""
    check_figure(status)
    root = app_context(request).workspace.root
    found = list_deliveries(
        db, actor, chosen, targets=load_targets(root), status=status, limit=pager.limit, offset=pager.offset
    )
    return render(
        request,
        "reconcile_deliveries.html",
        {
            "deliveries": pager.rows(found),
            "pager": pager,
            "filters": chosen,
            "departments": {d.code: d.name for d in list_departments(db, actor)},
            "status": status,
            "figures": FIGURES,
            "back_query": chosen.query(),
            "figure_query": lambda figure: chosen.query(status=figure),
        },
    )


@router.get("/reconcile/export.xlsx")
def export_reconcile(request: Request, db: DbSession, actor: PageDataReader, chosen: Chosen) -> Response:
    """The figures (sheet `summary`) and every delivery behind them (sheet `deliveries`); text never a formula."""
    targets = load_targets(app_context(request).workspace.root)
    result = reconcile(db, actor, chosen, targets=targets)
    buffer = io.BytesIO()
    write_reconciliation_xlsx(result, all_deliveries(db, actor, chosen, targets=targets), buffer)
    name = "reconcile-" + re.sub(r"[^0-9A-Za-z.-]", "_", result.period.text if result.period else "all") + ".xlsx"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(buffer.getvalue(), media_type=XLSX, headers=headers)
