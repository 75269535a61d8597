"""Legal clocks: the deadlines of complaint and report handling, counted in working days.

A clock starts on a day (receipt, acceptance, a decision) that is itself not counted (Art 14: "自收到投诉之日起"; the
day an event happens does not count in a period), counts the working days after it, and skips the days it is
paused: testing, inspection or appraisal (检定、检验、检测、鉴定) is not counted in mediation (Art 20) nor in
verifying a report's lead (市场监督管理行政处罚程序规定 Art 18). A pause runs from its first day through its last,
both not counted. The deadline is the last working day on which the step may still be taken.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from zhizhi.errors import InputError
from zhizhi.hotline.workdays import UnknownYearError, WorkCalendar

Status = Literal["running", "paused", "warning", "breached", "met"]


@dataclass(frozen=True)
class Rule:
    """One row of the table of legal deadlines."""

    name: str
    label_zh: str
    label: str
    working_days: int
    starts: str
    article: str
    extension: int = 0  # more working days with approval (特殊情况, 经批准)
    pausable: bool = False  # testing and appraisal time not counted


RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        Rule("acceptance", "受理决定", "decide to accept or not, and tell the complainant", 7, "receipt", "Art 14"),
        Rule(
            "mediation", "调解终结", "mediation ends (no agreement: terminated)", 45, "acceptance", "Art 21(5), Art 20",
            pausable=True,
        ),
        Rule("termination_notice", "终止调解告知", "tell both parties mediation ended", 7, "termination", "Art 21"),
        Rule(
            "mediation_lead", "调解中发现线索核查", "verify a lead found during mediation", 15, "lead found", "Art 23",
            extension=15,
        ),
        Rule("jurisdiction", "管辖争议协商", "settle a dispute over jurisdiction, else refer upward", 7, "dispute",
             "Art 30"),
        Rule("reporter_notice", "告知实名举报人", "tell a named reporter whether a case was opened", 5,
             "case decision", "Art 31"),
        Rule(
            "report_verification", "举报核查立案", "verify a report's lead and decide whether to open a case", 15,
            "receipt", "市场监督管理行政处罚程序规定 Art 18", extension=15, pausable=True,
        ),
    )
}  # fmt: skip
"""The deadlines the desk keeps, by name (docs/hotline.md has the same table)."""


@dataclass(frozen=True)
class Pause:
    """Days the clock does not count, first to last inclusive; `end` None: paused still."""

    start: date
    end: date | None = None
    reason: str = ""

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def _counted(calendar: WorkCalendar, day: date, pauses: Sequence[Pause]) -> bool:
    return not any(p.covers(day) for p in pauses) and calendar.is_working_day(day)


def deadline(calendar: WorkCalendar, start: date, working_days: int, pauses: Iterable[Pause] = ()) -> date:
    """The last day of a period of `working_days` working days after `start`, paused days not counted.

    A day of a year with no known holiday schedule raises `UnknownYearError`; an open pause raises `InputError`
    (the deadline is not known until the pause ends: see `Clock.state` for the earliest it can be).
    """
    if working_days < 1:
        raise InputError(
            f"A period of `{working_days}` working days: give at least 1.",
            zh=f"期限为 `{working_days}` 个工作日：至少应为 1 个工作日。",
        )
    kept = tuple(pauses)
    if any(p.end is None for p in kept):
        raise InputError(
            "The clock is paused with no end yet: its deadline is not known until the pause ends.",
            zh="计时暂停尚未结束，期限届满日在暂停结束前无法确定。",
        )
    counted, day = 0, start
    while counted < working_days:
        day = date.fromordinal(day.toordinal() + 1)
        if _counted(calendar, day, kept):
            counted += 1
    return day


def elapsed(calendar: WorkCalendar, start: date, at: date, pauses: Iterable[Pause] = ()) -> int:
    """The working days counted after `start` up to and including `at` (paused days not counted)."""
    kept = tuple(pauses)
    return sum(1 for day in calendar.working_days(start, at) if not any(p.covers(day) for p in kept))


def remaining(calendar: WorkCalendar, start: date, working_days: int, at: date, pauses: Iterable[Pause] = ()) -> int:
    """Working days left after `at` (0 on the last day; negative once past it)."""
    return working_days - elapsed(calendar, start, at, pauses)


@dataclass(frozen=True)
class ClockState:
    """Where a clock stands on a day: its status, its deadline (the earliest, while paused; None when it falls in a
    year the calendar does not know yet and the step was done before it: met for certain) and its counts (None past
    a known deadline into a year the calendar does not know: the breach is certain, the count is not)."""

    status: Status
    deadline: date | None
    elapsed: int | None
    remaining: int | None


@dataclass(frozen=True)
class Clock:
    """One legal deadline running for one case: the rule, the day it started, its pauses, whether it was extended
    (with approval) and the day the step was done, if it was."""

    rule: Rule
    start: date
    pauses: tuple[Pause, ...] = ()
    extended: bool = False
    done_on: date | None = None

    @property
    def working_days(self) -> int:
        return self.rule.working_days + (self.rule.extension if self.extended else 0)

    def state(self, calendar: WorkCalendar, at: date, *, warn_before: int = 2) -> ClockState:
        """The clock on day `at`: `met` (done in time), `breached` (past its deadline, or done late), `paused`,
        `warning` (at most `warn_before` working days left after `at`), else `running`."""
        if self.pauses and not self.rule.pausable:
            raise InputError(
                f"The `{self.rule.name}` clock ({self.rule.article}) cannot be paused.",
                zh=f"`{self.rule.name}` 时限（{self.rule.article}）不能暂停计时。",
            )
        until = self.done_on or at
        pauses = tuple(replace(p, end=max(until, p.start)) if p.end is None else p for p in self.pauses)
        try:
            due = deadline(calendar, self.start, self.working_days, pauses)  # a deadline in an unknown year: raised
        except UnknownYearError:
            met = self._met_before(calendar, pauses)
            if met is None:
                raise
            return met
        if until > due:  # the days after a known deadline may reach a year not known: late for certain, by how much not
            try:
                spent: int | None = elapsed(calendar, self.start, until, pauses)
            except UnknownYearError:
                spent = None
        else:
            spent = elapsed(calendar, self.start, until, pauses)
        left = None if spent is None else self.working_days - spent
        if self.done_on is not None:
            return ClockState("met" if self.done_on <= due else "breached", due, spent, left)
        if at > due:
            status: Status = "breached"
        elif any(p.covers(at) for p in self.pauses):
            status = "paused"
        elif left is not None and left <= warn_before:
            status = "warning"
        else:
            status = "running"
        return ClockState(status, due, spent, left)

    def _met_before(self, calendar: WorkCalendar, pauses: tuple[Pause, ...]) -> ClockState | None:
        """Met, when the step was done on a day the calendar knows with fewer working days counted than the clock
        has: its deadline, in a year not known yet, is later still. None when that cannot be told."""
        if self.done_on is None:
            return None
        try:
            spent = elapsed(calendar, self.start, self.done_on, pauses)
        except UnknownYearError:
            return None
        return ClockState("met", None, spent, self.working_days - spent) if spent < self.working_days else None


def clock(
    name: str, start: date, *, pauses: Iterable[Pause] = (), extended: bool = False, done_on: date | None = None
) -> Clock:
    """A clock of the rule called `name` (see `RULES`) started on `start`."""
    if name not in RULES:
        raise InputError(
            f"No legal deadline `{name}`; known: {', '.join(RULES)}.",
            zh=f"没有法定时限 `{name}`；已知的有：{'、'.join(RULES)}。",
        )
    return Clock(RULES[name], start, tuple(pauses), extended, done_on)
