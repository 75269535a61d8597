"""Many new tickets through the index together, each as if taken alone in its turn (`TicketIndex.candidates_in_turn`).

Intake takes a batch of tickets oldest first: each ticket's candidates among the earlier tickets and the batch's
tickets before it, then the ticket added. Taken one at a time that is some 150 small array operations a ticket; here
the batch's shortlists, vector lengths, identities, similarities and facts are each one set of array operations over
every (new ticket, earlier ticket) pair of the batch, and only what is Python by nature (a pair's one-word comparison,
its figures, a candidate's reasons and phrases) is done pair by pair.

Nothing is weighed otherwise than one at a time (the same candidates, scores, reasons and phrases, to the bit): each
ticket sees the index as it was when its turn came.

- A key's ticket count at ticket i is the history's and the batch's tickets before i that hold it; its rarity (IDF)
  is taken with the ticket count of that moment.
- The shortlist: each ticket's rarest trigrams, whose earlier tickets are counted for the whole batch in one sparse
  product (tickets x their rare trigrams, times trigrams x the tickets holding them, the batch's own rows among
  them), each ticket keeping only the rows before it (a lower-triangular part within the batch); then the same cut
  (the rows sharing most, the older first among equals) and the latest tickets of the same phone, caller, business.
- A row's vector length is refreshed, as one at a time, when a ticket shortlisting it finds it computed at a ticket
  count a fifth smaller, with the rarity of that ticket's moment: the refreshes of the batch are found in order for
  every row at once (a few rounds), and each shortlisted pair reads the length its row had then.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from zhizhi.hotline.arrays import _firsts, bits_overlap, distinct, keys_agree, ranges
from zhizhi.hotline.candidate import Candidate, TicketText
from zhizhi.hotline.evidence import PairFacts, _identity_ceilings, compare_to, different_word, figure_units
from zhizhi.hotline.examined import LABELS, Prepared, Seen, prepare_many
from zhizhi.hotline.texts import same_respondent

if TYPE_CHECKING:
    from zhizhi.hotline.similar import TicketIndex

U32 = np.uint32
U64 = np.uint64
I32 = np.int32
I64 = np.int64
F64 = np.float64
CHUNK = 64
"""Tickets whose shortlists are counted in one sparse product (its result holds every row sharing a rare trigram with
one of them: bounded memory)."""
_EMPTY_PAIRS = np.empty(0, dtype=I64)


def candidates_in_turn(
    index: TicketIndex, tickets: list[TicketText], limit: int, floor: float
) -> list[list[Candidate]]:
    """Each ticket's candidates as `index.candidates(ticket, limit=limit, floor=floor)` gives them with the tickets
    before it added, and all of them added (`index.add`)."""
    if not tickets:
        return []
    prepared: list[Prepared | None] = [index._ready.pop(t, None) for t in tickets]
    missing = [at for at, p in enumerate(prepared) if p is None]
    for at, p in zip(missing, prepare_many([tickets[at] for at in missing], index.words), strict=True):
        prepared[at] = p
    index._last = None
    turn = _Turn(index, tickets, [p for p in prepared if p is not None])
    found = turn.candidates(limit, floor)
    turn.settle()
    return found


class _Turn:
    """One batch: its tickets appended to the index's columns (rows `base` ..), the index's searchable arrays (ticket
    counts, postings, identities) still those of the history before it until `settle`."""

    def __init__(self, index: TicketIndex, tickets: list[TicketText], prepared: list[Prepared]) -> None:
        self.index, self.tickets, self.prepared = index, tickets, prepared
        self.base = len(index)
        index._append_many(tickets, prepared)
        self.size = len(tickets)
        self.moment = self.base + np.arange(self.size, dtype=I64)  # the index's size at each ticket's turn
        offsets = index._offsets.data
        lengths = np.diff(offsets[self.base : self.base + self.size + 1])
        self.gram_owner = np.repeat(np.arange(self.size, dtype=I64), lengths)
        self.grams = index._grams.data[offsets[self.base] : offsets[self.base + self.size]]
        self._count_grams()
        self.key_idf = _idf(self.moment[self.key_owner], self.key_df)
        self.squares = self.key_idf**2
        bounds = self.key_bounds.tolist()
        sums = [float(self.squares[a:b].sum()) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        self.own = np.array([math.sqrt(s) for s in sums], dtype=F64)
        size_log = [math.log(int(n) + 1) ** 2 if n else 1.0 for n in self.moment.tolist()]
        self.size_log = np.array(size_log, dtype=F64)
        moments = self.moment.tolist()
        most = [math.log1p(2 * s / lg) if n else 0.0 for s, lg, n in zip(sums, size_log, moments, strict=True)]
        self.most_shared_log = np.array(most, dtype=F64)

    # Ticket counts and rarity at a ticket's turn.

    def _count_grams(self) -> None:
        """The batch's gram entries counted at once (sorted by key, then ticket): for each, the entries of its key
        among the tickets before its own (`gram_before`), of its ticket (`gram_run`: a key may be a ticket's
        trigram and bigram both), and the history's ticket count of its key (`gram_base`); and each ticket's distinct
        keys, in one flat array sorted by ticket, then key, with their ticket counts at its turn."""
        index, size = self.index, self.size
        comp = (self.grams.astype(U64) << U64(32)) | self.gram_owner.astype(U64)
        perm = np.argsort(comp, kind="stable")
        self.order = comp[perm]
        self.order_key = self.order >> U64(32)
        count = comp.size
        positions = np.arange(count, dtype=I64)
        new_key, new_comp = _firsts(self.order_key), _firsts(self.order)
        self.group_start = np.maximum.accumulate(np.where(new_key, positions, 0))
        run_start = np.maximum.accumulate(np.where(new_comp, positions, 0))
        runs = np.flatnonzero(new_comp)
        run_length = np.diff(np.append(runs, count))[np.cumsum(new_comp) - 1]
        self.batch_keys = self.order_key[new_key].astype(U32)  # sorted, distinct
        base = index._df(self.batch_keys)[np.cumsum(new_key) - 1]
        before = run_start - self.group_start
        self.gram_before, self.gram_base, self.gram_run = (np.empty(count, dtype=I64) for _ in range(3))
        self.gram_before[perm], self.gram_base[perm], self.gram_run[perm] = before, base, run_length
        # each ticket's distinct keys (trigrams and bigrams), by ticket, then key
        owner = (self.order[runs] & U64(0xFFFFFFFF)).astype(I64)
        by_ticket = np.lexsort((self.order_key[runs], owner))
        self.key_owner = owner[by_ticket]
        self.keys = self.order_key[runs][by_ticket].astype(U32)
        self.key_df = (base + before)[runs][by_ticket]
        self.key_bounds = np.searchsorted(self.key_owner, np.arange(size + 1)).astype(I64)

    def _before(self, keys: npt.NDArray[np.uint32], owners: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """How many of the batch's gram entries hold each key among its tickets before `owners` (a ticket holding a
        key twice, as a trigram and a bigram, counts twice: as the index counts it)."""
        found = np.zeros(keys.size, dtype=I64)
        if not self.order.size:
            return found
        asked = keys.astype(U64)
        last = np.searchsorted(self.order, (asked << U64(32)) | owners.astype(U64)) - 1  # the last entry before
        ours = (last >= 0) & (self.order_key[np.maximum(last, 0)] == asked)
        found[ours] = last[ours] + 1 - self.group_start[last[ours]]
        return found

    def _df(self, keys: npt.NDArray[np.uint32], owners: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Each key's ticket count when ticket `owners` takes its turn (each distinct key looked up once in the
        history's counts, and counted in the batch only when the batch has it)."""
        unique, back = np.unique(keys, return_inverse=True)
        back = back.reshape(-1)
        found = self.index._df(unique)[back]
        if self.batch_keys.size and unique.size:
            at = np.minimum(np.searchsorted(self.batch_keys, unique), self.batch_keys.size - 1)
            held = np.flatnonzero((self.batch_keys[at] == unique)[back])
            found[held] += self._before(keys[held], owners[held])
        return found

    # The shortlists.

    def shortlists(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Each ticket's shortlisted rows as `TicketIndex._shortlist` makes them at its turn, the ticket itself left
        out: (ticket, row) pairs sorted by ticket, then row."""
        index, size, base = self.index, self.size, self.base
        starts = index._offsets.data[base : base + size] - index._offsets.data[base]
        trigrams = index._trigrams.data[base : base + size].astype(I64)
        at = ranges(starts, starts + trigrams)
        tri_owner, tri = self.gram_owner[at], self.grams[at]
        df = self.gram_base[at] + self.gram_before[at]
        usable = np.flatnonzero((df > 0) & (df <= index.max_df))
        ranked = usable[np.lexsort((tri[usable], df[usable], tri_owner[usable]))]
        owners = tri_owner[ranked]
        first = np.searchsorted(owners, owners)
        rare = ranked[np.arange(ranked.size) - first < index.probe]
        rare_owner, rare_key = tri_owner[rare], tri[rare]
        need = np.where(np.bincount(rare_owner, minlength=size) >= 4, 2, 1)
        chosen = [self._most_shared(rare_owner, rare_key, need, tri_owner, tri)]
        chosen.append(self._same_identity())
        pairs = distinct(np.concatenate(chosen))
        width = base + size + 1
        owner, row = pairs // width, pairs % width
        keep = index._ids.data[row] != np.asarray([t.id for t in self.tickets], dtype=I64)[owner]
        return owner[keep], row[keep]

    def _most_shared(self, rare_owner: npt.NDArray[np.int64], rare_key: npt.NDArray[np.uint32],
                     need: npt.NDArray[np.int64], tri_owner: npt.NDArray[np.int64],
                     tri: npt.NDArray[np.uint32]) -> npt.NDArray[np.int64]:  # fmt: skip
        """The rows sharing most of each ticket's rare trigrams (at least `need`; at most `shortlist`, the older first
        among equals, as `similar._most`), as pairs `ticket * width + row`."""
        index, size, base = self.index, self.size, self.base
        width = base + size + 1
        if not rare_key.size:
            return _EMPTY_PAIRS
        unique = distinct(rare_key)
        holders = self._holders(unique, tri_owner, tri)
        asked = sparse.csr_matrix((np.ones(rare_key.size, dtype=I32), (rare_owner, np.searchsorted(unique, rare_key))),
                                  shape=(size, unique.size))  # fmt: skip
        out = []
        most, tops = index.shortlist, index.probe + 1
        for start in range(0, size, CHUNK):
            counted = asked[start : start + CHUNK] @ holders
            tickets = counted.shape[0]
            # Kept in 32 bits and masked, not indexed: most of these rows share one rare trigram and go at once.
            local = np.repeat(np.arange(tickets, dtype=I32), np.diff(counted.indptr))
            row, count = counted.indices, counted.data
            needs = need[start : start + tickets]
            keep = count >= needs[local] if needs.min() != needs.max() else count >= int(needs[0])
            later = row >= base  # the batch's own rows: only those before the ticket
            if later.any():
                keep[later] &= row[later] < base + start + local[later]
            local, row, count = local[keep], row[keep], count[keep]
            listed = np.bincount(local, minlength=tickets)
            many = listed > most
            if many.any():
                tally = np.bincount(local * tops + count, minlength=tickets * tops).reshape(tickets, tops)
                at_least = np.cumsum(tally[:, ::-1], axis=1)[:, ::-1]  # rows with that count or more
                cut = np.count_nonzero(at_least >= most, axis=1) - 1  # the count where each ticket's cut falls
                above = np.where(cut + 1 < tops, at_least[np.arange(tickets), np.minimum(cut + 1, tops - 1)], 0)
                cut = np.where(many, cut, -1)
                keep = count > cut[local]
                tied = np.flatnonzero(count == cut[local])
                bounds = np.searchsorted(local[tied], np.arange(tickets + 1)).tolist()
                for mine in np.flatnonzero(many).tolist():
                    theirs = tied[bounds[mine] : bounds[mine + 1]]
                    slots = most - int(above[mine])
                    if theirs.size > slots:  # the older rows first among the ties
                        theirs = theirs[np.argpartition(row[theirs], slots - 1)[:slots]] if slots > 0 else theirs[:0]
                    keep[theirs] = True
                local, row = local[keep], row[keep]
            out.append((start + local.astype(I64)) * width + row)
        return np.concatenate(out)

    def _holders(self, keys: npt.NDArray[np.uint32], tri_owner: npt.NDArray[np.int64],
                 tri: npt.NDArray[np.uint32]) -> Any:  # fmt: skip
        """Sparse (key x row): the rows holding each of `keys` (sorted), the history's and the batch's."""
        index = self.index
        at_key: list[npt.NDArray[np.int64]] = []
        rows: list[npt.NDArray[Any]] = []
        if index._post_keys.size:
            at = np.minimum(np.searchsorted(index._post_keys, keys), index._post_keys.size - 1)
            hit = np.flatnonzero(index._post_keys[at] == keys)
            starts, ends = index._post_offsets[at[hit]], index._post_offsets[at[hit] + 1]
            at_key.append(np.repeat(hit, ends - starts))
            rows.append(index._postings[ranges(starts, ends)])
        older = index._delta_post._older
        if older.keys.size:
            starts = np.searchsorted(older.keys, keys, side="left")
            ends = np.searchsorted(older.keys, keys, side="right")
            at_key.append(np.repeat(np.arange(keys.size), ends - starts))
            rows.append(older.rows[ranges(starts, ends)])
        fresh = index._delta_post._fresh
        if fresh:
            listed = [(at, fresh[key]) for at, key in enumerate(keys.tolist()) if key in fresh]
            at_key.append(np.fromiter((at for at, some in listed for _ in some), dtype=I64))
            rows.append(np.fromiter((row for _, some in listed for row in some), dtype=I64))
        wanted = np.searchsorted(keys, tri)
        mine = np.flatnonzero(keys[np.minimum(wanted, keys.size - 1)] == tri)
        at_key.append(wanted[mine])
        rows.append(self.base + tri_owner[mine])
        key_at = np.concatenate(at_key).astype(I64)
        row_at = np.concatenate([r.astype(I64) for r in rows])
        return sparse.csr_matrix((np.ones(key_at.size, dtype=I32), (key_at, row_at)),
                                 shape=(keys.size, self.base + self.size))  # fmt: skip

    def _same_identity(self) -> npt.NDArray[np.int64]:
        """The latest `per_identity` rows of each ticket's phone, caller, business and credit code at its turn, as
        pairs `ticket * width + row`."""
        index, base, size = self.index, self.base, self.size
        width = base + size + 1
        batch: dict[int, list[int]] = defaultdict(list)
        for column in index._identity.values():
            for at, who in enumerate(column.data[base : base + size].tolist()):
                if who:
                    batch[who].append(at)
        per = index.per_identity
        asked = sorted({who for mine, _, _ in self.prepared for who in mine.who if who})
        history = dict(zip(asked, self._latest(asked), strict=True))
        pieces: list[npt.NDArray[np.int64]] = []
        owners: list[int] = []
        for at, (mine, _, _) in enumerate(self.prepared):
            for who in mine.who:
                if not who:
                    continue
                rows = history[who]
                theirs = batch.get(who)
                if theirs and theirs[0] < at:
                    later = np.asarray(theirs[: bisect_left(theirs, at)], dtype=I64) + base
                    rows = np.concatenate([rows, later])[-per:]
                pieces.append(rows)
                owners.append(at)
        if not pieces:
            return _EMPTY_PAIRS
        found: npt.NDArray[np.int64] = np.repeat(np.asarray(owners, dtype=I64) * width,
                                                 [piece.size for piece in pieces]) + np.concatenate(pieces)  # fmt: skip
        return found

    def _latest(self, asked: list[int]) -> list[npt.NDArray[np.int64]]:
        """The latest `per_identity` rows of the history of each identity of `asked` (as `TicketIndex._rows_of`)."""
        index, per = self.index, self.index.per_identity
        if index._who_keys.size:
            keys = np.asarray(asked, dtype=I64)
            starts = np.searchsorted(index._who_keys, keys).tolist()
            ends = np.searchsorted(index._who_keys, keys + 1).tolist()
        else:
            starts = ends = [0] * len(asked)
        delta, rows = index._delta_who, index._who_rows
        latest = []
        for who, start, end in zip(asked, starts, ends, strict=True):
            found = rows[start:end].astype(I64)
            if who in delta:
                found = np.concatenate([found, np.asarray(delta[who], dtype=I64)])
            latest.append(found[-per:])
        return latest

    # Vector lengths.

    def lengths(self, owner: npt.NDArray[np.int64], row: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        """Each pair's row's vector length at its ticket's turn, refreshed as one at a time would (and the index's
        lengths left as they would be after the batch)."""
        index, base, size = self.index, self.base, self.size
        # the batch's own rows, as `add` gives them: with the ticket counts just after each was added
        added = self.moment + 1
        weights = _idf(added[self.gram_owner], self.gram_base + self.gram_before + self.gram_run) ** 2
        own_lengths = np.diff(index._offsets.data[base : base + size + 1])
        index._norms.data[base : base + size] = self._sums(weights, own_lengths)
        index._norm_at.data[base : base + size] = added
        if not row.size:
            return np.empty(0, dtype=F64)
        # the refreshes, in order: a row touched by a ticket finding it computed a fifth smaller
        by_row = np.lexsort((owner, row))
        e_row, e_owner = row[by_row], owner[by_row]
        e_moment = self.moment[e_owner]
        rows, first = np.unique(e_row, return_index=True)
        group = np.repeat(np.arange(rows.size), np.diff(np.append(first, e_row.size)))
        end = np.append(first[1:], e_row.size)
        at = index._norm_at.data[rows].astype(I64)
        start = first.copy()
        position = np.arange(e_row.size)
        refreshed_row, refreshed_owner = [], []
        while True:
            stale = (position >= start[group]) & (at[group] * 1.25 < e_moment)
            count = np.bincount(group[stale], minlength=rows.size)
            groups = np.flatnonzero(count)
            if not groups.size:
                break
            hit = end[groups] - count[groups]
            refreshed_row.append(e_row[hit])
            refreshed_owner.append(e_owner[hit])
            at[groups] = e_moment[hit]
            start[groups] = hit + 1
        found = index._norms.data[e_row].copy()
        if refreshed_row:
            r_row, r_owner = np.concatenate(refreshed_row), np.concatenate(refreshed_owner)
            order = np.lexsort((r_owner, r_row))
            r_row, r_owner = r_row[order], r_owner[order]
            starts, ends = index._offsets.data[r_row], index._offsets.data[r_row + 1]
            grams = index._grams.data[ranges(starts, ends)]
            gram_owner = np.repeat(r_owner, ends - starts)
            weights = _idf(self.moment[gram_owner], self._df(grams, gram_owner)) ** 2
            norms = self._sums(weights, ends - starts)
            # each pair reads its row's latest refresh at or before its ticket's turn
            width = size + 1
            refreshed = r_row * width + r_owner
            latest = np.searchsorted(refreshed, e_row * width + e_owner, side="right") - 1
            valid = (latest >= 0) & (r_row[np.maximum(latest, 0)] == e_row)
            found[valid] = norms[latest[valid]]
            last = np.append(r_row[1:] != r_row[:-1], True)
            index._norms.data[r_row[last]] = norms[last]
            index._norm_at.data[r_row[last]] = self.moment[r_owner[last]]
        lengths = np.empty(row.size, dtype=F64)
        lengths[by_row] = found
        return lengths

    @staticmethod
    def _sums(weights: npt.NDArray[np.float64], lengths: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        """The root of each run's sum (numpy's own summation of each, as `TicketIndex._norms_of`: the same bits)."""
        at = np.cumsum(lengths).tolist()
        return np.array([math.sqrt(weights[a:b].sum()) if b > a else 0.0
                         for a, b in zip([0, *at[:-1]], at, strict=True)], dtype=F64)  # fmt: skip

    # The pairs' facts, and the candidates.

    def candidates(self, limit: int, floor: float) -> list[list[Candidate]]:
        from zhizhi.hotline.similar import _threshold

        index = self.index
        owner, row = self.shortlists()
        norms = self.lengths(owner, row)
        threshold = _threshold(floor)
        identities = self._identities(owner, row)
        if threshold is not None and owner.size:
            base_z, gain = _identity_ceilings(index.weights)
            code = np.zeros(owner.size, dtype=np.intp)
            for bit, fact in enumerate(identities):
                code |= fact.astype(np.intp) << bit
            kept = base_z[code] + gain[code] * self.most_shared_log[owner] >= threshold
            owner, row, norms = owner[kept], row[kept], norms[kept]
            identities = [fact[kept] for fact in identities]
        similarity, shared = self._similarities(owner, row, norms)
        facts, logits = self._facts(owner, row, similarity, shared, identities, threshold)
        found: list[list[Candidate]] = [[] for _ in self.tickets]
        ats = np.arange(owner.size)
        if 0 < floor < 1:
            ats = ats[logits >= math.log(floor / (1 - floor)) - 1e-6]
        by_ticket: dict[int, list[tuple[float, int, int]]] = defaultdict(list)
        ids = index._ids.data[row[ats]].tolist()
        for at, z, ticket_id, mine in zip(ats.tolist(), logits[ats].tolist(), ids, owner[ats].tolist(), strict=True):
            score = 1 / (1 + math.exp(-z))
            if score >= floor:
                by_ticket[mine].append((-score, -ticket_id, at))
        for mine, kept_pairs in by_ticket.items():
            a, b = int(self.key_bounds[mine]), int(self.key_bounds[mine + 1])
            seen = Seen(self.prepared[mine][0], self.keys[a:b], self.key_idf[a:b], _EMPTY_PAIRS, facts, logits)
            total = int(self.moment[mine])
            found[mine] = [index._candidate(-score, facts.evidence(at), int(row[at]), seen, total)
                           for score, _, at in sorted(kept_pairs)[:limit]]  # fmt: skip
        return found

    def _identities(self, owner: npt.NDArray[np.int64], row: npt.NDArray[np.int64]) -> list[npt.NDArray[np.bool_]]:
        """As `TicketIndex._identities`, for every pair at once."""
        index, base = self.index, self.base
        mine_row = base + owner
        phone, name, uscc = (index._identity[kind].data for kind in ("phone", "name", "uscc"))
        same_phone = (phone[mine_row] != 0) & (phone[row] == phone[mine_row])
        same_name = (name[mine_row] != 0) & (name[row] == name[mine_row])
        theirs = index._respondent_id.data[row]
        mine = index._respondent_id.data[mine_row]
        named, has = theirs >= 0, mine >= 0
        same_business = self._same_business(mine, theirs)
        same_business |= (uscc[mine_row] != 0) & (uscc[row] == uscc[mine_row])
        other_business = named & ~same_business & has
        return [same_phone, same_name, same_business, other_business, (named != has) & ~same_business]

    def _same_business(self, mine: npt.NDArray[np.int32], theirs: npt.NDArray[np.int32]) -> npt.NDArray[np.bool_]:
        """Whether each pair's two respondent numbers name the same business (`same_respondent`), told only for the
        pairs that may (as `TicketIndex._same_business`), each two numbers once."""
        index = self.index
        both = (mine >= 0) & (theirs >= 0)
        same = np.zeros(mine.size, dtype=bool)
        at = np.flatnonzero(both)
        if not at.size:
            return same
        m, t = mine[at], theirs[at]
        bits, length = index._respondent_bits.data, index._respondent_length.data
        m_bits, t_bits, m_length, t_length = bits[m], bits[t], length[m], length[t]
        inside = (t_length >= 4) & (t_length <= m_length) & ((t_bits & ~m_bits) == 0)
        around = (m_length >= 4) & (t_length >= m_length) & ((m_bits & ~t_bits) == 0)
        maybe = np.flatnonzero(inside | around | (m == t))
        if not maybe.size:
            return same
        pair = (m[maybe].astype(I64) << 32) | t[maybe].astype(I64)
        told, back = np.unique(pair, return_inverse=True)
        names = index._respondent_of
        answer = np.array([same_respondent(names[p >> 32], names[p & 0xFFFFFFFF]) for p in told.tolist()], dtype=bool)
        same[at[maybe]] = answer[back.reshape(-1)]
        return same

    def _similarities(
        self, owner: npt.NDArray[np.int64], row: npt.NDArray[np.int64], norms: npt.NDArray[np.float64]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """As `TicketIndex._similarities`, every pair at once: each pair's weight summed over its row's keys in
        their order (the same bits)."""
        index = self.index
        starts, ends = index._offsets.data[row], index._offsets.data[row + 1]
        segment = np.repeat(np.arange(row.size), ends - starts)
        theirs = index._grams.data[ranges(starts, ends)]
        flat = (self.key_owner.astype(U64) << U64(32)) | self.keys.astype(U64)
        asked = (owner[segment].astype(U64) << U64(32)) | theirs.astype(U64)
        at = np.minimum(np.searchsorted(flat, asked), max(flat.size - 1, 0))
        hit = flat[at] == asked if flat.size else np.zeros(asked.size, dtype=bool)
        shared = np.bincount(segment[hit], weights=self.squares[at[hit]], minlength=row.size)
        with np.errstate(divide="ignore", invalid="ignore"):
            cosine = shared / (self.own[owner] * norms)
        return np.nan_to_num(np.clip(cosine, 0.0, 1.0)), shared / self.size_log[owner]

    def _facts(self, owner: npt.NDArray[np.int64], row: npt.NDArray[np.int64], similarity: npt.NDArray[np.float64],
               shared: npt.NDArray[np.float64], identities: list[npt.NDArray[np.bool_]],
               threshold: float | None) -> tuple[PairFacts, npt.NDArray[np.float64]]:  # fmt: skip
        """As `TicketIndex._facts`, every pair at once."""
        index, weights = self.index, self.index.weights
        mine_row = self.base + owner
        same_phone, same_name, same_business, other_business, one_business = identities
        facts_of = [p[0] for p in self.prepared]
        agree, differ = np.zeros(row.size, dtype=I64), np.zeros(row.size, dtype=I64)
        figured = np.array([bool(m.figures) for m in facts_of], dtype=bool)[owner] if row.size else np.zeros(0, bool)
        if weights.figures_weighed or threshold is None:
            self._compare_figures(owner, row, figured, agree, differ)
        received = index._received.data[row].astype(I64)
        mine_received = index._received.data[mine_row].astype(I64)
        known = (received > 0) & (mine_received > 0)
        apart = np.where(known, np.abs(mine_received - received), -1)
        said: dict[str, npt.NDArray[np.bool_]] = {}
        for kind in LABELS:
            column = index._labels[kind].data
            said[f"same_{kind}"], said[f"different_{kind}"] = keys_agree(column[row], column[mine_row])
        topics, products = index._topics.data, index._products.data
        said["same_topic"], said["different_topic"] = bits_overlap(topics[row], topics[mine_row])
        said["same_product"], said["different_product"] = bits_overlap(products[row], products[mine_row])
        said["same_business_matter"] = same_business & ((index._matters.data[row] & index._matters.data[mine_row]) != 0)
        other_word = np.zeros(row.size, dtype=bool)
        repeat = index._repeat.data[mine_row]
        facts = PairFacts(similarity, shared, same_phone, same_name, same_business, other_business, agree, differ,
                          (same_phone | same_name) & repeat, apart, other_word, one_business, **said)  # fmt: skip
        named = index._respondent_id.data[row] >= 0
        has = index._respondent_id.data[mine_row] >= 0
        alike = np.where(has, same_business, same_business | ~named)
        compare = alike & (similarity >= 0.3)
        logits = None
        if threshold is not None:
            logits = facts.logits(weights)
            reach = logits >= threshold
            if not weights.figures_weighed:
                self._compare_figures(owner, row, figured & reach, agree, differ)
            if weights.of("different_word") <= 0:
                compare &= reach
        texts = index._texts
        for at in np.flatnonzero(compare).tolist():
            other_word[at] = different_word(facts_of[int(owner[at])].text, texts[int(row[at])])
        return facts, facts.logits(weights) if logits is None or other_word.any() else logits

    def _compare_figures(self, owner: npt.NDArray[np.int64], row: npt.NDArray[np.int64], where: npt.NDArray[np.bool_],
                         agree: npt.NDArray[np.int64], differ: npt.NDArray[np.int64]) -> None:  # fmt: skip
        units: dict[int, dict[str, set[str]]] = {}
        figures = self.index._figures
        for at in np.flatnonzero(where).tolist():
            if theirs := figures[int(row[at])]:
                mine = int(owner[at])
                if mine not in units:
                    units[mine] = figure_units(self.prepared[mine][0].figures)
                agree[at], differ[at] = compare_to(units[mine], theirs)

    # After the batch.

    def settle(self) -> None:
        """The batch's rows into the index's searchable arrays, as `add` puts them (into the delta, or every row into
        the sorted arrays once the delta is large: the same scores either way)."""
        from zhizhi.hotline.similar import REINDEX_AT

        index, base, size = self.index, self.base, self.size
        end = base + size
        if end - index._bulk_rows > max(REINDEX_AT, index._bulk_rows // 4):
            index._bulk(norms=False)
            return
        index._delta_df.update(self.grams.tolist())
        starts = index._offsets.data[base:end]
        trigrams = index._trigrams.data[base:end].astype(I64)
        index._delta_post.add_many(np.repeat(np.arange(base, end, dtype=I32), trigrams),
                                   index._grams.data[ranges(starts, starts + trigrams)])  # fmt: skip
        for column in index._identity.values():
            for at, who in enumerate(column.data[base:end].tolist()):
                if who:
                    index._delta_who[who].append(base + at)


def _idf(moment: npt.NDArray[np.int64], df: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """As `TicketIndex._idf`, each key with the index's size at its moment."""
    found: npt.NDArray[np.float64] = np.log((np.maximum(moment, 1) + 1) / (df + 1)) + 1e-3
    return found
