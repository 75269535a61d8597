"""A decision is taken once, even when two arrive together (a double click, two handlers): SQLite and PostgreSQL.

The second waits for the first and is then told the case was already accepted: one `case.decided` event, one answer
per ticket owed to the platform.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.hotline.desk import ingest_all
from tests.hotline.test_cases import _actor, _case_of
from zhizhi.config import Workspace
from zhizhi.errors import ZhizhiError
from zhizhi.hotline import decide, take_in
from zhizhi.store.tables import AuditEvent, Case, RecordVersion


def test_two_decisions_at_once_make_one(workspace: Workspace, city: sessionmaker[Session], tmp_path: Path) -> None:
    ingest_all(workspace, tmp_path)
    with city() as session, session.begin():
        take_in(session, OPERATOR, workspace)
        number = _case_of(session, "T001").number
    outcome: list[str] = []

    def second() -> None:
        with city() as other:
            try:
                with other.begin():
                    case = other.scalars(select(Case).where(Case.number == number)).one()
                    decide(other, _actor(other, "hotline"), workspace, case, "accepted", result="已受理")
                outcome.append("decided")
            except ZhizhiError as exc:
                outcome.append(exc.message)

    with city() as first, first.begin():
        case = _case_of(first, "T001")
        assert decide(first, _actor(first, "hotline"), workspace, case, "accepted", result="已受理") == 3
        racing = threading.Thread(target=second)
        racing.start()
        time.sleep(1.0)  # the second is under way, and must wait for this one
    racing.join(timeout=60)
    assert outcome and "already accepted" in outcome[0], outcome
    with city() as session:
        decided = session.scalar(
            select(func.count()).where(AuditEvent.action == "case.decided", AuditEvent.object_id == number)
        )
        answers = session.scalar(
            select(func.count()).select_from(RecordVersion).where(RecordVersion.data.contains(f'"{number}"'))
        )
    assert (decided, answers) == (1, 3)
