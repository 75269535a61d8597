"""The workload's JSON API: a leader's view of their subtree by month, and an office's capacity set from above."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from zhizhi import workload
from zhizhi.web.deps import ApiDataReader, DbSession
from zhizhi.workload.capacity import MAX_NOTE, MAX_PER_PERSON, MAX_STAFF, capacity_as_dict

router = APIRouter(prefix="/workload", tags=["workload"])
Month = Annotated[str | None, Query(max_length=7, description="the last month shown, e.g. 2026-11 (default: this)")]
Months = Annotated[int, Query(ge=1, le=workload.MAX_MONTHS, description="how many months")]


class Capacity(BaseModel):
    model_config = ConfigDict(extra="forbid")
    office: str = Field(min_length=1, max_length=32, description="the office's department code")
    staff: int = Field(ge=0, le=MAX_STAFF, description="people who do the office's work")
    per_person: int = Field(ge=1, le=MAX_PER_PERSON, description="work items one person has in hand a month")
    note: str | None = Field(default=None, max_length=MAX_NOTE)


@router.get("")
def read_workload(db: DbSession, actor: ApiDataReader, month: Month = None, months: Months = 6) -> dict[str, Any]:
    """Per office and person, month by month: cases, parts, overdue parts, draws, visits, open items, the load against
    capacity; the office-months over capacity (leaders only)."""
    return workload.workload(db, actor, workload.months(month, months))


@router.post("/capacity")
def set_capacity(db: DbSession, actor: ApiDataReader, body: Capacity) -> dict[str, Any]:
    """Set an office's staff and items per person (a leader above the office); audited."""
    row = workload.set_capacity(db, actor, body.office, staff=body.staff, per_person=body.per_person, note=body.note)
    return {"office": body.office, **capacity_as_dict(row)}
