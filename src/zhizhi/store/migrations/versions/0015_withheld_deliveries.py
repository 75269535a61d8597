"""withheld deliveries: a delivery zhizhi did not send names the code decision that releases it

A delivery whose record has a code with no single equivalent in the target's list never leaves: it is `withheld`
(not `rejected`, which now means only that the platform refused it), and `review_item_id` names the code review
item whose decision releases it. Deliveries refused that way before this revision (their reason asks for the
code review) become `withheld`; their review item is found again when they are next tried.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# What the reason of a delivery refused before sending for want of a code decision said (zhizhi.delivery.render).
ASKED_FOR_REVIEW = "%请在代码审核中决定%"


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_item_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_deliveries_review_item_id_code_review_items"), "code_review_items", ["review_item_id"], ["id"]
        )
        batch_op.create_index(op.f("ix_deliveries_review_item_id"), ["review_item_id"], unique=False)
    op.execute(
        sa.text("UPDATE deliveries SET status = 'withheld' WHERE status = 'rejected' AND last_error LIKE :asked")
        .bindparams(asked=ASKED_FOR_REVIEW)
    )


def downgrade() -> None:
    op.execute("UPDATE deliveries SET status = 'rejected' WHERE status = 'withheld'")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index(op.f("ix_deliveries_review_item_id"))
        batch_op.drop_constraint(op.f("fk_deliveries_review_item_id_code_review_items"), type_="foreignkey")
        batch_op.drop_column("review_item_id")
