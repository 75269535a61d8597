"""Dates written the ways department exports write them, parsed to a polars Date column.

Accepted (after `clean_text`): 2021-07-08, 2021/7/8, 2021.7.8 (one separator throughout), 20210708,
2021年7月8日, 2021年07月08日 and 2021年7月8号 (the 日 may be missing), each optionally followed by a time of day
("2021-07-08 00:00:00", "2021-07-08T13:45:00+08:00", "2021年7月8日 14时20分", "2021/7/8 下午 3:20", "9:15 PM"), which
is dropped: the date is kept as written, without
converting time zones, or by the day of the week (2021/7/8 星期四, 2021年7月8日（周四）). Excel serial numbers
(44385 -> 2021-07-08) are accepted when the column is numeric or the text is five digits (a fraction after them, a
date-time cell's time of day, is dropped: 44385.75), and only between
1950-01-01 and 2100-12-31; other dates between 1900-01-01 and
2100-12-31. In a numeric column a number's whole part is read as text: a serial (the fraction is the time of
day) or, with eight digits, YYYYMMDD. Date columns pass through; datetimes keep their day.

Dates written in Chinese numerals, as official documents and hand-kept ledgers write them (二〇二三年一月五日,
二零二三年十二月三十一日), are read as 2023年1月5日 is; a time of day after them as after any other form.

Refused, so left null for the caller to quarantine: two-digit years (21-7-8, 210708: the century is a guess),
day-first or month-first orders (08/07/2021), years without a day (2021年7月), impossible dates (2021-02-30),
mixed separators (2021-7/8). `Normalized(raw, parse_dates(raw)).failures()` lists them with their originals.
A column is parsed over its distinct values only: a million rows hold a few thousand distinct dates.

Moments (`parse_datetimes`, the `datetime` kind: when a hotline call came in) read the day the same way and keep the
time of day written after it, to the second (14:30, 14时30分, 下午3时20分 as 15:20), or run into it (20261110143000);
a serial's fraction, in a number or in text (46338.4444), is its time of day.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import polars as pl

from zhizhi.ingest.normalize.columns import apply_expr, map_distinct, on_distinct
from zhizhi.ingest.normalize.text import clean_text_expr, clean_text_value

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)
SERIAL_EARLIEST = date(1950, 1, 1)
SERIAL_LATEST = LATEST
# Excel counts 1900-01-01 as day 1 and believes 1900 was a leap year: serial 60 is the missing 1900-02-29, so
# from serial 61 (1900-03-01) on, day 0 is in effect 1899-12-30; the serial window starts long after that gap.
EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_UNIX_OFFSET = (date(1970, 1, 1) - EXCEL_EPOCH).days

# A time of day after the date, dropped: 13:45, 13:45:00.5, 14时20分, 14点20分05秒, 下午 3:20, 9:15 PM, with an offset;
# run into a 日 (2026年3月1日14时20分) or after spaces or a T.
_HALF = r"(?:上午|早上|凌晨|中午|下午|傍晚|晚上)"
_TIME = (
    rf"[ T]*{_HALF}? ?[0-9]{{1,2}}(?::|时|点)[0-9]{{1,2}}分?(?::?[0-9]{{1,2}}(?:\.[0-9]{{1,9}})?秒?)?"
    r"(?: ?(?:AM|PM|am|pm))?(?:Z|[+-][0-9]{2}:?[0-9]{2})?"
)
# the day of the week some systems print after the date: 2021/7/8 星期四, 2021年7月8日（周四） (brackets made ASCII)
_WEEKDAY = r" ?\(?(?:星期|周|礼拜)[一二三四五六日天]\)?"
# groups: 1 year; 2-5 separated (sep, month, sep, day); 6-7 年月日; 8-9 eight digits; 10 a five-digit serial (its
# fraction, a time of day, after it: a date-time cell a reader gave as text)
PATTERN = (
    r"^(?:([0-9]{4})(?:([-/.])([0-9]{1,2})([-/.])([0-9]{1,2})|年([0-9]{1,2})月([0-9]{1,2})[日号]?|([0-9]{2})([0-9]{2}))"
    rf"(?:{_WEEKDAY})?(?:{_TIME})?|([0-9]{{5}})(?:\.[0-9]+)?)$"
)
_PATTERN = re.compile(PATTERN)
# a date in Chinese numerals: the year digit by digit (〇, 零, ○ or the letter O for 0), month and day as numbers
_CN_DIGITS = {**{c: "0" for c in "〇零○Oo"}, **{c: str(n) for n, c in enumerate("一二三四五六七八九", start=1)}}
_CN_NUMBER = "[一二三四五六七八九十]{1,3}"
_CN_DATE = re.compile(rf"^([〇零○Oo一二三四五六七八九]{{4}})年({_CN_NUMBER})月(?:({_CN_NUMBER})[日号]?)?")


def excel_serial_to_date(serial: int) -> date | None:
    """The calendar date of an Excel (1900 system) serial number; None for 60, the 29 February 1900 Excel invents."""
    if serial < 1 or serial == 60:
        return None
    if serial < 60:
        return EXCEL_EPOCH + timedelta(days=serial + 1)
    return EXCEL_EPOCH + timedelta(days=serial)


def parse_dates(values: pl.Series) -> pl.Series:
    """Parse a column of dates (text, numbers, dates or datetimes) to a Date column; unparseable values are null."""
    if values.dtype == pl.Date:
        return values
    if isinstance(values.dtype, pl.Datetime):
        return values.dt.date()
    text = apply_expr(values, _numeric_text_expr) if values.dtype.is_numeric() else values.cast(pl.String)
    return on_distinct(text, _parse_text)


def _parse_text(text: pl.Series) -> pl.Series:
    """Parse text, step by step so that each part is computed once."""
    cleaned = pl.DataFrame({"text": text}).select(clean_text_expr(pl.col("text"))).to_series()
    if cleaned.str.contains(_CN_DATE.pattern).any():  # rare: the few distinct values in Chinese numerals, in Python
        cleaned = pl.Series([None if v is None else in_digits(v) for v in cleaned.to_list()], dtype=pl.String)
    parts = pl.DataFrame({"text": cleaned}).select(pl.col("text").str.extract_groups(PATTERN)).unnest("text")
    group = pl.col
    month = pl.coalesce(group("3"), group("6"), group("8"))
    day = pl.coalesce(group("5"), group("7"), group("9"))
    iso = pl.concat_str(group("1"), pl.lit("-"), month.str.zfill(2), pl.lit("-"), day.str.zfill(2))
    same_separator = group("2").is_null() | (group("2") == group("4"))
    serial = (group("10").cast(pl.Int32) - _EXCEL_UNIX_OFFSET).cast(pl.Date)
    dates = parts.select(
        pl.when(same_separator).then(iso.str.strptime(pl.Date, "%Y-%m-%d", strict=False)).alias("written"),
        serial.alias("serial"),
    )
    written, serial = pl.col("written"), pl.col("serial")
    return dates.select(
        pl.coalesce(
            pl.when(written.is_between(EARLIEST, LATEST)).then(written),
            pl.when(serial.is_between(SERIAL_EARLIEST, SERIAL_LATEST)).then(serial),
        )
    ).to_series()


def parse_date_value(value: object) -> date | None:
    """Parse one value exactly as `parse_dates` parses a column."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float):
        return _numeric_value(value)
    return _text_value(str(value))


