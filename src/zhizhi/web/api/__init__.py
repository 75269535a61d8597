"""The JSON API under /api: one router per resource."""

from fastapi import APIRouter

from zhizhi.web.api import (
    audit,
    codes,
    deliveries,
    departments,
    hotline,
    ingest,
    privacy,
    receipts,
    register,
    reports,
    seals,
    session,
    status,
    tokens,
    users,
)

router = APIRouter(prefix="/api")
for module in (
    session,
    status,
    departments,
    users,
    tokens,
    audit,
    codes,
    ingest,
    receipts,
    deliveries,
    register,
    privacy,
    hotline,
    seals,
    reports,
):
    router.include_router(module.router)

__all__ = ["router"]
