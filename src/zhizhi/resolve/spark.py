"""Scoring on Splink's Spark backend: `engine.score_pairs` with the Splink prediction run by Spark, for a register
too large for one machine's DuckDB.

Only the prediction moves. The deterministic links and the candidate pairs are computed on the zhizhi host by the
same code as for DuckDB (blocking.py), and Splink gets `Model.splink_settings()` unchanged with exactly those pairs
registered as its blocked pairs, as scoring.py does. The records the pairs touch and the pairs themselves go to
Spark as Parquet files in a staging directory; Splink's predictions come back the same way and are read into the
frame `score_pairs` returns. Clustering and writing the register stay on the zhizhi host.

    spark = local_session()                  # or a session on a cluster with `spark_config()` applied
    scored = score_pairs_on_spark(features, spark, model=model, staging="/srv/zhizhi-staging")

The staging directory must be visible at the same path to this process and to every Spark executor: any local
directory in local mode, a shared mount on a cluster. Each call works in its own subdirectory and removes it.

The comparisons (comparisons.py) call three functions that are not standard SQL:
- `starts_with`: Splink's SQL transpiler writes it as Spark's built-in `startswith`;
- `damerau_levenshtein` and `jaccard`: Spark has neither. They come from the Java UDF jar bundled with Splink
  (`splink.backends.spark.similarity_jar_location()`), which Splink registers under those names when the jar is on
  the session's `spark.jars`. `local_session` puts it there; for a cluster, `spark_config()` gives the setting.
  They agree with DuckDB's for every character of the Basic Multilingual Plane (all of GBK and CJK Extension A).
  Beyond it (CJK Extension B and later, e.g. 𠮷) they count UTF-16 units where DuckDB counts characters, so a pair
  of names differing in such a character can fall into another level than on DuckDB (a substitution costs 2).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import uuid
from pathlib import Path

import polars as pl

from zhizhi.resolve.comparisons import COMPARED_COLUMNS
from zhizhi.resolve.engine import Thresholds, score_pairs
from zhizhi.resolve.features import compared_records
from zhizhi.resolve.model import Model
from zhizhi.resolve.scoring import GAMMA_COLUMNS, quiet_splink

try:
    from pyspark.sql import SparkSession  # type: ignore[import-not-found, unused-ignore]
    from splink import Linker
    from splink.backends.spark import SparkAPI, similarity_jar_location
except ImportError as error:  # pragma: no cover - depends on the installation
    raise ImportError("Scoring on Spark needs pyspark and Java 17: pip install -e '.[spark]'") from error

__all__ = ["local_session", "score_pairs_on_spark", "spark_config", "spark_predict"]

# the functions of the comparisons' SQL that only Splink's similarity jar gives Spark
JAR_FUNCTIONS = ("damerau_levenshtein", "jaccard")
PREDICTED_SCHEMA: dict[str, pl.DataType] = {
    "record_id_l": pl.Int64(),
    "record_id_r": pl.Int64(),
    "match_weight": pl.Float64(),
    "match_probability": pl.Float64(),
}
PREDICTED_SCHEMA |= dict.fromkeys(GAMMA_COLUMNS, pl.Int32())
DEFAULT_THRESHOLDS = Thresholds()


def spark_config(*, shuffle_partitions: int = 200) -> dict[str, str]:
    """The Spark settings scoring needs (the similarity jar) and a partition count; for a builder or spark-submit.

    `shuffle_partitions`: about two to three times the executors' cores in all; Splink repartitions its pair
    tables into half as many.
    """
    return {
        "spark.jars": similarity_jar_location(),
        "spark.sql.shuffle.partitions": str(shuffle_partitions),
        "spark.ui.showConsoleProgress": "false",
    }


def local_session(*, cores: int = 2, memory: str = "2g") -> SparkSession:
    """A Spark session in local mode on this machine (`cores` threads, driver heap `memory`), with the jar.

    If a session is already running in this process, Spark returns it unchanged: its jar settings cannot change.
    """
    builder = SparkSession.builder.master(f"local[{cores}]").appName("zhizhi-resolve")
    for key, value in (spark_config(shuffle_partitions=2 * cores) | {"spark.driver.memory": memory}).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def score_pairs_on_spark(
    features: pl.DataFrame,
    spark: SparkSession,
    *,
    new_ids: pl.Series | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    model: Model | None = None,
    staging: str | os.PathLike[str] | None = None,
) -> pl.DataFrame:
    """What `engine.score_pairs` returns for the same arguments, with the model's scoring done by `spark`.

    Columns: record_id_l, record_id_r, how, probability, weight, why (see `engine.score_pairs`). Without a model
    one is trained on `features` on this machine (DuckDB, on a bounded sample of pairs).
    """

    def predict(features: pl.DataFrame, pairs: pl.DataFrame, model: Model, *, threshold: float) -> pl.DataFrame:
        return spark_predict(features, pairs, model, spark, threshold=threshold, staging=staging)

    return score_pairs(features, new_ids=new_ids, thresholds=thresholds, model=model, predict=predict)


def spark_predict(
    features: pl.DataFrame,
    pairs: pl.DataFrame,
    model: Model,
    spark: SparkSession,
    *,
    threshold: float | None = None,
    staging: str | os.PathLike[str] | None = None,
) -> pl.DataFrame:
    """`scoring.splink_predict` on Spark: match_weight, match_probability and gammas of `pairs`, sorted by pair.

    Pairs below `threshold` (a match probability) are left out.
    """
    if pairs.is_empty():
        return pl.DataFrame(schema=PREDICTED_SCHEMA)
    if staging is not None:
        Path(staging).mkdir(parents=True, exist_ok=True)
    run = Path(tempfile.mkdtemp(prefix="zhizhi-spark-", dir=staging))
    token = uuid.uuid4().hex[:12]
    views = _temporary_views(spark)
    try:
        _records(features, pairs).write_parquet(run / "records.parquet")
        blocked = pairs.select(
            pl.lit("0").alias("match_key"),
            pl.col("record_id_l").alias("join_key_l"),
            pl.col("record_id_r").alias("join_key_r"),
        )
        blocked.write_parquet(run / "pairs.parquet")
        with quiet_splink(logging.ERROR):  # it also warns about the jar before `_require_jar_functions` can say more
            db_api = SparkAPI(spark_session=spark, break_lineage_method="persist")  # type: ignore[no-untyped-call]
            _require_jar_functions(spark)
            records = spark.read.parquet((run / "records.parquet").as_uri())
            linker = Linker(
                db_api.register(records, table_name=f"zhizhi_records_{token}"), model.splink_settings(), log_level=None
            )
            candidates = spark.read.parquet((run / "pairs.parquet").as_uri())
            linker.table_management.register_blocked_pairs_for_predict(
                db_api.register(candidates, table_name=f"zhizhi_pairs_{token}")
            )
            predicted = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
            predicted.as_spark_dataframe().select(*PREDICTED_SCHEMA).write.parquet((run / "predicted").as_uri())
        parts = sorted((run / "predicted").glob("*.parquet"))
        result = pl.read_parquet(parts) if parts else pl.DataFrame(schema=PREDICTED_SCHEMA)
    finally:
        for view in _temporary_views(spark) - views:
            spark.catalog.dropTempView(view)  # uncaches what Splink persisted under it
        shutil.rmtree(run, ignore_errors=True)
    return result.cast(PREDICTED_SCHEMA).sort("record_id_l", "record_id_r")  # type: ignore[arg-type]


def _records(features: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """The records `pairs` touch, with the columns the comparisons read (as scoring.py gives DuckDB)."""
    ids = pl.concat([pairs["record_id_l"], pairs["record_id_r"]]).unique().to_frame("record_id")
    return compared_records(features, ids).select("record_id", *COMPARED_COLUMNS)


def _require_jar_functions(spark: SparkSession) -> None:
    missing = [name for name in JAR_FUNCTIONS if not spark.catalog.functionExists(name)]
    if missing:
        raise RuntimeError(
            f"The Spark session lacks {', '.join(missing)}: start it with Splink's similarity jar "
            f"(spark.jars = {similarity_jar_location()}; see zhizhi.resolve.spark.spark_config)."
        )


def _temporary_views(spark: SparkSession) -> set[str]:
    return {table.name for table in spark.catalog.listTables() if table.isTemporary}
