"""The steps on a part: name a person, hand it over (the receiver accepts or refuses; the giver may withdraw), add
evidence, and mark it done. Every step is audited in the caller's transaction; until a handover is accepted, the
giver still owns the part (and it counts, and shows overdue, as the giver's)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from zhizhi.access.audit import record as audit
from zhizhi.access.roles import Actor, require
from zhizhi.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from zhizhi.store.tables import Department, Task, TaskEvidence, TaskHandover, TaskPart
from zhizhi.store.types import utcnow
from zhizhi.tasks import evidence
from zhizhi.tasks.rules import acts_for, leads, refuse, visible
from zhizhi.tasks.tasks import find_department, find_person

MAX_REASON = 500
DONE_BY_GIVER = "part_done"  # the answer of an offer withdrawn because its giver marked the part done: a code, shown
# in the reader's language (`tasks.handover.answer.part_done`)


def get_part(session: Session, actor: Actor, part_id: int) -> TaskPart:
    """The part `part_id`, if the actor may see its task."""
    require(actor, "data.read")
    part = session.scalar(
        select(TaskPart).join(Task, Task.id == TaskPart.task_id).where(TaskPart.id == part_id, visible(actor))
    )
    if part is None:
        raise NotFoundError(f"No task part `{part_id}` in your scope; see `zhizhi tasks show NUMBER`.",
                            zh=f"在您的权限范围内没有分工 `{part_id}`。")  # fmt: skip
    return part


def pending(session: Session, part: TaskPart, *, lock: bool = False) -> TaskHandover | None:
    """The handover of the part waiting for its receiver, if there is one (locked till the transaction ends, to be
    answered: two answers at once cannot both count)."""
    query = select(TaskHandover).where(TaskHandover.part_id == part.id, TaskHandover.status == "pending")
    return session.scalar(query.with_for_update() if lock else query)


def _open(part: TaskPart) -> None:
    if part.status != "open":
        raise ConflictError(f"Part {part.id} is already done.", zh=f"分工 {part.id} 已办结。")


def _reason(reason: str, what: str = "Give a reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InputError(f"{what}: it is kept in the audit trail.", zh="请填写理由，理由将记入审计日志。")
    if len(reason) > MAX_REASON:
        raise InputError(f"The reason is {len(reason)} characters; at most {MAX_REASON}.",
                         zh=f"理由 {len(reason)} 个字，最多 {MAX_REASON} 个。")  # fmt: skip
    return reason


def _code(session: Session, department_id: int) -> str:
    return session.scalar(select(Department.code).where(Department.id == department_id)) or str(department_id)


def _owner_side(session: Session, actor: Actor, part: TaskPart) -> None:
    require(actor, "data.read")
    if not acts_for(session, actor, part.department_id, part.owner_id):
        raise refuse("this part's owner", "该分工的责任方")


def assign(session: Session, actor: Actor, part: TaskPart, username: str) -> TaskPart:
    """Name the person of the part's department who owns it (a leader over that department does)."""
    require(actor, "data.read")
    _open(part)
    if not leads(session, actor, part.department_id):
        raise PermissionDeniedError(
            "Only a leader over the part's department names its owner; to give it to another office, hand it over.",
            zh="只有该分工所属部门的领导可以指定负责人；交给其他部门请使用移交。",
        )
    department = session.get_one(Department, part.department_id)
    user = find_person(session, username, department, "user")
    before = part.owner_id
    part.owner_id, part.updated_at = user.id, utcnow()
    audit(session, actor, "task.part.assign", object_type="task_part", object_id=part.id,
          detail={"department": department.code, "from": before, "to": user.username})  # fmt: skip
    return part


