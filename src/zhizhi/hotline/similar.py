"""Similar tickets: for a new ticket, the earlier ones that may be the same grievance, each with a score and reasons.

Chinese needs no word list here: a text is cut into its character bigrams and trigrams, and each is weighted by how
rare it is among all tickets (IDF, log(N / df)): 螺蛳粉店 or a shop's own name says much, 要求处理 or 市民来电反映
nothing. Phone and ID numbers in a text are removed first (they are compared as fields, and an ID number must never
make two texts look alike), then punctuation and spaces (`zhizhi.hotline.texts`). Two texts' similarity is the
cosine of their weighted n-gram sets (0..1).

Finding candidates fast as history grows: each ticket's n-grams are kept as 32-bit keys (computed once, when the
ticket is added) in one flat array; an inverted index maps each trigram to the tickets holding it, and each caller
phone, caller name, respondent (its name without the city and district in front) and credit code to its tickets, all
as sorted arrays. A new ticket probes only its rarest trigrams (the common ones would list half the city; a trigram
in more than `max_df` tickets is never probed), takes the tickets sharing most of them, adds the latest tickets of
the same phone, name or respondent, and scores those at once (vectorised). Tickets added after the bulk build go to
a small in-memory delta, put into the arrays as it grows.

The score weighs the evidence of a pair (`zhizhi.hotline.evidence`): the texts' similarity, the same phone or
caller, the same or a different business (or a business on one side only), figures that agree or contradict
(amount, date, days, weight), texts alike but for one word, a repeat call (再次反映) from the same caller, the days
between the two, and the channels' problem and goods categories and the places, where both give them; it estimates
the chance that the two are one case. `case_candidates` weighs a new ticket against each case (the tickets given the
same `case_id`) as its best ticket and what the case adds: other callers already about the same business.

What a ticket and a candidate are lives in `zhizhi.hotline.candidate`; what the index reads of a ticket (its facts and
keys) and keeps of one examined, in `zhizhi.hotline.examined`.
"""

from __future__ import annotations

import math
import sys
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import repeat
from typing import Any

import numpy as np
import numpy.typing as npt

from zhizhi.hotline.arrays import Column, RecentPostings, bits_overlap, distinct, distinct_counts, keys_agree, ranges
from zhizhi.hotline.candidate import Candidate, CaseCandidate, TicketText
from zhizhi.hotline.evidence import (
    FITTED,
    RECENT_DAYS,
    CaseEvidence,
    Evidence,
    PairFacts,
    Weights,
    compare_to,
    different_word,
    figure_units,
    identity_ceiling,
)
from zhizhi.hotline.examined import LABELS, Examined, Facts, Prepared, Seen, prepare, prepare_many, rare_phrases
from zhizhi.hotline.texts import (
    character_bits,
    same_respondent,
)
from zhizhi.hotline.topics import WORDS, Words

U32 = np.uint32
I32 = np.int32
I64 = np.int64
F64 = np.float64


def _case_key(case_id: int | None) -> int:
    """A case id's 63-bit hash among the identities (0 when there is none)."""
    return (hash(("case", case_id)) & 0x7FFFFFFFFFFFFFFF) or 1 if case_id is not None else 0


REINDEX_AT = 4096
"""The delta of added tickets is put into the sorted arrays once it holds this many (or a quarter of the arrays'
rows)."""
NO_CASE = -(2**63)
CASE_FLOOR = 1e-4
"""A case whose best ticket scores under this, about another business or none, is not weighed further."""


_NO_FIGURES: frozenset[tuple[str, str]] = frozenset()
SLOTS = 0xFFFF
_NO_PAIRS = PairFacts.of([])  # read only


def _most(ids: npt.NDArray[Any], counts: npt.NDArray[np.int64], most: int) -> npt.NDArray[Any]:
    """The `most` sorted `ids` of the highest `counts`, the lower id first among equal counts (as a stable sort by
    count, without sorting: the count where the cut falls is found by tallying the counts)."""
    if ids.size <= most:
        return ids
    at_least = np.cumsum(np.bincount(counts)[::-1])[::-1]  # at_least[c]: how many ids have a count of c or more
    cut = int(np.flatnonzero(at_least >= most)[-1])
    above = counts > cut
    tied = np.flatnonzero(counts == cut)[: most - int(np.count_nonzero(above))]
    return np.concatenate([ids[above], ids[tied]])


MOST = 0.9999
"""The highest score: an estimate is never a certainty, so `hotline.merge_at: 1` leaves every merge to a handler."""


def _shown(score: float) -> float:
    """A score as candidates give it: four decimals, at most `MOST`."""
    return min(round(score, 4), MOST)


def _threshold(floor: float | None) -> float | None:
    """The log-odds of a score `floor` (less a margin for rounding), when it is between 0 and 1."""
    return math.log(floor / (1 - floor)) - 1e-6 if floor is not None and 0 < floor < 1 else None


