"""Code lists: browse and search them, read crosswalks, translate one code, decide queued codes, read coverage."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from zhizhi.delivery.holds import decide_code, release, review_item, review_queue
from zhizhi.store import MAX_ID
from zhizhi.web import codes_view
from zhizhi.web.deps import ApiDataReader, ApiDataWriter, DbSession, Id, Limit, Offset, Page

router = APIRouter(prefix="/codes", tags=["codes"])
TRANSLATE_PARAMS = {"from", "to", "code", "as_of"}
ReviewStatus = Literal["open", "decided", "all"]


class NewDecision(BaseModel):
    to_code: str | None = Field(
        max_length=64, description="the code in the target list; null when there is no equivalent"
    )
    reason: str = Field(max_length=2000)
    replaces: int | None = Field(
        default=None, ge=0, le=MAX_ID,
        description="the decision in force the caller saw (0: none): refused when another was made since",
    )


@router.get("/lists")
def read_code_lists(db: DbSession, actor: ApiDataReader) -> dict[str, Any]:
    """Every list (version in force, codes) and crosswalk (pairs), with the open review items and kept reports."""
    return codes_view.overview(db)


@router.get("/lists/{name}")
def read_code_list(
    name: str, db: DbSession, actor: ApiDataReader, code: str = "", q: str = "", version: str = ""
) -> dict[str, Any]:
    """A list as a tree: the roots, or `code` with ancestors and children; `q` searches code, name, pinyin initials."""
    return codes_view.browse(db, name, code=code, query=q, version=version)


@router.get("/crosswalks/{name}")
def read_crosswalk(name: str, db: DbSession, actor: ApiDataReader, code: str = "", page: Page = 1) -> dict[str, Any]:
    """The pairs in force, both codes named; `code` keeps pairs whose either code starts with it."""
    return codes_view.crosswalk_table(db, name, code=code, page=page)


@router.get("/translate")
def translate_code(
    request: Request,
    db: DbSession,
    actor: ApiDataReader,
    from_list: Annotated[str, Query(alias="from")],
    to_list: Annotated[str, Query(alias="to")],
    code: str,
    as_of: date | None = None,
) -> dict[str, Any]:
    """One code translated, and how; other query parameters give the record's fields that rules read."""
    context = {k: v for k, v in request.query_params.items() if k not in TRANSLATE_PARAMS}
    return codes_view.translate_one(db, from_list, to_list, code, as_of=as_of, context=context)


@router.get("/review")
def read_review_queue(
    db: DbSession,
    actor: ApiDataReader,
    status: ReviewStatus = "open",
    from_list: Annotated[str, Query(max_length=64)] = "",
    to_list: Annotated[str, Query(max_length=64)] = "",
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """A page of review items, those whose decision releases the most held deliveries first, then the most rows
    affected (`order`: "released"); `total` items; `held` of each item: the deliveries (and records) it holds back;
    and the latest decisions in force."""
    chosen = None if status == "all" else status
    return review_queue(db, actor, status=chosen, from_list=from_list, to_list=to_list, limit=limit, offset=offset)


@router.get("/review/{item_id}")
def read_review_item(item_id: Id, db: DbSession, actor: ApiDataReader) -> dict[str, Any]:
    """One review item: its lists' titles, the record fields it depends on, its candidates, what its decision
    releases (`held`), the decision in force, and the held deliveries of the caller's departments."""
    return review_item(db, actor, item_id)


@router.post("/review/{item_id}/decide")
def decide_review_item(item_id: Id, body: NewDecision, db: DbSession, actor: ApiDataWriter) -> dict[str, Any]:
    """Decide a queued code: `to_code`, or null for no equivalent, with a reason; used by every later translation.
    The deliveries the code held back are sent again: `released` says how many."""
    to_code = body.to_code.strip() if body.to_code is not None else None
    return decide_code(db, actor, item_id, to_code=to_code, reason=body.reason, replaces=body.replaces).as_dict()


@router.post("/review/{item_id}/release")
def release_review_item(item_id: Id, db: DbSession, actor: ApiDataWriter) -> dict[str, int]:
    """Send again the deliveries held for a decided code (one that was withheld after its decision); audited."""
    return release(db, actor, item_id).as_dict()


@router.get("/coverage")
def read_coverage_reports(db: DbSession, actor: ApiDataReader) -> list[dict[str, Any]]:
    """The newest kept coverage report of each subject, in brief."""
    return codes_view.coverage_runs(db)


@router.get("/coverage/{run_id}")
def read_coverage_report(run_id: Id, db: DbSession, actor: ApiDataReader) -> dict[str, Any]:
    """One coverage report: rows and share by method, the untranslated codes with the rows they affect."""
    return codes_view.coverage_detail(db, run_id)
