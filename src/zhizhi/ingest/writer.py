"""Write a batch's rows: raw rows as read, records and their versions, quarantine items; in bulk, in order.

Ingests are serialised (on PostgreSQL by an advisory lock held for the transaction; SQLite's write lock does it
there), which lets the writer number new rows itself and insert them in bulk without reading ids back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from zhizhi.ingest.kinds import I
from zhizhi.ingest.mapping import HARD, KEY, Mapped
from zhizhi.ingest.read.base import ERROR, ROW, Skip
from zhizhi.ingest.report import Tally
from zhizhi.store.tables import Base, QuarantineItem, RawRow, Record, RecordVersion

INGEST_LOCK = 7_405_000_001  # the advisory lock key that serialises ingests on PostgreSQL
LOOKUP_SLICE = 2_000
FINDING_FIELDS = ("code", "severity", "field", "column", "value", "message_zh", "message")


def lock_ingest(session: Session) -> None:
    """Hold the ingest lock until the transaction ends (PostgreSQL; SQLite's write lock serialises already)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": INGEST_LOCK})


class Ids:
    """The next free id of each table this transaction writes to."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.next: dict[str, int] = {}

    def take(self, table: type[Base], count: int) -> int:
        """Reserve `count` ids and return the first."""
        name = table.__tablename__
        if name not in self.next:
            column = table.__table__.c.id
            self.next[name] = (self.session.scalar(select(func.max(column))) or 0) + 1
        first = self.next[name]
        self.next[name] = first + count
        return first


@dataclass
class Known:
    """A record as stored: id, latest version number and id, content hash."""

    id: int
    version: int
    version_id: int
    content_hash: str
    new: bool = False


def content_hash(data: str) -> str:
    return hashlib.blake2b(data.encode("utf-8"), digest_size=16).hexdigest()


def findings_json(findings: pl.DataFrame) -> dict[int, str]:
    """Per row position, the JSON list of its findings."""
    if findings.is_empty():
        return {}
    encoded = findings.select(I, pl.struct(list(FINDING_FIELDS)).struct.json_encode().alias("j"))
    grouped = encoded.group_by(I).agg(pl.col("j").str.join(","))
    return {int(i): f"[{j}]" for i, j in grouped.iter_rows()}


class BatchWriter:
    """Writes one batch's rows inside the caller's transaction and keeps its tally."""

    def __init__(self, session: Session, batch_id: int, source: str, record_type: str, now: datetime) -> None:
        self.session = session
        self.batch_id = batch_id
        self.source = source
        self.record_type = record_type
        self.now = now
        self.ids = Ids(session)
        self.tally = Tally()
        self.versions = Versions(session, self.ids, source, record_type, now)

    def write_skips(self, skips: Sequence[Skip]) -> None:
        if not skips:
            return
        first = self.ids.take(RawRow, len(skips))
        rows = [
            {
                "id": first + n,
                "batch_id": self.batch_id,
                "sheet": s.sheet,
                "row_number": s.row,
                "status": "skipped",
                "reason": s.reason,
                "data": json.dumps({"text": s.text}, ensure_ascii=False),
                "record_version_id": None,
            }
            for n, s in enumerate(skips)
        ]
        self.session.execute(insert(RawRow), rows)
        self.tally.add_skips(list(skips))

    def write_chunk(self, frame: pl.DataFrame, mapped: Mapped, sheet: str | None, kind_columns: list[str]) -> None:
        """Store a mapped chunk: every row raw; accepted ones as record versions; the rest in quarantine."""
        height = frame.height
        cells = [c for c in frame.columns if c not in (ROW, ERROR)]
        raw_json = frame.select(pl.struct(cells).struct.json_encode().alias("j"))["j"].to_list() if cells else []
        hard = mapped.records[HARD].to_list()
        data = mapped.records.select(pl.struct(kind_columns).struct.json_encode().alias("d"))["d"].to_list()
        keys = mapped.records[KEY].to_list()
        rows = mapped.records[ROW].to_list()
        soft = findings_json(mapped.findings.filter(pl.col("severity") == "soft"))
        every = findings_json(mapped.findings)
        first_raw = self.ids.take(RawRow, height)

        accepted = [i for i in range(height) if not hard[i]]
        plan = self.versions.plan(
            [(keys[i], data[i], first_raw + i, soft.get(i)) for i in accepted], self.batch_id, self.tally
        )
        version_of_row = plan.version_of_row
        self.session.execute(
            insert(RawRow),
            [
                {
                    "id": first_raw + i,
                    "batch_id": self.batch_id,
                    "sheet": sheet,
                    "row_number": rows[i],
                    "status": "quarantined" if hard[i] else "accepted",
                    "reason": None,
                    "data": raw_json[i] if raw_json else "{}",
                    "record_version_id": version_of_row.get(first_raw + i),
                }
                for i in range(height)
            ],
        )
        self.versions.write(plan)
        quarantined = [i for i in range(height) if hard[i]]
        if quarantined:
            self._quarantine(quarantined, first_raw, every, mapped.findings)
        self.tally.accepted += len(accepted)
        self.tally.quarantined += len(quarantined)
        self.tally.add_chunk(mapped.filled, mapped.findings, mapped.records[ROW], sheet)

    def _quarantine(self, positions: list[int], first_raw: int, every: dict[int, str], findings: pl.DataFrame) -> None:
        codes = findings.filter(pl.col("severity") == "hard").group_by(I).agg(pl.col("code").unique().sort())
        reasons = {int(i): " " + " ".join(c) + " " for i, c in codes.iter_rows()}
        first = self.ids.take(QuarantineItem, len(positions))
        self.session.execute(
            insert(QuarantineItem),
            [
                {
                    "id": first + n,
                    "batch_id": self.batch_id,
                    "raw_row_id": first_raw + i,
                    "source": self.source,
                    "status": "open",
                    "reasons": reasons.get(i, "")[:400],
                    "findings": every.get(i, "[]"),
                    "fixes": None,
                    "record_version_id": None,
                    "created_at": self.now,
                    "updated_at": self.now,
                    "updated_by": None,
                }
                for n, i in enumerate(positions)
            ],
        )


@dataclass
class Plan:
    """What a set of accepted rows does to the records: raw row id -> version id, and the rows to write."""

    version_of_row: dict[int, int]
    new_records: dict[str, Known]
    changed: dict[int, Known]
    versions: list[dict[str, Any]]


class Versions:
    """Turns accepted rows into record versions: a new record, a new version of a changed one, or nothing."""

    def __init__(self, session: Session, ids: Ids, source: str, record_type: str, now: datetime) -> None:
        self.session, self.ids, self.source, self.record_type, self.now = session, ids, source, record_type, now

    def plan(self, rows: list[tuple[str, str, int, str | None]], batch_id: int, tally: Tally) -> Plan:
        """Plan (key, data JSON, raw row id, warnings JSON) rows in order: which version each row makes or
        confirms. Write the raw rows, then the plan."""
        known = self._known({key for key, _, _, _ in rows})
        versions: list[dict[str, Any]] = []
        version_of_row: dict[int, int] = {}
        new_records: dict[str, Known] = {}
        changed: dict[int, Known] = {}
        for key, data, raw_row_id, warnings in rows:
            digest = content_hash(data)
            current = known.get(key)
            if current is not None and current.content_hash == digest:
                version_of_row[raw_row_id] = current.version_id
                tally.unchanged += 1
                continue
            version_id = self.ids.take(RecordVersion, 1)
            if current is None:
                current = Known(self.ids.take(Record, 1), 1, version_id, digest, new=True)
                known[key] = new_records[key] = current
                tally.new += 1
            else:
                current.version, current.version_id, current.content_hash = current.version + 1, version_id, digest
                if not current.new:
                    changed[current.id] = current
                tally.changed += 1
            version_of_row[raw_row_id] = version_id
            versions.append(
                {
                    "id": version_id,
                    "record_id": current.id,
                    "version": current.version,
                    "batch_id": batch_id,
                    "raw_row_id": raw_row_id,
                    "data": data,
                    "warnings": warnings,
                    "content_hash": digest,
                    "created_at": self.now,
                }
            )
        return Plan(version_of_row, new_records, changed, versions)

    def write(self, plan: Plan) -> None:
        new_records, changed, versions = plan.new_records, plan.changed, plan.versions
        if new_records:
            self.session.execute(
                insert(Record),
                [
                    {
                        "id": k.id,
                        "record_type": self.record_type,
                        "source": self.source,
                        "key": key,
                        "version": k.version,
                        "version_id": k.version_id,
                        "content_hash": k.content_hash,
                        "created_at": self.now,
                        "updated_at": self.now,
                    }
                    for key, k in new_records.items()
                ],
            )
        if changed:
            self.session.execute(
                update(Record),
                [
                    {
                        "id": k.id,
                        "version": k.version,
                        "version_id": k.version_id,
                        "content_hash": k.content_hash,
                        "updated_at": self.now,
                    }
                    for k in changed.values()
                ],
            )
        if versions:
            self.session.execute(insert(RecordVersion), versions)

    def _known(self, keys: Iterable[str]) -> dict[str, Known]:
        wanted = sorted(keys)
        found: dict[str, Known] = {}
        for start in range(0, len(wanted), LOOKUP_SLICE):
            part = wanted[start : start + LOOKUP_SLICE]
            query = select(Record.key, Record.id, Record.version, Record.version_id, Record.content_hash).where(
                Record.source == self.source, Record.key.in_(part)
            )
            for key, record_id, version, version_id, digest in self.session.execute(query):
                found[key] = Known(record_id, version, version_id, digest)
        return found
