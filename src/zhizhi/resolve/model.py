"""The trained parameters of the linkage model: per comparison level an m and a u probability, and the prior.

Training is counting, so it is deterministic and needs no labelled data from people:
- m (how often true matches fall in a level) from pairs of records sharing a valid credit code, the free labels
  every register has; a weak prior (`Level.prior_m`, worth `M_PRIOR_PAIRS` pairs) keeps small data sets sane;
- u (how often unrelated records fall in a level) from random pairs, drawn with a fixed seed over the records
  in record_id order (so the input's row order does not matter), with half a pair added to every level;
- fixed m for the credit-code levels (pairs sharing a code cannot teach them) and near-zero m for the
  cannot-link levels; a fixed u for the registered name (area included), which two firms never share; fixed odds
  for the name core's one holder (u follows the prior, so the level alone says the same in a register of any size),
  whose matches count toward the m of the level they refine (the same name core) as well;
- the prior (probability that two random records match) from the share of coded record pairs sharing a code.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import polars as pl

from zhizhi.resolve.comparisons import COMPARISONS, Comparison, Level

MODEL_VERSION = 1
M_PRIOR_PAIRS = 10.0
U_PSEUDO_PAIRS = 0.5
RANDOM_PAIRS = 1_000_000
LABELLED_PAIRS = 300_000
LABEL_GROUP_RECORDS = 10
SEED = 20261128


@dataclass(frozen=True)
class Model:
    """The prior and the (m, u) of every scored level, keyed by comparison name and level key."""

    probability_two_random_records_match: float
    parameters: dict[str, dict[str, tuple[float, float]]]
    trained_on: dict[str, int] = field(default_factory=dict)

    def m_u(self, comparison: str, level: str) -> tuple[float, float]:
        """The m and u probabilities of one level."""
        return self.parameters[comparison][level]

    def weight(self, comparison: str, level: str) -> float:
        """The match weight (bits) a pair gets from one level: log2(m / u)."""
        m, u = self.m_u(comparison, level)
        return math.log2(m / u)

    def splink_settings(self) -> dict[str, object]:
        """Splink settings for dedupe on `record_id` with this model's parameters (gamma columns kept)."""
        return {
            "link_type": "dedupe_only",
            "unique_id_column_name": "record_id",
            "probability_two_random_records_match": self.probability_two_random_records_match,
            "retain_matching_columns": True,
            "retain_intermediate_calculation_columns": False,
            "comparisons": [self._splink_comparison(comparison) for comparison in COMPARISONS],
        }

    def to_json(self) -> str:
        """The model as JSON text (what the register stores)."""
        document = {
            "version": MODEL_VERSION,
            "probability_two_random_records_match": self.probability_two_random_records_match,
            "parameters": {c: {k: {"m": m, "u": u} for k, (m, u) in levels.items()}
                           for c, levels in self.parameters.items()},
            "trained_on": self.trained_on,
        }  # fmt: skip
        return json.dumps(document, ensure_ascii=False, sort_keys=True, indent=1)

    @classmethod
    def train(cls, features: pl.DataFrame) -> Model:
        """Train on `prepare`d features (see `zhizhi.resolve.training.train`)."""
        from zhizhi.resolve.training import train

        return train(features)

    @classmethod
    def from_json(cls, text: str) -> Model:
        """Read a model written by `to_json`; a comparison level it does not know gets its prior, and a level's fixed
        m or u (not learned) is the level's as defined now, whatever the model was trained with."""
        document = json.loads(text)
        if document.get("version") != MODEL_VERSION:
            raise ValueError(f"Model version `{document.get('version')}` is not {MODEL_VERSION}: train it again.")
        defaults = prior_model(document["probability_two_random_records_match"]).parameters
        stored = document["parameters"]
        parameters = {
            c.name: {
                lv.key: _as_defined(lv, stored[c.name][lv.key]) if lv.key in stored.get(c.name, {}) else mu
                for lv, mu in zip(c.scored_levels(), defaults[c.name].values(), strict=True)
            }
            for c in COMPARISONS
        }
        return cls(document["probability_two_random_records_match"], parameters, dict(document.get("trained_on", {})))

    def _splink_comparison(self, comparison: Comparison) -> dict[str, object]:
        levels: list[dict[str, object]] = []
        for level in comparison.levels:
            spec: dict[str, object] = {"sql_condition": level.sql, "label_for_charts": level.label}
            if level.null:
                spec["is_null_level"] = True
            else:
                m, u = self.m_u(comparison.name, level.key)
                spec.update(m_probability=m, u_probability=u)
            levels.append(spec)
        return {"output_column_name": comparison.name, "comparison_description": comparison.description,
                "comparison_levels": levels}  # fmt: skip


