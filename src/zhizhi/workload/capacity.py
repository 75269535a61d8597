"""What an office can carry: its staff and the work items one person has in hand in a month (`office_capacities`).

Capacity is set by the level above the office (a leader whose subtree holds the office but who is not of it), or by
the operator (`zhizhi tasks capacity`); every change is audited. An office with no capacity set shows its load
without a ratio.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.access.audit import record as audit
from zhizhi.access.roles import Actor, Role
from zhizhi.errors import InputError, NotFoundError, PermissionDeniedError
from zhizhi.store.tables import Department, OfficeCapacity
from zhizhi.store.types import utcnow

MAX_STAFF = 10_000
MAX_PER_PERSON = 10_000
MAX_NOTE = 200


def may_set(actor: Actor, office: Department) -> bool:
    """Whether the actor sets the office's capacity: the operator, or a leader strictly above the office."""
    if actor.is_operator:
        return True
    return Role.LEADER in actor.roles and actor.covers(office.path) and actor.department_id != office.id


def set_capacity(
    session: Session, actor: Actor, office_code: str, *, staff: int, per_person: int, note: str | None = None
) -> OfficeCapacity:
    """Set an office's staff and items per person; audited with the values before and after."""
    office = session.scalar(select(Department).where(Department.code == office_code.strip()))
    if office is None or not (actor.is_operator or actor.covers(office.path)):
        raise NotFoundError(f"No department `{office_code}` in your scope; see `zhizhi dept list`.",
                            zh=f"在您的权限范围内没有部门 `{office_code}`。")  # fmt: skip
    if not may_set(actor, office):
        raise PermissionDeniedError(
            f"The capacity of `{office.code}` is set by a leader above it, not by the office itself.",
            zh=f"`{office.code}` 的承载能力由上级领导设定，不能由本单位自定。",
        )
    problems = []
    if not 0 <= staff <= MAX_STAFF:
        problems.append((f"`staff` = `{staff}`: give 0 to {MAX_STAFF}", f"人员数 `{staff}` 应为 0 至 {MAX_STAFF}"))
    if not 1 <= per_person <= MAX_PER_PERSON:
        problems.append((f"`per_person` = `{per_person}`: give 1 to {MAX_PER_PERSON} items a person has in hand a "
                         "month", f"人均承载量 `{per_person}` 应为 1 至 {MAX_PER_PERSON}"))  # fmt: skip
    note = (note or "").strip() or None
    if note and len(note) > MAX_NOTE:
        problems.append((f"`note` has {len(note)} characters; at most {MAX_NOTE}", f"备注最多 {MAX_NOTE} 字"))
    if problems:
        raise InputError("; ".join(p for p, _ in problems) + ".", zh="；".join(z for _, z in problems) + "。")
    row = session.get(OfficeCapacity, office.id)
    before = {"staff": row.staff, "per_person": row.per_person} if row else None
    if row is None:
        row = OfficeCapacity(department_id=office.id)
        session.add(row)
    row.staff, row.per_person, row.note = staff, per_person, note
    row.updated_by, row.updated_at = actor.name, utcnow()
    session.flush()
    # The note is what a leader typed; the audit trail, never erased, keeps it with a person's number masked.
    audit(session, actor, "workload.capacity", object_type="department", object_id=office.code,
          detail={"before": before, "staff": staff, "per_person": per_person,
                  "note": note})  # fmt: skip
    return row


def settable(session: Session, actor: Actor) -> list[Department]:
    """The offices whose capacity the actor sets, in the tree's order."""
    query = select(Department).where(Department.path.startswith(actor.department_path, autoescape=True))
    found = [d for d in session.scalars(query) if may_set(actor, d)]
    return sorted(found, key=lambda d: [int(p) for p in d.path.strip("/").split("/")])


def capacities(session: Session, department_ids: list[int]) -> dict[int, OfficeCapacity]:
    """The capacity rows of these offices, by department id."""
    query = select(OfficeCapacity).where(OfficeCapacity.department_id.in_(department_ids))
    return {row.department_id: row for row in session.scalars(query)}


def capacity_as_dict(row: OfficeCapacity | None) -> dict[str, Any]:
    """The JSON form of an office's capacity (all None when it is not set)."""
    if row is None:
        return {"staff": None, "per_person": None, "capacity": None, "note": None}
    return {"staff": row.staff, "per_person": row.per_person, "capacity": row.staff * row.per_person,
            "note": row.note}  # fmt: skip
