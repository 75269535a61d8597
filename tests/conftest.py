"""Fixtures: every store test runs on a fresh SQLite file and, when ZHIZHI_TEST_DATABASE_URL is set, on PostgreSQL.

The schema always comes from the real Alembic migrations: a template database is migrated once per test
session and copied for each test (a file copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from zhizhi.access import Actor
from zhizhi.codes import install_builtin
from zhizhi.config import Workspace, init_workspace, normalize_database_url
from zhizhi.delivery import Outbox, TargetConfig
from zhizhi.demo import DEMO_PASSWORD, load_demo
from zhizhi.store import make_engine, make_sessionmaker, upgrade

PG_ENV = "ZHIZHI_TEST_DATABASE_URL"
RECORD_TYPES = ("entity", "licence", "inspection", "equipment")
OPERATOR = Actor.operator("cli:test")

__all__ = ["DEMO_PASSWORD", "OPERATOR", "Outbox", "outbox"]


def pytest_report_header() -> str:
    url = os.environ.get(PG_ENV)
    return f"PostgreSQL: {url}" if url else f"PostgreSQL: not configured ({PG_ENV} unset), PostgreSQL tests skip"


def prepare(url: str, *, with_city: bool) -> None:
    """Migrate a template database and, for the city template, load the demo city (hashing is slow: once)."""
    engine = make_engine(url)
    upgrade(engine)
    if with_city:
        with make_sessionmaker(engine)() as session, session.begin():
            install_builtin(session, OPERATOR)
            load_demo(session, OPERATOR)
    engine.dispose()


class PostgresServer:
    """Creates and drops throwaway databases on the server named by ZHIZHI_TEST_DATABASE_URL."""

    def __init__(self, url: str) -> None:
        self.url = make_url(normalize_database_url(url))
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        tag = uuid.uuid4().hex[:10]
        self.templates = {"schema": f"zhizhi_tpl_{tag}", "city": f"zhizhi_tplc_{tag}"}
        for kind, name in self.templates.items():
            self._run(f'CREATE DATABASE "{name}"')
            prepare(self.url_for(name), with_city=kind == "city")

    def url_for(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def create(self, template: str | None) -> str:
        name = f"zhizhi_t_{uuid.uuid4().hex[:12]}"
        self._run(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{self.templates[template]}"' if template else ""))
        return name

    def drop(self, name: str) -> None:
        self._run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        for name in self.templates.values():
            self.drop(name)
        self.admin.dispose()

    def _run(self, sql: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(sql))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"no PostgreSQL server configured: set {PG_ENV} to run this test on PostgreSQL")
    server = PostgresServer(url)
    yield server
    server.close()


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("templates")
    paths = {"schema": folder / "schema.db", "city": folder / "city.db"}
    for kind, path in paths.items():
        prepare(f"sqlite:///{path}", with_city=kind == "city")
    return paths


@pytest.fixture(
    params=[pytest.param("sqlite", marks=pytest.mark.sqlite), pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh database at the head revision, on each backend in turn.

    Tests that ask for `city` get the built-in code lists and the demo city's departments and users in it already.
    """
    template = "city" if "city" in request.fixturenames else "schema"
    if backend == "sqlite":
        target = tmp_path / "zhizhi.db"
        shutil.copyfile(request.getfixturevalue("sqlite_templates")[template], target)
        yield f"sqlite:///{target}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.create(template)
    yield server.url_for(name)
    server.drop(name)


@pytest.fixture
def empty_database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database with no schema at all, on each backend in turn."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.create(None)
    yield server.url_for(name)
    server.drop(name)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


@pytest.fixture
def city(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """The store with the demo city's departments and users loaded (from the city template)."""
    return sessions


@pytest.fixture
def workspace(tmp_path: Path, database_url: str) -> Workspace:
    """A workspace whose zhizhi.yaml points at the test database."""
    root = tmp_path / "ws"
    init_workspace(root, name="测试市市场监督管理局")
    config = yaml.safe_load((root / "zhizhi.yaml").read_text(encoding="utf-8"))
    config["database"]["url"] = database_url
    (root / "zhizhi.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    from zhizhi.config import load_workspace

    return load_workspace(root)


@dataclass
class Web:
    """The app behind an ASGI test client, with the demo city loaded."""

    client: TestClient
    workspace: Workspace
    sessions: sessionmaker[Session]

    def login(self, username: str, password: str = DEMO_PASSWORD) -> str:
        """Sign in through the API; returns the session's CSRF token."""
        response = self.client.post("/api/session", json={"username": username, "password": password})
        assert response.status_code == 200, response.text
        return str(response.json()["csrf_token"])

    def login_form(self, username: str, password: str = DEMO_PASSWORD) -> None:
        """Sign in through the HTML form, as a browser would."""
        page = self.client.get("/login")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        response = self.client.post(
            "/login", data={"username": username, "password": password, "csrf_token": token}, follow_redirects=False
        )
        assert response.status_code == 303, response.text

    def page_csrf(self, path: str = "/") -> str:
        """The CSRF token embedded in a page's forms."""
        return self.client.get(path).text.split('name="csrf_token" value="')[1].split('"')[0]


@pytest.fixture
def web(workspace: Workspace, city: sessionmaker[Session]) -> Iterator[Web]:
    from zhizhi.web.app import create_app

    app = create_app(workspace)
    with TestClient(app, base_url="http://testserver") as client:
        yield Web(client=client, workspace=workspace, sessions=app.state.context.sessions)
    app.state.context.engine.dispose()


def outbox(*names: str) -> Outbox:
    """An outbox whose targets `names` take every record of the built-in types (for tests without target files)."""
    return Outbox(
        tuple(
            TargetConfig.model_validate(
                {
                    "name": name,
                    "owner": "LZ-XY",
                    "record_types": list(RECORD_TYPES),
                    "fields": {"X": {"value": "x"}},
                    "transport": {"kind": "file", "folder": "out"},
                }
            )
            for name in names
        )
    )


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the whole session, shared by the browser tests of every directory."""
    from tests.browser.conftest import chromium

    yield from chromium()
