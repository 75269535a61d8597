"""`POST /api/receipts`: platforms that acknowledge later settle their deliveries here."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from zhizhi.access import Actor
from zhizhi.delivery.receipts import apply_receipts
from zhizhi.delivery.transports import Outcome
from zhizhi.web.deps import ApiGuard, DbSession, app_context

router = APIRouter(tags=["delivery"])
Writer = Annotated[Actor, Depends(ApiGuard("data.write"))]


class Result(BaseModel):
    idempotency_key: str = Field(min_length=1, max_length=100, description="the key the delivery was sent with")
    status: Literal["accepted", "rejected"] = Field(description="whether the platform took the record")
    reason: str | None = Field(default=None, max_length=2000, description="why a record was rejected")


class Receipts(BaseModel):
    results: list[Result] = Field(min_length=1, max_length=10_000)


@router.post("/receipts")
def post_receipts(body: Receipts, request: Request, db: DbSession, actor: Writer) -> dict[str, Any]:
    """Acknowledge or reject sent deliveries by idempotency key; repeating a receipt changes nothing."""
    outcomes = [Outcome(r.idempotency_key, r.status == "accepted", r.reason) for r in body.results]
    report = apply_receipts(db, actor, outcomes, root=app_context(request).workspace.root)
    return {"acknowledged": report.acknowledged, "rejected": report.rejected, "ignored": report.ignored}
