"""The tickets the desk compares and what it finds: a ticket as the index reads it (`TicketText`), an earlier ticket
that may be the same grievance (`Candidate`) and a case that may be (`CaseCandidate`), each with its score and why."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

NAMELESS = frozenset({"匿名", "匿名举报", "匿名者", "匿名用户", "匿名人", "无名氏", "无", "无名", "不详", "未知",
                      "未提供", "未留名", "保密", "市民", "群众", "来电人", "网友", "-", "/"})  # fmt: skip
"""What a caller's name holds when the caller gave none (a platform's placeholder)."""
_TITLE_ONLY = re.compile(r"^.{1,2}(先生|女士|小姐|同志|师傅)$")
"""A surname with a form of address (张先生, 李女士): no real name (实名) either."""


def real_name(name: str | None) -> str | None:
    """A caller's name when it is one, else None: a placeholder (匿名, 市民) or a surname with a form of address
    (张先生) names nobody, and two callers who each gave one are not the same caller for it (nor a named reporter,
    Art 31)."""
    text = (name or "").strip()
    return None if text in ("", *NAMELESS) or _TITLE_ONLY.match(text) else text


@dataclass(frozen=True)
class TicketText:
    """What the index compares of a ticket: its id, text, caller's phone and name, respondent, day received, the
    channel's problem and goods categories and the place it happened (each when given); and `case_id`, the case it
    belongs to when that is known (given when the ticket is added, or later with `TicketIndex.assign`):
    `TicketIndex.case_candidates` weighs a new ticket against each case's tickets together. A ticket added without
    one is a case of its own."""

    id: int
    text: str
    phone: str | None = None
    caller_name: str | None = None
    respondent: str | None = None
    respondent_uscc: str | None = None
    received: date | None = None
    case_id: int | None = None
    problem_category: str | None = None
    goods_category: str | None = None
    place: str | None = None


@dataclass(frozen=True)
class Candidate:
    """An earlier ticket that may be the same grievance: its score (0..1), the text's similarity, and why."""

    ticket_id: int
    score: float
    text_similarity: float
    reasons: tuple[str, ...]
    shared_phrases: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class CaseCandidate:
    """A case the new ticket may join: its id (None for a ticket not in a case yet: `ticket_ids` has that one
    ticket), its score (0..1: the estimated chance that the new ticket belongs to it), its tickets (at most the
    index's `per_identity` latest), the best of them as a `Candidate`, and why: the best ticket's reasons, then the
    case's own (`case_phrases`: its tickets together share more rare phrases with the new one than the best alone;
    `several_callers`: several callers have already raised it about the same business), and the rare phrases the new
    text shares with the case's tickets together."""

    case_id: int | None
    score: float
    ticket_ids: tuple[int, ...]
    best: Candidate
    reasons: tuple[str, ...]
    shared_phrases: tuple[str, ...] = field(default=())
