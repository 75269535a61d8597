"""Answers: a case's decision rendered for each of its tickets in the ticket's channel's codes, and owed to the
channel's platform through the outbox.

The desk writes the answers of one decision as a JSON-lines file under `data/answers/CHANNEL/` and ingests it with
the channel's answer source (`sources/answers-CHANNEL-DESK.yaml`, written on first use): the answers are then
records like any other, with lineage, versions and the ledger, and every target that takes the source's records is
owed each new version. A channel's platform is a target file (`targets/12315.yaml`, `targets/12345.yaml`: see
docs/hotline.md) with its own field names. An answer whose content did not change is not a new version, so a ticket
is never sent the same answer twice; the next decision on the case is the answer's next version.

Each channel's status codes are the desk's defaults below; a bureau whose platform documents other codes sets them
in `zhizhi.yaml` (`hotline.status_codes`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi import ledger
from zhizhi.access.roles import Actor
from zhizhi.config import Workspace
from zhizhi.delivery import Outbox
from zhizhi.delivery.outbox import release_next, requeue
from zhizhi.delivery.supersede import REACHED, withdraw
from zhizhi.delivery.targets import TARGETS_FOLDER
from zhizhi.hotline.history import held_copies, ticket_key
from zhizhi.records.ticket_answer import DECISIONS, TICKET_ANSWER
from zhizhi.sources import SourceConfig, own_source
from zhizhi.store.tables import Case, CaseTicket, Delivery, Department, Record, RecordVersion
from zhizhi.store.types import LOCAL_TZ, utcnow

STATUS_CODES: dict[str, dict[str, str]] = {
    "12315": {"accepted": "02", "not_accepted": "03", "referred": "04", "mediated": "05", "terminated": "06",
              "case_opened": "07", "not_opened": "08", "answered": "09"},
    "12345": {"accepted": "20", "not_accepted": "31", "referred": "40", "mediated": "30", "terminated": "30",
              "case_opened": "30", "not_opened": "30", "answered": "30"},
}  # fmt: skip
"""The desk's default status codes per channel (a channel without a table gets the decision's own name)."""
FIELDS = ("channel", "number", "case_number", "kind", "decision", "status_code", "status_text", "reason", "result",
          "office", "answered_at")  # fmt: skip


def status_code(workspace: Workspace, channel: str, decision: str) -> str:
    own = workspace.config.hotline.status_codes.get(channel, {})
    return own.get(decision) or STATUS_CODES.get(channel, {}).get(decision) or decision


def source_name(channel: str, desk_code: str) -> str:
    return f"{TICKET_ANSWER.own_sources}{channel}-{desk_code}".lower()[:63]


def answer_source(workspace: Workspace, channel: str, desk_code: str) -> SourceConfig:
    """The answer source of a channel and desk, its file written on first use (a steward may retitle it)."""
    return own_source(
        workspace.root,
        source_name(channel, desk_code),
        note="Written by the hotline desk: the answers of its cases to the tickets of one channel.",
        title=f"热线答复（{channel}）",
        department=desk_code,
        record_type="ticket_answer",
        fields={f: f for f in FIELDS},
    )


def render(workspace: Workspace, case: Case, ticket: dict[str, Any], office: str) -> dict[str, str]:
    """One ticket's answer in its channel's codes."""
    from zhizhi.hotline.cases import NOT_ACCEPTED_REASONS

    decision = case.decision or ""
    decided = (case.decided_at or datetime.now(LOCAL_TZ)).astimezone(LOCAL_TZ).replace(tzinfo=None, microsecond=0)
    # A ticket that joined the case after its decision is not answered before it was received (a platform times
    # each ticket's response): its answer is dated its receipt, the same whenever it is rendered again.
    received = _moment(ticket.get("received_at"))
    answered = max(decided, received) if received is not None else decided
    return {
        "channel": str(ticket.get("channel") or "other"),
        "number": str(ticket.get("number") or ""),
        "case_number": case.number,
        "kind": case.kind,
        "decision": decision,
        "status_code": status_code(workspace, str(ticket.get("channel")), decision),
        "status_text": DECISIONS.get(decision, decision),
        "reason": NOT_ACCEPTED_REASONS.get(case.decision_reason or "", ""),
        "result": case.result or "",
        "office": office,
        "answered_at": answered.isoformat(),
    }


def _moment(value: Any) -> datetime | None:
    """A ticket's moment of receipt as stored (ISO, China's time), or None."""
    try:
        return datetime.fromisoformat(str(value)).replace(tzinfo=None, microsecond=0) if value else None
    except ValueError:
        return None


_OUTBOXES: dict[Path, tuple[tuple[tuple[str, float], ...], Outbox]] = {}


def _outbox(root: Path) -> Outbox:
    """The workspace's outbox, read again only when a target file changed (a desk answers many cases in a row)."""
    folder = root / TARGETS_FOLDER
    stamps = tuple(sorted((p.name, p.stat().st_mtime) for p in folder.glob("*.yaml"))) if folder.is_dir() else ()
    cached = _OUTBOXES.get(root)
    if cached is None or cached[0] != stamps:
        cached = (stamps, Outbox.of(root))
        _OUTBOXES[root] = cached
    return cached[1]


