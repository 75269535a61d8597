"""A ticket split off a case after the case was answered (SQLite and PostgreSQL): its platform holds that answer
still, so the new case says so, and answers it anew when it is decided."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from tests.hotline.desk import taken_in
from tests.hotline.test_cases import _actor, _case_of, _record
from zhizhi.config import Workspace
from zhizhi.hotline import case_view, decide, load_calendar, split


def test_a_ticket_split_off_an_answered_case_says_which_answer_its_platform_holds(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    taken_in(workspace, city, tmp_path)
    calendar = load_calendar(workspace.root)
    with city() as session, session.begin():
        gym = _case_of(session, "T001")
        assert _case_of(session, "G002").id == gym.id  # the caller's repeat call joined on its own
        decide(session, _actor(session, "hotline"), workspace, gym, "accepted")
        answered_as = gym.number
        split(session, _actor(session, "hotline"), workspace, _record(session, "G002"), reason="另一次消费，另案处理")
    with city() as session, session.begin():
        new = _case_of(session, "G002")
        assert new.number != answered_as and new.decision is None
        (ticket,) = case_view(session, _actor(session, "hotline"), new, calendar)["tickets"]
        assert ticket["answered"] and ticket["answered_in"] == answered_as
        decide(session, _actor(session, "hotline"), workspace, new, "accepted")
    with city() as session:
        (ticket,) = case_view(session, _actor(session, "hotline"), _case_of(session, "G002"), calendar)["tickets"]
        assert ticket["answered"] and ticket["answered_in"] is None  # answered anew, as this case
