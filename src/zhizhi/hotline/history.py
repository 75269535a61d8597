"""The earlier tickets the desk compares a new one with: a similarity index (`zhizhi.hotline.similar`) of every
ticket the store's cases hold, kept in the process (built once from the store, then grown), so a worker checks a new
ticket in milliseconds; which case holds a ticket is always read from the store."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.config.models import HotlineConfig
from zhizhi.hotline.candidate import TicketText
from zhizhi.hotline.evidence import FITTED, Weights, weights_of
from zhizhi.hotline.similar import TicketIndex
from zhizhi.hotline.topics import WORDS, Words, words_of
from zhizhi.store.tables import TICKETS, Batch, Case, CaseTicket, Record, RecordVersion

CHUNK = 500


@dataclass
class _Memory:
    index: TicketIndex
    indexed: set[int] = field(default_factory=set)
    store: tuple[Any, ...] = ()  # the store's first case (id, created): another store under the same URL differs
    words: Words = WORDS  # the lists its texts were read with
    weights: Weights = FITTED  # how it weighs the evidence


_INDEXES: dict[str, _Memory] = {}


def ticket_moment(data: dict[str, Any]) -> datetime:
    """A ticket's moment of receipt as stored (naive: China's time, as the channel wrote it)."""
    try:
        return datetime.fromisoformat(str(data.get("received_at")))
    except ValueError:
        return datetime(1970, 1, 1)


PROCEDURES = ("complaint", "report")
"""The kinds that start a procedure on its own clocks. A complaint and a report are handled apart, even when one
caller raises both about one matter (Art 7: 分别处理): they never share a case."""


def procedure_of(kind: str | None) -> str | None:
    """The procedure a ticket or case of `kind` is handled by (complaint or report), None for the others."""
    return kind if kind in PROCEDURES else None


def kept_apart(kind: str | None, case_kind: str | None, case_decided: bool) -> bool:
    """Whether a ticket (or case) of `kind` may not join a case of `case_kind`: a complaint and a report are handled
    apart (Art 7); and a complaint or report does not join a decided case of no procedure (a consultation's answer
    decides nothing of it: it needs its own acceptance or verification)."""
    mine, theirs = procedure_of(kind), procedure_of(case_kind)
    if mine is None:
        return False
    return case_decided if theirs is None else mine != theirs


def case_kind_and_receipt(tickets: Iterable[dict[str, Any]]) -> tuple[str, datetime]:
    """A case's kind and moment of receipt from its tickets' data: the procedure one of them started (a complaint or
    a report; never both), received when its first ticket of that kind was (its clocks start then, not on an earlier
    consultation's day); without one, its first ticket's kind and moment."""
    first = first_ticket(tickets)
    return first.get("kind") or "other", ticket_moment(first)


def first_ticket(tickets: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The ticket a case is received by: the first of the procedure one of its tickets started, else its first."""
    ordered = sorted(tickets, key=ticket_moment)
    return next((t for t in ordered if procedure_of(t.get("kind"))), ordered[0])


def ticket_text(record_id: int, data: dict[str, Any]) -> TicketText:
    return TicketText(
        id=record_id,
        text=str(data.get("text") or ""),
        phone=data.get("caller_phone") or None,
        caller_name=data.get("caller_name") or None,
        respondent=data.get("respondent_name") or None,
        respondent_uscc=data.get("respondent_uscc") or None,
        received=ticket_moment(data).date(),
        problem_category=data.get("problem_category") or None,
        goods_category=data.get("goods_category") or None,
        place=data.get("place") or None,
    )


def ticket_key(data: dict[str, Any]) -> tuple[str, str]:
    """A platform's ticket: its channel and number (one that came by two ways, an export and a push, is one ticket
    with a record of each)."""
    return str(data.get("channel") or ""), str(data.get("number") or "")


def held_copies(session: Session, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], list[tuple[int, int]]]:
    """The copies the cases hold of each platform ticket in `keys` (channel, number): (record, case) pairs, the
    copy that reached the desk first (the oldest record) first."""
    found: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    numbers = sorted({f"number={number}" for _, number in keys})
    for start in range(0, len(numbers), CHUNK):
        rows = session.execute(
            select(Record.id, RecordVersion.data, CaseTicket.case_id)
            .join(RecordVersion, RecordVersion.id == Record.version_id)
            .join(CaseTicket, CaseTicket.record_id == Record.id)
            .where(TICKETS, Record.key.in_(numbers[start : start + CHUNK]))  # the tickets' partial index
            .order_by(Record.id)
        )
        for record_id, raw, case_id in rows:
            if (key := ticket_key(json.loads(raw))) in keys:
                found[key].append((int(record_id), int(case_id)))
    return found


