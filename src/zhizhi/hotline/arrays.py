"""The arrays of the similarity index (`zhizhi.hotline.similar.TicketIndex`): growable columns, sorted sets of a few
hundred values made cheaply, and the trigram postings of the rows added since the index's sorted arrays were built
(found by ranges of sorted arrays rather than by Python lists: a new ticket probes about twenty trigrams, and they
may list a few thousand rows)."""

from __future__ import annotations

from collections import defaultdict
from itertools import chain, repeat
from typing import Any

import numpy as np
import numpy.typing as npt

U32 = np.uint32
I32 = np.int32
FOLD = 64
"""The newest rows are kept in a dictionary until there are this many, then folded into the sorted arrays."""


class Column:
    """A growable numpy array."""

    def __init__(self, dtype: Any, capacity: int = 1024) -> None:
        self.data = np.zeros(capacity, dtype=dtype)
        self.size = 0

    def extend(self, values: npt.ArrayLike) -> None:
        values = np.asarray(values, dtype=self.data.dtype).reshape(-1)
        need = self.size + values.size
        if need > self.data.size:
            grown = np.zeros(max(need, 2 * self.data.size), dtype=self.data.dtype)
            grown[: self.size] = self.data[: self.size]
            self.data = grown
        self.data[self.size : need] = values
        self.size = need

    def append(self, value: Any) -> None:
        """One value at the end."""
        if self.size == self.data.size:
            self.data = np.concatenate([self.data, np.zeros(max(self.data.size, 1), dtype=self.data.dtype)])
        self.data[self.size] = value
        self.size += 1

    def view(self) -> npt.NDArray[Any]:
        return self.data[: self.size]

    def copy(self) -> Column:
        other = Column(self.data.dtype, max(self.size, 1))
        other.extend(self.view())
        return other


def ranges(starts: npt.NDArray[np.int64], ends: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The positions from each start to its end, one range after the other."""
    lengths = ends - starts
    first: npt.NDArray[np.int64] = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    positions: npt.NDArray[np.int64] = np.arange(first.size) + first
    return positions


def distinct(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """The distinct values, sorted (as `np.unique`, without its cost per call on a few hundred values)."""
    ordered = np.sort(values)
    return ordered[_firsts(ordered)] if ordered.size > 1 else ordered


def distinct_counts(values: npt.NDArray[Any], below: int = 0) -> tuple[npt.NDArray[Any], npt.NDArray[np.intp]]:
    """The distinct values, sorted, and how many times each is there (as `np.unique(..., return_counts=True)`);
    values known to lie in 0..`below` - 1 are tallied rather than sorted when there are enough of them."""
    if 0 < below <= 4 * values.size:
        tally = np.bincount(values, minlength=below)
        seen = np.flatnonzero(tally)
        return seen.astype(values.dtype), tally[seen]
    ordered = np.sort(values)
    if not ordered.size:
        return ordered, np.zeros(0, dtype=np.intp)
    starts = np.flatnonzero(_firsts(ordered))
    return ordered[starts], np.diff(starts, append=ordered.size)


def _firsts(ordered: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    first = np.empty(ordered.size, dtype=bool)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return first


class RecentPostings:
    """Each trigram's rows among the rows added since the bulk build: the older in arrays sorted by trigram, the
    newest (at most `FOLD`, so that each trigram lists few of them) in a dictionary of lists folded into the arrays as
    it fills."""

    def __init__(self) -> None:
        self._older, self._fresh, self._fresh_rows = _Pairs(), defaultdict[int, list[int]](list), 0

    def add(self, row: int, trigrams: list[int]) -> None:
        """A new row and its trigram keys."""
        for key in trigrams:
            self._fresh[key].append(row)
        self._fresh_rows += 1
        if self._fresh_rows >= FOLD:
            self._fold()

    def _fold(self) -> None:
        """The newest rows into the sorted arrays."""
        fresh = self._fresh
        keys = np.fromiter(chain.from_iterable(repeat(key, len(rows)) for key, rows in fresh.items()), dtype=U32)
        rows = np.fromiter(chain.from_iterable(fresh.values()), dtype=I32)
        order = np.argsort(keys, kind="stable")
        self._older.insert(keys[order], rows[order])
        self.clear(older=False)

    def add_many(self, rows: npt.NDArray[np.int32], trigrams: npt.NDArray[np.uint32]) -> None:
        """Many new rows at once, each (row, trigram key) pair given (the rows in the order added): into the sorted
        arrays in one copy (the order in which a key's rows are listed is no matter to those who count them)."""
        if self._fresh_rows:
            self._fold()
        order = np.argsort(trigrams, kind="stable")
        self._older.insert(trigrams[order].astype(U32), rows[order].astype(I32))

    def rows_of(self, keys: npt.NDArray[np.uint32]) -> npt.NDArray[np.int32]:
        """The rows holding each of `keys` (a row once per key it holds)."""
        fresh = self._fresh
        found = [fresh[key] for key in keys.tolist() if key in fresh] if fresh else []
        newest = np.fromiter(chain.from_iterable(found), dtype=I32)
        return np.concatenate([self._older.rows_of(keys), newest])

    def clear(self, *, older: bool = True) -> None:
        """Every row gone (they are in the index's sorted arrays now), or with `older` False the newest only."""
        self._fresh, self._fresh_rows = defaultdict(list), 0
        if older:
            self._older = _Pairs()


class _Pairs:
    """(key, row) pairs, sorted by key."""

    def __init__(self) -> None:
        self.keys = np.empty(0, dtype=U32)
        self.rows = np.empty(0, dtype=I32)

    def insert(self, keys: npt.NDArray[np.uint32], rows: npt.NDArray[np.int32]) -> None:
        """More pairs, sorted by key (each value at once: one copy of the arrays)."""
        at = np.searchsorted(self.keys, keys, side="right")
        self.keys, self.rows = np.insert(self.keys, at, keys), np.insert(self.rows, at, rows)

    def rows_of(self, keys: npt.NDArray[np.uint32]) -> npt.NDArray[np.int32]:
        if not self.keys.size:
            return self.rows
        starts = np.searchsorted(self.keys, keys, side="left")
        rows: npt.NDArray[np.int32] = self.rows[ranges(starts, np.searchsorted(self.keys, keys, side="right"))]
        return rows


def keys_agree(theirs: npt.NDArray[np.int64], mine: Any) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Where both give a key (`mine`: one key, or one a row; 0 gives none): the same, or not."""
    given = mine != 0
    same = given & (theirs == mine)
    return same, given & (theirs != 0) & (theirs != mine)


def bits_overlap(theirs: npt.NDArray[np.int64], mine: Any) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Where both texts raise a matter or name goods (bits of `read_topics`, `read_products`; `mine`: one set of bits,
    or one a row): one in common, or none in common."""
    common = (theirs & mine) != 0
    return common, (mine != 0) & (theirs != 0) & ~common
