"""The tables of reports: runs, who downloaded or received each, and the reports retired (migration 0012)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zhizhi.store.tables import Base
from zhizhi.store.types import UTCDateTime, utcnow


class ReportRun(Base):
    """One filling of a report for one period: its parameters, the data's snapshot time, the figures and their hash.

    status: done | failed. A run of a period already run keeps the earlier one and says what changed since
    (`changes`: the figures that moved and the rows that arrived late).
    """

    __tablename__ = "report_runs"
    __table_args__ = (Index("ix_report_runs_report_period", "report", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(100))
    period: Mapped[str] = mapped_column(String(32))  # 2026-11, 2026-Q4, 2026-W45, 2026-11-05, a..b
    period_first: Mapped[date] = mapped_column(Date)
    period_last: Mapped[date] = mapped_column(Date)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    parameters: Mapped[str] = mapped_column(Text)  # JSON: the definition's query and measures as run
    snapshot_at: Mapped[datetime] = mapped_column(UTCDateTime)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    figures: Mapped[str | None] = mapped_column(Text)  # JSON
    changes: Mapped[str | None] = mapped_column(Text)  # JSON: against the period's run before
    files: Mapped[str] = mapped_column(Text, default="{}")  # JSON: format -> path under data/reports
    trigger: Mapped[str] = mapped_column(String(16))  # on_demand | schedule
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    record_id: Mapped[int | None] = mapped_column(Integer)  # the report_run record owed through the outbox
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReportReceipt(Base):
    """Someone took a run: a download (by whom, in which format) or a platform's acknowledged delivery."""

    __tablename__ = "report_receipts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("report_runs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # download | delivery
    who: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int | None] = mapped_column(Integer)
    format: Mapped[str | None] = mapped_column(String(8))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReportRetirement(Base):
    """A report retired: no longer run on schedule; its runs stay."""

    __tablename__ = "report_retirements"

    report: Mapped[str] = mapped_column(String(64), primary_key=True)
    reason: Mapped[str] = mapped_column(String(500))
    retired_by: Mapped[str] = mapped_column(String(100))
    retired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