def in_digits(text: str) -> str:
    """A date in Chinese numerals at the start of `text` written in digits (二〇二三年一月五日 -> 2023年1月5日), the
    rest kept; any other text as it is."""
    match = _CN_DATE.match(text)
    if match is None:
        return text
    year, month, day = match.groups()
    month_number, day_number = _cn_number(month), _cn_number(day) if day else None
    if month_number is None or (day and day_number is None):
        return text
    digits = "".join(_CN_DIGITS[c] for c in year) + f"年{month_number}月" + (f"{day_number}日" if day else "")
    return digits + text[match.end() :]


def _cn_number(text: str) -> int | None:
    """一 to 三十一 as a number (十, 十一, 二十, 二十三); None for anything else (十十, 一二, 零)."""
    units = {c: n for n, c in enumerate("一二三四五六七八九", start=1)}
    tens, ten, rest = text.partition("十")
    if not ten:
        return units.get(text)
    if len(tens) > 1 or len(rest) > 1 or (tens and tens not in units) or (rest and rest not in units):
        return None
    return units.get(tens, 1) * 10 + units.get(rest, 0)


def _text_value(value: str) -> date | None:
    match = _PATTERN.match(in_digits(clean_text_value(value) or ""))
    if match is None:
        return None
    year, sep, month, sep2, day, cn_month, cn_day, d8_month, d8_day, serial = match.groups()
    if serial is not None:
        return _serial_value(int(serial))
    if sep is not None and sep != sep2:
        return None
    try:
        parsed = date(int(year), int(month or cn_month or d8_month), int(day or cn_day or d8_day))
    except ValueError:
        return None
    return parsed if EARLIEST <= parsed <= LATEST else None


def _serial_value(serial: int) -> date | None:
    parsed = excel_serial_to_date(serial)
    return parsed if parsed is not None and SERIAL_EARLIEST <= parsed <= SERIAL_LATEST else None


def _numeric_text_expr(expr: pl.Expr) -> pl.Expr:
    """Numbers as the digits of their whole part: a serial (a fraction is the time of day) or YYYYMMDD."""
    whole = expr.cast(pl.Float64).floor()
    finite = whole.is_finite() & whole.is_between(0, 99_999_999)
    return pl.when(finite).then(whole.cast(pl.Int64, strict=False).cast(pl.String))


