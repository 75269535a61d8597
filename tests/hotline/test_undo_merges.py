"""Merges undone in any order (SQLite and PostgreSQL): every ticket goes back where it came from, a case left with no
ticket is closed, a case that lost its first ticket takes its respondent and office from the next, and a merged case
runs no clock."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.delivery.platform import platform
from tests.hotline.desk import HEADER_12315, ingest_all, write_export, zz
from tests.hotline.test_cases import _actor, _answer_target, _case_of, _record
from zhizhi.config import Workspace
from zhizhi.delivery import load_target
from zhizhi.delivery.send import send_once
from zhizhi.errors import InputError
from zhizhi.hotline import case_view, decide, list_cases, load_calendar, merge_cases, split, take_in
from zhizhi.ledger import verify_ledger
from zhizhi.store.tables import AuditEvent, CaseTicket, Delivery, Department, LedgerEntry

GLASSES = ["T009", "2026-03-05 10:00:00", "投诉", "赵六", "13800000009", "柳州市城中区明珠眼镜店", "",
           "柳州市城中区五一路3号", "眼镜店配的镜片度数不对，要求重新配镜", "待受理"]  # fmt: skip
SHOE = ["T011", "2026-03-06 10:00:00", "投诉", "孙七", "13800000011", "柳州市柳南区步步高鞋店", "",
        "柳州市柳南区航生路1号", "新买的皮鞋穿了两天就开胶，商家拒绝退货", "待受理"]  # fmt: skip
BIKE = ["T012", "2026-03-07 10:00:00", "投诉", "周八", "13800000012", "柳州市柳南区飞驰电动车行", "",
        "柳州市柳南区柳石路20号", "电动车电池充不进电，车行不给保修", "待受理"]  # fmt: skip
ROUTING = ("default: LZ-TSJB\nrules:\n"
           "  - {name: 城中区, when: {divisions: ['450202']}, office: LZ-CZ-ZN}\n"
           "  - {name: 柳南区, when: {divisions: ['450204']}, office: LZ-LN}\n")  # fmt: skip


def _desk(workspace: Workspace, city: sessionmaker[Session], tmp_path: Path) -> None:
    """The desk's tickets and three complaints about three shops, each a case of its own (3/5, 3/6, 3/7)."""
    (workspace.root / "routing.yaml").write_text(ROUTING, encoding="utf-8")
    ingest_all(workspace, tmp_path)
    extra = write_export(tmp_path / "more.csv", HEADER_12315, [GLASSES, SHOE, BIKE], "gbk")
    assert zz(workspace, "ingest", "rexian-12315", str(extra))[0] == 0
    with city() as session, session.begin():
        take_in(session, OPERATOR, workspace)
        assert len({_case_of(session, n).id for n in ("T009", "T011", "T012")}) == 3


def _merge(session: Session, younger: str, older: str) -> None:
    merge_cases(session, _actor(session, "hotline"), _case_of(session, younger), _case_of(session, older),
                why="同一事项")  # fmt: skip


def _split(session: Session, workspace: Workspace, number: str) -> str:
    return split(session, _actor(session, "hotline"), workspace, _record(session, number), reason="撤销并案").number



def test_a_merged_case_runs_no_clock(workspace: Workspace, city: sessionmaker[Session], tmp_path: Path) -> None:
    _desk(workspace, city, tmp_path)
    calendar = load_calendar(workspace.root)
    with city() as session, session.begin():
        shoe = _case_of(session, "T011")
        _merge(session, "T011", "T009")
        assert shoe.stage == "merged"
        view = case_view(session, OPERATOR, shoe, calendar)
        assert (view["clocks"], view["clock"], view["next_deadline"]) == ([], None, None)
    code, out = zz(workspace, "cases", "list", "--stage", "merged", "--json")
    assert code == 0 and '"next_deadline": null' in out and '"clock": null' in out


