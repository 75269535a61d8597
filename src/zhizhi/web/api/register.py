"""The register: search entities, read an entity's file, the review queue and the stewards' decisions.

The JSON twins of /register, /entities/{id} and /review; a decision, split or undo is followed by a resolution run
in the same transaction, whose report comes back with the answer.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from zhizhi.access import Actor
from zhizhi.resolve import register, review
from zhizhi.resolve.dossier import entity_dossier
from zhizhi.web import register_view
from zhizhi.web.deps import (
    ApiDataReader,
    ApiDataWriter,
    DbSession,
    Id,
    IdValue,
    Limit,
    Offset,
    app_context,
    check_audited_read,
    unmask_per_hour,
)

router = APIRouter(tags=["register"])


class PairDecision(BaseModel):
    decision: Literal["merge", "apart"] = Field(description="`merge`: the same entity; `apart`: not the same")
    reason: str = Field(description="why, kept with the decision")


class Split(BaseModel):
    record_ids: list[IdValue] = Field(min_length=1, description="records of one entity to take out into their own")
    reason: str


class Undo(BaseModel):
    decision_ids: list[IdValue] = Field(min_length=1)
    reason: str = Field(min_length=2)


@router.get("/register")
def read_register(db: DbSession, actor: ApiDataReader) -> dict[str, Any]:
    """The register in figures: active entities, records linked, review pairs open, the last run."""
    return register_view.overview(db, actor)


@router.get("/entities")
def search_entities(
    request: Request,
    db: DbSession,
    actor: ApiDataReader,
    q: Annotated[str, Query(description="credit code, part of the name, pinyin initials, address or whole phone")] = "",
    limit: Limit = 50,
) -> list[dict[str, Any]]:
    """Active entities matching every word of `q`, best first (a phone whole; such a search is audited, counted,
    and with a session cookie needs `X-CSRF-Token`)."""
    if register.phones_searched(q):
        check_audited_read(request)
    return register.search(db, actor, q, limit=limit, per_hour=unmask_per_hour(request))


@router.get("/entities/{entity_id}")
def read_entity(
    entity_id: Id,
    request: Request,
    db: DbSession,
    actor: ApiDataReader,
    purpose: Annotated[str | None, Query(max_length=200, description="unmask personal data for this purpose")] = None,
) -> dict[str, Any]:
    """The entity's file: golden fields with provenance, records, timeline, deliveries, hotline cases and inspection
    results (`asked_for` if merged).

    Personal values are masked; `purpose` (with `personal.read`) shows them, each record's read audited.
    """
    per_hour = unmask_per_hour(request)
    return entity_dossier(db, actor, entity_id, purpose=purpose, per_hour=per_hour)


@router.post("/entities/{entity_id}/split")
def split_entity(entity_id: Id, body: Split, request: Request, db: DbSession, actor: ApiDataWriter) -> dict[str, Any]:
    """Take records out of the entity into one of their own; answers the decisions and the run."""
    made = review.split(db, actor, body.record_ids, body.reason, entity_id=entity_id)
    return {"decisions": [d.id for d in made], "run": _resolve(db, actor, request)}


@router.get("/review")
def read_review(
    db: DbSession,
    actor: ApiDataReader,
    status: Literal["open", "merged", "apart"] = "open",
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Review pairs (most likely first, `limit` from `offset`, `total` in all) with both records and why they scored,
    and the latest decisions."""
    return {
        "pairs": review.list_pairs(db, actor, status=status, limit=limit, offset=offset),
        "total": review.count_pairs(db, actor, status=status),
        "decisions": review.decisions(db, actor),
    }


@router.post("/review/decisions/undo")
def undo_decisions(body: Undo, request: Request, db: DbSession, actor: ApiDataWriter) -> dict[str, Any]:
    """Undo decisions (kept, marked undone); the pairs they settled wait again."""
    undone = review.undo(db, actor, body.decision_ids, body.reason.strip())
    return {"undone": undone, "run": _resolve(db, actor, request)}


@router.post("/review/{pair_id}")
def decide_pair(
    pair_id: Id, body: PairDecision, request: Request, db: DbSession, actor: ApiDataWriter
) -> dict[str, Any]:
    """Merge the pair's records or keep them apart, then resolve; answers the decision and the run."""
    made = review.decide_pair(db, actor, pair_id, body.decision, body.reason)
    return {"decision": made.id, "kind": made.kind, "run": _resolve(db, actor, request)}


def _resolve(db: Session, actor: Actor, request: Request) -> dict[str, int]:
    return register_view.resolve_now(db, actor, app_context(request).workspace)
