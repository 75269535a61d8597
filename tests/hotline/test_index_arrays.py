"""The similarity index's array helpers give what numpy's slower calls, Python lists and one text at a time give."""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from zhizhi.hotline.arrays import FOLD, RecentPostings, distinct, distinct_counts
from zhizhi.hotline.texts import gram_keys, gram_keys_many, normalise_text

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from hotline import as_text  # noqa: E402
from hotline import month as bench_month  # noqa: E402


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


def test_recent_postings_take_many_rows_at_once_as_one_by_one() -> None:
    """A batch's rows go into the postings at once (`add_many`, after rows added one by one and not yet folded):
    each key lists the rows it lists when they are added one by one."""
    rng = np.random.default_rng(4)
    one, many, plain = RecentPostings(), RecentPostings(), defaultdict[int, list[int]](list)
    row = 0
    for batch in (5, 1, FOLD + 3, 2 * FOLD, 7):
        pairs: list[tuple[int, int]] = []
        for _ in range(batch):
            keys = sorted(set(rng.integers(0, 300, 10).tolist()))
            one.add(row, keys)
            pairs += [(row, key) for key in keys]
            for key in keys:
                plain[key].append(row)
            row += 1
        if batch == 5:  # these one at a time, unfolded, before the next batch comes at once
            for r in sorted({r for r, _ in pairs}):
                many.add(r, [key for rr, key in pairs if rr == r])
        else:
            rows, keys = (np.array(side) for side in zip(*pairs, strict=True))
            many.add_many(rows.astype(np.int32), keys.astype(np.uint32))
        for probe in (np.arange(310, dtype=np.uint32), np.unique(rng.integers(0, 300, 15)).astype(np.uint32)):
            expected = sorted(r for key in probe.tolist() for r in plain.get(key, []))
            assert sorted(many.rows_of(probe).tolist()) == expected == sorted(one.rows_of(probe).tolist())


def test_texts_cut_all_at_once_give_each_texts_keys() -> None:
    """A batch's texts are cut into keys at once (`gram_keys_many`): each text's keys are those it has alone, the
    empty text's, a one-character text's (its own bigram) and characters beyond the first plane's included."""
    month = [normalise_text(as_text(t).text) for t in bench_month(7, 200)]
    texts = ["", "a", "ab", "abc", "𠀀𠀁𠀂好", "要求处理要求处理", *month[:300], "x", ""]
    for batch in (texts, texts[:1], texts[1:2], texts[5:6], []):
        cut = gram_keys_many(batch)
        assert len(cut) == len(batch)
        for text, (tri, bi) in zip(batch, cut, strict=True):
            alone = gram_keys(text)
            assert np.array_equal(tri, alone[0]) and np.array_equal(bi, alone[1]) and tri.dtype == bi.dtype == np.uint32
