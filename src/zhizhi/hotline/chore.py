"""The worker's chore of the hotline desk: new tickets into cases, and tickets sent again looked at, as they come."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, select

from zhizhi.access.roles import Actor
from zhizhi.config import Workspace
from zhizhi.hotline.take import BATCH, take_in
from zhizhi.store.tables import CaseTicket, Record, RecordVersion


@dataclass
class DeskChore:
    """The worker's chore: every couple of seconds, new tickets into cases and tickets sent again with other facts
    (one short transaction). It looks only above the highest record and version ids it has seen, and at every record
    again every ten minutes (and when it starts)."""

    sessions: Any
    workspace: Workspace
    seen: int = 0
    versions_seen: int = 0
    full_at: float = 0.0
    __name__: str = "the hotline desk's intake"

    def __call__(self) -> None:
        from zhizhi.store.engine import READING

        now = time.monotonic()
        after, versions_after = (0, 0) if now >= self.full_at else (self.seen, self.versions_seen)
        waiting = ~exists().where(CaseTicket.record_id == Record.id)
        with self.sessions() as session:  # a look first, with no write lock: most ticks find nothing
            session.connection(execution_options={READING: True})
            top = session.scalar(select(func.max(Record.id))) or 0
            top_version = session.scalar(select(func.max(RecordVersion.id))) or 0
            pending = session.scalar(
                select(Record.id).where(Record.record_type == "ticket", Record.id > after, waiting).limit(1)
            )
            again = session.scalar(
                select(RecordVersion.id)
                .join(Record, Record.version_id == RecordVersion.id)
                .where(RecordVersion.id > versions_after, RecordVersion.version > 1, Record.record_type == "ticket")
                .limit(1)
            )
        if pending is not None or again is not None:
            with self.sessions() as session, session.begin():
                done = take_in(session, Actor.operator("zhizhi worker"), self.workspace, after=after,
                               versions_after=versions_after)  # fmt: skip
            if done.tickets >= BATCH or done.rechecked >= BATCH:  # more to take: look again from where this began
                return
        self.seen, self.versions_seen = top, top_version
        if after == 0:
            self.full_at = now + 600
