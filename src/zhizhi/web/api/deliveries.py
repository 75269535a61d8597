"""`GET /api/deliveries/{id}`: one delivery, its record's source row and its ledger entries."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from zhizhi.delivery.detail import delivery_detail
from zhizhi.web.deps import ApiDataReader, DbSession, Id

router = APIRouter(tags=["delivery"])


@router.get("/deliveries/{delivery_id}")
def get_delivery(delivery_id: Id, db: DbSession, actor: ApiDataReader) -> dict[str, Any]:
    """The delivery as its page shows it (the JSON twin of /deliveries/{id})."""
    return delivery_detail(db, actor, delivery_id)
