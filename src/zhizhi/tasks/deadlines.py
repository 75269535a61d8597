"""A part's deadline as written: a date, or a number of working days after the task's start (the hotline's
working-day calendar, `zhizhi.hotline.workdays`, with the workspace's own years)."""

from __future__ import annotations

import re
from datetime import date

from zhizhi.errors import InputError
from zhizhi.hotline import UnknownYearError, WorkCalendar, deadline

MAX_WORKING_DAYS = 250
WORKING_DAYS = re.compile(r"^(\d{1,3})\s*(?:working days?|workdays?|个?工作日|)$", re.IGNORECASE)
DAY = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")  # 2026/12/20, 2026年12月20日


def due_date(text: str, start: date, calendar: WorkCalendar, *, where: str = "deadline") -> tuple[date, str]:
    """The last day of a part written as `2026-12-20`, `10 working days`, `10个工作日` or `10`, and the rule as kept.

    Working days count from the day after `start` (the start itself is not counted), as the hotline's clocks do.
    """
    text = text.strip()
    days = WORKING_DAYS.match(text)
    if days:
        count = int(days.group(1))
        if not 1 <= count <= MAX_WORKING_DAYS:
            raise InputError(
                f"`{where}` = `{text}`: give 1 to {MAX_WORKING_DAYS} working days.",
                zh=f"`{where}` = `{text}`：工作日数应为 1 至 {MAX_WORKING_DAYS}。",
            )
        try:
            return deadline(calendar, start, count), f"{count} working days"
        except UnknownYearError as exc:  # the calendar's sentence, with the key and value it came from
            raise UnknownYearError(f"`{where}` = `{text}`: {exc.message}",
                                   zh=f"`{where}` = `{text}`：{exc.message_zh or exc.message}") from None  # fmt: skip
    try:
        day = _day(text)
    except ValueError:
        raise InputError(
            f"`{where}` = `{text}` is neither a date nor a number of working days; write 2026-12-20 or "
            "`10 working days`.",
            zh=f"`{where}` = `{text}` 既不是日期也不是工作日数，请写成 2026-12-20 或「10个工作日」。",
        ) from None
    if day < start:
        raise InputError(
            f"`{where}` = `{text}` is before the task's start {start}; give a later day.",
            zh=f"`{where}` = `{text}` 早于任务开始日期 {start}，请改为之后的日期。",
        )
    return day, day.isoformat()


def _day(text: str) -> date:
    """A day written 2026-12-20, 2026/12/20, 2026.12.20 or 2026年12月20日 (as a sheet's text cell holds it)."""
    found = DAY.match(text)
    if found is None:
        raise ValueError(text)
    return date(*(int(part) for part in found.groups()))
