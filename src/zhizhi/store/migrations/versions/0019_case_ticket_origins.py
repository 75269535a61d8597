"""case ticket origins: every case a ticket came from through merges, so each merge is undone in any order

A ticket merged twice (case A into B, then B into C) kept only its last origin (`from_case_id`): undoing B's merge
took it to B as B's own, and A's merge could never be undone. `origins` is the JSON list of the merges that moved the
ticket, oldest first, each `{"case": id, "how": how}` (the case it came with, and how it was in it before);
`from_case_id` stays the last of them. Existing moves keep their one origin.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("origins", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_tickets", schema=None) as batch_op:
        batch_op.drop_column("origins")
