"""The desk's figures for a period: cases by kind, problem category, district, industry and respondent; repeat
respondents; phrases rising this week; clock breaches by office and handler; and the double work merging removed.
No identities."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhizhi.access.roles import Actor, require
from zhizhi.hotline.case_clocks import clock_states
from zhizhi.hotline.cases import STAGES, visible
from zhizhi.hotline.clocks import RULES
from zhizhi.hotline.history import ticket_key
from zhizhi.hotline.texts import label_key, respondent_key
from zhizhi.hotline.topics import WORDS, Words
from zhizhi.hotline.views import _masked, _names
from zhizhi.hotline.workdays import WorkCalendar
from zhizhi.records.ticket import KINDS
from zhizhi.store.tables import Case, CaseTicket, Record, RecordVersion, User
from zhizhi.store.types import LOCAL_TZ, local_today


def statistics(
    session: Session,
    actor: Actor,
    calendar: WorkCalendar,
    *,
    since: date,
    until: date,
    warn_before: int = 2,
    words: Words = WORDS,
) -> dict[str, Any]:
    """The desk's figures for cases received from `since` through `until`: by kind, problem (the channels' own
    category, else the matter the words raise, read with `words`), district, industry and respondent; repeat
    respondents; and the double work merging removed. Topics rising in the week to `until` (against the week before,
    whatever the period), and the clocks whose deadline fell in the period and breached, by the office and handler
    the case is with now (a case received before the period counts too). No identities."""
    require(actor, "data.read")
    cases = list(
        session.scalars(
            select(Case).where(visible(actor), Case.stage != "merged", Case.received_on >= since,
                               Case.received_on <= until)
        )
    )  # fmt: skip
    total_tickets, saved, per_channel, problems = _ticket_figures(session, [c.id for c in cases], words)
    entities = _entities(session, cases)
    registered = {i: name for i, (name, _) in entities.items() if name}  # the register's name, however typed
    respondents = Counter(
        _masked(registered.get(c.entity_id or 0) or c.respondent_name)
        for c in cases
        if respondent_key(c.respondent_name) or c.entity_id in registered  # 无, 不详: no business named
    )
    industries = Counter((entities.get(c.entity_id or 0, (None, None))[1] or "未关联主体") for c in cases)
    # A deadline in the period is missed as known today: one that fell on its last day is breached from the next.
    today = local_today()
    # Clocks run up to 45 working days plus pauses: a case received that long before the period may breach in it.
    running = select(Case).where(visible(actor), Case.stage != "merged", Case.received_on <= until,
                                 Case.received_on >= since - timedelta(days=BREACH_LOOKBACK_DAYS))  # fmt: skip
    breaches = _breaches(session, list(session.scalars(running)), calendar, today, warn_before, since, until)
    return {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "cases": len(cases),
        "tickets": total_tickets,
        "tickets_per_channel": dict(sorted(per_channel.items())),
        "answers_saved": saved,
        "tickets_per_case": round(total_tickets / len(cases), 2) if cases else 0,
        "by_kind": dict(Counter(KINDS.get(c.kind, c.kind) for c in cases).most_common()),
        "by_problem": dict(Counter(problems.get(c.id, "未识别") for c in cases).most_common(15)),
        "by_stage": dict(Counter(STAGES[c.stage][0] for c in cases).most_common()),
        "by_district": dict(Counter(_district(c.respondent_division) for c in cases).most_common()),
        "by_industry": dict(industries.most_common(15)),
        "top_respondents": [{"name": n, "cases": k} for n, k in respondents.most_common(10)],
        "repeat_respondents": [{"name": n, "cases": k} for n, k in respondents.most_common() if k >= 2][:20],
        "rising_topics": rising_topics(_fortnight(session, actor, until), until),
        "breaches": [{"office": o, "handler": h, "clocks": k} for (o, h), k in sorted(breaches.items())],
        "breached_clocks": sum(breaches.values()),
        "rules": {name: rule.label_zh for name, rule in RULES.items()},
    }


BREACH_LOOKBACK_DAYS = 180
"""How far before a period the figures look for cases whose clocks may breach in it (45 working days of mediation
after 7 of acceptance, with holidays and pauses, is well inside it)."""


def _district(code: str | None) -> str:
    if not code:
        return "未识别"
    from zhizhi.ingest.normalize.divisions import division_index

    division = division_index().divisions.get(code)
    return (division.county or division.city or division.province) if division else code


STATISTICS_DAYS = 30
"""The desk's figures cover the last 30 days through today unless told otherwise (the page, the API, the commands)."""
SAME_TICKET = '%"same_ticket"%'
"""How a ticket's copy that came another way (a platform's export and its push: one ticket) is told in its reasons."""


