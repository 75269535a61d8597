"""A case's legal clocks and the steps that move them: pauses for testing or appraisal (检定、检验、检测、鉴定), an
approved extension, the days recorded by `mark` (parties told, a lead found and checked, a dispute over jurisdiction
and its settling), and each clock's state on a day (`zhizhi.hotline.clocks` counts the working days).

A closed case's mediation and verification clocks are settled: neither paused nor extended any more; an extension
comes within the period. The clocks that run after a decision (telling the parties, checking a lead) are kept on a
closed case too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.access.audit import record as audit
from zhizhi.access.roles import Actor
from zhizhi.errors import InputError
from zhizhi.hotline.candidate import real_name
from zhizhi.hotline.cases import STAGES, case_tickets, given_reason, writable
from zhizhi.hotline.clocks import Clock, ClockState, Pause, clock
from zhizhi.hotline.routing import OPEN_STAGES
from zhizhi.hotline.workdays import UnknownYearError, WorkCalendar
from zhizhi.store.tables import Case, CasePause
from zhizhi.store.types import LOCAL_TZ, local_today, utcnow


def pause(session: Session, actor: Actor, case: Case, *, reason: str, start: date,
          calendar: WorkCalendar | None = None, today: date | None = None) -> CasePause:  # fmt: skip
    """Stop a case's clocks for testing or appraisal (检定、检验、检测、鉴定), from `start` until `resume`. With the
    workspace's `calendar`, a pause is refused once a clock it would stop is past its deadline: a pause is recorded
    as it happens, and one dated back after the breach would turn the breach into a running clock."""
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
    for one, state, _ in clock_states(session, case, calendar, today or local_today(), 0) if calendar else ():
        if one.rule.pausable and one.done_on is None and state is not None and state.status == "breached":
            raise InputError(
                f"Case {case.number}: its {one.rule.name} clock ({one.rule.article}) was due {state.deadline}; a "
                "pause is recorded as it happens, not after the deadline (the breach stands).",
                zh=f"案件 {case.number} 的时限（{one.rule.article}）已于 {state.deadline} 届满：中止计时应在发生时"
                "记录，期满后不能补记（逾期照记）。",
            )
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


Extendable = Literal["report_verification", "mediation_lead"]


def extend(session: Session, actor: Actor, case: Case, *, reason: str, calendar: WorkCalendar | None = None,
           today: date | None = None, clock_name: Extendable = "report_verification") -> None:  # fmt: skip
    """Record the approval of 15 more working days (特殊情况, 经批准) to verify a report's lead, or a lead found during
    mediation (`clock_name="mediation_lead"`, Art 23), within the 15 (with the workspace's `calendar`: an extension
    approved after the deadline would turn a breach into a running clock)."""
    reason = given_reason(reason)
    writable(session, actor, case)
    if clock_name == "report_verification":
        if case.kind != "report":
            raise InputError("Only a report's verification can be extended.", zh="只有举报核查可以延长。")
        _still_open(case, "extended")
    elif case.lead_found_on is None or case.lead_checked_on is not None:
        raise InputError(
            f"Case {case.number} has no lead being checked (record the day it was found first).",
            zh=f"案件 {case.number} 没有正在核查的线索（请先记录发现线索之日）。",
        )
    elif case.lead_extended:
        raise InputError(f"The lead of case {case.number} was extended already.",
                         zh=f"案件 {case.number} 的线索核查已延长过。")  # fmt: skip
    if calendar is not None:
        for one, state, _ in clock_states(session, case, calendar, today or local_today(), warn_before=0):
            if one.rule.name == clock_name and state is not None and state.status == "breached":
                raise InputError(
                    f"Case {case.number}: its verification was due {state.deadline}; an extension is approved within "
                    "the period, not after it (the breach stands).",
                    zh=f"案件 {case.number} 的核查期限已于 {state.deadline} 届满：延长须在期限内批准，期满后不能延长"
                    "（逾期照记）。",
                )
    if clock_name == "report_verification":
        case.extended = True
    else:
        case.lead_extended = True
    audit(session, actor, "case.extended", object_type="case", object_id=case.number,
          detail={"reason": reason, "clock": clock_name})  # fmt: skip


@dataclass(frozen=True)
class Step:
    """A day a handler records on a case: the clock it starts or ends, and what must come before it."""

    name: str
    label_zh: str
    label: str
    column: str
    after: str | None = None  # the day it cannot come before: another step's column, or "decided" / "accepted"


STEPS: dict[str, Step] = {
    step.name: step
    for step in (
        Step("told", "已告知", "parties told", "told_on", after="decided"),
        Step("lead_found", "发现违法线索", "a lead found during mediation", "lead_found_on", after="accepted"),
        Step("lead_checked", "线索核查完毕", "the lead checked", "lead_checked_on", after="lead_found_on"),
        Step("disputed", "发生管辖争议", "offices dispute which handles it", "disputed_on", after="received"),
        Step("settled", "管辖争议解决", "the dispute settled or referred upward", "settled_on", after="disputed_on"),
    )
}
"""The steps `mark` records, by name: `told` ends `termination_notice` (Art 21) and `reporter_notice` (Art 31);
`lead_found` starts `mediation_lead` and `lead_checked` ends it (Art 23); `disputed` starts `jurisdiction` and
`settled` ends it (Art 30)."""


def mark(session: Session, actor: Actor, case: Case, step: str, *, on: date) -> None:
    """Record the day a step was taken (once; not ahead of today, not before what it follows)."""
    writable(session, actor, case)
    if step not in STEPS:
        raise InputError(f"No step `{step}`; choose from {', '.join(STEPS)}.",
                         zh=f"没有步骤 `{step}`，可选：{'、'.join(STEPS)}。")  # fmt: skip
    one = STEPS[step]
    if getattr(case, one.column) is not None:
        raise InputError(
            f"Case {case.number}: `{step}` was recorded already ({getattr(case, one.column)}).",
            zh=f"案件 {case.number} 已记录「{one.label_zh}」（{getattr(case, one.column)}）。",
        )
    _may_mark(session, case, one)
    earliest = _earliest(case, one)
    if earliest is not None and on < earliest:
        raise InputError(f"Case {case.number}: `{step}` cannot be on {on}, before {earliest}.",
                         zh=f"案件 {case.number} 的「{one.label_zh}」不能早于 {earliest}。")  # fmt: skip
    if on > local_today():
        raise InputError(f"Case {case.number}: `{step}` cannot be on {on}, after today: record it on the day.",
                         zh=f"案件 {case.number} 的「{one.label_zh}」不能晚于今天，请在当天记录。")  # fmt: skip
    setattr(case, one.column, on)
    case.updated_at = utcnow()
    audit(session, actor, "case.marked", object_type="case", object_id=case.number,
          detail={"step": step, "on": on.isoformat()})  # fmt: skip


def open_steps(session: Session, case: Case) -> list[str]:
    """The steps that may be recorded on the case now (not yet recorded, their clock due, what they follow done)."""
    found = []
    for step in STEPS.values():
        if getattr(case, step.column) is not None:
            continue
        try:
            _may_mark(session, case, step)
        except InputError:
            continue
        found.append(step.name)
    return found


def _may_mark(session: Session, case: Case, step: Step) -> None:
    """Refuse a step the case has no clock for, or that follows a step not recorded."""
    why: tuple[str, str] | None = None
    first = next((s for s in STEPS.values() if s.column == step.after), None)
    if first is not None and getattr(case, first.column) is None:
        why = (f"record `{first.name}` before `{step.name}`",
               f"请先记录「{first.label_zh}」，再记录「{step.label_zh}」")  # fmt: skip
    elif step.name == "told" and not (case.decision == "terminated" or _tells_reporter(session, case)):
        why = ("only a terminated mediation's parties or a named reporter of a decided report are told on a clock",
               "只有终止调解的双方当事人、已作出是否立案决定的实名举报人需在时限内告知")  # fmt: skip
    elif step.name == "lead_found" and (case.kind != "complaint" or case.accepted_on is None):
        why = ("a lead is found during the mediation of an accepted complaint", "线索须在已受理投诉的调解中发现")
    elif step.name == "disputed" and case.stage not in OPEN_STAGES:
        why = ("a dispute over jurisdiction comes before the case is decided", "管辖争议须在案件办结前发生")
    if why is not None:
        raise InputError(f"Case {case.number}: {why[0]}.", zh=f"案件 {case.number}：{why[1]}。")


def _earliest(case: Case, step: Step) -> date | None:
    if step.after == "decided":
        return _local(case.decided_at).date() if case.decided_at else None
    if step.after == "accepted":
        return case.accepted_on
    if step.after == "received":
        return case.received_on
    return getattr(case, step.after) if step.after else None


def _tells_reporter(session: Session, case: Case) -> bool:
    """A report decided whether to open a case (Art 31), one of whose reporters gave their name (实名举报)."""
    if case.kind != "report" or case.decision not in ("case_opened", "not_opened"):
        return False
    tickets = case_tickets(session, case)
    return any(data.get("kind") in (None, "report") and _named(data.get("caller_name")) for _, data in tickets)


def _named(name: str | None) -> bool:
    return real_name(name) is not None


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
    """The legal clocks running (or run) for a case; none for a merged case, whose tickets are on the clocks of the
    case they joined (undone, it counts again from its own receipt)."""
    if case.stage == "merged":
        return []
    pauses = tuple(Pause(p.started_on, p.ended_on, p.reason) for p in _pauses(session, case))
    decided = _local(case.decided_at).date() if case.decided_at else None
    found: list[Clock] = []
    if case.kind == "complaint":
        accepted_by = case.accepted_on or (decided if case.decision in ("not_accepted", "referred") else None)
        found.append(clock("acceptance", case.received_on, done_on=accepted_by))
        if case.accepted_on:
            ended = decided if case.decision in ("mediated", "terminated", "referred") else None
            found.append(clock("mediation", case.accepted_on, pauses=pauses, done_on=ended))
        if case.decision == "terminated" and decided is not None:
            found.append(clock("termination_notice", decided, done_on=case.told_on))
        if case.lead_found_on is not None:
            found.append(clock("mediation_lead", case.lead_found_on, extended=case.lead_extended,
                               done_on=case.lead_checked_on))  # fmt: skip
    elif case.kind == "report":
        done = decided if case.decision in ("case_opened", "not_opened", "referred") else None
        found.append(clock("report_verification", case.received_on, pauses=pauses, extended=case.extended,
                           done_on=done))  # fmt: skip
        if decided is not None and _tells_reporter(session, case):
            found.append(clock("reporter_notice", decided, done_on=case.told_on))
    if case.disputed_on is not None:
        found.append(clock("jurisdiction", case.disputed_on, done_on=case.settled_on))
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
