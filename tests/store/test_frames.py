"""Query results as frames and conditions on long id lists, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from zhizhi.ingest.bulk import bulk_insert, bulk_update, stamp
from zhizhi.store import frames
from zhizhi.store.frames import SLICE, among, frame
from zhizhi.store.tables import Entity


@pytest.mark.parametrize("json_each", [True, False], ids=["one-parameter", "in-slices"])
def test_an_id_list_longer_than_a_statement_binds_is_matched_whole(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch, json_each: bool
) -> None:
    size = 4 * SLICE + 7  # wanted: more than one slice; one parameter on PostgreSQL and on SQLite with json_each
    if not json_each:  # a SQLite without JSON functions (PostgreSQL takes its array either way)
        monkeypatch.setattr(frames, "JSON_EACH", (999,))
    with sessions() as session, session.begin():
        now = stamp(session, datetime(2026, 11, 28, tzinfo=UTC))
        rows = [(i, "active", "{}", i % 3, now, now) for i in range(1, size + 1)]
        bulk_insert(session, Entity, ("id", "status", "golden", "records", "created_at", "updated_at"), rows)
        wanted = list(range(2, size + 1, 2)) + [size + 100]  # every other one, and one that is not there
        conditions = list(among(session, Entity.id, wanted))
        dialect = session.get_bind().dialect.name
        assert len(conditions) == (-(-len(wanted) // SLICE) if dialect == "sqlite" and not json_each else 1)
        found = [
            row
            for condition in conditions
            for row in session.execute(select(Entity.id, Entity.records).where(condition))
        ]
        assert sorted(entity_id for entity_id, _ in found) == list(range(2, size + 1, 2))
        assert list(among(session, Entity.id, [])) == []
        counted = frame(
            session,
            select(Entity.records, func.count()).group_by(Entity.records).order_by(Entity.records),
            {"records": pl.Int64, "n": pl.Int64},
        )
        assert counted["n"].to_list() == [size // 3, (size + 2) // 3, (size + 1) // 3] and counted["n"].sum() == size


def test_bulk_writes_insert_and_update_by_key(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        now = stamp(session, datetime(2026, 11, 28, tzinfo=UTC))
        columns = ("id", "status", "golden", "records", "name", "created_at", "updated_at")
        bulk_insert(session, Entity, columns, [(i, "active", "{}", 1, f"名称{i}", now, now) for i in range(1, 101)])
        later = stamp(session, datetime(2026, 11, 29, tzinfo=UTC))
        changed = [(i, f"新名称{i}", i * 2, None, later) for i in range(1, 101, 10)]  # key first, then the columns
        bulk_update(session, Entity, "id", ("name", "records", "merged_into", "updated_at"), changed)
        rows = {e.id: e for e in session.scalars(select(Entity))}
    assert len(rows) == 100
    assert rows[11].name == "新名称11" and rows[11].records == 22 and rows[11].updated_at.day == 29
    assert rows[12].name == "名称12" and rows[12].records == 1 and rows[12].updated_at.day == 28  # untouched


def test_a_bulk_insert_that_breaks_a_key_raises_the_stores_integrity_error(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        now = stamp(session, datetime(2026, 11, 28, tzinfo=UTC))
        columns = ("id", "status", "golden", "records", "created_at", "updated_at")
        bulk_insert(session, Entity, columns, [(1, "active", "{}", 1, now, now)])
        with pytest.raises(IntegrityError), session.begin_nested():
            bulk_insert(session, Entity, columns, [(2, "active", "{}", 1, now, now), (1, "active", "{}", 1, now, now)])
        assert session.scalar(select(func.count()).select_from(Entity)) == 1  # nothing of the failed insert
