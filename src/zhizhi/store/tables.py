"""The tables of the store. Alembic migrations create them; this module only describes them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from zhizhi.store.types import UTCDateTime, utcnow

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
TICKETS = text("record_type = 'ticket'")  # the hotline's tickets among the records (a partial index's rows)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Department(Base):
    """A node of the bureau's tree: bureau, section (科室), county office or grassroots office (基层所)."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    # "/1/4/9/": the ids from the root down, so a subtree is one prefix match.
    path: Mapped[str] = mapped_column(String(400), index=True)
    division_code: Mapped[str | None] = mapped_column(String(6))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(Base):
    """A person who signs in; belongs to one department and holds one or more roles."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    department: Mapped[Department] = relationship(lazy="joined")
    roles: Mapped[list[UserRole]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="UserRole.role"
    )

    @property
    def role_names(self) -> list[str]:
        return [r.role for r in self.roles]


class UserRole(Base):
    """One role held by one user."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)


class ApiToken(Base):
    """A machine client's credential; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")


class PlatformToken(Base):
    """A downstream platform's own credential: it settles deliveries of its one target, and nothing else."""

    __tablename__ = "platform_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebSession(Base):
    """A browser login; the cookie holds a random secret whose SHA-256 is the key here."""

    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ip: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User] = relationship(lazy="joined")


