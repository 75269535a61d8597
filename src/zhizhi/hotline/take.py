"""Taking tickets into cases: the ticket records no case holds yet, a batch at a time, oldest first.

Each new ticket is scored against every earlier one (`zhizhi.hotline.similar`); a case scores as its best ticket.
At or above `hotline.merge_at` the ticket joins that case on its own; from `hotline.review_from` it opens a case of
its own and the closer cases (at most three) are suggested to a handler, who confirms or keeps them apart
(`zhizhi.hotline.cases`). A new case is linked to the register's entity (`zhizhi.hotline.respondents`) and routed
(`zhizhi.hotline.routing`); a ticket joining a case that was answered gets the answer too. Every step is audited.

A batch is decided in memory, ticket after ticket, exactly as one ticket at a time would be: each ticket's
candidates are those among the earlier tickets and the batch's tickets before it, found for the whole batch at once
(`TicketIndex.candidates_in_turn`: the same candidates and scores as one at a time), and which case holds each
earlier ticket (read from the store once per batch) is kept as tickets join or open cases. The store is written
once, at the end of the batch and in bulk: the new cases, each ticket's place in its case, the suggestions, the
audit events (in the tickets' order) and the answers owed. A batch is one transaction, the caller's.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, exists, insert, select, update
from sqlalchemy.orm import Session

from zhizhi.access.audit import record_many
from zhizhi.access.roles import Actor, require
from zhizhi.config import Workspace
from zhizhi.config.models import HotlineConfig
from zhizhi.hotline.answers import answer_tickets
from zhizhi.hotline.candidate import Candidate, TicketText
from zhizhi.hotline.history import (
    held_tickets,
    index_of,
    kept_apart,
    procedure_of,
    ticket_moment,
    ticket_text,
    tickets_where,
)
from zhizhi.hotline.respondents import Register, division_of, golden_value
from zhizhi.hotline.routing import Facts, Router, load_routing
from zhizhi.hotline.similar import TicketIndex
from zhizhi.store.tables import TICKETS, Case, CaseSuggestion, CaseTicket, Record, RecordVersion
from zhizhi.store.types import LOCAL_TZ, utcnow

BATCH = 2000
NEW = 1 << 62
"""A case opened in the batch is known by NEW + its place among them until the store gives it an id: after every
stored case's id, in the order opened, as the ids will be (the older case wins a tie)."""
CHUNK = 500
CANDIDATES = 20
"""The candidates a ticket is weighed with (the best of each case counts)."""
OWN = {"same_phone", "same_caller", "same_ticket"}
"""Reasons that say a candidate is the same caller's (or the same ticket): with `hotline.merge_other_callers` off, only
these merge on their own."""


@dataclass
class Intake:
    tickets: int = 0
    opened: int = 0
    merged: int = 0
    suggested: int = 0
    answered: int = 0
    rechecked: int = 0  # tickets held by a case whose record has a version the case did not take yet
    changed: int = 0  # of which a platform sent again with other facts
    split: int = 0  # of which left their case (a complaint made a report, or the other way)

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def take_in(session: Session, actor: Actor, workspace: Workspace, *, limit: int = BATCH, after: int = 0,
            versions_after: int = 0) -> Intake:  # fmt: skip
    """Put the ticket records no case holds yet (those with an id above `after`; up to `limit`, oldest first) into
    cases, in the caller's transaction, after looking at the tickets cases hold that a platform sent again with other
    facts (versions with an id above `versions_after`: `zhizhi.hotline.cases.recheck`). Returns the counts."""
    require(actor, "cases.write")
    from zhizhi.hotline.resent import recheck  # through the cases module, which opens cases with `open_case` here

    looked, changed, split = recheck(session, actor, workspace, after=versions_after, limit=limit)
    done = _take_new(session, actor, workspace, limit, after)
    done.rechecked, done.changed, done.split = looked, changed, split
    return done


