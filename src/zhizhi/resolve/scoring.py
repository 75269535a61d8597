"""Candidate pairs scored by Splink on an embedded DuckDB, and the steward's reading of each score.

zhizhi computes the candidate pairs itself (blocking.py: near-linear, and restricted to new records when linking
a batch) and registers them with Splink as the blocked pairs to predict, so Splink only ever sees the records
those pairs touch. Each call uses its own in-memory DuckDB connection, closed afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import polars as pl
from splink import DuckDBAPI, Linker

from zhizhi.resolve.comparisons import COMPARED_COLUMNS, COMPARISONS
from zhizhi.resolve.model import Model

PAIR_SCHEMA = {"record_id_l": pl.Int64, "record_id_r": pl.Int64}
GAMMA_COLUMNS = tuple(f"gamma_{comparison.name}" for comparison in COMPARISONS)


def splink_predict(
    features: pl.DataFrame, pairs: pl.DataFrame, model: Model, *, threshold: float | None = None
) -> pl.DataFrame:
    """Splink's prediction for `pairs` (record_id_l < record_id_r): match_weight, match_probability, gammas.

    Pairs below `threshold` (a match probability) are left out. Rows come out sorted by the pair.
    """
    schema: dict[str, pl.DataType] = {
        "record_id_l": pl.Int64(),
        "record_id_r": pl.Int64(),
        "match_weight": pl.Float64(),
        "match_probability": pl.Float64(),
    }
    schema |= dict.fromkeys(GAMMA_COLUMNS, pl.Int32())
    empty = pl.DataFrame(schema=schema)
    if pairs.is_empty():
        return empty
    ids = pl.concat([pairs["record_id_l"], pairs["record_id_r"]]).unique().to_frame("record_id")
    records = features.join(ids, on="record_id", how="semi").select("record_id", *COMPARED_COLUMNS)
    blocked = pairs.select(
        pl.lit("0").alias("match_key"),
        pl.col("record_id_l").alias("join_key_l"),
        pl.col("record_id_r").alias("join_key_r"),
    )
    with _quiet_splink(), duckdb.connect() as connection:
        db_api = DuckDBAPI(connection)
        linker = Linker(db_api.register(records), model.splink_settings(), log_level=None)
        linker.table_management.register_blocked_pairs_for_predict(db_api.register(blocked))
        predicted = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
        result = pl.from_arrow(predicted.as_duckdbpyrelation().select(*schema).arrow())
    assert isinstance(result, pl.DataFrame)
    return result.cast(schema).sort("record_id_l", "record_id_r")  # type: ignore[arg-type]


def explain(scored: pl.DataFrame, model: Model) -> pl.Expr:
    """The `why` of scored pairs: a JSON object of each compared field's level and its weight in bits.

    Fields that one side lacks are left out. For example {"name": "字号与行业相同（+14.1）", "phone": ...}.
    """
    parts = []
    for comparison in COMPARISONS:
        texts = {
            comparison.gamma(level.key): _reading(
                comparison.name, level.label, model.weight(comparison.name, level.key)
            )
            for level in comparison.scored_levels()
        }
        gamma = pl.col(f"gamma_{comparison.name}")
        parts.append(gamma.replace_strict(texts, default=None, return_dtype=pl.String))
    return pl.concat_str([pl.lit("{"), pl.concat_str(parts, separator=",", ignore_nulls=True), pl.lit("}")])


def _reading(comparison: str, label: str, weight: float) -> str:
    """One field of `why`: "name":"字号与行业相同（+14.1）" (labels hold no quotes or backslashes)."""
    return f'"{comparison}":"{label}（{weight:+.1f}）"'


@contextmanager
def _quiet_splink() -> Iterator[None]:
    """Splink logs each step at INFO; a resolution run reports its own figures."""
    logger = logging.getLogger("splink")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)
