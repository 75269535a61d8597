"""Work items: one row per hotline case, one per office's holding of a task part, and one per office's capacity, as a
single SQL selectable that the workload page and the reports (`from: workload`) both read.

Columns: `kind` (case | part | capacity), `department_id` (the office that holds it: a case's handling office, else
its desk; for a part, each department that owned it, one row per holding), `user_id` (the case's handler, the part's
named person while that department held it), `opened_at` (received; a part's creation, or the accepted handover that
brought it to the department), `closed_at` (a case closed; a part done, or the accepted handover that took it away),
`closed_as` (`done`, `handed_over`, or none while in hand), `due_on` (a part's deadline) and `capacity` (an office's
staff x items per person). Merged cases are left out. A handover counts once it is accepted: until then the part is
the giver's.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, Integer, String, case, cast, func, literal, null, select, union_all
from sqlalchemy.orm import InstrumentedAttribute, aliased
from sqlalchemy.sql import Select, Subquery
from sqlalchemy.sql.selectable import ScalarSelect

from zhizhi.store.tables import Case, OfficeCapacity, TaskHandover, TaskPart
from zhizhi.store.types import UTCDateTime

KINDS = ("case", "part", "capacity")


def work_items() -> Subquery:
    """Every work item and office capacity as rows of one subquery named `workload`."""
    cases = select(
        literal("case"),
        func.coalesce(Case.office_id, Case.desk_id),
        Case.handler_id,
        Case.received_at,
        case((Case.stage == "closed", Case.decided_at), else_=cast(null(), UTCDateTime)),
        case((Case.stage == "closed", "done"), else_=cast(null(), String(16))),
        cast(null(), Date),
        cast(null(), Integer),
    ).where(Case.stage != "merged")
    capacities = select(
        literal("capacity"),
        OfficeCapacity.department_id,
        cast(null(), Integer),
        cast(null(), UTCDateTime),
        cast(null(), UTCDateTime),
        cast(null(), String(16)),
        cast(null(), Date),
        OfficeCapacity.staff * OfficeCapacity.per_person,
    )
    return union_all(_held_now(), _handed_over(), cases, capacities).subquery("workload")


def _accepted_before(
    part_id: InstrumentedAttribute[int], moment: InstrumentedAttribute[Any] | None = None
) -> ScalarSelect[Any]:
    """When the part's last accepted handover (before `moment`, if given) was answered."""
    earlier = aliased(TaskHandover)
    query = select(func.max(earlier.answered_at)).where(earlier.part_id == part_id, earlier.status == "accepted")
    return (query if moment is None else query.where(earlier.answered_at < moment)).scalar_subquery()


def _held_now() -> Select[*tuple[Any, ...]]:
    """A part's holding by its department now: since its creation or the last accepted handover, until done."""
    return select(
        cast(literal("part"), String(16)).label("kind"),
        TaskPart.department_id.label("department_id"),
        TaskPart.owner_id.label("user_id"),
        func.coalesce(_accepted_before(TaskPart.id), TaskPart.created_at, type_=UTCDateTime).label("opened_at"),
        TaskPart.done_at.label("closed_at"),
        case((TaskPart.done_at.is_not(None), "done"), else_=cast(null(), String(16))).label("closed_as"),
        TaskPart.deadline.label("due_on"),
        cast(null(), Integer).label("capacity"),
    )


def _handed_over() -> Select[*tuple[Any, ...]]:
    """A part's earlier holdings, one per accepted handover: the giver's, from the one before (or the part's
    creation) until the receiver accepted."""
    given = aliased(TaskHandover)
    since = _accepted_before(given.part_id, given.answered_at)
    return (
        select(
            literal("part"),
            given.from_department_id,
            given.from_user_id,
            func.coalesce(since, TaskPart.created_at, type_=UTCDateTime),
            given.answered_at,
            literal("handed_over"),
            TaskPart.deadline,
            cast(null(), Integer),
        )
        .join(TaskPart, TaskPart.id == given.part_id)
        .where(given.status == "accepted")
    )
