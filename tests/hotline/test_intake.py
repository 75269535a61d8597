"""Intake in batches gives the cases that scoring one ticket at a time gives.

`take_in` works on a batch of tickets at once (the candidates' cases kept in memory, the store written in bulk at
the end); these tests hold it to the rule it implements, written out plainly here over the similarity index alone:
each ticket, oldest first, joins the case of its best candidate at or above `merge_at` (a case scores as its best
ticket, ties to the older case), else opens a case of its own with the three best other cases suggested from
`review_from`. The month is the demo city's (both channels, rephrased duplicates, repeat calls, several consumers
of one incident), ingested from its two exports; it is taken in batches small enough to cross many transactions.
Every ticket leaves one audit event (opened or merged), in one unbroken chain.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR, outbox
from zhizhi.access.audit import verify
from zhizhi.config import Workspace, load_workspace
from zhizhi.demo.desk import write_ticket_exports
from zhizhi.hotline import take_in
from zhizhi.hotline.history import index_of, kept_apart, procedure_of, ticket_moment, ticket_text, tickets_where
from zhizhi.hotline.similar import TicketIndex
from zhizhi.ingest.pipeline import ingest_file
from zhizhi.sources import load_source
from zhizhi.store.tables import AuditEvent, CaseSuggestion, CaseTicket, Record

TODAY = date(2026, 12, 4)
BATCH = 57


def _month(workspace: Workspace, city: sessionmaker[Session]) -> Workspace:
    with city() as session, session.begin():
        paths = write_ticket_exports(session, workspace.root, TODAY)
    for name, path in paths.items():
        with city() as session, session.begin():
            ingest_file(session, OPERATOR, load_source(workspace.root, name), path, outbox=outbox())
    return load_workspace(workspace.root)


def _one_at_a_time(
    tickets: list[tuple[int, dict[str, object], int]], merge_at: float, review_from: float, batch: int
) -> tuple[list[list[int]], set[tuple[int, int, float]]]:
    """The cases (lists of record ids) and suggestions (record, the case's first record id, score) the rule gives, the
    tickets taken `batch` at a time in the order of their record ids, each batch oldest first."""
    index, case_of, cases = TicketIndex(), dict[int, int](), defaultdict[int, list[int]](list)
    kind_of: dict[int, str] = {}  # a case's kind: the procedure (complaint or report) one of its tickets started
    suggested: list[tuple[int, int, float]] = []
    for start in range(0, len(tickets), batch):
        for record_id, data, _ in sorted(tickets[start : start + batch], key=lambda t: (ticket_moment(t[1]), t[0])):
            text, kind = ticket_text(record_id, data), str(data.get("kind") or "other")
            best: dict[int, float] = {}
            for candidate in index.candidates(text, limit=20, floor=review_from):
                case = case_of[candidate.ticket_id]
                if not kept_apart(kind, kind_of[case], False):  # Art 7: a complaint and a report apart
                    best[case] = max(best.get(case, 0.0), candidate.score)
            top = max(best.items(), key=lambda item: (item[1], -item[0]), default=None)
            if top is not None and top[1] >= merge_at:
                case_of[record_id] = top[0]
            else:
                case_of[record_id] = len(cases)
                closer = sorted(best.items(), key=lambda item: -item[1])[:3]
                suggested += [(record_id, other, score) for other, score in closer]
            cases[case_of[record_id]].append(record_id)
            if procedure_of(kind) or case_of[record_id] not in kind_of:
                kind_of[case_of[record_id]] = kind
            index.add(text)
    return sorted(sorted(c) for c in cases.values()), {(r, min(cases[c]), s) for r, c, s in suggested}


def test_batched_intake_makes_the_cases_of_one_ticket_at_a_time(
    workspace: Workspace, city: sessionmaker[Session]
) -> None:
    workspace = _month(workspace, city)
    settings = workspace.config.hotline
    with city() as session:
        tickets = tickets_where(session, Record.id > 0)
    assert len(tickets) > 300
    rounds = 0
    while True:
        with city() as session, session.begin():
            done = take_in(session, OPERATOR, workspace, limit=BATCH)
        rounds += 1
        if not done.tickets:
            break
    assert rounds > 5
    expected, suggested = _one_at_a_time(tickets, settings.merge_at, settings.review_from, BATCH)
    with city() as session:
        members = defaultdict(list)
        for record_id, case_id in session.execute(select(CaseTicket.record_id, CaseTicket.case_id)):
            members[case_id].append(record_id)
        first = {case_id: min(ids) for case_id, ids in members.items()}
        stored = {(s.record_id, first[s.case_id], s.score) for s in session.scalars(select(CaseSuggestion))}
        events = Counter(session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("case.%"))))
        chain = verify(session)
    cases = sorted(sorted(c) for c in members.values())
    assert len(cases) < len(tickets) and any(len(c) > 2 for c in cases)
    assert cases == expected
    assert stored == suggested and len(stored) > 10
    assert events == {"case.opened": len(cases), "case.merged": len(tickets) - len(cases)} and chain.ok


def test_an_intake_that_fails_midway_leaves_no_ticket_in_the_index_twice(
    workspace: Workspace, city: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch's tickets go into the process's index before they are weighed: should intake fail then, its
    transaction is rolled back and the next intake must not find them there already (it would weigh every later
    ticket against each of them twice), but build the index again."""
    workspace = _month(workspace, city)

    def broken(*_: object) -> None:
        raise RuntimeError("midway")

    with city() as session, session.begin():
        assert take_in(session, OPERATOR, workspace, limit=BATCH).tickets == BATCH
    monkeypatch.setattr("zhizhi.hotline.in_turn._Turn.candidates", broken)
    with pytest.raises(RuntimeError, match="midway"), city() as session, session.begin():
        take_in(session, OPERATOR, workspace, limit=BATCH)
    monkeypatch.undo()
    with city() as session, session.begin():
        assert take_in(session, OPERATOR, workspace, limit=BATCH).tickets == BATCH
    with city() as session:
        held = session.scalars(select(CaseTicket.record_id)).all()
        ids = index_of(session, workspace.config.hotline).index._ids.view().tolist()
    assert len(held) == 2 * BATCH and sorted(ids) == sorted(held)
