"""The clocks that start on a step (SQLite and PostgreSQL): telling a terminated mediation's parties (Art 21, 7
working days) and a named reporter whether a case was opened (Art 31, 5), checking a lead found during mediation
(Art 23, 15 + 15 approved) and settling a dispute over jurisdiction (Art 30, 7). Before, the desk listed these four
deadlines but never started them: no case ever showed one, due or breached."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.hotline.desk import ingest_all, taken_in, zz
from tests.hotline.test_cases import _actor, _case_of, _pushed
from zhizhi.config import Workspace
from zhizhi.errors import InputError
from zhizhi.hotline import case_view, clock_states, decide, extend, load_calendar, mark, push_tickets, take_in
from zhizhi.hotline.workdays import WorkCalendar
from zhizhi.store.tables import Case
from zhizhi.store.types import LOCAL_TZ


def _states(session: Session, case: Case, calendar: WorkCalendar, day: date) -> dict[str, tuple[str, date]]:
    found = {}
    for one, state, _ in clock_states(session, case, calendar, day, 2):
        assert state is not None
        found[one.rule.name] = (state.status, state.deadline)
    return found


def _decided_on(case: Case, day: date) -> None:
    """The decision's moment set to a day of the past (decide stamps the present)."""
    case.decided_at = datetime(day.year, day.month, day.day, 10, 0, tzinfo=LOCAL_TZ)


