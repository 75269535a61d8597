"""Splink on a local Spark scores as on DuckDB: the same pairs, weights, reasons and clusters (marker `spark`).

Run with `pytest -m spark` where the spark extra and Java are installed; elsewhere the module is skipped.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

pytest.importorskip("pyspark", reason="pyspark is not installed — pip install -e '.[spark]'")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("Java is not installed: Spark needs Java 17", allow_module_level=True)

from pyspark.sql import SparkSession  # noqa: E402

from tests.resolve.conftest import CODES, firm, small_city, subjects  # noqa: E402
from zhizhi.resolve.comparisons import COMPARISONS  # noqa: E402
from zhizhi.resolve.engine import Model, Thresholds, cluster, prepare, score_pairs, train  # noqa: E402
from zhizhi.resolve.scoring import splink_predict  # noqa: E402
from zhizhi.resolve.spark import local_session, score_pairs_on_spark, spark_predict  # noqa: E402

pytestmark = pytest.mark.spark

# both backends evaluate the same SQL in IEEE doubles; so far the results have been bit-identical
TOLERANCE = 1e-9
PAIR = ["record_id_l", "record_id_r"]


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    session = local_session(cores=2, memory="1g")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def city() -> tuple[pl.DataFrame, Model]:
    features = prepare(small_city())
    return features, train(features)


def assert_same_scores(on_spark: pl.DataFrame, on_duckdb: pl.DataFrame) -> None:
    """Same rows, columns and types; the same strings and gammas; floats within `TOLERANCE`."""
    assert_frame_equal(on_spark, on_duckdb, check_exact=False, abs_tol=TOLERANCE, rel_tol=0.0)


def clusters_of(features: pl.DataFrame, scored: pl.DataFrame) -> list[list[int]]:
    clusters = cluster(features["record_id"], scored, uscc=features.select("record_id", "uscc"))
    return clusters.group_by("cluster").agg(pl.col("record_id").sort()).sort("cluster")["record_id"].to_list()


def all_pairs(features: pl.DataFrame) -> pl.DataFrame:
    ids = features["record_id"]
    pairs = ids.to_frame("record_id_l").join(ids.to_frame("record_id_r"), how="cross")
    return pairs.filter(pl.col("record_id_l") < pl.col("record_id_r"))


def levels_city() -> pl.DataFrame:
    """The small city plus records that put some pair into every level of every comparison."""
    shared = "07723333333"  # used by three firms: a shared phone
    no_county = {
        "address_division_code": "450200",
        "address": "柳州市潭中东路18号B座",
        "address_rest": "潭中东路18号B座",
    }
    other_city = {"address_division_code": "450100", "address": "南宁市潭中东路9号", "address_rest": "潭中东路9号"}
    extra = subjects(
        firm("柳州市华信科技有限公司", uscc=CODES[0], reg_no="450200000012345", phone=shared,
             legal_representative="张建国"),
        firm("华信科技有限公司城中分公司", road="潭中东路18号A座", uscc=CODES[0][:-1] + "X", reg_no="450200000012346",
             phone=shared, legal_representative="张建囯"),
        firm("华信科技有限公司城中分公司", 1, reg_no="450200000012346"),
        firm("信华技科有限公司", phone=shared),
        firm("华信有限公司", legal_representative="李吉"),
        firm("华信科技股份有限公司", legal_representative="李古"),
        firm("华信科技经营部", **no_county),
        firm("恒达商贸", uscc=CODES[1], phone=shared, **other_city),
        {"source": "inspections", "phone": "13977200009"},
        firm("龙城建材有限公司", address=None, address_rest=None, address_division_code=None),
    )  # fmt: skip
    city = small_city()
    extra = extra.with_columns(pl.col("record_id") + city.height)
    return pl.concat([city, extra])


def test_every_candidate_pair_scores_as_on_duckdb(
    spark: SparkSession, city: tuple[pl.DataFrame, Model], tmp_path: Path
) -> None:
    _, model = city
    features = prepare(levels_city())
    everything = Thresholds(review=0.0)
    on_duckdb = score_pairs(features, model=model, thresholds=everything)
    on_spark = score_pairs_on_spark(features, spark, model=model, thresholds=everything, staging=tmp_path)
    assert on_spark.columns == ["record_id_l", "record_id_r", "how", "probability", "weight", "why"]
    assert set(on_spark["how"]) == {"uscc", "reg_no", "model"}
    assert on_spark.filter(pl.col("probability") < Thresholds().review).height > 20  # namesakes, branches, groups
    assert_same_scores(on_spark, on_duckdb)
    assert list(tmp_path.iterdir()) == []  # the staging files are gone
    assert {table.name for table in spark.catalog.listTables()} == set()  # and so are Splink's views


def test_same_links_review_pairs_and_clusters_at_the_default_thresholds(
    spark: SparkSession, city: tuple[pl.DataFrame, Model]
) -> None:
    features, model = city
    on_duckdb = score_pairs(features, model=model)
    on_spark = score_pairs_on_spark(features, spark, model=model)
    assert_same_scores(on_spark, on_duckdb)
    linked = pl.col("probability") >= Thresholds().match
    assert on_spark.filter(linked).select(PAIR).rows() == on_duckdb.filter(linked).select(PAIR).rows()
    assert clusters_of(features, on_spark) == clusters_of(features, on_duckdb)
    assert len(clusters_of(features, on_spark)) == 30  # the 30 firms of the city, each whole


def test_a_new_batch_scores_as_on_duckdb(spark: SparkSession, city: tuple[pl.DataFrame, Model]) -> None:
    features, model = city
    new = features.filter(pl.col("source") == "inspections")["record_id"]
    on_duckdb = score_pairs(features, new_ids=new, model=model)
    on_spark = score_pairs_on_spark(features, spark, new_ids=new, model=model)
    assert not on_spark.is_empty()
    assert_same_scores(on_spark, on_duckdb)


def test_every_comparison_level_is_reached_alike(spark: SparkSession, city: tuple[pl.DataFrame, Model]) -> None:
    _, model = city
    features = prepare(levels_city())
    pairs = all_pairs(features)
    on_duckdb = splink_predict(features, pairs, model)
    on_spark = spark_predict(features, pairs, model, spark)
    assert on_spark.height == pairs.height
    assert_same_scores(on_spark, on_duckdb)
    missing = [
        f"{comparison.name}.{level.key}"
        for comparison in COMPARISONS
        for level in comparison.levels
        if comparison.gamma(level.key) not in set(on_spark[f"gamma_{comparison.name}"])
    ]
    assert missing == []
    assert spark_predict(features, pairs.clear(), model, spark).schema == on_duckdb.schema


def test_characters_beyond_the_bmp_are_counted_differently(
    spark: SparkSession, city: tuple[pl.DataFrame, Model]
) -> None:
    """The documented difference: the jar's Damerau-Levenshtein counts UTF-16 units, DuckDB's counts characters."""
    _, model = city
    rare, common = (
        firm("华信科技有限公司", legal_representative="李𠮷"),
        firm("华信科技有限公司", legal_representative="李吉"),
    )
    features = prepare(subjects(rare, common))
    pairs = all_pairs(features)
    typo, other = (next(c for c in COMPARISONS if c.name == "legal_rep").gamma(key) for key in ("typo", "else"))
    assert splink_predict(features, pairs, model)["gamma_legal_rep"].to_list() == [typo]
    assert spark_predict(features, pairs, model, spark)["gamma_legal_rep"].to_list() == [other]
