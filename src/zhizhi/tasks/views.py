"""What pages, the API and the CLI show of tasks: a task's line, a task with its parts (who owns each, its deadline,
handovers, evidence, and what the caller may do on it), and the overdue parts both sides' leaders see.

Free text people wrote (a text given as evidence, a file's name, a handover's reason and answer) may name or number a
person: it is
read as written by its author and the side it belongs to, and with the numbers found in it masked by the task's
other parties."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from zhizhi.access.roles import Actor, require
from zhizhi.privacy.catalogue import FREE_TEXT
from zhizhi.privacy.masking import mask
from zhizhi.store.tables import Department, Task, TaskEvidence, TaskHandover, TaskPart, User
from zhizhi.store.types import iso_utc, local_today
from zhizhi.tasks import evidence
from zhizhi.tasks.parts import DONE_BY_GIVER
from zhizhi.tasks.rules import acts_for, covers, leads, subtree
from zhizhi.tasks.tasks import parts_of, summary


@dataclass
class Names:
    """Departments' and users' names by id, read once per view."""

    session: Session
    departments: dict[int, dict[str, str]] = field(default_factory=dict)
    users: dict[int, dict[str, str]] = field(default_factory=dict)

    def department(self, department_id: int) -> dict[str, str]:
        if department_id not in self.departments:
            found = self.session.execute(
                select(Department.code, Department.name).where(Department.id == department_id)
            ).first()
            code, name = found if found else (str(department_id), str(department_id))
            self.departments[department_id] = {"code": code, "name": name}
        return self.departments[department_id]

    def user(self, user_id: int | None) -> dict[str, str] | None:
        if user_id is None:
            return None
        if user_id not in self.users:
            found = self.session.execute(select(User.username, User.display_name).where(User.id == user_id)).first()
            username, name = found if found else (str(user_id), str(user_id))
            self.users[user_id] = {"username": username, "name": name}
        return self.users[user_id]


def task_rows(session: Session, tasks: list[Task], today: date | None = None) -> list[dict[str, Any]]:
    """Each task's line: lead, parts done and overdue, the next deadline."""
    names, day = Names(session), today or local_today()
    parts = parts_of(session, [t.id for t in tasks])
    return [_dated(summary(t, parts[t.id], names, day)) for t in tasks]


def _dated(row: dict[str, Any]) -> dict[str, Any]:
    nearest = row.get("next_deadline")
    return {**row, "next_deadline": nearest.isoformat() if nearest else None}


def task_view(session: Session, actor: Actor, task: Task, today: date | None = None) -> dict[str, Any]:
    """A task with its parts: owner, deadline, overdue, the handover waiting and past ones, evidence, and the steps
    the actor may take on each part."""
    names, day = Names(session), today or local_today()
    parts = parts_of(session, [task.id])[task.id]
    ids = [p.id for p in parts]
    handovers: dict[int, list[TaskHandover]] = {i: [] for i in ids}
    for handover in session.scalars(
        select(TaskHandover).where(TaskHandover.part_id.in_(ids)).order_by(TaskHandover.id)
    ):
        handovers[handover.part_id].append(handover)
    kept = evidence.listed(session, ids)
    return {
        **_dated(summary(task, parts, names, day)),
        "description": task.description,
        "source": task.source,
        "created_at": iso_utc(task.created_at),
        "items": [part_view(session, actor, p, names, day, handovers[p.id], kept[p.id]) for p in parts],
    }


def part_view(
    session: Session, actor: Actor, part: TaskPart, names: Names, today: date, handovers: list[TaskHandover],
    kept: list[Any],
) -> dict[str, Any]:  # fmt: skip
    """One part as shown: its owner, deadline and state, its handovers, its evidence and the caller's steps."""
    waiting = next((h for h in handovers if h.status == "pending"), None)
    is_open = part.status == "open"
    owner = acts_for(session, actor, part.department_id, part.owner_id)
    owner_side = is_open and owner
    receiver_side = (
        waiting is not None
        and (actor.is_operator or waiting.asked_by != actor.name)
        and acts_for(session, actor, waiting.to_department_id, waiting.to_user_id)
    )
    return {
        "id": part.id,
        "seq": part.seq,
        "title": part.title,
        "description": part.description,
        "department": names.department(part.department_id),
        "owner": names.user(part.owner_id),
        "deadline": part.deadline.isoformat(),
        "deadline_rule": part.deadline_rule,
        "deadline_days": int(part.deadline_rule.split()[0]) if part.deadline_rule.endswith(" working days") else None,
        "status": part.status,
        "overdue": is_open and part.deadline < today,
        "days_overdue": (today - part.deadline).days if is_open and part.deadline < today else 0,
        "evidence": part.evidence,
        "evidence_note": part.evidence_note,
        "done_at": iso_utc(part.done_at),
        "done_by": part.done_by,
        "handover": handover_view(waiting, names, session, actor) if waiting else None,
        "handovers": [handover_view(h, names, session, actor) for h in handovers],
        "evidence_items": [_evidence(e, owner or e.added_by == actor.name) for e in kept],
        "may": {
            "assign": is_open and leads(session, actor, part.department_id),
            "hand_over": owner_side and waiting is None,
            "withdraw": owner_side and waiting is not None,
            "answer": is_open and receiver_side,
            "finish": owner_side,
        },
    }


