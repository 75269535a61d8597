"""Links a reader can follow (SQLite and PostgreSQL): an entity's file shows every department's records, and links
only to the pages the reader may open; for the others it names the department whose record it is, and the record's
own page, asked for directly, says it is outside the reader's scope rather than that it does not exist."""

from __future__ import annotations

import html
import re

from tests.conftest import Web
from tests.web.test_register_pages import build, text_of

LICENSING = "食品经营安全监督管理科"  # the licence's department, outside the registration section's scope
OFFICE = "中南市场监督管理所"  # the inspections' department


def links_of(page: str) -> list[str]:
    """The page's links within the app, as the browser would follow them."""
    main = page.split("<main", 1)[1]
    return sorted({html.unescape(h) for h in re.findall(r'href="(/[^"]*)"', main)})


def test_every_link_on_an_entity_page_opens_and_the_others_say_whose_record_it_is(web: Web) -> None:
    huaxin = build(web.sessions, web.workspace)
    web.login_form("steward")  # 登记注册科: the registration is theirs, the licence and the inspections are not
    twin = web.client.get(f"/api/entities/{huaxin}").json()
    owners = {r["record_type"]: (r["department"], r["in_scope"]) for r in twin["records"]}
    assert owners == {"entity": ("登记注册科", True), "licence": (LICENSING, False), "inspection": (OFFICE, False)}
    theirs = [r["record_id"] for r in twin["records"] if not r["in_scope"]]

    page = web.client.get(f"/entities/{huaxin}").text
    followed = [h for h in links_of(page) if not h.startswith(("/lang/", "/api/"))]
    assert any(h.startswith("/records/") for h in followed) and any(h.startswith("/batches/") for h in followed)
    for href in followed:
        answer = web.client.get(href)
        assert answer.status_code == 200, (href, answer.status_code)
    for record_id in theirs:
        assert f'href="/records/{record_id}"' not in page
        row = text_of(page.split(f'<tr id="record-{record_id}">')[1].split("</tr>")[0])
        assert "的记录，不在您的查看范围内" in row and (LICENSING in row or OFFICE in row)

    # Asked for directly, the record's page says it is outside the reader's scope, in either language.
    refused = web.client.get(f"/records/{theirs[0]}")
    assert refused.status_code == 404 and f"您的权限范围内没有记录 {theirs[0]}" in refused.text
    web.client.get("/lang/en")
    assert f"No record {theirs[0]} in your scope" in web.client.get(f"/records/{theirs[0]}").text
    english = web.client.get(f"/entities/{huaxin}").text
    assert f'a record of <span translate="no">{LICENSING}</span>: not yours to open' in english

    # The bureau's leader may open every record: every record links.
    web.client.post("/logout", data={"csrf_token": web.page_csrf("/")})
    web.login_form("leader")
    page = web.client.get(f"/entities/{huaxin}").text
    assert all(f'href="/records/{r["record_id"]}"' in page for r in twin["records"])
    assert "不在您的查看范围内" not in page
