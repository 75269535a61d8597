"""The desk's scoring made faster gives the same outcome, to the last reason: a digest of a generated month.

A month of the bench's generator (bench/hotline.py, seed 7, both channels, rephrased duplicates, repeat calls,
several consumers of one incident) is taken ticket after ticket as intake does (`take_in`: each ticket's candidates,
a case scoring as its best ticket, joining it at `merge_at`, else a case of its own with the three closest suggested
from `review_from`), and every ticket's candidates (ticket, score, text similarity, reasons, shared phrases), the
case it goes to and its suggestions are hashed; every tenth ticket's cases (`case_candidates`) too. The digest was
computed with the code before the intake was made faster (commit 8d180bd), held through that work, and computed
again when the matters and goods a text names became evidence (the weights refitted); any change to which tickets
merge, or to a score or a reason, changes it. The delta of added tickets is put into the arrays every 300 tickets,
so that path is crossed many times (it changes no score: tests/hotline/test_similar.py).

If the generator or the weights are changed on purpose, compute the digest again with `month_digest()`.
"""

from __future__ import annotations

import hashlib
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from zhizhi.config.models import HotlineConfig
from zhizhi.hotline.evidence import FEATURES, FITTED, IDENTITY, PairFacts, Weights, identity_ceiling
from zhizhi.hotline.similar import TicketIndex, _most

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from hotline import as_text, month  # noqa: E402

GRIEVANCES = 1500
DIGEST = "554c94b933d93613547422112b2c7a7bd01fca3317a65b2198c06c8edbe65ca1"


def month_digest() -> tuple[str, dict[str, int]]:
    """The digest of the month's outcome, and its counts (tickets, cases, merged, suggestions)."""
    settings = HotlineConfig()
    index, case_of, cases = TicketIndex(), dict[int, int](), 0
    counts = {"tickets": 0, "merged": 0, "suggestions": 0, "candidates": 0}
    digest = hashlib.sha256()
    for ticket in month(7, GRIEVANCES):
        text = as_text(ticket)
        found = index.candidates(text, limit=20, floor=settings.review_from)
        best: dict[int, Any] = {}
        for c in found:
            case = case_of[c.ticket_id]
            if case not in best or c.score > best[case].score:
                best[case] = c
        top = max(best.items(), key=lambda item: (item[1].score, -item[0]), default=None)
        if top is not None and top[1].score >= settings.merge_at:
            case_of[ticket.id], suggested = top[0], []
            counts["merged"] += 1
        else:
            case_of[ticket.id], cases = cases, cases + 1
            suggested = [(other, c.ticket_id, c.score) for other, c in sorted(best.items(), key=lambda i: -i[1].score)]
            suggested = suggested[:3]
            counts["suggestions"] += len(suggested)
        seen: dict[str, Any] = {"ticket": ticket.id, "case": case_of[ticket.id], "suggested": suggested,
                                "candidates": [(c.ticket_id, c.score, c.text_similarity, c.reasons, c.shared_phrases)
                                               for c in found]}  # fmt: skip
        if ticket.id % 10 == 0:
            seen["cases"] = [(c.case_id, c.score, c.ticket_ids, c.best.ticket_id, c.reasons, c.shared_phrases)
                             for c in index.case_candidates(text, limit=5, floor=0.0)]  # fmt: skip
        digest.update(json.dumps(seen, ensure_ascii=False).encode())
        counts["tickets"] += 1
        counts["candidates"] += len(found)
        index.add(text)
    return digest.hexdigest(), counts


def test_a_generated_month_merges_as_before_to_the_last_score_and_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("zhizhi.hotline.similar.REINDEX_AT", 300)
    digest, counts = month_digest()
    assert counts["merged"] > 300 and counts["suggestions"] > 30 and counts["candidates"] > 1000, counts
    assert digest == DIGEST, counts


