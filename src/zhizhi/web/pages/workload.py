"""The leader's workload page (工作量统计): offices by months against capacity, where the load exceeds it first, the
people, the Excel export, and the capacity forms for the offices the leader is above. Built on `/api/workload`'s
function."""

from __future__ import annotations

from io import BytesIO
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from zhizhi import workload
from zhizhi.errors import InputError
from zhizhi.web.deps import DbSession, FormDataReader, PageDataReader
from zhizhi.web.templating import render
from zhizhi.workload.capacity import MAX_NOTE

router = APIRouter()
Month = Annotated[str, Query(max_length=7)]
Months = Annotated[int, Query(ge=1, le=workload.MAX_MONTHS)]
Number = Annotated[str, Form(max_length=6)]


@router.get("/workload", response_class=HTMLResponse)
def show_workload(
    request: Request, db: DbSession, actor: PageDataReader, month: Month = "", months: Months = 6,
    saved: Annotated[str, Query(max_length=32)] = "",
) -> Response:  # fmt: skip
    """Offices by months (over capacity in red), the office-months over capacity, the people, capacity forms."""
    figures = workload.workload(db, actor, workload.months(month or None, months))
    context = {
        "figures": figures,
        "month": month,
        "months": months,
        "saved": saved,
        "export": "/workload/export.xlsx?" + urlencode({"month": month, "months": months}),
        "settable": [(d.code, d.name) for d in workload.settable(db, actor)],
    }
    return render(request, "workload.html", context)


@router.get("/workload/export.xlsx")
def export_workload(db: DbSession, actor: PageDataReader, month: Month = "", months: Months = 6) -> Response:
    """The same figures as a workbook: sheets 按单位, 按人员, 说明."""
    figures = workload.workload(db, actor, workload.months(month or None, months))
    out = BytesIO()
    workload.write_workload_xlsx(figures, out)
    name = f"workload-{figures['months'][-1]}.xlsx"
    return Response(
        out.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/workload/capacity")
def set_capacity(
    db: DbSession, actor: FormDataReader, office: Annotated[str, Form(max_length=32)] = "", staff: Number = "",
    per_person: Number = "", note: Annotated[str, Form(max_length=MAX_NOTE)] = "",
) -> Response:  # fmt: skip
    """Set an office's staff and items per person (a leader above it); back to the page."""
    try:
        people, each = int(staff), int(per_person)
    except ValueError:
        raise InputError(f"Staff `{staff}` and items per person `{per_person}` must be whole numbers.",
                         zh=f"人员数 `{staff}` 和人均承载量 `{per_person}` 应为整数。") from None  # fmt: skip
    workload.set_capacity(db, actor, office, staff=people, per_person=each, note=note)
    return RedirectResponse("/workload?" + urlencode({"saved": office}), status_code=303)
