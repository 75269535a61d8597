"""inspections: random inspections (双随机、一公开): the item list, draw plans, draws, visits and their results

The item list (inspection_items), the target register (inspection_targets, rebuilt from the entity register) and the
inspector register (inspectors, with declared relations in inspector_relations); plans and their seeded draws
(inspection_draws, the seed's hash committed to the ledger before the draw); the visits drawn, their teams, items
and findings, photos, the exclusions a draw applied, and the exports to the credit publicity system.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, referred: str) -> sa.ForeignKeyConstraint:
    name = referred.split(".")[0]
    return sa.ForeignKeyConstraint([column], [referred], name=op.f(f"fk_{table}_{column}_{name}"))


def _index(table: str, *columns: str) -> None:
    op.create_index(op.f(f"ix_{table}_{'_'.join(columns)}"), table, list(columns))


def upgrade() -> None:
    op.create_table(
        "inspection_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("record_types", sa.String(length=200), nullable=False),
        sa.Column("qualification", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        _fk("inspection_items", "department_id", "departments.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_items")),
        sa.UniqueConstraint("code", name=op.f("uq_inspection_items_code")),
    )
    _index("inspection_items", "department_id")
    op.create_table(
        "inspection_targets",
        sa.Column("entity_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=300), nullable=True),
        sa.Column("uscc", sa.String(length=18), nullable=True),
        sa.Column("division_code", sa.String(length=6), nullable=True),
        sa.Column("office_id", sa.Integer(), nullable=True),
        sa.Column("office_source", sa.String(length=16), nullable=False),
        sa.Column("record_types", sa.String(length=200), nullable=False),
        sa.Column("risk_class", sa.String(length=8), nullable=False),
        sa.Column("risk_score", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("last_inspected_on", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("manual_class", sa.String(length=8), nullable=True),
        sa.Column("manual_reason", sa.String(length=200), nullable=True),
        sa.Column("refreshed_at", sa.DateTime(), nullable=False),
        _fk("inspection_targets", "entity_id", "entities.id"),
        _fk("inspection_targets", "office_id", "departments.id"),
        sa.PrimaryKeyConstraint("entity_id", name=op.f("pk_inspection_targets")),
    )
    _index("inspection_targets", "uscc")
    _index("inspection_targets", "office_id")
    op.create_index("ix_inspection_targets_risk_class", "inspection_targets", ["risk_class"])
    op.create_table(
        "inspectors",
        sa.Column("user_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("qualifications", sa.String(length=400), nullable=False),
        sa.Column("certificate", sa.String(length=64), nullable=True),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("unavailable_until", sa.Date(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        _fk("inspectors", "user_id", "users.id"),
        _fk("inspectors", "office_id", "departments.id"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_inspectors")),
    )
    _index("inspectors", "office_id")
    op.create_table(
        "inspector_relations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=200), nullable=False),
        sa.Column("declared_at", sa.DateTime(), nullable=False),
        sa.Column("declared_by", sa.String(length=100), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        _fk("inspector_relations", "user_id", "users.id"),
        _fk("inspector_relations", "entity_id", "entities.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspector_relations")),
    )
    _index("inspector_relations", "user_id")
    _index("inspector_relations", "entity_id")
    op.create_table(
        "inspection_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("rules", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("inspection_plans", "department_id", "departments.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_plans")),
        sa.UniqueConstraint("number", name=op.f("uq_inspection_plans_number")),
    )
    _index("inspection_plans", "department_id")
    op.create_table(
        "inspection_draws",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("seed_hash", sa.String(length=64), nullable=False),
        sa.Column("commit_seq", sa.Integer(), nullable=False),
        sa.Column("committed_at", sa.DateTime(), nullable=False),
        sa.Column("committed_by", sa.String(length=100), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=True),
        sa.Column("snapshot_hash", sa.String(length=64), nullable=True),
        sa.Column("snapshot_file", sa.String(length=300), nullable=True),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("inspectors", sa.Integer(), nullable=True),
        sa.Column("result_hash", sa.String(length=64), nullable=True),
        sa.Column("reveal_seq", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("drawn_at", sa.DateTime(), nullable=True),
        sa.Column("drawn_by", sa.String(length=100), nullable=True),
        _fk("inspection_draws", "plan_id", "inspection_plans.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_draws")),
        sa.UniqueConstraint("number", name=op.f("uq_inspection_draws_number")),
    )
    _index("inspection_draws", "plan_id")
    op.create_table(
        "inspection_publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.Column("ledger_seq", sa.Integer(), nullable=False),
        sa.Column("made_by", sa.String(length=100), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_publications")),
        sa.UniqueConstraint("number", name=op.f("uq_inspection_publications_number")),
    )
    op.create_table(
        "inspection_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=48), nullable=False),
        sa.Column("draw_id", sa.Integer(), nullable=True),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("entity_name", sa.String(length=300), nullable=False),
        sa.Column("entity_uscc", sa.String(length=18), nullable=True),
        sa.Column("address", sa.String(length=500), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=True),
        sa.Column("risk_class", sa.String(length=8), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        sa.Column("planned_on", sa.Date(), nullable=True),
        sa.Column("inspected_on", sa.Date(), nullable=True),
        sa.Column("acknowledgement", sa.String(length=16), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=100), nullable=True),
        sa.Column("remark", sa.String(length=1000), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=True),
        sa.Column("publish_by", sa.Date(), nullable=True),
        sa.Column("publication_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("inspection_visits", "draw_id", "inspection_draws.id"),
        _fk("inspection_visits", "entity_id", "entities.id"),
        _fk("inspection_visits", "department_id", "departments.id"),
        _fk("inspection_visits", "office_id", "departments.id"),
        _fk("inspection_visits", "merged_into", "inspection_visits.id"),
        _fk("inspection_visits", "publication_id", "inspection_publications.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_visits")),
        sa.UniqueConstraint("number", name=op.f("uq_inspection_visits_number")),
    )
    for column in ("draw_id", "entity_id", "department_id", "office_id", "inspected_on"):
        _index("inspection_visits", column)
    op.create_index("ix_inspection_visits_status_publish_by", "inspection_visits", ["status", "publish_by"])
    op.create_table(
        "inspection_visit_inspectors",
        sa.Column("visit_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("how", sa.String(length=16), nullable=False),
        sa.Column("removed_at", sa.DateTime(), nullable=True),
        sa.Column("removed_reason", sa.String(length=200), nullable=True),
        sa.Column("removed_by", sa.String(length=100), nullable=True),
        _fk("inspection_visit_inspectors", "visit_id", "inspection_visits.id"),
        _fk("inspection_visit_inspectors", "user_id", "users.id"),
        sa.PrimaryKeyConstraint("visit_id", "user_id", name=op.f("pk_inspection_visit_inspectors")),
    )
    _index("inspection_visit_inspectors", "user_id")
    op.create_table(
        "inspection_visit_items",
        sa.Column("visit_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("item_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("record_id", sa.Integer(), nullable=True),
        _fk("inspection_visit_items", "visit_id", "inspection_visits.id"),
        _fk("inspection_visit_items", "item_id", "inspection_items.id"),
        _fk("inspection_visit_items", "department_id", "departments.id"),
        sa.PrimaryKeyConstraint("visit_id", "item_id", name=op.f("pk_inspection_visit_items")),
    )
    _index("inspection_visit_items", "department_id")
    op.create_table(
        "inspection_exclusions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draw_id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("rule", sa.String(length=24), nullable=False),
        sa.Column("detail", sa.String(length=300), nullable=True),
        _fk("inspection_exclusions", "draw_id", "inspection_draws.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_exclusions")),
    )
    _index("inspection_exclusions", "draw_id")
    _index("inspection_exclusions", "entity_id")
    op.create_table(
        "inspection_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("location_kept", sa.Boolean(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        _fk("inspection_photos", "visit_id", "inspection_visits.id"),
        _fk("inspection_photos", "item_id", "inspection_items.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_photos")),
    )
    _index("inspection_photos", "visit_id")


TABLES = (
    "inspection_photos",
    "inspection_exclusions",
    "inspection_visit_items",
    "inspection_visit_inspectors",
    "inspection_visits",
    "inspection_publications",
    "inspection_draws",
    "inspection_plans",
    "inspector_relations",
    "inspectors",
    "inspection_targets",
    "inspection_items",
)


def downgrade() -> None:
    for table in TABLES:  # indexes go with their tables
        op.drop_table(table)