def test_no_fact_but_who_lifts_a_pair_above_its_identity_ceiling() -> None:
    """Intake leaves out, before comparing anything else, the pairs whose identities (the same phone, caller,
    business; another business; one business only) cap them under the review floor: whatever their texts, days,
    figures, categories and places, no pair may score above that cap."""
    rng, n, most = np.random.default_rng(11), 20000, 4.0
    names = ("repeat_call", "different_word", "same_problem", "different_problem", "same_goods", "different_goods",
             "same_place", "different_place", "same_topic", "different_topic", "same_product", "different_product",
             "same_business_matter", *IDENTITY)  # fmt: skip
    # the categories, place, matter and goods agreeing often and differing seldom, so that some pairs come near the cap
    share = {name: 0.8 if name.startswith("same_") and name not in IDENTITY else 0.1 if name.startswith("different_")
             and name not in IDENTITY else 0.5 for name in names}  # fmt: skip
    given = {name: rng.random(n) < share[name] for name in names}
    given["same_business_matter"] &= given["same_respondent"]  # a matter of the business itself: of the same one
    facts = PairFacts(text=rng.random(n), shared=rng.random(n) * most, same_figures=rng.integers(0, 5, n),
                      different_figures=rng.integers(0, 5, n), days_apart=rng.integers(-1, 120, n),
                      **given)  # fmt: skip
    ceiling = identity_ceiling([given[name] for name in IDENTITY], most)
    assert (facts.logits() <= ceiling + 1e-9).all()
    assert (facts.logits() > ceiling - 1.0).mean() > 0.001  # a cap, not far above every pair
    other = given["different_respondent"] & ~(given["same_respondent"] | given["same_phone"] | given["same_caller"])
    assert (ceiling[other] < np.log(0.3 / 0.7)).all()  # another business, another caller: never a candidate


def test_a_few_pairs_are_weighed_to_the_same_bits_as_many() -> None:
    """A few pairs' log-odds are summed in Python, many in numpy: the same operations in the same order, the same
    bits (a score on either side of a threshold must not depend on how many pairs were weighed together)."""
    rng, n = np.random.default_rng(3), 3000
    names = ("same_phone", "same_caller", "same_respondent", "different_respondent", "repeat_call", "different_word",
             "one_respondent", "same_problem", "different_problem", "same_goods", "different_goods", "same_place",
             "different_place", "same_topic", "different_topic", "same_product", "different_product",
             "same_business_matter")  # fmt: skip
    facts = PairFacts(text=rng.random(n), shared=rng.random(n) * 5, same_figures=rng.integers(0, 4, n),
                      different_figures=rng.integers(0, 4, n), days_apart=rng.integers(-1, 90, n),
                      **{name: rng.random(n) < 0.4 for name in names})  # fmt: skip
    many = facts.logits()
    few = [PairFacts(**{name: getattr(facts, name)[at : at + 3] for name in facts.__dataclass_fields__}).logits()
           for at in range(0, n, 3)]  # fmt: skip
    assert np.array_equal(many, np.concatenate(few)) and np.unique(many).size > 100


def test_the_shortlist_keeps_the_rows_a_stable_sort_by_count_keeps() -> None:
    """The shortlist's cut (the rows sharing most rare phrases, the older first among equals) is made by tallying
    the counts rather than sorting them: the same rows as a stable sort."""
    rng = np.random.default_rng(0)
    for _ in range(500):
        ids = np.unique(rng.integers(0, 5000, int(rng.integers(1, 600))))
        counts = rng.integers(1, int(rng.integers(2, 25)), ids.size)
        most = int(rng.integers(1, 300))
        expected = np.sort(ids[np.argsort(-counts, kind="stable")[:most]])
        assert np.array_equal(np.sort(_most(ids, counts, most)), expected)


