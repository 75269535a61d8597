"""What a handler writes must say something (SQLite and PostgreSQL): a result of zero-width spaces closed a case and
went to the platform as the callers' answer, and such a reason stood as the why of a pause or a reassignment."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.hotline.desk import ingest_all
from tests.hotline.test_cases import _actor, _case_of
from zhizhi.config import Workspace
from zhizhi.errors import InputError
from zhizhi.hotline import assign, decide, pause, take_in
from zhizhi.store.tables import CasePause

BLANK = "\u200b\u200b"  # zero-width spaces, as a page copied from elsewhere may hold


def test_a_result_or_reason_of_invisible_characters_is_refused(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    ingest_all(workspace, tmp_path)
    with city() as session, session.begin():
        take_in(session, OPERATOR, workspace)
    with city() as session, session.begin():
        question, handler = _case_of(session, "T003"), _actor(session, "hotline")
        with pytest.raises(InputError, match="Write the result"):
            decide(session, handler, workspace, question, "answered", result=f" {BLANK}。 ")
        gym = _case_of(session, "T001")
        with pytest.raises(InputError, match="Give a reason"):
            pause(session, handler, gym, reason=BLANK, start=date(2026, 3, 3))
        with pytest.raises(InputError, match="Give a reason"):
            assign(session, handler, gym, office="LZ-TSJB", reason="\u3000" + BLANK)
    with city() as session:
        assert _case_of(session, "T003").stage == "received" and _case_of(session, "T003").result is None
        assert session.scalar(select(func.count()).select_from(CasePause)) == 0