def test_a_case_whose_every_ticket_was_split_off_is_closed_not_left_open_and_empty(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    _desk(workspace, city, tmp_path)
    calendar = load_calendar(workspace.root)
    with city() as session, session.begin():
        glasses, shoe = _case_of(session, "T009").number, _case_of(session, "T011").number
        _merge(session, "T012", "T011")  # the shoe case holds two tickets
        _merge(session, "T011", "T009")  # and is merged into the older glasses case
        _split(session, workspace, "T009")  # the glasses case's own ticket leaves for a case of its own
        assert _split(session, workspace, "T011") == shoe  # both of the shoe case's tickets go back
    with city() as session, session.begin():
        case = next(c for c in list_cases(session, OPERATOR, stage="merged") if c.number == glasses)
        assert case.stage == "merged" and shoe in (case.routed_by or "")
        assert glasses not in {c.number for c in list_cases(session, OPERATOR)}
        view = case_view(session, OPERATOR, case, calendar)
        assert view["tickets"] == [] and view["clocks"] == [] and view["next_deadline"] is None
        with pytest.raises(InputError, match="merged"):
            decide(session, _actor(session, "hotline"), workspace, case, "accepted")
        split_events = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "case.split",
                                                                       AuditEvent.object_id == glasses))  # fmt: skip
        assert any('"left_empty"' in (detail or "") for detail in split_events)


@pytest.mark.parametrize("order", [("T011", "T012"), ("T012", "T012")])
def test_two_merges_in_a_row_are_undone_in_either_order(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path, order: tuple[str, str]
) -> None:
    _desk(workspace, city, tmp_path)
    with city() as session, session.begin():
        numbers = {n: _case_of(session, n).number for n in ("T009", "T011", "T012")}
        _merge(session, "T012", "T011")  # A into B
        _merge(session, "T011", "T009")  # then B into C
        assert {_case_of(session, n).number for n in numbers} == {numbers["T009"]}
        for ticket in order:  # B's ticket undoes B's merge; A's ticket, the latest merge it came by, then its own
            _split(session, workspace, ticket)
    with city() as session:
        for ticket, number in numbers.items():
            case = _case_of(session, ticket)
            assert (case.number, case.stage) == (number, "received")
            (link,) = session.scalars(select(CaseTicket).where(CaseTicket.case_id == case.id))
            assert (link.how, link.from_case_id, link.origins) == ("first", None, None)  # as it was before


