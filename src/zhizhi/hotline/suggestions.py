"""Merge suggestions: a ticket that may be another case's grievance, left for a handler to confirm or keep apart;
seen, listed and decided only by those who see both its cases (a suggestion shows a text and a respondent of each)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from zhizhi.access.audit import record as audit
from zhizhi.access.roles import Actor, require
from zhizhi.config import Workspace
from zhizhi.errors import InputError, NotFoundError
from zhizhi.hotline.cases import merge_cases, visible, writable
from zhizhi.store.tables import Case, CaseSuggestion, CaseTicket
from zhizhi.store.types import utcnow


def confirm(session: Session, actor: Actor, suggestion_id: int, workspace: Workspace | None = None) -> Case:
    """A handler confirms a suggestion: the suggested ticket's case and the other become one. Returns the case that
    holds them (the older)."""
    suggestion = _suggestion(session, actor, suggestion_id)
    target = session.get_one(Case, suggestion.case_id)
    moving = _case_of(session, suggestion.record_id)
    writable(session, actor, target)
    writable(session, actor, moving)
    suggestion.status, suggestion.decided_at, suggestion.decided_by = "confirmed", utcnow(), actor.name
    if moving.id == target.id:
        return target
    merge_cases(session, actor, moving, target, how="confirmed", why=f"确认建议 {suggestion.id}", workspace=workspace)
    return target if moving.stage == "merged" else moving


def keep_apart(session: Session, actor: Actor, suggestion_id: int) -> None:
    """A handler keeps a suggested ticket apart from the case (the suggestion is closed, audited)."""
    suggestion = _suggestion(session, actor, suggestion_id)
    writable(session, actor, session.get_one(Case, suggestion.case_id))
    suggestion.status, suggestion.decided_at, suggestion.decided_by = "apart", utcnow(), actor.name
    audit(session, actor, "case.kept_apart", object_type="case_suggestion", object_id=suggestion.id,
          detail={"record": suggestion.record_id, "case": suggestion.case_id})  # fmt: skip


def _suggestion(session: Session, actor: Actor, suggestion_id: int) -> CaseSuggestion:
    require(actor, "cases.write")
    suggestion = session.scalar(
        select(CaseSuggestion).where(CaseSuggestion.id == suggestion_id, suggestions_seen(actor))
    )
    if suggestion is None:  # or one side outside the actor's departments: not told apart
        raise NotFoundError(f"No suggestion {suggestion_id}.", zh=f"没有并案建议 {suggestion_id}。")
    if suggestion.status != "open":
        raise InputError(
            f"Suggestion {suggestion_id} was already decided ({suggestion.status}).",
            zh=f"并案建议 {suggestion_id} 已处理（{suggestion.status}）。",
        )
    return suggestion


def _case_of(session: Session, record_id: int) -> Case:
    case_id = session.scalar(select(CaseTicket.case_id).where(CaseTicket.record_id == record_id))
    return session.get_one(Case, case_id)


def suggestions_seen(actor: Actor) -> Any:
    """The suggestions an actor may see: both sides, the suggested ticket's case and the case it may join, in the
    actor's departments (a suggestion shows a text and a respondent of each)."""
    theirs = aliased(Case)
    ticket_case = (
        select(CaseTicket.record_id)
        .join(theirs, theirs.id == CaseTicket.case_id)
        .where(CaseTicket.record_id == CaseSuggestion.record_id, visible(actor, theirs))
    )
    return and_(
        CaseSuggestion.case_id.in_(select(Case.id).where(visible(actor))),
        ticket_case.exists(),
    )


def open_suggestions(session: Session, actor: Actor, *, limit: int = 100) -> list[CaseSuggestion]:
    require(actor, "data.read")
    query = (
        select(CaseSuggestion)
        .where(CaseSuggestion.status == "open", suggestions_seen(actor))
        .order_by(CaseSuggestion.score.desc(), CaseSuggestion.id)
        .limit(limit)
    )
    return list(session.scalars(query))
