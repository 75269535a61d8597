"""Write a batch's rows: raw rows as read, records and their versions, quarantine items; in bulk, in order.

Ingests are serialised (on PostgreSQL by an advisory lock held for the transaction; SQLite's write lock does it
there), which lets the writer number new rows itself and insert them through the driver's executemany without
reading ids back. Rows are built as tuples (from polars where possible): per-row Python work is what limits
the speed of a large file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from zhizhi.ingest.kinds import I
from zhizhi.ingest.mapping import HARD, KEY, Mapped
from zhizhi.ingest.read.base import ERROR, ROW, Skip
from zhizhi.ingest.report import ChunkStats, Tally, chunk_stats
from zhizhi.store.tables import Base, Delivery, QuarantineItem, RawRow, Record, RecordVersion
from zhizhi.store.types import UTCDateTime

INGEST_LOCK = 7_405_000_001  # the advisory lock key that serialises ingests on PostgreSQL
LOOKUP_SLICE = 2_000
KEY_SEED = 20261128  # keys are hashed only to tell, within one batch, which may have been made already
FINDING_FIELDS = ("code", "severity", "field", "column", "value", "message_zh", "message")
RAW_COLUMNS = ("id", "batch_id", "sheet", "row_number", "status", "reason", "data", "record_version_id")
RECORD_COLUMNS = ("id", "record_type", "source", "key", "version", "version_id", "content_hash")
VERSION_COLUMNS = ("id", "record_id", "version", "batch_id", "raw_row_id", "data", "warnings", "content_hash")
QUARANTINE_COLUMNS = ("id", "batch_id", "raw_row_id", "source", "status", "reasons", "findings")
DELIVERY_COLUMNS = (
    "id",
    "target",
    "record_id",
    "record_version_id",
    "record_key",
    "batch_id",
    "idempotency_key",
    "status",
    "attempts",
    "next_attempt_at",
    "created_at",
    "updated_at",
)


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


@dataclass(slots=True)
class Known:
    """A record as stored: id, latest version number and id, content hash."""

    id: int
    version: int
    version_id: int
    content_hash: str
    new: bool = False


def content_hash(data: str) -> str:
    return hashlib.blake2b(data.encode("utf-8"), digest_size=16).hexdigest()


def digest_column(data: pl.Series) -> pl.Series:
    """The content hash of each record's JSON."""
    return pl.Series("digest", [content_hash(d) for d in data.to_list()], dtype=pl.String)


def stamp(session: Session, moment: datetime) -> Any:
    """A timestamp as the driver takes it for a UTCDateTime column."""
    dialect = session.get_bind().dialect
    processor = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    return processor(moment) if processor else moment


def bulk_insert(session: Session, table: type[Base], columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert rows (tuples in the order of `columns`) through the driver's executemany."""
    if not rows:
        return
    connection = session.connection()
    quote = connection.dialect.identifier_preparer.quote
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {quote(table.__tablename__)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join([mark] * len(columns))})"
    )
    connection.exec_driver_sql(sql, list(rows))


def record_json(records: pl.DataFrame, columns: list[str]) -> pl.Series:
    """Each record as compact JSON without its empty fields."""
    encoded = records.select(pl.struct(columns).struct.json_encode().alias("d"))["d"]
    return encoded.str.replace_all(r',"[a-z_]+":null', "").str.replace(r'^\{"[a-z_]+":null,?', "{")


