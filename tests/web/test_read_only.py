"""The web on a store that only reads here (a read-only copy served, a PostgreSQL database that only reads): a write
is a 503 `read_only` in the one error shape, saying so in the visitor's language, never an internal error."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from tests.conftest import Web


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
