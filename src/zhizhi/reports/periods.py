"""Report periods: a day, a week (Monday to Sunday), a month, a quarter, or any span for on-demand reports.

Written as people write them: `2026-11-05`, `2026-W45`, `2026-11`, `2026-Q4`, `2026-10-01..2026-11-30`, or the
Chinese way: `2026年11月5日`, `2026年第45周`, `2026年11月`, `2026年第四季度`, `2026年10月1日至2026年11月30日`
(full-width digits, `2026/11/05` and `2026.11` too).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from zhizhi.errors import InputError
from zhizhi.records.report_run import FREQUENCY_ZH

__all__ = ["FREQUENCY_ZH", "FREQUENCIES", "Period", "parse"]

FREQUENCIES = ("daily", "weekly", "monthly", "quarterly", "on_demand")


@dataclass(frozen=True, order=True)
class Period:
    """The days a run covers, first through last, and how people name it."""

    first: date
    last: date
    label: str

    def previous(self) -> Period:
        """The period of the same length just before (the month before a month, the quarter before a quarter)."""
        kind = kind_of(self.label)
        if kind == "monthly":
            return month(self.first - timedelta(days=1))
        if kind == "quarterly":
            return quarter(self.first - timedelta(days=1))
        span = (self.last - self.first).days + 1
        last = self.first - timedelta(days=1)
        first = last - timedelta(days=span - 1)
        return day(last) if kind == "daily" else week(last) if kind == "weekly" else span_of(first, last)


def day(on: date) -> Period:
    return Period(on, on, on.isoformat())


def week(on: date) -> Period:
    first = on - timedelta(days=on.weekday())
    year, number, _ = first.isocalendar()
    return Period(first, first + timedelta(days=6), f"{year}-W{number:02d}")


def month(on: date) -> Period:
    first = on.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(first, following - timedelta(days=1), f"{on.year}-{on.month:02d}")


def quarter(on: date) -> Period:
    number = (on.month - 1) // 3 + 1
    first = date(on.year, 3 * number - 2, 1)
    return Period(first, month(date(on.year, 3 * number, 1)).last, f"{on.year}-Q{number}")


def span_of(first: date, last: date) -> Period:
    return Period(first, last, f"{first.isoformat()}..{last.isoformat()}")


def kind_of(label: str) -> str:
    if "W" in label:
        return "weekly"
    if "Q" in label:
        return "quarterly"
    if ".." in label:
        return "on_demand"
    return "daily" if len(label) == 10 else "monthly"


FORMS = {"daily": ("a day", "2026-11-05", "一天"), "weekly": ("a week", "2026-W45", "一周"),
         "monthly": ("a month", "2026-11", "一个月"), "quarterly": ("a quarter", "2026-Q4", "一个季度")}
"""What a period of each frequency is called and how it is written (an on-demand report takes any span)."""


def fits(frequency: str, period: Period) -> bool:
    """Whether PERIOD is one a report of FREQUENCY fills: a monthly report a month, ...; an on-demand one any."""
    return frequency == "on_demand" or kind_of(period.label) == frequency


def of(frequency: str, on: date) -> Period:
    """The period of `frequency` holding day `on` (a month for on-demand reports)."""
    return {"daily": day, "weekly": week, "quarterly": quarter}.get(frequency, month)(on)


def last_complete(frequency: str, today: date) -> Period:
    """The latest period of `frequency` that has ended before `today` (what a scheduled run fills)."""
    return of(frequency, of(frequency, today).first - timedelta(days=1))


QUARTERS_ZH = {"一": "1", "二": "2", "三": "3", "四": "4"}
_ZH_DAY = re.compile(r"(\d{4})[年/.-](\d{1,2})[月/.-](\d{1,2})日?")
_ZH_MONTH = re.compile(r"(\d{4})[年/.-](\d{1,2})月?")
_ZH_WEEK = re.compile(r"(\d{4})年第?(\d{1,2})周")
_ZH_QUARTER = re.compile(r"(\d{4})年?第?([1-4一二三四])季度?")


def normalized(text: str) -> str:
    """A period written the Chinese way (or with slashes, dots, one-digit months) in the ISO form `parse` reads."""
    value = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    parts = re.split(r"至|到|~|\.\.", value)
    if len(parts) == 2:
        return "..".join(normalized(part) for part in parts)
    if m := _ZH_WEEK.fullmatch(value):
        return f"{m[1]}-W{int(m[2]):02d}"
    if m := _ZH_QUARTER.fullmatch(value):
        return f"{m[1]}-Q{QUARTERS_ZH.get(m[2], m[2])}"
    if m := _ZH_DAY.fullmatch(value):
        return f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"
    if m := _ZH_MONTH.fullmatch(value):
        return f"{m[1]}-{int(m[2]):02d}"
    return value


def parse(text: str) -> Period:
    """A period from its written form, between 1900 and 2100 (a report compares a period with the one before it);
    a clear error shows the forms."""
    period = _parse(text)
    if not date(1900, 1, 1) <= period.first <= period.last <= date(2100, 12, 31):
        raise _unread(text)
    return period


def _parse(text: str) -> Period:
    value = normalized(text)
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})\.\.(\d{4})-(\d{2})-(\d{2})", value):
            first, last = date.fromisoformat(value[:10]), date.fromisoformat(value[12:])
            if last >= first:
                return span_of(first, last)
        elif m := re.fullmatch(r"(\d{4})-W(\d{2})", value):
            return week(date.fromisocalendar(int(m[1]), int(m[2]), 1))
        elif m := re.fullmatch(r"(\d{4})-Q([1-4])", value):
            return quarter(date(int(m[1]), 3 * int(m[2]), 1))
        elif m := re.fullmatch(r"(\d{4})-(\d{2})", value):
            return month(date(int(m[1]), int(m[2]), 1))
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return day(date.fromisoformat(value))
    except (ValueError, OverflowError):  # OverflowError: a period at the calendar's end (9999-12) has no day after
        pass
    raise _unread(text)


def _unread(text: str) -> InputError:
    return InputError(
        f"Period `{text}` is not one zhizhi reads: write a day `2026-11-05`, a week `2026-W45`, a month `2026-11`, "
        "a quarter `2026-Q4` or a span `2026-10-01..2026-11-30` (or 2026年11月, 2026年第四季度 ...).",
        zh=f"报告期 `{text}` 无法识别：请写作 2026-11-05、2026-W45、2026-11、2026-Q4 或 2026-10-01..2026-11-30"
        "（也可写 2026年11月5日、2026年第45周、2026年11月、2026年第四季度、2026年10月1日至2026年11月30日）。",
    )
