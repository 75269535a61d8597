"""Dates: a real calendar date inside a sane range, e.g. a founding date not in the future."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from zhizhi.ingest.validate.results import Checked, finding
from zhizhi.store.types import local_today

EARLIEST = date(1949, 10, 1)
"""The default lower bound: records of this bureau start with the People's Republic."""

ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def validate_date(
    value: date | str,
    field: str,
    *,
    earliest: date = EARLIEST,
    max_future_days: int | None = 0,
    today: date | None = None,
) -> Checked[date | None]:
    """Check a date (a `date` or normalised `YYYY-MM-DD` text) lies within earliest .. today + max_future_days.

    Args:
        max_future_days: 0 (the default) refuses any date after today, as for founding dates; a scheduled date such
            as the next inspection allows some days ahead; None sets no upper bound.
    """
    parsed = _parse(value)
    shown = value.isoformat() if isinstance(value, date) else value
    if parsed is None:
        message_zh = f"`{shown}` 不是有效日期（格式 YYYY-MM-DD）"
        return Checked(None, [finding("date.invalid", field, shown, message_zh, f"`{shown}` is not a real date")])
    if parsed < earliest:
        message_zh = f"日期 `{parsed}` 早于 `{earliest}`"
        message = f"`{parsed}` is before `{earliest}`, the earliest date `{field}` allows"
        return Checked(parsed, [finding("date.too_early", field, shown, message_zh, message)])
    latest = None if max_future_days is None else (today or local_today()) + timedelta(days=max_future_days)
    if latest is not None and parsed > latest:
        message_zh = f"日期 `{parsed}` 晚于今天" if max_future_days == 0 else f"日期 `{parsed}` 晚于 `{latest}`"
        message = f"`{parsed}` is after `{latest}`, the latest date `{field}` allows"
        return Checked(parsed, [finding("date.too_late", field, shown, message_zh, message)])
    return Checked(parsed, [])


def _parse(value: date | str) -> date | None:
    """The date itself, or None when the text is not a real YYYY-MM-DD date."""
    if isinstance(value, datetime):
        # A datetime cannot be compared with a date: keep its calendar day.
        return value.date()
    if isinstance(value, date):
        return value
    match = ISO_DATE.fullmatch(value.strip())
    if match is None:
        return None
    try:
        return date(*map(int, match.groups()))
    except ValueError:
        return None
