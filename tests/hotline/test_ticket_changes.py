"""A ticket a platform sends again with other facts after its case took it (SQLite and PostgreSQL). Before, the
record's new version silently replaced the ticket in its case: a complaint made a report stayed in a complaint's
case on the complaint's clocks (Art 7), and nobody was told the respondent had changed."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.hotline.desk import HEADER_12345, TICKETS_12345, taken_in, write_export, zz
from tests.hotline.test_cases import _actor, _case_of, _record
from zhizhi.config import Workspace
from zhizhi.hotline import DeskChore, assign, case_view, decide, load_calendar, merge_cases, split, take_in
from zhizhi.store.tables import AuditEvent, Case, CaseTicket, Record, RecordVersion


def _send_again(workspace: Workspace, folder: Path, changes: dict[str, dict[int, str]]) -> None:
    """The 12345 export again, some of its cells changed (ticket number -> column index -> value)."""
    rows = [[changes.get(row[0], {}).get(i, cell) for i, cell in enumerate(row)] for row in TICKETS_12345]
    path = write_export(folder / "12345-again.csv", HEADER_12345, rows)
    code, out = zz(workspace, "ingest", "rexian-12345", str(path), "--json")
    assert code == 0, out


def test_a_ticket_made_a_report_leaves_its_complaints_case_and_another_change_is_shown_on_its_case(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    taken_in(workspace, city, tmp_path)
    with city() as session, session.begin():
        gym = _case_of(session, "G002").id
        assert _case_of(session, "G001").id == gym
    # G002 made a report; G001's respondent address corrected; the platform's own status of both moved on.
    again = {"G002": {2: "举报", 8: "已办结"}, "G001": {6: "柳州市城中区文昌路14号", 8: "已办结"}}
    _send_again(workspace, tmp_path, again)
    with city() as session, session.begin():
        done = take_in(session, OPERATOR, workspace)
        assert (done.tickets, done.rechecked, done.changed, done.split) == (0, 2, 2, 1)
        report = _case_of(session, "G002")
        assert report.id != gym and report.kind == "report"
        assert _case_of(session, "G001").id == gym and _case_of(session, "G001").kind == "complaint"
        assert session.get_one(CaseTicket, _record(session, "G001")).changed == '["respondent_address"]'
        view = case_view(session, _actor(session, "hotline"), _case_of(session, "G001"), load_calendar(workspace.root))
        changed = [t["changed"] for t in view["tickets"] if t["changed"]]
        assert changed == [[{"field": "respondent_address", "label_zh": "被投诉举报对象地址",
                             "label": changed[0][0]["label"]}]]  # fmt: skip
        said = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "case.ticket_changed")).all()
        assert len(said) == 2 and all("文昌路" not in d for d in said)  # the fields named, not their values
    with city() as session, session.begin():  # nothing to look at again
        again = take_in(session, OPERATOR, workspace)
        assert (again.changed, again.split) == (0, 0)


def test_a_text_sent_again_with_other_punctuation_widths_or_line_breaks_is_no_change(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """A caller's words are kept as written, so a ticket stored before that (its text folded to half-width) and sent
    again as the channel wrote it is a new version; its facts did not change, and its case does not say they did."""
    taken_in(workspace, city, tmp_path)
    folded = TICKETS_12345[0][7].replace("，", ",").replace("：", ":\r\n")
    _send_again(workspace, tmp_path, {"G001": {7: folded}, "G002": {7: TICKETS_12345[1][7].replace("2200", "2000")}})
    with city() as session, session.begin():
        done = take_in(session, OPERATOR, workspace)
        assert (done.rechecked, done.changed) == (2, 1)
        assert session.get_one(CaseTicket, _record(session, "G001")).changed is None
        assert session.get_one(CaseTicket, _record(session, "G002")).changed == '["text"]'


def test_a_decided_case_keeps_a_changed_ticket_and_shows_the_change_and_the_worker_finds_it(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    taken_in(workspace, city, tmp_path)
    with city() as session, session.begin():
        gym = _case_of(session, "G002")
        decide(session, _actor(session, "hotline"), workspace, gym, "accepted")
    chore = DeskChore(city, workspace)
    chore()  # nothing new: it only looks
    _send_again(workspace, tmp_path, {"G002": {2: "举报"}})
    chore()
    with city() as session:
        assert _case_of(session, "G002").id == gym.id  # decided: its answer went out under this case
        link = session.scalars(select(CaseTicket).where(CaseTicket.changed.is_not(None))).one()
        assert link.changed == '["kind"]' and link.case_id == gym.id
    _send_again(workspace, tmp_path, {"G002": {2: "举报", 8: "已办结"}})  # only the platform's own status
    chore()
    with city() as session:
        assert session.scalars(select(CaseTicket).where(CaseTicket.changed.is_not(None))).one().changed == '["kind"]'
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "case.ticket_changed")).all()
        assert len(events) == 1


def test_an_accepted_case_moved_to_another_office_is_answered_again_naming_it(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """The answer given at acceptance names the office handling the case; reassigned, the platform kept the old one."""
    taken_in(workspace, city, tmp_path)
    with city() as session, session.begin():
        gym = _case_of(session, "T001")
        decide(session, _actor(session, "hotline"), workspace, gym, "accepted")
        assert _offices_answered(session) == {"投诉举报中心"}
        assign(session, OPERATOR, gym, office="LZ-YF", reason="被投诉人住所在鱼峰区", workspace=workspace)
        assert _offices_answered(session) == {"鱼峰区市场监督管理局"}  # every ticket of the case, on both channels


def _offices_answered(session: Session) -> set[str]:
    """The office the latest answer of each ticket names."""
    rows = session.scalars(
        select(RecordVersion.data).join(Record, Record.version_id == RecordVersion.id)
        .where(Record.record_type == "ticket_answer")
    )  # fmt: skip
    return {json.loads(data)["office"] for data in rows}


def test_a_ticket_that_came_with_a_merged_case_and_became_a_report_leaves_alone_for_a_report_case(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """It went back with its merged case's group to that case, reopened as a complaint on the complaint's clock."""
    taken_in(workspace, city, tmp_path)
    with city() as session, session.begin():
        handler = _actor(session, "hotline")
        gym = _case_of(session, "T001")
        own = split(session, handler, workspace, _record(session, "G002"), reason="先拆开核实")
        merge_cases(session, handler, own, gym, why="核实后确为同一诉求")
        assert _case_of(session, "G002").id == gym.id
    _send_again(workspace, tmp_path, {"G002": {2: "举报"}})
    with city() as session, session.begin():
        done = take_in(session, OPERATOR, workspace)
        report = _case_of(session, "G002")
        assert (done.changed, done.split) == (1, 1)
        assert report.id not in (gym.id, own.id) and report.kind == "report" and report.stage == "received"
        assert session.get_one(Case, own.id).stage == "merged"  # the case it came with stays merged away
        assert _case_of(session, "G001").id == gym.id and session.get_one(Case, gym.id).kind == "complaint"
