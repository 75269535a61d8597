"""Entity resolution: accuracy at 200,000 entities beside two baselines, then speed and memory at 1,000,000 rows.

Steps (`--steps`, comma-separated; both by default):

- `accuracy`: a seeded synthetic city of `--entities` true entities over three sources (bench/resolve_data.py),
  resolved three ways, each scored by pairwise precision and recall (pairs of records within predicted clusters
  against pairs within true entities):
  (a) credit code exact only (the same normalised, valid code);
  (b) Splink with its default kind of comparisons: whole-string Jaro-Winkler on the name, Levenshtein on the
      address, exact phone, legal representative and credit code; u by random sampling, m by EM, clusters at 0.99;
  (c) zhizhi's engine: prepare, train, score_pairs, cluster at the default thresholds.
  With `--codeless`, the city also holds hand-typed lists without credit codes (special-equipment users, market
  stalls, hotline respondents; bench/resolve_data.py), whose columns are mapped as `zhizhi sources suggest`
  maps them (on a sample of each list written as CSV); zhizhi's run then also reports precision and recall on
  the pairs touching a code-less row, the share of code-less rows in a pair sent to review, and the figures on
  the three registered sources' rows alone.
- `incremental`: the incremental part of `scale` again (`--repeat` times), on the register `scale` left in `--work`.
- `scale`: a city of `--rows` + `--new` rows; in a fresh process, zhizhi resolves the first `--rows` records
  (prepare + train + score + cluster; wall time and peak memory); in another fresh process, the `--new` records
  (the highest record ids, a random tenth of a percent of every source) are linked incrementally against that
  register: prepare the new rows only, score the pairs touching them with the stored model, cluster the stored
  pairs plus the new ones.

    python bench/resolve.py                                  # both steps, data in a temporary folder
    python bench/resolve.py --steps accuracy --entities 200000
    python bench/resolve.py --steps accuracy --entities 20000 --methods zhizhi --codeless --seed 7   # another city
    python bench/resolve.py --steps scale --rows 1000000 --new 10000 --work /tmp/resolve-bench

Peak memory is `ru_maxrss` of each measuring process (imports included).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

import resolve_data  # noqa: E402

RECORDS_PER_ENTITY = 1.84  # what the generator gives on average (measured)


def isolated(step: Callable[..., dict[str, Any]], *args: object) -> dict[str, Any]:
    """Run one measured step in a fresh process, so its peak memory is its own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(step, *args).result()


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    """CPU seconds (user + system) of this process so far: less sensitive than wall time to a shared machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def pairwise(clusters: pl.DataFrame, truth: pl.DataFrame) -> dict[str, float]:
    """Pairwise precision and recall of (record_id, cluster) against (record_id, entity_id)."""
    joined = truth.select("record_id", "entity_id").join(clusters, on="record_id")

    def pairs(*keys: str) -> int:
        sizes = joined.group_by(*keys).len()["len"]
        return int((sizes * (sizes - 1) // 2).sum())

    true_positive, predicted, actual = pairs("cluster", "entity_id"), pairs("cluster"), pairs("entity_id")
    precision = true_positive / predicted if predicted else 1.0
    recall = true_positive / actual if actual else 1.0
    return {"precision": precision, "recall": recall, "predicted_pairs": predicted, "true_pairs": actual}


def touching(clusters: pl.DataFrame, truth: pl.DataFrame, marked: pl.Series) -> dict[str, float]:
    """Pairwise precision and recall over the pairs with at least one record of `marked` (record ids)."""
    joined = truth.select("record_id", "entity_id").join(clusters, on="record_id")
    joined = joined.with_columns(pl.col("record_id").is_in(marked.implode()).cast(pl.Int64).alias("_marked"))

    def pairs(*keys: str) -> int:
        sizes = joined.group_by(*keys).agg(pl.len().alias("n"), pl.col("_marked").sum().alias("c"))
        rest = sizes["n"] - sizes["c"]
        return int((sizes["n"] * (sizes["n"] - 1) // 2 - rest * (rest - 1) // 2).sum())

    true_positive, predicted, actual = pairs("cluster", "entity_id"), pairs("cluster"), pairs("entity_id")
    precision = true_positive / predicted if predicted else 1.0
    recall = true_positive / actual if actual else 1.0
    return {"precision": precision, "recall": recall, "predicted_pairs": predicted, "true_pairs": actual}


def codeless_subjects(records: pl.DataFrame) -> pl.DataFrame:
    """The subjects frame, the code-less lists' person column kept only where `sources suggest` maps it to the legal
    representative (each list's columns are suggested from a CSV sample of 500 rows)."""
    from zhizhi.sources.suggest import suggest_source

    subjects = resolve_data.subjects(records.drop("person_header"))
    lists = records.filter(pl.col("person_header").is_not_null())
    dropped: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        for (source, header), rows in lists.group_by("source", "person_header", maintain_order=True):
            sample = rows.head(500).select(
                pl.col("name").alias("单位名称"),
                pl.col("address").alias("单位地址"),
                pl.col("legal_representative").alias(str(header)),
                pl.col("phone").alias("联系电话"),
            )
            path = Path(folder) / f"{source}.csv"
            sample.write_csv(path)
            suggestion = suggest_source(path, name=str(source), record_type="entity")
            mapped = {item.field: item.column for item in suggestion.fields if item.column}
            print(f"# suggest {source}: {mapped}", flush=True)
            if mapped.get("legal_representative") != header:
                dropped.append(str(source))
    return subjects.with_columns(
        pl.when(pl.col("source").is_in(dropped))
        .then(None)
        .otherwise(pl.col("legal_representative"))
        .alias("legal_representative")
    )


def code_only(subjects: pl.DataFrame) -> pl.DataFrame:
    """(a) Records sharing a normalised, valid credit code; every other record alone."""
    from zhizhi.resolve.blocking import deterministic_pairs
    from zhizhi.resolve.engine import cluster, prepare

    features = prepare(subjects)
    links = deterministic_pairs(features).filter(pl.col("how") == "uscc").with_columns(probability=pl.lit(1.0))
    return cluster(features["record_id"], links, uscc=features.select("record_id", "uscc"))


def splink_default(subjects: pl.DataFrame) -> pl.DataFrame:
    """(b) Splink as its documentation starts: whole-string comparisons, EM-trained."""
    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    frame = subjects.select(
        pl.col("record_id").alias("unique_id"),
        "name",
        "address",
        "address_division_code",
        "phone",
        "legal_representative",
        "uscc",
    )
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("name", [0.92, 0.8]),
            cl.LevenshteinAtThresholds("address", [2, 5]),
            cl.ExactMatch("phone"),
            cl.ExactMatch("legal_representative"),
            cl.ExactMatch("uscc"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("uscc"),
            block_on("name"),
            block_on("phone"),
            block_on("address"),
            block_on("legal_representative", "address_division_code"),
        ],
    )
    with duckdb.connect() as connection:
        db_api = DuckDBAPI(connection)
        linker = Linker(db_api.register(frame), settings, log_level=None)
        # the prior from the credit code as a deterministic rule, which finds about half the true pairs
        linker.training.estimate_probability_two_random_records_match([block_on("uscc")], recall=0.5)
        linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=1)
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("name"))
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("phone"))
        predictions = linker.inference.predict(threshold_match_probability=0.5)
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.99)
        result = pl.from_arrow(clusters.as_duckdbpyrelation().select("unique_id", "cluster_id").arrow())
    assert isinstance(result, pl.DataFrame)
    return result.select(pl.col("unique_id").alias("record_id"), pl.col("cluster_id").alias("cluster"))


