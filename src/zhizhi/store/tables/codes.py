"""Code lists, crosswalks, their versions, and the decisions and review items of codes that do not translate."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from zhizhi.store.tables.base import Base
from zhizhi.store.types import UTCDateTime, utcnow


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
    rows_affected: Mapped[int] = mapped_column(Integer, default=0)  # the sum of `origins`
    seen_in: Mapped[str] = mapped_column(String(260), default="")
    origins: Mapped[str | None] = mapped_column(Text)  # JSON: each origin (source, target, file) -> its rows
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
