"""cases: the hotline desk's cases, the tickets they hold, suggestions a handler confirms, and clock pauses

A case is one grievance, however many tickets (on however many channels) brought it. `case_tickets` says which
case holds each ticket record and how it came there (the first ticket, an automatic merge, a handler's
confirmation); a ticket is in exactly one case. `case_suggestions` are the candidates between the two thresholds a
handler confirms or keeps apart. `case_pauses` are the days a clock does not count (testing, appraisal).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("desk_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=True),
        sa.Column("handler_id", sa.Integer(), nullable=True),
        sa.Column("routed_by", sa.String(length=200), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        sa.Column("respondent_name", sa.String(length=300), nullable=True),
        sa.Column("respondent_uscc", sa.String(length=18), nullable=True),
        sa.Column("respondent_address", sa.String(length=500), nullable=True),
        sa.Column("respondent_division", sa.String(length=6), nullable=True),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(length=24), nullable=True),
        sa.Column("decision_reason", sa.String(length=32), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("extended", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["desk_id"], ["departments.id"], name=op.f("fk_cases_desk_id_departments")),
        sa.ForeignKeyConstraint(["office_id"], ["departments.id"], name=op.f("fk_cases_office_id_departments")),
        sa.ForeignKeyConstraint(["handler_id"], ["users.id"], name=op.f("fk_cases_handler_id_users")),
        sa.ForeignKeyConstraint(["entity_id"], ["entities.id"], name=op.f("fk_cases_entity_id_entities")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("number", name=op.f("uq_cases_number")),
    )
    op.create_index(op.f("ix_cases_stage_office_id"), "cases", ["stage", "office_id"])
    op.create_index(op.f("ix_cases_handler_id"), "cases", ["handler_id"])
    op.create_index(op.f("ix_cases_entity_id"), "cases", ["entity_id"])
    op.create_index(op.f("ix_cases_received_on"), "cases", ["received_on"])
    op.create_table(
        "case_tickets",
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("how", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=True),
        sa.Column("joined_at", sa.DateTime(), nullable=False),
        sa.Column("joined_by", sa.String(length=100), nullable=False),
        sa.Column("answer_version_id", sa.Integer(), nullable=True),
        sa.Column("from_case_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["record_id"], ["records.id"], name=op.f("fk_case_tickets_record_id_records")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_tickets_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["answer_version_id"],
            ["record_versions.id"],
            name=op.f("fk_case_tickets_answer_version_id_record_versions"),
        ),
        sa.ForeignKeyConstraint(["from_case_id"], ["cases.id"], name=op.f("fk_case_tickets_from_case_id_cases")),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_case_tickets")),
    )
    op.create_index(op.f("ix_case_tickets_case_id"), "case_tickets", ["case_id"])
    op.create_table(
        "case_suggestions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["record_id"], ["records.id"], name=op.f("fk_case_suggestions_record_id_records")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_suggestions_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_suggestions")),
        sa.UniqueConstraint("record_id", "case_id", name=op.f("uq_case_suggestions_record_id_case_id")),
    )
    op.create_index(op.f("ix_case_suggestions_status"), "case_suggestions", ["status"])
    op.create_index(op.f("ix_case_suggestions_case_id"), "case_suggestions", ["case_id"])
    op.create_table(
        "case_pauses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_pauses_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_pauses")),
    )
    op.create_index(op.f("ix_case_pauses_case_id"), "case_pauses", ["case_id"])


def downgrade() -> None:
    op.drop_table("case_pauses")
    op.drop_table("case_suggestions")
    op.drop_table("case_tickets")
    op.drop_table("cases")
