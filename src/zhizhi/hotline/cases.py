"""Cases: tickets of every channel merged into one grievance, routed, on the legal clocks, and answered once.

Tickets come into cases by `zhizhi.hotline.take` (`take_in`): on their own at or above `hotline.merge_at`, else a
case of their own with the closer cases suggested to a handler, who confirms (the two cases become one) or keeps
them apart (`zhizhi.hotline.suggestions`). Every move can be undone (`split`), and every step is audited.

`decide` records a handler's decision and result once; `zhizhi.hotline.answers` renders it for every ticket of the
case in its channel's codes and owes it to the channel's platform through the outbox.

The index of earlier tickets lives in the process (`zhizhi.hotline.history`); cases and their tickets are always
read from the store.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import date
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from zhizhi.access.audit import record as audit
from zhizhi.access.roles import Actor, Role, require
from zhizhi.config import Workspace
from zhizhi.errors import InputError, NotFoundError, PermissionDeniedError
from zhizhi.hotline.answers import answer_tickets, withdraw_unsent
from zhizhi.hotline.history import first_ticket, held_copies, kept_apart, ticket_key, ticket_moment
from zhizhi.hotline.respondents import Register
from zhizhi.hotline.routing import OPEN_STAGES, Router, least_loaded, load_routing
from zhizhi.hotline.take import open_case, respondent_of
from zhizhi.records.ticket import KINDS
from zhizhi.records.ticket_answer import DECISIONS
from zhizhi.store.tables import (
    Case,
    CaseSuggestion,
    CaseTicket,
    Department,
    Record,
    RecordVersion,
    User,
)
from zhizhi.store.types import LOCAL_TZ, local_today, utcnow

STAGES = {"received": ("待受理", "received"), "accepted": ("处理中", "in hand"), "closed": ("已办结", "closed"),
          "merged": ("已并案", "merged")}  # fmt: skip
NOT_ACCEPTED_REASONS = {
    "1": "投诉事项不属于市场监督管理部门职责，或者本行政机关不具有处理权限（第十五条第一项）",
    "2": "同一消费者权益争议已经受理或者处理过（第十五条第二项）",
    "3": "不是为生活消费需要，或者不能证明存在消费者权益争议（第十五条第三项）",
    "4": "知道或者应当知道权益受到侵害之日起超过三年（第十五条第四项）",
    "5": "未提供本办法第九条第一款和第十条规定的材料（第十五条第五项）",
    "6": "法律、法规、规章规定不予受理的其他情形（第十五条第六项）",
}
"""Art 15: the only grounds for not accepting a complaint; a `not_accepted` decision names one."""
FINAL = frozenset({"not_accepted", "mediated", "terminated", "referred", "case_opened", "not_opened", "answered"})
ALLOWED = {
    "complaint": ("accepted", "not_accepted", "mediated", "terminated", "referred"),
    "report": ("case_opened", "not_opened", "referred"),
    "consultation": ("answered", "referred"),
    "suggestion": ("answered", "referred"),
    "other": ("answered", "referred"),
}
MAX_RESULT = 4000
_FILTERS = {"stage": "阶段", "kind": "诉求类型"}
MAX_REASON = 500


# --- a handler's steps ------------------------------------------------------------------------------------------


def get_case(session: Session, actor: Actor, number: str) -> Case:
    """The case numbered `number`, if the actor may see it (cases of their departments' subtree: desk or office)."""
    require(actor, "data.read")
    case = session.scalar(select(Case).where(Case.number == str(number).strip()))
    if case is None or not sees(session, actor, case):
        raise NotFoundError(f"No case `{number}`.", zh=f"没有案件 `{number}`。")
    return case


def sees(session: Session, actor: Actor, case: Case) -> bool:
    """Whether the case's desk or office is in the actor's departments."""
    if actor.is_operator:
        return True
    paths = session.scalars(select(Department.path).where(Department.id.in_([case.desk_id, case.office_id or 0])))
    return any(actor.covers(p) for p in paths)


def writable(session: Session, actor: Actor, case: Case) -> None:
    require(actor, "cases.write")
    if not sees(session, actor, case):
        raise PermissionDeniedError("This case is not in your departments.", zh="该案件不属于您的部门。")


def merge_cases(session: Session, actor: Actor, moving: Case, target: Case, *, how: str = "moved",
                why: str = "", workspace: Workspace | None = None) -> int:  # fmt: skip
    """Every ticket of the younger case into the older, which keeps the case: its clocks started first, and the
    office that received it first keeps it (Art 13). The younger is left `merged` (its number still leads to the
    older). A decided case is not merged away (its answers went out under its number); tickets joining a decided
    case get its answer (`workspace` needed then). Returns how many tickets moved."""
    writable(session, actor, moving)
    writable(session, actor, target)
    if moving.id == target.id:
        raise InputError("A case cannot be merged into itself.", zh="案件不能与自身合并。")
    if moving.stage == "merged" or target.stage == "merged":
        raise InputError("A merged case cannot take part in another merge.", zh="已并入其他案件的案件不能再合并。")
    if (moving.received_at, moving.id) < (target.received_at, target.id):
        moving, target = target, moving
    for one, other in ((moving, target), (target, moving)):
        if kept_apart(one.kind, other.kind, other.decision is not None):
            raise InputError(
                f"Case {one.number} ({one.kind}) and case {other.number} ({other.kind}) are not merged: a complaint "
                "and a report are handled apart (Art 7), and a complaint or report is not merged into a case "
                "answered without its procedure. Keep them apart, or record the link in the result.",
                zh=f"案件 {one.number}（{KINDS.get(one.kind, one.kind)}）与案件 {other.number}"
                f"（{KINDS.get(other.kind, other.kind)}）不能合并：投诉与举报应分别处理（第七条），投诉或举报也不能"
                "并入未经其程序即已答复的案件。请保持分案，或在处理结果中注明关联。",
            )
    if moving.decision is not None:
        raise InputError(
            f"Case {moving.number} was decided ({moving.decision}) and its callers answered: it is not merged into "
            f"{target.number}. Keep them apart, or record the link in the result.",
            zh=f"案件 {moving.number} 已作出处理决定并答复，不能并入 {target.number}；"
            "请保持分案，或在处理结果中注明关联。",
        )
    if target.decision is not None and workspace is None:
        raise InputError(f"Case {target.number} was decided: its answer goes to the tickets joining it.",
                         zh=f"案件 {target.number} 已作出决定，并入的工单须补发答复。")  # fmt: skip
    links = list(session.scalars(select(CaseTicket).where(CaseTicket.case_id == moving.id)))
    joining, moved, now = [link.record_id for link in links], len(links), utcnow()
    for link in links:  # every merge kept, not only the last: each is undone in any order
        link.origins = json.dumps([*origins_of(link), {"case": moving.id, "how": link.how}])
        link.case_id, link.from_case_id, link.how = target.id, moving.id, how
        link.joined_at, link.joined_by = now, actor.name
    moving.stage, moving.routed_by, moving.updated_at = "merged", f"并入 {target.number}", utcnow()
    target.updated_at = utcnow()
    inside = select(CaseTicket.record_id).where(CaseTicket.case_id == target.id)
    session.execute(  # suggestions now inside one case, or of the case that is no more
        update(CaseSuggestion)
        .where(CaseSuggestion.status == "open")
        .where(or_(CaseSuggestion.case_id == moving.id,
                   and_(CaseSuggestion.case_id == target.id, CaseSuggestion.record_id.in_(inside))))
        .values(status="void", decided_at=utcnow(), decided_by=actor.name)
    )  # fmt: skip
    audit(session, actor, "case.merged_cases", object_type="case", object_id=target.number,
          detail={"from": moving.number, "tickets": moved, "why": why})  # fmt: skip
    if target.decision is None:
        session.flush()
        as_its_tickets(session, target)  # a complaint merged into a consultation's case makes it a complaint's
    if target.decision is not None and workspace is not None:
        answer_tickets(session, workspace, target, joining)
    return moved


def split(session: Session, actor: Actor, workspace: Workspace, record_id: int, *, reason: str) -> Case:
    """Undo a merge. A ticket that joined on its own (or a first ticket) leaves for a case of its own; a ticket
    that came with a merged case goes back with every ticket of that case, and that case is open again. A ticket
    moves with its copies (the same ticket come by another way: one ticket), as the way it came in first moves."""
    reason = given_reason(reason)
    ticket = session.get(CaseTicket, record_id)
    if ticket is None:
        raise NotFoundError(f"Ticket record {record_id} is in no case.", zh=f"工单记录 {record_id} 不在任何案件中。")
    case = session.get_one(Case, ticket.case_id)
    writable(session, actor, case)
    tickets = case_tickets(session, case)
    copies = _copies(tickets, ticket)
    ticket = min([ticket, *copies], key=lambda t: (_SAME in (t.reasons or ""), t.joined_at, t.record_id))
    if ticket.from_case_id is not None:  # its case's own tickets split off before, it may be the last one left
        return _undo_merge(session, actor, workspace, case, session.get_one(Case, ticket.from_case_id), reason)
    if len(tickets) <= 1 + len(copies):
        raise InputError(f"Case {case.number} holds only this ticket: nothing to split.",
                         zh=f"案件 {case.number} 只有这一张工单，无需拆分。")  # fmt: skip
    return leave_alone(session, actor, workspace, ticket, case, reason)


_SAME = '"same_ticket"'
"""How a copy of a ticket (come by another way) is told in its reasons."""


def _copies(tickets: list[tuple[CaseTicket, dict[str, Any]]], link: CaseTicket) -> list[CaseTicket]:
    """The other copies in a case of one of its tickets (the same channel and number: an export and a push), but
    one the platform made another procedure (a complaint and a report are handled apart, Art 7)."""
    data = next(d for t, d in tickets if t.record_id == link.record_id)
    return [t for t, d in tickets if t.record_id != link.record_id and ticket_key(d) == ticket_key(data)
            and not kept_apart(d.get("kind"), data.get("kind"), False)]  # fmt: skip


def _follow(copies: list[CaseTicket], leader: CaseTicket, to: Case, by: str) -> None:
    """A ticket's copies go where it went, as its copies there, holding the answer it holds."""
    now, reasons = utcnow(), json.dumps({"reasons": ["same_ticket"]})
    for copy in copies:
        copy.case_id, copy.how, copy.from_case_id, copy.origins = to.id, "merged", None, None
        copy.score, copy.reasons, copy.joined_at, copy.joined_by = 1.0, reasons, now, by
        copy.answer_version_id = leader.answer_version_id


def _undo_merge(session: Session, actor: Actor, workspace: Workspace, case: Case, back: Case, reason: str) -> Case:
    """Every ticket that came with `back` goes back to it, as it was there, and `back` is open again; a case left with
    no ticket is closed as `merged`, pointing to where they went."""
    tickets = case_tickets(session, case)
    links = [link for link, _ in tickets if link.from_case_id == back.id]
    now, withdrawn, moving = utcnow(), 0, {link.record_id for link in links}
    for link in links:
        withdrawn += withdraw_unsent(session, link, case)  # the answer of the case it leaves, if not sent yet
        earlier = origins_of(link)
        came = earlier.pop()  # this merge; the ones before it stay, to be undone in their turn
        link.case_id, link.how, link.joined_at, link.joined_by = back.id, came.get("how") or "split", now, actor.name
        link.from_case_id = earlier[-1]["case"] if earlier else None
        link.origins = json.dumps(earlier) if earlier else None
        copies = [c for c in _copies(tickets, link) if c.record_id not in moving]  # came after the merge
        moving.update(c.record_id for c in copies)
        _follow(copies, link, back, actor.name)
    back.stage = _stage_of(back)
    back.routed_by = f"从 {case.number} 拆回"
    back.updated_at = case.updated_at = now
    session.flush()
    changed = as_its_tickets(session, case, workspace=workspace, left=True, gone_to=back)
    as_its_tickets(session, back)  # open again: of its tickets' kind, received when its first was
    audit(session, actor, "case.split", object_type="case", object_id=case.number,
          detail={"tickets": len(moving), "to": back.number, "reason": reason, "withdrawn": withdrawn,
                  **changed})  # fmt: skip
    return back


def origins_of(link: CaseTicket) -> list[dict[str, Any]]:
    """The merges that moved a ticket, oldest first: the case it came with and how it was there (a move stored before
    they were kept has only its last)."""
    if link.origins:
        return list(json.loads(link.origins))
    return [{"case": link.from_case_id, "how": "split"}] if link.from_case_id is not None else []


def leave_alone(
    session: Session, actor: Actor, workspace: Workspace, ticket: CaseTicket, case: Case, reason: str
) -> Case:
    """One ticket out of its case into a case of its own with its copies (`_copies`), kept apart from the case it
    left; audited as a split."""
    record_id = ticket.record_id
    tickets = case_tickets(session, case)
    data, copies = next(d for t, d in tickets if t.record_id == record_id), _copies(tickets, ticket)
    answer = ticket.answer_version_id  # what its platform holds, until the new case is decided
    session.delete(ticket)
    session.flush()
    new = open_case(session, actor, workspace, record_id, data, case.desk_id)
    moved = session.get_one(CaseTicket, record_id)
    moved.answer_version_id = answer
    _follow(copies, moved, new, actor.name)
    session.flush()
    withdrawn = _withdraw_left(session, moved, copies, case, data)
    changed = as_its_tickets(session, case, workspace=workspace, left=True)
    apart = session.scalar(select(CaseSuggestion).where(CaseSuggestion.record_id == record_id,
                                                        CaseSuggestion.case_id == case.id))  # fmt: skip
    if apart is None:  # a ticket split off before, merged back, and split again is kept apart by the same row
        apart = CaseSuggestion(record_id=record_id, case_id=case.id, score=ticket.score or 0.0,
                               reasons=ticket.reasons or "{}", created_at=utcnow())  # fmt: skip
        session.add(apart)
    apart.status, apart.decided_at, apart.decided_by = "apart", utcnow(), actor.name
    case.updated_at = utcnow()
    audit(session, actor, "case.split", object_type="case", object_id=case.number,
          detail={"record": record_id, "copies": [c.record_id for c in copies], "to": new.number,
                  "reason": reason, "withdrawn": withdrawn, **changed})  # fmt: skip
    return new


def _withdraw_left(session: Session, moved: CaseTicket, copies: list[CaseTicket], case: Case,
                   data: dict[str, Any]) -> int:  # fmt: skip
    """The answer of the case a ticket left, owed to it and not sent, withdrawn (it is not the ticket's own any
    more), unless that case still answers the platform's ticket: it holds the copy that came first, kept apart
    (`zhizhi.hotline.answers.answer_cases`). The copies hold what the ticket holds. Returns how many withdrawn."""
    key = ticket_key(data)
    held = held_copies(session, {key}).get(key) or []
    withdrawn = 0 if held and held[0][1] == case.id else withdraw_unsent(session, moved, case)
    for copy in copies:
        copy.answer_version_id = moved.answer_version_id
    return withdrawn


def as_its_tickets(session: Session, case: Case, *, workspace: Workspace | None = None, left: bool = False,
                   gone_to: Case | None = None) -> dict[str, Any]:  # fmt: skip
    """A case left by a split is received when its first ticket left was (a ticket that moved its receipt back has
    gone: its clocks would breach on another ticket's day), and, undecided, is of that ticket's kind (a report
    split off a complaint's case leaves a complaint, on the complaint's clock). With `left` (tickets left it) and
    its first ticket gone, it takes its respondent and register entity from the ticket it is now received by, and,
    undecided, its office by the routing rules (`workspace`). A case left with no ticket is closed as `merged`,
    pointing to `gone_to`: nothing is left to handle, answer or count. Returns what changed, for the audit."""
    tickets = case_tickets(session, case)
    if not tickets:
        return _left_empty(session, case, gone_to) if case.stage != "merged" else {}
    first = first_ticket(data for _, data in tickets)
    kind, moment = first.get("kind") or "other", ticket_moment(first)
    case.received_at = moment.replace(tzinfo=LOCAL_TZ) if moment.tzinfo is None else moment
    case.received_on = case.received_at.astimezone(LOCAL_TZ).date()
    if case.decision is None:
        case.kind = kind
    if not left or any(link.how == "first" for link, _ in tickets):
        return {}
    return _from_first(session, case, first, workspace)


def _from_first(session: Session, case: Case, first: dict[str, Any], workspace: Workspace | None) -> dict[str, Any]:
    """The respondent, entity and (undecided, with `workspace`) office of the ticket a case is now received by."""
    columns, facts = respondent_of(Register(session, [first]), first, case.kind)
    changed: dict[str, Any] = {}
    for name, value in columns.items():
        if getattr(case, name) != value:
            changed[name] = value
            setattr(case, name, value)
    if case.decision is None and workspace is not None:
        where = Router(session, load_routing(workspace.root, session)).route(facts, case.desk_id)
        if where.office_id != case.office_id:
            case.office_id, case.handler_id, case.routed_by = where.office_id, where.handler_id, where.why
            changed |= {"office": where.office_id, "handler": where.handler_id}
    return changed


def _left_empty(session: Session, case: Case, gone_to: Case | None) -> dict[str, Any]:
    """A case whose every ticket went elsewhere: `merged` (out of lists, clocks and figures), its open suggestions
    void; its number leads to the case its last tickets went to."""
    case.stage, case.updated_at = "merged", utcnow()
    case.routed_by = f"工单均已移出，拆回 {gone_to.number}" if gone_to is not None else "工单均已移出"
    session.execute(update(CaseSuggestion).where(CaseSuggestion.case_id == case.id, CaseSuggestion.status == "open")
                    .values(status="void", decided_at=utcnow()))  # fmt: skip
    return {"left_empty": case.number}


def _stage_of(case: Case) -> str:
    if case.decision is None:
        return "received"
    return "closed" if case.decision in FINAL else "accepted"


def given_reason(reason: str | None) -> str:
    """A handler's reason for a step, trimmed; said when it is missing or too long."""
    reason = (reason or "").strip()
    if says_nothing(reason):
        raise InputError("Give a reason.", zh="请填写理由。")
    if len(reason) > MAX_REASON:
        raise InputError(f"The reason is {len(reason)} characters; at most {MAX_REASON}.",
                         zh=f"理由 {len(reason)} 个字符，最多 {MAX_REASON} 个。")  # fmt: skip
    return reason


def says_nothing(text: str) -> bool:
    """Blank to a reader: no letter or digit (empty, zero-width spaces, punctuation alone). Such a result was sent to
    the platforms as the callers' answer, and such a reason kept as the why of a step."""
    return not any(unicodedata.category(c)[0] in "LN" for c in text)


def assign(session: Session, actor: Actor, case: Case, *, office: str | None = None, handler: str | None = None,
           reason: str, workspace: Workspace | None = None) -> Case:  # fmt: skip
    """Move a case to another office (its least-loaded handler) or handler, with a reason; audited. A case already
    answered (accepted) whose office changes is answered again with `workspace`: the platform shows the office."""
    reason = given_reason(reason)
    writable(session, actor, case)
    if case.stage not in OPEN_STAGES:
        raise InputError(f"Case {case.number} is {case.stage}: it cannot be reassigned.",
                         zh=f"案件 {case.number} 已{STAGES[case.stage][0]}，不能改派。")  # fmt: skip
    before = (case.office_id, case.handler_id)
    # The assigned handler sees the callers, a reporter's identity only them (Art 33): who handles a case is a
    # leader's word, or its own handler's handing it over; anyone else routes it to an office, whose least-loaded
    # handler takes it (never the one routing it: else routing it to one's own office would name oneself).
    names = actor.is_operator or Role.LEADER in actor.roles or case.handler_id == actor.user_id
    if office:
        office_id = session.scalar(select(Department.id).where(Department.code == office))
        if office_id is None:
            raise NotFoundError(f"No department `{office}`.", zh=f"没有部门 `{office}`。")
        case.office_id = office_id
        case.handler_id = least_loaded(session, office_id, leaving_out=None if names else actor.user_id)
    if handler:
        user = session.scalar(select(User).where(User.username == handler))
        if user is None or not user.is_active or "handler" not in user.role_names:
            raise InputError(f"`{handler}` is not an active handler.", zh=f"`{handler}` 不是在职的经办人。")
        if not names:
            raise PermissionDeniedError(
                "Only a leader, or the case's own handler handing it over, names its handler: route it to an office "
                "instead (its least-loaded handler takes it).",
                zh="只有领导或本案经办人（移交时）可以指定经办人；请改派到承办单位（由其在办案件最少的经办人承办）。",
            )
        case.handler_id, case.office_id = user.id, user.department_id
    if not office and not handler:
        raise InputError("Name an office or a handler.", zh="请指定承办单位或经办人。")
    case.routed_by, case.updated_at = f"改派：{reason}", utcnow()
    audit(session, actor, "case.assigned", object_type="case", object_id=case.number,
          detail={"from": list(before), "to": [case.office_id, case.handler_id],
                  "reason": reason})  # fmt: skip
    if case.decision is not None and case.office_id != before[0] and workspace is not None:
        session.flush()
        answer_tickets(session, workspace, case, case_records(session, case))  # the answer names the new office
    return case


def decide(session: Session, actor: Actor, workspace: Workspace, case: Case, decision: str, *,
           result: str = "", reason_code: str | None = None, today: date | None = None,
           answer: bool = True) -> int:  # fmt: skip
    """Record a handler's decision and result once, and answer every ticket of the case on its channel (through
    the outbox). Returns the number of answers owed. With `answer=False` the caller answers (many cases at once,
    `zhizhi.hotline.answers.answer_cases`) before the transaction ends."""
    writable(session, actor, case)
    # The case's row locked and read again: a second decision sent at once (a double click, two handlers) waits for
    # the first and is then refused, and the worker's tickets joining it are in the case or see its decision.
    session.refresh(case, with_for_update=True)
    allowed = ALLOWED.get(case.kind, ALLOWED["other"])
    if decision not in allowed:
        raise InputError(
            f"`{decision}` is not a decision for a {case.kind}; choose from {', '.join(allowed)}.",
            zh=f"「{DECISIONS.get(decision, decision)}」不适用于此类诉求；"
            f"可选：{'、'.join(DECISIONS[d] for d in allowed)}。",
        )
    if case.stage in ("closed", "merged"):
        raise InputError(
            f"Case {case.number} is already {case.stage}.", zh=f"案件 {case.number} 已{STAGES[case.stage][0]}。"
        )
    if decision in ("mediated", "terminated") and case.stage != "accepted":
        raise InputError("Accept the complaint before ending its mediation.", zh="请先受理投诉，再办结调解。")
    if decision == "accepted" and case.stage != "received":
        raise InputError(f"Case {case.number} was already accepted.", zh=f"案件 {case.number} 已受理。")
    if decision == "not_accepted" and case.stage == "accepted":  # Art 21(6): its mediation ends, by termination
        raise InputError(
            f"Case {case.number} was accepted: an Art 15 ground found since ends its mediation (Art 21(6)); "
            "decide `terminated` with the ground in the result.",
            zh=f"案件 {case.number} 已受理：受理后发现第十五条情形的，应终止调解（第二十一条第六项）；"
            "请选择“终止调解”，并在处理结果中写明情形。",
        )
    if decision == "not_accepted" and reason_code not in NOT_ACCEPTED_REASONS:
        raise InputError(
            f"Not accepting a complaint needs its ground in Art 15 (1-6), not `{reason_code}`.",
            zh=f"不予受理须写明第十五条的情形（1-6），而不是 `{reason_code}`。",
        )
    result = (result or "").strip()
    if says_nothing(result):
        result = ""
    if len(result) > MAX_RESULT:
        raise InputError(f"The result is {len(result)} characters; at most {MAX_RESULT}.",
                         zh=f"处理结果 {len(result)} 个字符，最多 {MAX_RESULT} 个。")  # fmt: skip
    if decision in FINAL and not result and decision != "not_accepted":
        raise InputError("Write the result the callers will be told.", zh="请填写将答复给诉求人的处理结果。")
    day = today or local_today()
    case.decision, case.result = decision, result or None
    case.decision_reason = reason_code if decision == "not_accepted" else None
    case.decided_at, case.decided_by, case.updated_at = utcnow(), actor.name, utcnow()
    if decision == "accepted":
        case.accepted_on = day
    case.stage = _stage_of(case)  # the handler is not changed: only naming one shows a reporter's identity (Art 33)
    audit(session, actor, "case.decided", object_type="case", object_id=case.number,
          detail={"decision": decision, "reason": case.decision_reason, "result_chars": len(result)})  # fmt: skip
    if not answer:
        return 0
    return answer_tickets(session, workspace, case, case_records(session, case))


def case_records(session: Session, case: Case) -> list[int]:
    """The ticket records of a case."""
    return list(session.scalars(select(CaseTicket.record_id).where(CaseTicket.case_id == case.id)))


# --- reading --------------------------------------------------------------------------------------------------


def case_tickets(session: Session, case: Case) -> list[tuple[CaseTicket, dict[str, Any]]]:
    rows = session.execute(
        select(CaseTicket, RecordVersion.data)
        .join(Record, Record.id == CaseTicket.record_id)
        .join(RecordVersion, RecordVersion.id == Record.version_id)
        .where(CaseTicket.case_id == case.id)
        .order_by(CaseTicket.joined_at, CaseTicket.record_id)
    ).all()
    return [(t, json.loads(d)) for t, d in rows]


def visible(actor: Actor, case: Any = Case) -> Any:
    """The cases an actor may list: desk or office in their subtree (`case`: the table or an alias of it)."""
    if actor.is_operator:
        return True
    paths = select(Department.id).where(Department.path.startswith(actor.department_path, autoescape=True))
    return or_(case.desk_id.in_(paths), case.office_id.in_(paths))


def list_cases(
    session: Session, actor: Actor, *, stage: str | None = None, kind: str | None = None, office: str | None = None,
    limit: int = 100, offset: int = 0,
) -> list[Case]:  # fmt: skip
    """The cases an actor may list, newest first (merged ones only when asked for by `stage`); an unknown stage,
    kind or office is refused, naming it (a typo listed nothing, as if the desk had no such case)."""
    require(actor, "data.read")
    for name, value, allowed in (("stage", stage, STAGES), ("kind", kind, KINDS)):
        if value and value not in allowed:
            raise InputError(f"Unknown {name} `{value}`; choose from {', '.join(allowed)}.",
                             zh=f"未知的{_FILTERS[name]} `{value}`；可选：{'、'.join(allowed)}。")  # fmt: skip
    if office and session.scalar(select(Department.id).where(Department.code == office)) is None:
        raise InputError(f"Unknown office `{office}`: no department has this code. Give a department's code.",
                         zh=f"未知的承办单位 `{office}`：没有此代码的部门，请填写部门代码。")  # fmt: skip
    query = select(Case).where(visible(actor))
    query = query.where(Case.stage == stage) if stage else query.where(Case.stage != "merged")
    if kind:
        query = query.where(Case.kind == kind)
    if office:
        query = query.where(Case.office_id == select(Department.id).where(Department.code == office).scalar_subquery())
    return list(session.scalars(query.order_by(Case.received_at.desc(), Case.id.desc()).limit(limit).offset(offset)))
