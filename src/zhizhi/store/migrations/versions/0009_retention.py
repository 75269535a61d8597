"""retention: personal data erased when its record type's retention has passed

A record version, raw row and quarantine item whose personal data was erased says when (`erased_at`). raw_rows
still refuse UPDATE and DELETE by trigger, with one exception: the erasure itself, once per row, which may change
only the row's cells and set its `erased_at`. The index on raw_rows.record_version_id finds the rows that confirmed
a version (an unchanged row of a later file).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TABLES = ("record_versions", "raw_rows", "quarantine_items")
# What an erasure leaves as it was: every column of a raw row but its cells and erased_at.
KEPT = ("id", "batch_id", "sheet", "row_number", "status", "reason", "record_version_id")
REFUSAL = "raw_rows are kept as read (only the erasure of personal data changes one, once)"


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("erased_at", sa.DateTime(), nullable=True))
    op.create_index(op.f("ix_raw_rows_record_version_id"), "raw_rows", ["record_version_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        kept = " AND ".join(f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in KEPT)
        op.execute(
            "CREATE OR REPLACE FUNCTION zhizhi_raw_rows_unchanged() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP = 'UPDATE' AND OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL AND {kept} "
            f"THEN RETURN NEW; END IF; RAISE EXCEPTION '{REFUSAL}'; END $$"
        )
    else:
        kept = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in KEPT)
        op.execute("DROP TRIGGER raw_rows_no_update")
        op.execute(
            "CREATE TRIGGER raw_rows_no_update BEFORE UPDATE ON raw_rows "
            f"WHEN NOT (OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL AND {kept}) "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION zhizhi_raw_rows_unchanged() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'raw_rows are kept as read'; END $$"
        )
    else:
        op.execute("DROP TRIGGER raw_rows_no_update")
        op.execute(
            "CREATE TRIGGER raw_rows_no_update BEFORE UPDATE ON raw_rows "
            "BEGIN SELECT RAISE(ABORT, 'raw_rows are kept as read'); END"
        )
    op.drop_index(op.f("ix_raw_rows_record_version_id"), table_name="raw_rows")
    for table in TABLES:
        op.drop_column(table, "erased_at")  # not a batch copy: that would lose raw_rows' triggers on SQLite
