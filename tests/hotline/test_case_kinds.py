"""A complaint and a report are handled apart (Art 7: 分别处理), each on its own clocks: they never share a case, on
their own or by a handler. A complaint or report joining a consultation's case makes it a complaint's (or a
report's), received on its own day; it does not join a consultation already answered."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.hotline.desk import GYM, GYM_ADDRESS, HEADER_12315, HEADER_12345, write_export, write_sources, zz
from tests.hotline.test_cases import _case_of
from zhizhi.config import Workspace
from zhizhi.errors import InputError
from zhizhi.hotline import clocks, decide, merge_cases, take_in
from zhizhi.store.tables import CaseSuggestion

TEXT = "我在金力健身房办理了年卡，交了3000元，现在健身房突然关门停业，老板联系不上，要求退还剩余会费2200元"
TEXT_12345 = "市民来电反映：其在城中区金力健身房办年卡3000元，健身房已关门停业，老板失联，要求退还剩余会费2200元"


def _row_12315(number: str, moment: str, kind: str) -> list[str]:
    return [number, moment, kind, "张三", "13800000001", GYM, "", GYM_ADDRESS, TEXT, "待受理"]


def _row_12345(number: str, moment: str, kind: str) -> list[str]:
    return [number, moment, kind, "张三", "13800000001", "金力健身房", "柳州市城中区文昌路12号", TEXT_12345, "办理中"]


def _take(workspace: Workspace, city: sessionmaker[Session], folder: Path, rows_12315: list[list[str]],
          rows_12345: list[list[str]]) -> None:  # fmt: skip
    write_sources(workspace)
    for source, header, rows in (("rexian-12315", HEADER_12315, rows_12315), ("rexian-12345", HEADER_12345,
                                                                              rows_12345)):  # fmt: skip
        if rows:
            path = write_export(folder / f"{source}-{rows[0][0]}.csv", header, rows)
            code, out = zz(workspace, "ingest", source, str(path), "--json")
            assert code == 0 and json.loads(out)[0]["rows"]["quarantined"] == 0, out
    with city() as session, session.begin():
        take_in(session, OPERATOR, workspace)


def test_a_report_of_the_same_matter_is_not_merged_into_the_complaint(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """The same caller, the same words, the same day: a complaint by 12315 and a report by 12345 stay two cases,
    each on its own clock, and no handler is asked to merge them."""
    _take(workspace, city, tmp_path, [_row_12315("T1", "2026-03-02 09:15:00", "投诉")],
          [_row_12345("G1", "2026-03-02 15:40:00", "举报")])  # fmt: skip
    with city() as session:
        complaint, report = _case_of(session, "T1"), _case_of(session, "G1")
        assert complaint.id != report.id
        assert (complaint.kind, report.kind) == ("complaint", "report")
        assert [c.rule.name for c in clocks(session, complaint)] == ["acceptance"]
        assert [c.rule.name for c in clocks(session, report)] == ["report_verification"]
        assert session.scalar(select(CaseSuggestion.id)) is None
    with city() as session, session.begin(), pytest.raises(InputError, match="Art 7") as refused:
        merge_cases(session, OPERATOR, _case_of(session, "G1"), _case_of(session, "T1"))
    assert "分别处理" in str(refused.value.message_zh)


def test_a_complaint_makes_a_consultations_case_a_complaint_received_on_its_own_day(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """A caller asks first (咨询, 2 March), then complains of the same (投诉, 9 March): one case, a complaint's,
    whose acceptance clock starts on 9 March (from 2 March it would be due a week early)."""
    _take(workspace, city, tmp_path, [], [_row_12345("G1", "2026-03-02 15:40:00", "咨询")])
    with city() as session:
        assert _case_of(session, "G1").kind == "consultation"
    _take(workspace, city, tmp_path, [_row_12315("T1", "2026-03-09 09:15:00", "投诉")], [])
    with city() as session:
        case = _case_of(session, "T1")
        assert case.id == _case_of(session, "G1").id
        assert (case.kind, case.received_on) == ("complaint", date(2026, 3, 9))
        (acceptance,) = clocks(session, case)
        assert (acceptance.rule.name, acceptance.start) == ("acceptance", date(2026, 3, 9))


def test_a_consultation_joining_a_complaints_case_leaves_its_kind_and_day(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """The other way round, an earlier consultation's export coming in late: the case stays a complaint's, received
    on the complaint's day."""
    _take(workspace, city, tmp_path, [_row_12315("T1", "2026-03-09 09:15:00", "投诉")], [])
    _take(workspace, city, tmp_path, [], [_row_12345("G1", "2026-03-02 15:40:00", "咨询")])
    with city() as session:
        case = _case_of(session, "T1")
        assert case.id == _case_of(session, "G1").id
        assert (case.kind, case.received_on) == ("complaint", date(2026, 3, 9))


def test_a_complaint_does_not_join_an_answered_consultation(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """The consultation was answered (解答): a complaint of the same opens a case of its own, to be accepted or not
    on its own clock, not answered with the consultation's reply."""
    _take(workspace, city, tmp_path, [], [_row_12345("G1", "2026-03-02 15:40:00", "咨询")])
    with city() as session, session.begin():
        decide(session, OPERATOR, workspace, _case_of(session, "G1"), "answered", result="已解答：可依法要求退费。")
    _take(workspace, city, tmp_path, [_row_12315("T1", "2026-03-09 09:15:00", "投诉")], [])
    with city() as session:
        complaint = _case_of(session, "T1")
        assert complaint.id != _case_of(session, "G1").id
        assert (complaint.kind, complaint.decision) == ("complaint", None)


def test_a_handler_merging_a_complaint_into_a_consultations_case_makes_it_a_complaint(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """Merged by a handler (the consultation's case the older, so the one kept): a complaint's case, received on
    the complaint's day."""
    _take(workspace, city, tmp_path, [], [_row_12345("G1", "2026-03-02 15:40:00", "咨询")])
    _take(workspace, city, tmp_path, [_row_12315("T1", "2026-03-09 09:15:00", "举报")], [])
    with city() as session, session.begin():
        consultation, report = _case_of(session, "G1"), _case_of(session, "T1")
        if consultation.id != report.id:  # joined on its own already, or merged by hand here: the same case after
            merge_cases(session, OPERATOR, report, consultation)
    with city() as session:
        case = _case_of(session, "G1")
        assert case.id == _case_of(session, "T1").id
        assert (case.kind, case.received_on) == ("report", date(2026, 3, 9))
