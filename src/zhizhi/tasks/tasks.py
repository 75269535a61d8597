"""Tasks: created from a checked `TaskSpec` with every part owned, found within the caller's scope, and listed."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from zhizhi.access.audit import record as audit
from zhizhi.access.roles import Actor, require
from zhizhi.errors import InputError, NotFoundError, PermissionDeniedError, ZhizhiError
from zhizhi.hotline import WorkCalendar
from zhizhi.store.tables import Department, Task, TaskPart, User
from zhizhi.store.types import local_today, utcnow
from zhizhi.tasks.deadlines import due_date
from zhizhi.tasks.rules import leads, visible
from zhizhi.tasks.spec import TaskSpec

STATES = ("open", "done", "overdue")
MAX_NUMBER = 20  # RW2026-0007: the longest a task number is, as typed into a URL


def create_task(
    session: Session, actor: Actor, spec: TaskSpec, calendar: WorkCalendar, *, today: date | None = None,
    source: str | None = None,
) -> Task:  # fmt: skip
    """Create a task and its parts, each owned by its department (and person, if named); audited.

    The actor must be a leader over the lead department. Every part's department, person and deadline is checked
    first, and all problems are reported at once.
    """
    require(actor, "data.read")
    lead = find_department(session, spec.lead, "lead")
    if not leads(session, actor, lead.id):
        raise PermissionDeniedError(
            f"Only a leader over the lead department `{spec.lead}` creates its tasks.",
            zh=f"只有牵头部门 `{spec.lead}` 的领导可以创建任务。",
        )
    start = spec.start or today or local_today()
    parts = _checked_parts(session, spec, start, calendar)
    now = utcnow()
    task = Task(number=f"tmp{secrets.token_hex(8)}", title=spec.title, description=spec.description,
                lead_department_id=lead.id, start_on=start, source=source, created_by=actor.name, created_at=now,
                updated_at=now)  # fmt: skip
    session.add(task)
    session.flush()
    task.number = f"RW{(today or local_today()).year}-{task.id:04d}"
    for seq, (part, department, owner, due, rule) in enumerate(parts, start=1):
        session.add(TaskPart(task_id=task.id, seq=seq, title=part.title, description=part.description,
                             department_id=department.id, owner_id=owner.id if owner else None, deadline=due,
                             deadline_rule=rule, evidence=part.evidence, evidence_note=part.evidence_note,
                             status="open", created_at=now, updated_at=now))  # fmt: skip
    session.flush()
    audit(session, actor, "task.create", object_type="task", object_id=task.number,
          detail={"title": spec.title, "lead": lead.code, "start": start.isoformat(),
                  "source": source,
                  "parts": [{"department": d.code, "owner": o.username if o else None, "deadline": due.isoformat()}
                            for _, d, o, due, _ in parts]})  # fmt: skip
    return task


def _checked_parts(session: Session, spec: TaskSpec, start: date, calendar: WorkCalendar) -> list[Any]:
    """Each part with its department, person, last day and rule; every problem of every part at once (a part's
    department and its deadline each checked, whatever the other's fate)."""
    parts, problems = [], []
    row: tuple[str, str] | None = None  # the part's sheet row, when the task came from a workbook

    def checked(check: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return check(*args, **kwargs)
        except ZhizhiError as exc:
            en, zh = exc.message, exc.message_zh or exc.message
            problems.append((f"{row[0]}: {en}", f"{row[1]}：{zh}") if row else (en, zh))
            return None

    for number, part in enumerate(spec.parts, start=1):
        where, row = f"parts.{number}", spec.row_of(number - 1)
        department = checked(find_department, session, part.department, f"{where}.department")
        owner = None
        if part.owner and department:
            owner = checked(find_person, session, part.owner, department, f"{where}.owner")
        dated = checked(due_date, part.deadline, start, calendar, where=f"{where}.deadline")
        if department and (owner or not part.owner) and dated:
            parts.append((part, department, owner, *dated))
    if problems:
        raise InputError(
            f"The task has {len(problems)} problem(s): " + " ".join(p for p, _ in problems),
            zh=f"任务有 {len(problems)} 处错误：" + "".join(z for _, z in problems),
            details=[p for p, _ in problems],
        )
    return parts


def find_department(session: Session, code: str, where: str) -> Department:
    """The department of `code` (any: a task reaches across the tree); the error names the key `where`."""
    department = session.scalar(select(Department).where(Department.code == code.strip()))
    if department is None:
        raise NotFoundError(f"`{where}` = `{code}`: no such department; see `zhizhi dept list` for the codes.",
                            zh=f"`{where}` = `{code}`：没有该部门，部门编码见 `zhizhi dept list`。")  # fmt: skip
    return department


def find_person(session: Session, username: str, department: Department, where: str) -> User:
    """An active user of exactly `department` (a person of another office is reached by a handover)."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.is_active or user.department_id != department.id:
        raise InputError(
            f"`{where}` = `{username}` is not an active user of `{department.code}`; name a person of that "
            "department, or leave it empty for the department's leader to assign.",
            zh=f"`{where}` = `{username}` 不是 `{department.code}` 的在职用户；"
            "请指定该部门人员，或留空由部门领导指派。",
        )
    return user


def get_task(session: Session, actor: Actor, number: str) -> Task:
    """The task numbered `number`, if the actor may see it."""
    require(actor, "data.read")
    task = session.scalar(select(Task).where(Task.number == number.strip(), visible(actor)))
    if task is None:
        raise NotFoundError(f"No task `{number}` in your scope; see `zhizhi tasks list`.",
                            zh=f"在您的权限范围内没有任务 `{number}`。")  # fmt: skip
    return task


def task_of(session: Session, part: TaskPart) -> Task:
    """The task a part belongs to."""
    return session.get_one(Task, part.task_id)


def list_tasks(
    session: Session, actor: Actor, *, state: str | None = None, today: date | None = None, limit: int = 100,
    offset: int = 0,
) -> list[Task]:  # fmt: skip
    """The tasks the actor sees, newest first: all, those with an open part, all parts done, or an overdue part."""
    require(actor, "data.read")
    if state not in (None, "", *STATES):
        raise InputError(f"State `{state}` is not one of {', '.join(STATES)}.",
                         zh=f"状态 `{state}` 无效，可选：{'、'.join(STATES)}。")  # fmt: skip
    query = select(Task).where(visible(actor))
    open_part = exists().where(TaskPart.task_id == Task.id, TaskPart.status == "open")
    if state == "open":
        query = query.where(open_part)
    elif state == "done":
        query = query.where(~open_part)
    elif state == "overdue":
        query = query.where(open_part.where(TaskPart.deadline < (today or local_today())))
    return list(session.scalars(query.order_by(Task.id.desc()).limit(limit).offset(offset)))


def parts_of(session: Session, task_ids: list[int]) -> dict[int, list[TaskPart]]:
    """The parts of several tasks, in their order."""
    found: dict[int, list[TaskPart]] = {i: [] for i in task_ids}
    query = select(TaskPart).where(TaskPart.task_id.in_(task_ids)).order_by(TaskPart.task_id, TaskPart.seq)
    for part in session.scalars(query):
        found[part.task_id].append(part)
    return found


def summary(task: Task, parts: list[TaskPart], names: Any, today: date) -> dict[str, Any]:
    """A task's line in a list: its lead, how many parts are done and overdue, the next deadline."""
    open_parts = [p for p in parts if p.status == "open"]
    return {
        "number": task.number,
        "title": task.title,
        "lead": names.department(task.lead_department_id),
        "start_on": task.start_on.isoformat(),
        "status": "open" if open_parts else "done",
        "parts": len(parts),
        "done": len(parts) - len(open_parts),
        "overdue": sum(1 for p in open_parts if p.deadline < today),
        "next_deadline": min((p.deadline for p in open_parts), default=None),
        "created_by": task.created_by,
    }
