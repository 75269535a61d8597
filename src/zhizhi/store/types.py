"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

MAX_ID = 2**31 - 1
"""The largest id a caller may name: ids are INTEGER columns, 32 bits on PostgreSQL. The command line and the web
bound every id (and every offset and count they pass to a query) by it, so a larger number is a usage error, not a
database's "integer out of range"."""


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC and always returns an aware UTC datetime (SQLite keeps no time zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("zhizhi stores aware datetimes only")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if isinstance(value, datetime) else None


# The bureau's clock: naive times typed by people mean Beijing time, and the UI shows times in it.
LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def as_aware(moment: datetime) -> datetime:
    """A datetime with a time zone; a naive one is taken as Beijing time."""
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ)


def iso_utc(moment: datetime | None) -> str | None:
    """`2026-11-28T04:30:05.123456Z`: the one way times leave zhizhi as text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ") if moment else None


def local_text(moment: datetime | None) -> str:
    """`2026-11-28 12:30:05` in Beijing time, for people to read."""
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def local_text_of(iso: str | None) -> str:
    """`local_text` of a time given as ISO text (as the JSON forms carry it)."""
    return local_text(datetime.fromisoformat(iso)) if iso else ""


def local_today() -> date:
    """Today in China (the bureau's day: deadlines, "not in the future" checks), whatever the server's own zone."""
    return datetime.now(LOCAL_TZ).date()


def utcnow() -> datetime:
    """Now, in UTC, to the microsecond."""
    return datetime.now(UTC)