def _tickets_of(session: Session, case_ids: list[int]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each ticket of the cases (its case, its data), case by case in the order the tickets joined; a ticket that
    came by two ways once (its copy joined as the same ticket is no other ticket)."""
    if not case_ids:
        return
    query = (
        select(CaseTicket.case_id, RecordVersion.data)
        .join(Record, Record.version_id == RecordVersion.id)
        .join(CaseTicket, CaseTicket.record_id == Record.id)
        .where(CaseTicket.case_id.in_(case_ids), ~CaseTicket.reasons.like(SAME_TICKET) | CaseTicket.reasons.is_(None))
        .order_by(CaseTicket.case_id, CaseTicket.joined_at, CaseTicket.record_id)
    )
    for case_id, raw in session.execute(query):
        yield case_id, json.loads(raw)


def copies_apart(session: Session, cases: Any) -> int:
    """How many tickets of `cases` (a subquery of case ids) are a copy, in another of them, of one platform ticket
    (its export and its push gave a complaint and a report, handled apart: Art 7): one ticket, counted once."""
    own = ~CaseTicket.reasons.like(SAME_TICKET) | CaseTicket.reasons.is_(None)
    held = select(Record.key).join(CaseTicket, CaseTicket.record_id == Record.id).where(CaseTicket.case_id.in_(cases),
                                                                                         own)  # fmt: skip
    twice = list(session.scalars(held.group_by(Record.key).having(func.count() > 1)))
    if not twice:
        return 0
    found = session.scalars(select(RecordVersion.data).join(Record, Record.version_id == RecordVersion.id)
                            .join(CaseTicket, CaseTicket.record_id == Record.id)
                            .where(CaseTicket.case_id.in_(cases), own, Record.key.in_(twice)))  # fmt: skip
    return sum(n - 1 for n in Counter(ticket_key(json.loads(raw)) for raw in found).values())


def _ticket_figures(
    session: Session, case_ids: list[int], words: Words
) -> tuple[int, int, Counter[str], dict[int, str]]:
    """Of the cases' tickets: how many (a platform's ticket once, even with its copies in two cases: a complaint and
    a report, Art 7), the answers merging saved (each case's tickets but one), how many per channel, and each case's
    problem category: the one its tickets' channels give most, else the matter its first ticket's words raise first
    (read with `words`; 12345 often gives none)."""
    per_channel: Counter[str] = Counter()
    given: dict[int, Counter[str]] = defaultdict(Counter)
    read: dict[int, str] = {}
    seen: set[tuple[str, str]] = set()
    per_case: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for case_id, data in _tickets_of(session, case_ids):
        key = ticket_key(data)
        per_case[case_id].add(key)
        if key not in seen:
            seen.add(key)
            per_channel[str(data.get("channel"))] += 1
        if category := label_key(data.get("problem_category")):
            given[case_id][category] += 1
        elif case_id not in read and (
            topic := words.main_topic(str(data.get("text") or ""), data.get("respondent_name"))
        ):
            read[case_id] = topic
    problems = read | {case_id: said.most_common(1)[0][0] for case_id, said in given.items()}
    return len(seen), sum(len(keys) - 1 for keys in per_case.values()), per_channel, problems


def _fortnight(session: Session, actor: Actor, until: date) -> list[tuple[date, str]]:
    """The day of receipt and text of each ticket received in the two weeks to `until`: of the cases received then,
    and of older cases a ticket joined since (a caller calling again is what callers say now)."""
    since = until - timedelta(days=13)
    joined = select(CaseTicket.case_id).where(CaseTicket.joined_at >= datetime.combine(since, time(), LOCAL_TZ))
    cases = select(Case.id).where(visible(actor), Case.stage != "merged", Case.received_on <= until,
                                  (Case.received_on >= since) | Case.id.in_(joined))  # fmt: skip
    found = []
    for _, data in _tickets_of(session, list(session.scalars(cases))):
        try:
            day = datetime.fromisoformat(str(data.get("received_at"))).date()
        except ValueError:
            continue
        if since <= day <= until:
            found.append((day, str(data.get("text"))))
    return found


def _breaches(
    session: Session, cases: list[Case], calendar: WorkCalendar, today: date, warn_before: int, since: date,
    until: date,
) -> dict[tuple[str, str], int]:
    """The cases' clocks breached on `today` whose deadline fell from `since` through `until`, by (office,
    handler)."""
    breaches: dict[tuple[str, str], int] = defaultdict(int)
    offices = _names(session, list({c.office_id for c in cases}))
    handlers = dict(session.execute(select(User.id, User.display_name)).all())
    for c in cases:
        states = clock_states(session, c, calendar, today, warn_before)
        late = sum(1 for _, state, _ in states if state is not None and state.status == "breached"
                   and state.deadline is not None and since <= state.deadline <= until)  # fmt: skip
        if late:
            breaches[(offices.get(c.office_id or 0, "未分派"), handlers.get(c.handler_id or 0, "未指定"))] += late
    return breaches


def _entities(session: Session, cases: list[Case]) -> dict[int, tuple[str | None, str | None]]:
    """The register's name and industry class (the first three characters of its code) of each case's linked entity,
    one query per thousand."""
    from zhizhi.store.tables import Entity

    wanted = sorted({c.entity_id for c in cases if c.entity_id is not None})
    found: dict[int, tuple[str | None, str | None]] = {}
    for start in range(0, len(wanted), 1000):
        part = wanted[start : start + 1000]
        for entity_id, name, golden in session.execute(
            select(Entity.id, Entity.name, Entity.golden).where(Entity.id.in_(part))
        ):
            value = json.loads(golden or "{}").get("industry_code")
            code = value.get("value") if isinstance(value, dict) else value
            found[int(entity_id)] = (name or None, str(code)[:3] if code else None)
    return found


def rising_topics(texts: list[tuple[date, str]], until: date, *, top: int = 8) -> list[dict[str, Any]]:
    """Four-character phrases in more tickets in the 7 days to `until` than in the 7 before (at least 3 tickets
    this week and twice as many as before), most risen first: what callers suddenly talk about."""
    week = until - timedelta(days=6)
    before = week - timedelta(days=7)
    now: Counter[str] = Counter()
    then: Counter[str] = Counter()
    for day, text in texts:
        grams = {text[i : i + 4] for i in range(len(text) - 3)}
        grams = {g for g in grams if all("\u4e00" <= ch <= "\u9fff" for ch in g)}
        if week <= day <= until:
            now.update(grams)
        elif before <= day < week:
            then.update(grams)
    risen = [(g, n, then[g]) for g, n in now.items() if n >= 3 and n >= 2 * max(then[g], 1)]
    risen.sort(key=lambda item: (-(item[1] - item[2]), item[0]))
    kept: list[tuple[str, int, int]] = []
    for gram, n, m in risen:  # one phrase of overlapping ones (金力健身, 力健身房 ...)
        if not any(gram[1:] in k[0] or gram[:-1] in k[0] for k in kept):
            kept.append((gram, n, m))
        if len(kept) == top:
            break
    return [{"phrase": g, "this_week": n, "week_before": m} for g, n, m in kept]
