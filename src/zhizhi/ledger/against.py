"""The ledger's unsigned entries held against the store: what a signature does not cover yet, the store must bear out.

The chain needs no secret: anyone who can write to the database can append entries that chain correctly. A signed
checkpoint covers what it signs; the entries after the last one are covered by nothing yet, so before they are signed
(`sign_head`) and whenever the ledger is verified, each of them is held against the row its fact is about:

- an entry is of a kind zhizhi writes, about the kind of subject that kind is about;
- a delivery's entry names the delivery's target, idempotency key and record version (all three), and the last entry
  of a delivery says the state the outbox holds it in (`acknowledged` only of an acknowledged delivery), unless an
  entry newer than those checked says otherwise;
- a batch's entry names the batch's source and file hash; a draw's, a draw of that number and seed hash; a
  publication's, the publication of that number, file hash and entry; an erasure's, the erasure audited with it.

An entry that is not borne out is named, and not signed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhizhi.ledger.chain import Entry, entries
from zhizhi.store.tables import (
    AuditEvent,
    Batch,
    Delivery,
    InspectionDraw,
    InspectionPublication,
    LedgerCheckpoint,
    LedgerEntry,
)

CHUNK = 500
_NAMED = ("target", "idempotency_key", "record_version_id")
STATE_AFTER = {
    "delivery.sent": "sent",
    "delivery.acknowledged": "acknowledged",
    "delivery.rejected": "rejected",
    "delivery.retry": "pending",
    "delivery.dead": "dead",
    "delivery.unknown": "unknown",
    "delivery.withheld": "withheld",
    "delivery.superseded": "superseded",
    "delivery.requeued": "pending",
}
"""Each kind of a delivery's entry, and the state it leaves the delivery in."""
SUBJECTS = {
    **dict.fromkeys(STATE_AFTER, "delivery"),
    "batch.ingested": "batch",
    **dict.fromkeys(("draw.commit", "draw.reveal", "draw.void", "draw.replace"), "inspection_draw"),
    "inspection.publish": "inspection_publication",
    "privacy.erased": "retention",
}
"""Every kind of entry zhizhi writes, with the kind of subject it is about."""


@dataclass(frozen=True)
class Unsigned:
    """The entries after the last signed checkpoint (`first` to `last`; none when `count` is 0) and the first of them
    the store does not bear out, with why."""

    first: int
    last: int
    count: int
    bad_seq: int | None = None
    problem: str | None = None


def last_signed(session: Session) -> int:
    """The highest entry a checkpoint signed (0: none)."""
    return int(session.scalar(select(LedgerCheckpoint.seq).order_by(LedgerCheckpoint.seq.desc()).limit(1)) or 0)


def unsigned_entries(session: Session, *, after: int, head: int) -> Unsigned:
    """Hold the entries `after`+1..`head` against the store; the first that it does not bear out, named."""
    if head <= after:
        return Unsigned(after + 1, head, 0)
    found = list(entries(session, start=after + 1, stop=head))
    rows = _Rows(session, found)
    last_of: dict[int, Entry] = {}
    for entry in found:
        problem = _problem(entry, rows)
        if problem is not None:
            return Unsigned(after + 1, head, head - after, entry.seq, f"entry {entry.seq} ({entry.kind}) {problem}")
        if entry.subject_type == "delivery":
            last_of[int(entry.subject_id)] = entry
    for delivery_id, entry in sorted(last_of.items(), key=lambda item: item[1].seq):
        delivery = rows.deliveries[delivery_id]
        said = STATE_AFTER[entry.kind]
        if delivery.status != said and not _newer_entry(session, delivery_id, head):
            problem = (
                f"entry {entry.seq} ({entry.kind}) leaves delivery {delivery_id} {said}; the outbox holds it "
                f"{delivery.status}"
            )
            return Unsigned(after + 1, head, head - after, entry.seq, problem)
    return Unsigned(after + 1, head, head - after)


