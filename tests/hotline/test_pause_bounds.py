"""A pause of the clocks is recorded as it happens (SQLite and PostgreSQL): it cannot begin before the case was
received, nor begin or end after today; an end ahead of today would stop the clocks on a promise and hide a breach
until then; nor be dated back once a clock it would stop is past its deadline. Through the API, the refusal is a 422
naming the day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from tests.web.test_hotline_api import bearer
from tests.web.test_hotline_pages import Desk, desk_fixture  # noqa: F401 (the fixture)
from zhizhi.store.tables import Case
from zhizhi.store.types import LOCAL_TZ, local_today


def _received(desk: Desk, ticket: str, day: date) -> None:
    with desk.web.sessions() as session, session.begin():
        case = session.scalars(select(Case).where(Case.number == desk.case_of(ticket))).one()
        case.received_on, case.received_at = day, datetime.combine(day, time(9), LOCAL_TZ)


def test_a_pause_begins_and_ends_by_today(desk: Desk) -> None:
    web, auth = desk.web, bearer(desk.web, "hotline")
    base = f"/api/hotline/cases/{desk.case_of('T002')}"  # a report: its verification pauses
    week_ago, today = local_today() - timedelta(days=7), local_today()
    _received(desk, "T002", week_ago)  # within its 15 working days
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    early = (week_ago - timedelta(days=2)).isoformat()
    refused = web.client.post(f"{base}/pause", json={"reason": "送检", "start": early}, headers=auth)
    assert refused.status_code == 422 and f"before it was received ({week_ago})" in refused.json()["error"]["message"]
    ahead = web.client.post(f"{base}/pause", json={"reason": "送检", "start": tomorrow}, headers=auth)
    assert ahead.status_code == 422 and f"cannot begin on {tomorrow}" in ahead.json()["error"]["message"]
    start = (week_ago + timedelta(days=2)).isoformat()
    assert web.client.post(f"{base}/pause", json={"reason": "送检", "start": start}, headers=auth).is_success
    hidden = web.client.post(f"{base}/resume", json={"last_day": tomorrow}, headers=auth)
    assert hidden.status_code == 422 and "after today" in hidden.json()["error"]["message"]
    done = web.client.post(f"{base}/resume", json={"last_day": today.isoformat()}, headers=auth)
    assert done.status_code == 200 and done.json()["pauses"][0]["through"] == today.isoformat()


def test_a_pause_dated_back_cannot_lift_a_breach(desk: Desk) -> None:
    """A report received in March is past its 15 working days: a pause recorded now, dated back into them, is
    refused (the breach stands), as an extension approved after the deadline is; the clock stays breached."""
    web, auth = desk.web, bearer(desk.web, "hotline")
    base = f"/api/hotline/cases/{desk.case_of('T002')}"  # received 2026-03-03
    late = web.client.post(f"{base}/pause", json={"reason": "送检", "start": "2026-03-05"}, headers=auth)
    assert late.status_code == 422 and "the breach stands" in late.json()["error"]["message"]
    shown = web.client.get(base, headers=auth).json()
    assert shown["pauses"] == [] and {c["status"] for c in shown["clocks"]} == {"breached"}
