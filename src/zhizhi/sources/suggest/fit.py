"""How well a record type fits a file's columns: each field's column, one to one, and the type's score."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from zhizhi.records import RecordType
from zhizhi.sources.suggest.assign import assign
from zhizhi.sources.suggest.evidence import ColumnProfile, HeaderMatch, confidence, header_match, normalise_header
from zhizhi.sources.suggest.roles import roles_disagree


@dataclass(frozen=True)
class TypeScore:
    """How well a record type fits the file (see the package docstring for the score)."""

    name: str
    label_zh: str
    score: float
    mapped: int
    required_mapped: int
    required: int


@dataclass
class Fit:
    """A record type's fit to the columns: each field's column (one to one), every pair's confidence and value
    pass rate, and every pair's header match."""

    kind: RecordType
    mapping: dict[str, str]
    scores: dict[tuple[str, str], tuple[float, float | None]]
    matches: dict[tuple[str, str], HeaderMatch]

    @property
    def score(self) -> TypeScore:
        total = sum(self.scores[(name, column)][0] for name, column in self.mapping.items())
        required = [f.name for f in self.kind.fields if f.required]
        covered = [name for name in required if name in self.mapping]
        bonus = sum(self.scores[(name, self.mapping[name])][0] for name in covered)
        return TypeScore(
            self.kind.name,
            self.kind.label_zh,
            total + bonus - (len(required) - len(covered)),
            len(self.mapping),
            len(covered),
            len(required),
        )


def fit_type(kind: RecordType, profiles: list[ColumnProfile], today: date) -> Fit:
    """Score every field of `kind` against every column and assign columns to fields one to one."""
    scores: dict[tuple[str, str], tuple[float, float | None]] = {}
    matches: dict[tuple[str, str], HeaderMatch] = {}
    before = [None, *(profile.name for profile in profiles[:-1])]  # each column's neighbour: 投诉人 | 电话
    for item in kind.fields:
        for profile, neighbour in zip(profiles, before, strict=True):
            match = header_match(profile.name, item, neighbour)
            matches[(item.name, profile.name)] = match
            score, rate = confidence(profile, match, item, today)
            if roles_disagree(normalise_header(profile.name), item):
                score = 0.0  # people of another role: 安全管理员 is never the legal representative
            scores[(item.name, profile.name)] = (score, rate)
    plain = {pair: value for pair, (value, _) in scores.items()}
    mapping = assign(plain, kind.field_names, [p.name for p in profiles])
    return Fit(kind, mapping, scores, matches)


def fit_types(kinds: Iterable[RecordType], profiles: list[ColumnProfile], today: date) -> list[Fit]:
    """Every record type's fit, the best first (ties: by name)."""
    fits = (fit_type(kind, profiles, today) for kind in kinds)
    return sorted(fits, key=lambda fit: (-fit.score.score, fit.kind.name))
