"""The web on a store that only reads here (a read-only copy served, a PostgreSQL database that only reads): a write
is a 503 `read_only` in the one error shape, saying so in the visitor's language, never an internal error; the
sign-in page says no one can sign in here and how to read the data instead; an API token still reads."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, make_url, select, text

from tests.conftest import Web
from zhizhi.store.tables import ApiToken, AuditEvent, WebSession


@contextmanager
def _read_only(web: Web, backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The store made read-only, and the app's pooled connections dropped so that the next ones open it as it now is.
    On SQLite: its folder's write permission taken (a user other than root), or, for root, who ignores permissions,
    its lock file refused as a read-only disk refuses it."""
    url = web.workspace.database_url
    if backend == "postgresql":
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
        name = make_url(url).database
        with engine.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
        engine.dispose()
    elif os.geteuid() != 0:
        for path in (tmp_path, *tmp_path.glob("zhizhi.db*")):
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    else:
        from zhizhi.store import writer

        real_open = os.open

        def refused(path: str, *args: int) -> int:
            if str(path).endswith("zhizhi.db-writer"):
                raise OSError(errno.EROFS, os.strerror(errno.EROFS), path)
            return real_open(path, *args)

        monkeypatch.setattr(writer.os, "open", refused)
    web.sessions.kw["bind"].dispose()
    try:
        yield
    finally:
        if backend == "sqlite" and os.geteuid() != 0:
            for path in (tmp_path, *tmp_path.glob("zhizhi.db*")):
                path.chmod(path.stat().st_mode | stat.S_IWUSR)


def test_a_write_to_a_store_that_only_reads_is_said_as_read_only(
    web: Web, backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = web.login("admin")
    body = {"code": "LZ-X1", "name": "新设局", "kind": "county", "parent_code": "LZ"}
    with _read_only(web, backend, tmp_path, monkeypatch):
        listed = web.client.get("/api/departments")
        assert listed.status_code == 200 and "LZ" in {d["code"] for d in listed.json()}, listed.text
        answer = web.client.post("/api/departments", json=body, headers={"X-CSRF-Token": token})
        assert answer.status_code == 503, answer.text
        error = answer.json()["error"]
        assert error["code"] == "read_only" and "is read-only here" in error["message"], error
    assert "LZ-X1" not in {d["code"] for d in web.client.get("/api/departments").json()}


def test_the_sign_in_page_of_a_read_only_workspace_says_why_no_one_can_sign_in_and_how_to_read_instead(
    web: Web, backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    form = web.page_csrf("/login")  # a sign-in form opened before the store became read-only, posted after
    with web.sessions() as session:
        before = session.scalar(select(func.count()).select_from(AuditEvent))
    with _read_only(web, backend, tmp_path, monkeypatch):
        page = web.client.get("/login")
        assert page.status_code == 503 and page.headers["content-type"].startswith("text/html"), page.text
        assert 'id="login-form"' not in page.text and "此工作区为只读" in page.text
        assert "网页登录需要记录会话" in page.text
        for command in ("zhizhi status", "zhizhi audit verify", "zhizhi ledger verify", "zhizhi entities search"):
            assert f'<code translate="no">{command}</code>' in page.text, command
        posted = web.client.post(
            "/login", data={"username": "admin", "password": "wrong", "csrf_token": form}, follow_redirects=False
        )
        assert posted.status_code == 503 and 'id="read-only"' in posted.text, posted.text
        # A page asked for without a session leads to the sign-in page once, which says so: no loop, no 500.
        led = web.client.get("/hotline")
        assert led.status_code == 503 and 'id="read-only"' in led.text and len(led.history) == 1
        answer = web.client.post("/api/session", json={"username": "admin", "password": "demo"})
        error = answer.json()["error"]
        assert answer.status_code == 503 and error["code"] == "read_only", answer.text
        assert "Signing in records a session" in error["message"] and "`zhizhi status`" in error["message"]
        web.client.cookies.set("zhizhi_lang", "en")
        english = web.client.get("/login")
        assert english.status_code == 503 and "This workspace is read-only" in english.text
        assert "Read the data with the command line" in english.text and "此工作区" not in english.text
    with web.sessions() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == before
        assert session.scalar(select(func.count()).select_from(WebSession)) == 0


def test_an_api_token_reads_a_read_only_workspace_without_stamping_its_last_use(
    web: Web, backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    csrf = web.login("admin")
    secret = web.client.post("/api/tokens", json={"name": "auditor"}, headers={"X-CSRF-Token": csrf}).json()["secret"]
    web.client.cookies.clear()
    bearer = {"Authorization": f"Bearer {secret}"}
    assert web.client.get("/api/departments", headers=bearer).status_code == 200
    with web.sessions() as session:
        stamped = session.scalar(select(ApiToken.last_used_at))
    assert stamped is not None  # a writable store: each use stamped
    with _read_only(web, backend, tmp_path, monkeypatch):
        listed = web.client.get("/api/departments", headers=bearer)
        assert listed.status_code == 200 and "LZ" in {d["code"] for d in listed.json()}, listed.text
        body = {"code": "LZ-X1", "name": "新设局", "kind": "county", "parent_code": "LZ"}
        refused = web.client.post("/api/departments", json=body, headers=bearer)
        assert refused.status_code == 503 and refused.json()["error"]["code"] == "read_only", refused.text
        with web.sessions() as session:
            assert session.scalar(select(ApiToken.last_used_at)) == stamped
