"""Query results as frames and conditions on long id lists, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from zhizhi.ingest.bulk import bulk_insert, stamp
from zhizhi.store.frames import SLICE, among, frame
from zhizhi.store.tables import Entity


def test_an_id_list_longer_than_a_statement_binds_is_matched_whole(sessions: sessionmaker[Session]) -> None:
    size = 2 * SLICE + 7  # more than one slice, and on PostgreSQL one array parameter
    with sessions() as session, session.begin():
        now = stamp(session, datetime(2026, 11, 28, tzinfo=UTC))
        rows = [(i, "active", "{}", i % 3, now, now) for i in range(1, size + 1)]
        bulk_insert(session, Entity, ("id", "status", "golden", "records", "created_at", "updated_at"), rows)
        wanted = list(range(2, size + 1, 2)) + [size + 100]  # every other one, and one that is not there
        found = [
            row
            for condition in among(session, Entity.id, wanted)
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