def _take_new(session: Session, actor: Actor, workspace: Workspace, limit: int, after: int) -> Intake:
    settings = workspace.config.hotline
    pending = tickets_where(session, (Record.id > after) & ~exists().where(CaseTicket.record_id == Record.id), limit)
    if not pending:
        return Intake()
    case_of = held_tickets(session)
    memory = index_of(session, settings, case_of.keys())
    pending.sort(key=lambda t: (ticket_moment(t[1]), t[0]))
    batch = _Batch(session, actor, workspace, pending)
    twins = _twins(session, pending)
    done = Intake()
    texts = [ticket_text(record_id, data) for record_id, data, _ in pending]
    # Every ticket's candidates among those before it, the batch's own included (which case holds one is no part of
    # its candidates: it is read as each ticket is decided, in turn). The tickets are counted as indexed first: should
    # anything fail from here on, the transaction is rolled back, and the next intake finds the index holding tickets
    # no case holds and builds it again.
    memory.indexed.update(record_id for record_id, _, _ in pending)
    found = memory.index.candidates_in_turn(texts, limit=CANDIDATES, floor=settings.review_from)
    batch.know([case_of[c.ticket_id] for candidates in found for c in candidates if c.ticket_id in case_of]
               + [case_of[t] for copies in twins.values() for t in copies if t in case_of])  # fmt: skip
    for (record_id, data, department_id), candidates in zip(pending, found, strict=True):
        kind = data.get("kind") or "other"
        by_case = {c: one for c, one in best_by_case(candidates, case_of).items() if batch.takes(kind, c)}
        # the same ticket by another way in (a platform's export and its push): its case, unless the copy says
        # another procedure (a complaint sent again as a report is handled apart, Art 7)
        twin = next((t for t in twins.get(record_id, ()) if t in case_of and batch.takes(kind, case_of[t])), None)
        joined = joining({c: one for c, one in by_case.items() if batch.joins(kind, c)}, settings)
        if twin is not None:
            joined = (case_of[twin], Candidate(twin, 1.0, 1.0, ("same_ticket",)))
        done.tickets += 1
        if joined is not None:
            case_of[record_id] = batch.join(record_id, data, *joined)
            done.merged += 1
        else:
            case_of[record_id] = batch.open(record_id, data, department_id)
            done.opened += 1
            for other, candidate in suggestions(by_case):
                batch.suggest(record_id, other, candidate)
                done.suggested += 1
    batch.write()
    done.answered = batch.answered
    return done


def open_case(session: Session, actor: Actor, workspace: Workspace, record_id: int, data: dict[str, Any],
              desk_id: int) -> Case:  # fmt: skip
    """A case of its own for one ticket record (linked to the register, routed, audited), as intake opens one."""
    batch = _Batch(session, actor, workspace, [(record_id, data, desk_id)])
    key = batch.open(record_id, data, desk_id)
    return session.get_one(Case, batch.write()[key])


def _twins(session: Session, pending: list[tuple[int, dict[str, Any], int]]) -> dict[int, list[int]]:
    """Each pending ticket's twins: the other ticket records of the same channel and number (one ticket that came
    by two ways, a platform's export and its push, is a record of each source), oldest first."""
    wanted = {f"number={data.get('number')}": data.get("channel") for _, data, _ in pending if data.get("number")}
    channel_of = {record_id: data.get("channel") for record_id, data, _ in pending}  # known: not decoded again
    by_key: dict[tuple[str, Any], list[int]] = defaultdict(list)
    keys = sorted(wanted)
    for start in range(0, len(keys), CHUNK):
        found = session.execute(
            select(Record.id, Record.key, RecordVersion.data)
            .join(RecordVersion, RecordVersion.id == Record.version_id)
            .where(TICKETS, Record.key.in_(keys[start : start + CHUNK]))  # the tickets' partial index
            .order_by(Record.id)
        )
        for record_id, key, raw in found:
            channel = channel_of[record_id] if record_id in channel_of else json.loads(raw).get("channel")
            by_key[(key, channel)].append(int(record_id))
    twins: dict[int, list[int]] = {}
    for record_id, data, _ in pending:
        same = by_key.get((f"number={data.get('number')}", data.get("channel")), [])
        if len(same) > 1:
            twins[record_id] = [other for other in same if other != record_id]
    return twins


def weigh(
    index: TicketIndex, text: TicketText, case_of: dict[int, int], settings: HotlineConfig
) -> dict[int, Candidate]:
    """The cases a new ticket may join, each with its best candidate from `settings.review_from` (a case scores as its
    best ticket; `case_of`: the case of each earlier ticket)."""
    return best_by_case(index.candidates(text, limit=CANDIDATES, floor=settings.review_from), case_of)


