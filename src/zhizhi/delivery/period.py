"""Periods people ask about: a year, a month, a day, or a range of them, in the bureau's own time.

`2021` is the year, `2021-07` the month, `2021-07-15` the day, and `FROM..TO` everything from the start of FROM to
the end of TO (each of the three forms: `2021-07..2021-09` is a quarter). Days begin at midnight Beijing time, so a
batch stored at 23:30 on 31 July Beijing time (15:30 UTC) belongs to July; the bounds are turned into UTC for the
store, which keeps UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from zhizhi.errors import InputError
from zhizhi.store.types import LOCAL_TZ, iso_utc

FORMS = "YYYY, YYYY-MM, YYYY-MM-DD or FROM..TO"
FORMS_ZH = "YYYY（年）、YYYY-MM（月）、YYYY-MM-DD（日）或 起..止"
EXAMPLES = "2021-07, 2021, 2021-07-15, 2021-07..2021-09"
_PART = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")


@dataclass(frozen=True)
class Period:
    """The local days `first` to `last` (both included), and the same span in UTC: `start` <= t < `end`."""

    text: str
    first: date
    last: date

    @property
    def start(self) -> datetime:
        return _midnight(self.first)

    @property
    def end(self) -> datetime:
        return _midnight(self.last + timedelta(days=1))

    def as_dict(self) -> dict[str, str]:
        """The JSON form: as asked, the local days it covers, and its bounds in UTC."""
        return {
            "text": self.text,
            "first_day": self.first.isoformat(),
            "last_day": self.last.isoformat(),
            "start": iso_utc(self.start) or "",
            "end": iso_utc(self.end) or "",
        }


def parse_period(text: str) -> Period:
    """A period from `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or `FROM..TO`; an InputError names the value and the forms."""
    cleaned = text.strip()
    parts = cleaned.split("..")
    if len(parts) > 2 or not cleaned:
        raise _bad(text)
    spans = [_span(part.strip(), text) for part in parts]
    first, last = spans[0][0], spans[-1][1]
    if first > last:
        raise InputError(
            f"Period `{text}` ends before it begins; write the earlier date first, e.g. 2021-07..2021-09.",
            zh=f"期间 `{text}` 的结束早于开始，请先写较早的日期，如 2021-07..2021-09。",
        )
    return Period(cleaned, first, last)


def _span(part: str, text: str) -> tuple[date, date]:
    """The first and last day of one `YYYY`, `YYYY-MM` or `YYYY-MM-DD`."""
    match = _PART.match(part)
    if not match:
        raise _bad(text)
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    try:
        if month is None:
            return date(year, 1, 1), date(year, 12, 31)
        if day is None:
            following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
            return date(year, month, 1), following - timedelta(days=1)
        return date(year, month, day), date(year, month, day)
    except ValueError:
        raise _bad(text) from None


def _bad(text: str) -> InputError:
    return InputError(
        f"Period `{text}` is not a period: use {FORMS}, e.g. {EXAMPLES}.",
        zh=f"期间 `{text}` 无效：请使用 {FORMS_ZH}，如 {EXAMPLES}。",
    )


def _midnight(day: date) -> datetime:
    """Midnight at the start of a local day, in UTC."""
    return datetime.combine(day, time(), tzinfo=LOCAL_TZ).astimezone(UTC)
