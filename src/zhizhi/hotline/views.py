"""What the desk shows: a case with its tickets and clocks (identities by the desk's privacy rules), the lists'
rows, the citizen's lookup, and a register entity's cases (the statistics are in `zhizhi.hotline.figures`).

Privacy (Art 33 of the rules, and the bureau's own rule for complainants):
- a complainant's name, phone and address are shown only to the case's assigned handler and the leaders of the
  office it is assigned to, each time for a declared purpose (audited as `personal.read`, within the hourly limit);
- a reporter's identity (举报人) only to the assigned handler;
- everyone else, and every list, export and statistic, sees them masked; free text in lists, and the case's result
  and decision reason (what the handler wrote may quote a caller's numbers) unless identities are shown, has ID and
  phone numbers masked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhizhi.access.roles import Actor, Role, require
from zhizhi.errors import PermissionDeniedError
from zhizhi.hotline.case_clocks import STEPS, clock_states, open_steps, worst
from zhizhi.hotline.cases import STAGES, case_tickets, visible
from zhizhi.hotline.history import held_copies, ticket_key
from zhizhi.hotline.suggestions import suggestions_seen
from zhizhi.hotline.workdays import WorkCalendar
from zhizhi.ingest.normalize import clean_identifier_value
from zhizhi.privacy.detect import mask_text
from zhizhi.privacy.masking import disclose, mask
from zhizhi.records.ticket import CHANNELS, KINDS, TICKET
from zhizhi.records.ticket_answer import DECISIONS
from zhizhi.resolve.register import current_id, merged_ids
from zhizhi.store.tables import (
    TICKETS,
    Case,
    CasePause,
    CaseSuggestion,
    CaseTicket,
    Department,
    Record,
    RecordVersion,
    User,
)
from zhizhi.store.types import LOCAL_TZ, local_today

IDENTITY = {"caller_name": "person_name", "caller_phone": "phone", "caller_address": "person_address"}


def may_see_identity(session: Session, actor: Actor, case: Case) -> bool:
    """The desk's rule: the assigned handler; for anything but a report, also the leaders of the assigned office
    itself (the handler's own leaders: a leader of the bureau above, whose departments cover every office, reads the
    callers masked like everyone else)."""
    if actor.is_operator:
        return False  # the command line reads no identity: it has no purpose to declare against a person
    if case.handler_id is not None and actor.user_id == case.handler_id:
        return True
    if case.kind == "report" or Role.LEADER not in actor.roles or case.office_id is None:
        return False
    return actor.department_id == case.office_id


def case_view(
    session: Session,
    actor: Actor,
    case: Case,
    calendar: WorkCalendar,
    *,
    today: date | None = None,
    warn_before: int = 2,
    purpose: str | None = None,
    per_hour: int = 200,
) -> dict[str, Any]:
    """One case as the desk shows it. With `purpose`, the callers' identities are shown to those the rule allows
    (audited); without, or to anyone else, they are masked."""
    day = today or local_today()
    allowed = may_see_identity(session, actor, case)
    tickets = case_tickets(session, case)
    if purpose is not None:
        _disclose_callers(session, actor, case, allowed, purpose, per_hour)
    shown = purpose is not None and allowed
    offices = _names(session, [case.desk_id, case.office_id])
    handler = session.get(User, case.handler_id) if case.handler_id else None
    return {
        **case_row(session, case, calendar, day, warn_before, offices=offices),
        "identity_shown": shown,
        "may_see_identity": allowed,
        "handler": handler.display_name if handler else None,
        "routed_by": case.routed_by if shown else _masked(case.routed_by),  # a reassignment's reason as typed
        "respondent_address": case.respondent_address,
        "respondent_uscc": case.respondent_uscc,
        "entity_id": case.entity_id,
        "result": case.result if shown else _masked(case.result),
        "decision_reason": case.decision_reason if shown else _masked(case.decision_reason),
        "decided_by": case.decided_by,
        "decided_at": _iso(case.decided_at),
        "extended": case.extended,
        "lead_extended": case.lead_extended,
        "steps": open_steps(session, case),
        "marked": {name: getattr(case, s.column).isoformat() for name, s in STEPS.items() if getattr(case, s.column)},
        "clocks": _clocks(session, case, calendar, day, warn_before),
        "tickets": _tickets(session, actor, case, tickets, shown),
        "pauses": [
            {
                "id": p.id,
                "reason": p.reason if shown else _masked(p.reason),
                "from": p.started_on.isoformat(),
                "through": p.ended_on.isoformat() if p.ended_on else None,
            }
            for p in session.scalars(select(CasePause).where(CasePause.case_id == case.id).order_by(CasePause.id))
        ],  # fmt: skip
        "suggestions": suggestions(session, actor, case),
    }


def _disclose_callers(
    session: Session, actor: Actor, case: Case, allowed: bool, purpose: str, per_hour: int
) -> None:
    """Audit a view of the callers' identities for `purpose`; refused to anyone the rule does not allow (Art 33)."""
    if not allowed:
        report = case.kind == "report"
        raise PermissionDeniedError(
            f"Only the assigned handler{'' if report else ' and their leaders'} may see the callers of case "
            f"{case.number}.",
            zh=f"只有承办人{'' if report else '及其所在单位领导'}可以查看案件 {case.number} 的诉求人信息"
            + ("（举报人信息保密，第三十三条）。" if report else "。"),
        )
    disclose(session, actor, purpose=purpose, object_type="case", object_ids=[case.number],
             fields=sorted(IDENTITY), per_hour=per_hour, rule="hotline.assigned")  # fmt: skip


