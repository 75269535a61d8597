"""A case is received when its first ticket was, whichever channel's export comes in first: a ticket received
before its case's first that joins it later moves the case's receipt, and its clocks, back to its own day."""

from __future__ import annotations

import json
from datetime import UTC, date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.hotline.desk import (
    HEADER_12315,
    HEADER_12345,
    TICKETS_12315,
    TICKETS_12345,
    write_export,
    write_sources,
    zz,
)
from zhizhi.config import Workspace
from zhizhi.hotline import take_in
from zhizhi.store.tables import Case, CaseTicket, Record


def _ingest(workspace: Workspace, source: str, path: Path) -> None:
    code, out = zz(workspace, "ingest", source, str(path), "--json")
    assert code == 0 and json.loads(out)[0]["rows"]["quarantined"] == 0, out


def _case_of(session: Session, number: str) -> Case:
    record = session.scalar(select(Record.id).where(Record.record_type == "ticket", Record.key == f"number={number}"))
    return session.get_one(Case, session.scalar(select(CaseTicket.case_id).where(CaseTicket.record_id == record)))


def test_an_earlier_ticket_joining_later_moves_the_cases_receipt_back(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    write_sources(workspace)
    repeat = [row for row in TICKETS_12345 if row[0] == "G002"]  # 2026-03-09: the 12345 order comes in first
    _ingest(workspace, "rexian-12345", write_export(tmp_path / "12345.csv", HEADER_12345, repeat))
    with city() as session, session.begin():
        take_in(session, OPERATOR, workspace)
    with city() as session:
        assert _case_of(session, "G002").received_on == date(2026, 3, 9)
    first = [row for row in TICKETS_12315 if row[0] == "T001"]  # 2026-03-02: the 12315 export a week late
    _ingest(workspace, "rexian-12315", write_export(tmp_path / "12315.csv", HEADER_12315, first))
    with city() as session, session.begin():
        done = take_in(session, OPERATOR, workspace)
        assert done.merged == 1
    with city() as session:
        case = _case_of(session, "T001")
        assert case.id == _case_of(session, "G002").id
        assert case.received_on == date(2026, 3, 2)
        assert case.received_at.astimezone(UTC).isoformat().startswith("2026-03-02T01:15")  # 09:15 in China


def test_a_split_leaves_the_case_received_when_its_tickets_left_were(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """The earlier ticket split off again: the case kept its day (2 March) and its acceptance clock breached on
    another ticket's day; it is received on 9 March again, as its own ticket was."""
    from zhizhi.hotline import split

    write_sources(workspace)
    repeat = [row for row in TICKETS_12345 if row[0] == "G002"]
    _ingest(workspace, "rexian-12345", write_export(tmp_path / "12345.csv", HEADER_12345, repeat))
    with city() as session, session.begin():
        take_in(session, OPERATOR, workspace)
    first = [row for row in TICKETS_12315 if row[0] == "T001"]
    _ingest(workspace, "rexian-12315", write_export(tmp_path / "12315.csv", HEADER_12315, first))
    with city() as session, session.begin():
        take_in(session, OPERATOR, workspace)
    with city() as session, session.begin():
        case = _case_of(session, "G002")
        assert case.received_on == date(2026, 3, 2)
        t001 = session.scalar(select(Record.id).where(Record.key == "number=T001"))
        split(session, OPERATOR, workspace, int(t001 or 0), reason="不是同一次投诉")
    with city() as session:
        left, gone = _case_of(session, "G002"), _case_of(session, "T001")
        assert left.id != gone.id and left.received_on == date(2026, 3, 9) and gone.received_on == date(2026, 3, 2)
