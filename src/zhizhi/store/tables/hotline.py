"""The hotline desk: cases, their tickets, merge suggestions and the pauses of their clocks."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from zhizhi.store.tables.base import Base
from zhizhi.store.types import UTCDateTime


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
    routed_by: Mapped[str | None] = mapped_column(String(600))  # a rule's name, or 改派： and a handler's reason
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
    # The steps that start and end the clocks of Art 21, 23, 30 and 31 (zhizhi.hotline.case_clocks.mark).
    told_on: Mapped[date | None] = mapped_column(Date)  # a terminated mediation's parties, a named reporter
    lead_found_on: Mapped[date | None] = mapped_column(Date)  # a lead found during mediation (Art 23)
    lead_checked_on: Mapped[date | None] = mapped_column(Date)
    lead_extended: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    disputed_on: Mapped[date | None] = mapped_column(Date)  # offices disputing which handles it (Art 30)
    settled_on: Mapped[date | None] = mapped_column(Date)
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
    # JSON list, oldest first: every merge that moved it, `{"case": id, "how": how}` (the last is `from_case_id`)
    origins: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int | None] = mapped_column(Integer)  # the ticket record's version the case took
    changed: Mapped[str | None] = mapped_column(Text)  # JSON list: the fields a platform changed since it joined


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
