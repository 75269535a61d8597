"""Batches with their reports, quarantine (list, fix, replay) and records with their history."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from zhizhi.delivery.outbox import Outbox
from zhizhi.errors import InputError
from zhizhi.ingest.batches import batch_rows
from zhizhi.ingest.quarantine import MAX_FIX_LENGTH, fix_item, get_item, list_items, replay
from zhizhi.records.history import find_records
from zhizhi.sources.config import load_source
from zhizhi.web import ingest_view
from zhizhi.web.deps import (
    ApiDataReader,
    ApiDataWriter,
    DbSession,
    Id,
    IdValue,
    Limit,
    Offset,
    QueryId,
    app_context,
    unmask_per_hour,
)

router = APIRouter(tags=["ingest"])
Purpose = Annotated[
    str | None,
    Query(max_length=200, description="why personal data is read unmasked (needs `personal.read`; audited)"),
]
Status = Literal["open", "replayed", "superseded", "all"]


class Fix(BaseModel):
    field: str = Field(min_length=1, description="a field of the item's source (e.g. uscc) or a column of the row")
    value: str = Field(max_length=MAX_FIX_LENGTH, description="the corrected value")


class Replay(BaseModel):
    ids: list[IdValue] = Field(default_factory=list, description="item ids; empty to choose items by the filters")
    source: str | None = Field(default=None, description="only items of this source")
    batch: IdValue | None = Field(default=None, description="only items of this batch")
    reason: str | None = Field(default=None, description="only items with this reason code")


@router.get("/batches")
def read_batches(
    db: DbSession, actor: ApiDataReader, source: str = "", limit: Limit = 100, offset: Offset = 0
) -> list[dict[str, Any]]:
    """Batches newest first: counts (read = accepted + quarantined + skipped), records, open quarantine."""
    return ingest_view.batches(db, actor, source=source, limit=limit, offset=offset)


@router.get("/batches/{batch_id}")
def read_batch(batch_id: Id, db: DbSession, actor: ApiDataReader) -> dict[str, Any]:
    """One batch with its report: per-field completeness and validity, top reasons, skipped rows by reason."""
    return ingest_view.batch_detail(db, actor, batch_id)


@router.get("/batches/{batch_id}/rows")
def read_batch_rows(
    batch_id: Id,
    db: DbSession,
    actor: ApiDataReader,
    request: Request,
    status: Literal["accepted", "quarantined", "skipped"] | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
    purpose: Purpose = None,
) -> list[dict[str, Any]]:
    """A batch's rows as read, in file order, each with its source, file, sheet, row number and how it ended.

    Personal cells are masked; `purpose` (with `personal.read`) shows them, each row's read audited.
    """
    per_hour = unmask_per_hour(request)
    return batch_rows(
        db, actor, batch_id, status=status, limit=limit, offset=offset, purpose=purpose, per_hour=per_hour
    )


@router.get("/quarantine")
def read_quarantine(
    db: DbSession,
    actor: ApiDataReader,
    source: str = "",
    batch: QueryId = None,
    reason: str = "",
    status: Status = "open",
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    """Quarantined rows in file order with their source, file, sheet and row, findings and cells."""
    return list_items(
        db,
        actor,
        source=source or None,
        batch_id=batch,
        reason=reason or None,
        status=None if status == "all" else status,
        limit=limit,
        offset=offset,
    )


@router.get("/quarantine/reasons")
def read_quarantine_reasons(
    db: DbSession, actor: ApiDataReader, status: Literal["open", "replayed", "superseded"] = "open"
) -> list[dict[str, Any]]:
    """How many items of the status have each reason code, most first, with the code's severity and title."""
    return ingest_view.reason_counts(db, actor, status=status)


@router.get("/quarantine/{item_id}")
def read_quarantine_item(
    item_id: Id, request: Request, db: DbSession, actor: ApiDataReader, purpose: Purpose = None
) -> dict[str, Any]:
    """One item: where the row is, its findings, cells as read, fixes, and the record it became once replayed.

    Personal cells are masked; `purpose` (with `personal.read`) shows them, audited.
    """
    per_hour = unmask_per_hour(request)
    item = get_item(db, actor, item_id, purpose=purpose, per_hour=per_hour)
    return item | {"record_id": ingest_view.record_of(db, item["record_version_id"])}


@router.post("/quarantine/{item_id}/fix")
def fix_quarantine_item(
    item_id: Id, body: Fix, request: Request, db: DbSession, actor: ApiDataWriter
) -> dict[str, Any]:
    """Set a corrected value for one cell (the raw row stays as read); audited as `quarantine.fix`. Replay next."""
    source = load_source(app_context(request).workspace.root, get_item(db, actor, item_id)["source"])
    return fix_item(db, actor, item_id, body.field, body.value, source=source)


@router.post("/quarantine/replay")
def replay_quarantine(body: Replay, request: Request, db: DbSession, actor: ApiDataWriter) -> dict[str, Any]:
    """Run open items through their source's current mapping again; audited as `quarantine.replay`."""
    if not body.ids and not (body.source or body.batch is not None or body.reason):
        raise InputError(
            "Name item `ids`, or choose items with `source`, `batch` or `reason`.",
            zh="请指定隔离记录编号，或按数据源、批次、原因选择要重新处理的记录。",
        )
    root = app_context(request).workspace.root
    return replay(
        db,
        actor,
        lambda name: load_source(root, name),
        item_ids=body.ids or None,
        source=body.source or None,
        batch_id=body.batch,
        reason=body.reason or None,
        outbox=Outbox.of(root),
    )


@router.get("/records")
def read_records(
    db: DbSession,
    actor: ApiDataReader,
    source: str = "",
    record_type: Annotated[str, Query(alias="type")] = "",
    key: str = "",
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    """Records (their latest version) by source, record type and part of the key."""
    return find_records(
        db,
        actor,
        source=source or None,
        record_type=record_type or None,
        key=key or None,
        limit=limit,
        offset=offset,
    )


@router.get("/records/{record_id}")
def read_record(
    record_id: Id, request: Request, db: DbSession, actor: ApiDataReader, purpose: Purpose = None
) -> dict[str, Any]:
    """A record and every version oldest first, each with the batch, file, sheet and row it came from.

    Each version's `changed` names the fields whose value differs from the version before. Personal values are
    masked; `purpose` (with `personal.read`) shows them, audited as `personal.read`.
    """
    per_hour = unmask_per_hour(request)
    data = ingest_view.history(db, actor, record_id, purpose=purpose, per_hour=per_hour)
    for version in data["versions"]:
        del version["rows"]
    return data
