"""The ledger's chain: entries appended in order, each hashed over the one before it, and the walk that checks it.

An entry's hash is SHA-256 over the previous entry's hash and the entry's canonical JSON (its position, time, kind,
subject and payload), so editing, deleting, inserting or reordering any entry breaks every hash after it. The
tables refuse UPDATE and DELETE by trigger; the chain is what shows it when someone goes around them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event as orm_event
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from zhizhi.privacy.detect import mask_text
from zhizhi.store.tables import LedgerEntry
from zhizhi.store.types import iso_utc, utcnow

GENESIS = "0" * 64
_PG_LOCK = 7_405_000_002  # advisory lock id: one appender at a time extends the chain
_HEAD = "zhizhi.ledger.head"  # session.info key: the head as this transaction left it


NAMED = frozenset({"file"})
"""Payload keys whose values a person named (a file's name, as a department saved it): entered with ID, phone and
card numbers masked, since an entry is never erased and a proof carries it to third parties."""

_quote = json.encoder.encode_basestring  # a JSON string literal, non-ASCII kept, as json.dumps writes it


def canonical(value: Any) -> str:
    """The one JSON text of a value: keys sorted, no spaces, Chinese as is."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def entry_hash(prev_hash: str, seq: int, at: str, kind: str, subject_type: str, subject_id: str, payload: str) -> str:
    """SHA-256 over the previous hash and the entry's canonical JSON (`payload` is the stored JSON text).

    The JSON is `canonical([seq, at, kind, subject_type, subject_id, payload])`, written out directly (the same
    text, checked by the tests) because a verify computes it a million times.
    """
    body = f"[{int(seq)},{_quote(at)},{_quote(kind)},{_quote(subject_type)},{_quote(subject_id)},{_quote(payload)}]"
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


def append(session: Session, kind: str, subject_type: str, subject_id: str | int, payload: Mapping[str, Any]) -> int:
    """Append an entry in the caller's transaction (it commits, or not, with what it records); returns its seq."""
    return append_many(session, [(kind, subject_type, subject_id, payload)])


def append_many(session: Session, items: Iterable[tuple[str, str, str | int, Mapping[str, Any]]]) -> int:
    """Append entries (kind, subject type, subject id, payload) in order, in one statement; returns the last seq."""
    seq, prev_hash = _head(session)
    at = utcnow()
    rows = []
    for kind, subject_type, subject_id, payload in items:
        seq += 1
        body = canonical(_entered(payload))
        digest = entry_hash(prev_hash, seq, _iso(at), kind, subject_type, str(subject_id), body)
        rows.append(
            {
                "seq": seq,
                "at": at,
                "kind": kind,
                "subject_type": subject_type,
                "subject_id": str(subject_id),
                "payload": body,
                "prev_hash": prev_hash,
                "hash": digest,
            }
        )
        prev_hash = digest
    if rows:
        session.execute(insert(LedgerEntry), rows)
        session.info[_HEAD] = (seq, prev_hash)
    return seq


def _entered(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The payload as entered: what a person named (`NAMED`) masked by detection, the rest as given."""
    return {k: mask_text(v) if k in NAMED and isinstance(v, str) else v for k, v in payload.items()}


def _head(session: Session) -> tuple[int, str]:
    cached: tuple[int, str] | None = session.info.get(_HEAD)
    if cached is not None:
        return cached
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
    head = session.execute(select(LedgerEntry.seq, LedgerEntry.hash).order_by(LedgerEntry.seq.desc()).limit(1)).first()
    return (head.seq, head.hash) if head else (0, GENESIS)


@orm_event.listens_for(Session, "after_soft_rollback")
def forget_head(session: Session, previous_transaction: Any = None) -> None:
    """Drop the cached head: after a rollback the next append must read it again."""
    session.info.pop(_HEAD, None)


@dataclass(frozen=True)
class Entry:
    """An entry as plain values, as stored and as a proof carries it."""

    seq: int
    at: str
    kind: str
    subject_type: str
    subject_id: str
    payload: str
    prev_hash: str
    hash: str

    def computed_hash(self) -> str:
        return entry_hash(
            self.prev_hash, self.seq, self.at, self.kind, self.subject_type, self.subject_id, self.payload
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at,
            "kind": self.kind,
            "subject_type": self.subject_type,
            "subject_id": self.subject_id,
            "payload": self.payload,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


def entries(session: Session, *, start: int = 1, stop: int | None = None) -> Iterator[Entry]:
    """Entries in order from seq `start` to `stop` (inclusive), as plain values; streamed from the driver."""
    sql = (
        "SELECT seq, at, kind, subject_type, subject_id, payload, prev_hash, hash FROM ledger_entries "
        f"WHERE seq >= {int(start)}" + ("" if stop is None else f" AND seq <= {int(stop)}") + " ORDER BY seq"
    )
    connection = session.connection()
    result = connection.exec_driver_sql(sql, execution_options={"stream_results": True}).yield_per(5000)
    sqlite = connection.dialect.name == "sqlite"
    for seq, at, kind, subject_type, subject_id, payload, prev_hash, digest in result:
        # Stored naive UTC: SQLite keeps `2026-11-28 04:30:05.123456`, PostgreSQL gives a datetime.
        moment = at.replace(" ", "T") + "Z" if sqlite else at.isoformat(timespec="microseconds") + "Z"
        yield Entry(seq, moment, kind, subject_type, subject_id, payload, prev_hash, digest)


@dataclass(frozen=True)
class ChainCheck:
    """How far the chain is sound and, if not, the first bad entry."""

    ok: bool
    entries: int
    head_hash: str
    first_bad_seq: int | None = None
    problem: str | None = None


def check_chain(items: Iterator[Entry], *, start: int = 1, prev_hash: str = GENESIS) -> ChainCheck:
    """Walk entries from `start` (after `prev_hash`) and name the first edited, deleted, inserted or moved one."""
    expected, running, good = start, prev_hash, 0
    for item in items:
        if item.seq != expected:
            return ChainCheck(False, good, running, expected, f"entry {expected} is missing (next is {item.seq})")
        if item.prev_hash != running:
            return ChainCheck(
                False, good, running, item.seq, f"entry {item.seq} does not follow entry {item.seq - 1}: reordered"
            )
        if item.computed_hash() != item.hash:
            return ChainCheck(False, good, running, item.seq, f"entry {item.seq} does not match its hash: edited")
        running, expected, good = item.hash, expected + 1, good + 1
    return ChainCheck(True, good, running)


def _iso(moment: datetime) -> str:
    value = iso_utc(moment)
    assert value is not None
    return value


def recent(session: Session, *, kind: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """The newest `limit` entries (of one kind, if given), oldest of them first, payloads parsed."""
    query = select(LedgerEntry).order_by(LedgerEntry.seq.desc()).limit(limit)
    if kind:
        query = query.where(LedgerEntry.kind == kind)
    return [
        {
            "seq": e.seq,
            "at": iso_utc(e.at),
            "kind": e.kind,
            "subject_type": e.subject_type,
            "subject_id": e.subject_id,
            "payload": json.loads(e.payload),
            "hash": e.hash,
        }
        for e in reversed(list(session.scalars(query)))
    ]


def latest_seq(session: Session, subject_type: str, subject_id: str | int) -> int | None:
    """The newest entry about one subject (a delivery's latest outcome, say), or None."""
    return session.scalar(
        select(func.max(LedgerEntry.seq)).where(
            LedgerEntry.subject_type == subject_type, LedgerEntry.subject_id == str(subject_id)
        )
    )