def zhizhi(subjects: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, float], pl.DataFrame]:
    """(c) zhizhi's engine end to end, with the time of each stage."""
    from zhizhi.resolve.engine import cluster, prepare, score_pairs, train

    times: dict[str, float] = {}
    start = time.perf_counter()
    features = prepare(subjects)
    times["prepare"] = time.perf_counter() - start
    model = train(features)
    times["train"] = time.perf_counter() - start - sum(times.values())
    pairs = score_pairs(features, model=model)
    times["score"] = time.perf_counter() - start - sum(times.values())
    clusters = cluster(features["record_id"], pairs, uscc=features.select("record_id", "uscc"))
    times["cluster"] = time.perf_counter() - start - sum(times.values())
    times["review_pairs"] = pairs.filter(pl.col("probability") < 0.99).height
    return clusters, times, pairs


def measure_accuracy(
    entities: int, method: str, codeless: bool = False, seed: int = resolve_data.SEED
) -> dict[str, Any]:
    records = resolve_data.generate(entities, seed, codeless=codeless)
    subjects = codeless_subjects(records) if codeless else resolve_data.subjects(records.drop("person_header"))
    subjects = subjects.drop("entity_id")
    start = time.perf_counter()
    extra: dict[str, Any] = {}
    pairs = None
    if method == "code_only":
        clusters = code_only(subjects)
    elif method == "splink_default":
        clusters = splink_default(subjects)
    else:
        clusters, extra, pairs = zhizhi(subjects)
    wall = time.perf_counter() - start
    if codeless:
        extra |= codeless_figures(records, clusters, pairs)
    return {"method": method, "rows": subjects.height, "wall_s": wall, "peak_mib": peak_mib(), **extra,
            **pairwise(clusters, records)}  # fmt: skip