class TicketIndex:
    """Earlier tickets, indexed to find a new ticket's candidates in milliseconds among a million."""

    def __init__(
        self,
        *,
        probe: int = 24,
        max_df: int = 5000,
        shortlist: int = 150,
        per_identity: int = 100,
        words: Words = WORDS,
        weights: Weights = FITTED,
    ) -> None:
        self.probe, self.max_df, self.shortlist, self.per_identity = probe, max_df, shortlist, per_identity
        self.words = words  # the lists a text's matters and goods are read with (`zhizhi.hotline.topics`)
        self.weights = weights  # how the facts of a pair and a case are weighed (`zhizhi.hotline.evidence`)
        # One row per ticket, in the order added.
        self._ids = Column(I64)
        self._grams = Column(U32)  # each row's trigram keys, then its bigram keys
        self._offsets = Column(I64)
        self._offsets.extend([0])
        self._trigrams = Column(I32)  # how many of a row's keys are trigrams
        self._norms = Column(F64)  # each row's vector length, and the ticket count it was computed at
        self._norm_at = Column(I64)
        self._identity = {kind: Column(I64) for kind in ("phone", "name", "respondent", "uscc", "case")}
        self._labels = {kind: Column(I64) for kind in LABELS}  # problem and goods category, place: hashed keys
        self._topics = Column(I64)  # the topics each text raises (`zhizhi.hotline.topics`), as bits
        self._products = Column(I64)  # the goods each text names, as bits
        self._matters = Column(I64)  # the matters of the business itself each text raises, as bits
        self._case = Column(I64)  # each row's case id, NO_CASE when it has none
        self._received = Column(I32)  # proleptic ordinal, 0 when unknown
        self._repeat = Column(np.bool_)
        self._respondent: list[str | None] = []
        self._respondent_id = Column(I32)  # each row's respondent as a number (-1: none), `_respondent_of` its key
        self._respondent_ids: dict[str, int] = {}
        self._respondent_of: list[str] = []
        self._respondent_bits = Column(np.uint64)  # by respondent number: `_characters`, and the key's length
        self._respondent_length = Column(I32)
        self._figures: list[frozenset[tuple[str, str]]] = []
        self._texts: list[str] = []  # normalised, the respondent's name taken out
        # Bulk-built: every key's ticket count; trigram -> rows; identity hash -> rows (all sorted).
        self._df_keys = np.empty(0, dtype=U32)
        self._df_counts = np.empty(0, dtype=I64)
        self._post_keys = np.empty(0, dtype=U32)
        self._post_offsets = np.zeros(1, dtype=I64)
        self._postings = np.empty(0, dtype=I32)
        self._who_keys = np.empty(0, dtype=I64)
        self._who_rows = np.empty(0, dtype=I32)
        # Added since: the same, in dictionaries.
        self._delta_df: Counter[int] = Counter()
        self._delta_post = RecentPostings()
        self._delta_who: dict[int, list[int]] = defaultdict(list)
        self._bulk_rows = 0
        self._scratch = threading.local()  # `_find`'s table, one per thread (readers may run side by side)
        self._last: Examined | None = None
        self._ready: dict[TicketText, Prepared] = {}  # `prepare`d, not examined yet

    def __len__(self) -> int:
        return self._ids.size

    @classmethod
    def build(
        cls, tickets: Iterable[TicketText], words: Words = WORDS, weights: Weights = FITTED, **options: int
    ) -> TicketIndex:
        """An index of `tickets`, built in bulk (sorted arrays): the way to load history."""
        index = cls(words=words, weights=weights, **options)
        for ticket in tickets:
            index._append(ticket)
        index._bulk()
        return index

    def add(self, ticket: TicketText) -> None:
        """Add one ticket (to the delta, searched beside the arrays; once the delta is large (`REINDEX_AT`), all go
        into the arrays again, each ticket's vector length kept as it was: the same scores)."""
        last, self._last = self._last, None
        if last is not None and last.ticket != ticket:
            last = None
        row = self._append(ticket, last)
        start, end = self._offsets.data[row], self._offsets.data[row + 1]
        if row + 1 - self._bulk_rows > max(REINDEX_AT, self._bulk_rows // 4):
            self._bulk(norms=False)
        else:
            keys = self._grams.data[start:end].tolist()
            self._delta_df.update(keys)
            self._delta_post.add(row, keys[: int(self._trigrams.data[row])])
            for column in self._identity.values():
                if who := int(column.data[row]):
                    self._delta_who[who].append(row)
        grams = self._grams.data[start:end]
        if last is not None and last.keys is not None and last.df is not None and last.size == row:
            # Examined just before, nothing added since: each key's ticket count is what it was and this row's.
            at = np.searchsorted(last.keys, grams)
            df = (last.df + np.bincount(at, minlength=last.keys.size).astype(I64))[at]
            idf = np.log((max(len(self), 1) + 1) / (df + 1)) + 1e-3  # as `_idf`
            self._norms.data[row] = float(np.sqrt(np.sum(idf**2))) if grams.size else 0.0
        else:
            self._norms.data[row] = self._norm(grams)
        self._norm_at.data[row] = len(self)

    def compact(self) -> TicketIndex:
        """The same tickets in one bulk-built index (after many `add`s)."""
        other = TicketIndex(probe=self.probe, max_df=self.max_df, shortlist=self.shortlist,
                            per_identity=self.per_identity, words=self.words)  # fmt: skip
        for name in ("_ids", "_grams", "_offsets", "_trigrams", "_norms", "_norm_at", "_received", "_repeat", "_case",
                     "_topics", "_products", "_matters"):  # fmt: skip
            setattr(other, name, getattr(self, name).copy())
        other._identity = {kind: column.copy() for kind, column in self._identity.items()}
        other._labels = {kind: column.copy() for kind, column in self._labels.items()}
        other._respondent, other._figures, other._texts = list(self._respondent), list(self._figures), list(self._texts)
        other._respondent_id = self._respondent_id.copy()
        other._respondent_ids, other._respondent_of = dict(self._respondent_ids), list(self._respondent_of)
        other._respondent_bits, other._respondent_length = self._respondent_bits.copy(), self._respondent_length.copy()
        other._bulk()
        return other

    def _append(self, ticket: TicketText, last: Examined | None = None) -> int:
        row = len(self)
        mine, tri, bi = last.prepared if last is not None else prepare(ticket, self.words)
        respondent = mine.respondent
        self._texts.append(mine.text)
        self._ids.append(ticket.id)
        self._grams.extend(tri)
        self._grams.extend(bi)
        self._offsets.append(self._grams.size)
        self._trigrams.append(tri.size)
        self._norms.append(0.0)
        self._norm_at.append(0)
        for kind, who in zip(("phone", "name", "respondent", "uscc"), mine.who, strict=True):
            self._identity[kind].append(who)
        for kind, key in zip(LABELS, mine.labels, strict=True):
            self._labels[kind].append(key)
        self._topics.append(mine.topics)
        self._products.append(mine.products)
        self._matters.append(mine.matters)
        self._identity["case"].append(_case_key(ticket.case_id))
        self._case.append(NO_CASE if ticket.case_id is None else ticket.case_id)
        self._received.append(ticket.received.toordinal() if ticket.received else 0)
        self._repeat.append(mine.repeat)  # figures and the repeat words from the whole text
        self._respondent.append(sys.intern(respondent) if respondent else None)
        self._respondent_id.append(self._respondent_number(respondent) if respondent else -1)
        self._figures.append(mine.figures if mine.figures else _NO_FIGURES)
        return row

    def _append_many(self, tickets: list[TicketText], prepared: list[Prepared]) -> None:
        """`_append` of many tickets (each column extended once)."""
        facts = [p[0] for p in prepared]
        tri, bi = [p[1] for p in prepared], [p[2] for p in prepared]
        sizes = [a.size + b.size for a, b in zip(tri, bi, strict=True)]
        self._texts += [mine.text for mine in facts]
        self._ids.extend([ticket.id for ticket in tickets])
        self._grams.extend(np.concatenate([k for pair in zip(tri, bi, strict=True) for k in pair]) if tickets else [])
        self._offsets.extend(self._grams.size - sum(sizes) + np.cumsum(sizes))
        self._trigrams.extend([a.size for a in tri])
        self._norms.extend(np.zeros(len(tickets)))
        self._norm_at.extend(np.zeros(len(tickets), dtype=I64))
        for at, kind in enumerate(("phone", "name", "respondent", "uscc")):
            self._identity[kind].extend([mine.who[at] for mine in facts])
        for at, kind in enumerate(LABELS):
            self._labels[kind].extend([mine.labels[at] for mine in facts])
        self._topics.extend([mine.topics for mine in facts])
        self._products.extend([mine.products for mine in facts])
        self._matters.extend([mine.matters for mine in facts])
        self._identity["case"].extend([_case_key(ticket.case_id) for ticket in tickets])
        self._case.extend([NO_CASE if ticket.case_id is None else ticket.case_id for ticket in tickets])
        self._received.extend([ticket.received.toordinal() if ticket.received else 0 for ticket in tickets])
        self._repeat.extend([mine.repeat for mine in facts])
        self._respondent += [sys.intern(mine.respondent) if mine.respondent else None for mine in facts]
        self._respondent_id.extend([self._respondent_number(mine.respondent) if mine.respondent else -1
                                    for mine in facts])  # fmt: skip
        self._figures += [mine.figures if mine.figures else _NO_FIGURES for mine in facts]

    def _respondent_number(self, respondent: str) -> int:
        number = self._respondent_ids.setdefault(respondent, len(self._respondent_of))
        if number == len(self._respondent_of):
            self._respondent_of.append(respondent)
            self._respondent_bits.append(character_bits(respondent))
            self._respondent_length.append(len(respondent))
        return number

    def _bulk(self, *, norms: bool = True) -> None:
        """Every row into the sorted arrays (and, with `norms`, every vector length computed again); the delta
        emptied."""
        grams, offsets = self._grams.view(), self._offsets.view()
        rows = np.repeat(np.arange(len(self), dtype=I32), np.diff(offsets))
        self._df_keys, inverse, counts = np.unique(grams, return_inverse=True, return_counts=True)
        self._df_counts = counts.astype(I64)
        if norms:
            idf = np.log((len(self) + 1) / (counts + 1)) + 1e-3
            self._norms.data[: len(self)] = np.sqrt(np.bincount(rows, weights=idf[inverse] ** 2, minlength=len(self)))
            self._norm_at.data[: len(self)] = len(self)
        del inverse
        self._bulk_rows = len(self)
        position = np.arange(grams.size, dtype=I64) - offsets[:-1][rows]
        trigram = position < self._trigrams.view()[rows]
        keys, tri_rows = grams[trigram], rows[trigram]
        order = np.argsort(keys, kind="stable")
        self._postings = tri_rows[order]
        self._post_keys, starts = np.unique(keys[order], return_index=True)
        self._post_offsets = np.append(starts, keys.size).astype(I64)
        who = np.concatenate([column.view() for column in self._identity.values()])
        who_rows = np.tile(np.arange(len(self), dtype=I32), len(self._identity))
        known = who != 0
        order = np.argsort(who[known], kind="stable")
        self._who_keys, self._who_rows = who[known][order], who_rows[known][order]
        self._delta_df.clear()
        self._delta_post.clear()
        self._delta_who.clear()

    def _df(self, keys: npt.NDArray[np.uint32]) -> npt.NDArray[np.int64]:
        found = np.zeros(keys.size, dtype=I64)
        if self._df_keys.size:
            at = np.minimum(np.searchsorted(self._df_keys, keys), self._df_keys.size - 1)
            hit = self._df_keys[at] == keys
            found[hit] = self._df_counts[at[hit]]
        if self._delta_df:
            found += np.fromiter(map(self._delta_df.get, keys.tolist(), repeat(0)), dtype=I64, count=keys.size)
        return found

    def _idf(self, keys: npt.NDArray[np.uint32]) -> npt.NDArray[np.float64]:
        total = max(len(self), 1)
        return np.log((total + 1) / (self._df(keys) + 1)) + 1e-3

    def _norm(self, keys: npt.NDArray[np.uint32]) -> float:
        return float(np.sqrt(np.sum(self._idf(keys) ** 2))) if keys.size else 0.0

    def _postings_of(self, keys: npt.NDArray[np.uint32]) -> npt.NDArray[np.int32]:
        """The rows holding each trigram of `keys` (a row once per key it holds)."""
        rows = np.empty(0, dtype=I32)
        if self._post_keys.size and keys.size:
            at = np.minimum(np.searchsorted(self._post_keys, keys), self._post_keys.size - 1)
            hit = self._post_keys[at] == keys
            rows = self._postings[ranges(self._post_offsets[at[hit]], self._post_offsets[at[hit] + 1])]
        return np.concatenate([rows, self._delta_post.rows_of(keys)])

    def _rows_of(self, who: int) -> npt.NDArray[np.int32]:
        """The latest `per_identity` rows of one identity."""
        start, end = np.searchsorted(self._who_keys, [who, who + 1]) if self._who_keys.size else (0, 0)
        rows = self._who_rows[start:end]
        if who in self._delta_who:
            rows = np.concatenate([rows, np.asarray(self._delta_who[who], dtype=I32)])
        return rows[-self.per_identity :]

    def candidates(self, ticket: TicketText, *, limit: int = 10, floor: float = 0.3) -> list[Candidate]:
        """The earlier tickets scoring at least `floor` against `ticket`, best first (`ticket` itself excluded)."""
        seen = self._examine(ticket, floor)
        ats = np.arange(seen.rows.size)
        if 0 < floor < 1:  # a log-odds under the floor's (with a margin for rounding) is a score under it
            ats = ats[seen.logits >= math.log(floor / (1 - floor)) - 1e-6]
        ids, logits = self._ids.data[seen.rows[ats]].tolist(), seen.logits[ats].tolist()
        scores = [(1 / (1 + math.exp(-z)), -ids[n], int(at)) for n, (at, z) in enumerate(zip(ats, logits, strict=True))]
        kept = sorted((-score, ticket_id, at) for score, ticket_id, at in scores if score >= floor)
        return [self._candidate(-score, seen.facts.evidence(at), int(seen.rows[at]), seen)
                for score, _, at in kept[:limit]]  # fmt: skip

    def candidates_in_turn(self, tickets: list[TicketText], *, limit: int = 10, floor: float = 0.3
                           ) -> list[list[Candidate]]:  # fmt: skip
        """Each of `tickets`' candidates, in turn, and every one of them added: what `candidates` and then `add` of
        each ticket in order give (the same candidates, scores, reasons and phrases), weighed for the whole batch at
        once (`zhizhi.hotline.in_turn`)."""
        from zhizhi.hotline.in_turn import candidates_in_turn

        return candidates_in_turn(self, tickets, limit, floor)

    def evidence(self, ticket: TicketText) -> tuple[npt.NDArray[np.int64], PairFacts]:
        """The ids of the shortlisted earlier tickets and the facts of each pair (to calibrate the weights)."""
        seen = self._examine(ticket)
        return self._ids.data[seen.rows], seen.facts

    def case_candidates(self, ticket: TicketText, *, limit: int = 10, floor: float = 0.3) -> list[CaseCandidate]:
        """The cases `ticket` may join, scoring at least `floor`, best first: the case of every shortlisted earlier
        ticket, weighed with all its tickets together (`zhizhi.hotline.evidence.CaseEvidence`: the best ticket's
        evidence, and what the case's tickets together add). A ticket in no case is a case of its own (`case_id`
        None). A new ticket joins one case: two cases are joined only by a handler."""
        seen = self._examine(ticket)
        found = [(e.score(self.weights), case, members, best, e) for case, members, best, e in self._cases(seen)]
        kept = sorted((f for f in found if f[0] >= floor), key=lambda f: (-f[0], -int(self._ids.data[f[3]])))
        return [self._case_candidate(*f, seen) for f in kept[:limit]]

    def case_evidence(self, ticket: TicketText) -> list[tuple[int | None, tuple[int, ...], CaseEvidence]]:
        """Every case of a shortlisted earlier ticket (its id, its tickets' ids) with the evidence of the new ticket
        against it (to calibrate the weights)."""
        found = self._cases(self._examine(ticket))
        return [(case, tuple(self._ids.data[members].tolist()), e) for case, members, _, e in found]

    def assign(self, ticket_id: int, case_id: int | None) -> None:
        """Put an indexed ticket in a case, or take it out of its case (None), as a handler merges or splits."""
        key = _case_key(case_id)
        for row in np.flatnonzero(self._ids.view() == ticket_id).tolist():
            self._case.data[row] = NO_CASE if case_id is None else case_id
            self._identity["case"].data[row] = key
            if key:
                self._delta_who[key].append(row)

    def prepare(self, tickets: list[TicketText]) -> None:
        """Tickets about to be examined one after the other, prepared at once (`prepare_many`: the same facts and
        keys); each is taken when it is examined."""
        self._ready = dict(zip(tickets, prepare_many(tickets, self.words), strict=True))

    def _examine(self, ticket: TicketText, floor: float | None = None) -> Seen:
        prepared = self._ready.pop(ticket, None) or prepare(ticket, self.words)
        mine, tri, bi = prepared
        self._last = Examined(ticket, prepared, len(self))
        if not len(self):
            return Seen(mine, np.empty(0, dtype=U32), np.empty(0, dtype=F64), *self._facts(mine, np.empty(0, I64)))
        keys = distinct(np.concatenate([tri, bi]))
        df = self._df(keys)
        self._last.keys, self._last.df = keys, df
        idf = np.log((max(len(self), 1) + 1) / (df + 1)) + 1e-3  # as `_idf`
        rows = self._shortlist(tri, df[np.searchsorted(keys, tri)], mine.who)
        rows = rows[self._ids.data[rows] != ticket.id]
        if not rows.size:
            return Seen(mine, keys, idf, *self._facts(mine, rows))
        squares = idf**2
        most_shared = 2 * float(squares.sum()) / math.log(len(self) + 1) ** 2  # a key may be a row's twice
        identities = self._identities(mine, rows)
        norms = self._norms_of(rows)  # every shortlisted row's vector length kept up to date, compared or not
        if (threshold := _threshold(floor)) is not None:
            # The pairs that cannot reach the floor, whatever their texts, are left out.
            kept = identity_ceiling(identities, most_shared, self.weights) >= threshold
            if not kept.any():
                return Seen(mine, keys, idf, rows[kept], _NO_PAIRS, np.empty(0, dtype=F64))
            rows, norms, identities = rows[kept], norms[kept], [fact[kept] for fact in identities]
        similarities = self._similarities(keys, squares, rows, norms)
        facts = self._facts(mine, rows, *similarities, floor=floor, identities=identities)
        return Seen(mine, keys, idf, *facts)

    def _cases(self, seen: Seen) -> list[tuple[int | None, npt.NDArray[np.int64], int, CaseEvidence]]:
        """The cases of the shortlisted rows: each with its rows, its best row, and the evidence against it. A case
        whose best ticket is all but ruled out (a score under `CASE_FLOOR`, and another business or none) is weighed
        by that ticket alone."""
        groups: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
        for at, row in enumerate(seen.rows.tolist()):
            case = int(self._case.data[row])
            groups[(case, -1) if case != NO_CASE else (case, row)].append((row, at))  # a row in no case: its own
        mine, facts, logits, out = seen.mine, seen.facts, seen.logits.tolist(), []
        burst = facts.same_respondent & ~(facts.same_phone | facts.same_caller) & (facts.days_apart >= 0)
        burst &= facts.days_apart <= RECENT_DAYS
        rows = seen.rows[burst]
        recent = len(set(zip(self._identity["name"].data[rows].tolist(), self._identity["phone"].data[rows].tolist(),
                             strict=True)))  # fmt: skip
        for pairs in groups.values():
            best_row, best_at = max(pairs, key=lambda pair: (logits[pair[1]], pair[0]))
            best = facts.evidence(best_at)
            case = int(self._case.data[best_row])
            if case == NO_CASE or (best.score(self.weights) < CASE_FLOOR and not best.same_respondent):
                members = np.array(sorted(row for row, _ in pairs), dtype=I64)
                out.append((None if case == NO_CASE else case, members, best_row, CaseEvidence(best, best.shared)))
                continue
            key = _case_key(case)
            members = np.unique(self._rows_of(key)).astype(I64)
            members = members[(self._identity["case"].data[members] == key) & (self._ids.data[members] != mine.id)]
            out.append((case, members, best_row, self._case_evidence(seen, best, members, recent)))
        return out

    def _case_evidence(self, seen: Seen, best: Evidence, members: npt.NDArray[np.int64], recent: int) -> CaseEvidence:
        mine = seen.mine
        phone, name, _, uscc = mine.who
        grams = self._grams.data
        theirs = np.unique(np.concatenate([grams[self._offsets.data[r] : self._offsets.data[r + 1]]
                                           for r in members.tolist()]))  # fmt: skip
        shared = float(np.sum(seen.idf[np.isin(seen.keys, theirs)] ** 2)) / math.log(len(self) + 1) ** 2
        phones, names = self._identity["phone"].data[members], self._identity["name"].data[members]
        callers = len({(n, 0) if n else (0, p) for n, p in zip(names.tolist(), phones.tolist(), strict=True)})
        own = bool(phone and (phones == phone).any()) or bool(name and (names == name).any())
        business = best.same_respondent or any(
            (mine.respondent and (theirs := self._respondent[r]) and same_respondent(mine.respondent, theirs))
            or (uscc and int(self._identity["uscc"].data[r]) == uscc)
            for r in members.tolist()
        )
        received = self._received.data[members]
        latest = int(received.max()) if received.size else 0
        days = abs(mine.received.toordinal() - latest) if mine.received and latest else None
        return CaseEvidence(best, max(shared, best.shared), callers, own, bool(business), days, recent)

    def _shortlist(
        self, tri: npt.NDArray[np.uint32], df: npt.NDArray[np.int64], who: list[int]
    ) -> npt.NDArray[np.int64]:
        """The rows sharing most of the rarest trigrams `tri` (their ticket counts `df`), and the latest rows of the
        same identities `who`."""
        usable = (df > 0) & (df <= self.max_df)
        rare = tri[usable][np.argsort(df[usable], kind="stable")][: self.probe]
        chosen = [np.empty(0, dtype=I64)]
        posted = self._postings_of(rare)
        if posted.size:
            ids, counts = distinct_counts(posted, below=len(self))
            need = 2 if rare.size >= 4 else 1
            ids, counts = ids[counts >= need], counts[counts >= need]
            chosen.append(_most(ids, counts, self.shortlist).astype(I64))
        chosen += [self._rows_of(h).astype(I64) for h in who if h]
        return distinct(np.concatenate(chosen))

    def _similarities(
        self,
        keys: npt.NDArray[np.uint32],
        squares: npt.NDArray[np.float64],
        rows: npt.NDArray[np.int64],
        norms: npt.NDArray[np.float64],
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """The cosine of the new text (its keys' weights squared) with each row's (their vector lengths `norms`), and
        the weight they share, at once."""
        starts, ends = self._offsets.data[rows], self._offsets.data[rows + 1]
        segment = np.repeat(np.arange(rows.size), ends - starts)
        theirs = self._grams.data[ranges(starts, ends)]
        at, hit = self._find(keys, theirs)
        shared = np.bincount(segment[hit], weights=squares[at[hit]], minlength=rows.size)
        own = math.sqrt(squares.sum())
        with np.errstate(divide="ignore", invalid="ignore"):
            cosine = shared / (own * norms)
        return np.nan_to_num(np.clip(cosine, 0.0, 1.0)), shared / math.log(len(self) + 1) ** 2

    def _find(
        self, keys: npt.NDArray[np.uint32], values: npt.NDArray[np.uint32]
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.bool_]]:
        """Where each of `values` is in the sorted unique `keys`, and whether it is there at all: by a table of the
        keys' low 16 bits (a value's slot holds the only key that may equal it), or by binary search when two keys
        share a slot."""
        if not keys.size:
            return np.zeros(values.size, dtype=np.intp), np.zeros(values.size, dtype=bool)
        table = getattr(self._scratch, "table", None)
        if table is None:
            table = self._scratch.table = np.zeros(SLOTS + 1, dtype=I32)  # left empty between uses
        slots = keys & SLOTS
        places = np.arange(keys.size, dtype=I32)
        table[slots] = places
        if keys.size <= SLOTS and np.array_equal(table[slots], places):
            at = table[values & SLOTS].astype(np.intp)
            table[slots] = 0
        else:
            table[slots] = 0
            at = np.minimum(np.searchsorted(keys, values), keys.size - 1)
        return at, keys[at] == values

    def _norms_of(self, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        """Rows' vector lengths, recomputed for those computed when the index was a fifth smaller (all their keys'
        weights at once; each row's sum as `_norm` makes it)."""
        stale = rows[self._norm_at.data[rows] * 1.25 < len(self)]
        if stale.size:
            starts, ends = self._offsets.data[stale], self._offsets.data[stale + 1]
            weights = self._idf(self._grams.data[ranges(starts, ends)]) ** 2
            at = np.cumsum(ends - starts).tolist()
            # Each row's sum as `_norm` makes it (numpy's own summation: its bits), its root as numpy's (IEEE).
            self._norms.data[stale] = [math.sqrt(weights[a:b].sum()) if b > a else 0.0
                                       for a, b in zip([0, *at[:-1]], at, strict=True)]  # fmt: skip
            self._norm_at.data[stale] = len(self)
        return self._norms.data[rows]

    def _facts(
        self,
        mine: Facts,
        rows: npt.NDArray[np.int64],
        similarity: npt.NDArray[np.float64] | None = None,
        shared: npt.NDArray[np.float64] | None = None,
        floor: float | None = None,
        identities: list[npt.NDArray[np.bool_]] | None = None,
    ) -> tuple[npt.NDArray[np.int64], PairFacts, npt.NDArray[np.float64]]:
        """The facts of the new ticket with each of `rows` (`zhizhi.hotline.evidence`) and their log-odds, at once
        (`identities`: the rows' `_identities`, when known); with a `floor`, only the pairs that may score at least
        that are told apart by one word, and have their figures compared when the figures weigh nothing (they are
        only shown)."""
        none = np.zeros(rows.size, dtype=bool)
        identities = self._identities(mine, rows) if identities is None else identities
        same_phone, same_name, same_business, other_business, one_business = identities
        named = self._respondent_id.data[rows] >= 0
        agree, differ = np.zeros(rows.size, dtype=I64), np.zeros(rows.size, dtype=I64)
        threshold = _threshold(floor)
        if mine.figures and (self.weights.figures_weighed or threshold is None):
            self._compare_figures(mine, rows, np.ones(rows.size, dtype=bool), agree, differ)
        received = self._received.data[rows].astype(I64)
        known = received > 0 if mine.received else none
        apart = np.where(known, np.abs((mine.received.toordinal() if mine.received else 0) - received), -1)
        similarity = np.zeros(rows.size) if similarity is None else similarity
        shared = np.zeros(rows.size) if shared is None else shared
        other_word = np.zeros(rows.size, dtype=bool)
        said = {
            f"{side}_{kind}": fact
            for kind, key in zip(LABELS, mine.labels, strict=True)
            for side, fact in zip(("same", "different"), keys_agree(self._labels[kind].data[rows], key), strict=True)
        }
        said["same_topic"], said["different_topic"] = bits_overlap(self._topics.data[rows], mine.topics)
        said["same_product"], said["different_product"] = bits_overlap(self._products.data[rows], mine.products)
        said["same_business_matter"] = same_business & ((self._matters.data[rows] & mine.matters) != 0)
        facts = PairFacts(similarity, shared, same_phone, same_name, same_business, other_business, agree, differ,
                          (same_phone | same_name) & mine.repeat, apart, other_word, one_business, **said)  # fmt: skip
        alike = same_business if mine.respondent else same_business | ~named  # the same business, or two questions
        compare = alike & (similarity >= 0.3)
        logits = None
        if threshold is not None:
            logits = facts.logits(self.weights)
            reach = logits >= threshold
            if mine.figures and not self.weights.figures_weighed:
                self._compare_figures(mine, rows, reach, agree, differ)
            if self.weights.of("different_word") <= 0:
                # A pair under the floor without this fact is under it with it: the texts need not be compared.
                compare &= reach
        for at in np.flatnonzero(compare).tolist():
            other_word[at] = different_word(mine.text, self._texts[int(rows[at])])
        return rows, facts, facts.logits(self.weights) if logits is None or other_word.any() else logits

    def _identities(self, mine: Facts, rows: npt.NDArray[np.int64]) -> list[npt.NDArray[np.bool_]]:
        """The facts `IDENTITY` of the new ticket with each of `rows`: the same phone, caller and business, another
        business, a business on one side only."""
        none = np.zeros(rows.size, dtype=bool)
        phone, name, _, uscc = mine.who
        same_phone = (self._identity["phone"].data[rows] == phone) if phone else none
        same_name = (self._identity["name"].data[rows] == name) if name else none
        theirs = self._respondent_id.data[rows]
        named = theirs >= 0
        same_business = self._same_business(mine.respondent, theirs) if mine.respondent else np.zeros(rows.size, bool)
        if uscc:
            same_business |= self._identity["uscc"].data[rows] == uscc
        other_business = named & ~same_business if mine.respondent else none
        return [same_phone, same_name, same_business, other_business, (named != bool(mine.respondent)) & ~same_business]

    def _same_business(self, mine: str, theirs: npt.NDArray[np.int32]) -> npt.NDArray[np.bool_]:
        """Whether each respondent number `theirs` (-1: none) names the business `mine` (each number told once, and
        only those that may: the same, or the shorter of the two (4 characters at least) with no character the
        longer lacks)."""
        numbers = distinct(theirs[theirs >= 0])
        if not numbers.size:
            return np.zeros(theirs.size, dtype=bool)
        bits, length = np.uint64(character_bits(mine)), len(mine)
        their_bits, their_length = self._respondent_bits.data[numbers], self._respondent_length.data[numbers]
        inside = (their_length >= 4) & (their_length <= length) & ((their_bits & ~bits) == 0)
        around = (their_length >= length) & ((bits & ~their_bits) == 0) if length >= 4 else inside & False
        maybe = inside | around | (numbers == self._respondent_ids.get(mine, -1))
        same = np.zeros(numbers.size, dtype=bool)
        names = self._respondent_of
        for at in np.flatnonzero(maybe).tolist():
            same[at] = same_respondent(mine, names[int(numbers[at])])
        return same[np.minimum(np.searchsorted(numbers, theirs), numbers.size - 1)] & (theirs >= 0)

    def _compare_figures(self, mine: Facts, rows: npt.NDArray[np.int64], where: npt.NDArray[np.bool_],
                         agree: npt.NDArray[np.int64], differ: npt.NDArray[np.int64]) -> None:  # fmt: skip
        """The figures of the new ticket against those of `rows` `where` true: how many units agree, differ."""
        units = figure_units(mine.figures)
        for at in np.flatnonzero(where).tolist():
            if theirs := self._figures[int(rows[at])]:
                agree[at], differ[at] = compare_to(units, theirs)

    def _trigrams_of(self, rows: Iterable[int]) -> set[int]:
        starts, counts = self._offsets.data, self._trigrams.data
        return {key for row in rows for key in self._grams.data[starts[row] : starts[row] + counts[row]].tolist()}

    def _case_candidate(self, score: float, case: int | None, members: npt.NDArray[np.int64], best_row: int,
                        e: CaseEvidence, seen: Seen) -> CaseCandidate:  # fmt: skip
        best = self._candidate(e.best.score(self.weights), e.best, best_row, seen)
        phrases = rare_phrases(seen, self._trigrams_of(members.tolist()), len(self))
        own = [r for r, yes in (("case_phrases", len(phrases) > len(best.shared_phrases)),
                                ("several_callers", e.several_callers())) if yes]  # fmt: skip
        ids = tuple(sorted(self._ids.data[members].tolist()))
        return CaseCandidate(case, _shown(score), ids, best, (*best.reasons, *own), phrases)

    def _candidate(self, score: float, e: Evidence, row: int, seen: Seen, total: int | None = None) -> Candidate:
        """One candidate (`total`: the index's size when the ticket was examined, by default now)."""
        phrases = rare_phrases(seen, self._trigrams_of([row]), len(self) if total is None else total)
        long_apart = e.long_apart()
        reasons = [r for r, yes in (("same_phone", e.same_phone), ("same_caller", e.same_caller),
                                    ("same_respondent", e.same_respondent), ("shared_phrases", bool(phrases)),
                                    ("similar_text", e.text >= 0.3), ("repeat_call", e.repeat_call and not long_apart),
                                    ("same_figures", e.same_figures > 0), ("same_problem", e.same_problem),
                                    ("same_goods", e.same_goods), ("same_place", e.same_place),
                                    ("same_topic", e.same_topic), ("same_product", e.same_product),
                                    ("same_business_matter", e.same_business_matter),
                                    ("different_respondent", e.different_respondent),
                                    ("different_figures", e.different_figures > 0),
                                    ("different_word", e.different_word),
                                    ("one_respondent", e.one_respondent),
                                    ("different_problem", e.different_problem),
                                    ("different_goods", e.different_goods), ("different_place", e.different_place),
                                    ("different_topic", e.different_topic),
                                    ("different_product", e.different_product),
                                    ("long_apart", long_apart)) if yes]  # fmt: skip
        return Candidate(int(self._ids.data[row]), _shown(score), round(e.text, 4), tuple(reasons), phrases)
