"""The public pages' bounds at their edges (SQLite and PostgreSQL, through the real app).

- An IPv6 caller holds a whole /64: the web form's and the lookup's limits count the /64, so changing address at
  every try gains nothing; another /64 is another caller.
- A ticket number with a control character in it (a NUL, which PostgreSQL refuses in a query) gets the same
  "nothing found" as any other wrong number, on both databases, and the try is counted.
"""

from __future__ import annotations

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
        answers.append(client.post("/hotline/submit", data={"csrf_token": token, **TICKET}).status_code)
    assert answers == [200] * 5 + [429]
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
    assert answer("T\x00001") == plain and answer("T001\x1b") == plain
    with desk.web.sessions() as session:
        counted = session.scalar(select(func.count()).where(LoginAttempt.username.startswith("hotline.lookup:")))
    assert counted == 3