class BatchWriter:
    """Writes one batch's rows inside the caller's transaction and keeps its tally."""

    def __init__(
        self,
        session: Session,
        batch_id: int,
        source: str,
        record_type: str,
        now: datetime,
        targets: Sequence[str] = (),
    ) -> None:
        self.session = session
        self.batch_id = batch_id
        self.source = source
        self.now = stamp(session, now)
        self.ids = Ids(session)
        self.tally = Tally()
        self.versions = Versions(session, self.ids, source, record_type, now, targets)

    def write_skips(self, skips: Sequence[Skip]) -> None:
        if not skips:
            return
        first = self.ids.take(RawRow, len(skips))
        rows = [
            (
                first + n,
                self.batch_id,
                s.sheet,
                s.row,
                "skipped",
                s.reason,
                json.dumps({"text": s.text}, ensure_ascii=False),
                None,
            )
            for n, s in enumerate(skips)
        ]
        bulk_insert(self.session, RawRow, RAW_COLUMNS, rows)
        self.tally.add_skips(list(skips))

    def write_chunk(self, chunk: Encoded) -> None:
        """Store an encoded chunk: every row raw; accepted ones as record versions; the rest in quarantine."""
        height = chunk.rows.height
        first_raw = self.ids.take(RawRow, height)
        rows = chunk.rows.with_columns((pl.col(I).cast(pl.Int64) + first_raw).alias("raw_id"))
        accepted = rows.filter(~pl.col(HARD))
        plan = self.versions.plan(
            accepted.select("key", "data", "raw_id", "warnings", "digest"), self.batch_id, self.tally
        )
        raw = rows.join(plan.versions_by_row(), on="raw_id", how="left", maintain_order="left").select(
            "raw_id",
            pl.lit(self.batch_id).alias("batch_id"),
            pl.lit(chunk.sheet, dtype=pl.String).alias("sheet"),
            pl.col(ROW),
            pl.when(pl.col(HARD)).then(pl.lit("quarantined")).otherwise(pl.lit("accepted")).alias("status"),
            pl.lit(None, dtype=pl.String).alias("reason"),
            "raw",
            "version_id",
        )
        bulk_insert(self.session, RawRow, RAW_COLUMNS, raw.rows())
        self.versions.write(plan)
        quarantined = rows.filter(pl.col(HARD))
        if quarantined.height:
            first = self.ids.take(QuarantineItem, quarantined.height)
            items = quarantined.select(
                pl.int_range(first, first + quarantined.height, dtype=pl.Int64).alias("id"),
                pl.lit(self.batch_id).alias("batch_id"),
                "raw_id",
                pl.lit(self.source).alias("source"),
                pl.lit("open").alias("status"),
                "reasons",
                "findings",
            ).rows()
            columns = (*QUARANTINE_COLUMNS, "created_at", "updated_at")
            bulk_insert(self.session, QuarantineItem, columns, [(*item, self.now, self.now) for item in items])
        self.tally.accepted += accepted.height
        self.tally.quarantined += quarantined.height
        self.tally.add_chunk(chunk.stats)


@dataclass(frozen=True)
class Encoded:
    """A mapped chunk made ready to store, with no database work: one row per raw row, in file order, with its
    raw cells, clean record, key, warnings and findings as JSON; and the chunk's figures for the report."""

    sheet: str | None
    rows: pl.DataFrame  # _i, _row, _hard, key, data, warnings, raw, findings, reasons, digest
    stats: ChunkStats


def encode_chunk(frame: pl.DataFrame, mapped: Mapped, sheet: str | None, kind_columns: list[str]) -> Encoded:
    """Everything about a chunk that can be worked out beside the database (in the read-ahead thread)."""
    height = frame.height
    cells = [c for c in frame.columns if c not in (ROW, ERROR)]
    found = mapped.findings
    soft = _json_by_row(found.filter(pl.col("severity") == "soft"), "warnings")
    every = _json_by_row(found, "findings")
    reasons = (
        found.filter(pl.col("severity") == "hard")
        .group_by(I)
        .agg(pl.col("code").unique().sort().str.join(" ").alias("reasons"))
        .select(I, pl.format(" {} ", pl.col("reasons")).str.slice(0, 400).alias("reasons"))
    )
    rows = mapped.records.select(
        pl.int_range(0, height, dtype=pl.UInt32).alias(I),
        ROW,
        HARD,
        pl.col(KEY).alias("key"),
        record_json(mapped.records, kind_columns).alias("data"),
    ).with_columns(
        (frame.select(pl.struct(cells).struct.json_encode())[:, 0] if cells else pl.repeat("{}", height)).alias("raw")
    )
    for extra in (soft, every, reasons):
        rows = rows.join(extra, on=I, how="left", maintain_order="left")
    rows = rows.with_columns(pl.col("findings").fill_null("[]"), pl.col("reasons").fill_null(""))
    accepted = ~rows[HARD]
    digests = digest_column(rows.filter(accepted)["data"])  # hashed here, beside the database's work
    rows = rows.with_columns(pl.lit(None, dtype=pl.String).alias("digest"))
    rows = rows.with_columns(rows["digest"].scatter(accepted.arg_true(), digests))
    return Encoded(sheet, rows, chunk_stats(mapped.filled, found, mapped.records[ROW], sheet))