def probe_settings() -> dict[str, object]:
    """Splink settings whose per-comparison match weight is the level's gamma plus one (null levels: 0)."""
    comparisons = []
    for comparison in COMPARISONS:
        levels: list[dict[str, object]] = []
        for level in comparison.levels:
            spec: dict[str, object] = {"sql_condition": level.sql, "label_for_charts": level.label}
            if level.null:
                spec["is_null_level"] = True
            else:
                spec.update(m_probability=1.0, u_probability=2.0 ** -(comparison.gamma(level.key) + 1))
            levels.append(spec)
        comparisons.append({"output_column_name": comparison.name, "comparison_levels": levels})
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "record_id",
        "probability_two_random_records_match": 0.5,
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": True,
        "comparisons": comparisons,
    }


def prior_model(probability_two_random_records_match: float) -> Model:
    """A model from the levels' priors alone (what training starts from)."""
    prior = probability_two_random_records_match
    parameters = {comparison.name: {level.key: _prior_m_u(level, prior) for level in comparison.scored_levels()}
                  for comparison in COMPARISONS}  # fmt: skip
    return Model(prior, parameters)


def odds_u(prior: float, m: float, odds: float) -> float:
    """The u that gives a level of probability `m` among matches the odds `odds` of a match on its own evidence,
    with `prior` the probability that two random records match: prior / (1 - prior) * m / u = odds."""
    return prior / (1.0 - prior) * m / odds


def _as_defined(level: Level, stored: dict[str, float]) -> tuple[float, float]:
    """A stored level's m and u, each as the level fixes it when it does (a fixed-odds level's u follows its learned
    m, as stored)."""
    if level.fixed_odds is not None:
        return stored["m"], stored["u"]
    return _fixed_or(level.fixed_m, stored["m"]), _fixed_or(level.fixed_u, stored["u"])


def _prior_m_u(level: Level, prior: float) -> tuple[float, float]:
    m = _fixed_or(level.fixed_m, level.prior_m)
    if level.fixed_odds is not None:
        return m, odds_u(prior, m, level.fixed_odds)
    return m, _fixed_or(level.fixed_u, level.prior_u or 1e-6)


def estimate(labelled: pl.DataFrame, random: pl.DataFrame, prior: float, trained_on: dict[str, int]) -> Model:
    """A model from the gamma columns of labelled (matching) and random pairs."""
    parameters: dict[str, dict[str, tuple[float, float]]] = {}
    for comparison in COMPARISONS:
        column = f"gamma_{comparison.name}"
        m_counts = _counts(labelled, column)
        u_counts = _counts(random, column)
        scored = comparison.scored_levels()
        learned = [level for level in scored if level.fixed_m is None]
        m_total = sum(m_counts.get(comparison.gamma(lv.key), 0) + M_PRIOR_PAIRS * lv.prior_m for lv in learned)
        u_total = sum(u_counts.values()) + U_PSEUDO_PAIRS * len(scored)
        levels: dict[str, tuple[float, float]] = {}
        refined = 0  # matches in fixed-odds levels not yet given to the level they refine
        for level in scored:
            gamma = comparison.gamma(level.key)
            if level.fixed_m is not None:
                m = level.fixed_m
            else:
                m = (m_counts.get(gamma, 0) + M_PRIOR_PAIRS * level.prior_m) / m_total
            if level.fixed_odds is not None:
                refined += m_counts.get(gamma, 0)
            elif refined and level.fixed_m is None:
                # A fixed-odds level refines the level after it (the name core's one holder refines the same name
                # core) and takes, among the pairs sharing a code that training counts, most of its matches: pairs
                # of two coded records, whose core is mostly one holder's. Scored pairs without such a record (two
                # rows without codes) or whose core several codes hold fall in that level too, and are matches as
                # often as any pair with the same core: its m is counted over the matches of both.
                m = (m_counts.get(gamma, 0) + refined + M_PRIOR_PAIRS * level.prior_m) / m_total
                refined = 0
            u = (u_counts.get(gamma, 0) + U_PSEUDO_PAIRS) / u_total if level.fixed_u is None else level.fixed_u
            if level.fixed_odds is not None:
                u = odds_u(prior, m, level.fixed_odds)
            levels[level.key] = (max(m, 1e-30), u)
        parameters[comparison.name] = levels
    return Model(prior, parameters, trained_on)


def _counts(pairs: pl.DataFrame, column: str) -> dict[int, int]:
    if pairs.is_empty():
        return {}
    counts = pairs.group_by(column).len().filter(pl.col(column) >= 0)
    return {int(gamma): int(n) for gamma, n in counts.iter_rows()}


def _fixed_or(fixed: float | None, prior: float) -> float:
    return prior if fixed is None else fixed
