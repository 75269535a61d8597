"""Tasks across departments (their parts, handovers and evidence) and office capacity."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from zhizhi.store.tables.base import Base
from zhizhi.store.types import UTCDateTime

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
