"""The resolution engine: subjects in, scored pairs and clusters out; frames only, no database.

    features = prepare(subjects)                 # row-local: keep it, and prepare only new batches later
    model = train(features)                      # or Model.from_json(stored)
    pairs = score_pairs(features, model=model)   # deterministic links + Splink-scored candidate pairs
    clusters = cluster(features["record_id"], pairs, uscc=features.select("record_id", "uscc"))

Incremental: `score_pairs(features_of_all, new_ids=new)` scores only pairs touching a new record; cluster over
the stored pairs plus these.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from zhizhi.resolve.blocking import PAIR_SCHEMA, candidate_pairs, deterministic_pairs
from zhizhi.resolve.cluster import cluster_records
from zhizhi.resolve.features import prepare
from zhizhi.resolve.model import Model
from zhizhi.resolve.scoring import explain, splink_predict
from zhizhi.resolve.training import train

__all__ = ["Model", "Thresholds", "cluster", "prepare", "score_pairs", "train"]

SCORED_SCHEMA = {
    **PAIR_SCHEMA,
    "how": pl.String,
    "probability": pl.Float64,
    "weight": pl.Float64,
    "why": pl.String,
}
Predict = Callable[..., pl.DataFrame]  # (features, pairs, model, *, threshold) -> scored pairs (see scoring.py)
WHY_CODE = {"uscc": '{"credit_code":"统一社会信用代码相同"}', "reg_no": '{"reg_no":"注册号相同"}'}


@dataclass(frozen=True)
class Thresholds:
    """Match probabilities: at or above `match` a pair is linked; from `review` up to `match` a steward decides."""

    match: float = 0.99
    review: float = 0.80


def score_pairs(
    features: pl.DataFrame,
    *,
    new_ids: pl.Series | None = None,
    thresholds: Thresholds = Thresholds(),
    model: Model | None = None,
    predict: Predict = splink_predict,
) -> pl.DataFrame:
    """Deterministic links and model-scored candidate pairs with probability >= `thresholds.review`.

    Columns: record_id_l < record_id_r, how (uscc | reg_no | model), probability, weight (Splink match weight;
    null for deterministic links), why (JSON: each compared field's level and weight). With `new_ids`, only pairs
    with at least one new record; a model is trained on `features` when none is given.
    """
    if model is None:
        model = train(features)
    fixed = deterministic_pairs(features, new_ids)
    candidates = candidate_pairs(features, new_ids)
    scored = predict(features, candidates, model, threshold=thresholds.review)
    by_model = scored.select(
        *PAIR_SCHEMA,
        pl.lit("model").alias("how"),
        pl.col("match_probability").alias("probability"),
        pl.col("match_weight").alias("weight"),
        explain(scored, model).alias("why"),
    )
    by_code = fixed.select(
        *PAIR_SCHEMA,
        "how",
        pl.lit(1.0).alias("probability"),
        pl.lit(None, pl.Float64).alias("weight"),
        pl.col("how").replace_strict(WHY_CODE, return_dtype=pl.String).alias("why"),
    )
    return pl.concat([by_code, by_model]).cast(SCORED_SCHEMA).sort(list(PAIR_SCHEMA))  # type: ignore[arg-type]


def cluster(
    record_ids: pl.Series,
    edges: pl.DataFrame,
    *,
    uscc: pl.DataFrame,
    must_link: pl.DataFrame | None = None,
    cannot_link: pl.DataFrame | None = None,
    thresholds: Thresholds = Thresholds(),
) -> pl.DataFrame:
    """(record_id, cluster): components over edges >= `thresholds.match` and must-links, split by credit codes.

    `edges` needs record_id_l, record_id_r and probability (weight breaks ties when present); `uscc` is
    (record_id, uscc); `must_link` / `cannot_link` are (record_id_l, record_id_r). cluster is the smallest
    record_id of the cluster. See cluster.py for how codes and cannot-links split a component.
    """
    return cluster_records(
        record_ids, edges, uscc=uscc, match=thresholds.match, must_link=must_link, cannot_link=cannot_link
    )
