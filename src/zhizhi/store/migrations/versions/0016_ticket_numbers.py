"""ticket numbers: a partial index on the key of the records that are tickets

The citizen's lookup finds a ticket by its number whatever channel's source holds it, which the unique (source, key)
index cannot serve: without this it read every record. Only tickets are in the index, so an ingest of any other
record type pays nothing for it.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TICKETS = sa.text("record_type = 'ticket'")


def upgrade() -> None:
    op.create_index("ix_records_ticket_key", "records", ["key"], sqlite_where=TICKETS, postgresql_where=TICKETS)


def downgrade() -> None:
    op.drop_index("ix_records_ticket_key", table_name="records")