def hand_over(
    session: Session, actor: Actor, part: TaskPart, *, department: str, person: str | None = None, reason: str
) -> TaskHandover:
    """Offer the part to another department (and perhaps a person there); the giver owns it until accepted."""
    _owner_side(session, actor, part)
    _open(part)
    reason = _reason(reason)
    if pending(session, part) is not None:
        raise ConflictError(
            f"Part {part.id} is already offered to another department; wait for the answer or withdraw it.",
            zh=f"分工 {part.id} 已在移交中，请等待对方答复或先撤回。",
        )
    receiver = find_department(session, department, "department")
    if receiver.id == part.department_id:
        raise InputError(
            f"Part {part.id} is already `{receiver.code}`'s; to name a person there, assign it.",
            zh=f"分工 {part.id} 已属于 `{receiver.code}`；指定本部门人员请使用指派。",
        )
    user = find_person(session, person, receiver, "person") if person else None
    handover = TaskHandover(part_id=part.id, from_department_id=part.department_id, from_user_id=part.owner_id,
                            to_department_id=receiver.id, to_user_id=user.id if user else None, reason=reason,
                            status="pending", asked_by=actor.name, asked_at=utcnow())  # fmt: skip
    try:
        with session.begin_nested():  # another offer made at the same moment: the partial unique index refuses it
            session.add(handover)
    except IntegrityError:
        raise ConflictError(
            f"Part {part.id} was offered to another department at the same moment; reload the task.",
            zh=f"分工 {part.id} 刚刚已被移交，请刷新页面。",
        ) from None
    audit(session, actor, "task.part.handover", object_type="task_part", object_id=part.id,
          detail={"from": _code(session, part.department_id), "to": receiver.code,
                  "person": user.username if user else None, "reason": reason})  # fmt: skip
    return handover


def _waiting(session: Session, part: TaskPart) -> TaskHandover:
    handover = pending(session, part, lock=True)
    if handover is None:
        raise ConflictError(f"Part {part.id} is not being handed over.", zh=f"分工 {part.id} 没有待接收的移交。")
    return handover


def _answer(session: Session, actor: Actor, handover: TaskHandover, status: str, answer: str | None) -> None:
    handover.status, handover.answer = status, answer
    handover.answered_by, handover.answered_at = actor.name, utcnow()


def _receiver_side(session: Session, actor: Actor, handover: TaskHandover) -> None:
    if not actor.is_operator and handover.asked_by == actor.name:
        raise PermissionDeniedError(
            "You offered this part: its receiver accepts or refuses it, not the giver.",
            zh="该分工由您移交，须由接收方接收或拒绝。",
        )
    if not acts_for(session, actor, handover.to_department_id, handover.to_user_id):
        raise refuse("the receiving side", "接收方")


def accept(session: Session, actor: Actor, part: TaskPart) -> TaskHandover:
    """The receiver takes the part: from now on it is the receiving department's (and person's)."""
    require(actor, "data.read")
    handover = _waiting(session, part)
    _receiver_side(session, actor, handover)
    _answer(session, actor, handover, "accepted", None)
    part.department_id, part.owner_id, part.updated_at = handover.to_department_id, handover.to_user_id, utcnow()
    audit(session, actor, "task.part.accept", object_type="task_part", object_id=part.id,
          detail={"handover": handover.id, "from": _code(session, handover.from_department_id),
                  "to": _code(session, handover.to_department_id)})  # fmt: skip
    return handover


def decline(session: Session, actor: Actor, part: TaskPart, reason: str) -> TaskHandover:
    """The receiver refuses the part, with a reason; the giver keeps it."""
    require(actor, "data.read")
    handover = _waiting(session, part)
    _receiver_side(session, actor, handover)
    reason = _reason(reason, "Say why the part is refused")
    _answer(session, actor, handover, "refused", reason)
    audit(
        session,
        actor,
        "task.part.refuse",
        object_type="task_part",
        object_id=part.id,
        detail={"handover": handover.id, "to": _code(session, handover.to_department_id), "reason": reason},
    )
    return handover


def withdraw(session: Session, actor: Actor, part: TaskPart) -> TaskHandover:
    """The giver takes back an offer not yet answered."""
    _owner_side(session, actor, part)
    handover = _waiting(session, part)
    _answer(session, actor, handover, "withdrawn", None)
    audit(
        session,
        actor,
        "task.part.withdraw",
        object_type="task_part",
        object_id=part.id,
        detail={"handover": handover.id},
    )
    return handover


