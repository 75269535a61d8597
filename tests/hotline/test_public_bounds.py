"""The public pages' bounds at their edges (SQLite and PostgreSQL, through the real app).

- An IPv6 caller holds a whole /64: the web form's and the lookup's limits count the /64, so changing address at
  every try gains nothing; another /64 is another caller.
- A ticket number with a control character in it (a NUL, which PostgreSQL refuses in a query) gets the same
  "nothing found" as any other wrong number, on both databases, and the try is counted.
"""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.web.test_hotline_pages import TICKET, Desk, desk_fixture, public_csrf, text_of  # noqa: F401 (fixture)
from zhizhi.store.tables import LoginAttempt


def _caller(desk: Desk, ip: str) -> TestClient:
    return TestClient(desk.web.client.app, base_url="http://testserver", client=(ip, 50000))


def test_an_ipv6_caller_is_counted_by_its_64(desk: Desk) -> None:
    answers = []
    for n in range(6):  # six addresses of one /64
        client = _caller(desk, f"2001:db8:5:6::{n + 1:x}")
        token = public_csrf(client, "/hotline/submit")
        last = client.post("/hotline/submit", data={"csrf_token": token, **TICKET})
        answers.append(last.status_code)
    assert answers == [200] * 5 + [429]
    assert int(last.headers["retry-after"]) > 0  # the page says how long to wait, as the API does
    other = _caller(desk, "2001:db8:5:7::1")  # the next /64: another home
    token = public_csrf(other, "/hotline/submit")
    assert other.post("/hotline/submit", data={"csrf_token": token, **TICKET}).status_code == 200
    tries = []
    for n in range(11):
        client = _caller(desk, f"2001:db8:9:9:{n + 1:x}::1")
        token = public_csrf(client, "/hotline/lookup")
        data = {"csrf_token": token, "number": f"T00{n}", "phone_last4": "9999"}
        tries.append(client.post("/hotline/lookup", data=data).status_code)
    assert tries == [200] * 10 + [429]


def test_a_number_with_a_control_character_finds_nothing_the_same_way(desk: Desk) -> None:
    client = desk.web.client
    token = public_csrf(client, "/hotline/lookup")

    def answer(number: str) -> tuple[int, str]:
        page = client.post("/hotline/lookup", data={"csrf_token": token, "number": number, "phone_last4": "0001"})
        return page.status_code, text_of(page.text).replace(number, "NUMBER")

    plain = answer("T999")
    assert plain[0] == 200 and "没有查到" in plain[1]
    # Cleaned as the ingest cleans a number (a control character is no part of it): no error, the same answer.
    assert answer("T\x00999") == plain and answer("T999\x1b") == plain
    with desk.web.sessions() as session:
        counted = session.scalar(select(func.count()).where(LoginAttempt.username.startswith("hotline.lookup:")))
    assert counted == 3


def test_a_field_past_its_bound_is_refused_on_the_form_in_words(desk: Desk) -> None:
    client = desk.web.client
    token = public_csrf(client, "/hotline/submit")
    refused = client.post("/hotline/submit", data={"csrf_token": token, **TICKET, "caller_name": "名" * 101})
    words = text_of(refused.text)
    assert refused.status_code == 422 and 'id="ticket-form"' in refused.text
    assert "「姓名」最多 100 个字，现有 101 个字" in words and "body." not in words
    assert "奶茶店的会员卡余额无法使用" in words  # what the visitor wrote is still there
    long_text = client.post("/hotline/submit", data={"csrf_token": token, **TICKET, "text": "长" * 2001})
    assert long_text.status_code == 422 and "「诉求内容」最多 2000 个字" in text_of(long_text.text)
    client.cookies.set("zhizhi_lang", "en")
    english = client.post("/hotline/submit", data={"csrf_token": token, **TICKET, "place": "地" * 201})
    assert "“Where it happened” takes at most 200 characters, not 201" in text_of(english.text)
    with desk.web.sessions() as session:  # refused before anything was kept or counted
        assert session.scalar(select(func.count()).where(LoginAttempt.username.startswith("hotline.form:"))) == 0


def test_a_number_too_long_for_any_ticket_finds_nothing_like_a_wrong_one(desk: Desk) -> None:
    client = desk.web.client
    token = public_csrf(client, "/hotline/lookup")
    pages = [client.post("/hotline/lookup", data={"csrf_token": token, "number": n, "phone_last4": "0001"})
             for n in ("T999", "T" * 65, "T" * 300)]  # fmt: skip
    assert [p.status_code for p in pages] == [200, 200, 200]  # 300 characters: was a 422 page of its own
    assert text_of(pages[0].text).replace("T999", "") == text_of(pages[1].text).replace("T" * 64, "")
    assert text_of(pages[2].text).replace("T" * 64, "") == text_of(pages[1].text).replace("T" * 64, "")


def test_the_form_reads_a_phone_and_a_text_as_the_ingest_keeps_them(desk: Desk) -> None:
    """A phone typed with full-width digits or brackets (as an input method gives it) is a phone the ingest reads:
    taken. A text of invisible characters only is no text once cleaned: refused, as a short one is."""
    for n, phone in enumerate(("１３８００１３８０００", "(0772)2812345", "0772－2812345")):
        client = _caller(desk, f"198.51.100.{n + 1}")
        token = public_csrf(client, "/hotline/submit")
        taken = client.post("/hotline/submit", data={"csrf_token": token, **TICKET, "caller_phone": phone})
        assert taken.status_code == 200 and re.search(r"W\d{14}", taken.text), (phone, text_of(taken.text))
    client = _caller(desk, "198.51.100.9")
    token = public_csrf(client, "/hotline/submit")
    for text in ("\u200b" * 12, "\x01" * 12, "\ufeff" * 12, "短文本"):
        refused = client.post("/hotline/submit", data={"csrf_token": token, **TICKET, "text": text})
        assert refused.status_code == 422 and "至少 10 个字" in text_of(refused.text), repr(text)


def test_a_form_with_too_many_fields_is_refused_in_the_visitors_words(desk: Desk) -> None:
    client = desk.web.client
    for path in ("/hotline/submit", "/hotline/lookup"):
        token = public_csrf(client, path)
        fields = {"csrf_token": token, **{f"f{n}": "x" for n in range(1001)}}
        refused = client.post(path, data=fields)
        assert refused.status_code == 400
        assert "表单无法读取" in text_of(refused.text) and "Too many fields" not in refused.text
