"""case routed_by wider: a reassignment's reason fits whole

A case reassigned with a reason keeps `改派：` and the reason (at most 500 characters) as why it is where it is; the
column held 200, so on PostgreSQL a reason over about 197 characters was refused by the database (SQLite does not
hold a text to its declared length). Now 600.

Revision ID: 0030
Revises: 0021
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite holds no text to its declared length, and its batch mode would copy `cases` and drop it, which a case's
    # tickets and pauses refer to: nothing to do there.
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("cases", "routed_by", existing_type=sa.String(length=200), type_=sa.String(length=600))


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("cases", "routed_by", existing_type=sa.String(length=600), type_=sa.String(length=200))
