"""The hotline desk's JSON API: cases, suggestions, a handler's steps, statistics, and the channels' push.

Reads need `data.read` and see the cases of the caller's subtree (desk or office); a handler's steps need
`cases.write`. Every write is committed before the answer is sent (the request's transaction, `DbSession`).
Callers' identities are masked unless the case's rule allows the caller and a purpose is given (audited).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from zhizhi import hotline
from zhizhi.errors import PermissionDeniedError
from zhizhi.hotline.cases import MAX_REASON, MAX_RESULT
from zhizhi.hotline.intake import MAX_TICKETS, MAX_VALUE
from zhizhi.records.ticket import CHANNELS, KINDS
from zhizhi.web import hotline_view
from zhizhi.web.api.receipts import Platform
from zhizhi.web.deps import ApiCasesWriter, ApiDataReader, DbSession, Id, Limit, Offset, app_context

router = APIRouter(prefix="/hotline", tags=["hotline"])
Number = Annotated[str, Path(min_length=1, max_length=hotline_view.MAX_NUMBER, description="the case's number")]
Reason = Annotated[str, Field(max_length=MAX_REASON, description="why, kept in the audit trail")]
Stage = Annotated[str | None, Query(max_length=16, description="received, accepted, closed or merged")]


class Assignment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    office: str | None = Field(default=None, max_length=32, description="code of the office to take the case")
    handler: str | None = Field(default=None, max_length=64, description="username of the handler to take it")
    reason: Reason


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: str = Field(max_length=32, description="accepted, not_accepted, mediated, terminated, referred ...")
    result: str = Field(default="", max_length=MAX_RESULT, description="what every caller of the case is told")
    reason_code: str | None = Field(default=None, max_length=2, description="for not_accepted: Art 15 ground 1-6")


class PauseStart(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Reason
    start: date = Field(description="the first day not counted (testing, inspection, appraisal)")


class PauseEnd(BaseModel):
    model_config = ConfigDict(extra="forbid")
    last_day: date = Field(description="the pause's last day not counted")


class Why(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Reason


class Extension(Why):
    clock: Literal["report_verification", "mediation_lead"] = Field(
        default="report_verification", description="the clock extended: a report's verification or a lead's check"
    )


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid")
    step: Literal["told", "lead_found", "lead_checked", "disputed", "settled"]
    on: date = Field(description="the day it was taken (not ahead of today)")


class PushedTicket(BaseModel):
    """One ticket as a channel's platform sends it (every field text; the ingest checks and converts them)."""

    model_config = ConfigDict(extra="forbid")
    number: str = Field(min_length=1, max_length=64, description="the channel's ticket number (the ticket's key)")
    received_at: str = Field(max_length=40, description="the moment of receipt, e.g. 2026-03-02 09:15:00")
    kind: str = Field(max_length=16, description="投诉, 举报, 咨询, 建议 ... (the channel's own words)")
    caller_name: str | None = Field(default=None, max_length=100)
    caller_phone: str | None = Field(default=None, max_length=40)
    caller_address: str | None = Field(default=None, max_length=400)
    respondent_name: str | None = Field(default=None, max_length=200)
    respondent_uscc: str | None = Field(default=None, max_length=32)
    respondent_address: str | None = Field(default=None, max_length=400)
    respondent_phone: str | None = Field(default=None, max_length=40)
    text: str | None = Field(default=None, max_length=MAX_VALUE)
    place: str | None = Field(default=None, max_length=400)
    problem_category: str | None = Field(default=None, max_length=64, description="the channel's problem category")
    goods_category: str | None = Field(default=None, max_length=64, description="its goods or service category")
    status: str | None = Field(default=None, max_length=64)


Tickets = Annotated[list[PushedTicket], Body(min_length=1, max_length=MAX_TICKETS)]


