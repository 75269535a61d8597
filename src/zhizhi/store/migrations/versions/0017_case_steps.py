"""case steps: the days that start and end the clocks of Art 21, 23, 30 and 31

A terminated mediation's parties (Art 21) and a named reporter (Art 31) are told within a deadline counted from the
decision: `told_on` is the day they were. A lead found during mediation is verified within 15 working days (+15 with
approval, Art 23): `lead_found_on`, `lead_extended`, `lead_checked_on`. A dispute between offices over which handles
a case is settled within 7 working days (Art 30): `disputed_on`, `settled_on`.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

DAYS = ("told_on", "lead_found_on", "lead_checked_on", "disputed_on", "settled_on")


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for name in DAYS:
            batch_op.add_column(sa.Column(name, sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("lead_extended", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("lead_extended")
        for name in reversed(DAYS):
            batch_op.drop_column(name)
