"""The ledger's unsigned entries held against the store: what a signature does not cover yet, the outbox must bear out.

The chain needs no secret: anyone who can write to the database can append entries that chain correctly. A signed
checkpoint covers what it signs; the entries after the last one are covered by nothing yet, so before they are signed
(`sign_head`) and whenever the ledger is verified, each delivery's entry among them is held against its delivery in
the outbox: the delivery exists, and the entry names its target, idempotency key and record version. An entry that
does not is named, and not signed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.ledger.chain import entries
from zhizhi.store.tables import Delivery, LedgerCheckpoint

CHUNK = 500
_NAMED = (("target", "target"), ("idempotency_key", "idempotency_key"), ("record_version_id", "record_version_id"))


@dataclass(frozen=True)
class Unsigned:
    """The entries after the last signed checkpoint (`first` to `last`; none when `count` is 0) and the first of them
    the outbox does not bear out, with why."""

    first: int
    last: int
    count: int
    bad_seq: int | None = None
    problem: str | None = None


def last_signed(session: Session) -> int:
    """The highest entry a checkpoint signed (0: none)."""
    return int(session.scalar(select(LedgerCheckpoint.seq).order_by(LedgerCheckpoint.seq.desc()).limit(1)) or 0)


def unsigned_entries(session: Session, *, after: int, head: int) -> Unsigned:
    """Hold the entries `after`+1..`head` against the outbox; the first that it does not bear out, named."""
    if head <= after:
        return Unsigned(after + 1, head, 0)
    found = list(entries(session, start=after + 1, stop=head))
    wanted = sorted({int(e.subject_id) for e in found if e.subject_type == "delivery" and e.subject_id.isdigit()})
    known: dict[int, Delivery] = {}
    for start in range(0, len(wanted), CHUNK):
        part = wanted[start : start + CHUNK]
        known |= {d.id: d for d in session.scalars(select(Delivery).where(Delivery.id.in_(part)))}
    for entry in found:
        if entry.subject_type != "delivery" or entry.kind == "delivery.receipts":
            continue
        delivery = known.get(int(entry.subject_id)) if entry.subject_id.isdigit() else None
        if delivery is None:
            problem = f"entry {entry.seq} ({entry.kind}) names delivery {entry.subject_id}, which the outbox lacks"
            return Unsigned(after + 1, head, head - after, entry.seq, problem)
        payload = json.loads(entry.payload)
        for field, column in _NAMED:
            if field in payload and payload[field] != getattr(delivery, column):
                problem = (
                    f"entry {entry.seq} ({entry.kind}) gives delivery {delivery.id} the {field} "
                    f"`{payload[field]}`; the outbox has `{getattr(delivery, column)}`"
                )
                return Unsigned(after + 1, head, head - after, entry.seq, problem)
    return Unsigned(after + 1, head, head - after)
