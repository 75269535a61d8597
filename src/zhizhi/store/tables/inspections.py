"""Random inspections (双随机、一公开): items, targets, inspectors, plans, draws, visits and their evidence."""

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
)
from sqlalchemy.orm import Mapped, mapped_column

from zhizhi.store.tables.base import Base
from zhizhi.store.types import UTCDateTime


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
    purpose, and every personal metadata once retention erased it (`erased_at`; see zhizhi.privacy.retention)."""

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
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when its file's metadata was erased