class LoginAttempt(Base):
    """One sign-in try, kept for rate limiting."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "at"),
        Index("ix_login_attempts_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    success: Mapped[bool] = mapped_column(Boolean)


class AuditEvent(Base):
    """One entry of the append-only, hash-chained audit trail."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(100), index=True)
    actor_user_id: Mapped[int | None] = mapped_column(Integer)
    department_id: Mapped[int | None] = mapped_column(Integer, index=True)
    ip: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(200))
    purpose: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class CodeList(Base):
    """A code list (GB/T 4754-2017, a county's local business formats, ...): its name, hierarchy rule, provenance."""

    __tablename__ = "code_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    # "parent": each code names its parent; "prefix": the parent is the code's prefix of the next shorter length.
    hierarchy: Mapped[str] = mapped_column(String(16))
    prefix_lengths: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text, default="")
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CodeListVersion(Base):
    """One imported version of a code list; older versions stay, so records keep the version they were coded in."""

    __tablename__ = "code_list_versions"
    __table_args__ = (UniqueConstraint("list_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("code_lists.id"), index=True)
    version: Mapped[str] = mapped_column(String(32))
    valid_from: Mapped[date | None] = mapped_column(Date)
    file_name: Mapped[str] = mapped_column(String(260))
    file_hash: Mapped[str] = mapped_column(String(64))
    codes_count: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(100))


class Code(Base):
    """One code of one version of a list."""

    __tablename__ = "codes"
    __table_args__ = (UniqueConstraint("version_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("code_list_versions.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    parent: Mapped[str | None] = mapped_column(String(32))
    level: Mapped[int] = mapped_column(Integer)
    initials: Mapped[str] = mapped_column(String(200), default="")
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    remark: Mapped[str | None] = mapped_column(Text)


class Crosswalk(Base):
    """A correspondence from one code list to another."""

    __tablename__ = "crosswalks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    from_list: Mapped[str] = mapped_column(String(64), index=True)
    to_list: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text, default="")
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CrosswalkVersion(Base):
    """One imported version of a crosswalk; the newest is in force."""

    __tablename__ = "crosswalk_versions"
    __table_args__ = (UniqueConstraint("crosswalk_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    crosswalk_id: Mapped[int] = mapped_column(ForeignKey("crosswalks.id"), index=True)
    version: Mapped[str] = mapped_column(String(32))
    file_name: Mapped[str] = mapped_column(String(260))
    file_hash: Mapped[str] = mapped_column(String(64))
    pairs_count: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(100))


class CrosswalkPair(Base):
    """One row of a crosswalk: from-code to to-code, perhaps only when a record's field has a value, for a period."""

    __tablename__ = "crosswalk_pairs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("crosswalk_versions.id", ondelete="CASCADE"), index=True)
    from_code: Mapped[str] = mapped_column(String(32))
    to_code: Mapped[str] = mapped_column(String(32))
    relation: Mapped[str] = mapped_column(String(4))
    rule_field: Mapped[str | None] = mapped_column(String(64))
    rule_value: Mapped[str | None] = mapped_column(String(200))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    line: Mapped[int] = mapped_column(Integer)


class CodeDecision(Base):
    """A data steward's answer for a code the crosswalks leave unmapped or ambiguous; reused from then on."""

    __tablename__ = "code_decisions"
    __table_args__ = (Index("ix_code_decisions_lookup", "from_list", "to_list", "from_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_list: Mapped[str] = mapped_column(String(64))
    to_list: Mapped[str] = mapped_column(String(64))
    from_code: Mapped[str] = mapped_column(String(32))
    context: Mapped[str] = mapped_column(String(400), default="{}")
    to_code: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class CodeReviewItem(Base):
    """A code seen in real data that has no single translation, waiting for a steward."""

    __tablename__ = "code_review_items"
    __table_args__ = (UniqueConstraint("from_list", "to_list", "from_code", "context"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_list: Mapped[str] = mapped_column(String(64))
    to_list: Mapped[str] = mapped_column(String(64))
    from_code: Mapped[str] = mapped_column(String(32))
    context: Mapped[str] = mapped_column(String(400), default="{}")
    kind: Mapped[str] = mapped_column(String(16))
    candidates: Mapped[str] = mapped_column(Text, default="[]")
    rows_affected: Mapped[int] = mapped_column(Integer, default=0)
    seen_in: Mapped[str] = mapped_column(String(260), default="")
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)


class CoverageRun(Base):
    """A coverage report kept for the UI: how the codes of one data set translate from one list to another."""

    __tablename__ = "coverage_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(String(260), index=True)
    from_list: Mapped[str] = mapped_column(String(64))
    to_list: Mapped[str] = mapped_column(String(64))
    report: Mapped[str] = mapped_column(Text)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    computed_by: Mapped[str] = mapped_column(String(100))


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


class ResolveRun(Base):
    """One run of entity resolution: what it read, what it linked, and the model it scored with."""

    __tablename__ = "resolve_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_by: Mapped[str] = mapped_column(String(100))
    records_read: Mapped[int] = mapped_column(Integer)
    records_new: Mapped[int] = mapped_column(Integer)  # new or changed since the last run: the ones scored
    edges_new: Mapped[int] = mapped_column(Integer)
    entities_new: Mapped[int] = mapped_column(Integer)
    entities_merged: Mapped[int] = mapped_column(Integer)
    review_new: Mapped[int] = mapped_column(Integer)
    model: Mapped[str | None] = mapped_column(Text)  # the trained parameters, JSON
    settings: Mapped[str | None] = mapped_column(Text)  # thresholds and survivorship it ran with, JSON


class Entity(Base):
    """One market entity in the register (主体库): its golden fields and where each came from.

    The id never changes because new data arrived. When evidence or a steward joins two entities, the younger one
    is `merged` into the older (`merged_into`), so its old address still leads to the entity.
    """

    __tablename__ = "entities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(16))  # active | merged
    merged_into: Mapped[int | None] = mapped_column(ForeignKey("entities.id"))
    name: Mapped[str | None] = mapped_column(String(300), index=True)
    uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    phone: Mapped[str | None] = mapped_column(String(40), index=True)
    address: Mapped[str | None] = mapped_column(String(500))
    search: Mapped[str | None] = mapped_column(Text)  # name, pinyin initials, address and phones, lower case
    initials: Mapped[str | None] = mapped_column(Text)  # the name's pinyin initials, kept to spare recomputing them
    golden: Mapped[str] = mapped_column(Text)  # field -> {value, record_id, source, batch_id, sheet, row, at}
    records: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EntityLink(Base):
    """A record's place in the register: which entity, how it was linked, from which version."""

    __tablename__ = "entity_links"

    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), primary_key=True, autoincrement=False)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    first_entity_id: Mapped[int] = mapped_column(Integer)  # the entity it was first linked to: revived on an undo
    record_version_id: Mapped[int] = mapped_column(Integer)
    how: Mapped[str] = mapped_column(String(16))  # uscc | reg_no | model | steward | alone
    score: Mapped[float | None] = mapped_column(Float)
    run_id: Mapped[int] = mapped_column(ForeignKey("resolve_runs.id"))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ResolveEdge(Base):
    """A scored pair of records: the evidence clusters are built from, kept for incremental runs and review."""

    __tablename__ = "resolve_edges"
    __table_args__ = (Index("ix_resolve_edges_right", "record_id_r"),)

    record_id_l: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    record_id_r: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    how: Mapped[str] = mapped_column(String(16))
    probability: Mapped[float] = mapped_column(Float)
    weight: Mapped[float | None] = mapped_column(Float)
    why: Mapped[str | None] = mapped_column(Text)
    run_id: Mapped[int] = mapped_column(Integer)


class ResolveDecision(Base):
    """A steward's word on a pair: the same entity (`merge`) or not (`apart`); undone, not deleted."""

    __tablename__ = "resolve_decisions"
    __table_args__ = (Index("ix_resolve_decisions_pair", "record_id_l", "record_id_r"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # merge | apart
    record_id_l: Mapped[int] = mapped_column(ForeignKey("records.id"))
    record_id_r: Mapped[int] = mapped_column(ForeignKey("records.id"))
    reason: Mapped[str] = mapped_column(String(500))
    decided_by: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    undone_by: Mapped[str | None] = mapped_column(String(100))
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReviewPair(Base):
    """A pair that scored between the thresholds: both records side by side and why, for a steward."""

    __tablename__ = "review_pairs"
    __table_args__ = (UniqueConstraint("record_id_l", "record_id_r"), Index("ix_review_pairs_status", "status"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id_l: Mapped[int] = mapped_column(ForeignKey("records.id"))
    record_id_r: Mapped[int] = mapped_column(ForeignKey("records.id"))
    probability: Mapped[float] = mapped_column(Float)
    why: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # open | merged | apart
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("resolve_decisions.id"))
    run_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Case(Base):
    """One grievance on the hotline desk, however many tickets brought it (zhizhi.hotline.cases).

    stage: received (待受理) -> accepted (已受理) -> closed (已办结); or received -> closed when not accepted.
    """

    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_stage_office_id", "stage", "office_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # complaint | report | consultation | suggestion | other
    stage: Mapped[str] = mapped_column(String(16))
    desk_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))  # the department whose source brought it
    office_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))  # routed to
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    routed_by: Mapped[str | None] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)  # its first ticket's moment
    received_on: Mapped[date] = mapped_column(Date, index=True)  # that moment's day in China (the clocks' start)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    respondent_name: Mapped[str | None] = mapped_column(String(300))
    respondent_uscc: Mapped[str | None] = mapped_column(String(18))
    respondent_address: Mapped[str | None] = mapped_column(String(500))
    respondent_division: Mapped[str | None] = mapped_column(String(6))
    entity_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id"), index=True)
    decision: Mapped[str | None] = mapped_column(String(24))
    decision_reason: Mapped[str | None] = mapped_column(String(32))
    result: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    extended: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # +15 days approved
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CaseTicket(Base):
    """A ticket record's place in a case: how it came there, and the answer version it was sent (once)."""

    __tablename__ = "case_tickets"

    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), primary_key=True, autoincrement=False)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    how: Mapped[str] = mapped_column(String(16))  # first | merged | confirmed | moved
    score: Mapped[float | None] = mapped_column(Float)
    reasons: Mapped[str | None] = mapped_column(Text)  # JSON list
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    joined_by: Mapped[str] = mapped_column(String(100))
    answer_version_id: Mapped[int | None] = mapped_column(ForeignKey("record_versions.id"))
    from_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))  # where a move took it from (undo)


