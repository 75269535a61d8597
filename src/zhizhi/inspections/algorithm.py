"""The draw itself: which targets a seed selects from a frozen population, and which inspectors go to each. Pure
(no database, no clock, no Python `random`), so that anyone holding the snapshot file and the revealed seed gets the
same answer with nothing but the standard library (`zhizhi inspections verify-draw --package DIR`).

The algorithm, version `zhizhi-draw/1`. `H(label)` is HMAC-SHA256 keyed with the 32-byte seed over the UTF-8 label,
read as a 256-bit big-endian integer.

1. Recently inspected targets (`recent` in the snapshot): under `exclude` they are left out; under `downweight` each
   stays only when `H("keep:<id>") mod 100 < recent_weight` (a recently inspected target is drawn `recent_weight` %
   as often as another).
2. Per risk class with a proportion `p` (a percentage, exact decimal): of the `E` targets left, the
   `ceil(E * p / 100)` with the smallest `(H("target:<id>"), id)` are selected.
3. All selected targets, ordered by that same key, are ranked 1, 2, ... and staffed in rank order.
4. A target's candidates are the available inspectors holding every qualification its items require, by user id;
   they are visited in a random order without repetition: a Fisher-Yates shuffle of the candidate list whose j-th
   swap takes position `j + H("team:<id>:<j>") mod (n - j)`. A candidate in conflict is passed over and the
   exclusion kept: `own_office` (the target's office is the inspector's office or above it, when the plan says so),
   `relation` (a declared relation), `recent_inspector` (on a visit to this target within the plan's months);
   `cap` when the plan caps visits per inspector and the candidate has reached it. The first `team_size` not
   passed over form the team; a target that cannot get them is `unstaffed` (listed, not visited).

A staffing draw (the snapshot's header names, under `staffs`, an earlier draw whose targets it holds: those that draw
left unstaffed, as they are on the staffing draw's day) selects every target of its snapshot (steps 1 and 2 select
all, none left out as recent) and staffs them by steps 3 and 4 with the inspectors of its own day.

The reduction modulo `n` is biased by less than `n / 2**256`: nothing a draw can show.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Any

ALGORITHM = "zhizhi-draw/1"
RESULT_FORMAT = "zhizhi-draw-result/1"
CLASSES = ("high", "medium", "low")


def key(seed: bytes, label: str) -> int:
    """H(label): HMAC-SHA256(seed, label) as a big-endian integer."""
    return int.from_bytes(hmac.digest(seed, label.encode("utf-8"), "sha256"), "big")


def canonical(value: Any) -> str:
    """The one JSON text of a value: keys sorted, no spaces, non-ASCII as is (the ledger's form)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class Rules:
    """What the draw needs of a plan's rules."""

    proportions: dict[str, Fraction]
    team_size: int
    recent_rule: str
    recent_weight: int
    exclude_own_office: bool
    max_per_inspector: int | None

    @classmethod
    def of(cls, rules: dict[str, Any]) -> Rules:
        """From a plan's rules as committed (proportions as decimal text)."""
        return cls(
            proportions={c: Fraction(str(p)) for c, p in rules["proportions"].items()},
            team_size=int(rules["team_size"]),
            recent_rule=str(rules["recent_rule"]),
            recent_weight=int(rules["recent_weight"]),
            exclude_own_office=bool(rules["exclude_own_office"]),
            max_per_inspector=rules.get("max_per_inspector"),
        )


@dataclass(frozen=True, slots=True)
class Target:
    id: int
    risk_class: str
    office: int | None
    items: tuple[str, ...]
    recent: bool


@dataclass(frozen=True, slots=True)
class Candidate:
    id: int
    office: int | None
    qualifications: frozenset[str]


@dataclass
class Population:
    """A frozen population: the header (draw, plan, rules, items), offices' paths, inspectors, targets, conflicts."""

    header: dict[str, Any]
    offices: dict[int, str] = field(default_factory=dict)
    inspectors: list[Candidate] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    conflicts: dict[tuple[int, int], str] = field(default_factory=dict)  # (inspector, target) -> rule

    @cached_property
    def rules(self) -> Rules:
        return Rules.of(self.header["rules"])

    @cached_property
    def inspector_offices(self) -> dict[int, int | None]:
        return {c.id: c.office for c in self.inspectors}

    def required(self, target: Target) -> frozenset[str]:
        """The qualifications a target's items require."""
        known = self._required.get(target.items)
        if known is None:
            items = self.header["items"]
            known = frozenset(q for code in target.items if (q := items[code].get("qualification")))
            self._required[target.items] = known
        return known

    @cached_property
    def _required(self) -> dict[tuple[str, ...], frozenset[str]]:
        return {}


@dataclass
class Pick:
    """One selected target: its rank, class, team and the candidates passed over (user id, rule)."""

    rank: int
    target: int
    risk_class: str
    team: list[int]
    skipped: list[tuple[int, str]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "target": self.target,
            "class": self.risk_class,
            "team": self.team,
            "skipped": [list(s) for s in self.skipped],
        }


@dataclass
class Result:
    """What a draw selected, and what it left out and why."""

    draw: str
    selected: list[Pick]
    counts: dict[str, dict[str, int]]
    excluded_recent: list[int]
    thinned: list[int]
    unstaffed: list[int]

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": RESULT_FORMAT,
            "algorithm": ALGORITHM,
            "draw": self.draw,
            "counts": self.counts,
            "selected": [p.as_dict() for p in self.selected],
            "excluded_recent": self.excluded_recent,
            "thinned": self.thinned,
            "unstaffed": self.unstaffed,
        }

    def text(self) -> str:
        return canonical(self.as_dict()) + "\n"

    def digest(self) -> str:
        """SHA-256 of the result's canonical JSON: what the ledger records at the reveal."""
        return hashlib.sha256(self.text().encode("utf-8")).hexdigest()


