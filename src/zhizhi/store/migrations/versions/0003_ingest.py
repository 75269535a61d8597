"""ingest: batches, raw rows, records and their versions, quarantine

raw_rows refuses UPDATE and DELETE by trigger: a row is kept exactly as it was read.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "records",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("record_type", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=500), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_records")),
        sa.UniqueConstraint("source", "key", name=op.f("uq_records_source_key")),
    )

    op.create_table(
        "batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("record_type", sa.String(length=32), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("file_hash", sa.String(length=64), nullable=False),
        sa.Column("file_size", sa.Integer(), nullable=True),
        sa.Column("reader", sa.String(length=32), nullable=False),
        sa.Column("encoding", sa.String(length=32), nullable=True),
        sa.Column("watermark", sa.String(length=200), nullable=True),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_accepted", sa.Integer(), nullable=False),
        sa.Column("rows_quarantined", sa.Integer(), nullable=False),
        sa.Column("rows_skipped", sa.Integer(), nullable=False),
        sa.Column("records_new", sa.Integer(), nullable=False),
        sa.Column("records_changed", sa.Integer(), nullable=False),
        sa.Column("records_unchanged", sa.Integer(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.CheckConstraint(
            "rows_read = rows_accepted + rows_quarantined + rows_skipped", name=op.f("ck_batches_rows_add_up")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_batches_department_id_departments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
    )
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_batches_department_id"), ["department_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_batches_finished_at"), ["finished_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_batches_source"), ["source"], unique=False)
        batch_op.create_index("ix_batches_source_file_hash", ["source", "file_hash"], unique=False)

    op.create_table(
        "raw_rows",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("sheet", sa.String(length=100), nullable=True),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("record_version_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], name=op.f("fk_raw_rows_batch_id_batches")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raw_rows")),
    )
    with op.batch_alter_table("raw_rows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_raw_rows_batch_id"), ["batch_id"], unique=False)

    op.create_table(
        "record_versions",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("raw_row_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("warnings", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], name=op.f("fk_record_versions_batch_id_batches")),
        sa.ForeignKeyConstraint(["raw_row_id"], ["raw_rows.id"], name=op.f("fk_record_versions_raw_row_id_raw_rows")),
        sa.ForeignKeyConstraint(["record_id"], ["records.id"], name=op.f("fk_record_versions_record_id_records")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_versions")),
        sa.UniqueConstraint("record_id", "version", name=op.f("uq_record_versions_record_id_version")),
    )
    with op.batch_alter_table("record_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_record_versions_batch_id"), ["batch_id"], unique=False)

    op.create_table(
        "quarantine_items",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("raw_row_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reasons", sa.String(length=400), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("fixes", sa.Text(), nullable=True),
        sa.Column("record_version_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], name=op.f("fk_quarantine_items_batch_id_batches")),
        sa.ForeignKeyConstraint(["raw_row_id"], ["raw_rows.id"], name=op.f("fk_quarantine_items_raw_row_id_raw_rows")),
        sa.ForeignKeyConstraint(
            ["record_version_id"],
            ["record_versions.id"],
            name=op.f("fk_quarantine_items_record_version_id_record_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantine_items")),
        sa.UniqueConstraint("raw_row_id", name=op.f("uq_quarantine_items_raw_row_id")),
    )
    with op.batch_alter_table("quarantine_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quarantine_items_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quarantine_items_source"), ["source"], unique=False)
        batch_op.create_index(batch_op.f("ix_quarantine_items_status"), ["status"], unique=False)
    _protect_raw_rows()


def downgrade() -> None:
    _unprotect_raw_rows()
    with op.batch_alter_table("quarantine_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quarantine_items_status"))
        batch_op.drop_index(batch_op.f("ix_quarantine_items_source"))
        batch_op.drop_index(batch_op.f("ix_quarantine_items_batch_id"))

    op.drop_table("quarantine_items")
    with op.batch_alter_table("record_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_versions_batch_id"))

    op.drop_table("record_versions")
    with op.batch_alter_table("raw_rows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_raw_rows_batch_id"))

    op.drop_table("raw_rows")
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.drop_index("ix_batches_source_file_hash")
        batch_op.drop_index(batch_op.f("ix_batches_source"))
        batch_op.drop_index(batch_op.f("ix_batches_finished_at"))
        batch_op.drop_index(batch_op.f("ix_batches_department_id"))

    op.drop_table("batches")

    op.drop_table("records")


def _protect_raw_rows() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION zhizhi_raw_rows_unchanged() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'raw_rows are kept as read'; END $$"
        )
        op.execute(
            "CREATE TRIGGER raw_rows_unchanged BEFORE UPDATE OR DELETE ON raw_rows "
            "FOR EACH ROW EXECUTE FUNCTION zhizhi_raw_rows_unchanged()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER raw_rows_no_{verb.lower()} BEFORE {verb} ON raw_rows "
                "BEGIN SELECT RAISE(ABORT, 'raw_rows are kept as read'); END"
            )


def _unprotect_raw_rows() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER raw_rows_unchanged ON raw_rows")
        op.execute("DROP FUNCTION zhizhi_raw_rows_unchanged()")
    else:
        op.execute("DROP TRIGGER raw_rows_no_update")
        op.execute("DROP TRIGGER raw_rows_no_delete")
