"""Bulk inserts of a frame's rows with fixed values: every text comes back as it went in, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from zhizhi.ingest.bulk import bulk_insert, stamp
from zhizhi.store.tables import Entity

ODD_TEXTS = [
    '{"名称":"柳州市\\"恒源\\"商贸"}',  # Chinese, JSON's escaped quotes
    "tab\there, line\nbreak, return\rand a back\\slash",  # what COPY's text format escapes
    "\\N",  # COPY's null marker, as a text
    "\\.",  # COPY's end-of-data marker, as a text
    "it's; 'quoted', \"twice\"",
    "",
    None,
]


def test_a_frames_rows_and_fixed_values_are_stored_as_given(sessions: sessionmaker[Session]) -> None:
    moment = datetime(2026, 12, 5, 8, 30, 15, 123456, tzinfo=UTC)
    frame = pl.DataFrame(
        {"id": range(1, len(ODD_TEXTS) + 1), "golden": [t or "{}" for t in ODD_TEXTS], "name": ODD_TEXTS},
        schema={"id": pl.Int64, "golden": pl.String, "name": pl.String},
    )
    with sessions() as session, session.begin():
        now = stamp(session, moment)
        fixed = {"status": "it's active", "records": 3, "merged_into": None, "created_at": now, "updated_at": now}
        bulk_insert(session, Entity, ("id", "golden", "name"), frame, fixed=fixed)
        bulk_insert(session, Entity, ("id", "golden", "name"), frame.clear(), fixed=fixed)  # nothing to insert
    with sessions() as session:
        stored = session.execute(select(Entity).order_by(Entity.id)).scalars().all()
        assert [(e.golden, e.name) for e in stored] == [(t or "{}", t) for t in ODD_TEXTS]
        fixed_back = {(e.status, e.records, e.merged_into, e.created_at) for e in stored}
        assert fixed_back == {("it's active", 3, None, moment)}


def test_many_rows_go_in_whole_in_order_from_a_frame_and_from_tuples(sessions: sessionmaker[Session]) -> None:
    """SQLite takes many rows a statement: a count that is no multiple of a statement's rows leaves none out or
    twice, and tuples go in as frames do."""
    moment = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    count = 1_234  # two full statements and part of a third
    names = [f"商户{n}" if n % 7 else None for n in range(count)]
    frame = pl.DataFrame({"id": range(1, count + 1), "golden": [f'{{"n":{n}}}' for n in range(count)], "name": names})
    tuples = [(count + 1 + n, f'{{"t":{n}}}', f"shop {n}", n % 5) for n in range(777)]
    with sessions() as session, session.begin():
        now = stamp(session, moment)
        fixed = {"status": "active", "records": 1, "created_at": now, "updated_at": now}
        bulk_insert(session, Entity, ("id", "golden", "name"), frame, fixed=fixed)
        fixed = {"status": "active", "created_at": now, "updated_at": now}
        bulk_insert(session, Entity, ("id", "golden", "name", "records"), tuples, fixed=fixed)
    with sessions() as session:
        stored = session.execute(select(Entity.id, Entity.golden, Entity.name, Entity.records).order_by(Entity.id))
        expected = [(n + 1, f'{{"n":{n}}}', names[n], 1) for n in range(count)] + tuples
        assert [tuple(row) for row in stored] == expected
