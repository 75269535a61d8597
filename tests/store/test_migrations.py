"""The schema comes from the migrations, and a database that is not ready is refused with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text

from zhizhi.errors import DatabaseUnavailableError, SchemaOutdatedError
from zhizhi.store import check_schema, current_revision, display_url, head_revision, make_engine, upgrade
from zhizhi.store.migrate import alembic_config
from zhizhi.store.tables import Base

TABLES = {"departments", "users", "user_roles", "api_tokens", "web_sessions", "login_attempts", "audit_events"}


def test_upgrade_builds_the_schema_the_models_describe(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    assert current_revision(engine) is None
    assert upgrade(engine) == head_revision()
    inspector = inspect(engine)
    assert TABLES <= set(inspector.get_table_names())
    for table in Base.metadata.sorted_tables:
        assert {c["name"] for c in inspector.get_columns(table.name)} == set(table.columns.keys()), table.name
    check_schema(engine)
    engine.dispose()


def test_upgrade_twice_is_harmless_and_downgrade_round_trips(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    upgrade(engine)
    assert upgrade(engine) == head_revision()
    command.downgrade(alembic_config(engine), "base")
    assert not TABLES & set(inspect(engine).get_table_names())
    assert upgrade(engine) == head_revision()
    engine.dispose()


def test_an_unmigrated_database_is_refused(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    with pytest.raises(SchemaOutdatedError, match=r"has no zhizhi schema.*Run `zhizhi db upgrade`"):
        check_schema(engine)
    engine.dispose()


def test_an_older_schema_is_refused(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    with pytest.raises(SchemaOutdatedError, match="schema revision `0000`"):
        check_schema(engine)
    engine.dispose()


def test_an_unreachable_server_is_one_clear_error() -> None:
    engine = make_engine("postgresql+psycopg://zhizhi:secret@127.0.0.1:1/none")
    with pytest.raises(DatabaseUnavailableError) as caught:
        check_schema(engine)
    message = caught.value.message
    assert "Cannot connect to database" in message and "ZHIZHI_DATABASE_URL" in message
    assert "secret" not in message and "\n" not in message


def test_passwords_never_show_in_urls() -> None:
    assert display_url("postgresql+psycopg://user:pa55@host/db") == "postgresql+psycopg://user:***@host/db"


@pytest.mark.sqlite
def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    engine: Engine = make_engine(f"sqlite:///{tmp_path}/x.db")
    with engine.begin() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 15000
    engine.dispose()


def test_a_store_holding_cases_and_their_pauses_upgrades_from_before_this_releases_migrations(
    empty_database_url: str,
) -> None:
    """0030 copied `cases` on SQLite to widen a column, and dropping the original failed on the pauses that refer to
    it (FOREIGN KEY constraint failed): a bureau's store could not be upgraded, though an empty one could."""
    engine = make_engine(empty_database_url)
    upgrade(engine, "0021")
    now = "2026-12-01 09:00:00"
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO departments (id, code, name, kind, path, created_at) "
                                "VALUES (1, 'LZ', '柳州市', 'bureau', '/1/', :now)"), {"now": now})
        connection.execute(text("INSERT INTO cases (id, number, kind, stage, desk_id, received_at, received_on, "
                                "extended, created_at, updated_at, routed_by) VALUES (1, '20260000001', 'complaint', "
                                "'accepted', 1, :now, '2026-12-01', :no, :now, :now, '改派：同一辖区')"),
                           {"now": now, "no": False})  # fmt: skip
        connection.execute(text("INSERT INTO case_pauses (case_id, reason, started_on, created_by) "
                                "VALUES (1, '送检', '2026-12-02', 'hotline')"))  # fmt: skip
    assert upgrade(engine) == head_revision()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT routed_by FROM cases")).scalar_one() == "改派：同一辖区"
        assert connection.execute(text("SELECT count(*) FROM case_pauses")).scalar_one() == 1
    engine.dispose()
