"""review code origins: a code's rows counted in every source and file it was seen in, not only the last

A code waiting for review counted only the rows of the data it was last seen in: a code in 100 rows of one source
and 50 of another showed 50. `origins` is the JSON mapping of each origin (a source, a target, a file) to its rows,
the latest count of each; `rows_affected` is their sum. Existing items start with their one count.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("code_review_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("origins", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("code_review_items", schema=None) as batch_op:
        batch_op.drop_column("origins")
