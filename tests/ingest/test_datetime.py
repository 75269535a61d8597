"""The `datetime` kind (a hotline ticket's moment of receipt): the day read as dates are, the time of day kept to the
second, a day alone kept with a soft finding, impossible times and days refused."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest

from zhizhi.ingest.kinds import Context, clean_column
from zhizhi.ingest.normalize import parse_datetime_value, parse_datetimes
from zhizhi.records.fields import Field

TODAY = date(2026, 12, 5)
RECEIVED = Field("received_at", "datetime", "受理时间", "Received at", required=True)

VALUES = [
    ("2026-11-28 14:30:05", "2026-11-28T14:30:05"),
    ("2026-11-28T14:30:05+08:00", "2026-11-28T14:30:05"),
    # a moment with its offset from UTC is the same moment in China's time: the day may change (the legal clocks
    # count from the day in China, as a push's moment is read)
    ("2026-03-09T16:30:00Z", "2026-03-10T00:30:00"),
    ("2026-03-09 16:30:00+00:00", "2026-03-10T00:30:00"),
    ("2026-03-09T16:30:00-0500", "2026-03-10T05:30:00"),
    ("2026-03-09T16:30:00+15:00", None),
    ("2026-11-28 14:30:05.250", "2026-11-28T14:30:05"),
    ("2026/11/28 9:05", "2026-11-28T09:05:00"),
    ("2026.11.28 14点30分", "2026-11-28T14:30:00"),
    ("2026年11月28日 14时30分", "2026-11-28T14:30:00"),
    ("2026年11月28日14时30分05秒", "2026-11-28T14:30:05"),
    ("二〇二六年十一月二十八日 14时30分", "2026-11-28T14:30:00"),
    ("二〇二六年十一月二十八日", "2026-11-28"),
    ("２０２６－１１－２８　１４：３０", "2026-11-28T14:30:00"),
    ("2026-11-28", "2026-11-28"),
    ("20261128", "2026-11-28"),
    (46354.25, "2026-11-28T06:00:00"),  # an Excel serial: the fraction is the time of day
    (46354, "2026-11-28"),
    ("46354.25", "2026-11-28T06:00:00"),  # the same serial as a reader gives a General-format cell: text
    ("20261128143005", "2026-11-28T14:30:05"),  # run together, as some work-order systems export
    ("202611281430", "2026-11-28T14:30:00"),
    ("2026年11月28日下午3时20分", "2026-11-28T15:20:00"),
    ("2026年11月28号下午3时20分", "2026-11-28T15:20:00"),  # the day as 号, as people type it
    ("2026年11月28日上午9时05分", "2026-11-28T09:05:00"),
    ("2026年11月28日中午12时10分", "2026-11-28T12:10:00"),
    ("2026年11月28日晚上21时10分", "2026-11-28T21:10:00"),
    ("2026年11月28日下午15时61分", None),
    ("2026/11/28 下午 3:20", "2026-11-28T15:20:00"),  # a space after the half of the day
    ("2026/11/28 上午 09:15", "2026-11-28T09:15:00"),
    ("2026/11/28 9:15 PM", "2026-11-28T21:15:00"),
    ("2026/11/28 12:05 AM", "2026-11-28T00:05:00"),
    ("2026/11/28 12:05 PM", "2026-11-28T12:05:00"),
    ("2026/11/28 15:20 PM", None),  # says two things
    ("2026112814", None),  # ten digits: no minutes, not guessed
    (datetime(2026, 11, 28, 14, 30, 5), "2026-11-28T14:30:05"),
    (date(2026, 11, 28), "2026-11-28"),
    ("2026-11-28 24:00", None),
    ("2026-11-28 14:61", None),
    ("2026-02-30 10:00", None),
    ("28/11/2026 14:30", None),
    ("下午两点", None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("value", "moment"), VALUES)
def test_moments_in_the_forms_exports_write_them(value: object, moment: str | None) -> None:
    assert parse_datetime_value(value) == moment


def test_a_column_is_parsed_as_each_value_is() -> None:
    texts = [v for v, _ in VALUES if isinstance(v, str) or v is None]
    assert parse_datetimes(pl.Series(texts, dtype=pl.String)).to_list() == [parse_datetime_value(v) for v in texts]
    assert parse_datetimes(pl.Series([46354.25, 46354.0])).to_list() == ["2026-11-28T06:00:00", "2026-11-28"]


CLEAN = [
    ("2026-11-28 14:30", "2026-11-28T14:30:00", []),
    ("2026-11-28", "2026-11-28", ["datetime.date_only"]),
    ("2026-11-28 25:00", None, ["date.invalid"]),
    ("2026-12-06 08:00", "2026-12-06T08:00:00", ["date.too_late"]),
    ("1949-09-30 08:00", "1949-09-30T08:00:00", ["date.too_early"]),
]


@pytest.mark.parametrize(("raw", "clean", "codes"), CLEAN)
def test_the_kind_cleans_and_checks(raw: str, clean: str | None, codes: list[str]) -> None:
    cleaned = clean_column(RECEIVED, pl.Series([raw]), Context(TODAY))
    found = pl.concat(cleaned.findings)
    assert cleaned.columns["received_at"].to_list() == [clean]
    assert sorted(found["code"].to_list()) == codes