class Shuffle:
    """The candidates of one target in the seed's order (a lazy Fisher-Yates), each with why it is passed over."""

    def __init__(self, population: Population, seed: bytes, target: Target, pool: list[int]) -> None:
        self.population, self.seed, self.target, self.pool = population, seed, target, pool
        self.offices = population.inspector_offices
        self.own_office = population.rules.exclude_own_office

    def conflict(self, inspector: int) -> str | None:
        """The conflict of interest that keeps `inspector` off this target, or None."""
        found = self.population.conflicts.get((inspector, self.target.id))
        if found:
            return found
        office, target_office = self.offices.get(inspector), self.target.office
        if self.own_office and office is not None and target_office is not None:
            paths = self.population.offices
            if paths.get(office, "").startswith(paths.get(target_office, "\0")):
                return "own_office"
        return None

    def __iter__(self) -> Iterator[tuple[int, str | None]]:
        n = len(self.pool)
        swaps: dict[int, int] = {}
        for j in range(n):
            r = j + key(self.seed, f"team:{self.target.id}:{j}") % (n - j)
            picked = swaps.get(r, r)
            swaps[r] = swaps.get(j, j)
            inspector = self.pool[picked]
            yield inspector, self.conflict(inspector)


def pools(population: Population) -> dict[frozenset[str], list[int]]:
    """Per set of required qualifications, the inspectors holding all of them, by user id."""
    needed = {population.required(t) for t in population.targets}
    ordered = sorted(population.inspectors, key=lambda c: c.id)
    return {q: [c.id for c in ordered if q <= c.qualifications] for q in needed}


def draw(population: Population, seed: bytes) -> Result:
    """Select and staff the targets of `population` with `seed` (see the module's description)."""
    rules = population.rules
    staffing = bool(population.header.get("staffs"))  # every target: those an earlier draw left unstaffed
    eligible: dict[str, list[Target]] = {c: [] for c in CLASSES}
    excluded, thinned = [], []
    for target in sorted(population.targets, key=lambda t: t.id):
        if staffing:
            eligible.setdefault(target.risk_class, []).append(target)
        elif target.recent and rules.recent_rule == "exclude":
            excluded.append(target.id)
        elif target.recent and key(seed, f"keep:{target.id}") % 100 >= rules.recent_weight:
            thinned.append(target.id)
        else:
            eligible.setdefault(target.risk_class, []).append(target)
    chosen: list[tuple[int, Target]] = []
    counts: dict[str, dict[str, int]] = {}
    for risk_class in CLASSES:
        share = Fraction(100) if staffing else rules.proportions.get(risk_class, Fraction(0))
        members = eligible.get(risk_class, [])
        wanted = -(-(len(members) * share) // 100)  # the ceiling, exactly
        keyed = heapq.nsmallest(int(wanted), ((key(seed, f"target:{t.id}"), t.id, t) for t in members))
        chosen.extend((k, t) for k, _, t in keyed)
        counts[risk_class] = {"eligible": len(members), "drawn": int(wanted)}
    chosen.sort(key=lambda kt: (kt[0], kt[1].id))
    staffed, unstaffed = _staff(population, seed, [t for _, t in chosen], rules)
    return Result(population.header["draw"], staffed, counts, excluded, thinned, unstaffed)


def _staff(population: Population, seed: bytes, targets: list[Target], rules: Rules) -> tuple[list[Pick], list[int]]:
    by_qualification = pools(population)
    load: Counter[int] = Counter()
    picks, unstaffed = [], []
    for rank, target in enumerate(targets, start=1):
        team: list[int] = []
        skipped: list[tuple[int, str]] = []
        for inspector, conflict in Shuffle(population, seed, target, by_qualification[population.required(target)]):
            if conflict is None and rules.max_per_inspector and load[inspector] >= rules.max_per_inspector:
                conflict = "cap"
            if conflict:
                skipped.append((inspector, conflict))
                continue
            team.append(inspector)
            if len(team) == rules.team_size:
                break
        if len(team) < rules.team_size:
            unstaffed.append(target.id)
            continue
        load.update(team)
        picks.append(Pick(rank, target.id, target.risk_class, team, skipped))
    return picks, unstaffed


def replacement(
    population: Population,
    seed: bytes,
    target_id: int,
    used: set[int],
    unavailable: Callable[[int], str | None] = lambda _: None,
) -> tuple[int | None, list[tuple[int, str]]]:
    """The next inspector of a target's order not in `used` (the team and those replaced), not in conflict and not
    `unavailable` now: the drawn replacement when a team member cannot go. Returns it (None when nobody is left)
    and those passed over, with why."""
    target = next((t for t in population.targets if t.id == target_id), None)
    if target is None:
        return None, []
    pool = pools(population)[population.required(target)]
    skipped: list[tuple[int, str]] = []
    for inspector, conflict in Shuffle(population, seed, target, pool):
        if inspector in used:
            continue
        why = conflict or unavailable(inspector)
        if why:
            skipped.append((inspector, why))
            continue
        return inspector, skipped
    return None, skipped