@router.get("/cases")
def list_cases(
    request: Request,
    db: DbSession,
    actor: ApiDataReader,
    stage: Stage = None,
    kind: Annotated[str | None, Query(max_length=16, description=", ".join(KINDS))] = None,
    office: Annotated[str | None, Query(max_length=32, description="the office's code")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    """Cases of the caller's subtree, newest first (merged ones only when asked by `stage`), with clock status."""
    found = hotline.list_cases(db, actor, stage=stage, kind=kind, office=office, limit=limit, offset=offset)
    return hotline_view.rows(db, found, hotline_view.desk(request))


@router.get("/cases/{number}")
def read_case(
    number: Number,
    request: Request,
    db: DbSession,
    actor: ApiDataReader,
    purpose: Annotated[str | None, Query(max_length=200, description="show the callers' identities for this")] = None,
) -> dict[str, Any]:
    """A case: its tickets (how each joined, score, reasons), clocks, pauses and open suggestions.

    Identities are masked; with `purpose`, the assigned handler (and for all but reports, the leaders of its
    office) see them, audited as `personal.read`; anyone else gets 403.
    """
    return hotline_view.view(db, actor, number, hotline_view.desk(request), purpose=purpose)


@router.post("/cases/{number}/assign")
def assign_case(
    number: Number, body: Assignment, request: Request, db: DbSession, actor: ApiCasesWriter
) -> dict[str, Any]:
    """Move the case to another office (its least-loaded handler) or handler, with a reason. A case moved out of the
    caller's departments is answered by its number and `"visible": false` (it moved; the caller no longer sees it)."""
    case = hotline.get_case(db, actor, number)
    hotline.assign(db, actor, case, office=body.office, handler=body.handler, reason=body.reason,
                   workspace=app_context(request).workspace)
    if not hotline.sees(db, actor, case):
        return {"number": case.number, "assigned": True, "visible": False}
    return hotline_view.view(db, actor, number, hotline_view.desk(request))


@router.post("/cases/{number}/decide")
def decide_case(
    number: Number, body: Decision, request: Request, db: DbSession, actor: ApiCasesWriter
) -> dict[str, Any]:
    """Record the decision and result once; every ticket of the case is answered on its channel."""
    case = hotline.get_case(db, actor, number)
    workspace = app_context(request).workspace
    on = hotline_view.desk(request)
    owed = hotline.decide(db, actor, workspace, case, body.decision, result=body.result, reason_code=body.reason_code,
                          today=on.today)  # fmt: skip
    return {"answers_owed": owed, "case": hotline_view.view(db, actor, number, on)}


@router.post("/cases/{number}/pause")
def pause_case(
    number: Number, body: PauseStart, request: Request, db: DbSession, actor: ApiCasesWriter
) -> dict[str, Any]:
    """Stop the case's clocks for testing or appraisal from `start`, until resumed."""
    on = hotline_view.desk(request)
    hotline.pause(db, actor, hotline.get_case(db, actor, number), reason=body.reason, start=body.start,
                  calendar=on.calendar, today=on.today)  # fmt: skip
    return hotline_view.view(db, actor, number, on)


@router.post("/cases/{number}/resume")
def resume_case(
    number: Number, body: PauseEnd, request: Request, db: DbSession, actor: ApiCasesWriter
) -> dict[str, Any]:
    """End the running pause; `last_day` is its last day not counted."""
    hotline.resume(db, actor, hotline.get_case(db, actor, number), last_day=body.last_day)
    return hotline_view.view(db, actor, number, hotline_view.desk(request))


@router.post("/cases/{number}/extend")
def extend_case(
    number: Number, body: Extension, request: Request, db: DbSession, actor: ApiCasesWriter
) -> dict[str, Any]:
    """Record the approval of 15 more working days to verify a report's lead (or a lead found in mediation)."""
    on = hotline_view.desk(request)
    hotline.extend(db, actor, hotline.get_case(db, actor, number), reason=body.reason, calendar=on.calendar,
                   today=on.today, clock_name=body.clock)  # fmt: skip
    return hotline_view.view(db, actor, number, on)


@router.post("/cases/{number}/steps")
def mark_step(number: Number, body: Step, request: Request, db: DbSession, actor: ApiCasesWriter) -> dict[str, Any]:
    """Record the day a step that starts or ends a legal clock was taken (parties told, a lead found or checked, a
    dispute over jurisdiction begun or settled)."""
    hotline.mark(db, actor, hotline.get_case(db, actor, number), body.step, on=body.on)
    return hotline_view.view(db, actor, number, hotline_view.desk(request))


@router.post("/cases/{number}/tickets/{record_id}/split")
def split_ticket(number: Number, record_id: Id, body: Why, request: Request, db: DbSession,
                 actor: ApiCasesWriter) -> dict[str, Any]:  # fmt: skip
    """Undo a merge: the ticket (or the case it came with) leaves for a case of its own; answers that case."""
    hotline_view.check_ticket(db, actor, number, record_id)
    made = hotline.split(db, actor, app_context(request).workspace, record_id, reason=body.reason)
    return {"case": made.number, "from": number}


@router.get("/suggestions")
def list_suggestions(db: DbSession, actor: ApiDataReader, limit: Limit = 100) -> list[dict[str, Any]]:
    """Tickets that may belong to another case, most likely first: both sides, the score and why."""
    return [hotline.suggestion_row(db, s) for s in hotline.open_suggestions(db, actor, limit=limit)]


@router.post("/suggestions/{suggestion_id}/confirm")
def confirm_suggestion(suggestion_id: Id, request: Request, db: DbSession, actor: ApiCasesWriter) -> dict[str, Any]:
    """The suggested ticket's case and the other become one case (the older keeps it)."""
    hotline_view.case_of_suggestion(db, actor, suggestion_id)
    kept = hotline.confirm(db, actor, suggestion_id, app_context(request).workspace)
    return {"suggestion": suggestion_id, "status": "confirmed", "case": kept.number}


@router.post("/suggestions/{suggestion_id}/apart")
def keep_suggestion_apart(suggestion_id: Id, db: DbSession, actor: ApiCasesWriter) -> dict[str, Any]:
    """The suggested ticket is not the case's grievance: the suggestion is closed."""
    case = hotline_view.case_of_suggestion(db, actor, suggestion_id)
    hotline.keep_apart(db, actor, suggestion_id)
    return {"suggestion": suggestion_id, "status": "apart", "case": case.number}


@router.post("/take-in")
def take_in_tickets(request: Request, db: DbSession, actor: ApiCasesWriter) -> dict[str, int]:
    """Put the tickets no case holds yet into cases now (the worker does it on its own)."""
    return hotline.take_in(db, actor, app_context(request).workspace).as_dict()


@router.get("/statistics")
def read_statistics(
    request: Request,
    db: DbSession,
    actor: ApiDataReader,
    since: Annotated[date | None, Query(description="first day received (default: 30 days before `until`)")] = None,
    until: Annotated[date | None, Query(description="last day received (default: today)")] = None,
) -> dict[str, Any]:
    """Cases by kind, district, industry and respondent; repeat respondents; rising topics; breaches by office and
    handler; and the answers merging saved. No identities."""
    on = hotline_view.desk(request)
    start, end = hotline_view.period(since, until, on.today)
    return hotline.statistics(db, actor, on.calendar, since=start, until=end, warn_before=on.settings.warn_days,
                              words=hotline.words_of(on.settings))  # fmt: skip


@router.post("/{channel}/tickets")
def push_tickets(
    channel: Annotated[str, Path(max_length=16, description=", ".join(CHANNELS))],
    tickets: Tickets,
    request: Request,
    db: DbSession,
    platform: Platform,
) -> dict[str, Any]:
    """A channel's platform pushes its tickets (its own platform token, whose target is named like the channel).

    Each ticket is accepted or quarantined with its reasons; the same ticket pushed again changes nothing.
    """
    actor, target = platform
    if target != channel:
        raise PermissionDeniedError(
            f"This is the platform token of `{target}`; it cannot push tickets of channel `{channel}`. Use the token "
            f"of the target `{channel}` (`zhizhi targets token create {channel} --name SYSTEM`). "
            f"该令牌属于平台 `{target}`，不能推送渠道 `{channel}` 的工单。",
            zh=f"该令牌属于平台 `{target}`，不能推送渠道 `{channel}` 的工单；请使用目标 `{channel}` 的平台令牌。",
        )
    rows = [t.model_dump(exclude_none=True) for t in tickets]
    return hotline.push_tickets(db, app_context(request).workspace, actor, channel, rows)
