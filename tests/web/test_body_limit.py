"""Every request's body is bounded before anything stores or parses it: an upload at `web.upload_max_mb`, any other
body at 16 MiB; a declared length past the bound is refused before the body is read, a body without one as it
arrives. The refusal is a 413 in the app's own error shape, and nothing is written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import yaml
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import DEMO_PASSWORD, Web
from zhizhi.config import load_workspace
from zhizhi.seals import MAX_PDF_BYTES
from zhizhi.store.tables import User
from zhizhi.web.app import BODY_MAX_BYTES, MIB, create_app
from zhizhi.web.public_limits import PUBLIC_BODY_BYTES, PUBLIC_FORMS


def _users(web: Web) -> int:
    with web.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(User)) or 0)


def test_a_json_body_past_the_bound_is_refused_and_nothing_is_written(web: Web) -> None:
    token = web.login("admin")
    before = _users(web)
    padding = "x" * (BODY_MAX_BYTES + 1)
    body = f'{{"username": "big", "display_name": "{padding}", "department": "LZ", "roles": ["reader"]}}'
    answer = web.client.post(
        "/api/users", content=body, headers={"X-CSRF-Token": token, "Content-Type": "application/json"}
    )
    assert answer.status_code == 413, answer.text[:200]
    error = answer.json()["error"]
    # a platform's push or receipts: the bound, and to send fewer items a request (not to split a file)
    assert error["code"] == "too_large" and "larger than the server takes (16 MiB)" in error["message"]
    assert "fewer items" in error["message"] and "zhizhi ingest" not in error["message"]
    assert _users(web) == before


def test_a_body_without_a_length_is_counted_as_it_arrives(web: Web) -> None:
    token = web.login("admin")

    def chunks() -> Iterator[bytes]:
        yield b'{"username": "big", "display_name": "'
        for _ in range(BODY_MAX_BYTES // MIB + 2):
            yield b"x" * MIB
        yield b'"}'

    answer = web.client.post(
        "/api/users", content=chunks(), headers={"X-CSRF-Token": token, "Content-Type": "application/json"}
    )
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "too_large"


def test_an_upload_past_the_workspace_bound_is_refused_on_a_page_in_chinese(web: Web, tmp_path: Path) -> None:
    path = web.workspace.root / "zhizhi.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config.setdefault("web", {})["upload_max_mb"] = 1
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    app = create_app(load_workspace(web.workspace.root))
    try:
        with TestClient(app, base_url="http://testserver") as client:
            page = client.get("/login")
            token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
            signed_in = client.post(
                "/login",
                data={"username": "steward", "password": DEMO_PASSWORD, "csrf_token": token},
                follow_redirects=False,
            )
            assert signed_in.status_code == 303, signed_in.text[:300]
            csrf = client.get("/batches").text.split('name="csrf_token" value="')[1].split('"')[0]
            big = b"a,b\n" + b"1,2\n" * (3 * MIB // 4)  # 3 MiB: past 1 MB and the form's megabyte around it
            answer = client.post(
                "/batches/upload",
                data={"csrf_token": csrf, "source": "dengji"},
                files={"file": ("big.csv", big, "text/csv")},
                follow_redirects=False,
            )
            assert answer.status_code == 413, answer.text[:300]
            assert "提交的内容超过服务器接收的上限" in answer.text
            small = client.post(
                "/batches/upload",
                data={"csrf_token": csrf, "source": "nosuch"},
                files={"file": ("small.csv", b"a,b\n1,2\n", "text/csv")},
                follow_redirects=False,
            )
            assert small.status_code == 404  # under the bound: the route itself answers (no such source)
    finally:
        app.state.context.engine.dispose()
    assert not list((web.workspace.root / "data" / "uploads").rglob("*.csv"))


def test_a_form_anyone_may_post_is_bounded_small_whatever_its_type(web: Web) -> None:
    """A citizen's look-up, a web ticket, a login: no one signed in, so no upload's bound (a 150 MB multipart body
    was parsed before); a small form still reaches the route."""
    big = b"x" * (PUBLIC_BODY_BYTES + 1)
    for path in sorted(PUBLIC_FORMS):
        answer = web.client.post(path, files={"file": ("a.bin", big, "application/octet-stream")})
        assert answer.status_code == 413, (path, answer.status_code)
    assert web.client.post("/hotline/lookup", data={"number": "12315-1", "digits": "1234"}).status_code == 403  # CSRF


def test_a_pdf_anyone_may_check_is_bounded_by_the_checks_own_limit(web: Web) -> None:
    """The seal check takes 20 MiB from anyone: a body past it and its form is refused before it is read, not stored
    whole (up to a steward's `web.upload_max_mb`) and only then counted and refused."""
    big = b"%PDF-" + b"x" * (MAX_PDF_BYTES + MIB)
    for path in ("/seals/verify", "/api/seals/verify"):
        answer = web.client.post(path, files={"file": ("big.pdf", big, "application/pdf")})
        assert answer.status_code == 413, (path, answer.status_code)
    small = web.client.post("/api/seals/verify", files={"file": ("a.pdf", b"%PDF-1.7 not really", "application/pdf")})
    assert small.status_code not in (413, 500)  # it reaches the check


def test_a_json_body_with_half_a_surrogate_pair_is_refused_whole(web: Web) -> None:
    """JSON may escape a lone UTF-16 surrogate; it is no character, and no text holding one can be stored, logged or
    echoed in an error (the answer was a 500). Refused with its escape named, as a key or as a value; a whole pair
    (an emoji) and a backslash that only looks like the escape pass."""
    headers = {"Content-Type": "application/json"}
    for body in ('{"username": "\\ud800", "password": "x"}', '{"username\\udc00": "a", "password": "x"}'):
        answer = web.client.post("/api/session", content=body, headers=headers)
        assert answer.status_code == 422, answer.text[:200]
        assert "surrogate" in answer.json()["error"]["message"] and "\\u" in answer.json()["error"]["message"]
    for body in ('{"username": "\\ud83d\\ude00", "password": "x"}', '{"username": "\\\\ud800", "password": "x"}'):
        answer = web.client.post("/api/session", content=body, headers=headers)
        assert answer.status_code == 401, answer.text[:200]  # read, then refused as a wrong password


def test_a_large_body_from_someone_signed_out_is_refused_before_it_is_read(web: Web) -> None:
    """A route tells a request without a live session or token to sign in, but only once FastAPI has received (and,
    for an upload, stored) the whole body: up to `web.upload_max_mb` from anyone. Now it is told before a byte."""
    pulled: list[int] = []

    def chunks() -> Iterator[bytes]:
        for n in range(4):
            pulled.append(n)
            yield b"x" * MIB

    multipart = {"Content-Type": "multipart/form-data; boundary=zz"}
    page = web.client.post("/batches/upload", content=chunks(), headers=multipart, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login") and pulled == []
    forged = {"Content-Type": "application/json", "Cookie": "zhizhi_session=forged", "Authorization": "Bearer zz_x"}
    answer = web.client.post("/api/users", content=chunks(), headers=forged)
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "unauthenticated" and pulled == []
    csrf = web.login("steward")  # signed in, the same body reaches the route (which refuses it for what it says)
    answer = web.client.post("/api/quarantine/replay", content=chunks(), headers={
        "Content-Type": "application/json", "X-CSRF-Token": csrf})  # fmt: skip
    assert answer.status_code == 422 and pulled == [0, 1, 2, 3]
