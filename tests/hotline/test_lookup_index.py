"""The citizen's lookup finds a ticket by its number through the tickets' own index, not by reading every record
(a public page, open to anyone: its cost must not grow with the store)."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from zhizhi.store.tables import TICKETS, Record, RecordVersion


def test_the_lookup_by_number_reads_the_tickets_index(city: sessionmaker[Session], backend: str) -> None:
    query = (
        select(Record.id, RecordVersion.data)
        .join(RecordVersion, RecordVersion.id == Record.version_id)
        .where(TICKETS, Record.key == "number=12315-2026-000001")
    )
    with city() as session:
        bind = session.get_bind()
        sql = str(query.compile(bind, compile_kwargs={"literal_binds": True}))
        if backend == "postgresql":
            session.execute(text("SET LOCAL enable_seqscan = off"))  # an empty table: ask whether the index serves
            plan = "\n".join(row[0] for row in session.execute(text("EXPLAIN " + sql)))
        else:
            plan = "\n".join(str(row[-1]) for row in session.execute(text("EXPLAIN QUERY PLAN " + sql)))
    assert "ix_records_ticket_key" in plan, plan
