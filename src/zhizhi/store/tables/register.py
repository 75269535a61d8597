"""The register (主体库): entities, their links to records, and the runs, edges, decisions and review pairs that
make them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from zhizhi.store.tables.base import Base
from zhizhi.store.types import UTCDateTime


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
    search: Mapped[str | None] = mapped_column(Text)  # names, pinyin initials, codes, address: never a personal value
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