def best_by_case(candidates: list[Candidate], case_of: dict[int, int]) -> dict[int, Candidate]:
    """Each case of `candidates` (earlier tickets; `case_of`: the case of each) with its best candidate."""
    by_case: dict[int, Candidate] = {}
    for candidate in candidates:
        case = case_of.get(candidate.ticket_id)
        if case is not None and (case not in by_case or candidate.score > by_case[case].score):
            by_case[case] = candidate
    return by_case


def joining(by_case: dict[int, Candidate], settings: HotlineConfig) -> tuple[int, Candidate] | None:
    """The case a ticket joins on its own, if any: the best (the older on a tie) at or above `merge_at`; with
    `merge_other_callers` off, the best of those whose candidate is the same caller's (another caller's, however
    close, waits for a handler)."""
    allowed = [
        (case, candidate)
        for case, candidate in by_case.items()
        if candidate.score >= settings.merge_at and (settings.merge_other_callers or OWN & set(candidate.reasons))
    ]
    return max(allowed, key=lambda item: (item[1].score, -item[0]), default=None)


def suggestions(by_case: dict[int, Candidate]) -> list[tuple[int, Candidate]]:
    """The closer cases (at most three) a handler is shown for a ticket that opened a case of its own."""
    return sorted(by_case.items(), key=lambda item: -item[1].score)[:3]


def respondent_of(register: Register, data: dict[str, Any], kind: str) -> tuple[dict[str, Any], Facts]:
    """A case's respondent columns as its first ticket gives them (linked to the register's entity), and the facts
    it is routed by."""
    entity = register.entity(data)
    division = data.get("respondent_address_division_code") or (division_of(entity) if entity else None)
    facts = Facts(kind=kind, division=division, industry=golden_value(entity, "industry_code") if entity else None,
                  text=f"{data.get('respondent_name') or ''} {data.get('text') or ''}")  # fmt: skip
    columns = {"respondent_name": data.get("respondent_name") or None,
               "respondent_uscc": data.get("respondent_uscc") or None,
               "respondent_address": data.get("respondent_address") or None, "respondent_division": division,
               "entity_id": entity.id if entity else None}  # fmt: skip
    return columns, facts


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


def _aware(moment: datetime) -> datetime:
    """A ticket's moment as stored in a case (China's time, with its zone)."""
    return moment.replace(tzinfo=LOCAL_TZ) if moment.tzinfo is None else moment


def _reasons(candidate: Candidate) -> str:
    return json.dumps(
        {"reasons": list(candidate.reasons), "phrases": list(candidate.shared_phrases), "ticket": candidate.ticket_id,
         "text_similarity": round(candidate.text_similarity, 3)}, ensure_ascii=False,
    )  # fmt: skip


@dataclass
class _Facts:
    kind: str
    received_at: datetime  # China's time, with its zone
    decided: bool
    closed: bool = False  # decided for good (its answer given)


@dataclass
class _Opened:
    record_id: int
    moment: datetime
    values: dict[str, Any]  # the case's columns but its id and number


