"""The desk's privacy rules where a case mixes kinds, and free text in the lists (SQLite and PostgreSQL).

A report (举报) is never in a complaint's case (Art 7: handled apart), but a consultation about the same shop may
join a report's case: the case is a report's, so its callers are the assigned handler's only (Art 33), the
office's leader sees them masked. A respondent's name is free text too (the web form takes
whatever a citizen types): phone and ID numbers in it are masked in every list.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.hotline.desk import GYM, ingest_all
from tests.hotline.test_cases import _actor, _case_of
from zhizhi.config import Workspace
from zhizhi.errors import PermissionDeniedError
from zhizhi.hotline import (
    case_row,
    case_view,
    decide,
    entity_cases,
    load_calendar,
    merge_cases,
    push_tickets,
    take_in,
)
from zhizhi.hotline.figures import statistics
from zhizhi.records.history import find_records
from zhizhi.store.tables import Entity

REPORTER_PHONE = "13600000066"
REPORT = {"number": "R001", "received_at": "2026-03-05 11:00:00", "kind": "举报", "caller_name": "赵六",
          "caller_phone": REPORTER_PHONE, "respondent_name": GYM, "respondent_address": "柳州市城中区文昌路12号",
          "text": "举报金力健身房无证经营，办卡收费后关门停业，涉嫌预付卡诈骗"}  # fmt: skip


def test_a_reporter_in_a_case_with_another_caller_stays_hidden_from_the_leader(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    ingest_all(workspace, tmp_path)
    calendar = load_calendar(workspace.root)
    question = {**REPORT, "number": "Q001", "received_at": "2026-03-06 09:00:00", "kind": "咨询", "caller_name": "孙七",
                "caller_phone": "13700000077", "text": "金力健身房关门了，办的卡能不能退，向哪里反映"}  # fmt: skip
    with city() as session, session.begin():
        push_tickets(session, workspace, OPERATOR, "12315", [REPORT, question], department="LZ-TSJB")
        take_in(session, OPERATOR, workspace)
    with city() as session, session.begin():
        gym, report, asked = _case_of(session, "T001"), _case_of(session, "R001"), _case_of(session, "Q001")
        assert report.id != gym.id  # a report is handled apart from the complaint (Art 7)
        if asked.id != report.id:  # the handler joins them: one shop, one matter
            merge_cases(session, _actor(session, "hotline"), asked, report, how="confirmed", workspace=workspace)
    with city() as session, session.begin():
        case = _case_of(session, "R001")
        assert case.kind == "report" and _case_of(session, "Q001").id == case.id
        leader, handler = _actor(session, "leader"), _actor(session, "hotline")
        with pytest.raises(PermissionDeniedError, match="assigned handler"):  # a report's case: the handler only
            case_view(session, leader, case, calendar, purpose="督办举报核查")
        seen = {t["number"]: t for t in case_view(session, leader, case, calendar)["tickets"]}
        assert seen["R001"]["caller_phone"] == "136****0066" and seen["R001"]["caller_name"] != "赵六"
        assert REPORTER_PHONE not in str(seen) and "赵六" not in str(seen) and "13700000077" not in str(seen)
        mine = {t["number"]: t for t in case_view(session, handler, case, calendar, purpose="核实举报")["tickets"]}
        assert mine["R001"]["caller_phone"] == REPORTER_PHONE and mine["R001"]["caller_name"] == "赵六"


def test_numbers_in_a_respondents_name_are_masked_in_every_list(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    ingest_all(workspace, tmp_path)
    calendar = load_calendar(workspace.root)
    named = {**REPORT, "number": "R002", "kind": "投诉", "respondent_name": "卖假药的王某13912345678",
             "text": "在小区门口买的药是假的，卖药的人电话13912345678，身份证号11010519491231002X"}  # fmt: skip
    with city() as session, session.begin():
        push_tickets(session, workspace, OPERATOR, "12315", [named], department="LZ-TSJB")
        take_in(session, OPERATOR, workspace)
    with city() as session, session.begin():
        case = _case_of(session, "R002")
        entity, now = 990_002, datetime.now(UTC)
        session.add(Entity(id=entity, status="active", name="王某", golden="{}", records=0, created_at=now,
                           updated_at=now))  # fmt: skip
        session.flush()
        case.entity_id = entity  # linked to a register entity: the entity's file lists it
        leader = _actor(session, "leader")
        row = case_row(session, case, calendar, case.received_on, 2)
        assert row["respondent_name"] == "卖假药的王某139****5678"
        listed = entity_cases(session, leader, entity)
        figures = statistics(session, leader, calendar, since=case.received_on, until=case.received_on)
        view = case_view(session, leader, case, calendar)
        for shown in (row, listed, figures, view):
            assert "13912345678" not in str(shown) and "11010519491231002X" not in str(shown)
        assert [r["name"] for r in figures["top_respondents"]] == ["王某"]  # linked: by the register's name


def test_deciding_a_case_names_no_handler_so_a_reporter_stays_hidden(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """A handler who may decide a case nobody was named for (the city's desk deciding for a county office) does not
    become its handler by deciding: only the handler named sees a reporter's identity (Art 33)."""
    ingest_all(workspace, tmp_path)
    calendar = load_calendar(workspace.root)
    with city() as session, session.begin():
        push_tickets(session, workspace, OPERATOR, "12315", [REPORT], department="LZ-TSJB")
        take_in(session, OPERATOR, workspace)
    with city() as session, session.begin():
        case, handler = _case_of(session, "R001"), _actor(session, "hotline")
        case.handler_id = None  # routed to an office with no handler to name (a county office's, say)
        session.flush()
        decide(session, handler, workspace, case, "not_opened", result="经核查，未发现违法行为，不予立案。")
    with city() as session:
        case = _case_of(session, "R001")
        assert case.stage == "closed" and case.handler_id is None
        with pytest.raises(PermissionDeniedError, match="assigned handler"):
            case_view(session, _actor(session, "hotline"), case, calendar, purpose="核实举报")
        seen = str(case_view(session, _actor(session, "hotline"), case, calendar)["tickets"])
        assert REPORTER_PHONE not in seen and "赵六" not in seen


def test_the_phrases_beside_a_masked_text_give_away_no_digit_it_masks(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """A mobile written with the country code (+86, 0086) is masked in the text, and the phrases shown
    beside it are cut from the compared text: the number's digits were there (`话86`, and its hidden middle digits
    where they were rare enough: `876`, `765`)."""
    ingest_all(workspace, tmp_path)
    calendar = load_calendar(workspace.root)
    text = "济民堂卖过期药，电话{}"
    tickets = [{**REPORT, "number": f"P00{n}", "kind": "投诉", "caller_phone": f"1350000009{n}",
                "received_at": f"2026-03-0{n + 5} 10:00:00", "respondent_name": "济民堂药房",
                "text": text.format(written)}  # fmt: skip
               for n, written in enumerate(("+8615876543210", "+86 15876543210", "008615876543210"))]
    with city() as session, session.begin():
        push_tickets(session, workspace, OPERATOR, "12315", tickets, department="LZ-TSJB")
        take_in(session, OPERATOR, workspace)
    with city() as session, session.begin():
        view = case_view(session, _actor(session, "leader"), _case_of(session, "P000"), calendar)
        phrases = [p for ticket in view["tickets"] for p in ticket.get("phrases", [])]
        assert phrases and "过期药" in "".join(phrases)  # the text's own words are still shown
        assert not [p for p in phrases if any(c.isdigit() for c in p)], phrases  # the text's only digits: the phone
        assert "15876543210" not in str(view) and "7654" not in str(view)


@pytest.mark.parametrize("written", ["桂中大道8号3栋2单元", "城中区桂中大道8号3栋2单元",
                                     "柳州市城中区桂中大道8号3栋2单元"])
def test_a_reporters_street_and_house_number_are_masked_however_the_address_is_written(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path, written: str
) -> None:
    """A caller's address is shown masked down to its divisions: written without its city (as 12345 often writes
    it), its first characters were the street and house number, and its street part (`caller_address_rest`) showed
    them on every record page, whatever the address."""
    ingest_all(workspace, tmp_path)
    calendar = load_calendar(workspace.root)
    with city() as session, session.begin():
        push_tickets(session, workspace, OPERATOR, "12315", [{**REPORT, "caller_address": written}],
                     department="LZ-TSJB")  # fmt: skip
        take_in(session, OPERATOR, workspace)
    with city() as session:
        case = _case_of(session, "R001")
        view = case_view(session, _actor(session, "leader"), case, calendar)
        records = find_records(session, _actor(session, "leader"), source="push-12315")
        for shown in (view["tickets"], records):
            assert "桂中大道" not in str(shown) and "8号" not in str(shown)
        assert [t["caller_address"] for t in view["tickets"]] == [written.removesuffix("桂中大道8号3栋2单元") + "****"]
        assert [r["data"]["caller_address_rest"] for r in records] == ["****"]