def handover_view(handover: TaskHandover, names: Names, session: Session, actor: Actor) -> dict[str, Any]:
    """A handover as shown: its reason and answer read as written by its two sides, numbers masked for the rest."""
    plain = (
        actor.name in (handover.asked_by, handover.answered_by)
        or acts_for(session, actor, handover.from_department_id, handover.from_user_id)
        or acts_for(session, actor, handover.to_department_id, handover.to_user_id)
    )

    def shown(text: str | None) -> str | None:
        return text if plain else mask(FREE_TEXT, text)

    # Only marking the part done answers an offer it withdraws, with a code (older rows keep `done by the giver`).
    code = DONE_BY_GIVER if handover.status == "withdrawn" and handover.answer else None
    return {
        "id": handover.id,
        "status": handover.status,
        "from": names.department(handover.from_department_id),
        "from_person": names.user(handover.from_user_id),
        "to": names.department(handover.to_department_id),
        "to_person": names.user(handover.to_user_id),
        "reason": shown(handover.reason),
        "asked_by": handover.asked_by,
        "asked_at": iso_utc(handover.asked_at),
        "answered_by": handover.answered_by,
        "answered_at": iso_utc(handover.answered_at),
        "answer": None if code else shown(handover.answer),
        "answer_code": code,
    }


def _evidence(item: TaskEvidence, plain: bool) -> dict[str, Any]:
    """A piece of evidence as listed: its file's name and its text as written when `plain`, else with the numbers
    found in them masked."""
    return {
        "id": item.id,
        "kind": item.kind,
        "name": item.name if plain else mask(FREE_TEXT, item.name),
        "media_type": item.media_type,
        "size": item.size,
        "sha256": item.sha256,
        "text": item.text if plain else mask(FREE_TEXT, item.text),
        "added_by": item.added_by,
        "added_at": iso_utc(item.added_at),
    }


def shown_evidence(session: Session, actor: Actor, item: TaskEvidence) -> dict[str, Any]:
    """A piece of evidence as its download names and shows it: as written to its author and the part's owner side,
    the numbers found in its name and text masked for the task's other parties (as on the task's page)."""
    part = session.get_one(TaskPart, item.part_id)
    return _evidence(item, item.added_by == actor.name or acts_for(session, actor, part.department_id, part.owner_id))


def overdue_parts(
    session: Session, actor: Actor, *, today: date | None = None, limit: int = 200, offset: int = 0
) -> list[dict[str, Any]]:
    """The open parts past their deadline that concern the actor's subtree, most overdue first: parts it owns, parts
    of tasks it leads, and parts offered to it. Each says on which side(s) the actor stands. `count_overdue` says
    how many there are in all."""
    require(actor, "data.read")
    day = today or local_today()
    query = _overdue(actor, day).order_by(TaskPart.deadline, TaskPart.id).limit(limit).offset(offset)
    found = session.execute(query).all()
    offered = _offered(session, [part.id for part, _ in found])
    names, rows = Names(session), []
    for part, task in found:
        held = (("lead", task.lead_department_id), ("owner", part.department_id), ("receiver", offered.get(part.id)))
        sides = [side for side, department in held if department is not None and covers(session, actor, department)]
        rows.append({
            "task": task.number, "task_title": task.title, "lead": names.department(task.lead_department_id),
            "part": part.id, "seq": part.seq, "title": part.title, "department": names.department(part.department_id),
            "owner": names.user(part.owner_id), "deadline": part.deadline.isoformat(),
            "days_overdue": (day - part.deadline).days, "sides": sides,
        })  # fmt: skip
    return rows


def _offered(session: Session, part_ids: list[int]) -> dict[int, int]:
    """The department each of these parts is offered to, for those with a handover waiting."""
    query = select(TaskHandover.part_id, TaskHandover.to_department_id).where(
        TaskHandover.part_id.in_(part_ids), TaskHandover.status == "pending"
    )
    return {part_id: department_id for part_id, department_id in session.execute(query)}


def count_overdue(session: Session, actor: Actor, *, today: date | None = None) -> int:
    """How many parts `overdue_parts` has for the actor in all (a page shows the most overdue of them)."""
    require(actor, "data.read")
    return session.scalar(select(func.count()).select_from(_overdue(actor, today or local_today()).subquery())) or 0


def _overdue(actor: Actor, day: date) -> Select[TaskPart, Task]:
    """The open parts past their deadline on `day` that concern the actor's subtree, with their tasks."""
    query = (
        select(TaskPart, Task)
        .join(Task, Task.id == TaskPart.task_id)
        .where(TaskPart.status == "open", TaskPart.deadline < day)
    )
    if actor.is_operator:
        return query
    mine = subtree(actor)
    pending = TaskHandover.status == "pending"
    offered = select(TaskHandover.part_id).where(pending, TaskHandover.to_department_id.in_(mine))
    return query.where(
        or_(TaskPart.department_id.in_(mine), Task.lead_department_id.in_(mine), TaskPart.id.in_(offered))
    )
