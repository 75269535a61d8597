"""The audit trail, for auditors: browse, filter, verify the chain."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from zhizhi.access import audit
from zhizhi.web.deps import ApiAuditReader, DbSession, Limit, Offset

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("/events")
def read_audit_events(
    db: DbSession,
    actor: ApiAuditReader,
    who: Annotated[str | None, Query(alias="actor")] = None,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    """Events newest first, from within the caller's subtree."""
    query = audit.AuditFilter(
        actor=who,
        action=action,
        object_type=object_type,
        object_id=object_id,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )
    return [audit.event_as_dict(e) for e in audit.list_events(db, actor, query)]


@router.get("/verify")
def verify_audit_chain(db: DbSession, actor: ApiAuditReader) -> dict[str, Any]:
    """Check the whole chain; reports the first edited, deleted or reordered event."""
    return asdict(audit.verify(db))