def _json_by_row(findings: pl.DataFrame, name: str) -> pl.DataFrame:
    """Per row position, the JSON list of its findings."""
    encoded = findings.select(I, pl.struct(list(FINDING_FIELDS)).struct.json_encode().alias("j"))
    return encoded.group_by(I).agg(pl.format("[{}]", pl.col("j").str.join(",")).alias(name))


@dataclass
class Plan:
    """What a set of accepted rows does to the records, and the rows to write.

    Rows of keys new to the source and seen once are planned column-wise (`fresh_*`); the others one by one.
    """

    version_of_row: dict[int, int] = field(default_factory=dict)
    new_records: dict[str, Known] = field(default_factory=dict)
    changed: dict[int, Known] = field(default_factory=dict)
    versions: list[tuple[Any, ...]] = field(default_factory=list)
    owed: list[tuple[int, int, str]] = field(
        default_factory=list
    )  # version, record, key of versions planned one by one
    fresh: pl.DataFrame | None = None  # raw_id, version_id, record_id, key, data, warnings, digest

    def versions_by_row(self) -> pl.DataFrame:
        """raw_id -> version_id for every row planned."""
        slow = pl.DataFrame(
            {"raw_id": list(self.version_of_row), "version_id": list(self.version_of_row.values())},
            schema={"raw_id": pl.Int64, "version_id": pl.Int64},
        )
        if self.fresh is None:
            return slow
        return pl.concat([self.fresh.select("raw_id", "version_id"), slow])