def test_a_case_that_lost_its_first_ticket_takes_respondent_and_office_from_the_next(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    _desk(workspace, city, tmp_path)
    with city() as session, session.begin():
        glasses = _case_of(session, "T009")
        zn = session.scalar(select(Department.id).where(Department.code == "LZ-CZ-ZN"))
        assert (glasses.respondent_name, glasses.office_id) == ("柳州市城中区明珠眼镜店", zn)
        _merge(session, "T011", "T009")
        assert _case_of(session, "T009").office_id == zn  # a merge keeps the older case's office (Art 13)
        _split(session, workspace, "T009")  # its first ticket leaves: the shoe shop's ticket is all it holds
    with city() as session:
        left = session.scalar(select(CaseTicket.case_id).where(CaseTicket.record_id == _record(session, "T011")))
        case = _case_of(session, "T011")
        assert case.id == left and case.number == glasses.number
        ln = session.scalar(select(Department.id).where(Department.code == "LZ-LN"))
        assert (case.respondent_name, case.respondent_address) == ("柳州市柳南区步步高鞋店", "柳州市柳南区航生路1号")
        assert case.respondent_division == "450204" and case.office_id == ln and "柳南区" in (case.routed_by or "")


def test_an_answer_not_sent_when_its_ticket_left_the_case_is_withdrawn_and_one_sent_stays(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    calendar = load_calendar(workspace.root)
    with platform() as p15, platform() as p45:
        _answer_target(workspace, "12315", p15.url)
        _answer_target(workspace, "12345", p45.url)
        _desk(workspace, city, tmp_path)
        with city() as session, session.begin():
            gym = _case_of(session, "T001")
            assert decide(session, _actor(session, "hotline"), workspace, gym, "accepted") == 3  # 受理 owed, unsent
            _split(session, workspace, "G002")  # the repeat call is another matter: its 受理 is taken back
            new = _case_of(session, "G002")
            decide(session, _actor(session, "hotline"), workspace, new, "not_accepted", reason_code="2")
        for channel in ("12315", "12345"):
            send_once(city, load_target(workspace.root, channel))
        got = sorted((r["GDBH"], r["CLJG"]) for r in p45.applied.values())
        assert got == [("G001", "20"), ("G002", "31")]  # never 受理 then 不予受理
        with city() as session:
            withdrawn = session.scalars(select(Delivery).where(Delivery.status == "superseded")).all()
            assert len(withdrawn) == 1 and gym.number in (withdrawn[0].last_error or "")
            entry = session.scalar(select(LedgerEntry).where(LedgerEntry.kind == "delivery.superseded"))
            assert entry is not None
        with city() as session, session.begin():  # sent already: the platform holds it, and the ticket says so
            _split(session, workspace, "G001")
            (ticket,) = case_view(session, OPERATOR, _case_of(session, "G001"), calendar)["tickets"]
            assert ticket["answered"] and ticket["answered_in"] == gym.number
        with city() as session:
            assert session.scalar(select(Delivery).where(Delivery.status == "pending")) is None


@pytest.mark.parametrize(("option", "value", "named"), [("--stage", "bogus", "received"),
                                                       ("--kind", "投诉", "complaint"),
                                                       ("--office", "LZ-NOPE", "LZ-NOPE")])  # fmt: skip
def test_an_unknown_filter_is_refused_not_listed_as_no_case(
    workspace: Workspace, city: sessionmaker[Session], option: str, value: str, named: str
) -> None:
    code, out = zz(workspace, "cases", "list", option, value, "--json")
    assert code != 0 and named in out and value in out
    with city() as session, pytest.raises(InputError, match=value):
        list_cases(session, OPERATOR, **{option[2:]: value})


def test_a_ticket_whose_answer_was_withdrawn_gets_it_when_it_joins_the_case_again(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """Split off before its answer went (the answer withdrawn), then merged back: the same answer is no new version,
    and it was owed to nobody any more; the ticket never heard from the desk."""
    with platform() as p15, platform() as p45:
        _answer_target(workspace, "12315", p15.url)
        _answer_target(workspace, "12345", p45.url)
        _desk(workspace, city, tmp_path)
        with city() as session, session.begin():
            gym = _case_of(session, "T001")
            assert decide(session, _actor(session, "hotline"), workspace, gym, "accepted") == 3
            _split(session, workspace, "G002")  # its 受理 withdrawn
        with city() as session, session.begin():  # a handler finds it the same matter after all
            merge_cases(session, _actor(session, "hotline"), _case_of(session, "G002"), _case_of(session, "T001"),
                        why="同一事项", workspace=workspace)  # fmt: skip
        for channel in ("12315", "12345"):
            send_once(city, load_target(workspace.root, channel))
        assert sorted((r["GDBH"], r["CLJG"]) for r in p45.applied.values()) == [("G001", "20"), ("G002", "20")]
        with city() as session:  # once each, and nothing owed twice
            assert session.scalar(select(Delivery).where(Delivery.status == "pending")) is None
            assert len(session.scalars(select(Delivery).where(Delivery.status == "acknowledged")).all()) == 3
            kinds = session.scalars(select(LedgerEntry.kind).order_by(LedgerEntry.seq)).all()
            assert kinds.count("delivery.superseded") == 1 and kinds.count("delivery.requeued") == 1
            assert verify_ledger(session, workspace.keys_dir).ok  # each step borne out by the outbox
