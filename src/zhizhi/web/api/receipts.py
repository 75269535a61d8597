"""`POST /api/receipts`: platforms that acknowledge later settle their own target's deliveries here."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from zhizhi.access import Actor
from zhizhi.delivery.platforms import authenticate_platform, platform_actor
from zhizhi.delivery.receipts import apply_receipts
from zhizhi.delivery.transports import Outcome
from zhizhi.errors import AuthenticationError
from zhizhi.web.deps import DbSession, Guard, app_context, client_ip

router = APIRouter(tags=["delivery"])


class PlatformGuard(Guard):
    """Only a platform's own token (`zzp_...`): a user's token or session cannot speak for a platform."""

    def __init__(self) -> None:
        super().__init__("receipts.post")

    def __call__(self, request: Request, db: DbSession) -> tuple[Actor, str]:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("bearer "):
            raise AuthenticationError(
                "A platform's receipts and pushed tickets need its own token: `Authorization: Bearer zzp_...` "
                "(made with `zhizhi targets token create TARGET`).",
                zh="平台的回执和推送的工单须携带平台令牌：Authorization: Bearer zzp_..."
                "（用 zhizhi targets token create 目标名 签发）。",
            )
        token = authenticate_platform(db, header[7:].strip())
        return platform_actor(db, app_context(request).workspace.root, token, client_ip(request)), token.target


Platform = Annotated[tuple[Actor, str], Depends(PlatformGuard())]


class Result(BaseModel):
    idempotency_key: str = Field(min_length=1, max_length=100, description="the key the delivery was sent with")
    status: Literal["accepted", "rejected"] = Field(description="whether the platform took the record")
    reason: str | None = Field(default=None, max_length=2000, description="why a record was rejected")


class Receipts(BaseModel):
    results: list[Result] = Field(min_length=1, max_length=10_000)


@router.post("/receipts")
def post_receipts(body: Receipts, request: Request, db: DbSession, platform: Platform) -> dict[str, Any]:
    """Acknowledge or reject the platform's own sent deliveries by key; repeating a receipt changes nothing.

    Keys of other targets' deliveries are answered as unknown.
    """
    actor, target = platform
    outcomes = [Outcome(r.idempotency_key, r.status == "accepted", r.reason) for r in body.results]
    report = apply_receipts(db, actor, target, outcomes, root=app_context(request).workspace.root)
    return {"acknowledged": report.acknowledged, "rejected": report.rejected, "ignored": report.ignored}
