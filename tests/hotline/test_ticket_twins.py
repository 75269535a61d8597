"""One ticket that came by two ways (the 12315 platform's export and its push: a record of each source) is one
ticket: the second joins the first's case by its channel and number, whatever its words, and says so; unless the
copy names another procedure. And no ticket joins a closed case on its own."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.hotline.desk import TICKETS_12315, ingest_all
from tests.hotline.test_answer_held import FIELDS
from tests.hotline.test_cases import _actor, _case_of, _record, _settings
from zhizhi.config import Workspace
from zhizhi.hotline import decide, push_tickets, take_in
from zhizhi.store.tables import Case, CaseSuggestion, CaseTicket, Record


def test_the_same_ticket_pushed_after_its_export_joins_its_case_by_number(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    workspace = _settings(workspace, merge_at=1.0, review_from=0.2)  # nothing merges on its words alone
    ingest_all(workspace, tmp_path)
    with city() as session, session.begin():
        take_in(session, OPERATOR, workspace)
    # the push shortens the text and masks the caller, as a platform's interface may
    pushed = dict(zip(FIELDS, TICKETS_12315[0], strict=True))
    pushed |= {"text": "健身房关门，要求退还剩余会费", "caller_name": "张*", "caller_phone": "138****0001"}
    with city() as session, session.begin():
        push_tickets(session, workspace, OPERATOR, "12315", [pushed], department="LZ-TSJB")
        done = take_in(session, OPERATOR, workspace)
    assert (done.tickets, done.merged) == (1, 1)
    with city() as session:
        first = _case_of(session, "T001")
        records = session.scalars(select(Record.id).where(Record.key == "number=T001")).all()
        assert len(records) == 2  # a record of each source
        links = session.scalars(select(CaseTicket).where(CaseTicket.record_id.in_(records))).all()
        assert {link.case_id for link in links} == {first.id}
        joined = next(link for link in links if link.how == "merged")
        assert json.loads(joined.reasons or "{}")["reasons"] == ["same_ticket"] and joined.score == 1.0


def test_a_copy_that_says_another_procedure_is_handled_apart(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """The same number pushed as a report (举报) after its export came as a complaint (投诉) is no copy to join: a
    complaint and a report are handled apart (Art 7), each on its own clock."""
    ingest_all(workspace, tmp_path)
    with city() as session, session.begin():
        take_in(session, OPERATOR, workspace)
    pushed = dict(zip(FIELDS, TICKETS_12315[0], strict=True)) | {"kind": "举报"}
    with city() as session, session.begin():
        push_tickets(session, workspace, OPERATOR, "12315", [pushed], department="LZ-TSJB")
        done = take_in(session, OPERATOR, workspace)
    assert (done.tickets, done.merged, done.opened) == (1, 0, 1)
    with city() as session:
        records = session.scalars(select(Record.id).where(Record.key == "number=T001").order_by(Record.id)).all()
        cases = [session.get_one(Case, session.scalar(select(CaseTicket.case_id).where(CaseTicket.record_id == r)))
                 for r in records]  # fmt: skip
        assert [c.kind for c in cases] == ["complaint", "report"] and cases[0].id != cases[1].id


def test_no_ticket_joins_a_closed_case_on_its_own(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """The same caller calling again after the case was decided for good: a new complaint needs its own acceptance
    (Art 14) and the agreement reached binds its own parties (Art 21), so the ticket opens a case and the closed
    one is shown to a handler beside it; its answer is not sent to the new ticket."""
    workspace = _settings(workspace, merge_at=0.5, review_from=0.2)
    ingest_all(workspace, tmp_path)
    with city() as session, session.begin():
        take_in(session, OPERATOR, workspace)
    with city() as session, session.begin():
        case, handler = _case_of(session, "T001"), _actor(session, "hotline")
        decide(session, handler, workspace, case, "accepted")
        decide(session, handler, workspace, case, "mediated", result="经调解，商家同意退还剩余会费，双方达成协议。")
    again = dict(zip(FIELDS, TICKETS_12315[0], strict=True)) | {"number": "T009", "received_at": "2026-03-20 10:00:00"}
    with city() as session, session.begin():
        push_tickets(session, workspace, OPERATOR, "12315", [again], department="LZ-TSJB")
        done = take_in(session, OPERATOR, workspace)
    assert (done.tickets, done.merged, done.opened, done.answered) == (1, 0, 1, 0)
    with city() as session:
        closed, new = _case_of(session, "T001"), _case_of(session, "T009")
        assert closed.stage == "closed" and new.id != closed.id and new.stage == "received"
        shown = select(CaseSuggestion.case_id).where(CaseSuggestion.record_id == _record(session, "T009"))
        assert closed.id in set(session.scalars(shown))
