"""The desk's figures as a bureau reads them (SQLite and PostgreSQL): a ticket that came by two ways is one ticket, a
deadline missed on a period's last day is that period's breach, a caller calling again about an older case is what
callers say this week, and "the last 30 days" are the same 30 days on the page and on the command line."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.hotline.desk import GYM, TICKETS_12315, taken_in
from tests.hotline.test_answer_held import FIELDS
from tests.hotline.test_cases import _case_of, _settings
from zhizhi.cli.cases import desk_period
from zhizhi.config import Workspace
from zhizhi.hotline import STATISTICS_DAYS, load_calendar, push_tickets, statistics, take_in


def test_a_ticket_that_came_by_two_ways_is_counted_once(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    taken_in(workspace, city, tmp_path)
    calendar = load_calendar(workspace.root)
    month = {"since": date(2026, 3, 1), "until": date(2026, 3, 31)}
    with city() as session:
        before = statistics(session, OPERATOR, calendar, **month)
    copies = [dict(zip(FIELDS, row, strict=True)) for row in TICKETS_12315]  # the platform pushes them again
    with city() as session, session.begin():
        push_tickets(session, workspace, OPERATOR, "12315", copies, department="LZ-TSJB")
        assert take_in(session, OPERATOR, workspace).merged == len(copies)
    with city() as session:
        after = statistics(session, OPERATOR, calendar, **month)
    for figure in ("cases", "tickets", "tickets_per_channel", "answers_saved"):
        assert after[figure] == before[figure], figure
    assert before["tickets"] == 5 and before["tickets_per_channel"] == {"12315": 3, "12345": 2}


def test_a_deadline_missed_on_the_periods_last_day_is_its_breach(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """T001, received Monday 2 March, must be accepted by Wednesday 11 March; nobody did: a week to the 11th reports
    it, as a month does (it was only a warning on the 11th itself, and breached from the 12th)."""
    taken_in(workspace, city, tmp_path)
    calendar = load_calendar(workspace.root)
    with city() as session:
        week = statistics(session, OPERATOR, calendar, since=date(2026, 3, 5), until=date(2026, 3, 11))
        before = statistics(session, OPERATOR, calendar, since=date(2026, 3, 4), until=date(2026, 3, 10))
    # T001's acceptance, the only deadline from the 5th to the 11th (T002's verification runs 15 working days)
    assert week["breached_clocks"] == 1 and before["breached_clocks"] == 0


def test_a_caller_calling_again_about_an_older_case_rises_this_week(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    workspace = _settings(workspace, merge_at=0.5, review_from=0.2)
    taken_in(workspace, city, tmp_path)
    calendar = load_calendar(workspace.root)
    again = [
        {"number": f"G10{day}", "received_at": f"2026-03-{day} 10:00:00", "kind": "投诉", "caller_name": "张三",
         "caller_phone": "13800000001", "respondent_name": GYM, "respondent_address": "柳州市城中区文昌路12号",
         "text": f"第{day}日再次反映：金力健身房游泳年卡无法退款，要求退还剩余会费"}
        for day in (20, 21, 22)
    ]  # fmt: skip
    with city() as session, session.begin():
        push_tickets(session, workspace, OPERATOR, "12345", again, department="LZ-TSJB")
        take_in(session, OPERATOR, workspace)
    with city() as session:
        assert {_case_of(session, n).id for n in ("T001", "G1020", "G1021", "G1022")} == {_case_of(session, "T001").id}
        figures = statistics(session, OPERATOR, calendar, since=date(2026, 3, 16), until=date(2026, 3, 22))
    phrases = {item["phrase"]: item["this_week"] for item in figures["rising_topics"]}
    assert any("年卡" in phrase and count == 3 for phrase, count in phrases.items()), phrases


def test_the_last_30_days_are_the_same_on_the_page_and_the_command_line() -> None:
    until = datetime(2026, 12, 7)
    since, end = desk_period(None, until)
    assert (end - since).days + 1 == STATISTICS_DAYS == 30 and end == until.date()