class Versions:
    """Turns accepted rows into record versions: a new record, a new version of a changed one, or nothing.

    Keys are looked up in the store only when they may be there: when the source had records before the batch
    began, or when the key's hash matches a record this batch made (a compact set of hashes, 8 bytes a record, is
    all the batch keeps in memory).
    """

    def __init__(
        self,
        session: Session,
        ids: Ids,
        source: str,
        record_type: str,
        now: datetime,
        targets: Sequence[str] = (),
    ) -> None:
        self.session, self.ids, self.source, self.record_type = session, ids, source, record_type
        self.targets = list(targets)  # every new version is owed to each of these
        self.moment, self.now = now, stamp(session, now)
        self.touched: dict[str, Known] = {}  # records planned one by one: a key seen twice, a changed record
        self.made = pl.Series("hash", [], dtype=pl.UInt64)  # hashes of the keys of the records this batch made
        self.stored_before = session.scalar(select(Record.id).where(Record.source == source).limit(1)) is not None

    def plan(self, rows: pl.DataFrame, batch_id: int, tally: Tally) -> Plan:
        """Plan accepted rows (columns key, data, raw_id, warnings; in file order): which version each makes or
        confirms. Write the raw rows, then the plan."""
        if "digest" not in rows.columns:
            rows = rows.with_columns(digest_column(rows["data"]))
        hashes = rows["key"].hash(seed=KEY_SEED)
        may_exist = hashes.is_in(self.made.implode())
        keys = rows["key"].to_list()
        wanted = keys if self.stored_before else rows["key"].filter(may_exist).to_list()
        known = self._known({k for k in wanted if k not in self.touched})
        slow_keys = set(self.touched).intersection(keys) | set(known)
        slow = rows["key"].is_in(list(slow_keys)) | rows["key"].is_duplicated()
        plan = Plan()
        fresh = rows.filter(~slow)
        if fresh.height:
            first_record, first_version = (
                self.ids.take(Record, fresh.height),
                self.ids.take(RecordVersion, fresh.height),
            )
            fresh = fresh.with_columns(
                pl.int_range(first_record, first_record + fresh.height, eager=True).alias("record_id"),
                pl.int_range(first_version, first_version + fresh.height, eager=True).alias("version_id"),
            )
            plan.fresh = fresh
            tally.new += fresh.height
        for key, data, raw_row_id, warnings, digest in (
            rows.filter(slow).select("key", "data", "raw_id", "warnings", "digest").rows()
        ):
            current = self.touched.get(key) or known.get(key)
            if current is not None and current.content_hash == digest:
                plan.version_of_row[raw_row_id] = current.version_id
                tally.unchanged += 1
                continue
            version_id = self.ids.take(RecordVersion, 1)
            if current is None:
                current = Known(self.ids.take(Record, 1), 1, version_id, digest, new=True)
                plan.new_records[key] = current
                tally.new += 1
            else:
                current.version, current.version_id, current.content_hash = current.version + 1, version_id, digest
                if not current.new:  # a record first made in this plan is inserted in its final state
                    plan.changed[current.id] = current
                tally.changed += 1
            self.touched[key] = current
            plan.version_of_row[raw_row_id] = version_id
            plan.versions.append(
                (version_id, current.id, current.version, batch_id, raw_row_id, data, warnings, digest, self.now)
            )
            plan.owed.append((version_id, current.id, key))
        self.batch_id = batch_id
        new_keys = pl.concat([fresh["key"], pl.Series(list(plan.new_records), dtype=pl.String)])
        self.made = pl.concat([self.made, new_keys.hash(seed=KEY_SEED)])
        return plan

    def write(self, plan: Plan) -> None:
        new = [
            (k.id, self.record_type, self.source, key, k.version, k.version_id, k.content_hash, self.now, self.now)
            for key, k in plan.new_records.items()
        ]
        if plan.fresh is not None:
            fresh = plan.fresh.select(
                "record_id",
                pl.lit(self.record_type).alias("record_type"),
                pl.lit(self.source).alias("source"),
                "key",
                pl.lit(1).alias("version"),
                "version_id",
                "digest",
            ).rows()
            new += [(*row, self.now, self.now) for row in fresh]
        bulk_insert(self.session, Record, (*RECORD_COLUMNS, "created_at", "updated_at"), new)
        for known in plan.new_records.values():
            known.new = False  # stored now: later chunks update it
        if plan.changed:
            self.session.execute(
                update(Record),
                [
                    {
                        "id": k.id,
                        "version": k.version,
                        "version_id": k.version_id,
                        "content_hash": k.content_hash,
                        "updated_at": self.moment,
                    }
                    for k in plan.changed.values()
                ],
            )
        versions = plan.versions
        if plan.fresh is not None:
            fresh = plan.fresh.select(
                "version_id",
                "record_id",
                pl.lit(1).alias("version"),
                pl.lit(self.batch_id).alias("batch_id"),
                "raw_id",
                "data",
                "warnings",
                "digest",
            ).rows()
            versions = versions + [(*row, self.now) for row in fresh]
        bulk_insert(self.session, RecordVersion, (*VERSION_COLUMNS, "created_at"), versions)
        self._enqueue(plan)

    def _enqueue(self, plan: Plan) -> None:
        """One pending delivery per new version and target, in the same transaction as the version."""
        if not self.targets:
            return
        owed = list(plan.owed)
        if plan.fresh is not None:
            owed += plan.fresh.select("version_id", "record_id", "key").rows()
        if not owed:
            return
        first = self.ids.take(Delivery, len(owed) * len(self.targets))
        pairs = [(target, item) for target in self.targets for item in owed]
        rows = [
            (first + n, target, record, version, key, self.batch_id, f"{version}-{target}", "pending", 0, self.now)
            + (self.now, self.now)
            for n, (target, (version, record, key)) in enumerate(pairs)
        ]
        bulk_insert(self.session, Delivery, DELIVERY_COLUMNS, rows)

    def _known(self, keys: Iterable[str]) -> dict[str, Known]:
        found: dict[str, Known] = {}
        wanted = sorted(keys)
        for start in range(0, len(wanted), LOOKUP_SLICE):
            part = wanted[start : start + LOOKUP_SLICE]
            query = select(Record.key, Record.id, Record.version, Record.version_id, Record.content_hash).where(
                Record.source == self.source, Record.key.in_(part)
            )
            for key, record_id, version, version_id, digest in self.session.execute(query):
                found[key] = Known(record_id, version, version_id, digest)
        return found
