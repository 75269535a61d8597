"""Training the model on the records themselves (see model.py for what is counted and why)."""

from __future__ import annotations

import polars as pl

from zhizhi.resolve.model import LABEL_GROUP_RECORDS, LABELLED_PAIRS, RANDOM_PAIRS, SEED, Model, estimate
from zhizhi.resolve.scoring import splink_gammas

PRIOR_FLOOR = 1e-9


def train(
    features: pl.DataFrame, *, seed: int = SEED, random_pairs: int = RANDOM_PAIRS, labelled_pairs: int = LABELLED_PAIRS
) -> Model:
    """Estimate m from pairs sharing a valid credit code and u from seeded random pairs; deterministic."""
    features = features.sort("record_id")
    labels = labelled(features, labelled_pairs)
    sample = random_sample(features, random_pairs, seed)
    scored_labels = splink_gammas(features, labels)
    scored_sample = splink_gammas(features, sample)
    counts = {"records": features.height, "labelled_pairs": labels.height, "random_pairs": sample.height}
    return estimate(scored_labels, scored_sample, prior(features), counts)


def labelled(features: pl.DataFrame, limit: int) -> pl.DataFrame:
    """Pairs of records sharing a valid credit code: the first few records of each code, at most `limit` pairs."""
    coded = features.filter(pl.col("uscc_valid")).select("record_id", "uscc")
    coded = coded.filter(pl.int_range(pl.len()).over("uscc") < LABEL_GROUP_RECORDS)
    pairs = coded.join(coded, on="uscc", suffix="_r").filter(pl.col("record_id") < pl.col("record_id_r"))
    pairs = pairs.select(pl.col("record_id").alias("record_id_l"), "record_id_r")
    if pairs.height > limit:
        # an even, deterministic thinning: every k-th pair in record order
        pairs = pairs.sort("record_id_l", "record_id_r").gather_every(-(-pairs.height // limit))
    return pairs


def random_sample(features: pl.DataFrame, size: int, seed: int) -> pl.DataFrame:
    """`size` random pairs of distinct records (all pairs when there are fewer), drawn with `seed`."""
    ids = features["record_id"].unique().sort()
    n = ids.len()
    if n < 2:
        return pl.DataFrame(schema={"record_id_l": pl.Int64, "record_id_r": pl.Int64})
    if n * (n - 1) // 2 <= size:
        frame = ids.to_frame("record_id_l").join(ids.to_frame("record_id_r"), how="cross")
        return frame.filter(pl.col("record_id_l") < pl.col("record_id_r"))
    positions = pl.int_range(0, n, eager=True)
    left = ids.gather(positions.sample(size, with_replacement=True, seed=seed))
    right = ids.gather(positions.sample(size, with_replacement=True, seed=seed + 1))
    frame = pl.DataFrame({"a": left, "b": right}).filter(pl.col("a") != pl.col("b"))
    return frame.select(
        pl.min_horizontal("a", "b").alias("record_id_l"), pl.max_horizontal("a", "b").alias("record_id_r")
    )


def prior(features: pl.DataFrame) -> float:
    """The probability that two random records match, as the share of coded record pairs that share a code."""
    groups = features.filter(pl.col("uscc_valid")).group_by("uscc").len()["len"]
    coded = int(groups.sum()) if groups.len() else 0
    sharing = int((groups * (groups - 1) // 2).sum()) if groups.len() else 0
    if coded < 2 or sharing == 0:
        return max(PRIOR_FLOOR, 1.0 / max(features.height, 2))
    return min(0.5, max(PRIOR_FLOOR, sharing / (coded * (coded - 1) / 2)))