def test_readers_side_by_side_find_what_one_reader_finds() -> None:
    """The web's look-ups read the process's index from several threads at once: each thread's scratch is its own,
    so side by side they find the same candidates, scores and reasons as one at a time."""
    tickets = [as_text(t) for t in month(7, 600)]
    index = TicketIndex.build(tickets[:-120])
    probes = tickets[-120:]
    alone = [index.candidates(t, limit=20, floor=0.3) for t in probes]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch as often as they can
    try:
        with ThreadPoolExecutor(4) as pool:
            found = list(pool.map(lambda _: [index.candidates(t, limit=20, floor=0.3) for t in probes], range(8)))
    finally:
        sys.setswitchinterval(interval)
    assert sum(map(len, alone)) > 30 and all(f == alone for f in found)


def test_a_batch_taken_in_turn_finds_what_one_ticket_at_a_time_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Intake weighs a batch's tickets together (`candidates_in_turn`: the shortlists counted in one sparse product,
    the vector lengths refreshed for the whole batch at once): each ticket must get the candidates, scores, reasons
    and phrases it gets taken alone after the tickets before it, from an empty index and from a built one, in batches
    of any size (one, a few, more than the delta holds), and the index must be left as one at a time leaves it (the
    same vector lengths, so that later tickets score the same)."""
    monkeypatch.setattr("zhizhi.hotline.similar.REINDEX_AT", 300)
    tickets = [as_text(t) for t in month(7, GRIEVANCES)]
    for history, sizes in ((0, (1, 2, 57, 400, 700)), (900, (1, 333, 1000))):
        alone, together = TicketIndex.build(tickets[:history]), TicketIndex.build(tickets[:history])
        expected = []
        for ticket in tickets[history:]:
            expected.append(alone.candidates(ticket, limit=20, floor=0.3))
            alone.add(ticket)
        found: list[Any] = []
        start, turn = history, 0
        while start < len(tickets):
            size = sizes[turn % len(sizes)]
            found += together.candidates_in_turn(tickets[start : start + size], limit=20, floor=0.3)
            start, turn = start + size, turn + 1
        assert sum(map(len, expected)) > 500 and sum(1 for f in expected if f and f[0].score >= 0.85) > 200
        assert found == expected
        columns = ("_ids", "_grams", "_offsets", "_trigrams", "_norms", "_norm_at", "_received", "_repeat", "_topics",
                   "_products", "_matters", "_case", "_respondent_id")  # fmt: skip
        for name in columns:
            assert np.array_equal(getattr(alone, name).view(), getattr(together, name).view()), name
        for kind, column in (*alone._identity.items(), *alone._labels.items()):
            theirs = together._identity.get(kind) or together._labels[kind]
            assert np.array_equal(column.view(), theirs.view()), kind
        assert alone._texts == together._texts and alone._figures == together._figures
        probe = tickets[history + 7]  # and the desk's look-ups afterwards: the same
        assert together.candidates(probe, limit=20, floor=0.0) == alone.candidates(probe, limit=20, floor=0.0)


@pytest.mark.parametrize("floor", [0.0, 0.3])
def test_a_batch_in_turn_weighs_as_one_at_a_time_under_a_workspaces_own_weights(floor: float) -> None:
    """Under weights of a workspace's own that count the figures (compared for every pair then, not only for those
    that may reach the floor) and a text alike but for one word for a pair, and with no floor at all (every pair
    shortlisted a candidate), a batch taken in turn still finds what one ticket at a time finds."""
    pairs = list(FITTED.pairs)
    for name, weight in (("same_figures", 0.7), ("different_figures", -0.9), ("different_word", 0.3)):
        pairs[FEATURES.index(name)] = weight
    weights = Weights(FITTED.bias, tuple(pairs), FITTED.cases)
    tickets = [as_text(t) for t in month(11, 500)]
    alone, together = TicketIndex(weights=weights), TicketIndex(weights=weights)
    expected = []
    for ticket in tickets:
        expected.append(alone.candidates(ticket, limit=20, floor=floor))
        alone.add(ticket)
    found = [c for start in range(0, len(tickets), 250)
             for c in together.candidates_in_turn(tickets[start : start + 250], limit=20, floor=floor)]  # fmt: skip
    assert sum(1 for f in expected for c in f if "same_figures" in c.reasons) > 10
    assert found == expected
