"""Random inspections' pages (抽查): the overview, the registers (with Excel out and in), a draw and its check, a
visit, the site page for the phone, and the publication clock. Each is built on the same functions as its JSON twin
under /api/inspections; every form posts back and is answered with a redirect."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from zhizhi import inspections
from zhizhi.errors import InputError, NotFoundError, ZhizhiError
from zhizhi.inspections.draws import draw_number_of
from zhizhi.inspections.photos import MAX_BYTES
from zhizhi.inspections.publication import published_file
from zhizhi.inspections.results import enter_results, parse_entry
from zhizhi.inspections.views import draw_view, overview
from zhizhi.inspections.visits import ACKNOWLEDGEMENTS, may_change
from zhizhi.records.inspection import RESULTS
from zhizhi.store.types import local_today
from zhizhi.web.deps import (
    DbSession,
    FormDataReader,
    FormDataWriter,
    Id,
    PageDataReader,
    Paging,
    app_context,
    locale_of,
)
from zhizhi.web.forms import optional_date
from zhizhi.web.templating import render

router = APIRouter()
Number = Annotated[str, Path(min_length=1, max_length=48, pattern=r"^[A-Za-z0-9_-]+$")]
Kind = Annotated[str, Path(pattern="^(items|targets|inspectors)$")]
Done = Annotated[str, Query(max_length=32)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORTS = {
    "items": inspections.export_items,
    "targets": inspections.export_targets,
    "inspectors": inspections.export_inspectors,
}
TITLES = {"items": "抽查事项清单", "targets": "检查对象名录库", "inspectors": "执法检查人员名录库"}


def _xlsx(body: bytes, name: str) -> Response:
    disposition = f"attachment; filename*=UTF-8''{quote(name)}"
    return Response(body, media_type=XLSX, headers={"Content-Disposition": disposition})


@router.get("/inspections", response_class=HTMLResponse)
def show_overview(request: Request, db: DbSession, actor: PageDataReader) -> Response:
    """The section at a glance: registers, draws, visits, the caller's own visits, the publication clock."""
    found = overview(db, actor, app_context(request).workspace)
    return render(request, "inspections_overview.html", {"o": found})


@router.get("/inspections/registers/{kind}.xlsx")
def export_register(kind: Kind, db: DbSession, actor: PageDataReader) -> Response:
    """The register as Excel, in the columns an import reads."""
    return _xlsx(EXPORTS[kind](db, actor), f"{TITLES[kind]}.xlsx")


@router.get("/inspections/registers/{kind}", response_class=HTMLResponse)
def show_register(
    kind: Kind,
    request: Request,
    db: DbSession,
    actor: PageDataReader,
    pager: Paging,
    q: Annotated[str, Query(max_length=100)] = "",
    risk_class: Annotated[str, Query(pattern="^(high|medium|low|)$")] = "",
    done: Done = "",
) -> Response:
    """One register (the item list, targets paged and filtered, inspectors), its export and its import form."""
    context: dict[str, Any] = {"kind": kind, "done": done, "may_write": actor.can("data.write")}
    if kind == "items":
        context["rows"] = inspections.list_items(db, actor)
    elif kind == "inspectors":
        context["rows"] = inspections.list_inspectors(db, actor)
    else:
        found = inspections.list_targets(
            db, actor, query=q, risk_class=risk_class or None, limit=pager.size, offset=pager.offset
        )
        context.update(
            rows=found["targets"],
            total=found["total"],
            by_class=found["by_class"],
            q=q,
            risk_class=risk_class,
            pager=pager.counted(found["total"]).keep({"q": q, "risk_class": risk_class}),
        )
    return render(request, "inspections_register.html", context)


