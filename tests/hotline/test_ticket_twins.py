"""One ticket that came by two ways (the 12315 platform's export and its push: a record of each source) is one
ticket: the second joins the first's case by its channel and number, whatever its words, and says so."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.hotline.desk import TICKETS_12315, ingest_all
from tests.hotline.test_answer_held import FIELDS
from tests.hotline.test_cases import _case_of, _settings
from zhizhi.config import Workspace
from zhizhi.hotline import push_tickets, take_in
from zhizhi.store.tables import CaseTicket, Record


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
