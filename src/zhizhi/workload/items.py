"""Work items: one row per hotline case and task part an office has (or had) in hand, and one per office's capacity,
as a single SQL selectable that the workload page and the reports (`from: workload`) both read.

Columns: `kind` (case | part | capacity), `department_id` (the office that holds it: a case's handling office, else
its desk; a part's owning department, which until a handover is accepted is the giver's), `user_id` (the case's
handler, the part's named person), `opened_at` (received, created), `closed_at` (a case closed, a part done),
`due_on` (a part's deadline) and `capacity` (an office's staff x items per person). Merged cases are left out.
"""

from __future__ import annotations

from sqlalchemy import Date, Integer, String, case, cast, func, literal, null, select, union_all
from sqlalchemy.sql import Subquery

from zhizhi.store.tables import Case, OfficeCapacity, TaskPart
from zhizhi.store.types import UTCDateTime

KINDS = ("case", "part", "capacity")


def work_items() -> Subquery:
    """Every work item and office capacity as rows of one subquery named `workload`."""
    parts = select(
        cast(literal("part"), String(16)).label("kind"),
        TaskPart.department_id.label("department_id"),
        TaskPart.owner_id.label("user_id"),
        TaskPart.created_at.label("opened_at"),
        TaskPart.done_at.label("closed_at"),
        TaskPart.deadline.label("due_on"),
        cast(null(), Integer).label("capacity"),
    )
    cases = select(
        literal("case"),
        func.coalesce(Case.office_id, Case.desk_id),
        Case.handler_id,
        Case.received_at,
        case((Case.stage == "closed", Case.decided_at), else_=cast(null(), UTCDateTime)),
        cast(null(), Date),
        cast(null(), Integer),
    ).where(Case.stage != "merged")
    capacities = select(
        literal("capacity"),
        OfficeCapacity.department_id,
        cast(null(), Integer),
        cast(null(), UTCDateTime),
        cast(null(), UTCDateTime),
        cast(null(), Date),
        OfficeCapacity.staff * OfficeCapacity.per_person,
    )
    return union_all(parts, cases, capacities).subquery("workload")