def _numeric_value(value: float) -> date | None:
    whole = float(value) // 1 if value == value else -1.0
    if not 0 <= whole <= 99_999_999:
        return None
    return _text_value(str(int(whole)))


# A time of day after the date: 14:30, 14:30:05, 14:30:05.123, 14时30分, 14点30分05秒, 下午3时20分, with an offset
# (dropped).
_TIME_OF_DAY = re.compile(
    r"^(?P<date>.+?)(?:[ T]+|(?<=[日号]))(?P<half>上午|早上|凌晨|中午|下午|傍晚|晚上)? ?"
    r"(?P<h>[0-9]{1,2})(?::|时|点)(?P<m>[0-9]{1,2})分?"
    r"(?:(?::)?(?P<s>[0-9]{1,2})(?:\.[0-9]{1,9})?秒?)?(?: ?(?P<ampm>AM|PM|am|pm))?"
    r"(?P<zone>Z|[+-][0-9]{2}:?[0-9]{2})?$"
)


_SERIAL_MOMENT = re.compile(r"[0-9]{5}\.[0-9]+")
_DIGITS_MOMENT = re.compile(r"[0-9]{8}([0-9]{2})([0-9]{2})([0-9]{2})?")


def parse_datetimes(values: pl.Series) -> pl.Series:
    """Parse a column of moments to ISO text: `2021-07-08T14:30:00`, or `2021-07-08` where only a day is written.

    The day is read exactly as `parse_dates` reads it; a time of day after it (14:30, 14:30:05, 14时30分, 14点30分05秒,
    with T or spaces between) is kept to the second, as written (China's time); one written with its offset from UTC
    (`2026-03-09T16:30:00Z`, `+00:00`) is that moment in China's time (`2026-03-10T00:30:00`); an Excel serial's
    fraction is its time of day. An impossible time (25:00, 14:61) makes the value unparseable (null)."""
    if isinstance(values.dtype, pl.Datetime):
        return values.dt.strftime("%Y-%m-%dT%H:%M:%S")
    if values.dtype == pl.Date:
        return values.cast(pl.String)
    keys = values if values.dtype.is_numeric() else values.cast(pl.String)  # numbers kept: a serial's fraction
    return map_distinct(keys, parse_datetime_value, pl.String())


def parse_datetime_value(value: object) -> str | None:
    """One moment as `parse_datetimes` reads it."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        day = _numeric_value(value)
        if day is None:
            return None
        fraction = float(value) % 1
        if fraction == 0 or len(str(int(value))) == 8:  # YYYYMMDD carries no time of day
            return day.isoformat()
        seconds = min(round(fraction * 86_400), 86_399)
        return f"{day.isoformat()}T{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    text = in_digits(clean_text_value(str(value)) or "")
    if _SERIAL_MOMENT.fullmatch(text):  # a date-time cell a reader gave as text: 46338.444...
        return parse_datetime_value(float(text))
    if (digits := _DIGITS_MOMENT.fullmatch(text)) is not None:  # 20261110143000, 202611101430
        text = f"{text[:8]} {digits.group(1)}:{digits.group(2)}:{digits.group(3) or '00'}"
    match = _TIME_OF_DAY.match(text)
    if match is None:
        day = _text_value(text)
        return None if day is None else day.isoformat()
    day = _text_value(match.group("date").rstrip())
    hour, minute, second = int(match.group("h")), int(match.group("m")), int(match.group("s") or 0)
    if match.group("half") in ("下午", "傍晚", "晚上") and hour < 12 or match.group("half") == "中午" and hour < 11:
        hour += 12  # 下午3时: 15:00; 中午12时 stays 12:00, 中午1时 is 13:00
    if (ampm := (match.group("ampm") or "").upper()) and not 1 <= hour <= 12:
        return None  # 15:20 PM says two things
    if ampm:
        hour = hour % 12 + (12 if ampm == "PM" else 0)  # 12:05 AM is 00:05, 12:05 PM is 12:05
    if day is None or hour > 23 or minute > 59 or second > 59:
        return None
    if zone := match.group("zone"):  # a moment given with its offset (UTC's Z): the same moment in China's time
        offset = timedelta(0) if zone == "Z" else _offset(zone)
        if offset is None:
            return None
        moment = datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=timezone(offset))
        return moment.astimezone(CHINA).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}:{second:02d}"


CHINA = timezone(timedelta(hours=8))


def _offset(zone: str) -> timedelta | None:
    """`+08:00`, `-0500`: the offset from UTC (None past 14 hours or 59 minutes)."""
    digits = zone[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 14 or minutes > 59:
        return None
    return timedelta(hours=hours, minutes=minutes) * (-1 if zone[0] == "-" else 1)

