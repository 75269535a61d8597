"""Who may see a task and who acts for a part's sides: the owner (giver) and, during a handover, the receiver.

- A task is seen by whoever's subtree holds its lead department, one of its parts' departments, or a department a
  part is being handed to: both sides of every part, and the lead, see the whole task (overdue parts included).
- A task is created by a leader of (a department above) its lead department.
- The owner side of a part: a leader over its department; the person it names; or, when it names nobody, a handler
  of its department's subtree. The receiver side of a handover likewise, over the receiving department and person.
- A person is named by a leader over the part's department. Whoever offered a part does not answer the offer.
The operator at the command line acts for every side.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, or_, select, true
from sqlalchemy.orm import Session, aliased

from zhizhi.access.roles import Actor, Role
from zhizhi.errors import PermissionDeniedError
from zhizhi.store.tables import Department, Task, TaskHandover, TaskPart

_PATHS = "zhizhi.tasks.paths"


def subtree(actor: Actor) -> Any:
    """The ids of the departments in the actor's subtree, as a subquery."""
    return select(Department.id).where(Department.path.startswith(actor.department_path, autoescape=True))


def visible(actor: Actor) -> Any:
    """The tasks an actor may see: lead, a part's owner or a handover's receiver in their subtree."""
    if actor.is_operator:
        return true()
    mine = subtree(actor)
    # Its own names for the parts and handovers, so that a query already joining them still asks about every part.
    part, offer = aliased(TaskPart), aliased(TaskHandover)
    part_here = exists().where(part.task_id == Task.id, part.department_id.in_(mine))
    offered_here = (
        exists()
        .where(part.task_id == Task.id, offer.part_id == part.id)
        .where(offer.status == "pending", offer.to_department_id.in_(mine))
    )
    return or_(Task.lead_department_id.in_(mine), part_here, offered_here)


def covers(session: Session, actor: Actor, department_id: int) -> bool:
    """Whether the department lies in the actor's subtree."""
    if actor.is_operator:
        return True
    # A department's path never changes once made: kept for the session, as a page asks for many parts.
    paths: dict[int, str | None] = session.info.setdefault(_PATHS, {})
    if department_id not in paths:
        paths[department_id] = session.scalar(select(Department.path).where(Department.id == department_id))
    path = paths[department_id]
    return path is not None and actor.covers(path)


def acts_for(session: Session, actor: Actor, department_id: int, person_id: int | None) -> bool:
    """Whether the actor acts for a side held by `department_id` and, if named, the person `person_id`."""
    if actor.is_operator:
        return True
    if not covers(session, actor, department_id):
        return False
    if Role.LEADER in actor.roles:
        return True
    if person_id is not None:
        return actor.user_id == person_id
    # A handler of that department itself: a county office's handler does not act for its grassroots offices'
    # parts (a leader over them does).
    return Role.HANDLER in actor.roles and actor.department_id == department_id


def leads(session: Session, actor: Actor, department_id: int) -> bool:
    """Whether the actor is a leader over the department (or the operator)."""
    return actor.is_operator or (Role.LEADER in actor.roles and covers(session, actor, department_id))


def refuse(what_en: str, what_zh: str) -> PermissionDeniedError:
    """The one refusal of a step on a part the actor does not act for."""
    return PermissionDeniedError(
        f"You do not act for {what_en}: only its department's leader, the person it names, or (when it names nobody) "
        "a handler of that department may. See docs/tasks.md.",
        zh=f"您无权代表{what_zh}办理：仅限该部门领导、指定的负责人，或（未指定负责人时）该部门的经办人。",
    )
