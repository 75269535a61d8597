"""A ticket that came by two ways (the 12315 platform's export and its push) is one ticket with one answer (SQLite
and PostgreSQL): a split moves it with its copy; copies kept in two cases (a complaint and a report, Art 7) are
answered by the case holding the copy that came first; the figures count the ticket once."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.hotline.desk import TICKETS_12315, taken_in
from tests.hotline.test_answer_held import FIELDS
from tests.hotline.test_cases import _actor, _record
from zhizhi.config import Workspace
from zhizhi.errors import InputError
from zhizhi.hotline import case_view, decide, load_calendar, push_tickets, split, statistics, take_in
from zhizhi.store.tables import Case, CaseTicket, Record, RecordVersion
from zhizhi.web.hotline_view import Desk, summary

MARCH = {"since": date(2026, 3, 1), "until": date(2026, 3, 31)}


def _pushed(workspace: Workspace, city: sessionmaker[Session], row: int, **changes: str) -> None:
    """Ticket `row` of the 12315 export pushed again by the platform, taken in."""
    again = dict(zip(FIELDS, TICKETS_12315[row], strict=True)) | changes
    with city() as session, session.begin():
        push_tickets(session, workspace, OPERATOR, "12315", [again], department="LZ-TSJB")
        take_in(session, OPERATOR, workspace)


def _copies(session: Session, number: str) -> list[tuple[int, Case]]:
    """(record, case) of each copy of a ticket, oldest record first."""
    records = session.scalars(select(Record.id).where(Record.record_type == "ticket", Record.key == f"number={number}")
                              .order_by(Record.id)).all()  # fmt: skip
    cases = [session.scalar(select(CaseTicket.case_id).where(CaseTicket.record_id == r)) for r in records]
    return [(r, session.get_one(Case, c)) for r, c in zip(records, cases, strict=True)]


def _answers(session: Session, number: str) -> list[tuple[str, str]]:
    """(case number, decision) of each version of a ticket's answer, in order."""
    found = session.scalars(select(RecordVersion.data).join(Record, Record.id == RecordVersion.record_id)
                            .where(Record.record_type == "ticket_answer", Record.key == f"number={number}")
                            .order_by(RecordVersion.version))  # fmt: skip
    return [(data["case_number"], data["decision"]) for data in map(json.loads, found)]


@pytest.mark.parametrize("clicked", ["export", "push"])
def test_a_ticket_split_off_takes_its_copy_and_is_answered_once(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path, clicked: str
) -> None:
    taken_in(workspace, city, tmp_path)
    _pushed(workspace, city, 0)
    with city() as session, session.begin():
        (export, gym), (push, same) = _copies(session, "T001")
        assert same.id == gym.id  # the copy joined as the same ticket
        split(session, _actor(session, "hotline"), workspace, export if clicked == "export" else push, reason="另案")
    with city() as session, session.begin():
        (_, new), (_, also) = _copies(session, "T001")
        gym = session.get_one(Case, session.scalar(select(CaseTicket.case_id).where(
            CaseTicket.record_id == _record(session, "G001"))))  # fmt: skip
        assert also.id == new.id != gym.id  # one ticket: both its records left together
        handler = _actor(session, "hotline")
        decide(session, handler, workspace, new, "not_accepted", reason_code="2", result="重复投诉")
        decide(session, handler, workspace, gym, "accepted")
        assert _answers(session, "T001") == [(new.number, "not_accepted")]  # the gym's acceptance not sent to it
        shown = case_view(session, handler, new, load_calendar(workspace.root))["tickets"]
        assert [(t["answered"], t["answered_in"], t["answered_by"]) for t in shown] == [(True, None, None)] * 2
        figures = statistics(session, OPERATOR, load_calendar(workspace.root), **MARCH)
    assert (figures["tickets"], figures["cases"], figures["answers_saved"]) == (5, 4, 1)


def test_a_case_of_one_ticket_and_its_copy_has_nothing_to_split(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    taken_in(workspace, city, tmp_path)
    _pushed(workspace, city, 2)  # the consultation, alone in its case
    with city() as session, session.begin():
        (export, case), (_, same) = _copies(session, "T003")
        assert same.id == case.id
        with pytest.raises(InputError, match="holds only this ticket"):
            split(session, _actor(session, "hotline"), workspace, export, reason="另案")
        figures = statistics(session, OPERATOR, load_calendar(workspace.root), **MARCH)
    assert (figures["tickets"], figures["cases"], figures["answers_saved"]) == (5, 3, 2)


def test_copies_kept_apart_are_answered_by_the_case_of_the_first(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """The export says 投诉, the push 举报: two cases (Art 7), one platform ticket with one answer, the complaint
    case's (its copy came first); the report's case says so, and the ticket is counted once."""
    taken_in(workspace, city, tmp_path)
    _pushed(workspace, city, 0, kind="举报")
    calendar = load_calendar(workspace.root)
    with city() as session, session.begin():
        (_, complaint), (_, report) = _copies(session, "T001")
        assert (complaint.kind, report.kind) == ("complaint", "report")
        handler = _actor(session, "hotline")
        assert decide(session, handler, workspace, complaint, "accepted") == 3
        assert decide(session, handler, workspace, report, "case_opened", result="已立案") == 0
        decide(session, handler, workspace, complaint, "mediated", result="经调解，商家同意退还剩余会费。")
        assert _answers(session, "T001") == [(complaint.number, "accepted"), (complaint.number, "mediated")]
        (ticket,) = case_view(session, handler, report, calendar)["tickets"]
        assert (ticket["answered"], ticket["answered_in"], ticket["answered_by"]) == (
            True, complaint.number, complaint.number)  # fmt: skip
        mine = case_view(session, handler, complaint, calendar)["tickets"]
        assert all(t["answered_by"] is None for t in mine)
        figures = statistics(session, OPERATOR, calendar, **MARCH)
    assert (figures["tickets"], figures["cases"], figures["answers_saved"]) == (5, 4, 2)
    assert figures["tickets_per_channel"] == {"12315": 3, "12345": 2}
    on = Desk(workspace.config.hotline, calendar, date(2026, 3, 31), 200)
    with city() as session:
        card = summary(session, OPERATOR, on)  # the home page's card, all time
    assert (card["tickets"], card["cases"], card["saved"]) == (5, 4, 2)
