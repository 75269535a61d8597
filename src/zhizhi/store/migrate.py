"""Alembic migrations, run from code: the only source of the schema."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from zhizhi.errors import DatabaseUnavailableError, SchemaOutdatedError
from zhizhi.store.engine import display_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    """An Alembic config that runs against `engine`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    """The newest revision this version of zhizhi knows."""
    script = ScriptDirectory(str(MIGRATIONS))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(bind: Engine | Connection) -> str | None:
    """The revision the database is at, or None when it has no zhizhi schema."""
    if isinstance(bind, Connection):
        return MigrationContext.configure(bind).get_current_revision()
    try:
        with bind.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except DBAPIError as exc:
        raise unavailable(bind, exc) from exc


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Migrate the database up to `revision`; returns the revision reached."""
    try:
        command.upgrade(alembic_config(engine), revision)
    except DBAPIError as exc:
        if exc.connection_invalidated or _is_connect_failure(exc):
            raise unavailable(engine, exc) from exc
        raise
    reached = current_revision(engine)
    assert reached is not None
    return reached


def check_schema(engine: Engine) -> None:
    """Refuse to work on a database that is unreachable or not at the head revision."""
    current = current_revision(engine)
    head = head_revision()
    if current != head:
        where = display_url(engine.url.render_as_string(hide_password=False))
        state = "has no zhizhi schema" if current is None else f"is at schema revision `{current}`"
        raise SchemaOutdatedError(f"Database `{where}` {state}; this version needs `{head}`. Run `zhizhi db upgrade`.")


def unavailable(engine: Engine, exc: DBAPIError) -> DatabaseUnavailableError:
    """A one-line error for a database that cannot be reached."""
    where = display_url(engine.url.render_as_string(hide_password=False))
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
    return DatabaseUnavailableError(
        f"Cannot connect to database `{where}` ({reason}). "
        "Check ZHIZHI_DATABASE_URL or `database.url` in zhizhi.yaml, and that the server is running."
    )


def _is_connect_failure(exc: DBAPIError) -> bool:
    text = str(exc.orig).lower()
    return any(s in text for s in ("connection refused", "could not connect", "unable to open database"))
