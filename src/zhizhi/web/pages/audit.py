"""The audit trail page: filter, page through, and see whether the chain is intact."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from zhizhi.access import audit
from zhizhi.store.types import local_text
from zhizhi.web.deps import DbSession, PageAuditReader, Paging
from zhizhi.web.forms import optional_date
from zhizhi.web.templating import render

router = APIRouter()


@router.get("/audit", response_class=HTMLResponse)
def show_audit(
    request: Request,
    db: DbSession,
    actor: PageAuditReader,
    pager: Paging,
    who: Annotated[str, Query(alias="actor")] = "",
    action: str = "",
    object_id: str = "",
    since: str = "",
    until: str = "",
    verify: bool = False,
) -> Response:
    """Events newest first, filtered; the whole chain is verified when asked."""
    query = audit.AuditFilter(
        actor=who or None,
        action=action or None,
        object_id=object_id or None,
        since=_day_start(since),
        until=_day_start(until),
        limit=pager.limit,
        offset=pager.offset,
    )
    events = [{**audit.event_as_dict(e), "local_at": local_text(e.at)} for e in audit.list_events(db, actor, query)]
    filters = {"actor": who, "action": action, "object_id": object_id, "since": since, "until": until}
    return render(
        request,
        "audit.html",
        {
            "events": pager.rows(events),
            "pager": pager.keep(filters),  # not `verify`: the chain is checked when asked, not on every page
            "filters": filters,
            "chain": audit.verify(db) if verify else None,
        },
    )


def _day_start(text: str) -> datetime | None:
    day = optional_date(text)
    return datetime.combine(day, time()) if day else None
