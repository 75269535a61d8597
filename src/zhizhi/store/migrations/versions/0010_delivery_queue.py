"""delivery queue: "an earlier delivery of the record still waits" kept as state, and an index for the claim

A pending delivery behind an earlier pending one of the same record and target is `held`; it is released when the
earlier one leaves `pending`. Every pending delivery has a `next_attempt_at` (when it was owed, at first), so the
claim is one range scan of a partial index (target, next_attempt_at, id) over the pending deliveries not held: its
cost no longer grows with the backlog, nor depends on the planner's statistics. `first_attempt_at` starts the
clock of a delivery's retries, which are budgeted by time (a target's `retry_hours`), not by count.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

DUE = sa.text("status = 'pending' AND NOT held")


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("first_attempt_at", sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE deliveries SET next_attempt_at = created_at WHERE status = 'pending' AND next_attempt_at IS NULL"
    )
    op.execute(
        "UPDATE deliveries SET held = true WHERE status = 'pending' AND EXISTS (SELECT 1 FROM deliveries earlier "
        "WHERE earlier.target = deliveries.target AND earlier.record_id = deliveries.record_id "
        "AND earlier.status = 'pending' AND earlier.id < deliveries.id)"
    )
    # No other index may offer the claim a cheaper-looking plan on stale statistics: the (target, status) index
    # now keeps its entries in the claim's order, and the index on next_attempt_at alone goes.
    op.drop_index("ix_deliveries_target_status", table_name="deliveries")
    op.create_index("ix_deliveries_target_status", "deliveries", ["target", "status", "next_attempt_at", "id"])
    op.drop_index(op.f("ix_deliveries_next_attempt_at"), table_name="deliveries")
    op.create_index(
        "ix_deliveries_due",
        "deliveries",
        ["target", "next_attempt_at", "id"],
        unique=False,
        postgresql_where=DUE,
        sqlite_where=DUE,
    )
    op.create_index(
        "ix_deliveries_held",
        "deliveries",
        ["record_id", "target", "id"],
        unique=False,
        postgresql_where=sa.text("held"),
        sqlite_where=sa.text("held"),
    )


def downgrade() -> None:
    op.drop_index("ix_deliveries_held", table_name="deliveries")
    op.drop_index("ix_deliveries_due", table_name="deliveries")
    op.create_index(op.f("ix_deliveries_next_attempt_at"), "deliveries", ["next_attempt_at"])
    op.drop_index("ix_deliveries_target_status", table_name="deliveries")
    op.create_index("ix_deliveries_target_status", "deliveries", ["target", "status"])
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("first_attempt_at")
        batch_op.drop_column("held")
