"""What the hotline desk's pages and API share: the calendar and the day, the case a suggestion or a ticket belongs
to (out of the caller's scope: 404, as everywhere), the rows of a list, and the dashboard's figures."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from fastapi import Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhizhi import hotline
from zhizhi.access import Actor
from zhizhi.config.models import HotlineConfig
from zhizhi.errors import NotFoundError
from zhizhi.hotline.case_clocks import clock_states, worst
from zhizhi.hotline.cases import visible
from zhizhi.hotline.figures import SAME_TICKET, STATISTICS_DAYS, copies_apart
from zhizhi.hotline.routing import OPEN_STAGES
from zhizhi.privacy.masking import check_purpose
from zhizhi.store.tables import Case, CaseSuggestion, CaseTicket, Department
from zhizhi.store.types import local_today
from zhizhi.web.deps import app_context, unmask_per_hour

MAX_NUMBER = 64  # a case or ticket number typed into a URL or a form
MAX_STATISTICS_DAYS = 731


# Decisions the form does not offer at a stage: mediation ends only once accepted; acceptance happens once.
_LATER = {"received": {"mediated", "terminated"}, "accepted": {"accepted"}, "closed": set(), "merged": set()}


@dataclass(frozen=True)
class Desk:
    """The desk's settings, its calendar and the day, for one request."""

    settings: HotlineConfig
    calendar: hotline.WorkCalendar
    today: date
    per_hour: int


def desk(request: Request) -> Desk:
    workspace = app_context(request).workspace
    return Desk(
        settings=workspace.config.hotline,
        calendar=hotline.load_calendar(workspace.root),
        today=local_today(),
        per_hour=unmask_per_hour(request),
    )


def rows(db: Session, cases: list[Case], on: Desk) -> list[dict[str, Any]]:
    """The list rows of cases (no identities), with their clocks' worst status."""
    found = [hotline.case_row(db, c, on.calendar, on.today, on.settings.warn_days) for c in cases]
    return [{**row, "calendar_problem_year": _year(row["calendar_problem"])} for row in found]


def _year(problem: str | None) -> str | None:
    """The year a calendar problem names, for the page to say it in the reader's language."""
    found = re.search(r"\b(20\d\d|19\d\d)\b", problem or "")
    return found.group(1) if found else None


def view(db: Session, actor: Actor, number: str, on: Desk, *, purpose: str | None = None) -> dict[str, Any]:
    """One case as the desk shows it, and what the caller may do with it."""
    case = hotline.get_case(db, actor, number)
    if purpose is not None:  # a bad purpose is told before who may read (after the scope: 404 first)
        purpose = check_purpose(purpose)
    shown = hotline.case_view(db, actor, case, on.calendar, today=on.today, warn_before=on.settings.warn_days,
                              purpose=purpose, per_hour=on.per_hour)  # fmt: skip
    allowed = hotline.ALLOWED.get(case.kind, hotline.ALLOWED["other"])
    for one in shown["clocks"]:
        one["problem_year"] = _year(one["problem"])
    writer = actor.can("cases.write")
    marked = shown["marked"]
    lead_open = "lead_found" in marked and "lead_checked" not in marked and not shown["lead_extended"]
    tickets = {(t["channel"], t["number"]) for t in shown["tickets"]}  # a ticket's copies are one ticket
    return {
        **shown,
        "decisions": [d for d in allowed if d not in _LATER[case.stage]],
        "not_accepted_reasons": list(hotline.NOT_ACCEPTED_REASONS),
        "may_write": writer and case.stage in OPEN_STAGES,
        # the clocks that run after a decision (Art 21, 23, 31) are kept on the case's page whatever its stage
        "may_mark": writer and bool(shown["steps"] or lead_open),
        "lead_open": lead_open,
        "may_split": writer and case.stage != "merged" and len(tickets) > 1,
        "may_unmask": shown["may_see_identity"],  # the desk's rule, not `personal.read` (leaders hold none)
        "paused": any(p["through"] is None for p in shown["pauses"]),
    }


def case_of_suggestion(db: Session, actor: Actor, suggestion_id: int) -> Case:
    """The case a suggestion proposes to join, if the caller sees it; else 404 (its existence is not told)."""
    number = db.scalar(
        select(Case.number)
        .join(CaseSuggestion, CaseSuggestion.case_id == Case.id)
        .where(CaseSuggestion.id == suggestion_id)
    )
    if number is None:
        raise NotFoundError(f"No suggestion {suggestion_id}.", zh=f"没有并案建议 {suggestion_id}。")
    try:
        return hotline.get_case(db, actor, number)
    except NotFoundError:
        raise NotFoundError(f"No suggestion {suggestion_id}.", zh=f"没有并案建议 {suggestion_id}。") from None


def check_ticket(db: Session, actor: Actor, number: str, record_id: int) -> Case:
    """The case numbered `number`, which must hold the ticket record `record_id`."""
    case = hotline.get_case(db, actor, number)
    held = db.scalar(select(CaseTicket.case_id).where(CaseTicket.record_id == record_id))
    if held != case.id:
        raise NotFoundError(f"Case {case.number} holds no ticket record {record_id}.",
                            zh=f"案件 {case.number} 中没有工单记录 {record_id}。")  # fmt: skip
    return case


def offices(db: Session, actor: Actor) -> list[tuple[str, str]]:
    """(code, name) of the departments in the caller's subtree, for the filters and the reassign form."""
    query = select(Department.code, Department.name).order_by(Department.path)
    if not actor.is_operator:
        query = query.where(Department.path.startswith(actor.department_path, autoescape=True))
    return [(code, name) for code, name in db.execute(query)]


def period(since: date | None, until: date | None, today: date) -> tuple[date, date]:
    """The statistics' days: the last 30 by default; at most two years, in order."""
    end = until or today
    start = since or end - timedelta(days=STATISTICS_DAYS - 1)
    if start > end:
        start, end = end, start
    return max(start, end - timedelta(days=MAX_STATISTICS_DAYS - 1)), end


def summary(db: Session, actor: Actor, on: Desk) -> dict[str, int]:
    """The home page's hotline card: open cases, their clocks breached and warning, suggestions waiting, and the
    tickets that became cases (all time, in the caller's scope)."""
    open_cases = list(db.scalars(select(Case).where(visible(actor), Case.stage.in_(OPEN_STAGES))))
    status = [worst(s for _, s, _ in clock_states(db, c, on.calendar, on.today, on.settings.warn_days))
              for c in open_cases]  # fmt: skip
    cases = select(Case.id).where(visible(actor), Case.stage != "merged")
    copies = CaseTicket.reasons.like(SAME_TICKET)  # one ticket that came by two ways is one ticket
    ticket_rows = select(func.count()).where(CaseTicket.case_id.in_(cases), ~copies | CaseTicket.reasons.is_(None))
    held = db.scalar(ticket_rows) or 0
    tickets = held - copies_apart(db, cases)  # a platform's ticket once, its copies kept in two cases too
    case_count = db.scalar(select(func.count()).where(Case.id.in_(cases))) or 0
    waiting = len(hotline.open_suggestions(db, actor, limit=10_000))
    return {
        "open": len(open_cases),
        "breached": status.count("breached"),
        "warning": status.count("warning"),
        "unknown": status.count("unknown"),
        "suggestions": waiting,
        "tickets": int(tickets),
        "cases": int(case_count),
        "saved": int(held) - int(case_count),
    }
