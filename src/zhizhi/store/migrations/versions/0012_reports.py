"""reports: runs of report definitions, who downloaded or received each run, and retired reports

A run is one filling of `reports/NAME.yaml` for one period, stored with what it ran with (parameters), when the
data was read (snapshot), the figures and their content hash, and what changed against the period's run before.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("period_first", sa.Date(), nullable=False),
        sa.Column("period_last", sa.Date(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("parameters", sa.Text(), nullable=False),
        sa.Column("snapshot_at", sa.DateTime(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("figures", sa.Text(), nullable=True),
        sa.Column("changes", sa.Text(), nullable=True),
        sa.Column("files", sa.Text(), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_report_runs_department_id_departments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_runs")),
    )
    op.create_index("ix_report_runs_report_period", "report_runs", ["report", "period"])
    op.create_table(
        "report_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("who", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("format", sa.String(length=8), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["report_runs.id"], name=op.f("fk_report_receipts_run_id_report_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_receipts")),
    )
    op.create_index(op.f("ix_report_receipts_run_id"), "report_receipts", ["run_id"])
    op.create_table(
        "report_retirements",
        sa.Column("report", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("retired_by", sa.String(length=100), nullable=False),
        sa.Column("retired_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("report", name=op.f("pk_report_retirements")),
    )


def downgrade() -> None:
    op.drop_table("report_retirements")
    op.drop_index(op.f("ix_report_receipts_run_id"), table_name="report_receipts")
    op.drop_table("report_receipts")
    op.drop_index("ix_report_runs_report_period", table_name="report_runs")
    op.drop_table("report_runs")
