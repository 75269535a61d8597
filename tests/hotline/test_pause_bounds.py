"""A pause of the clocks is recorded as it happens (SQLite and PostgreSQL): it cannot begin before the case was
received, nor begin or end after today; an end ahead of today would stop the clocks on a promise and hide a breach
until then. Through the API, the refusal is a 422 naming the day."""

from __future__ import annotations

from datetime import timedelta

from tests.web.test_hotline_api import bearer
from tests.web.test_hotline_pages import Desk, desk_fixture  # noqa: F401 (the fixture)
from zhizhi.store.types import local_today


def test_a_pause_begins_and_ends_by_today(desk: Desk) -> None:
    web, auth = desk.web, bearer(desk.web, "hotline")
    base = f"/api/hotline/cases/{desk.case_of('T002')}"  # a report received 2026-03-03: its verification pauses
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    early = web.client.post(f"{base}/pause", json={"reason": "送检", "start": "2026-03-01"}, headers=auth)
    assert early.status_code == 422 and "before it was received (2026-03-03)" in early.json()["error"]["message"]
    ahead = web.client.post(f"{base}/pause", json={"reason": "送检", "start": tomorrow}, headers=auth)
    assert ahead.status_code == 422 and f"cannot begin on {tomorrow}" in ahead.json()["error"]["message"]
    assert web.client.post(f"{base}/pause", json={"reason": "送检", "start": "2026-03-05"}, headers=auth).is_success
    hidden = web.client.post(f"{base}/resume", json={"last_day": tomorrow}, headers=auth)
    assert hidden.status_code == 422 and "after today" in hidden.json()["error"]["message"]
    done = web.client.post(f"{base}/resume", json={"last_day": "2026-03-12"}, headers=auth)
    assert done.status_code == 200 and done.json()["pauses"][0]["through"] == "2026-03-12"
