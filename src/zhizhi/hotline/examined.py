"""A ticket as the index examines it (`zhizhi.hotline.similar`): its facts (who, which business, the figures and
labels it gives, the matters and goods its words raise), its text cut into n-gram keys, and, once examined, the
shortlisted earlier tickets with the facts of each pair and the phrases they share."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from zhizhi.hotline.candidate import TicketText
from zhizhi.hotline.evidence import PairFacts, figures, repeats
from zhizhi.hotline.texts import (
    gram_keys,
    gram_keys_many,
    label_key,
    normalise_text,
    place_key,
    respondent_core,
    respondent_key,
    trigram_keys,
    without_respondent,
)
from zhizhi.hotline.topics import Words

LABELS = ("problem", "goods", "place")


def hashed(kind: str, value: str | None) -> int:
    """An identity's 63-bit hash (0 when there is none)."""
    return (hash((kind, value)) & 0x7FFFFFFFFFFFFFFF) or 1 if value else 0


def labels_of(ticket: TicketText) -> tuple[int, ...]:
    """A ticket's problem and goods categories and place, as hashed keys (0 when not given)."""
    return (hashed("problem", label_key(ticket.problem_category)), hashed("goods", label_key(ticket.goods_category)),
            hashed("place", place_key(ticket.place)))  # fmt: skip


@dataclass(frozen=True)
class Facts:
    id: int
    who: list[int]
    respondent: str | None
    figures: frozenset[tuple[str, str]]
    repeat: bool
    received: date | None
    text: str
    labels: tuple[int, ...]  # problem, goods, place (`LABELS`)
    topics: int  # the topics the text raises (`read_topics`)
    products: int  # the goods the text names (`read_products`)
    matters: int  # the matters of the business itself it raises (`read_business_matters`)


Prepared = tuple["Facts", npt.NDArray[np.uint32], npt.NDArray[np.uint32]]


def prepare(ticket: TicketText, words: Words) -> Prepared:
    """What the index compares of a ticket: its facts, and its text's trigram and bigram keys."""
    mine = facts_of(ticket, words)
    return (mine, *gram_keys(mine.text))


def prepare_many(tickets: list[TicketText], words: Words) -> list[Prepared]:
    """`prepare` of many tickets, their texts cut into keys all at once."""
    facts = [facts_of(ticket, words) for ticket in tickets]
    return [(mine, *keys) for mine, keys in zip(facts, gram_keys_many([m.text for m in facts]), strict=True)]


def facts_of(ticket: TicketText, words: Words) -> Facts:
    full = normalise_text(ticket.text)
    respondent = respondent_key(ticket.respondent) or None
    text = without_respondent(full, respondent)
    core = respondent and respondent_core(respondent)
    who = [hashed("phone", ticket.phone), hashed("name", ticket.caller_name), hashed("respondent", core),
           hashed("uscc", ticket.respondent_uscc)]  # fmt: skip
    return Facts(ticket.id, who, respondent, figures(full), repeats(full), ticket.received, text, labels_of(ticket),
                   words.read_topics(text), words.read_products(text), words.read_business_matters(text))  # fmt: skip


@dataclass
class Examined:
    """The ticket examined last, as `prepare` made it, the index's size then and its keys' ticket counts then: when
    that ticket is added next, nothing is computed again."""

    ticket: TicketText
    prepared: Prepared
    size: int
    keys: npt.NDArray[np.uint32] | None = None
    df: npt.NDArray[np.int64] | None = None


@dataclass
class Seen:
    """A new ticket as examined: its facts, its gram keys with their weights, the shortlisted rows and the facts of
    each pair, with their log-odds."""

    mine: Facts
    keys: npt.NDArray[np.uint32]
    idf: npt.NDArray[np.float64]
    rows: npt.NDArray[np.int64]
    facts: PairFacts
    logits: npt.NDArray[np.float64]
    _weights: dict[int, float] | None = None
    _ranked: list[tuple[float, str, int]] | None = None

    def weights(self) -> dict[int, float]:
        if self._weights is None:
            self._weights = dict(zip(self.keys.tolist(), self.idf.tolist(), strict=True))
        return self._weights

    def ranked(self) -> list[tuple[float, str, int]]:
        """The new text's trigrams (weight, trigram, key), the heaviest first (the same trigram once)."""
        if self._ranked is None:
            text, weights = self.mine.text, self.weights()
            grams = dict(zip((text[i : i + 3] for i in range(len(text) - 2)), trigram_keys(text).tolist(),
                             strict=True)) if len(text) >= 3 else {}  # fmt: skip
            self._ranked = sorted(((weights.get(k, 0.0), g, k) for g, k in grams.items()), reverse=True)
        return self._ranked


def rare_phrases(seen: Seen, theirs: set[int], total: int) -> tuple[str, ...]:
    """The rarest shared trigrams (in at most one ticket in a thousand), rarest first, at most three."""
    rare = math.log((total + 1) / (max(total // 1000, 1) + 1))
    found: list[str] = []
    for weight, gram, key in seen.ranked():
        if weight < rare or len(found) == 3:
            break
        if key in theirs:
            found.append(gram)
    return tuple(found)