class CaseSuggestion(Base):
    """A ticket that may belong to another case (scored between the thresholds), for a handler to decide."""

    __tablename__ = "case_suggestions"
    __table_args__ = (UniqueConstraint("record_id", "case_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[str] = mapped_column(Text)  # JSON list
    status: Mapped[str] = mapped_column(String(16), index=True)  # open | confirmed | apart | void
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(100))


class CasePause(Base):
    """Days a case's clocks do not count (testing, appraisal: Art 20 of the rules); `ended_on` empty while running."""

    __tablename__ = "case_pauses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    reason: Mapped[str] = mapped_column(String(200))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(100))


# --- Random inspections (双随机、一公开): migration 0013 ---


class InspectionItem(Base):
    """One item of the inspection-item list (抽查事项清单): what is checked, on what legal basis, by which department,
    and on which entities (those the register holds a record of one of `record_types` for)."""

    __tablename__ = "inspection_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    legal_basis: Mapped[str] = mapped_column(Text)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    record_types: Mapped[str] = mapped_column(String(200))  # comma list of record types, e.g. "licence"
    qualification: Mapped[str | None] = mapped_column(String(64))  # what an inspector sent for it must hold
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(100))


class InspectionTarget(Base):
    """One entity of the inspection-target register (检查对象名录库): its office, its risk class and the reasons.

    Rebuilt from the register by `zhizhi.inspections.refresh_targets`; what an import set by hand (`manual_class`,
    an office with `office_source` = import) survives a rebuild.
    """

    __tablename__ = "inspection_targets"
    __table_args__ = (Index("ix_inspection_targets_risk_class", "risk_class"),)

    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), primary_key=True, autoincrement=False)
    name: Mapped[str | None] = mapped_column(String(300))
    uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    division_code: Mapped[str | None] = mapped_column(String(6))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    office_source: Mapped[str] = mapped_column(String(16))  # division | county | import | none
    record_types: Mapped[str] = mapped_column(String(200))  # comma list: the kinds of records held on it
    risk_class: Mapped[str] = mapped_column(String(8))  # high | medium | low
    risk_score: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[str] = mapped_column(Text)  # JSON list of {code, points, zh, en}
    last_inspected_on: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean)  # false: cancelled, revoked or moved out; never drawn
    manual_class: Mapped[str | None] = mapped_column(String(8))
    manual_reason: Mapped[str | None] = mapped_column(String(200))
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Inspector(Base):
    """One person of the inspector register (执法检查人员名录库): a user, the office they inspect for, what they are
    qualified for, and whether they can be sent now."""

    __tablename__ = "inspectors"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, autoincrement=False)
    office_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    qualifications: Mapped[str] = mapped_column(String(400), default="")  # comma list
    certificate: Mapped[str | None] = mapped_column(String(64))  # 执法证号
    available: Mapped[bool] = mapped_column(Boolean, default=True)
    unavailable_until: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(100))