def _clocks(session: Session, case: Case, calendar: WorkCalendar, day: date, warn_before: int) -> list[dict[str, Any]]:
    """Each legal clock of the case with its deadline and state on `day` (`unknown` with the problem when the
    calendar cannot say)."""
    return [
        {
            "rule": c.rule.name,
            "label_zh": c.rule.label_zh,
            "label": c.rule.label,
            "article": c.rule.article,
            "start": c.start.isoformat(),
            "working_days": c.working_days,
            "status": s.status if s else "unknown",
            "deadline": s.deadline.isoformat() if s and s.deadline else None,
            "elapsed": s.elapsed if s else None,
            "remaining": s.remaining if s else None,
            "problem": problem,
        }
        for c, s, problem in clock_states(session, case, calendar, day, warn_before)
    ]


def _tickets(
    session: Session, actor: Actor, case: Case, tickets: list[tuple[CaseTicket, dict[str, Any]]], shown: bool
) -> list[dict[str, Any]]:
    """The case's tickets as the desk shows them, each with the case its platform's answer was written for, and
    the case that answers it when another (`answered_by`: its copy there came first, Art 7)."""
    versions = [t.answer_version_id for t, _ in tickets if t.answer_version_id]
    found = session.execute(select(RecordVersion.id, RecordVersion.data).where(RecordVersion.id.in_(versions)))
    answers = {version: str(json.loads(data).get("case_number") or "") for version, data in found} if versions else {}
    by = {key: held[0][1] for key, held in held_copies(session, {ticket_key(d) for _, d in tickets}).items()}
    numbers = dict(session.execute(select(Case.id, Case.number).where(Case.id.in_(set(by.values()) - {case.id}))).all())
    return [
        _ticket(t, data, shown and _reveals(actor, case, data), case.number, answers.get(t.answer_version_id or 0),
                numbers.get(by.get(ticket_key(data), case.id)))
        for t, data in tickets
    ]


def _reveals(actor: Actor, case: Case, data: dict[str, Any]) -> bool:
    """Whether a ticket's caller is shown to one the case's rule lets see its callers: a report's (举报人) only to the
    assigned handler (Art 33), even inside a complaint's case."""
    return data.get("kind") != "report" or (case.handler_id is not None and actor.user_id == case.handler_id)


def _ticket(
    link: CaseTicket, data: dict[str, Any], shown: bool, case_number: str, answered_in: str | None,
    answered_by: str | None = None,
) -> dict[str, Any]:
    identity = {k: data.get(k) if shown else mask(c, data.get(k)) for k, c in IDENTITY.items()}
    reasons = json.loads(link.reasons) if link.reasons else {}
    return {
        "record_id": link.record_id,
        "channel": data.get("channel"),
        "channel_zh": CHANNELS.get(str(data.get("channel")), data.get("channel")),
        "number": data.get("number"),
        "received_at": data.get("received_at"),
        "kind": data.get("kind"),
        "status": data.get("status"),
        "respondent_name": data.get("respondent_name") if shown else _masked(data.get("respondent_name")),
        "text": data.get("text") if shown else mask_text(str(data.get("text") or "")),
        **identity,
        "how": link.how,
        "score": None if link.score is None else round(link.score, 3),
        "reasons": reasons.get("reasons", []),
        "phrases": reasons.get("phrases", []),
        "answered": link.answer_version_id is not None,
        # the case whose answer its platform holds, when another's (a ticket split off after it was answered)
        "answered_in": answered_in if answered_in != case_number else None,
        "answered_by": answered_by,  # the case answering its platform: this case's decision is not sent to it
        "changed": [
            {"field": name, "label_zh": TICKET.field(name).label_zh, "label": TICKET.field(name).label}
            for name in json.loads(link.changed or "[]")
        ],
    }


