"""Batch, quarantine and record pages: what each file became, the rows held back (fix, replay, export), history."""

from __future__ import annotations

import io
import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from zhizhi.access import Actor
from zhizhi.delivery.outbox import Outbox
from zhizhi.errors import InputError
from zhizhi.ingest.export import all_items, write_quarantine_xlsx
from zhizhi.ingest.quarantine import MAX_FIX_LENGTH, STATUSES, fix_item, fix_row, get_item, list_items, replay
from zhizhi.ingest.validate.results import REASONS
from zhizhi.privacy.catalogue import personal_columns
from zhizhi.records import record_types
from zhizhi.records.history import find_records
from zhizhi.sources.config import load_source
from zhizhi.web import ingest_view
from zhizhi.web.deps import (
    Count,
    DbSession,
    FormDataWriter,
    FormIds,
    FormPersonalReader,
    Id,
    PageDataReader,
    Paging,
    app_context,
    unmask_per_hour,
)
from zhizhi.web.templating import render

router = APIRouter()
MAX_CELLS = 500  # columns one fix form may send: far more than any department's export has
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/sources", response_class=HTMLResponse)
def show_sources(request: Request, db: DbSession, actor: PageDataReader) -> Response:
    """The workspace's source files: department, record type, reader, fields mapped, the latest batch."""
    root = app_context(request).workspace.root
    return render(request, "sources.html", {"sources": ingest_view.sources_overview(db, actor, root)})


@router.get("/sources/{name}", response_class=HTMLResponse)
def show_source(name: str, request: Request, db: DbSession, actor: PageDataReader) -> Response:
    """One source: each field of its record type and where it comes from, and the source's batches."""
    root = app_context(request).workspace.root
    return render(request, "source.html", ingest_view.source_detail(db, actor, root, name))


@router.get("/batches", response_class=HTMLResponse)
def show_batches(request: Request, db: DbSession, actor: PageDataReader, pager: Paging, source: str = "") -> Response:
    """Batches newest first, by source: rows read, accepted, quarantined (still open) and skipped; records made."""
    found = ingest_view.batches(db, actor, source=source, limit=pager.limit, offset=pager.offset)
    return render(
        request,
        "batches.html",
        {
            "batches": pager.rows(found),
            "pager": pager.keep({"source": source}),
            "source": source,
            "sources": ingest_view.source_names(app_context(request).workspace.root),
            "upload_max_mb": app_context(request).workspace.config.web.upload_max_mb,
        },
    )


@router.get("/batches/{batch_id}", response_class=HTMLResponse)
def show_batch(batch_id: Id, request: Request, db: DbSession, actor: PageDataReader) -> Response:
    """One batch's report: counts, per-field completeness and validity, top reasons, skipped rows by reason."""
    return render(request, "batch.html", {"batch": ingest_view.batch_detail(db, actor, batch_id)})


@router.get("/quarantine", response_class=HTMLResponse)
def show_quarantine(
    request: Request,
    db: DbSession,
    actor: PageDataReader,
    pager: Paging,
    source: str = "",
    batch: str = "",
    reason: str = "",
    status: str = "open",
    replayed: Count = None,
    still: Count = None,
    superseded: Count = None,
) -> Response:
    """Quarantined rows filtered by source, batch, reason and status, with the open items counted by reason."""
    filters = {"source": source, "batch": batch, "reason": reason, "status": status}
    items = list_items(
        db,
        actor,
        source=source or None,
        batch_id=_batch_id(batch),
        reason=reason or None,
        status=_status(status),
        limit=pager.limit,
        offset=pager.offset,
    )
    return render(
        request,
        "quarantine.html",
        {
            "items": pager.rows(items),
            "pager": pager.keep(filters),  # not the outcome of a replay
            "filters": filters,
            "statuses": STATUSES,
            "reasons": ingest_view.reason_counts(db, actor),
            "reason_codes": sorted(REASONS),
            "sources": ingest_view.source_names(app_context(request).workspace.root),
            "can_write": actor.can("data.write"),
            "outcome": _outcome(replayed, still, superseded),
            "filter_query": urlencode(filters),
            "reason_query": lambda code: urlencode({**filters, "reason": code, "status": "open"}),
        },
    )