class InspectorRelation(Base):
    """A relation an inspector declared with an entity (回避): never drawn to inspect it while not withdrawn."""

    __tablename__ = "inspector_relations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    relation: Mapped[str] = mapped_column(String(200))
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime)
    declared_by: Mapped[str] = mapped_column(String(100))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class InspectionPlan(Base):
    """A draw plan (抽查计划): its items, population filter, proportion per risk class and period, as `rules` (JSON,
    committed to the ledger with the seed's hash)."""

    __tablename__ = "inspection_plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    rules: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InspectionDraw(Base):
    """One seeded draw of a plan: the seed's hash committed first, then the frozen population, the result, and the
    seed revealed (status committed -> drawn)."""

    __tablename__ = "inspection_draws"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("inspection_plans.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    seed_hash: Mapped[str] = mapped_column(String(64))
    commit_seq: Mapped[int] = mapped_column(Integer)
    committed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    committed_by: Mapped[str] = mapped_column(String(100))
    seed: Mapped[str | None] = mapped_column(String(64))  # hex; revealed after the draw
    snapshot_hash: Mapped[str | None] = mapped_column(String(64))
    snapshot_file: Mapped[str | None] = mapped_column(String(300))  # under the workspace's data folder
    population: Mapped[int | None] = mapped_column(Integer)
    inspectors: Mapped[int | None] = mapped_column(Integer)
    result_hash: Mapped[str | None] = mapped_column(String(64))
    reveal_seq: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str | None] = mapped_column(Text)  # JSON
    drawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    drawn_by: Mapped[str | None] = mapped_column(String(100))


