"""A ticket as the index examines it (`zhizhi.hotline.similar`): its facts (who, which business, the figures and
labels it gives, the matters and goods its words raise), its text cut into n-gram keys, and, once examined, the
shortlisted earlier tickets with the facts of each pair and the phrases they share."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from zhizhi.hotline.candidate import TicketText, real_name
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
    who = [hashed("phone", ticket.phone), hashed("name", real_name(ticket.caller_name)), hashed("respondent", core),
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
    _rare: tuple[float, list[tuple[float, str, int]]] | None = None

    def ranked_from(self, least: float) -> list[tuple[float, str, int]]:
        """The new text's trigrams (weight, trigram, key) weighing `least` or more, the heaviest first (the same
        trigram once; each weighed at once: few are that rare)."""
        if self._rare is None or self._rare[0] != least:
            text = self.mine.text
            found: list[tuple[float, str, int]] = []
            if len(text) >= 3:
                keys = trigram_keys(text)
                weight = np.zeros(keys.size)
                if self.keys.size:
                    at = np.minimum(np.searchsorted(self.keys, keys), self.keys.size - 1)
                    weight = np.where(self.keys[at] == keys, self.idf[at], 0.0)
                heavy = np.flatnonzero(weight >= least).tolist()
                grams = {text[i : i + 3]: (float(weight[i]), int(keys[i])) for i in heavy}
                found = sorted(((w, g, k) for g, (w, k) in grams.items()), reverse=True)
            self._rare = (least, found)
        return self._rare[1]


def rare_phrases(seen: Seen, theirs: set[int], total: int) -> tuple[str, ...]:
    """The rarest shared trigrams (in at most one ticket in a thousand), rarest first, at most three."""
    rare = math.log((total + 1) / (max(total // 1000, 1) + 1))
    found: list[str] = []
    for _, gram, key in seen.ranked_from(rare):
        if len(found) == 3:
            break
        if key in theirs:
            found.append(gram)
    return tuple(found)
