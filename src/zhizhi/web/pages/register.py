"""The register's pages: search (主体库), one entity's file (一企一档) with its QR code, and the stewards' review queue.

A steward's merge, "not the same", split or undo is followed by a resolution run in the same transaction, so the
register shows the decision as soon as the page comes back.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from zhizhi.access import Actor
from zhizhi.config.models import GOLDEN_FIELDS
from zhizhi.errors import InputError
from zhizhi.i18n import MESSAGES, translate
from zhizhi.resolve import register, review
from zhizhi.resolve.dossier import entity_dossier
from zhizhi.web import register_view
from zhizhi.web.deps import (
    DbSession,
    FormDataReader,
    FormDataWriter,
    FormIds,
    Id,
    PageDataReader,
    Paging,
    QueryId,
    app_context,
    locale_of,
    unmask_per_hour,
)
from zhizhi.web.templating import render

router = APIRouter()
Reason = Annotated[str, Form()]
SEARCH_MAX = 4096  # characters of a posted search, as a query string; `register.search` bounds its words itself


@router.get("/register", response_class=HTMLResponse)
def show_register(request: Request, db: DbSession, actor: PageDataReader, q: str = "") -> Response:
    """The search form and the figures; a search by credit code, part of the name, pinyin initials or address
    answered too (a link to one writes nothing). A search by a phone is audited, a write: it is only filled in,
    to be posted with the form (another site's link must not make a signed-in browser run one)."""
    query = q.strip()
    if register.phones_searched(query):
        return _register_page(request, db, actor, query, held=True)
    return _register_page(request, db, actor, query)


@router.post("/register", response_class=HTMLResponse)
def search_register(
    request: Request, db: DbSession, actor: FormDataReader, q: Annotated[str, Form(max_length=SEARCH_MAX)] = ""
) -> Response:
    """The search posted from the form, with its CSRF token: by a whole phone too (audited and counted)."""
    return _register_page(request, db, actor, q.strip())


def _register_page(request: Request, db: Session, actor: Actor, query: str, *, held: bool = False) -> Response:
    found = register.search(db, actor, query, per_hour=unmask_per_hour(request)) if query and not held else []
    context = {"q": query, "held": held, "results": found, "overview": register_view.overview(db, actor)}
    return render(request, "register.html", context)


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def show_entity(
    entity_id: Id, request: Request, db: DbSession, actor: PageDataReader, merged_from: QueryId = None, split: str = ""
) -> Response:
    """The entity's file; an id merged into another leads (303) to the one kept, which says so."""
    kept = register.current_id(db, entity_id)
    if kept != entity_id:
        return RedirectResponse(f"/entities/{kept}?" + urlencode({"merged_from": entity_id}), status_code=303)
    file = entity_dossier(db, actor, entity_id)
    url = _entity_url(request, kept)
    context = {
        "e": file,
        "golden": [(name, file["golden"][name]) for name in GOLDEN_FIELDS if name in file["golden"]],
        "groups": register_view.record_groups(file["records"]),
        "url": url,
        "qr": register_view.qr_svg(url, inline=True),
        "public_url_unset": app_context(request).workspace.config.web.public_url is None,
        "merged_from": merged_from,
        "split_into": [int(n) for n in split.split(",") if n.isascii() and n.isdigit()],  # not int("²")
        "can_split": actor.can("data.write") and len(file["records"]) > 1,
        "cases": file["cases"],
        "inspection_results": file["inspection_results"],
    }
    return render(request, "entity.html", context)


@router.get("/entities/{entity_id}/qr.svg")
def download_entity_qr(entity_id: Id, request: Request, db: DbSession, actor: PageDataReader) -> Response:
    """The QR code of the entity's page, to print on an inspection form."""
    kept = register.current_id(db, entity_id)
    svg = register_view.qr_svg(_entity_url(request, kept), inline=False)
    headers = {"Content-Disposition": f'inline; filename="zhizhi-entity-{kept}-qr.svg"'}
    return Response(svg, media_type="image/svg+xml", headers=headers)


def _entity_url(request: Request, entity_id: int) -> str:
    """Where the entity's QR code leads: under `web.public_url`, else the address this page was opened at."""
    public = app_context(request).workspace.config.web.link(f"/entities/{entity_id}")
    return public or str(request.url_for("show_entity", entity_id=entity_id))


@router.post("/entities/{entity_id}/split")
def split_entity(
    entity_id: Id,
    request: Request,
    db: DbSession,
    actor: FormDataWriter,
    reason: Reason = "",
    record_id: FormIds = None,
) -> Response:
    """Take the ticked records out of the entity into one of their own, then resolve."""
    if not record_id:
        raise InputError("Tick the records to split off.", zh="请勾选要拆分出去的记录。")
    before = register_view.records_of(db, register.current_id(db, entity_id))
    review.split(db, actor, record_id, reason, entity_id=entity_id)
    _resolve(db, actor, request)
    # The larger part keeps the id: the ticked records or the others may be the ones that moved.
    kept = register.current_id(db, entity_id)
    others = sorted({e for r in before if (e := register_view.entity_of(db, r)) is not None and e != kept})
    return RedirectResponse(f"/entities/{kept}?" + urlencode({"split": ",".join(map(str, others))}), status_code=303)


@router.get("/review", response_class=HTMLResponse)
def show_review(
    request: Request,
    db: DbSession,
    actor: PageDataReader,
    pager: Paging,
    decided: QueryId = None,
    kind: str = "",
    entity: QueryId = None,
    undone: QueryId = None,
) -> Response:
    """The pairs waiting, a page at a time, both records side by side with why they scored; the recent decisions,
    to undo."""
    pager.keep({}).counted(review.count_pairs(db, actor))
    pairs = review.list_pairs(db, actor, limit=pager.size, offset=pager.offset)
    context = {
        "pairs": [
            {**p, **register_view.side_by_side(p), "why_lines": register_view.why_lines(p["why"])} for p in pairs
        ],
        # enough decisions for the latest acts whole (a split is one per pair): the latest 50 acts are shown
        "acts": register_view.decision_acts(review.decisions(db, actor, limit=5000))[:50],
        "can_decide": actor.can("data.write"),
        "decided": {"pair": decided, "kind": kind, "entity": entity} if decided else None,
        "undone": undone,
        "overview": register_view.overview(db, actor),
        "why_label": lambda key: _comparison_label(locale_of(request), key),
        "pager": pager,
    }
    return render(request, "review.html", context)


@router.post("/review/{pair_id}")
def decide_review_pair(
    pair_id: Id, request: Request, db: DbSession, actor: FormDataWriter, decision: Reason = "", reason: Reason = ""
) -> Response:
    """A steward's answer to a pair (merge, or not the same entity), then resolve."""
    if decision not in ("merge", "apart"):
        raise InputError("Choose merge or apart.", zh="请选择“合并”或“不是同一主体”。")
    made = review.decide_pair(db, actor, pair_id, decision, reason)
    _resolve(db, actor, request)
    answer = {"decided": pair_id, "kind": decision, "entity": register_view.entity_of(db, made.record_id_l) or ""}
    return RedirectResponse("/review?" + urlencode(answer), status_code=303)


@router.post("/review/decisions/undo")
def undo_decisions(
    request: Request,
    db: DbSession,
    actor: FormDataWriter,
    reason: Reason = "",
    decision_id: FormIds = None,
) -> Response:
    """Undo a decision (kept on record, marked undone), then resolve."""
    if not decision_id:
        raise InputError("Name the decision to undo.", zh="请指定要撤销的决定。")
    if len(reason.strip()) < 2:
        raise InputError("Say why the decision is undone.", zh="请填写撤销的理由。")
    review.undo(db, actor, decision_id, reason.strip())
    _resolve(db, actor, request)
    return RedirectResponse(f"/review?undone={decision_id[0]}", status_code=303)


def _resolve(db: Session, actor: Actor, request: Request) -> None:
    register_view.resolve_now(db, actor, app_context(request).workspace)


def _comparison_label(locale: str, key: str) -> str:
    """A comparison's name as the page shows it, or as the engine named it when the UI has no words for it."""
    return translate(locale, f"review.why.{key}") if f"review.why.{key}" in MESSAGES["zh-CN"] else key
