"""deliveries: the outbox of record versions owed to each target

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("record_version_id", sa.Integer(), nullable=False),
        sa.Column("record_key", sa.String(length=500), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], name=op.f("fk_deliveries_batch_id_batches")),
        sa.ForeignKeyConstraint(["record_id"], ["records.id"], name=op.f("fk_deliveries_record_id_records")),
        sa.ForeignKeyConstraint(
            ["record_version_id"], ["record_versions.id"], name=op.f("fk_deliveries_record_version_id_record_versions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_deliveries_idempotency_key")),
        sa.UniqueConstraint("target", "record_version_id", name=op.f("uq_deliveries_target_record_version_id")),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deliveries_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deliveries_next_attempt_at"), ["next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_deliveries_record_id"), ["record_id"], unique=False)
        batch_op.create_index("ix_deliveries_target_status", ["target", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_target_status")
        batch_op.drop_index(batch_op.f("ix_deliveries_record_id"))
        batch_op.drop_index(batch_op.f("ix_deliveries_next_attempt_at"))
        batch_op.drop_index(batch_op.f("ix_deliveries_batch_id"))

    op.drop_table("deliveries")