def tickets_where(session: Session, condition: Any, limit: int | None = None) -> list[tuple[int, dict[str, Any], int]]:
    """(record id, latest data, department id of the batch) of the ticket records meeting `condition` (the first
    `limit` by record id)."""
    rows = session.execute(
        select(Record.id, RecordVersion.data, Batch.department_id)
        .join(RecordVersion, RecordVersion.id == Record.version_id)
        .join(Batch, Batch.id == RecordVersion.batch_id)
        .where(Record.record_type == "ticket", condition)
        .order_by(Record.id)
        .limit(limit)
    )
    return [(int(i), json.loads(d), int(dep)) for i, d, dep in rows]


def held_tickets(session: Session) -> dict[int, int]:
    """Each ticket record the store's cases hold, with the id of its case (read on the transaction's connection:
    plain rows, without the ORM's work per row)."""
    rows = session.connection().execute(select(CaseTicket.record_id, CaseTicket.case_id))
    return {int(r): int(c) for r, c in rows}


def index_of(session: Session, settings: HotlineConfig, held: Collection[int] | None = None) -> _Memory:
    """The process's index of the tickets the store's cases hold (built once, then kept up to date); `held`, the
    ticket records the cases hold, when the caller has just read them (`held_tickets`); `settings`, the desk's, whose
    lists it reads texts with and whose weights it weighs the evidence with (built again when they change)."""
    words, weights = words_of(settings), weights_of(settings)
    key = str(session.get_bind().engine.url)
    held = set(session.connection().scalars(select(CaseTicket.record_id))) if held is None else set(held)
    first = session.execute(select(Case.id, Case.created_at).order_by(Case.id).limit(1)).first()
    store = tuple(first) if first else ()
    memory = _INDEXES.get(key)
    # Rebuilt for another store under the same URL, or when tickets it holds are no longer in cases (erased, or
    # added by a transaction that was rolled back).
    fresh = memory is not None and memory.store == store and memory.words == words and memory.weights == weights
    if memory is None or not fresh or not memory.indexed <= held:
        tickets = tickets_where(session, Record.id.in_(select(CaseTicket.record_id))) if held else []
        tickets.sort(key=lambda t: (ticket_moment(t[1]), t[0]))
        index = TicketIndex.build((ticket_text(i, d) for i, d, _ in tickets), words, weights)
        memory = _Memory(index, {i for i, _, _ in tickets}, store, words, weights)
        _INDEXES[key] = memory
    missing = held - memory.indexed
    if missing:
        for i, d, _ in sorted(
            tickets_where(session, Record.id.in_(missing)), key=lambda t: (ticket_moment(t[1]), t[0])
        ):
            memory.index.add(ticket_text(i, d))
            memory.indexed.add(i)
    return memory


def index_candidates(
    session: Session, ticket: TicketText, settings: HotlineConfig, *, limit: int = 10, floor: float = 0.3
) -> list[dict[str, Any]]:
    """The earlier tickets a new ticket (not stored) may join, with their cases, scores and reasons (no identity),
    as the desk with `settings` weighs them."""
    found = index_of(session, settings).index.candidates(ticket, limit=limit, floor=floor)
    if not found:
        return []
    ids = [c.ticket_id for c in found]
    cases_of = dict(
        session.execute(
            select(CaseTicket.record_id, Case.number).join(Case, Case.id == CaseTicket.case_id)
            .where(CaseTicket.record_id.in_(ids))
        ).all()
    )  # fmt: skip
    keys = dict(session.execute(select(Record.id, Record.key).where(Record.id.in_(ids))).all())
    return [
        {"case": cases_of.get(c.ticket_id), "ticket": str(keys.get(c.ticket_id, "")).removeprefix("number="),
         "record_id": c.ticket_id, "score": round(c.score, 3), "text_similarity": round(c.text_similarity, 3),
         "reasons": list(c.reasons), "phrases": list(c.shared_phrases)}
        for c in found
    ]  # fmt: skip
