"""Tickets a platform sends again with other facts after their case took them: each case ticket keeps the version of
its record the case took, and the intake compares a newer one with it (`recheck`, run by `take_in`)."""

from __future__ import annotations

import json

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from zhizhi.access.audit import record as audit
from zhizhi.access.roles import Actor
from zhizhi.config import Workspace
from zhizhi.hotline.cases import as_its_tickets, case_tickets, leave_alone
from zhizhi.hotline.history import kept_apart
from zhizhi.ingest.normalize.text import clean_text_value, join_han_value
from zhizhi.records.ticket import KINDS
from zhizhi.store.tables import Case, CaseTicket, Record, RecordVersion

WATCHED = ("kind", "received_at", "caller_name", "caller_phone", "caller_address", "respondent_name",
           "respondent_uscc", "respondent_address", "respondent_phone", "place", "text")  # fmt: skip
"""The facts of a ticket its case rests on: a platform's new version changing one of them is shown on the case (its
own status, which the platform changes as it goes, is not)."""


def recheck(
    session: Session, actor: Actor, workspace: Workspace, *, after: int = 0, limit: int = 2000
) -> tuple[int, int, int]:
    """The tickets a platform sent again with other facts since their case took them (only versions with an id above
    `after`): each changed field named on the ticket and audited; an undecided case takes the new kind and receipt,
    and a ticket that became a report in a complaint's case (or the other way) leaves it for a case of its own (Art
    7). Returns how many tickets it looked at (at most `limit`: more may wait), how many changed and how many of
    them left their case."""
    rows = session.execute(
        select(CaseTicket, Record.version, RecordVersion.data)
        .join(Record, Record.id == CaseTicket.record_id)
        .join(RecordVersion, RecordVersion.id == Record.version_id)
        .where(RecordVersion.id > after, or_(CaseTicket.version.is_(None), CaseTicket.version < Record.version))
        .order_by(CaseTicket.record_id)
        .limit(limit)
    ).all()
    changed = left = 0
    for place, version, raw in rows:
        taken, place.version = place.version, version
        if taken is None:
            continue
        before = json.loads(session.scalar(select(RecordVersion.data).where(
            RecordVersion.record_id == place.record_id, RecordVersion.version == taken)) or "{}")  # fmt: skip
        now = json.loads(raw)
        fields = [name for name in WATCHED if _fact(before.get(name)) != _fact(now.get(name))]
        if not fields:
            continue
        changed += 1
        place.changed = json.dumps(sorted({*json.loads(place.changed or "[]"), *fields}))
        case = session.get_one(Case, place.case_id)
        audit(session, actor, "case.ticket_changed", object_type="case", object_id=case.number,
              detail={"record": place.record_id, "version": version, "fields": fields})  # fmt: skip
        if case.decision is not None:
            continue
        others = [data.get("kind") for link, data in case_tickets(session, case) if link.record_id != place.record_id]
        if "kind" in fields and any(kept_apart(now.get("kind"), kind, False) for kind in others):
            kind = KINDS.get(now.get("kind") or "", now.get("kind"))
            # alone, whatever way it came into the case: a merged case's other tickets stay where they are
            why = f"平台将工单改为「{kind}」：投诉与举报分别处理（第七条）"
            leave_alone(session, actor, workspace, place, case, why)
            left += 1
        else:
            session.flush()
            as_its_tickets(session, case)
    return len(rows), changed, left


def _fact(value: object) -> object:
    """A fact as compared: half-width, single spaces, none beside a Chinese character. A caller's text is kept as
    written, so one sent again with other punctuation widths or line breaks (or stored folded, before) is the same."""
    if not isinstance(value, str):
        return value
    return join_han_value(clean_text_value(value) or "") or None
