"""The workload's month is a query parameter anyone signed in may type: a month at the ends of the calendar is refused
(422, naming the value), never an error of the server, on the page, its export and its JSON twin."""

from __future__ import annotations

import pytest

from tests.conftest import Web


@pytest.mark.parametrize(
    "query", ["month=9999-12", "month=0001-01", "month=0001-03&months=6", "month=9999-12&months=1"]
)
def test_a_month_at_the_ends_of_the_calendar_is_refused(web: Web, query: str) -> None:
    web.login_form("leader")
    for path in ("/api/workload", "/workload", "/workload/export.xlsx"):
        answer = web.client.get(f"{path}?{query}")
        assert answer.status_code == 422, (path, query, answer.status_code)
        assert query.split("&")[0].removeprefix("month=") in answer.text
    assert web.client.get("/api/workload?month=2026-11&months=24").status_code == 200
