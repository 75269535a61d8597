"""code lists, crosswalks, decisions, review queue

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "code_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_list", sa.String(length=64), nullable=False),
        sa.Column("to_list", sa.String(length=64), nullable=False),
        sa.Column("from_code", sa.String(length=32), nullable=False),
        sa.Column("context", sa.String(length=400), nullable=False),
        sa.Column("to_code", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code_decisions")),
    )
    with op.batch_alter_table("code_decisions", schema=None) as batch_op:
        batch_op.create_index("ix_code_decisions_lookup", ["from_list", "to_list", "from_code"], unique=False)

    op.create_table(
        "code_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("hierarchy", sa.String(length=16), nullable=False),
        sa.Column("prefix_lengths", sa.String(length=64), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("builtin", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code_lists")),
        sa.UniqueConstraint("name", name=op.f("uq_code_lists_name")),
    )
    op.create_table(
        "code_review_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_list", sa.String(length=64), nullable=False),
        sa.Column("to_list", sa.String(length=64), nullable=False),
        sa.Column("from_code", sa.String(length=32), nullable=False),
        sa.Column("context", sa.String(length=400), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("candidates", sa.Text(), nullable=False),
        sa.Column("rows_affected", sa.Integer(), nullable=False),
        sa.Column("seen_in", sa.String(length=260), nullable=False),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code_review_items")),
        sa.UniqueConstraint(
            "from_list",
            "to_list",
            "from_code",
            "context",
            name=op.f("uq_code_review_items_from_list_to_list_from_code_context"),
        ),
    )
    with op.batch_alter_table("code_review_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_code_review_items_status"), ["status"], unique=False)

    op.create_table(
        "crosswalks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("from_list", sa.String(length=64), nullable=False),
        sa.Column("to_list", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("builtin", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crosswalks")),
        sa.UniqueConstraint("name", name=op.f("uq_crosswalks_name")),
    )
    with op.batch_alter_table("crosswalks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_crosswalks_from_list"), ["from_list"], unique=False)
        batch_op.create_index(batch_op.f("ix_crosswalks_to_list"), ["to_list"], unique=False)

    op.create_table(
        "code_list_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("file_name", sa.String(length=260), nullable=False),
        sa.Column("file_hash", sa.String(length=64), nullable=False),
        sa.Column("codes_count", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("imported_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["list_id"], ["code_lists.id"], name=op.f("fk_code_list_versions_list_id_code_lists")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code_list_versions")),
        sa.UniqueConstraint("list_id", "version", name=op.f("uq_code_list_versions_list_id_version")),
    )
    with op.batch_alter_table("code_list_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_code_list_versions_list_id"), ["list_id"], unique=False)

    op.create_table(
        "crosswalk_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("crosswalk_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("file_name", sa.String(length=260), nullable=False),
        sa.Column("file_hash", sa.String(length=64), nullable=False),
        sa.Column("pairs_count", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("imported_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["crosswalk_id"], ["crosswalks.id"], name=op.f("fk_crosswalk_versions_crosswalk_id_crosswalks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crosswalk_versions")),
        sa.UniqueConstraint("crosswalk_id", "version", name=op.f("uq_crosswalk_versions_crosswalk_id_version")),
    )
    with op.batch_alter_table("crosswalk_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_crosswalk_versions_crosswalk_id"), ["crosswalk_id"], unique=False)

    op.create_table(
        "codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("parent", sa.String(length=32), nullable=True),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("initials", sa.String(length=200), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("remark", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["code_list_versions.id"],
            name=op.f("fk_codes_version_id_code_list_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_codes")),
        sa.UniqueConstraint("version_id", "code", name=op.f("uq_codes_version_id_code")),
    )
    with op.batch_alter_table("codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_codes_version_id"), ["version_id"], unique=False)

    op.create_table(
        "crosswalk_pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("from_code", sa.String(length=32), nullable=False),
        sa.Column("to_code", sa.String(length=32), nullable=False),
        sa.Column("relation", sa.String(length=4), nullable=False),
        sa.Column("rule_field", sa.String(length=64), nullable=True),
        sa.Column("rule_value", sa.String(length=200), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["crosswalk_versions.id"],
            name=op.f("fk_crosswalk_pairs_version_id_crosswalk_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crosswalk_pairs")),
    )
    with op.batch_alter_table("crosswalk_pairs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_crosswalk_pairs_version_id"), ["version_id"], unique=False)

    op.create_table(
        "coverage_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=260), nullable=False),
        sa.Column("from_list", sa.String(length=64), nullable=False),
        sa.Column("to_list", sa.String(length=64), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.Column("computed_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coverage_runs")),
    )
    with op.batch_alter_table("coverage_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coverage_runs_subject"), ["subject"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("coverage_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coverage_runs_subject"))

    op.drop_table("coverage_runs")
    with op.batch_alter_table("crosswalk_pairs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crosswalk_pairs_version_id"))

    op.drop_table("crosswalk_pairs")
    with op.batch_alter_table("codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_codes_version_id"))

    op.drop_table("codes")
    with op.batch_alter_table("crosswalk_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crosswalk_versions_crosswalk_id"))

    op.drop_table("crosswalk_versions")
    with op.batch_alter_table("code_list_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_code_list_versions_list_id"))

    op.drop_table("code_list_versions")
    with op.batch_alter_table("crosswalks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crosswalks_to_list"))
        batch_op.drop_index(batch_op.f("ix_crosswalks_from_list"))

    op.drop_table("crosswalks")
    with op.batch_alter_table("code_review_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_code_review_items_status"))

    op.drop_table("code_review_items")
    op.drop_table("code_lists")
    with op.batch_alter_table("code_decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_code_decisions_lookup")

    op.drop_table("code_decisions")