def suggestions(session: Session, actor: Actor, case: Case) -> list[dict[str, Any]]:
    """Open suggestions touching this case: its tickets suggested elsewhere, and tickets suggested to it; only those
    whose other side is in the actor's departments too."""
    mine = select(CaseTicket.record_id).where(CaseTicket.case_id == case.id)
    rows = session.scalars(
        select(CaseSuggestion)
        .where(CaseSuggestion.status == "open", suggestions_seen(actor))
        .where((CaseSuggestion.case_id == case.id) | CaseSuggestion.record_id.in_(mine))
        .order_by(CaseSuggestion.score.desc())
    ).all()
    return [suggestion_row(session, s) for s in rows]


def suggestion_row(session: Session, suggestion: CaseSuggestion) -> dict[str, Any]:
    """A suggestion with both sides (texts masked as in lists) and why."""
    reasons = json.loads(suggestion.reasons or "{}")
    ticket_case = session.scalar(
        select(Case).join(CaseTicket, CaseTicket.case_id == Case.id).where(CaseTicket.record_id == suggestion.record_id)
    )
    other = session.get(Case, suggestion.case_id)
    data = json.loads(
        session.scalar(
            select(RecordVersion.data)
            .join(Record, Record.version_id == RecordVersion.id)
            .where(Record.id == suggestion.record_id)
        )
        or "{}"
    )
    return {
        "id": suggestion.id,
        "score": round(suggestion.score, 3),
        "reasons": reasons.get("reasons", []),
        "phrases": reasons.get("phrases", []),
        "ticket": {"record_id": suggestion.record_id, "number": data.get("number"), "channel": data.get("channel"),
                   "text": mask_text(str(data.get("text") or "")), "case": ticket_case.number if ticket_case else None},
        "case": other.number if other else None,
        "case_respondent": _masked(other.respondent_name) if other else None,
    }  # fmt: skip


def case_row(
    session: Session,
    case: Case,
    calendar: WorkCalendar,
    day: date,
    warn_before: int,
    *,
    offices: dict[int, str] | None = None,
) -> dict[str, Any]:
    """A case as one row of a list (no identities)."""
    names = offices if offices is not None else _names(session, [case.desk_id, case.office_id])
    found = clock_states(session, case, calendar, day, warn_before)
    states = [s for _, s, _ in found]
    clock_status = worst(states)
    next_due = min((s.deadline for s in states if s is not None and s.status != "met" and s.deadline), default=None)
    calendar_problem = next((problem for _, _, problem in found if problem), None)
    count = session.scalar(select(func.count()).where(CaseTicket.case_id == case.id)) or 0
    channels = sorted({c for c in _channels(session, case) if c})
    return {
        "number": case.number,
        "kind": case.kind,
        "kind_zh": KINDS.get(case.kind, case.kind),
        "stage": case.stage,
        "stage_zh": STAGES[case.stage][0],
        "stage_en": STAGES[case.stage][1],
        "received_at": _iso(case.received_at),
        "received_on": case.received_on.isoformat(),
        "respondent_name": _masked(case.respondent_name),
        "division": case.respondent_division,
        "desk": names.get(case.desk_id),
        "office": names.get(case.office_id or 0),
        "decision": case.decision,
        "decision_zh": DECISIONS.get(case.decision or "", None),
        "tickets": int(count),
        "channels": channels,
        "clock": clock_status,
        "next_deadline": next_due.isoformat() if next_due else None,
        "calendar_problem": calendar_problem,
    }


def _masked(text: str | None) -> str | None:
    """Free text as lists show it: phone and ID numbers masked (a respondent's name is what a caller typed)."""
    return mask_text(text) if text else text


