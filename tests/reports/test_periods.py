"""Periods as a report clerk writes them, the Chinese way included, and a period that has not begun refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import OPERATOR
from tests.reports.test_runs import Town
from zhizhi.errors import InputError
from zhizhi.reports import parse_period, run_report
from zhizhi.reports.periods import month
from zhizhi.reports.runs import today


@pytest.mark.parametrize(
    ("written", "label"),
    [
        ("2026年11月", "2026-11"),
        ("２０２６年１１月", "2026-11"),
        ("2026年11月5日", "2026-11-05"),
        ("2026/11/05", "2026-11-05"),
        ("2026.11", "2026-11"),
        ("2026-1", "2026-01"),
        ("2026年第四季度", "2026-Q4"),
        ("2026年4季度", "2026-Q4"),
        ("2026年第45周", "2026-W45"),
        ("2026年10月1日至2026年11月30日", "2026-10-01..2026-11-30"),
        ("2026-10-01 ～ 2026-11-30", "2026-10-01..2026-11-30"),
        ("2026-Q4", "2026-Q4"),
    ],
)
def test_periods_written_the_chinese_way_are_read(written: str, label: str) -> None:
    assert parse_period(written).label == label


@pytest.mark.parametrize("written", ["2026年13月", "2026年第五季度", "2026年11月31日", "十一月", "0001-01", "9999-12"])
def test_a_period_that_is_no_date_says_the_forms_in_both_languages(written: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_period(written)
    assert f"`{written}`" in caught.value.message and "2026年11月" in (caught.value.message_zh or "")


def test_a_period_that_has_not_begun_is_not_run(town: Town) -> None:
    workspace, sessions = town
    coming = month(month(today()).last + timedelta(days=1))
    with sessions() as session, session.begin(), pytest.raises(InputError) as caught:
        run_report(session, workspace, OPERATOR, "entities", coming)
    assert f"`{coming.label}`" in caught.value.message and "has not begun" in caught.value.message
    assert caught.value.message_zh and "尚未开始" in caught.value.message_zh


@pytest.mark.parametrize("written", ["2026-Q4", "2026-W45", "2026-11-05", "2026-11-01..2026-11-30"])
def test_a_monthly_report_fills_only_a_month(town: Town, written: str) -> None:
    """A quarter (or a span of the month's own days) under a 月报's title would be filed as one more period of it,
    beside the month's own run, which it would not be compared with."""
    workspace, sessions = town
    with sessions() as session, session.begin(), pytest.raises(InputError) as caught:
        run_report(session, workspace, OPERATOR, "entities", parse_period(written))
    assert f"`{written}`" in caught.value.message and "`2026-11`" in caught.value.message
    assert caught.value.message_zh and "月报" in caught.value.message_zh and "on_demand" in caught.value.message_zh
    with sessions() as session, session.begin():
        assert run_report(session, workspace, OPERATOR, "entities", parse_period("2026年11月")).period == "2026-11"