class InspectionPublication(Base):
    """One export of results for the enterprise credit publicity system: its file, hash and when it was made."""

    __tablename__ = "inspection_publications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    file_name: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    visits: Mapped[int] = mapped_column(Integer)
    ledger_seq: Mapped[int] = mapped_column(Integer)
    made_by: Mapped[str] = mapped_column(String(100))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InspectionVisit(Base):
    """One visit to one entity by one team: the items of every department on it (a joint visit when several), the
    results entered once, the firm's acknowledgement, and the publication deadline.

    status: assigned -> done; or merged (its items moved into `merged_into`).
    """

    __tablename__ = "inspection_visits"
    __table_args__ = (Index("ix_inspection_visits_status_publish_by", "status", "publish_by"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(48), unique=True)
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_draws.id"), index=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    entity_name: Mapped[str] = mapped_column(String(300))
    entity_uscc: Mapped[str | None] = mapped_column(String(18))
    address: Mapped[str | None] = mapped_column(String(500))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)  # the organiser
    office_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)  # the target's office
    risk_class: Mapped[str | None] = mapped_column(String(8))
    rank: Mapped[int | None] = mapped_column(Integer)  # its place in the draw's order
    status: Mapped[str] = mapped_column(String(16))
    merged_into: Mapped[int | None] = mapped_column(ForeignKey("inspection_visits.id"))
    planned_on: Mapped[date | None] = mapped_column(Date)
    inspected_on: Mapped[date | None] = mapped_column(Date, index=True)
    acknowledgement: Mapped[str | None] = mapped_column(String(16))  # signed | refused | absent
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    remark: Mapped[str | None] = mapped_column(String(1000))
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str | None] = mapped_column(String(100))
    publish_by: Mapped[date | None] = mapped_column(Date)  # the 20th working day after `inspected_on`
    publication_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_publications.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class VisitInspector(Base):
    """An inspector of a visit's team: drawn (in draw order) or a drawn replacement; one removed keeps the row."""

    __tablename__ = "inspection_visit_inspectors"

    visit_id: Mapped[int] = mapped_column(ForeignKey("inspection_visits.id"), primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, autoincrement=False, index=True)
    position: Mapped[int] = mapped_column(Integer)
    how: Mapped[str] = mapped_column(String(16))  # drawn | replacement | merged
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_reason: Mapped[str | None] = mapped_column(String(200))
    removed_by: Mapped[str | None] = mapped_column(String(100))


class VisitItem(Base):
    """One item checked on a visit, its department, and the finding (empty until the results are entered)."""

    __tablename__ = "inspection_visit_items"

    visit_id: Mapped[int] = mapped_column(ForeignKey("inspection_visits.id"), primary_key=True, autoincrement=False)
    item_id: Mapped[int] = mapped_column(ForeignKey("inspection_items.id"), primary_key=True, autoincrement=False)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    result: Mapped[str | None] = mapped_column(String(16))  # pass | rectify | fail | not_found
    note: Mapped[str | None] = mapped_column(String(1000))
    record_id: Mapped[int | None] = mapped_column(Integer)  # the inspection record its department was delivered