def answer_tickets(session: Session, workspace: Workspace, case: Case, record_ids: list[int]) -> int:
    """Write and ingest the answers of `case` to the tickets `record_ids`, owed through the outbox in the caller's
    transaction. Returns how many answers are new versions (each owed once)."""
    return answer_cases(session, workspace, [(case, record_ids)])


def answer_cases(session: Session, workspace: Workspace, items: list[tuple[Case, list[int]]]) -> int:
    """The answers of many decided cases, one file and one ingest per desk and channel (a desk deciding a day's
    cases at once). A ticket answered twice in one call keeps the later case's answer. A platform's ticket has one
    answer: the copies of a ticket that came by two ways and are kept in two cases (the export says 投诉, the push
    举报: Art 7) are answered by the case holding the copy that reached the desk first, and every copy holds that
    answer. Returns how many answers are new versions."""
    from zhizhi.ingest.pipeline import ingest_file

    grouped: dict[tuple[int, str], dict[int, dict[str, str]]] = defaultdict(dict)
    names: dict[int, str] = {}
    tickets = _tickets(session, [(case, record_ids) for case, record_ids in items if case.decision is not None])
    copies = held_copies(session, {ticket_key(data) for _, _, data in tickets})
    for case, record_id, data in tickets:
        held = copies.get(ticket_key(data))
        if held and held[0][1] != case.id:
            continue  # a copy kept in another case (Art 7): the platform's one answer is that case's
        desk = session.get_one(Department, case.desk_id)
        office = session.get(Department, case.office_id) if case.office_id else desk
        names[desk.id] = desk.code
        answer = render(workspace, case, data, office.name if office else desk.name)
        grouped[(desk.id, answer["channel"])][record_id] = answer
    if not grouped:
        return 0
    first = items[0][0]
    actor = Actor.operator(f"{first.decided_by or 'desk'}（热线答复）")
    outbox = _outbox(workspace.root)
    owed = 0
    stamp = datetime.now(LOCAL_TZ).strftime("%Y%m%dT%H%M%S%f")
    label = first.number if len(items) == 1 else f"{len(items)}cases"
    for (desk_id, channel), answers in sorted(grouped.items()):
        source = answer_source(workspace, channel, names[desk_id])
        folder: Path = workspace.data_dir / "answers" / channel
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{stamp}-{label}.jsonl"
        path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in answers.values()), encoding="utf-8")
        result = ingest_file(session, actor, source, path, outbox=outbox, force=True)
        versions = dict(
            session.execute(
                select(Record.key, RecordVersion.id)
                .join(RecordVersion, RecordVersion.record_id == Record.id)
                .where(RecordVersion.batch_id == result.batch.id)
            ).all()
        )
        owed += len(versions)
        # An answer already given (the same ticket again, from the channel's export and its push) is not a new
        # version and is not sent again; the ticket still holds it.
        kept = [f"number={a['number']}" for a in answers.values() if f"number={a['number']}" not in versions]
        if kept:
            given = dict(session.execute(
                select(Record.key, Record.version_id).where(Record.source == source.name, Record.key.in_(kept))
            ).all())  # fmt: skip
            owed += _owe_withdrawn(session, outbox.owed_to(source), [v for v in given.values() if v is not None])
            versions |= given
        for record_id, answer in answers.items():
            version = versions.get(f"number={answer['number']}")
            for copy, _ in copies.get((channel, answer["number"])) or [(record_id, 0)]:
                if version is not None:  # every copy of the ticket, in whichever case, holds its platform's answer
                    session.get_one(CaseTicket, copy).answer_version_id = version
    return owed


