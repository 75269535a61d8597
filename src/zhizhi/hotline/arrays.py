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


def distinct_counts(values: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], npt.NDArray[np.intp]]:
    """The distinct values, sorted, and how many times each is there (as `np.unique(..., return_counts=True)`)."""
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
    """Each trigram's rows among the rows added since the bulk build: the older in two arrays sorted by trigram
    (key, row), the newest `FOLD` rows in a dictionary."""

    def __init__(self) -> None:
        self.clear()

    def add(self, row: int, trigrams: list[int]) -> None:
        """A new row and its trigram keys."""
        for key in trigrams:
            self._fresh[key].append(row)
        self._fresh_rows += 1
        if self._fresh_rows >= FOLD:
            self._fold()

    def rows_of(self, keys: npt.NDArray[np.uint32]) -> npt.NDArray[np.int32]:
        """The rows holding each of `keys`, one key's after the other (a row once per key it holds)."""
        rows = np.empty(0, dtype=I32)
        if self._keys.size and keys.size:
            starts = np.searchsorted(self._keys, keys, side="left")
            ends = np.searchsorted(self._keys, keys, side="right")
            rows = self._rows[ranges(starts, ends)]
        fresh = self._fresh
        found = [fresh[key] for key in keys.tolist() if key in fresh] if fresh else []
        if found:
            rows = np.concatenate([rows, np.fromiter(chain.from_iterable(found), dtype=I32)])
        return rows

    def clear(self) -> None:
        """Every row gone (they are in the index's sorted arrays now)."""
        self._keys = np.empty(0, dtype=U32)
        self._rows = np.empty(0, dtype=I32)
        self._fresh: dict[int, list[int]] = defaultdict(list)
        self._fresh_rows = 0

    def _fold(self) -> None:
        fresh = self._fresh
        keys = np.fromiter(chain.from_iterable(repeat(key, len(rows)) for key, rows in fresh.items()), dtype=U32)
        rows = np.fromiter(chain.from_iterable(fresh.values()), dtype=I32)
        order = np.argsort(keys, kind="stable")
        at = np.searchsorted(self._keys, keys[order], side="right")
        self._keys, self._rows = np.insert(self._keys, at, keys[order]), np.insert(self._rows, at, rows[order])
        fresh.clear()
        self._fresh_rows = 0