class DrawExclusion(Base):
    """Why a draw passed over someone: a recently inspected target, or an inspector drawn for a target and excluded
    for a conflict of interest (own office, a declared relation, the same target within N months)."""

    __tablename__ = "inspection_exclusions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("inspection_draws.id"), index=True)
    entity_id: Mapped[int] = mapped_column(Integer, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    rule: Mapped[str] = mapped_column(String(24))
    detail: Mapped[str | None] = mapped_column(String(300))


class InspectionPhoto(Base):
    """A photo taken at a visit, kept under the workspace's data folder; its location stripped unless kept on
    purpose."""

    __tablename__ = "inspection_photos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("inspection_visits.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_items.id"))
    file_name: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(32))
    location_kept: Mapped[bool] = mapped_column(Boolean, default=False)
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)


# --- Tasks across departments and office capacity: migration 0014 ---


# Parts whose handover waits for the receiver: at most one per part (the partial unique index of migration 0014).
HANDOVER_PENDING = text("status = 'pending'")


class Task(Base):
    """A job across departments (zhizhi.tasks): a lead department (牵头) and parts, each with its owner."""

    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # RW2026-0007
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    lead_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    start_on: Mapped[date] = mapped_column(Date)  # the day working-day deadlines count from (not counted)
    source: Mapped[str | None] = mapped_column(String(300))  # the file it was created from
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TaskPart(Base):
    """One department's part of a task: what, by when, with which evidence, and who owns it now.

    status: open -> done. A part always has an owning department, and may name a person in it.
    """

    __tablename__ = "task_parts"
    __table_args__ = (UniqueConstraint("task_id", "seq"), Index("ix_task_parts_status_deadline", "status", "deadline"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))  # found through uq (task_id, seq)
    seq: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    deadline: Mapped[date] = mapped_column(Date)
    deadline_rule: Mapped[str] = mapped_column(String(60))  # `10 working days` or `2026-12-20`, as written
    evidence: Mapped[str] = mapped_column(String(8))  # files | text | either | both
    evidence_note: Mapped[str | None] = mapped_column(String(500))  # what the evidence must show
    status: Mapped[str] = mapped_column(String(16))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TaskHandover(Base):
    """A part offered to another department (or person): the giver owns it until the receiver accepts.

    status: pending -> accepted | refused | withdrawn.
    """

    __tablename__ = "task_handovers"
    __table_args__ = (
        Index(
            "ix_task_handovers_pending",
            "part_id",
            unique=True,
            postgresql_where=HANDOVER_PENDING,
            sqlite_where=HANDOVER_PENDING,
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("task_parts.id"), index=True)
    from_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    from_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    to_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16))
    asked_by: Mapped[str] = mapped_column(String(100))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_by: Mapped[str | None] = mapped_column(String(100))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer: Mapped[str | None] = mapped_column(String(500))  # the receiver's reason for refusing


class TaskEvidence(Base):
    """Evidence that a part was done: a file (its bytes, bounded) or a text."""

    __tablename__ = "task_evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("task_parts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # file | text
    name: Mapped[str | None] = mapped_column(String(200))
    media_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    text: Mapped[str | None] = mapped_column(Text)
    added_by: Mapped[str] = mapped_column(String(100))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OfficeCapacity(Base):
    """What an office can carry (zhizhi.workload): its staff and the work items one person has in hand a month."""

    __tablename__ = "office_capacities"
    __table_args__ = (CheckConstraint("staff >= 0 AND per_person >= 1", name="sensible"),)

    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), primary_key=True, autoincrement=False)
    staff: Mapped[int] = mapped_column(Integer)
    per_person: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(200))
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
