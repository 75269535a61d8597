"""retention of visit photos, and files a run need not read again

A visit's photo whose metadata retention erased says when (`inspection_photos.erased_at`): a later run passes over
it. `erased_files` lists the answer and results files a run erased (or found holding nothing to erase) as it left
them, by size, modification time and SHA-256: a later run opens none of them while they are unchanged.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("inspection_photos", sa.Column("erased_at", sa.DateTime(), nullable=True))
    op.create_table(
        "erased_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("mtime_ns", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("erased_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erased_files")),
        sa.UniqueConstraint("path", name=op.f("uq_erased_files_path")),
    )


def downgrade() -> None:
    op.drop_table("erased_files")
    op.drop_column("inspection_photos", "erased_at")  # not a batch copy: the photos' foreign keys stay as they are