def codeless_figures(records: pl.DataFrame, clusters: pl.DataFrame, pairs: pl.DataFrame | None) -> dict[str, Any]:
    """Precision, recall and review share on the code-less lists; precision and recall on the other rows alone."""
    listed = records.filter(pl.col("person_header").is_not_null())["record_id"]
    registered = records.filter(pl.col("person_header").is_null()).select("record_id", "entity_id")
    figures: dict[str, Any] = {"codeless_rows": listed.len()}
    figures |= {f"codeless_{k}": v for k, v in touching(clusters, records, listed).items()}
    figures |= {f"registered_{k}": v for k, v in pairwise(clusters, registered).items()}
    if pairs is not None:
        review = pairs.filter(pl.col("probability") < 0.99)
        ids = pl.concat([review["record_id_l"], review["record_id_r"]]).unique()
        figures["codeless_review_share"] = listed.is_in(ids.implode()).mean()
    return figures


def generate_scale(work: Path, rows: int, new: int) -> None:
    """The city for the scale step: rows + new records; the new ones are the highest record ids."""
    records = resolve_data.generate(round((rows + new) * 1.01 / RECORDS_PER_ENTITY))
    subjects = resolve_data.subjects(records.drop("person_header")).filter(pl.col("record_id") <= rows + new)
    subjects.write_parquet(work / "subjects.parquet")


def measure_full(work: Path, rows: int) -> dict[str, Any]:
    from zhizhi.resolve.engine import cluster, prepare, score_pairs, train

    subjects = pl.read_parquet(work / "subjects.parquet").filter(pl.col("record_id") <= rows)
    truth = subjects.select("record_id", "entity_id")
    subjects = subjects.drop("entity_id")
    cpu_start, start = cpu_s(), time.perf_counter()
    features = prepare(subjects)
    prepared = time.perf_counter()
    model = train(features)
    trained = time.perf_counter()
    pairs = score_pairs(features, model=model)
    scored = time.perf_counter()
    clusters = cluster(features["record_id"], pairs, uscc=features.select("record_id", "uscc"))
    done = time.perf_counter()
    features.write_parquet(work / "features.parquet")
    pairs.write_parquet(work / "pairs.parquet")
    clusters.write_parquet(work / "clusters.parquet")
    (work / "model.json").write_text(model.to_json(), encoding="utf-8")
    return {"rows": subjects.height, "prepare_s": prepared - start, "train_s": trained - prepared,
            "score_s": scored - trained, "cluster_s": done - scored, "wall_s": done - start, "pairs": pairs.height,
            "cpu_s": cpu_s() - cpu_start, "load": os.getloadavg()[0],
            "peak_mib": peak_mib(), **pairwise(clusters, truth)}  # fmt: skip