class _Rows:
    """The rows the entries are about, each kind read once (in slices)."""

    def __init__(self, session: Session, found: list[Entry]) -> None:
        def ids(subject: str, number: bool) -> list[Any]:
            named = {e.subject_id for e in found if e.subject_type == subject}
            return sorted(int(i) for i in named if i.isdigit()) if number else sorted(named)

        def read(column: Any, wanted: list[Any]) -> dict[Any, Any]:
            table = column.class_
            got: dict[Any, Any] = {}
            for start in range(0, len(wanted), CHUNK):
                part = wanted[start : start + CHUNK]
                got |= {getattr(row, column.key): row for row in session.scalars(select(table).where(column.in_(part)))}
            return got

        self.deliveries: dict[int, Delivery] = read(Delivery.id, ids("delivery", True))
        self.batches: dict[int, Batch] = read(Batch.id, ids("batch", True))
        self.draws: dict[str, InspectionDraw] = read(InspectionDraw.number, ids("inspection_draw", False))
        self.publications: dict[str, InspectionPublication] = read(
            InspectionPublication.number, ids("inspection_publication", False)
        )
        erasures = [str(e.seq) for e in found if e.kind == "privacy.erased"]
        audited = select(AuditEvent.object_id).where(AuditEvent.object_type == "retention")
        self.erasures = set(session.scalars(audited.where(AuditEvent.object_id.in_(erasures)))) if erasures else set()


def _problem(entry: Entry, rows: _Rows) -> str | None:
    """Why the store does not bear the entry out (None: it does)."""
    subject = SUBJECTS.get(entry.kind)
    if subject is None:
        return "is of a kind zhizhi never writes"
    if entry.subject_type != subject:
        return f"is about a `{entry.subject_type}`; entries of its kind are about a `{subject}`"
    try:
        payload = json.loads(entry.payload)
    except ValueError:
        return "holds no JSON payload"
    if not isinstance(payload, dict):
        return "holds no JSON object"
    return CHECKS[subject](entry, payload, rows)


def _delivery(entry: Entry, payload: dict[str, Any], rows: _Rows) -> str | None:
    delivery = rows.deliveries.get(int(entry.subject_id)) if entry.subject_id.isdigit() else None
    if delivery is None:
        return f"names delivery {entry.subject_id}, which the outbox lacks"
    named: tuple[str, ...] = _NAMED
    if entry.kind == "delivery.requeued":  # as entries of earlier versions wrote it: the key (or, made new, no key)
        named = ("target",) if set(payload) == {"target", "why"} and payload["why"] == "new" else _NAMED[:2]
    missing = next((field for field in named if field not in payload), None)
    if missing is not None:
        return f"does not name delivery {delivery.id}'s {missing}"
    return _differs(payload, delivery, f"delivery {delivery.id}", _NAMED, "the outbox")


def _batch(entry: Entry, payload: dict[str, Any], rows: _Rows) -> str | None:
    batch = rows.batches.get(int(entry.subject_id)) if entry.subject_id.isdigit() else None
    if batch is None:
        return f"names batch {entry.subject_id}, which the store lacks"
    return _differs({"source": None, "file_hash": None} | payload, batch, f"batch {batch.id}", ("source", "file_hash"))


def _draw(entry: Entry, payload: dict[str, Any], rows: _Rows) -> str | None:
    draw = rows.draws.get(entry.subject_id)
    if draw is None:
        return f"names draw {entry.subject_id}, which the store lacks"
    return _differs(payload, draw, f"draw {draw.number}", ("seed_hash",))


def _differs(
    payload: dict[str, Any], row: Any, what: str, fields: tuple[str, ...], holder: str = "the store"
) -> str | None:
    """The first of `fields` the payload gives (it may leave one out) with another value than the row holds."""
    for field in fields:
        if field in payload and payload[field] != getattr(row, field):
            return f"gives {what} the {field} `{payload[field]}`; {holder} has `{getattr(row, field)}`"
    return None


def _publication(entry: Entry, payload: dict[str, Any], rows: _Rows) -> str | None:
    made = rows.publications.get(entry.subject_id)
    if made is None:
        return f"names publication {entry.subject_id}, which the store lacks"
    if payload.get("sha256") != made.sha256 or made.ledger_seq != entry.seq:
        return f"does not match publication {made.number} (its file's hash and its entry)"
    return None


def _erasure(entry: Entry, payload: dict[str, Any], rows: _Rows) -> str | None:
    if str(entry.seq) not in rows.erasures:
        return "records an erasure that no audited retention run made"
    return None


CHECKS: dict[str, Callable[[Entry, dict[str, Any], _Rows], str | None]] = {
    "delivery": _delivery,
    "batch": _batch,
    "inspection_draw": _draw,
    "inspection_publication": _publication,
    "retention": _erasure,
}


def _newer_entry(session: Session, delivery_id: int, head: int) -> bool:
    """Whether an entry after `head` (written since the entries were read) is about the delivery."""
    newer = select(func.count()).where(
        LedgerEntry.seq > head, LedgerEntry.subject_type == "delivery", LedgerEntry.subject_id == str(delivery_id)
    )
    return bool(session.scalar(newer))
