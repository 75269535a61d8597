"""The tasks' pages (任务): the tasks the caller sees with the overdue parts on their side, a task with its parts and
the forms each caller may use (name the owner, hand over, accept or refuse, withdraw, done with evidence), a new task
from a file, and evidence downloads. Built on the same functions as /api/tasks; every form answers with a redirect
to the task it changed."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from zhizhi import tasks
from zhizhi.access import Actor
from zhizhi.access.roles import Role
from zhizhi.errors import InputError, NotFoundError
from zhizhi.hotline import load_calendar
from zhizhi.store.tables import TaskPart
from zhizhi.tasks.spec import MAX_FILE_BYTES as MAX_TASK_FILE
from zhizhi.web.api.tasks import uploads
from zhizhi.web.deps import DbSession, FormDataReader, Id, PageDataReader, Paging, app_context
from zhizhi.web.templating import render

router = APIRouter()
Number = Annotated[str, Path(min_length=1, max_length=tasks.MAX_NUMBER)]
Reason = Annotated[str, Form(max_length=tasks.MAX_REASON)]
Short = Annotated[str, Form(max_length=64)]


def _back(db: DbSession, actor: Actor, part: TaskPart, done: str) -> Response:
    """To the part on its task's page; to the list when the step left the task out of the actor's sight (a refusal)."""
    number = tasks.task_of(db, part).number
    try:
        tasks.get_task(db, actor, number)
    except NotFoundError:
        return RedirectResponse("/tasks?" + urlencode({"done": done}), status_code=303)
    target = f"/tasks/{quote(number)}?" + urlencode({"done": done}) + f"#part-{part.id}"
    return RedirectResponse(target, status_code=303)


def _leader(actor: Actor) -> bool:
    return actor.is_operator or Role.LEADER in actor.roles


OVERDUE_SHOWN, OVERDUE_ALL = 50, 2000  # overdue parts on the list page, and with ?overdue=all


@router.get("/tasks", response_class=HTMLResponse)
def show_tasks(
    request: Request,
    db: DbSession,
    actor: PageDataReader,
    pager: Paging,
    state: Annotated[str, Query(max_length=16)] = "",
    overdue: Annotated[Literal["", "all"], Query()] = "",
) -> Response:
    """The tasks the caller sees, newest first, filtered by state; the overdue parts on the caller's side, the 50
    most overdue (`?overdue=all`: up to 2,000) with how many there are in all."""
    found = tasks.list_tasks(db, actor, state=state or None, limit=pager.limit, offset=pager.offset)
    context = {
        "rows": tasks.task_rows(db, pager.rows(found)),
        "state": state,
        "states": tasks.STATES,
        "pager": pager.keep({"state": state}),  # not the notice of what was done
        "overdue": tasks.overdue_parts(db, actor, limit=OVERDUE_ALL if overdue else OVERDUE_SHOWN),
        "overdue_total": tasks.count_overdue(db, actor),
        "leader": _leader(actor),
        "done": request.query_params.get("done", "")[:16],
    }
    return render(request, "tasks_list.html", context)


@router.post("/tasks")
async def create_task(
    request: Request, db: DbSession, actor: FormDataReader, file: Annotated[UploadFile | None, File()] = None
) -> Response:
    """A new task from an uploaded YAML file or Excel workbook (a leader over its lead department)."""
    if file is None or not file.filename:
        raise InputError("Choose a task file (.yaml or .xlsx).", zh="请选择任务文件（.yaml 或 .xlsx）。")
    spec = tasks.read_task_bytes(await file.read(MAX_TASK_FILE + 1), file.filename[:200])
    task = tasks.create_task(db, actor, spec, load_calendar(app_context(request).workspace.root),
                             source=file.filename[:200])  # fmt: skip
    return RedirectResponse(f"/tasks/{quote(task.number)}?done=created", status_code=303)


@router.get("/tasks/{number}", response_class=HTMLResponse)
def show_task(
    number: Number,
    request: Request,
    db: DbSession,
    actor: PageDataReader,
    done: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """A task with its parts, their handovers and evidence, and the forms the caller may use on each."""
    view = tasks.task_view(db, actor, tasks.get_task(db, actor, number))
    return render(request, "tasks_task.html", {"task": view, "done": done})


@router.post("/tasks/parts/{part_id}/assign")
def assign_part(part_id: Id, db: DbSession, actor: FormDataReader, user: Short = "") -> Response:
    """Name the person of the part's department who owns it."""
    part = tasks.get_part(db, actor, part_id)
    tasks.assign(db, actor, part, user)
    return _back(db, actor, part, "assigned")


