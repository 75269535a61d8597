"""register: the settings each run clustered with, and each entity's name in pinyin initials

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("resolve_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("settings", sa.Text(), nullable=True))
    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("initials", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.drop_column("initials")
    with op.batch_alter_table("resolve_runs", schema=None) as batch_op:
        batch_op.drop_column("settings")
