"""Code-list pages: the lists as trees, crosswalks side by side, translation, the review queue and coverage."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from zhizhi.codes import list_crosswalks, list_summaries
from zhizhi.delivery.holds import decide_code, release, review_item, review_queue
from zhizhi.errors import InputError
from zhizhi.store import MAX_ID
from zhizhi.web import codes_view
from zhizhi.web.api.codes import TRANSLATE_PARAMS, ReviewStatus
from zhizhi.web.deps import Count, DbSession, FormDataWriter, Id, PageDataReader, Paging
from zhizhi.web.forms import optional_date
from zhizhi.web.templating import render

router = APIRouter(prefix="/codes")


@router.get("", response_class=HTMLResponse)
def show_code_lists(request: Request, db: DbSession, actor: PageDataReader) -> Response:
    """Every list and crosswalk, with the way to the review queue and the coverage reports."""
    return render(request, "codes_index.html", {"overview": codes_view.overview(db)})


@router.get("/lists/{name}", response_class=HTMLResponse)
def show_code_list(
    name: str, request: Request, db: DbSession, actor: PageDataReader, code: str = "", q: str = "", version: str = ""
) -> Response:
    """A list as a tree to drill into, and a search by code, name or pinyin initials."""
    page = codes_view.browse(db, name, code=code, query=q, version=version)
    pinned = {"version": version} if version else {}
    return render(
        request,
        "codes_list.html",
        {"page": page, "pinned_version": version, "href": lambda c: "?" + urlencode({"code": c, **pinned})},
    )


@router.get("/crosswalks/{name}", response_class=HTMLResponse)
def show_crosswalk(
    name: str,
    request: Request,
    db: DbSession,
    actor: PageDataReader,
    pager: Paging,
    code: str = "",
) -> Response:
    """The crosswalk's pairs side by side, a page at a time, filtered by a code."""
    table = codes_view.crosswalk_table(db, name, code=code, page=pager.page)
    pager.size = table["per_page"]
    return render(
        request,
        "codes_crosswalk.html",
        {"table": table, "pager": pager.counted(table["matched"]).keep({"code": table["code"]})},
    )


@router.get("/translate", response_class=HTMLResponse)
def show_translation(
    request: Request,
    db: DbSession,
    actor: PageDataReader,
    from_list: Annotated[str, Query(alias="from")] = "",
    to_list: Annotated[str, Query(alias="to")] = "",
    code: str = "",
    as_of: str = "",
) -> Response:
    """Try one code: which code of the target list it becomes, and how."""
    answer = None
    if from_list and to_list and code.strip():
        context = {k: v for k, v in request.query_params.items() if k not in TRANSLATE_PARAMS}
        answer = codes_view.translate_one(db, from_list, to_list, code, as_of=optional_date(as_of), context=context)
    first = next(iter(list_crosswalks(db)), None)
    asked = {
        "from": from_list or (first.from_list if first else ""),
        "to": to_list or (first.to_list if first else ""),
        "code": code,
        "as_of": as_of,
    }
    return render(request, "codes_translate.html", {"lists": list_summaries(db), "asked": asked, "answer": answer})


@router.get("/review", response_class=HTMLResponse)
def show_review_queue(
    request: Request,
    db: DbSession,
    actor: PageDataReader,
    pager: Paging,
    status: ReviewStatus = "open",
    decided: Annotated[str, Query(max_length=64)] = "",
    released: Count = None,
    superseded: Count = None,
) -> Response:
    """The codes waiting for a decision, a page at a time, those whose decision releases the most deliveries first,
    each with its form for stewards; and the decisions in force."""
    queue = review_queue(db, actor, status=None if status == "all" else status, limit=pager.size, offset=pager.offset)
    return render(
        request,
        "codes_review.html",
        {
            "queue": queue,
            "status": status,
            "pager": pager.counted(queue["total"]).keep({"status": status}),  # not the outcome of a decision
            "can_decide": actor.can("data.write"),
            "decided": decided,
            "released": released,
            "superseded": superseded,
        },
    )


@router.get("/review/{item_id}", response_class=HTMLResponse)
def show_review_item(
    item_id: Id,
    request: Request,
    db: DbSession,
    actor: PageDataReader,
    released: Count = None,
    superseded: Count = None,
) -> Response:
    """One code to decide: its lists, the record fields it depends on, its candidates, the decision in force, and the
    deliveries of the reader's departments it holds back."""
    return render(
        request,
        "codes_review_item.html",
        {
            "i": review_item(db, actor, item_id),
            "can_decide": actor.can("data.write"),
            "released": released,
            "superseded": superseded,
        },
    )


@router.post("/review/{item_id}/decide")
def submit_decision(
    item_id: Id,
    db: DbSession,
    actor: FormDataWriter,
    to_code: Annotated[str, Form(max_length=64)] = "",
    no_equivalent: Annotated[bool, Form()] = False,
    reason: Annotated[str, Form(max_length=2000)] = "",
    replaces: Annotated[int | None, Form(ge=0, le=MAX_ID)] = None,
) -> Response:
    """Record the steward's decision and send again the deliveries it held; then show the queue, saying how many."""
    done = decide_code(db, actor, item_id, to_code=_chosen(to_code, no_equivalent), reason=reason, replaces=replaces)
    query = urlencode({"decided": done.decision["code"], **done.released.as_dict()})
    return RedirectResponse(f"/codes/review?{query}", status_code=303)


@router.post("/review/{item_id}/release")
def submit_release(item_id: Id, db: DbSession, actor: FormDataWriter) -> Response:
    """Send again the deliveries held for a decided code (one click, audited); then show the item, saying how many."""
    released = release(db, actor, item_id)
    return RedirectResponse(f"/codes/review/{item_id}?{urlencode(released.as_dict())}", status_code=303)


@router.get("/coverage", response_class=HTMLResponse)
def show_coverage_reports(request: Request, db: DbSession, actor: PageDataReader) -> Response:
    """The kept coverage reports, newest first."""
    return render(request, "codes_coverage_runs.html", {"runs": codes_view.coverage_runs(db)})


@router.get("/coverage/{run_id}", response_class=HTMLResponse)
def show_coverage_report(run_id: Id, request: Request, db: DbSession, actor: PageDataReader) -> Response:
    """One coverage report: shares by method as bars, and the untranslated codes that affect most rows."""
    return render(request, "codes_coverage.html", {"report": codes_view.coverage_detail(db, run_id)})


def _chosen(to_code: str, no_equivalent: bool) -> str | None:
    """The target code of a decision form: a code, or None when the steward ticked "no equivalent"."""
    code = to_code.strip()
    if no_equivalent and code:
        raise InputError(
            f"Give a code (`{code}`) or tick 'no equivalent', not both.",
            zh=f"已填写目标代码 `{code}`，又勾选了“无对应代码”：请只选其一。",
        )
    if not no_equivalent and not code:
        raise InputError(
            "Choose or type the code in the target list, or tick 'no equivalent'.",
            zh="请选择或填写目标代码，或勾选“无对应代码”。",
        )
    return None if no_equivalent else code
