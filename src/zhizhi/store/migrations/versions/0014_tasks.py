"""tasks: tasks across departments (a lead, parts with owners, deadlines, evidence, handovers); office capacity

A task has a lead department (牵头) and parts; every part has an owning department (and may name a person), a
deadline and the evidence it needs. A handover offers a part to another department: until the receiver accepts,
the giver still owns the part (`task_handovers`, at most one pending per part). `task_evidence` holds the files
(bounded) and texts a part was done with. `office_capacities` says what an office can carry, for the workload.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade() -> None:
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("lead_department_id", sa.Integer(), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        _fk("tasks", "lead_department_id", "departments"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
        sa.UniqueConstraint("number", name=op.f("uq_tasks_number")),
    )
    op.create_index(op.f("ix_tasks_lead_department_id"), "tasks", ["lead_department_id"])
    op.create_table(
        "task_parts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("deadline_rule", sa.String(length=60), nullable=False),
        sa.Column("evidence", sa.String(length=8), nullable=False),
        sa.Column("evidence_note", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("done_by", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        _fk("task_parts", "task_id", "tasks"),
        _fk("task_parts", "department_id", "departments"),
        _fk("task_parts", "owner_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_parts")),
        sa.UniqueConstraint("task_id", "seq", name=op.f("uq_task_parts_task_id_seq")),
    )
    op.create_index(op.f("ix_task_parts_department_id"), "task_parts", ["department_id"])
    op.create_index(op.f("ix_task_parts_owner_id"), "task_parts", ["owner_id"])
    op.create_index("ix_task_parts_status_deadline", "task_parts", ["status", "deadline"])
    op.create_table(
        "task_handovers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("from_department_id", sa.Integer(), nullable=False),
        sa.Column("from_user_id", sa.Integer(), nullable=True),
        sa.Column("to_department_id", sa.Integer(), nullable=False),
        sa.Column("to_user_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("asked_by", sa.String(length=100), nullable=False),
        sa.Column("asked_at", sa.DateTime(), nullable=False),
        sa.Column("answered_by", sa.String(length=100), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("answer", sa.String(length=500), nullable=True),
        _fk("task_handovers", "part_id", "task_parts"),
        _fk("task_handovers", "from_department_id", "departments"),
        _fk("task_handovers", "from_user_id", "users"),
        _fk("task_handovers", "to_department_id", "departments"),
        _fk("task_handovers", "to_user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_handovers")),
    )
    op.create_index(op.f("ix_task_handovers_part_id"), "task_handovers", ["part_id"])
    op.create_index(op.f("ix_task_handovers_to_department_id"), "task_handovers", ["to_department_id"])
    # At most one handover waits per part.
    op.create_index(
        "ix_task_handovers_pending", "task_handovers", ["part_id"], unique=True,
        postgresql_where=PENDING, sqlite_where=PENDING,
    )  # fmt: skip
    op.create_table(
        "task_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("media_type", sa.String(length=100), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        _fk("task_evidence", "part_id", "task_parts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_evidence")),
    )
    op.create_index(op.f("ix_task_evidence_part_id"), "task_evidence", ["part_id"])
    op.create_table(
        "office_capacities",
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("staff", sa.Integer(), nullable=False),
        sa.Column("per_person", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("staff >= 0 AND per_person >= 1", name=op.f("ck_office_capacities_sensible")),
        _fk("office_capacities", "department_id", "departments"),
        sa.PrimaryKeyConstraint("department_id", name=op.f("pk_office_capacities")),
    )


def downgrade() -> None:
    op.drop_table("office_capacities")
    op.drop_index(op.f("ix_task_evidence_part_id"), table_name="task_evidence")
    op.drop_table("task_evidence")
    op.drop_index("ix_task_handovers_pending", table_name="task_handovers")
    op.drop_index(op.f("ix_task_handovers_to_department_id"), table_name="task_handovers")
    op.drop_index(op.f("ix_task_handovers_part_id"), table_name="task_handovers")
    op.drop_table("task_handovers")
    op.drop_index("ix_task_parts_status_deadline", table_name="task_parts")
    op.drop_index(op.f("ix_task_parts_owner_id"), table_name="task_parts")
    op.drop_index(op.f("ix_task_parts_department_id"), table_name="task_parts")
    op.drop_table("task_parts")
    op.drop_index(op.f("ix_tasks_lead_department_id"), table_name="tasks")
    op.drop_table("tasks")
