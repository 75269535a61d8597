"""What came in and what went out: batches, raw rows, records and their versions, quarantine, the ledger and the
outbox's deliveries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from zhizhi.store.tables.base import Base
from zhizhi.store.types import UTCDateTime

TICKETS = text("record_type = 'ticket'")  # the hotline's tickets among the records (a partial index's rows)


class Batch(Base):
    """One file (or one fetch) ingested for one source: its identity, its counts and its report.

    A batch is written in one transaction with all its rows, so a batch row exists only for a complete ingest;
    the check constraint enforces that every row read ended accepted, quarantined or skipped.
    """

    __tablename__ = "batches"
    __table_args__ = (
        CheckConstraint("rows_read = rows_accepted + rows_quarantined + rows_skipped", name="rows_add_up"),
        Index("ix_batches_source_file_hash", "source", "file_hash"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(64), index=True)
    record_type: Mapped[str] = mapped_column(String(32))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(300))
    file_hash: Mapped[str] = mapped_column(String(64))
    file_size: Mapped[int | None] = mapped_column(Integer)
    reader: Mapped[str] = mapped_column(String(32))
    encoding: Mapped[str | None] = mapped_column(String(32))
    watermark: Mapped[str | None] = mapped_column(String(200))
    rows_read: Mapped[int] = mapped_column(Integer)
    rows_accepted: Mapped[int] = mapped_column(Integer)
    rows_quarantined: Mapped[int] = mapped_column(Integer)
    rows_skipped: Mapped[int] = mapped_column(Integer)
    records_new: Mapped[int] = mapped_column(Integer)
    records_changed: Mapped[int] = mapped_column(Integer)
    records_unchanged: Mapped[int] = mapped_column(Integer)
    report: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_by: Mapped[str] = mapped_column(String(100))


class RawRow(Base):
    """A row exactly as read (header -> cell, JSON), where it was (sheet, row number) and how it ended."""

    __tablename__ = "raw_rows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    sheet: Mapped[str | None] = mapped_column(String(100))
    row_number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # accepted | quarantined | skipped
    reason: Mapped[str | None] = mapped_column(String(64))  # why skipped
    data: Mapped[str] = mapped_column(Text)
    # The record version an accepted row made or confirmed (not a foreign key: rows are written first).
    record_version_id: Mapped[int | None] = mapped_column(Integer, index=True)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when its personal cells were erased


class Record(Base):
    """One record of a source (identified by its key within the source) and its latest version."""

    __tablename__ = "records"
    __table_args__ = (
        UniqueConstraint("source", "key"),
        # A ticket found by its number alone, whatever channel's source holds it (the citizen's lookup): a partial
        # index, so that records of other types pay nothing for it when they are inserted.
        Index("ix_records_ticket_key", "key", sqlite_where=TICKETS, postgresql_where=TICKETS),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    record_type: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer)
    version_id: Mapped[int] = mapped_column(Integer)  # the latest record_versions.id (written after the record)
    content_hash: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RecordVersion(Base):
    """A record as one raw row made it: clean values (JSON), soft warnings, and the row it came from."""

    __tablename__ = "record_versions"
    __table_args__ = (UniqueConstraint("record_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))  # found through uq (record_id, version)
    version: Mapped[int] = mapped_column(Integer)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    raw_row_id: Mapped[int] = mapped_column(ForeignKey("raw_rows.id"))
    data: Mapped[str] = mapped_column(Text)
    warnings: Mapped[str | None] = mapped_column(Text)
    # The hash of the data as ingested, kept when the data is erased: see zhizhi.privacy.retention.
    content_hash: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when its personal data was erased


class QuarantineItem(Base):
    """A raw row held back by hard findings, until a steward fixes and replays it (or a corrected file does)."""

    __tablename__ = "quarantine_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    raw_row_id: Mapped[int] = mapped_column(ForeignKey("raw_rows.id"), unique=True)
    source: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # open | replayed | superseded
    reasons: Mapped[str] = mapped_column(String(400))  # " code code " for filtering
    findings: Mapped[str] = mapped_column(Text)
    fixes: Mapped[str | None] = mapped_column(Text)
    record_version_id: Mapped[int | None] = mapped_column(ForeignKey("record_versions.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str | None] = mapped_column(String(100))
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when its personal cells were erased


class LedgerEntry(Base):
    """One entry of the delivery ledger: what happened to which object, chained to the entry before it."""

    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_entries_subject", "subject_type", "subject_id"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(100))
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON, hashed as stored
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class LedgerCheckpoint(Base):
    """The ledger's head at a moment, signed with the workspace's Ed25519 key."""

    __tablename__ = "ledger_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, index=True)
    head_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    key_fingerprint: Mapped[str] = mapped_column(String(100))
    signature: Mapped[str] = mapped_column(String(200))


class ErasedFile(Base):
    """A file under the data folder that a retention run erased (or found holding nothing to erase), as it left it:
    a later run passes over it while its size and modification time are still these, and reads it again (comparing
    its SHA-256) when they are not."""

    __tablename__ = "erased_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(String(500), unique=True)  # relative to the data folder, with `/`
    size: Mapped[int] = mapped_column(BigInteger)
    mtime_ns: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime)


# The pending deliveries a worker may claim: not held behind an earlier delivery of the same record (the predicate
# of the claim's partial index, and of the claim itself).
DUE = text("status = 'pending' AND NOT held")


class Delivery(Base):
    """One record version owed to one target: the outbox row a worker sends, and its state.

    pending -> sent -> acknowledged | rejected (with the target's reason); or, when the target's retry time ran out,
    dead (it cannot have arrived) or unknown (the last tries timed out: it may have arrived; a receipt or a retry
    settles it); or withheld (never sent: a code has no single equivalent in the target's list, and the review item
    `review_item_id` names the steward's decision that releases it). The idempotency key (random, one per
    delivery) lets a receiver drop a duplicate.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("target", "record_version_id"),
        Index("ix_deliveries_target_status", "target", "status", "next_attempt_at", "id"),
        # The claim: the due pending deliveries not held, oldest due first (migration 0010).
        Index(
            "ix_deliveries_due",
            "target",
            "next_attempt_at",
            "id",
            postgresql_where=DUE,
            sqlite_where=DUE,
        ),
        Index(
            "ix_deliveries_held", "record_id", "target", "id", postgresql_where=text("held"), sqlite_where=text("held")
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    target: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    record_version_id: Mapped[int] = mapped_column(ForeignKey("record_versions.id"))
    record_key: Mapped[str] = mapped_column(String(500))  # deliveries of one record go in order
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    # Pending behind an earlier pending delivery of the same record and target: released when that one settles.
    held: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when its retries' time budget began
    # The code decision a withheld delivery waits for (migration 0015).
    review_item_id: Mapped[int | None] = mapped_column(ForeignKey("code_review_items.id"), index=True)
