"""Random inspections' JSON API: the registers, plans and draws (and their check), visits, results entered once,
photos, and publication.

Reads need `data.read`; plans, draws, assignments and publication need `data.write` (stewards of the organiser's
subtree); results and photos are entered by the visit's team (or a steward of its organiser). Every write is
committed before the answer is sent (the request's transaction, `DbSession`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from zhizhi import inspections
from zhizhi.errors import InputError
from zhizhi.inspections.draws import draw_number_of, list_draws
from zhizhi.inspections.photos import MAX_BYTES
from zhizhi.inspections.results import ResultsEntry, enter_results
from zhizhi.inspections.views import draw_view, overview
from zhizhi.web.deps import ApiDataReader, ApiDataWriter, DbSession, Id, IdValue, Limit, Offset, app_context

router = APIRouter(prefix="/inspections", tags=["inspections"])
Number = Annotated[str, Path(min_length=1, max_length=48, pattern=r"^[A-Za-z0-9_-]+$")]
RiskClass = Annotated[str | None, Query(pattern="^(high|medium|low)$")]


class NewPlan(BaseModel):
    """A plan and its rules; its first draw is committed with it."""

    model_config = ConfigDict(extra="forbid")
    number: str = Field(min_length=1, max_length=32)
    title: str = Field(min_length=2, max_length=200)
    department: str = Field(min_length=1, max_length=32, description="the organising department's code")
    first: date
    last: date
    rules: inspections.PlanRules


class Assignment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    planned_on: date | None = None
    replace: str | None = Field(default=None, max_length=64, description="a team member's username")
    reason: str = Field(default="", max_length=200)
    merge: str | None = Field(default=None, max_length=48, description="another visit to the same entity")


class Staffing(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=2, max_length=200, description="why now: inspectors added, certificates recorded")
    visit: str | None = Field(
        default=None, max_length=48, description="a visit of the draw whose team the draw's order cannot complete: its "
        "firm alone is staffed anew (as `zhizhi inspections staff DRAW --visit NUMBER`)"
    )


class Through(BaseModel):
    model_config = ConfigDict(extra="forbid")
    through: date | None = Field(default=None, description="only visits inspected up to this day")


@router.get("")
def read_overview(request: Request, db: DbSession, actor: ApiDataReader) -> dict[str, Any]:
    """The registers' sizes, the draws, the visits by status, the caller's own visits, the publication clock."""
    return overview(db, actor, app_context(request).workspace)


@router.get("/items")
def read_items(db: DbSession, actor: ApiDataReader) -> list[dict[str, Any]]:
    """The inspection-item list."""
    return inspections.list_items(db, actor)


@router.get("/targets")
def read_targets(
    db: DbSession,
    actor: ApiDataReader,
    q: Annotated[str, Query(max_length=100)] = "",
    risk_class: RiskClass = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """A page of the target register with each target's class and reasons."""
    return inspections.list_targets(db, actor, query=q, risk_class=risk_class, limit=limit, offset=offset)


@router.get("/targets/{entity_id}")
def read_target(entity_id: Id, db: DbSession, actor: ApiDataReader) -> dict[str, Any]:
    """One target and why it has its class."""
    return inspections.get_target(db, actor, entity_id)


@router.get("/inspectors")
def read_inspectors(db: DbSession, actor: ApiDataReader) -> list[dict[str, Any]]:
    """The inspectors of the caller's subtree."""
    return inspections.list_inspectors(db, actor)


@router.get("/draws")
def read_draws(db: DbSession, actor: ApiDataReader) -> list[dict[str, Any]]:
    """The plans of the caller's subtree and their draws."""
    return list_draws(db, actor)


@router.post("/plans")
def create_plan(body: NewPlan, request: Request, db: DbSession, actor: ApiDataWriter) -> dict[str, Any]:
    """Create a plan and commit its first draw's seed (its SHA-256 in the ledger)."""
    draw = inspections.create_plan(
        db,
        actor,
        app_context(request).workspace.keys_dir,
        number=body.number,
        title=body.title,
        department=body.department,
        first=body.first,
        last=body.last,
        rules=body.rules,
    )
    return {"plan": body.number, "draw": draw.number, "seed_hash": draw.seed_hash, "commit_seq": draw.commit_seq}


@router.get("/draws/{number}")
def read_draw(number: Number, db: DbSession, actor: ApiDataReader) -> dict[str, Any]:
    """A draw: its commitment and reveal, its visits with their teams and the candidates passed over."""
    return draw_view(db, actor, draw_number_of(db, actor, number))


@router.post("/draws/{number}/run")
def run_draw(number: Number, request: Request, db: DbSession, actor: ApiDataWriter) -> dict[str, Any]:
    """Run a committed draw (once)."""
    return inspections.run_draw(db, actor, app_context(request).workspace, draw_number_of(db, actor, number))


