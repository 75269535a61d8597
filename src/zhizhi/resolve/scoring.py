"""Candidate pairs scored by Splink on an embedded DuckDB, and the steward's reading of each score.

zhizhi computes the candidate pairs itself (blocking.py: near-linear, and restricted to new records when linking
a batch) and registers them with Splink as the blocked pairs to predict, so Splink only ever sees the records
those pairs touch. Each call uses its own in-memory DuckDB connection, closed afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import polars as pl

from zhizhi.resolve.comparisons import COMPARED_COLUMNS, COMPARISONS
from zhizhi.resolve.features import compared_records
from zhizhi.resolve.model import Model, probe_settings

PAIR_SCHEMA = {"record_id_l": pl.Int64, "record_id_r": pl.Int64}
GAMMA_COLUMNS = tuple(f"gamma_{comparison.name}" for comparison in COMPARISONS)
# insertion order is not needed (results are sorted afterwards) and keeping it costs memory
DUCKDB_CONFIG: dict[str, str | bool | int | float | list[str]] = {"preserve_insertion_order": False}
PREDICT_CHUNK = 1_000_000


def splink_predict(
    features: pl.DataFrame, pairs: pl.DataFrame, model: Model, *, threshold: float | None = None
) -> pl.DataFrame:
    """Splink's prediction for `pairs` (record_id_l < record_id_r): match_weight, match_probability, gammas.

    Pairs below `threshold` (a match probability) are left out. Rows come out sorted by the pair.
    """
    schema: dict[str, pl.DataType] = {"record_id_l": pl.Int64(), "record_id_r": pl.Int64()}
    schema |= {"match_weight": pl.Float64(), "match_probability": pl.Float64()}
    schema |= dict.fromkeys(GAMMA_COLUMNS, pl.Int32())
    if pairs.is_empty():
        return pl.DataFrame(schema=schema)
    result = _predict(features, pairs, model.splink_settings(), threshold, list(schema))
    return result.cast(schema).sort("record_id_l", "record_id_r")  # type: ignore[arg-type]


def splink_gammas(features: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """The comparison level (gamma) of every pair in every comparison, as Splink computes it.

    Splink returns gammas only with every compared column of both records; instead, a probe model whose level
    weights are the gammas plus one is run, and its per-comparison weights (floats) read back as gammas.
    """
    columns = [f"mw_{comparison.name}" for comparison in COMPARISONS]
    if pairs.is_empty():
        return pl.DataFrame(
            schema={"record_id_l": pl.Int64, "record_id_r": pl.Int64} | dict.fromkeys(GAMMA_COLUMNS, pl.Int32)
        )
    weights = _predict(features, pairs, probe_settings(), None, ["record_id_l", "record_id_r", *columns])
    return weights.select(
        "record_id_l",
        "record_id_r",
        *((pl.col(f"mw_{c.name}").round() - 1).cast(pl.Int32).alias(f"gamma_{c.name}") for c in COMPARISONS),
    )


def _predict(
    features: pl.DataFrame,
    pairs: pl.DataFrame,
    settings: dict[str, object],
    threshold: float | None,
    columns: list[str],
) -> pl.DataFrame:
    """Run Splink's predict over exactly `pairs` on a fresh in-memory DuckDB and fetch `columns`.

    Large pair sets go in chunks of `PREDICT_CHUNK` pairs, each with only the records it touches, which keeps
    DuckDB's working memory flat as the register grows.
    """
    if pairs.height > PREDICT_CHUNK:
        chunks = range(0, pairs.height, PREDICT_CHUNK)
        return pl.concat(
            [_predict(features, pairs.slice(start, PREDICT_CHUNK), settings, threshold, columns) for start in chunks]
        )
    ids = pl.concat([pairs["record_id_l"], pairs["record_id_r"]]).unique().to_frame("record_id")
    records = compared_records(features, ids).select("record_id", *COMPARED_COLUMNS)
    blocked = pairs.select(
        pl.lit("0").alias("match_key"),
        pl.col("record_id_l").alias("join_key_l"),
        pl.col("record_id_r").alias("join_key_r"),
    )
    import duckdb  # Splink and DuckDB load when a run scores, not with every command
    from splink import DuckDBAPI, Linker

    with quiet_splink(), duckdb.connect(config=DUCKDB_CONFIG) as connection:
        db_api = DuckDBAPI(connection)
        linker = Linker(db_api.register(records), settings, log_level=None)
        linker.table_management.register_blocked_pairs_for_predict(db_api.register(blocked))
        predicted = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
        result = predicted.as_duckdbpyrelation().select(*columns).pl()  # empty when no pair reaches the threshold
    assert isinstance(result, pl.DataFrame)
    return result


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
def quiet_splink(level: int = logging.WARNING) -> Iterator[None]:
    """Splink's log below `level` silenced: it logs each step at INFO, and a resolution run reports its own
    figures."""
    logger = logging.getLogger("splink")
    before = logger.level
    logger.setLevel(level)
    try:
        yield
    finally:
        logger.setLevel(before)
