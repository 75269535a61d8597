"""The draw algorithm on populations built by hand: the same seed gives the same draw, proportions per class are
met, and every exclusion rule keeps its inspector or target out, shown."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import pytest

from zhizhi.inspections.algorithm import Candidate, Population, Target, draw, key, replacement

SEED = bytes(range(32))
RULES: dict[str, Any] = {
    "proportions": {"high": "50", "medium": "10", "low": "2.5"},
    "team_size": 2,
    "recent_rule": "exclude",
    "recent_weight": 50,
    "exclude_own_office": True,
    "max_per_inspector": None,
}
# Offices: 1 the bureau, 2 a county, 3 and 4 its grassroots offices, 5 another county.
PATHS = {1: "/1/", 2: "/1/2/", 3: "/1/2/3/", 4: "/1/2/4/", 5: "/1/5/"}


def population(targets: int = 400, inspectors: int = 12, **rules: Any) -> Population:
    header = {
        "draw": "T-1",
        "rules": {**RULES, **rules},
        "items": {"A": {"department": "X", "qualification": None}, "B": {"department": "Y", "qualification": "设备"}},
    }
    classes = ("high", "medium", "low", "low", "low")
    return Population(
        header,
        offices=dict(PATHS),
        inspectors=[
            Candidate(100 + i, (3, 4, 5)[i % 3], frozenset({"设备"} if i % 2 else set())) for i in range(inspectors)
        ],
        targets=[Target(t, classes[t % 5], (3, 4, None)[t % 3], ("A",), False) for t in range(1, targets + 1)],
    )


def test_the_key_is_hmac_sha256_of_the_label() -> None:
    expected = int.from_bytes(hmac.new(SEED, b"target:7", hashlib.sha256).digest(), "big")
    assert key(SEED, "target:7") == expected


def test_the_same_seed_and_population_give_the_same_draw_and_another_seed_another() -> None:
    first, again = draw(population(), SEED), draw(population(), SEED)
    assert first.text() == again.text() and first.digest() == again.digest()
    other = draw(population(), bytes(32))
    assert {p.target for p in other.selected} != {p.target for p in first.selected}


def test_each_class_gets_its_proportion_rounded_up_and_every_target_two_inspectors() -> None:
    result = draw(population(), SEED)
    # 400 targets: 80 high (50 % -> 40), 80 medium (10 % -> 8), 240 low (2.5 % -> 6).
    assert result.counts == {
        "high": {"eligible": 80, "drawn": 40},
        "medium": {"eligible": 80, "drawn": 8},
        "low": {"eligible": 240, "drawn": 6},
    }
    assert len(result.selected) == 54 and not result.unstaffed
    assert [p.rank for p in result.selected] == list(range(1, 55))
    assert all(len(p.team) == 2 and len(set(p.team)) == 2 for p in result.selected)
    # The selection is the smallest keys of each class.
    high = sorted(
        (t for t in population().targets if t.risk_class == "high"), key=lambda t: key(SEED, f"target:{t.id}")
    )
    assert {p.target for p in result.selected if p.risk_class == "high"} == {t.id for t in high[:40]}


def test_an_inspector_of_the_targets_own_office_or_above_it_is_passed_over_and_shown() -> None:
    pop = population(inspectors=30)
    result = draw(pop, SEED)
    offices = {c.id: c.office for c in pop.inspectors}
    targets = {t.id: t for t in pop.targets}
    skipped = [(p.target, u) for p in result.selected for u, rule in p.skipped if rule == "own_office"]
    assert skipped, "some drawn candidates were of the target's office"
    for target, inspector in skipped:
        assert offices[inspector] == targets[target].office
    for pick in result.selected:
        assert all(offices[u] != targets[pick.target].office for u in pick.team)
    # An inspector of the county above (office 2) is of the target's office's parent: not the target's own office.
    pop.inspectors.append(Candidate(999, 2, frozenset()))
    pop.offices[2] = "/1/2/"
    assert all(rule != "own_office" or u != 999 for p in draw(pop, SEED).selected for u, rule in p.skipped)
    # Off by the plan's word: no one is passed over for their office.
    loose = population(inspectors=30, exclude_own_office=False)
    assert not any(rule == "own_office" for p in draw(loose, SEED).selected for _, rule in p.skipped)


@pytest.mark.parametrize("rule", ["relation", "recent_inspector"])
def test_a_declared_relation_or_a_recent_visit_keeps_the_inspector_off_that_target_only(rule: str) -> None:
    pop = population(exclude_own_office=False)
    first = draw(pop, SEED).selected[0]
    excluded = first.team[0]
    pop.conflicts[(excluded, first.target)] = rule
    again = draw(pop, SEED)
    pick = next(p for p in again.selected if p.target == first.target)
    assert excluded not in pick.team and (excluded, rule) in pick.skipped
    assert pick.team[0] == first.team[1]  # the order is the same: the next one moves up
    others = [p for p in again.selected if p.target != first.target]
    assert others == [p for p in draw(population(exclude_own_office=False), SEED).selected if p.target != first.target]


def test_recently_inspected_targets_are_excluded_or_down_weighted_as_the_plan_says() -> None:
    pop = population()
    recent = {t.id for t in pop.targets if t.id % 4 == 0}
    pop.targets = [Target(t.id, t.risk_class, t.office, t.items, t.id in recent) for t in pop.targets]
    excluded = draw(pop, SEED)
    assert set(excluded.excluded_recent) == recent and not excluded.thinned
    assert not recent & {p.target for p in excluded.selected}
    high_recent = sum(1 for t in pop.targets if t.id in recent and t.risk_class == "high")
    assert excluded.counts["high"]["eligible"] == 80 - high_recent > 0
    rules = {**pop.header["rules"], "recent_rule": "downweight", "recent_weight": 30}
    weighted = draw(Population({**pop.header, "rules": rules}, pop.offices, pop.inspectors, pop.targets), SEED)
    kept = recent - set(weighted.thinned)
    assert set(weighted.thinned) <= recent and not weighted.excluded_recent
    assert kept == {t for t in recent if key(SEED, f"keep:{t}") % 100 < 30}
    assert 0.15 < len(kept) / len(recent) < 0.45  # about 30 % of the recent ones stay in the running


def test_qualifications_narrow_the_candidates_and_a_target_without_enough_is_unstaffed() -> None:
    pop = population(inspectors=4)  # inspectors 101 and 103 hold 设备
    pop.targets = [Target(t.id, t.risk_class, None, ("A", "B"), False) for t in pop.targets]
    result = draw(pop, SEED)
    assert all(set(p.team) == {101, 103} for p in result.selected)
    pop.conflicts[(101, result.selected[0].target)] = "relation"
    again = draw(pop, SEED)
    assert result.selected[0].target in again.unstaffed


def test_a_staffing_draw_selects_every_target_it_holds_and_staffs_them() -> None:
    """A staffing draw's snapshot holds only the firms an earlier draw left unstaffed: all are selected, whatever the
    plan's proportions and however recently inspected, and staffed as any draw staffs (two inspectors each)."""
    pop = population(targets=30, inspectors=6)
    pop.targets = [Target(t.id, t.risk_class, t.office, t.items, t.id % 2 == 0) for t in pop.targets]
    staffing = draw(Population({**pop.header, "staffs": "2026Q4-1"}, pop.offices, pop.inspectors, pop.targets), SEED)
    assert {p.target for p in staffing.selected} | set(staffing.unstaffed) == {t.id for t in pop.targets}
    assert not staffing.excluded_recent and not staffing.thinned and len(staffing.selected) > 20
    assert all(len(p.team) == 2 for p in staffing.selected)
    ordinary = draw(pop, SEED)
    assert len(ordinary.selected) < len(staffing.selected)  # the plan's proportions select fewer


def test_a_cap_per_inspector_spreads_the_visits() -> None:
    result = draw(population(inspectors=12, max_per_inspector=10), SEED)
    load: dict[int, int] = {}
    for pick in result.selected:
        for u in pick.team:
            load[u] = load.get(u, 0) + 1
    assert max(load.values()) <= 10 and any(rule == "cap" for p in result.selected for _, rule in p.skipped)


def test_a_replacement_is_the_next_candidate_in_the_targets_order() -> None:
    pop = population(exclude_own_office=False)
    pick = draw(pop, SEED).selected[0]
    nxt, _ = replacement(pop, SEED, pick.target, set(pick.team))
    assert nxt is not None and nxt not in pick.team
    bigger = population(exclude_own_office=False, team_size=3)
    third = next(p for p in draw(bigger, SEED).selected if p.target == pick.target)
    assert third.team == [*pick.team, nxt]