@router.post("/draws/{number}/staff")
def staff_draw(
    number: Number, body: Staffing, request: Request, db: DbSession, actor: ApiDataWriter
) -> dict[str, Any]:
    """Commit a staffing draw of the firms a drawn draw left unstaffed, or of one visit's firm whose team cannot be
    completed (`visit`); run it with `/draws/{its number}/run`."""
    workspace = app_context(request).workspace
    draw = inspections.staff(db, actor, workspace, draw_number_of(db, actor, number), body.reason, visit=body.visit)
    return inspections.staffing_as_dict(draw, number)


@router.get("/draws/{number}/verify")
def verify_draw(number: Number, request: Request, db: DbSession, actor: ApiDataReader) -> dict[str, Any]:
    """Re-run a draw from its seed and snapshot and check it against the ledger and the visits."""
    workspace = app_context(request).workspace
    return inspections.verify_draw(db, actor, workspace, draw_number_of(db, actor, number)).as_dict()


@router.get("/visits")
def read_visits(
    db: DbSession,
    actor: ApiDataReader,
    draw: Annotated[str | None, Query(max_length=48)] = None,
    status: Annotated[str | None, Query(pattern="^(assigned|done|merged)$")] = None,
    mine: bool = False,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    """The visits the caller may see (`mine`: those they are on the team of)."""
    return inspections.list_visits(db, actor, draw=draw, status=status, mine=mine, limit=limit, offset=offset)


@router.get("/visits/{number}")
def read_visit(number: Number, db: DbSession, actor: ApiDataReader) -> dict[str, Any]:
    """One visit: target, team, items and findings, photos, acknowledgement, deadline."""
    return inspections.visit_view(db, actor, inspections.get_visit(db, actor, number))


@router.post("/visits/{number}/assign")
def assign_visit(
    number: Number, body: Assignment, request: Request, db: DbSession, actor: ApiDataWriter
) -> dict[str, Any]:
    """Plan a day, replace a team member by the draw's next inspector, or merge another visit into this one."""
    return inspections.assign(
        db,
        actor,
        app_context(request).workspace,
        number,
        planned_on=body.planned_on,
        replace=body.replace,
        reason=body.reason,
        merge=body.merge,
    )


class Relation(BaseModel):
    """A relation with a firm (回避申报): the caller's own, or, for a steward of their subtree, an inspector's."""

    model_config = ConfigDict(extra="forbid")
    entity_id: IdValue
    relation: str = Field(min_length=2, max_length=200, description="what the relation is, e.g. 配偶经营")
    username: str | None = Field(default=None, max_length=64, description="the inspector (default: the caller)")


@router.post("/relations")
def declare_relation(body: Relation, db: DbSession, actor: ApiDataReader) -> dict[str, Any]:
    """Declare a relation with a firm: the inspector is never drawn for it, and replaced on a visit to it."""
    username = body.username or actor.name
    return {"id": inspections.declare_relation(db, actor, username, body.entity_id, body.relation)}


@router.post("/visits/{number}/results")
def record_results(
    number: Number, body: ResultsEntry, request: Request, db: DbSession, actor: ApiDataReader
) -> dict[str, Any]:
    """Enter the visit's results once (its team); each department's record is owed to its platforms."""
    return enter_results(db, actor, app_context(request).workspace, number, body)


@router.post("/visits/{number}/photos")
async def add_photo(
    number: Number,
    request: Request,
    db: DbSession,
    actor: ApiDataReader,
    photo: Annotated[UploadFile | None, File()] = None,
    item: Annotated[str, Form(max_length=32)] = "",
    keep_location: Annotated[bool, Form()] = False,
) -> dict[str, Any]:
    """Keep a photo of the visit (JPEG or PNG, at most 8 MiB); its location is taken out unless kept on purpose."""
    inspections.get_visit(db, actor, number)  # the scope first
    if photo is None:
        raise InputError("Send the photo as the multipart field `photo`.", zh="请以 photo 字段上传照片。")
    data = await photo.read(MAX_BYTES + 1)
    return inspections.add_photo(
        db, actor, app_context(request).workspace, number, data, item_code=item or None, keep_location=keep_location
    )


@router.get("/publication")
def read_publication(request: Request, db: DbSession, actor: ApiDataReader) -> dict[str, Any]:
    """The publication clock: visits waiting, the breach list, the exports made."""
    return inspections.publication_view(db, actor, app_context(request).workspace)


@router.post("/publish")
def publish(body: Through, request: Request, db: DbSession, actor: ApiDataWriter) -> dict[str, Any]:
    """Export the unpublished results for the credit publicity system and mark them published; the file is then
    at /inspections/publications/NUMBER.xlsx."""
    made, _ = inspections.publish(db, actor, app_context(request).workspace, through=body.through)
    return made
