"""The JSON API of tasks across departments: list, create, read, the overdue parts, and a part's steps.

Reads need `data.read` and see the tasks whose lead, parts or offers lie in the caller's subtree; each step checks
the caller's side on the part (docs/tasks.md), so a permitted role may still be refused (403). Every write is committed
before the answer is sent (the request's transaction).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from zhizhi import tasks
from zhizhi.access import Actor
from zhizhi.hotline import load_calendar
from zhizhi.web.deps import ApiDataReader, DbSession, Id, Limit, Offset, app_context

router = APIRouter(prefix="/tasks", tags=["tasks"])
Number = Annotated[str, Path(min_length=1, max_length=tasks.MAX_NUMBER, description="e.g. RW2026-0007")]
Reason = Annotated[str, Field(max_length=tasks.MAX_REASON, description="why, kept in the audit trail")]
State = Annotated[str | None, Query(max_length=16, description="open, done or overdue")]


class Assignment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user: str = Field(min_length=1, max_length=64, description="a user of the part's department")


class Offer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    department: str = Field(min_length=1, max_length=32, description="code of the department offered the part")
    person: str | None = Field(default=None, max_length=64, description="a user of that department")
    reason: Reason


class Why(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Reason


class Done(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(default="", max_length=tasks.MAX_TEXT, description="what was done; files: POST .../evidence")


def _view(db: DbSession, actor: Actor, part: Any) -> dict[str, Any]:
    return tasks.task_view(db, actor, tasks.task_of(db, part))


@router.get("")
def list_tasks(db: DbSession, actor: ApiDataReader, state: State = None, limit: Limit = 100, offset: Offset = 0
               ) -> list[dict[str, Any]]:  # fmt: skip
    """The tasks the caller sees, newest first: lead, parts done and overdue, the next deadline."""
    return tasks.task_rows(db, tasks.list_tasks(db, actor, state=state, limit=limit, offset=offset))


@router.post("")
def create_task(request: Request, db: DbSession, actor: ApiDataReader, spec: tasks.TaskSpec) -> dict[str, Any]:
    """Create a task (a leader over its lead department); the same keys as a task file (docs/tasks.md)."""
    calendar = load_calendar(app_context(request).workspace.root)
    return tasks.task_view(db, actor, tasks.create_task(db, actor, spec, calendar, source="api"))


@router.get("/overdue")
def overdue_parts(db: DbSession, actor: ApiDataReader, limit: Limit = 200) -> list[dict[str, Any]]:
    """Open parts past their deadline on the caller's side (lead, owner or receiver), most overdue first."""
    return tasks.overdue_parts(db, actor, limit=limit)


@router.get("/{number}")
def read_task(number: Number, db: DbSession, actor: ApiDataReader) -> dict[str, Any]:
    """A task with its parts, their handovers and evidence, and the steps the caller may take on each."""
    return tasks.task_view(db, actor, tasks.get_task(db, actor, number))


@router.post("/parts/{part_id}/assign")
def assign_part(part_id: Id, db: DbSession, actor: ApiDataReader, body: Assignment) -> dict[str, Any]:
    """Name the person of the part's department who owns it (a leader over that department)."""
    part = tasks.assign(db, actor, tasks.get_part(db, actor, part_id), body.user)
    return _view(db, actor, part)


@router.post("/parts/{part_id}/handover")
def hand_over_part(part_id: Id, db: DbSession, actor: ApiDataReader, body: Offer) -> dict[str, Any]:
    """Offer the part to another department; it stays the giver's until the receiver accepts."""
    part = tasks.get_part(db, actor, part_id)
    tasks.hand_over(db, actor, part, department=body.department, person=body.person, reason=body.reason)
    return _view(db, actor, part)


@router.post("/parts/{part_id}/accept")
def accept_part(part_id: Id, db: DbSession, actor: ApiDataReader) -> dict[str, Any]:
    """Accept the part offered (the receiving side): it becomes the receiving department's."""
    part = tasks.get_part(db, actor, part_id)
    tasks.accept(db, actor, part)
    return _view(db, actor, part)


@router.post("/parts/{part_id}/refuse")
def refuse_part(part_id: Id, db: DbSession, actor: ApiDataReader, body: Why) -> dict[str, Any]:
    """Refuse the part offered, with a reason; the giver keeps it."""
    part = tasks.get_part(db, actor, part_id)
    tasks.decline(db, actor, part, body.reason)
    return _view(db, actor, part)


@router.post("/parts/{part_id}/withdraw")
def withdraw_offer(part_id: Id, db: DbSession, actor: ApiDataReader) -> dict[str, Any]:
    """Take back an offer not yet answered (the owner side)."""
    part = tasks.get_part(db, actor, part_id)
    tasks.withdraw(db, actor, part)
    return _view(db, actor, part)


async def uploads(files: list[UploadFile]) -> list[tasks.Upload]:
    """The uploaded files, each refused (422) past the size limit without reading the rest."""
    found = []
    for upload in files[: tasks.MAX_FILES + 1]:
        data = await upload.read(tasks.MAX_FILE_BYTES + 1)
        name = (upload.filename or "file")[:200]
        if len(data) > tasks.MAX_FILE_BYTES:
            raise tasks.too_big(name, len(data))
        found.append(tasks.Upload(name, upload.content_type or "application/octet-stream", data))
    return found


@router.post("/parts/{part_id}/evidence")
async def add_evidence(
    part_id: Id, db: DbSession, actor: ApiDataReader,
    files: Annotated[list[UploadFile], File(description="evidence files, 10 MiB each at most")] = [],  # noqa: B006
    text: Annotated[str, Form(max_length=tasks.MAX_TEXT)] = "",
) -> dict[str, Any]:  # fmt: skip
    """Keep files and a text as the part's evidence (the owner side, while the part is open)."""
    given = await uploads(files)
    part = tasks.get_part(db, actor, part_id)
    tasks.add_evidence(db, actor, part, text=text, files=given)
    return _view(db, actor, part)


@router.post("/parts/{part_id}/done")
def finish_part(part_id: Id, db: DbSession, actor: ApiDataReader, body: Done) -> dict[str, Any]:
    """Mark the part done with the evidence it asks for (given before, and this text)."""
    part = tasks.get_part(db, actor, part_id)
    tasks.finish(db, actor, part, text=body.text)
    return _view(db, actor, part)