def add_evidence(
    session: Session, actor: Actor, part: TaskPart, *, text: str = "", files: Sequence[evidence.Upload] = ()
) -> list[TaskEvidence]:
    """Keep a text and files as the part's evidence (the owner side, while the part is open)."""
    _owner_side(session, actor, part)
    _open(part)
    if not files and not (text or "").strip():
        raise InputError("Give a file or a text as evidence.", zh="请上传附件或填写文字说明。")
    added = evidence.add(session, part, actor.name, text=text, files=files)
    if added:
        audit(session, actor, "task.evidence.add", object_type="task_part", object_id=part.id,
              detail={"items": [{"id": e.id, "kind": e.kind, "name": e.name, "size": e.size,
                                 "sha256": e.sha256} for e in added]})  # fmt: skip
    return added


def finish(
    session: Session, actor: Actor, part: TaskPart, *, text: str = "", files: Sequence[evidence.Upload] = ()
) -> TaskPart:
    """Mark the part done, with the evidence given now and before; refused while the required evidence is missing.

    A handover still waiting is withdrawn: the giver did the part.
    """
    _owner_side(session, actor, part)
    _open(part)
    adding = ({"file"} if files else set()) | ({"text"} if text.strip() else set())
    lacking = evidence.missing(session, part, adding)
    if lacking:
        words = {"files": "a file", "text": "a text", "both": "a file and a text", "either": "a file or a text"}
        words_zh = {"files": "附件", "text": "文字说明", "both": "附件和文字说明", "either": "附件或文字说明"}
        note = f" ({part.evidence_note})" if part.evidence_note else ""
        raise InputError(
            f"Part {part.id} needs {words[part.evidence]} as evidence{note}; add it, then mark the part done.",
            zh=f"分工 {part.id} 须提交{words_zh[part.evidence]}作为证明材料{note}，补充后再办结。",
        )
    if adding:
        add_evidence(session, actor, part, text=text, files=files)
    waiting = pending(session, part)
    if waiting is not None:
        _answer(session, actor, waiting, "withdrawn", DONE_BY_GIVER)
    part.status, part.done_at, part.done_by = "done", utcnow(), actor.name
    part.updated_at = part.done_at
    audit(
        session,
        actor,
        "task.part.done",
        object_type="task_part",
        object_id=part.id,
        detail={"deadline": part.deadline.isoformat(), "withdrawn": waiting.id if waiting else None},
    )
    return part


def read_evidence(session: Session, actor: Actor, evidence_id: int) -> TaskEvidence:
    """One piece of evidence with its bytes, for whoever sees its task; the read is audited."""
    item = _evidence(session, actor, evidence_id)
    audit(
        session,
        actor,
        "task.evidence.read",
        object_type="task_part",
        object_id=item.part_id,
        detail={"evidence": item.id, "name": item.name},
    )
    return item


def evidence_place(session: Session, actor: Actor, evidence_id: int) -> tuple[str, int]:
    """The number of the task and the id of the part a piece of evidence belongs to, for whoever sees that task
    (nothing is read of the evidence, and nothing audited)."""
    item = _evidence(session, actor, evidence_id)
    number = select(Task.number).join(TaskPart, TaskPart.task_id == Task.id).where(TaskPart.id == item.part_id)
    return session.scalar(number) or "", item.part_id


def _evidence(session: Session, actor: Actor, evidence_id: int) -> TaskEvidence:
    require(actor, "data.read")
    item = session.scalar(
        select(TaskEvidence)
        .join(TaskPart, TaskPart.id == TaskEvidence.part_id)
        .join(Task, Task.id == TaskPart.task_id)
        .where(TaskEvidence.id == evidence_id, visible(actor))
    )
    if item is None:
        raise NotFoundError(
            f"No evidence `{evidence_id}` in your scope.", zh=f"在您的权限范围内没有证明材料 `{evidence_id}`。"
        )
    return item
