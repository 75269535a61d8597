"""A platform's push and the public web form, at their edges (SQLite and PostgreSQL, through the real app).

- one request holding the same ticket number twice is refused whole (which of the two is the ticket?), named;
- a moment of receipt with a time zone (`2026-09-30T23:30:00Z`) is China's time once stored (07:30 on 1 October:
  the clocks count from that day);
- two web tickets drawn the same random number the same day stay two tickets: the second gets another number and
  never becomes a new version of a stranger's ticket.
"""

from __future__ import annotations

import json
import re
import secrets

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.web.test_hotline_api import platform_token, pushed, ticket_counts
from tests.web.test_hotline_pages import TICKET, Desk, desk_fixture, public_csrf, text_of  # noqa: F401 (fixture)
from zhizhi.hotline import lookup
from zhizhi.store.tables import QuarantineItem, RawRow, Record, RecordVersion

URL = "/api/hotline/12315/tickets"


def test_one_push_with_a_number_twice_is_refused_and_names_it(desk: Desk) -> None:
    web, token = desk.web, platform_token(desk, "12315")
    before = ticket_counts(web)
    twice = [pushed("D1"), pushed("D2"), pushed(" D1", text="同一编号的另一段诉求内容，超市多收钱")]
    refused = web.client.post(URL, json=twice, headers=token)
    error = refused.json()["error"]
    assert refused.status_code == 422 and error["code"] == "invalid_input"
    assert "`D1`" in error["message"] and "ticket 3" in error["message"] and "ticket 1" in error["message"]
    assert ticket_counts(web) == before  # nothing taken
    for other in ("Ｄ1", "D1\u200b", "“D1”"):  # full-width, a zero-width space, quoted: the same number once cleaned
        again = web.client.post(URL, json=[pushed("D1"), pushed(other, text="同一编号的另一段诉求内容")], headers=token)
        assert again.status_code == 422 and "`D1`" in again.json()["error"]["message"], other
    assert ticket_counts(web) == before
    assert not list((desk.web.workspace.root / "data" / "push").rglob("*.jsonl"))  # refused pushes leave no file
    same = web.client.post(URL, json=[pushed("D1"), pushed("D2")], headers=token)
    assert same.status_code == 200
    assert same.json()["records"] == {"new": 2, "changed": 0, "unchanged": 0, "repeated_in_file": 0}
    assert not list((desk.web.workspace.root / "data" / "push").rglob("*.jsonl"))  # nor taken ones: the store has them
    changed = web.client.post(URL, json=[pushed("D1", status="已受理")], headers=token)  # a new version, once
    assert changed.json()["records"] == {"new": 0, "changed": 1, "unchanged": 0, "repeated_in_file": 0}


def test_a_moment_with_a_time_zone_is_kept_in_chinas_time(desk: Desk) -> None:
    web, token = desk.web, platform_token(desk, "12315")
    zoned = [
        pushed("Z1", received_at="2026-09-30T23:30:00Z"),
        pushed("Z2", received_at="2026-10-01T09:00:00+08:00", caller_phone="13500000022", respondent_name="乙店"),
    ]
    answer = web.client.post(URL, json=zoned, headers=token)
    assert answer.status_code == 200 and answer.json()["accepted"] == 2, answer.text
    with web.sessions() as session:
        stored = _received(session)
    assert stored == {"number=Z1": "2026-10-01T07:30:00", "number=Z2": "2026-10-01T09:00:00"}


def test_a_zoned_moment_beyond_the_calendar_quarantines_its_ticket_alone(desk: Desk) -> None:
    """Year 1 or 9999 with a time zone cannot be moved to China's time: that ticket waits with its date refused, and
    the others of the push are taken (the whole push was refused with a message naming nothing)."""
    web, token = desk.web, platform_token(desk, "12315")
    edges = [
        pushed("E1"),
        pushed("E2", received_at="0001-01-01T05:00:00+14:00", caller_phone="13500000023"),
        pushed("E3", received_at="9999-12-31T23:00:00-12:00", caller_phone="13500000024", respondent_name="丙店"),
    ]
    answer = web.client.post(URL, json=edges, headers=token)
    assert answer.status_code == 200, answer.text
    assert [t["status"] for t in answer.json()["tickets"]] == ["accepted", "quarantined", "quarantined"]


def _received(session: Session) -> dict[str, str]:
    rows = session.execute(
        select(Record.key, RecordVersion.data)
        .join(RecordVersion, RecordVersion.id == Record.version_id)
        .where(Record.key.in_(["number=Z1", "number=Z2"]))
    ).all()
    return {key: json.loads(data)["received_at"] for key, data in rows}


