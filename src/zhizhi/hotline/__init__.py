"""The hotline desk: tickets of 12315, 12345 and the web form, the legal clocks, and similar tickets.

The front door is small: working days and deadlines (`load_calendar`, `deadline`, `clock`), and the index that finds
the earlier tickets a new one may join (`TicketIndex`). Cases, routing and answers are still to come
(docs/hotline.md says what is built).
"""

from zhizhi.hotline.clocks import RULES, Clock, ClockState, Pause, Rule, clock, deadline, elapsed, remaining
from zhizhi.hotline.workdays import UnknownYearError, WorkCalendar, load_calendar, parse_year

__all__ = [
    "RULES",
    "Clock",
    "ClockState",
    "Pause",
    "Rule",
    "UnknownYearError",
    "WorkCalendar",
    "clock",
    "deadline",
    "elapsed",
    "load_calendar",
    "parse_year",
    "remaining",
]