@router.get("/quarantine/export.xlsx")
def export_quarantine(
    db: DbSession,
    actor: PageDataReader,
    source: str = "",
    batch: str = "",
    reason: str = "",
    status: str = "open",
) -> Response:
    """The filtered items as an Excel workbook: one row per item, its cells as read; text never becomes a formula."""
    items = all_items(
        db, actor, source=source or None, batch_id=_batch_id(batch), reason=reason or None, status=_status(status)
    )
    buffer = io.BytesIO()
    write_quarantine_xlsx(items, buffer)
    headers = {"Content-Disposition": 'attachment; filename="quarantine.xlsx"'}
    return Response(buffer.getvalue(), media_type=XLSX, headers=headers)


@router.post("/quarantine/replay")
def submit_replay(
    request: Request,
    db: DbSession,
    actor: FormDataWriter,
    ids: FormIds = None,
    source: Annotated[str, Form()] = "",
    batch: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Replay one item (from its page) or the open items of the list's filters; show the outcome where it started."""
    ids = ids or []
    batch_id = _batch_id(batch)
    if not ids and not (source or batch_id is not None or reason):
        raise InputError(
            "Choose the items to replay: one item, or filter the list by source, batch or reason first.",
            zh="请选择要重新处理的记录：单条记录，或先按数据源、批次或原因筛选列表。",
        )
    root = app_context(request).workspace.root
    result = replay(
        db,
        actor,
        lambda name: load_source(root, name),
        item_ids=ids or None,
        source=source or None,
        batch_id=batch_id,
        reason=reason or None,
        outbox=Outbox.of(root),
    )
    outcome = {"replayed": result["replayed"], "still": result["still_quarantined"]}
    if result["superseded"]:
        outcome["superseded"] = result["superseded"]
    if len(ids) == 1:
        return RedirectResponse(f"/quarantine/{ids[0]}?" + urlencode(outcome), status_code=303)
    filters = {"source": source, "batch": batch, "reason": reason, "status": "open"}
    return RedirectResponse("/quarantine?" + urlencode({**filters, **outcome}), status_code=303)


def _outcome(replayed: int | None, still: int | None, superseded: int | None) -> dict[str, int] | None:
    """A replay's outcome, told to the page it started from."""
    return None if replayed is None else {"replayed": replayed, "still": still or 0, "superseded": superseded or 0}


@router.get("/quarantine/{item_id}", response_class=HTMLResponse)
def show_quarantine_item(
    item_id: Id,
    request: Request,
    db: DbSession,
    actor: PageDataReader,
    fixed: Annotated[str, Query(max_length=2000)] = "",
    unchanged: bool = False,
    replayed: Count = None,
    still: Count = None,
    superseded: Count = None,
) -> Response:
    """Where the row is, why it was held back (each problem by the column its value is in), and the row's cells as
    one form: each column labelled, its value as read beside the input for its fix, one save for the row."""
    item = ingest_view.item_detail(db, actor, app_context(request).workspace.root, item_id)
    return render(
        request,
        "quarantine_item.html",
        {
            "item": item,
            "can_write": actor.can("data.write") and item["status"] == "open",
            "fixed": fixed,
            "unchanged": unchanged,
            "max_fix_length": MAX_FIX_LENGTH,
            "outcome": _outcome(replayed, still, superseded),
        },
    )


@router.post("/quarantine/{item_id}/fix")
def submit_fix(
    item_id: Id,
    request: Request,
    db: DbSession,
    actor: FormDataWriter,
    column: Annotated[list[str] | None, Form()] = None,
    value: Annotated[list[str] | None, Form()] = None,
    field: Annotated[str, Form(max_length=200)] = "",
    seen: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Keep the corrected values of the row's form, those changed only (each audited; the row as read is kept), or
    of one cell named by `field` (a field of the source or a column); then show the item again."""
    values, columns = value or [], column or []
    source = load_source(app_context(request).workspace.root, get_item(db, actor, item_id)["source"])
    if field:  # one cell, as a script names it
        fix_item(db, actor, item_id, field, values[0] if values else "", source=source)
        changed = [field]
    elif len(columns) != len(values) or len(values) > MAX_CELLS:
        raise InputError(
            f"The form sends a value for each column, at most {MAX_CELLS}; reload the item's page and try again.",
            zh=f"表单须为每一列提交一个值（最多 {MAX_CELLS} 列）；请重新打开该隔离记录再试。",
        )
    else:
        changed = fix_row(db, actor, item_id, dict(zip(columns, values, strict=True)), source=source,
                          seen=seen or None)  # fmt: skip
    answer = {"fixed": "、".join(changed)} if changed else {"unchanged": "true"}
    return RedirectResponse(f"/quarantine/{item_id}?" + urlencode(answer), status_code=303)


@router.get("/records", response_class=HTMLResponse)
def show_records(
    request: Request,
    db: DbSession,
    actor: PageDataReader,
    pager: Paging,
    source: str = "",
    record_type: Annotated[str, Query(alias="type")] = "",
    key: str = "",
) -> Response:
    """Records (latest version) by source, type and part of the key."""
    filters = {"source": source, "type": record_type, "key": key}
    found = find_records(
        db,
        actor,
        source=source or None,
        record_type=record_type or None,
        key=key.strip() or None,
        limit=pager.limit,
        offset=pager.offset,
    )
    return render(
        request,
        "records.html",
        {
            "records": pager.rows(found),
            "pager": pager.keep(filters),
            "filters": filters,
            "types": sorted(record_types().values(), key=lambda k: k.name),
            "sources": ingest_view.source_names(app_context(request).workspace.root),
        },
    )


@router.get("/records/{record_id}", response_class=HTMLResponse)
def show_record(record_id: Id, request: Request, db: DbSession, actor: PageDataReader) -> Response:
    """Every version of a record, oldest first, with the file, sheet and row each came from; changes marked.

    Personal values are masked; a reader with `personal.read` may show them for a declared purpose (the form).
    """
    record = ingest_view.history(db, actor, record_id)
    return render(request, "record.html", {"record": record, "may_unmask": _may_unmask(actor, record)})


@router.post("/records/{record_id}/unmask", response_class=HTMLResponse)
def unmask_record(
    record_id: Id,
    request: Request,
    db: DbSession,
    actor: FormPersonalReader,
    purpose: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """The record with its personal values shown, for the purpose declared; the read is audited (personal.read)."""
    per_hour = unmask_per_hour(request)
    record = ingest_view.history(db, actor, record_id, purpose=purpose, per_hour=per_hour)
    return render(request, "record.html", {"record": record, "may_unmask": False, "purpose": purpose.strip()})


def _may_unmask(actor: Actor, record: dict[str, Any]) -> bool:
    return actor.can("personal.read") and bool(personal_columns(record["record_type"]))


def _batch_id(text: str) -> int | None:
    """A batch number typed into a filter, or None for an empty one."""
    text = text.strip()
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,9}", text):
        raise InputError(f"Batch `{text}` is not a batch number.", zh=f"批次 `{text}` 不是批次编号。")
    return int(text)


def _status(text: str) -> str | None:
    """A status filter; `all` (or empty) means every status."""
    if text in ("all", ""):
        return None
    if text not in STATUSES:
        raise InputError(
            f"Unknown status `{text}`; use one of {', '.join(STATUSES)} or all.",
            zh=f"未知状态 `{text}`，可选：{', '.join(STATUSES)} 或 all。",
        )
    return text
