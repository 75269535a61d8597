"""Similar tickets: for a new ticket, the earlier ones that may be the same grievance, each with a score and reasons.

Chinese needs no word list here: a text is cut into its character bigrams and trigrams, and each is weighted by how
rare it is among all tickets (IDF, log(N / df)): 螺蛳粉店 or a shop's own name says much, 要求处理 or 市民来电反映
nothing. Phone and ID numbers in a text are removed first (they are compared as fields, and an ID number must never
make two texts look alike), then punctuation and spaces. Two texts' similarity is the cosine of their weighted
n-gram sets (0..1).

Finding candidates fast as history grows: an inverted index from each trigram to the tickets holding it, kept as
sorted arrays (a million tickets in a few hundred megabytes). A new ticket probes only its rarest trigrams (the
common ones would list half the city), takes the tickets sharing most of them, adds the tickets of the same caller
phone, caller name or respondent, and scores those exactly. Tickets added after the bulk build go to a small
in-memory delta until `compact()`.

The score joins the text with who and about whom: score = 1 - (1 - text)(1 - 0.5 phone)(1 - 0.25 respondent)
(1 - 0.15 name), each of phone, respondent (same name or credit code) and name 1 when the two tickets share it;
halved when both name a respondent and the two differ (reason `different_respondent`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

ID_NUMBER = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9])")
PHONE = re.compile(r"(?<![0-9])(?:1[3-9][0-9](?:[ -]?[0-9]{4}){2}|0[0-9]{2,3}[ -]?[0-9]{7,8}|[0-9]{7,8})(?![0-9])")
NOT_TEXT = re.compile(r"[^0-9A-Za-z\u3400-\u9fff]+")
REMARK = re.compile(r"（[^）]*）")
MASK = 0xFFFFFFFF

WEIGHT_PHONE, WEIGHT_RESPONDENT, WEIGHT_NAME = 0.5, 0.25, 0.15
OTHER_RESPONDENT = 0.5
"""Two tickets naming two different businesses are rarely one grievance, however alike their words."""


def normalise_text(text: str) -> str:
    """The text as compared: NFKC (full-width to half-width), ID and phone numbers removed, only letters, digits
    and Chinese characters kept."""
    text = unicodedata.normalize("NFKC", text or "")
    text = ID_NUMBER.sub(" ", text)
    text = PHONE.sub(" ", text)
    return NOT_TEXT.sub("", text)


def ngrams(text: str) -> set[str]:
    """The character bigrams and trigrams of a normalised text (a one-character text is its own gram)."""
    grams = {text[i : i + 2] for i in range(len(text) - 1)} | {text[i : i + 3] for i in range(len(text) - 2)}
    return grams or ({text} if text else set())


def _key(gram: str) -> int:
    return hash(gram) & MASK


def respondent_key(name: str | None) -> str:
    """A respondent's name as compared: bracketed remarks, punctuation and spaces dropped
    (龙城粉店（城中店） -> 龙城粉店)."""
    text = unicodedata.normalize("NFKC", name or "").replace("(", "（").replace(")", "）")
    return NOT_TEXT.sub("", REMARK.sub("", text))


def same_respondent(one: str, other: str) -> bool:
    """Two respondent keys name the same business: equal, or one (of 4 characters at least) inside the other, as
    柳州市城中区龙城螺蛳粉店 and 龙城螺蛳粉店."""
    short, long = sorted((one, other), key=len)
    return bool(short) and (short == long or (len(short) >= 4 and short in long))


@dataclass(frozen=True)
class TicketText:
    """What the index compares of a ticket: its id, text, caller's phone and name, and respondent."""

    id: int
    text: str
    phone: str | None = None
    caller_name: str | None = None
    respondent: str | None = None
    respondent_uscc: str | None = None


@dataclass(frozen=True)
class Candidate:
    """An earlier ticket that may be the same grievance: its score (0..1), the text's similarity, and why."""

    ticket_id: int
    score: float
    text_similarity: float
    reasons: tuple[str, ...]
    shared_phrases: tuple[str, ...] = field(default=())


