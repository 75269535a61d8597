"""A deadline the calendar knows stays known when today is in a year it does not (SQLite and PostgreSQL).

A complaint received in early December 2026 is due before the year ends: on 4 January 2027 it is plainly breached,
whatever 2027's holidays turn out to be. Only the count of working days past the deadline needs 2027's schedule,
so that count is left out, not guessed; the status and the deadline are said. A deadline that itself falls in the
unknown year is still refused (`unknown`).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.hotline.test_cases import _actor, _case_of
from tests.hotline.test_desk_privacy import REPORT
from zhizhi.config import Workspace
from zhizhi.hotline import (
    UnknownYearError,
    WorkCalendar,
    case_row,
    case_view,
    clock,
    decide,
    load_calendar,
    push_tickets,
    take_in,
)
from zhizhi.store.types import LOCAL_TZ

D = date.fromisoformat
CALENDAR = WorkCalendar()


def test_a_known_deadline_is_breached_on_a_day_of_an_unknown_year() -> None:
    acceptance = clock("acceptance", D("2026-12-01"))
    state = acceptance.state(CALENDAR, D("2027-01-04"))
    assert (state.status, state.deadline) == ("breached", D("2026-12-10"))
    assert state.elapsed is None and state.remaining is None  # 2027's working days are not guessed
    late = clock("acceptance", D("2026-12-01"), done_on=D("2027-01-05")).state(CALENDAR, D("2027-01-06"))
    assert (late.status, late.deadline) == ("breached", D("2026-12-10"))
    in_time = clock("acceptance", D("2026-12-01"), done_on=D("2026-12-09")).state(CALENDAR, D("2027-01-06"))
    assert (in_time.status, in_time.elapsed, in_time.remaining) == ("met", 6, 1)
    with pytest.raises(UnknownYearError, match="2027"):  # due in 2027: not known
        clock("acceptance", D("2026-12-28")).state(CALENDAR, D("2026-12-29"))


def test_the_desk_says_breached_not_unknown_in_the_new_year(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    ticket = {**REPORT, "number": "C001", "kind": "投诉", "received_at": "2026-12-01 09:30:00"}
    late = {**REPORT, "number": "C002", "kind": "投诉", "caller_phone": "13500000002", "caller_name": "钱二",
            "respondent_name": "柳州市鱼峰区某某超市", "text": "超市多收钱，要求退还差价",
            "received_at": "2026-12-02 09:30:00"}  # fmt: skip
    with city() as session, session.begin():
        push_tickets(session, workspace, OPERATOR, "12315", [ticket, late], department="LZ-TSJB")
        take_in(session, OPERATOR, workspace)
        accepted = _case_of(session, "C002")  # its 45 working days of mediation run into 2027
        decide(session, _actor(session, "hotline"), workspace, accepted, "accepted", today=D("2026-12-03"))
    with city() as session:
        early = _case_of(session, "C001")
        row = case_row(session, early, CALENDAR, D("2027-01-04"), 2)
        assert (row["clock"], row["next_deadline"], row["calendar_problem"]) == ("breached", "2026-12-10", None)
        shown = case_view(session, OPERATOR, early, CALENDAR, today=D("2027-01-04"))["clocks"][0]
        assert (shown["status"], shown["deadline"], shown["remaining"]) == ("breached", "2026-12-10", None)
        unknown = case_row(session, _case_of(session, "C002"), CALENDAR, D("2027-01-04"), 2)
        assert unknown["clock"] == "unknown" and "2027" in (unknown["calendar_problem"] or "")


def test_a_step_done_inside_the_known_year_is_met_though_its_deadline_is_not_known() -> None:
    """45 working days of mediation from 3 December 2026 end in 2027, whose holidays are not known; a mediation that
    ended on 10 December used 5 of them: met for certain. One that ended in 2027 cannot be told."""
    ended = clock("mediation", D("2026-12-03"), done_on=D("2026-12-10")).state(CALENDAR, D("2026-12-15"))
    assert (ended.status, ended.deadline, ended.elapsed, ended.remaining) == ("met", None, 5, 40)
    with pytest.raises(UnknownYearError, match="2027"):
        clock("mediation", D("2026-12-03"), done_on=D("2027-01-05")).state(CALENDAR, D("2027-01-06"))


def test_a_finished_mediation_is_met_not_unknown_in_december(
    workspace: Workspace, city: sessionmaker[Session]
) -> None:
    ticket = {**REPORT, "number": "C003", "kind": "投诉", "received_at": "2026-12-02 09:30:00"}
    with city() as session, session.begin():
        push_tickets(session, workspace, OPERATOR, "12315", [ticket], department="LZ-TSJB")
        take_in(session, OPERATOR, workspace)
        case, handler = _case_of(session, "C003"), _actor(session, "hotline")
        decide(session, handler, workspace, case, "accepted", today=D("2026-12-03"))
        decide(session, handler, workspace, case, "mediated", result="经调解，双方达成协议。")
        case.decided_at = datetime(2026, 12, 10, 15, 0, tzinfo=LOCAL_TZ)
    with city() as session:
        case = _case_of(session, "C003")
        row = case_row(session, case, CALENDAR, D("2026-12-15"), 2)
        assert (row["clock"], row["calendar_problem"]) == ("met", None)
        shown = {c["rule"]: c for c in case_view(session, OPERATOR, case, CALENDAR, today=D("2026-12-15"))["clocks"]}
        mediation = shown["mediation"]
        assert (mediation["status"], mediation["deadline"], mediation["elapsed"]) == ("met", None, 5)


def test_the_refusal_does_not_count_a_later_supplied_year_as_the_package_span(tmp_path: Path) -> None:
    folder = tmp_path / "calendar"
    folder.mkdir()
    (folder / "2028.yaml").write_text("year: 2028\nholidays:\n  - 2028-01-03\n", encoding="utf-8")
    with pytest.raises(UnknownYearError) as refused:
        clock("acceptance", D("2026-12-28")).state(load_calendar(tmp_path), D("2026-12-29"))
    message = refused.value.message
    assert "2027 is not known (known: 2004-2026; supplied by the workspace: 2028)" in message