@router.post("/tasks/parts/{part_id}/handover")
def hand_over_part(
    part_id: Id, db: DbSession, actor: FormDataReader, department: Short = "", person: Short = "", reason: Reason = ""
) -> Response:
    """Offer the part to another department; it stays the giver's until accepted."""
    part = tasks.get_part(db, actor, part_id)
    tasks.hand_over(db, actor, part, department=department, person=person.strip() or None, reason=reason)
    return _back(db, actor, part, "offered")


@router.post("/tasks/parts/{part_id}/accept")
def accept_part(part_id: Id, db: DbSession, actor: FormDataReader) -> Response:
    """Accept the part offered."""
    part = tasks.get_part(db, actor, part_id)
    tasks.accept(db, actor, part)
    return _back(db, actor, part, "accepted")


@router.post("/tasks/parts/{part_id}/refuse")
def refuse_part(part_id: Id, db: DbSession, actor: FormDataReader, reason: Reason = "") -> Response:
    """Refuse the part offered, with a reason; the giver keeps it."""
    part = tasks.get_part(db, actor, part_id)
    tasks.decline(db, actor, part, reason)
    return _back(db, actor, part, "refused")


@router.post("/tasks/parts/{part_id}/withdraw")
def withdraw_offer(part_id: Id, db: DbSession, actor: FormDataReader) -> Response:
    """Take back an offer not yet answered."""
    part = tasks.get_part(db, actor, part_id)
    tasks.withdraw(db, actor, part)
    return _back(db, actor, part, "withdrawn")


@router.post("/tasks/parts/{part_id}/done")
async def finish_part(
    part_id: Id, db: DbSession, actor: FormDataReader,
    files: Annotated[list[UploadFile], File()] = [],  # noqa: B006
    text: Annotated[str, Form(max_length=tasks.MAX_TEXT)] = "",
) -> Response:  # fmt: skip
    """Mark the part done with the files and text given (and the evidence given before)."""
    given = await uploads([f for f in files if f.filename])
    part = tasks.get_part(db, actor, part_id)
    tasks.finish(db, actor, part, text=text, files=given)
    return _back(db, actor, part, "finished")


@router.get("/tasks/evidence/{evidence_id}")
def show_evidence(evidence_id: Id, db: DbSession, actor: PageDataReader) -> Response:
    """To the task and part the evidence belongs to, whose form downloads it: the download is audited, a write, so it
    is posted with the CSRF token (another site's link must not make a signed-in browser read it in its user's
    name)."""
    number, part_id = tasks.evidence_place(db, actor, evidence_id)
    return RedirectResponse(f"/tasks/{quote(number)}#part-{part_id}", status_code=303)


@router.post("/tasks/evidence/{evidence_id}")
def download_evidence(evidence_id: Id, db: DbSession, actor: FormDataReader) -> Response:
    """One piece of evidence as it was given (a file, or a text as plain text); the download is audited."""
    item = tasks.read_evidence(db, actor, evidence_id)
    shown = tasks.shown_evidence(db, actor, item)
    if item.kind == "text":
        return Response((shown["text"] or "").encode("utf-8"), media_type="text/plain; charset=utf-8")
    name = shown["name"] or "file"
    headers = {"Content-Disposition": f"attachment; filename=\"evidence-{item.id}\"; filename*=UTF-8''{quote(name)}"}
    return Response(item.content or b"", media_type=item.media_type or "application/octet-stream", headers=headers)