class TicketIndex:
    """Earlier tickets, indexed to find a new ticket's candidates in milliseconds among a million."""

    def __init__(self, *, probe: int = 24, max_df: int = 5000, shortlist: int = 300, per_identity: int = 200) -> None:
        self.probe, self.max_df, self.shortlist, self.per_identity = probe, max_df, shortlist, per_identity
        self._tickets: dict[int, tuple[str, str | None, str | None, str | None, str | None]] = {}
        self._keys = np.empty(0, dtype=np.uint32)  # trigram keys, sorted; postings of keys[i] are at offsets[i:i+1]
        self._offsets = np.zeros(1, dtype=np.int64)
        self._postings = np.empty(0, dtype=np.int64)
        self._df_keys = np.empty(0, dtype=np.uint32)  # every bigram and trigram, sorted, with its ticket count
        self._df_counts = np.empty(0, dtype=np.int64)
        self._delta: dict[int, list[int]] = defaultdict(list)
        self._delta_df: dict[int, int] = defaultdict(int)
        self._by_identity: dict[str, list[int]] = defaultdict(list)

    def __len__(self) -> int:
        return len(self._tickets)

    @classmethod
    def build(cls, tickets: Iterable[TicketText], **options: int) -> TicketIndex:
        """An index of `tickets`, built in bulk (sorted arrays): the way to load history."""
        index = cls(**options)
        tri_keys: list[npt.NDArray[np.uint32]] = []
        tri_ids: list[npt.NDArray[np.int64]] = []
        all_keys: list[npt.NDArray[np.uint32]] = []
        for ticket in tickets:
            text = index._remember(ticket)
            grams = ngrams(text)
            keys = np.fromiter({_key(g) for g in grams}, dtype=np.uint32)
            trigrams = np.fromiter({_key(g) for g in grams if len(g) == 3}, dtype=np.uint32)
            all_keys.append(keys)
            tri_keys.append(trigrams)
            tri_ids.append(np.full(trigrams.size, ticket.id, dtype=np.int64))
        if all_keys:
            index._df_keys, counts = np.unique(np.concatenate(all_keys), return_counts=True)
            index._df_counts = counts.astype(np.int64)
            keys = np.concatenate(tri_keys)
            order = np.argsort(keys, kind="stable")
            index._postings = np.concatenate(tri_ids)[order]
            index._keys, starts = np.unique(keys[order], return_index=True)
            index._offsets = np.append(starts, keys.size).astype(np.int64)
        return index

    def add(self, ticket: TicketText) -> None:
        """Add one ticket (to the delta, searched beside the arrays until `compact`)."""
        text = self._remember(ticket)
        for gram in ngrams(text):
            key = _key(gram)
            self._delta_df[key] += 1
            if len(gram) == 3:
                self._delta[key].append(ticket.id)

    def compact(self) -> TicketIndex:
        """The same tickets in one bulk-built index (after many `add`s)."""
        return TicketIndex.build(
            (TicketText(i, t, p, n, r, u) for i, (t, p, n, r, u) in self._tickets.items()),
            probe=self.probe,
            max_df=self.max_df,
            shortlist=self.shortlist,
            per_identity=self.per_identity,
        )

    def _remember(self, ticket: TicketText) -> str:
        text = normalise_text(ticket.text)
        respondent = respondent_key(ticket.respondent) or None
        self._tickets[ticket.id] = (text, ticket.phone or None, ticket.caller_name or None, respondent,
                                    ticket.respondent_uscc or None)  # fmt: skip
        for identity in _identities(ticket.phone, ticket.caller_name, respondent, ticket.respondent_uscc):
            self._by_identity[identity].append(ticket.id)
        return text

    def _df(self, keys: npt.NDArray[np.uint32]) -> npt.NDArray[np.int64]:
        found = np.zeros(keys.size, dtype=np.int64)
        if self._df_keys.size:
            at = np.clip(np.searchsorted(self._df_keys, keys), 0, self._df_keys.size - 1)
            hit = self._df_keys[at] == keys
            found[hit] = self._df_counts[at[hit]]
        if self._delta_df:
            found += np.fromiter((self._delta_df.get(int(k), 0) for k in keys), dtype=np.int64, count=keys.size)
        return found

    def _idf(self, keys: npt.NDArray[np.uint32]) -> npt.NDArray[np.float64]:
        total = max(len(self._tickets), 1)
        return np.log((total + 1) / (self._df(keys) + 1)) + 1e-3

    def _postings_of(self, key: int) -> npt.NDArray[np.int64]:
        parts = []
        if self._keys.size:
            at = int(np.searchsorted(self._keys, key))
            if at < self._keys.size and int(self._keys[at]) == key:
                parts.append(self._postings[self._offsets[at] : self._offsets[at + 1]])
        if key in self._delta:
            parts.append(np.asarray(self._delta[key], dtype=np.int64))
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)

    def candidates(self, ticket: TicketText, *, limit: int = 10, floor: float = 0.3) -> list[Candidate]:
        """The earlier tickets scoring at least `floor` against `ticket`, best first (`ticket` itself excluded)."""
        text = normalise_text(ticket.text)
        grams = sorted(ngrams(text))
        keys = np.fromiter((_key(g) for g in grams), dtype=np.uint32, count=len(grams))
        idf = self._idf(keys)
        weights = dict(zip(keys.tolist(), idf.tolist(), strict=True))
        names = dict(zip(keys.tolist(), grams, strict=True))
        shortlist = self._shortlist(grams, keys, ticket)
        shortlist.discard(ticket.id)
        found = [self._score(ticket, weights, names, other) for other in shortlist]
        kept = [c for c in found if c.score >= floor]
        kept.sort(key=lambda c: (-c.score, -c.ticket_id))
        return kept[:limit]

    def _shortlist(self, grams: Sequence[str], keys: npt.NDArray[np.uint32], ticket: TicketText) -> set[int]:
        trigram = np.fromiter((len(g) == 3 for g in grams), dtype=bool, count=len(grams))
        tri = keys[trigram]
        df = self._df(tri)
        usable = (df > 0) & (df <= self.max_df)
        rare = tri[usable][np.argsort(df[usable], kind="stable")][: self.probe]
        chosen: set[int] = set()
        if rare.size:
            hits = np.concatenate([self._postings_of(int(k)) for k in rare])
            ids, counts = np.unique(hits, return_counts=True)
            need = 2 if rare.size >= 4 else 1
            ids, counts = ids[counts >= need], counts[counts >= need]
            top = ids[np.argsort(-counts, kind="stable")[: self.shortlist]]
            chosen.update(top.tolist())
        respondent = respondent_key(ticket.respondent) or None
        for identity in _identities(ticket.phone, ticket.caller_name, respondent, ticket.respondent_uscc):
            chosen.update(self._by_identity.get(identity, [])[-self.per_identity :])
        return chosen

    def _score(self, ticket: TicketText, weights: dict[int, float], names: dict[int, str], other: int) -> Candidate:
        text, phone, name, respondent, uscc = self._tickets[other]
        grams = ngrams(text)
        keys = np.fromiter((_key(g) for g in grams), dtype=np.uint32, count=len(grams))
        other_norm = float(np.sqrt(np.sum(self._idf(keys) ** 2))) if keys.size else 0.0
        shared = [k for k in set(keys.tolist()) if k in weights]
        own_norm = math.sqrt(sum(w * w for w in weights.values()))
        similarity = sum(weights[k] ** 2 for k in shared) / (own_norm * other_norm) if shared and other_norm else 0.0
        same_phone = bool(ticket.phone) and ticket.phone == phone
        same_name = bool(ticket.caller_name) and ticket.caller_name == name
        same_business = bool(respondent) and same_respondent(respondent_key(ticket.respondent), respondent or "")
        same_business = same_business or bool(uscc and ticket.respondent_uscc == uscc)
        score = 1 - (1 - similarity) * (1 - WEIGHT_PHONE * same_phone) * (1 - WEIGHT_RESPONDENT * same_business)
        score = 1 - (1 - score) * (1 - WEIGHT_NAME * same_name)
        other_business = bool(respondent and respondent_key(ticket.respondent)) and not same_business
        if other_business:
            score *= OTHER_RESPONDENT
        phrases = _phrases(shared, weights, names, len(self._tickets))
        reasons = [r for r, yes in (("same_phone", same_phone), ("same_caller", same_name),
                                    ("same_respondent", same_business), ("shared_phrases", bool(phrases)),
                                    ("similar_text", similarity >= 0.3),
                                    ("different_respondent", other_business)) if yes]  # fmt: skip
        return Candidate(other, round(score, 4), round(similarity, 4), tuple(reasons), phrases)


def _identities(phone: str | None, name: str | None, respondent: str | None, uscc: str | None) -> list[str]:
    found = [f"phone:{phone}" if phone else "", f"name:{name}" if name else ""]
    found += [f"respondent:{respondent}" if respondent else "", f"uscc:{uscc}" if uscc else ""]
    return [item for item in found if item]


def _phrases(shared: list[int], weights: dict[int, float], names: dict[int, str], total: int) -> tuple[str, ...]:
    """The rarest shared trigrams (in at most one ticket in a thousand), longest runs first, at most three."""
    rare = math.log((total + 1) / (max(total // 1000, 1) + 1))
    grams = sorted((names[k] for k in shared if len(names[k]) == 3 and weights[k] >= rare),
                   key=lambda g: -weights[_key(g)])  # fmt: skip
    return tuple(grams[:3])