@dataclass
class _Batch:
    """One batch's decisions, kept in memory (cases by their id, or by NEW + n when opened in the batch) and
    written to the store in bulk by `write`."""

    session: Session
    actor: Actor
    workspace: Workspace
    tickets: list[tuple[int, dict[str, Any], int]]
    opened: list[_Opened] = field(default_factory=list)
    places: list[dict[str, Any]] = field(default_factory=list)
    suggestions: list[dict[str, Any]] = field(default_factory=list)
    events: list[tuple[str, int, dict[str, Any]]] = field(default_factory=list)  # action, case, detail
    joining: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))  # stored case -> records
    facts: dict[int, _Facts] = field(default_factory=dict)  # every case a ticket may join: its kind and receipt
    changed: set[int] = field(default_factory=set)  # stored cases whose kind or receipt a joining ticket moved
    answered: int = 0

    def __post_init__(self) -> None:
        self.router = Router(self.session, load_routing(self.workspace.root, self.session))
        self.register = Register(self.session, (data for _, data, _ in self.tickets))
        self.now = utcnow()

    def know(self, cases: Iterable[int]) -> None:
        """The stored cases the batch's tickets may join, read in a few statements (only those: not every case)."""
        wanted = sorted({case for case in cases if case < NEW and case not in self.facts})
        for start in range(0, len(wanted), CHUNK):
            held = select(Case.id, Case.kind, Case.received_at, Case.decision.is_not(None), Case.stage == "closed")
            held = held.where(Case.stage != "merged", Case.id.in_(wanted[start : start + CHUNK]))
            self.facts |= {int(i): _Facts(kind, _aware(at), bool(decided), bool(closed))
                           for i, kind, at, decided, closed in self.session.execute(held)}  # fmt: skip

    def _facts_of(self, case: int) -> _Facts:
        if case not in self.facts:
            self.know([case])
        return self.facts[case]

    def takes(self, kind: str, case: int) -> bool:
        """Whether a ticket of `kind` may join the case (Art 7: a complaint and a report are handled apart)."""
        facts = self._facts_of(case)
        return not kept_apart(kind, facts.kind, facts.decided)

    def joins(self, kind: str, case: int) -> bool:
        """Whether a ticket of `kind` may join the case on its own: never a closed one, whose answer was given for
        others (a new complaint needs its own acceptance, Art 14; an agreement binds its own parties, Art 21): a
        handler is shown it and confirms."""
        return self.takes(kind, case) and not self._facts_of(case).closed

    def open(self, record_id: int, data: dict[str, Any], department_id: int) -> int:
        """A new case for the ticket, linked to the register and routed; its key in the batch."""
        case = NEW + len(self.opened)
        moment = ticket_moment(data)
        kind = data.get("kind") or "other"
        respondent, facts = respondent_of(self.register, data, kind)
        where = self.router.route(facts, department_id)
        values = {
            "kind": kind, "stage": "received", "desk_id": department_id, "office_id": where.office_id,
            "handler_id": where.handler_id, "routed_by": where.why,
            "received_at": _aware(moment),
            "received_on": moment.date(), **respondent, "created_at": self.now, "updated_at": self.now,
        }  # fmt: skip
        self.opened.append(_Opened(record_id, moment, values))
        self.facts[case] = _Facts(kind, _aware(moment), False)
        self._place(record_id, case, "first", None, "新案件")
        self.events.append(("case.opened", case, {
            "ticket": data.get("number"), "channel": data.get("channel"), "office": where.office_id,
            "handler": where.handler_id, "routed_by": where.why, "entity": values["entity_id"]}))  # fmt: skip
        return case

    def join(self, record_id: int, data: dict[str, Any], case: int, candidate: Candidate) -> int:
        """The ticket joins the case on its own; returns the case."""
        self._place(record_id, case, "merged", candidate, "自动并案")
        self.events.append(("case.merged", case, {"ticket": data.get("number"), "score": round(candidate.score, 3),
                                                  "reasons": list(candidate.reasons)}))  # fmt: skip
        if case < NEW:
            self.joining[case].append(record_id)
        # The case's kind and receipt as `history.case_kind_and_receipt` makes them of its tickets: a complaint or
        # report joining a consultation's case makes it one, received then; an earlier ticket of its kind (another
        # channel's export came in later) moves its receipt back: the grievance was received then.
        facts, kind, moment = self._facts_of(case), data.get("kind") or "other", _aware(ticket_moment(data))
        mine, theirs = procedure_of(kind), procedure_of(facts.kind)
        if (mine and not theirs) or (mine == theirs and moment < facts.received_at):
            facts.received_at = moment
            facts.kind = facts.kind if facts.decided else kind  # a decided case keeps the kind it was decided as
            if case >= NEW:
                self.opened[case - NEW].values |= {"kind": facts.kind, "received_at": moment,
                                                   "received_on": moment.date()}  # fmt: skip
            else:
                self.changed.add(case)
        return case

    def suggest(self, record_id: int, case: int, candidate: Candidate) -> None:
        self.suggestions.append({"record_id": record_id, "case_id": case, "score": candidate.score,
                                 "reasons": _reasons(candidate), "status": "open", "created_at": self.now})  # fmt: skip

    def _place(self, record_id: int, case: int, how: str, candidate: Candidate | None, by: str) -> None:
        self.places.append({"record_id": record_id, "case_id": case, "how": how,
                            "score": candidate.score if candidate else None,
                            "reasons": _reasons(candidate) if candidate else None, "joined_at": self.now,
                            "joined_by": by})  # fmt: skip

    def write(self) -> dict[int, int]:
        """Everything decided into the store; returns each case's id by its key in the batch."""
        ids, numbers = self._insert_cases()
        # The tables' own statements, not the ORM's bulk insert: it splits the rows into many statements by which
        # values are None (none of these columns has a default, so the rows stored are the same).
        versions = _versions(self.session, [row["record_id"] for row in self.places])
        self.places = [{**row, "version": versions.get(row["record_id"])} for row in self.places]
        for rows, table in ((self.places, _table(CaseTicket)), (self.suggestions, _table(CaseSuggestion))):
            if rows:
                self.session.execute(insert(table), [{**row, "case_id": ids.get(row["case_id"], row["case_id"])}
                                                     for row in rows])  # fmt: skip
        stored = sorted(self.joining)
        if self.changed:
            cases = _table(Case)
            moved = update(cases).where(cases.c.id == bindparam("case"))
            moved_to = [(case, self.facts[case]) for case in sorted(self.changed)]
            rows = [{"case": case, "kind": facts.kind, "at": facts.received_at,
                     "day": facts.received_at.astimezone(LOCAL_TZ).date()} for case, facts in moved_to]  # fmt: skip
            values: dict[str, Any] = {"kind": bindparam("kind"), "received_at": bindparam("at"),
                                      "received_on": bindparam("day")}  # fmt: skip
            self.session.execute(moved.values(**values), rows)
        for start in range(0, len(stored), CHUNK):
            part = stored[start : start + CHUNK]
            self.session.execute(update(Case).where(Case.id.in_(part)).values(updated_at=self.now))
            found = self.session.execute(select(Case.id, Case.number).where(Case.id.in_(part)))
            numbers |= {int(i): n for i, n in found}
        record_many(self.session, self.actor, ({"action": action, "object_type": "case", "detail": detail,
                                                "object_id": numbers[ids.get(case, case)]}
                                               for action, case, detail in self.events))  # fmt: skip
        for start in range(0, len(stored), CHUNK):
            decided = select(Case).where(Case.id.in_(stored[start : start + CHUNK]), Case.decision.is_not(None))
            for case in self.session.scalars(decided.order_by(Case.id)):  # joined a case already answered
                self.answered += answer_tickets(self.session, self.workspace, case, self.joining[case.id])
        return ids

    def _insert_cases(self) -> tuple[dict[int, int], dict[int, str]]:
        """The batch's new cases into the store, numbered by year and id: their ids by key, their numbers by id."""
        if not self.opened:
            return {}, {}
        rows = [{**o.values, "number": f"~{o.record_id}"} for o in self.opened]  # numbered once the ids are known
        cases = _table(Case)
        # Told apart by their provisional numbers, not by the order of the rows returned: asking for that order
        # makes SQLite's driver insert one row per statement.
        made = self.session.execute(insert(cases).returning(cases.c.id, cases.c.number), rows)
        id_of = {str(number): int(case_id) for case_id, number in made}
        ids = {case: id_of[row["number"]] for case, row in enumerate(rows, NEW)}
        numbers = {ids[case]: f"{o.moment:%Y}{ids[case]:07d}" for case, o in enumerate(self.opened, NEW)}
        numbered = update(cases).where(cases.c.id == bindparam("case")).values(number=bindparam("number"))
        self.session.execute(numbered, [{"case": i, "number": n} for i, n in numbers.items()])
        return ids, numbers


def _versions(session: Session, record_ids: list[int]) -> dict[int, int]:
    """Each ticket record's present version: the one its case takes."""
    found: dict[int, int] = {}
    for start in range(0, len(record_ids), CHUNK):
        part = record_ids[start : start + CHUNK]
        rows = session.execute(select(Record.id, Record.version).where(Record.id.in_(part)))
        found |= {int(i): int(v) for i, v in rows}
    return found