def test_a_terminated_mediations_parties_are_told_within_seven_working_days_across_national_day(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    taken_in(workspace, city, tmp_path)
    calendar = load_calendar(workspace.root)
    with city() as session, session.begin():
        gym, handler = _case_of(session, "T001"), _actor(session, "hotline")
        assert "termination_notice" not in _states(session, gym, calendar, date(2026, 3, 9))
        with pytest.raises(InputError, match="terminated mediation"):
            mark(session, handler, gym, "told", on=date(2026, 3, 9))  # nobody is owed a notice yet
        decide(session, handler, workspace, gym, "accepted", today=date(2026, 3, 6))
        decide(session, handler, workspace, gym, "terminated", result="被投诉人明确拒绝调解，终止调解")
        _decided_on(gym, date(2026, 9, 28))  # Mon 28 Sep; 1-7 Oct off, Sat 10 Oct worked
        states = _states(session, gym, calendar, date(2026, 10, 12))
        assert states["termination_notice"] == ("warning", date(2026, 10, 13))
        assert _states(session, gym, calendar, date(2026, 10, 14))["termination_notice"][0] == "breached"
        with pytest.raises(InputError, match="before 2026-09-28"):
            mark(session, handler, gym, "told", on=date(2026, 9, 25))
        mark(session, handler, gym, "told", on=date(2026, 10, 12))
        assert _states(session, gym, calendar, date(2026, 10, 20))["termination_notice"] == ("met", date(2026, 10, 13))
        with pytest.raises(InputError, match="recorded already"):
            mark(session, handler, gym, "told", on=date(2026, 10, 13))
        view = case_view(session, handler, gym, calendar, today=date(2026, 10, 20))
        assert view["marked"] == {"told": "2026-10-12"} and "told" not in view["steps"]


def test_a_named_reporter_is_told_within_five_working_days_and_an_anonymous_one_is_not_on_a_clock(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    ingest_all(workspace, tmp_path)
    calendar = load_calendar(workspace.root)
    with city() as session, session.begin():
        pushed = [_pushed("A1", kind="举报", caller_name="匿名", text="某超市销售过期食品，请查处")]
        push_tickets(session, workspace, OPERATOR, "12315", pushed, department="LZ-TSJB")
    with city() as session, session.begin():
        take_in(session, OPERATOR, workspace)
        milk, nameless = _case_of(session, "T002"), _case_of(session, "A1")  # T002's reporter gave a name: 李四
        handler = _actor(session, "hotline")
        assert "reporter_notice" not in _states(session, milk, calendar, date(2026, 3, 4))
        decide(session, handler, workspace, milk, "case_opened", result="已立案调查")
        _decided_on(milk, date(2026, 2, 12))  # Thu 12 Feb: 14 Feb worked, 15-23 Feb Spring Festival
        assert _states(session, milk, calendar, date(2026, 2, 12))["reporter_notice"] == ("running", date(2026, 2, 26))
        mark(session, handler, milk, "told", on=date(2026, 2, 24))
        assert _states(session, milk, calendar, date(2026, 3, 2))["reporter_notice"][0] == "met"
        decide(session, handler, workspace, nameless, "not_opened", result="经核查未发现违法行为")
        assert "reporter_notice" not in _states(session, nameless, calendar, date(2026, 3, 9))
        with pytest.raises(InputError, match="named reporter"):
            mark(session, handler, nameless, "told", on=date(2026, 3, 9))


def test_a_lead_found_in_mediation_is_checked_in_fifteen_working_days_extended_once_with_approval(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    taken_in(workspace, city, tmp_path)
    calendar = load_calendar(workspace.root)
    with city() as session, session.begin():
        gym, milk, handler = _case_of(session, "T001"), _case_of(session, "T002"), _actor(session, "hotline")
        with pytest.raises(InputError, match="accepted complaint"):
            mark(session, handler, gym, "lead_found", on=date(2026, 3, 9))  # not accepted yet
        with pytest.raises(InputError, match="accepted complaint"):
            mark(session, handler, milk, "lead_found", on=date(2026, 3, 9))  # a report is verified on its own clock
        decide(session, handler, workspace, gym, "accepted", today=date(2026, 3, 6))
        assert case_view(session, handler, gym, calendar, today=date(2026, 3, 9))["steps"] == ["lead_found", "disputed"]
        with pytest.raises(InputError, match="no lead being checked"):
            extend(session, handler, gym, reason="案情复杂", clock_name="mediation_lead")
        with pytest.raises(InputError, match="before 2026-03-06"):
            mark(session, handler, gym, "lead_found", on=date(2026, 3, 5))
        mark(session, handler, gym, "lead_found", on=date(2026, 3, 9))
        assert _states(session, gym, calendar, date(2026, 3, 10))["mediation_lead"] == ("running", date(2026, 3, 30))
        with pytest.raises(InputError, match="due 2026-03-30"):
            extend(session, handler, gym, reason="案情复杂", calendar=calendar, today=date(2026, 3, 31),
                   clock_name="mediation_lead")  # fmt: skip
        extend(session, handler, gym, reason="案情复杂，经批准", calendar=calendar, today=date(2026, 3, 27),
               clock_name="mediation_lead")  # fmt: skip
        # 15 more working days after 30 March, Qingming (4-6 April) not counted
        assert _states(session, gym, calendar, date(2026, 3, 31))["mediation_lead"] == ("running", date(2026, 4, 21))
        with pytest.raises(InputError, match="extended already"):
            extend(session, handler, gym, reason="再次延长", clock_name="mediation_lead")
        decide(session, handler, workspace, gym, "mediated", result="双方达成调解协议")  # the lead's check goes on
        mark(session, handler, gym, "lead_checked", on=date(2026, 4, 20))
        assert _states(session, gym, calendar, date(2026, 5, 6))["mediation_lead"] == ("met", date(2026, 4, 21))


def test_a_dispute_over_jurisdiction_is_settled_within_seven_working_days_and_said_through_the_cli(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    taken_in(workspace, city, tmp_path)
    calendar = load_calendar(workspace.root)
    with city() as session, session.begin():
        number = _case_of(session, "T001").number
    code, out = zz(workspace, "cases", "mark", number, "settled", "--on", "2026-03-05")
    assert code != 0 and "record `disputed` before `settled`" in out  # nothing to settle: no dispute recorded
    code, out = zz(workspace, "cases", "mark", number, "disputed", "--on", "2026-03-03", "--json")
    assert code == 0, out
    with city() as session:
        gym = _case_of(session, "T001")
        # Tue 3 March: 7 working days -> Thu 12 March
        assert _states(session, gym, calendar, date(2026, 3, 4))["jurisdiction"] == ("running", date(2026, 3, 12))
    code, out = zz(workspace, "cases", "mark", number, "settled", "--on", "2026-03-13")
    assert code == 0, out
    with city() as session, session.begin():
        gym = _case_of(session, "T001")
        assert _states(session, gym, calendar, date(2026, 3, 16))["jurisdiction"] == ("breached", date(2026, 3, 12))
        handler = _actor(session, "hotline")
        decide(session, handler, workspace, gym, "referred", result="已移送有管辖权的部门")
    code, out = zz(workspace, "cases", "mark", number, "no_such_step")
    assert code != 0 and "lead_found" in out


@pytest.mark.parametrize(
    ("name", "named"),
    [("李四", True), ("欧阳明", True), ("匿名用户", False), ("市民", False), ("张先生", False), ("李女士", False),
     ("无名氏", False), (" ", False), (None, False)],
)
def test_a_reporter_is_named_by_a_real_name_not_a_placeholder_or_a_form_of_address(
    name: str | None, named: bool
) -> None:
    from zhizhi.hotline.case_clocks import _named

    assert _named(name) is named
