"""The same ticket twice (the 12315 platform's export and its push both bring T001) joins the answered case: the
answer is not sent again, and the second record holds the answer all the same (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.hotline.desk import HEADER_12315, TICKETS_12315, ingest_all
from tests.hotline.test_cases import _actor, _case_of
from zhizhi.config import Workspace
from zhizhi.hotline import case_view, decide, load_calendar, push_tickets, take_in
from zhizhi.store.tables import CaseTicket, Record, RecordVersion

FIELDS = ["number", "received_at", "kind", "caller_name", "caller_phone", "respondent_name", "respondent_uscc",
          "respondent_address", "text", "status"]  # fmt: skip


def test_a_ticket_that_came_twice_holds_the_answer_given_once(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    assert len(HEADER_12315) == len(FIELDS)
    ingest_all(workspace, tmp_path)
    with city() as session, session.begin():
        take_in(session, OPERATOR, workspace)
        assert decide(session, _actor(session, "hotline"), workspace, _case_of(session, "T001"), "accepted") == 3
    again = dict(zip(FIELDS, TICKETS_12315[0], strict=True))
    with city() as session, session.begin():
        push_tickets(session, workspace, OPERATOR, "12315", [again], department="LZ-TSJB")
        done = take_in(session, OPERATOR, workspace)
    assert (done.tickets, done.merged, done.answered) == (1, 1, 0)  # joined the answered case; nothing sent again
    with city() as session:
        answers = session.scalar(
            select(func.count()).select_from(RecordVersion).join(Record, Record.id == RecordVersion.record_id)
            .where(Record.record_type == "ticket_answer")
        )  # fmt: skip
        gym = _case_of(session, "T001")
        held = session.scalars(select(CaseTicket.answer_version_id).where(CaseTicket.case_id == gym.id)).all()
        shown = case_view(session, OPERATOR, gym, load_calendar(workspace.root))["tickets"]
    assert answers == 3 and len(held) == 4 and None not in held
    assert [t["answered"] for t in shown] == [True] * 4