def test_a_web_number_drawn_twice_the_same_day_makes_two_tickets(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    draws = iter([7, 7, 7])
    real = secrets.randbelow
    monkeypatch.setattr(secrets, "randbelow", lambda n: next(draws, None) or real(n))
    client = desk.web.client
    token = public_csrf(client, "/hotline/submit")
    first = client.post("/hotline/submit", data={"csrf_token": token, **TICKET})
    other = {"caller_name": "孙九", "caller_phone": "13700004321", "text": "另一位市民的另一件事，商店拒不退货"}
    second = client.post("/hotline/submit", data={"csrf_token": token, **TICKET, **other})
    numbers = [re.search(r"W\d{14}", page.text) for page in (first, second)]
    assert all(numbers), text_of(second.text)
    one, two = (n.group() for n in numbers if n)
    assert one != two
    with desk.web.sessions() as session:
        assert session.scalar(select(func.count()).where(Record.key.startswith("number=W"))) == 2
        mine, theirs = lookup(session, one, "5678"), lookup(session, two, "4321")
        assert mine is not None and theirs is not None
        assert lookup(session, one, "4321") is None  # the first ticket is still the first citizen's


def test_a_ticket_pushed_again_closes_its_earlier_quarantined_push(desk: Desk) -> None:
    web, token = desk.web, platform_token(desk, "12315")
    bad = web.client.post(URL, json=[pushed("Q4", received_at="昨天"), pushed("Q5", received_at="前天")], headers=token)
    assert bad.json()["quarantined"] == 2
    fixed = web.client.post(URL, json=[pushed("Q4"), pushed("Q5", received_at="上周")], headers=token)
    assert [t["status"] for t in fixed.json()["tickets"]] == ["accepted", "quarantined"]
    with web.sessions() as session:
        items = session.execute(
            select(QuarantineItem.status, QuarantineItem.record_version_id, RawRow.data)
            .join(RawRow, RawRow.id == QuarantineItem.raw_row_id)
            .order_by(QuarantineItem.id)
        ).all()
    found = [(json.loads(data)["number"], status, version is not None) for status, version, data in items]
    # Q4 accepted now: its old item points at the version; Q5 waits once, in its newer push's item.
    assert found == [("Q4", "superseded", True), ("Q5", "superseded", False), ("Q5", "open", False)]


def test_a_push_carries_every_field_of_a_ticket(desk: Desk) -> None:
    """The API took every ticket field but the channel's problem and goods categories (422), which the merging
    weighs: the fields it takes are the ticket's."""
    from zhizhi.hotline.intake import FIELDS
    from zhizhi.web.api.hotline import PushedTicket

    assert set(PushedTicket.model_fields) == set(FIELDS)
    ticket = pushed("C1") | {"problem_category": "质量问题", "goods_category": "食品"}
    answer = desk.web.client.post(URL, json=[ticket], headers=platform_token(desk, "12315"))
    assert answer.status_code == 200 and answer.json()["accepted"] == 1, answer.text
    with desk.web.sessions() as session:
        data = json.loads(session.scalar(select(RecordVersion.data).join(Record, Record.version_id == RecordVersion.id)
                                         .where(Record.key == "number=C1")) or "{}")  # fmt: skip
    assert (data["problem_category"], data["goods_category"]) == ("质量问题", "食品")


def test_a_wrong_credit_code_of_the_respondent_does_not_hold_the_complaint_back(desk: Desk) -> None:
    """The respondent's credit code is as a caller or an operator typed it: a wrong check character quarantined the
    whole complaint while its acceptance clock ran. Now the ticket is taken with a soft finding, and the wrong code
    is left out of the record (the raw row keeps it), so nothing links the case by it."""
    from tests.ingest.test_pipeline import _codes

    code = _codes(1, seed=5)[0]
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    token = platform_token(desk, "12315")
    answer = desk.web.client.post(URL, json=[pushed("U1", respondent_uscc=wrong)], headers=token)
    assert answer.status_code == 200 and answer.json()["tickets"][0]["status"] == "accepted", answer.text
    with desk.web.sessions() as session:
        version = session.scalar(select(RecordVersion).join(Record, Record.version_id == RecordVersion.id)
                                 .where(Record.key == "number=U1"))  # fmt: skip
        assert version is not None and "respondent_uscc" not in json.loads(version.data)
        assert "uscc.check_char" in (version.warnings or "")
        raw = session.get_one(RawRow, version.raw_row_id)
        assert wrong in raw.data