@router.post("/inspections/registers/{kind}/import")
async def import_register(
    kind: Kind,
    request: Request,
    db: DbSession,
    actor: FormDataWriter,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Import an .xlsx into the register; a file with any problem changes nothing and its problems are shown."""
    if file is None or not file.filename:
        raise InputError("Choose an .xlsx file.", zh="请选择一个 .xlsx 文件。")
    data, name = await file.read(64 * 1024 * 1024 + 1), file.filename[:200]
    if kind == "targets":
        done = inspections.import_targets(db, actor, data, name)
    else:
        imported = (inspections.import_items if kind == "items" else inspections.import_inspectors)(
            db, actor, data, name
        )
        done = imported.created + imported.updated
    return RedirectResponse(f"/inspections/registers/{kind}?" + urlencode({"done": f"imported-{done}"}), 303)


@router.get("/inspections/draws/{number}", response_class=HTMLResponse)
def show_draw(number: Number, request: Request, db: DbSession, actor: PageDataReader, done: Done = "") -> Response:
    """A draw: its commitment and reveal, each visit with its team, and every candidate passed over and why; for a
    steward, the button that runs a committed draw and the form that commits a staffing draw."""
    found = draw_view(db, actor, draw_number_of(db, actor, number))
    context = {"d": found, "done": done, "may_write": actor.can("data.write")}
    return render(request, "inspections_draw.html", context)


@router.post("/inspections/draws/{number}/run")
def run_committed_draw(number: Number, request: Request, db: DbSession, actor: FormDataWriter) -> Response:
    """Run a committed draw (once): its seed revealed, its firms and teams drawn."""
    inspections.run_draw(db, actor, app_context(request).workspace, draw_number_of(db, actor, number))
    return RedirectResponse(f"/inspections/draws/{number}?done=drawn", status_code=303)


@router.post("/inspections/draws/{number}/staff")
def staff_unstaffed(
    number: Number,
    request: Request,
    db: DbSession,
    actor: FormDataWriter,
    reason: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Commit a staffing draw of the firms a drawn draw left unstaffed; its page then runs it."""
    made = inspections.staff(db, actor, app_context(request).workspace, draw_number_of(db, actor, number), reason)
    return RedirectResponse(f"/inspections/draws/{made.number}?done=staffing", status_code=303)


@router.get("/inspections/draws/{number}/verify", response_class=HTMLResponse)
def show_verification(number: Number, request: Request, db: DbSession, actor: PageDataReader) -> Response:
    """The draw re-run from its seed and snapshot, each check with what it found."""
    chosen = draw_number_of(db, actor, number)
    found = inspections.verify_draw(db, actor, app_context(request).workspace, chosen).as_dict()
    return render(request, "inspections_verify.html", {"v": found})


@router.get("/inspections/visits/{number}", response_class=HTMLResponse)
def show_visit(
    number: Number, request: Request, db: DbSession, actor: PageDataReader, done: Done = ""
) -> Response:
    """A visit: target, team, items and findings, photos, acknowledgement, deadline; for its team, the form to
    declare a relation with the firm (回避); for a steward of its organiser, the forms that change it."""
    stored = inspections.get_visit(db, actor, number)
    visit = inspections.visit_view(db, actor, stored)
    context = {"v": visit, "results": RESULTS, "draw_open": _may_open(db, actor, visit), "done": done,
               "may_assign": may_change(db, actor, stored)}  # fmt: skip
    return render(request, "inspections_visit.html", context)


@router.post("/inspections/visits/{number}/assign")
def assign_visit(
    number: Number,
    request: Request,
    db: DbSession,
    actor: FormDataWriter,
    planned_on: Annotated[str, Form(max_length=10)] = "",
    replace: Annotated[str, Form(max_length=64)] = "",
    reason: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """The visit page's form: plan its day, replace a team member (with the reason) by the draw's next inspector."""
    day = optional_date(planned_on.strip())
    inspections.assign(db, actor, app_context(request).workspace, number, planned_on=day, replace=replace or None,
                       reason=reason)  # fmt: skip
    return RedirectResponse(f"/inspections/visits/{number}?done=assigned", status_code=303)


@router.post("/inspections/visits/{number}/staff")
def staff_visit(
    number: Number,
    request: Request,
    db: DbSession,
    actor: FormDataWriter,
    reason: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Commit a staffing draw that gives this visit a new team (its draw's order had nobody left); its page runs it."""
    made = inspections.staff_visit(db, actor, app_context(request).workspace, number, reason)
    return RedirectResponse(f"/inspections/draws/{made.number}?done=staffing", status_code=303)


def _may_open(db: DbSession, actor: PageDataReader, visit: dict[str, Any]) -> bool:
    """Whether the visit's draw is the reader's to open (an inspector lent by another office sees the visit only)."""
    if not visit.get("draw"):
        return False
    try:
        inspections.get_draw(db, actor, visit["draw"])
    except NotFoundError:
        return False
    return True


def _site(request: Request, visit: dict[str, Any], **more: Any) -> Response:
    status = int(more.pop("status_code", 200))
    context = {"v": visit, "results": RESULTS, "acknowledgements": ACKNOWLEDGEMENTS, "today": local_today(), **more}
    return render(request, "inspections_site.html", context, status_code=status)


@router.get("/inspections/visits/{number}/site", response_class=HTMLResponse)
def show_site(number: Number, request: Request, db: DbSession, actor: PageDataReader, done: Done = "") -> Response:
    """The page the team uses at the site, on a phone: a finding per item, photos, the firm's acknowledgement."""
    return _site(request, inspections.visit_view(db, actor, inspections.get_visit(db, actor, number)), done=done)


def _entry(form: FormData, items: list[dict[str, Any]]) -> dict[str, Any]:
    def text(name: str) -> str:
        value = form.get(name)
        return value.strip() if isinstance(value, str) else ""

    return {
        "inspected_on": text("inspected_on") or None,
        "acknowledgement": text("acknowledgement"),
        "acknowledged_by": text("acknowledged_by"),
        "remark": text("remark"),
        "findings": {
            i["code"]: {"result": text(f"result-{i['code']}"), "note": text(f"note-{i['code']}")}
            for i in items
            if text(f"result-{i['code']}")
        },
    }


@router.post("/inspections/visits/{number}/site", response_class=HTMLResponse)
async def record_at_site(number: Number, request: Request, db: DbSession, actor: FormDataReader) -> Response:
    """The site form's results, entered once; on a problem the page comes back with it (the draft stays)."""
    visit = inspections.visit_view(db, actor, inspections.get_visit(db, actor, number))
    try:
        entry = parse_entry(_entry(await request.form(), visit["items"]), "The form")
        with db.begin_nested():  # a refused entry changes nothing
            enter_results(db, actor, app_context(request).workspace, number, entry)
    except ZhizhiError as exc:
        if isinstance(exc, NotFoundError) or exc.status == 403:
            raise
        # The message names every problem in the page's language: the details (English, for the API) are not shown.
        return _site(request, visit, error=exc.localized(locale_of(request)), status_code=exc.status)
    return RedirectResponse(f"/inspections/visits/{number}/site?done=recorded", status_code=303)


@router.post("/inspections/visits/{number}/recuse")
def recuse(
    number: Number,
    db: DbSession,
    actor: FormDataReader,
    relation: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """A team member declares their own relation with the visit's firm (回避申报): never drawn for it again, and
    replaced on this visit before results are taken."""
    visit = inspections.get_visit(db, actor, number)  # the scope first
    inspections.declare_relation(db, actor, actor.name, visit.entity_id, relation)
    return RedirectResponse(f"/inspections/visits/{number}?done=recused", status_code=303)


@router.post("/inspections/visits/{number}/photos")
async def upload_photo(
    number: Number,
    request: Request,
    db: DbSession,
    actor: FormDataReader,
    photo: Annotated[UploadFile | None, File()] = None,
    item: Annotated[str, Form(max_length=32)] = "",
    keep_location: Annotated[bool, Form()] = False,
) -> Response:
    """A photo taken at the site, its location taken out unless kept on purpose."""
    inspections.get_visit(db, actor, number)  # the scope first
    if photo is None or not photo.filename:
        raise InputError("Choose a photo.", zh="请选择照片。")
    data = await photo.read(MAX_BYTES + 1)
    inspections.add_photo(
        db, actor, app_context(request).workspace, number, data, item_code=item or None, keep_location=keep_location
    )
    return RedirectResponse(f"/inspections/visits/{number}/site?done=photo", status_code=303)


@router.get("/inspections/visits/{number}/photos/{photo_id}")
def show_photo(number: Number, photo_id: Id, request: Request, db: DbSession, actor: PageDataReader) -> Response:
    """A photo of a visit the caller may see."""
    data, media_type = inspections.photo_file(db, actor, app_context(request).workspace, number, photo_id)
    return Response(data, media_type=media_type)


@router.get("/inspections/publication", response_class=HTMLResponse)
def show_publication(request: Request, db: DbSession, actor: PageDataReader, done: Done = "") -> Response:
    """The publication clock: visits waiting with their deadline, the breach list, the exports made."""
    found = inspections.publication_view(db, actor, app_context(request).workspace)
    return render(
        request, "inspections_publication.html", {"p": found, "done": done, "may_write": actor.can("data.write")}
    )


@router.post("/inspections/publish")
def publish_results(request: Request, db: DbSession, actor: FormDataWriter) -> Response:
    """Export the unpublished results for the credit publicity system and mark them published."""
    made, _ = inspections.publish(db, actor, app_context(request).workspace)
    return RedirectResponse("/inspections/publication?" + urlencode({"done": made["number"]}), status_code=303)


@router.get("/inspections/publications/{number}.xlsx")
def download_publication(number: Number, request: Request, db: DbSession, actor: PageDataReader) -> Response:
    """An export as it was made for the publicity system."""
    name, body = published_file(db, actor, app_context(request).workspace, number)
    return _xlsx(body, name)
