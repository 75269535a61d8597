"""A case's legal clocks and the steps that move them: pauses for testing or appraisal (检定、检验、检测、鉴定), a
report's approved extension, and each clock's state on a day (`zhizhi.hotline.clocks` counts the working days).

A closed case's clocks are settled: neither paused nor extended any more; an extension comes within the period.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.access.audit import record as audit
from zhizhi.access.roles import Actor
from zhizhi.errors import InputError
from zhizhi.hotline.cases import STAGES, given_reason, writable
from zhizhi.hotline.clocks import Clock, ClockState, Pause, clock
from zhizhi.hotline.routing import OPEN_STAGES
from zhizhi.hotline.workdays import UnknownYearError, WorkCalendar
from zhizhi.store.tables import Case, CasePause
from zhizhi.store.types import LOCAL_TZ, local_today


def pause(session: Session, actor: Actor, case: Case, *, reason: str, start: date) -> CasePause:
    """Stop a case's clocks for testing or appraisal (检定、检验、检测、鉴定), from `start` until `resume`."""
    reason = given_reason(reason)
    writable(session, actor, case)
    _still_open(case, "paused")
    _not_ahead(start, "pause", case)
    if start < case.received_on:
        raise InputError(f"A pause of case {case.number} cannot begin on {start}, before it was received "
                         f"({case.received_on}).",
                         zh=f"案件 {case.number} 的中止计时不能早于收到之日（{case.received_on}）。")  # fmt: skip
    if any(p.ended_on is None for p in _pauses(session, case)):
        raise InputError(f"Case {case.number} is paused already.", zh=f"案件 {case.number} 已在中止计时。")
    row = CasePause(case_id=case.id, reason=reason, started_on=start, created_by=actor.name)
    session.add(row)
    audit(session, actor, "case.paused", object_type="case", object_id=case.number,
          detail={"from": start.isoformat(), "reason": reason})  # fmt: skip
    return row


def resume(session: Session, actor: Actor, case: Case, *, last_day: date) -> None:
    """End the running pause; `last_day` is its last day not counted."""
    writable(session, actor, case)
    running = [p for p in _pauses(session, case) if p.ended_on is None]
    if not running:
        raise InputError(f"Case {case.number} is not paused.", zh=f"案件 {case.number} 未中止计时。")
    if last_day < running[0].started_on:
        raise InputError("A pause cannot end before it began.", zh="中止计时的结束日不能早于开始日。")
    _not_ahead(last_day, "resume", case)
    running[0].ended_on = last_day
    audit(session, actor, "case.resumed", object_type="case", object_id=case.number,
          detail={"through": last_day.isoformat()})  # fmt: skip


def extend(session: Session, actor: Actor, case: Case, *, reason: str, calendar: WorkCalendar | None = None,
           today: date | None = None) -> None:  # fmt: skip
    """Record the approval of 15 more working days to verify a report's lead (特殊情况, 经批准), within the 15 (with
    the workspace's `calendar`: an extension approved after the deadline would turn a breach into a running clock)."""
    reason = given_reason(reason)
    writable(session, actor, case)
    if case.kind != "report":
        raise InputError("Only a report's verification can be extended.", zh="只有举报核查可以延长。")
    _still_open(case, "extended")
    if calendar is not None:
        for one, state, _ in clock_states(session, case, calendar, today or local_today(), warn_before=0):
            if one.rule.name == "report_verification" and state is not None and state.status == "breached":
                raise InputError(
                    f"Case {case.number}: its verification was due {state.deadline}; an extension is approved within "
                    "the period, not after it (the breach stands).",
                    zh=f"案件 {case.number} 的核查期限已于 {state.deadline} 届满：延长须在期限内批准，期满后不能延长"
                    "（逾期照记）。",
                )
    case.extended = True
    audit(session, actor, "case.extended", object_type="case", object_id=case.number, detail={"reason": reason})


def _still_open(case: Case, done: str) -> None:
    """A closed (or merged) case's clocks are settled: a pause or an extension recorded afterwards would rewrite a
    breach."""
    if case.stage not in OPEN_STAGES:
        raise InputError(
            f"Case {case.number} is {case.stage}: its clocks are settled and cannot be {done} now.",
            zh=f"案件 {case.number} 已{STAGES[case.stage][0]}：计时已定，不能再中止或延长。",
        )


def _not_ahead(day: date, step: str, case: Case) -> None:
    """A pause is recorded as it happens: a day ahead of today would stop the clocks on a promise (and hide a
    breach until then)."""
    today = local_today()
    if day > today:
        what, zh = ("begin", "开始") if step == "pause" else ("end", "结束")
        raise InputError(
            f"A pause of case {case.number} cannot {what} on {day}, after today ({today}): record it on the day.",
            zh=f"案件 {case.number} 的中止计时不能{zh}于今天（{today}）之后的 {day}，请在当天记录。",
        )


def _pauses(session: Session, case: Case) -> list[CasePause]:
    return list(session.scalars(select(CasePause).where(CasePause.case_id == case.id).order_by(CasePause.id)))




def _local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL_TZ) if moment.tzinfo else moment


def clocks(session: Session, case: Case) -> list[Clock]:
    """The legal clocks running (or run) for a case."""
    pauses = tuple(Pause(p.started_on, p.ended_on, p.reason) for p in _pauses(session, case))
    decided = _local(case.decided_at).date() if case.decided_at else None
    found: list[Clock] = []
    if case.kind == "complaint":
        accepted_by = case.accepted_on or (decided if case.decision in ("not_accepted", "referred") else None)
        found.append(clock("acceptance", case.received_on, done_on=accepted_by))
        if case.accepted_on:
            ended = decided if case.decision in ("mediated", "terminated", "referred") else None
            found.append(clock("mediation", case.accepted_on, pauses=pauses, done_on=ended))
    elif case.kind == "report":
        done = decided if case.decision in ("case_opened", "not_opened", "referred") else None
        found.append(clock("report_verification", case.received_on, pauses=pauses, extended=case.extended,
                           done_on=done))  # fmt: skip
    return found


def clock_states(
    session: Session, case: Case, calendar: WorkCalendar, at: date, warn_before: int
) -> list[tuple[Clock, ClockState | None, str | None]]:
    """Each clock of the case on day `at`: its state, or None and why (a year the calendar does not know yet:
    said, never guessed)."""
    found: list[tuple[Clock, ClockState | None, str | None]] = []
    for one in clocks(session, case):
        try:
            found.append((one, one.state(calendar, at, warn_before=warn_before), None))
        except UnknownYearError as exc:
            found.append((one, None, str(exc)))
    return found


def worst(states: Iterable[ClockState | None]) -> str | None:
    """The most urgent status among a case's clocks (`unknown` when one cannot be counted)."""
    order = ("breached", "warning", "unknown", "paused", "running", "met")
    found = {s.status if s is not None else "unknown" for s in states}
    return next((s for s in order if s in found), None)