def _channels(session: Session, case: Case) -> list[str]:
    rows = session.scalars(
        select(RecordVersion.data)
        .join(Record, Record.version_id == RecordVersion.id)
        .join(CaseTicket, CaseTicket.record_id == Record.id)
        .where(CaseTicket.case_id == case.id)
    )
    return [json.loads(d).get("channel") for d in rows]


def _names(session: Session, ids: list[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i]
    return dict(session.execute(select(Department.id, Department.name).where(Department.id.in_(wanted))).all())


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    local = moment.astimezone(LOCAL_TZ) if moment.tzinfo else moment
    return local.replace(tzinfo=None, microsecond=0).isoformat()


# --- the citizen's lookup ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lookup:
    """What a caller may learn of their own ticket: its stage and dates, nothing else."""

    number: str
    channel_zh: str
    received_on: str
    stage_zh: str
    stage_en: str
    decision_zh: str | None
    decided_on: str | None


def lookup(session: Session, number: str, phone_last4: str) -> Lookup | None:
    """The ticket numbered `number` whose caller's phone ends in `phone_last4`, or None — the same None for no such
    ticket and for wrong digits, so the page cannot be used to learn which numbers exist."""
    # Each cleaned as the ingest cleaned the ticket (spaces, full-width digits): one number however it is written.
    number = (clean_identifier_value((number or "")[:256]) or "")[:64]
    digits = clean_identifier_value((phone_last4 or "")[:32]) or ""
    if not number or not number.isprintable() or len(digits) != 4 or not digits.isdigit():
        return None  # a control character is no ticket's (and PostgreSQL refuses a NUL): the same None
    rows = session.execute(
        select(Record.id, RecordVersion.data)
        .join(RecordVersion, RecordVersion.id == Record.version_id)
        .where(TICKETS, Record.key == f"number={number}")  # the words of the tickets' partial index
    ).all()
    for record_id, raw in rows:
        data = json.loads(raw)
        phone = "".join(ch for ch in str(data.get("caller_phone") or "") if ch.isdigit())
        if len(phone) < 4 or phone[-4:] != digits:
            continue
        case = session.scalar(select(Case).join(CaseTicket, CaseTicket.case_id == Case.id)
                              .where(CaseTicket.record_id == record_id))  # fmt: skip
        stage = case.stage if case else "received"
        return Lookup(
            number=number,
            channel_zh=CHANNELS.get(str(data.get("channel")), "其他渠道"),
            received_on=str(data.get("received_at") or "")[:10],
            stage_zh=STAGES[stage][0],
            stage_en=STAGES[stage][1],
            decision_zh=DECISIONS.get(case.decision or "") if case else None,
            decided_on=(_iso(case.decided_at) or "")[:10] or None if case else None,
        )
    return None


# --- statistics -----------------------------------------------------------------------------------------------


def entity_cases(session: Session, actor: Actor, entity_id: int, *, limit: int = 100) -> list[dict[str, Any]]:
    """The hotline cases whose respondent is this register entity (一企一档), newest first: what a reader of the
    entity's file may see of them (no caller; cases of other departments named, not opened). A case linked to an
    entity since merged into this one (or this one merged into another) is the firm's: cases keep the id they were
    linked to."""
    require(actor, "data.read")
    firm = merged_ids(session, current_id(session, entity_id))
    rows = session.scalars(
        select(Case)
        .where(Case.entity_id.in_(sorted(firm)), Case.stage != "merged")
        .order_by(Case.received_at.desc(), Case.id.desc())
        .limit(limit)
    ).all()
    offices = _names(session, [i for c in rows for i in (c.office_id, c.desk_id)])
    mine = set(session.scalars(select(Case.id).where(Case.id.in_([c.id for c in rows]), visible(actor))))
    return [
        {
            "number": c.number,
            "kind": c.kind,
            "kind_zh": KINDS.get(c.kind, c.kind),
            "stage": c.stage,
            "stage_zh": STAGES[c.stage][0],
            "stage_en": STAGES[c.stage][1],
            "received_on": c.received_on.isoformat(),
            "decision": c.decision,
            "decision_zh": DECISIONS.get(c.decision or "") if c.decision else None,
            "office": offices.get(c.office_id or c.desk_id),
            "may_open": c.id in mine,
        }
        for c in rows
    ]
