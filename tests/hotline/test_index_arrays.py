"""The similarity index's array helpers give what numpy's slower calls and plain Python lists give."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from zhizhi.hotline.arrays import FOLD, RecentPostings, distinct, distinct_counts


def test_distinct_values_and_counts_are_numpys() -> None:
    rng = np.random.default_rng(5)
    for size in [0, 1, 2, 3, 17, 300, 2500]:
        for dtype in (np.uint32, np.int32, np.int64):
            values = rng.integers(0, max(size // 3, 1) + 1, size).astype(dtype)
            expected_ids, expected_counts = np.unique(values, return_counts=True)
            assert np.array_equal(distinct(values), np.unique(values)) and distinct(values).dtype == dtype
            for below in (0, size // 3 + 2, 4 * size):  # sorted, tallied
                ids, counts = distinct_counts(values, below)
                assert np.array_equal(ids, expected_ids) and ids.dtype == dtype
                assert np.array_equal(counts, expected_counts)


def test_recent_postings_list_each_keys_rows_across_folds() -> None:
    rng = np.random.default_rng(9)
    postings, plain = RecentPostings(), defaultdict[int, list[int]](list)
    for row in range(3 * FOLD + 5):
        keys = sorted(set(rng.integers(0, 400, 12).tolist()))
        postings.add(row, keys)
        for key in keys:
            plain[key].append(row)
        probe = np.unique(rng.integers(0, 450, 20)).astype(np.uint32)
        expected = sorted(r for key in probe.tolist() for r in plain.get(key, []))
        assert sorted(postings.rows_of(probe).tolist()) == expected
    postings.clear()
    assert postings.rows_of(np.arange(400, dtype=np.uint32)).size == 0
