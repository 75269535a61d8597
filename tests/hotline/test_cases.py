"""Cases: tickets of two channels merged, suggested, split, routed, decided and answered through the outbox."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.hotline.desk import ingest_all
from zhizhi.config import Workspace
from zhizhi.hotline import cases
from zhizhi.store.tables import Case, CaseTicket, Record


def _case_of(session: Session, number: str) -> Case:
    record = session.scalar(select(Record.id).where(Record.record_type == "ticket", Record.key == f"number={number}"))
    return session.get_one(Case, session.scalar(select(CaseTicket.case_id).where(CaseTicket.record_id == record)))


def test_tickets_of_both_channels_become_cases(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    ingest_all(workspace, tmp_path)
    with city() as session:
        done = cases.take_in(session, OPERATOR, workspace)
        session.commit()
        print(done)
        for number in ("T001", "G001", "G002", "T002", "T003"):
            case = _case_of(session, number)
            print(number, case.number, case.kind, case.office_id, case.handler_id, case.routed_by)
        for s in cases.open_suggestions(session, OPERATOR):
            print("suggest", s.record_id, s.case_id, s.score, s.reasons)
