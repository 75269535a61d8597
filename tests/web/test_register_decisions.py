"""The stewards' decisions and an entity's file through the API, the pages and the CLI (SQLite and PostgreSQL)."""

from __future__ import annotations

from tests.conftest import Web
from tests.web.test_register_pages import build


def test_an_entity_page_takes_only_plain_digits_for_the_parts_split_off(web: Web) -> None:
    """`?split=²` (a character `str.isdigit` takes, `int` does not) answered 500."""
    huaxin = build(web.sessions, web.workspace)
    web.login("leader")
    for odd in ("²", "1²,x", "٣"):
        page = web.client.get(f"/entities/{huaxin}", params={"split": odd})
        assert page.status_code == 200 and 'id="split-notice"' not in page.text
    page = web.client.get(f"/entities/{huaxin}", params={"split": "7,²"})
    assert page.status_code == 200 and '<a href="/entities/7">' in page.text