def _tickets(session: Session, items: list[tuple[Case, list[int]]]) -> list[tuple[Case, int, dict[str, Any]]]:
    """(case, record, data) of the tickets each case answers, in the order given."""
    found: list[tuple[Case, int, dict[str, Any]]] = []
    for case, record_ids in items:
        rows = session.execute(
            select(Record.id, RecordVersion.data)
            .join(RecordVersion, RecordVersion.id == Record.version_id)
            .where(Record.id.in_(record_ids))
        ).all()
        found.extend((case, int(record_id), json.loads(data)) for record_id, data in rows)
    return found


def _owe_withdrawn(session: Session, targets: list[str], version_ids: list[int]) -> int:
    """Answers given before whose delivery to a platform was withdrawn (`withdraw_unsent`: the ticket left the case
    before it went) and that the ticket is given again (it came back): owed again, pending from the first attempt
    with the same key (the platform never had it), each a `delivery.requeued` ledger entry. Returns how many."""
    if not targets or not version_ids:
        return 0
    withdrawn = list(session.scalars(
        select(Delivery).where(Delivery.record_version_id.in_(version_ids), Delivery.target.in_(targets),
                               Delivery.status == "superseded")
    ))  # fmt: skip
    if not withdrawn:
        return 0
    why = "答复重新发出：工单回到作出该答复的案件 / owed again: the ticket is back in the case that gave this answer"
    ledger.append_many(session, [
        ("delivery.requeued", "delivery", d.id, {"target": d.target, "idempotency_key": d.idempotency_key,
                                                 "record_version_id": d.record_version_id, "was": d.status,
                                                 "why": why})
        for d in withdrawn
    ])  # fmt: skip
    requeue(session, [d.id for d in withdrawn], utcnow())
    return len(withdrawn)


def withdraw_unsent(session: Session, link: CaseTicket, case: Case) -> int:
    """A ticket leaves `case`: the answer of that case still owed to it and not sent (pending, or withheld for a code
    decision) is withdrawn, settled `superseded` with a ledger entry, never to reach the platform after the undo. An
    answer already sent stays: the ticket then holds the last version its platform received. Returns how many
    deliveries were withdrawn."""
    if link.answer_version_id is None:
        return 0
    record_id = session.scalar(select(RecordVersion.record_id).where(RecordVersion.id == link.answer_version_id))
    unsent = session.execute(
        select(Delivery, RecordVersion.data).join(RecordVersion, RecordVersion.id == Delivery.record_version_id)
        .where(Delivery.record_id == record_id, Delivery.status.in_(("pending", "withheld")))
        .order_by(Delivery.id)
    ).all()  # fmt: skip
    owed = [d for d, data in unsent if json.loads(data).get("case_number") == case.number]  # this case's answers
    moment = utcnow()
    why = (f"已撤回：工单已移出案件 {case.number}，其答复未发出即撤回。 / "
           f"Withdrawn: the ticket left case {case.number} before this answer was sent.")
    entries = [withdraw(d, why, moment, case=case.number) for d in owed]
    if not entries:  # sent, or owed to no platform: the answer stands
        return 0
    ledger.append_many(session, entries)
    release_next(session, owed, moment)
    reached = (select(RecordVersion.id).join(Delivery, Delivery.record_version_id == RecordVersion.id)
               .where(RecordVersion.record_id == record_id, Delivery.status.in_(REACHED))
               .order_by(RecordVersion.version.desc()).limit(1))  # fmt: skip
    link.answer_version_id = session.scalar(reached)
    return len(entries)