def measure_incremental(work: Path, rows: int) -> dict[str, Any]:
    """Link the new rows against the stored register; cluster twice: everything, and only what the batch touches."""
    from zhizhi.resolve.engine import Model, cluster, prepare, score_pairs

    existing = pl.read_parquet(work / "features.parquet")
    stored_pairs = pl.read_parquet(work / "pairs.parquet")
    stored_clusters = pl.read_parquet(work / "clusters.parquet")
    model = Model.from_json((work / "model.json").read_text(encoding="utf-8"))
    everything = pl.read_parquet(work / "subjects.parquet")
    new = everything.filter(pl.col("record_id") > rows).drop("entity_id")
    cpu_start, start = cpu_s(), time.perf_counter()
    features = pl.concat([existing, prepare(new)])
    prepared = time.perf_counter()
    pairs = score_pairs(features, new_ids=new["record_id"], model=model)
    scored = time.perf_counter()
    edges = pl.concat([stored_pairs, pairs])
    clusters = cluster(features["record_id"], edges, uscc=features.select("record_id", "uscc"))
    clustered = time.perf_counter()
    cpu_all = cpu_s() - cpu_start
    touched = touched_clusters(stored_clusters, pairs, new["record_id"])
    local = cluster(
        touched,
        edges.filter(pl.col("record_id_l").is_in(touched.implode())),
        uscc=features.select("record_id", "uscc").filter(pl.col("record_id").is_in(touched.implode())),
    )
    done = time.perf_counter()
    merged = pl.concat([stored_clusters.filter(~pl.col("record_id").is_in(touched.implode())), local]).sort("record_id")
    return {"new_rows": new.height, "register_rows": existing.height, "prepare_s": prepared - start,
            "score_s": scored - prepared, "cluster_all_s": clustered - scored, "cluster_touched_s": done - clustered,
            "touched_records": touched.len(), "wall_s_cluster_all": clustered - start,
            "wall_s_cluster_touched": prepared - start + scored - prepared + done - clustered,
            "same_clusters": merged.equals(clusters.sort("record_id")), "new_pairs": pairs.height,
            "cpu_s_cluster_all": cpu_all, "load": os.getloadavg()[0],
            "peak_mib": peak_mib(), **pairwise(clusters, everything.select("record_id", "entity_id"))}  # fmt: skip


def touched_clusters(stored: pl.DataFrame, pairs: pl.DataFrame, new_ids: pl.Series) -> pl.Series:
    """The new records and every record of a stored cluster that a new pair reaches: all a batch can change."""
    reached = pl.concat([pairs["record_id_l"], pairs["record_id_r"]]).unique()
    hit = stored.filter(pl.col("record_id").is_in(reached.implode()))["cluster"].unique()
    members = stored.filter(pl.col("cluster").is_in(hit.implode()))["record_id"]
    return pl.concat([members, new_ids.cast(pl.Int64)]).unique().sort()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", default="accuracy,scale")
    parser.add_argument("--entities", type=int, default=200_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--new", type=int, default=10_000)
    parser.add_argument("--methods", default="code_only,splink_default,zhizhi")
    parser.add_argument("--codeless", action="store_true", help="add the hand-typed lists without credit codes")
    parser.add_argument("--seed", type=int, default=resolve_data.SEED, help="the city's seed (accuracy step)")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=1, help="incremental runs (the machine may be shared)")
    args = parser.parse_args()
    steps = args.steps.split(",")
    print(f"# {platform.python_version()}, {os.cpu_count()} cores, polars {pl.__version__}", flush=True)
    if "accuracy" in steps:
        for method in args.methods.split(","):
            print(isolated(measure_accuracy, args.entities, method, args.codeless, args.seed), flush=True)
    work = args.work
    if "scale" in steps:
        work = args.work or Path(tempfile.mkdtemp(prefix="resolve-bench-"))
        work.mkdir(parents=True, exist_ok=True)
        if not (work / "subjects.parquet").exists():
            isolated_none(generate_scale, work, args.rows, args.new)
        print("full", isolated(measure_full, work, args.rows), flush=True)
    if "scale" in steps or "incremental" in steps:
        for _ in range(args.repeat):
            print("incremental", isolated(measure_incremental, args.work or work, args.rows), flush=True)


def isolated_none(step: Callable[..., None], *args: object) -> None:
    """Run a step that returns nothing in a fresh process (generation: its memory is not measured)."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        pool.submit(step, *args).result()


if __name__ == "__main__":
    main()
