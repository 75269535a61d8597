"""case ticket versions: the version of a ticket its case took, and what a platform changed since

A platform sends a ticket again with other facts (a complaint made a report, another respondent): the record gets a
new version while its case went on with the old. `version` is the ticket record's version the case took (existing
places take their record's present one); `changed` lists the fields a later version changed (JSON), shown on the
case until it is decided otherwise.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("changed", sa.Text(), nullable=True))
    op.execute(
        "UPDATE case_tickets SET version = "
        "(SELECT records.version FROM records WHERE records.id = case_tickets.record_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("case_tickets", schema=None) as batch_op:
        batch_op.drop_column("changed")
        batch_op.drop_column("version")
