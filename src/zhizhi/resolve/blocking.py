"""Which record pairs are looked at: deterministic links on codes, and candidate pairs for the model.

A candidate pair shares the key of at least one blocking rule. Keys too common to be evidence (a block larger
than the rule's `cap`: an accountant's phone, a trade name used across the province) are skipped by that rule,
so the number of pairs grows with the records, not with their square; each rule with a coarser key has a
finer companion (plus the county) that still catches the pairs a skipped block held.

With `new_ids`, only blocks holding a new record are expanded and only pairs touching a new record are kept:
the same pairs as a full run restricted to new records, at the cost of the new records' blocks.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

PAIR_SCHEMA = {"record_id_l": pl.Int64, "record_id_r": pl.Int64}
CODE_GROUP_ALL_PAIRS = 10


@dataclass(frozen=True)
class BlockingRule:
    """Records agreeing on all `columns` (none null) are candidate pairs, in blocks of at most `cap` records."""

    name: str
    columns: tuple[str, ...]
    cap: int


BLOCKING_RULES = (
    BlockingRule("core_chars", ("core_sorted",), 100),
    BlockingRule("core_chars_county", ("core_sorted", "county"), 100),
    BlockingRule("trade_pinyin", ("trade_pinyin",), 100),
    BlockingRule("trade_pinyin_county", ("trade_pinyin", "county"), 100),
    BlockingRule("phone", ("phone",), 30),
    BlockingRule("road_no_county", ("county", "road_no"), 30),
    BlockingRule("road_no_prefecture", ("prefecture", "road_no"), 30),
    BlockingRule("address_prefecture", ("prefecture", "address_key"), 30),
    BlockingRule("legal_rep", ("legal_rep",), 30),
    BlockingRule("legal_rep_county", ("legal_rep", "county"), 30),
)


def deterministic_pairs(features: pl.DataFrame, new_ids: pl.Series | None = None) -> pl.DataFrame:
    """Pairs sharing a valid credit code (`how` = uscc) or else a registration number (`how` = reg_no).

    A group of up to `CODE_GROUP_ALL_PAIRS` records gives all its pairs; a larger one links each record to the
    group's smallest record_id, which connects it as well with linear pairs.
    """
    coded = features.filter(pl.col("uscc_valid")).select("record_id", "uscc")
    numbered = features.select("record_id", "reg_no").drop_nulls()
    if new_ids is not None:
        # only the groups holding a new record can give a pair touching one; they are taken whole
        new = pl.col("record_id").is_in(new_ids.implode())
        coded = coded.join(coded.filter(new).select("uscc"), on="uscc", how="semi")
        numbered = numbered.join(numbered.filter(new).select("reg_no"), on="reg_no", how="semi")
    by_code = _code_pairs(coded, "uscc")
    by_reg_no = _code_pairs(numbered, "reg_no").join(by_code, on=list(PAIR_SCHEMA), how="anti")
    pairs = pl.concat([by_code.with_columns(how=pl.lit("uscc")), by_reg_no.with_columns(how=pl.lit("reg_no"))])
    return _touching(pairs, new_ids).sort(list(PAIR_SCHEMA))


def candidate_pairs(features: pl.DataFrame, new_ids: pl.Series | None = None) -> pl.DataFrame:
    """Distinct pairs (record_id_l < record_id_r) sharing a blocking key, for the model to score.

    Pairs the codes decide are left out: two valid credit codes (the same: a deterministic link; different: two
    entities), or two registration numbers likewise.
    """
    frame = features.lazy().with_columns(
        pl.col("uscc_valid").alias("_coded"), pl.col("reg_no").is_not_null().alias("_numbered")
    )
    if new_ids is not None:
        frame = frame.with_columns(pl.col("record_id").is_in(new_ids.implode()).alias("_new"))
    parts = [_rule_pairs(frame, rule, incremental=new_ids is not None) for rule in BLOCKING_RULES]
    pairs = pl.concat(parts).unique()
    return pairs.collect().sort(list(PAIR_SCHEMA))


def _rule_pairs(frame: pl.LazyFrame, rule: BlockingRule, *, incremental: bool) -> pl.LazyFrame:
    columns = list(rule.columns)
    flags = ["_coded", "_numbered", *(["_new"] if incremental else [])]
    keyed = frame.select("record_id", *columns, *flags).drop_nulls(columns)
    if incremental:
        # the blocks holding a new record, whole (so their sizes are the same as in a full run)
        keyed = keyed.join(keyed.filter(pl.col("_new")).select(columns).unique(), on=columns, how="semi")
    sizes = keyed.group_by(columns).agg(pl.len().alias("_n")).filter(pl.col("_n").is_between(2, rule.cap))
    keyed = keyed.join(sizes.select(columns), on=columns, how="semi")
    pairs = keyed.join(keyed, on=columns, suffix="_r").filter(
        pl.col("record_id") < pl.col("record_id_r"),
        ~(pl.col("_coded") & pl.col("_coded_r")),
        ~(pl.col("_numbered") & pl.col("_numbered_r")),
    )
    if incremental:
        pairs = pairs.filter(pl.col("_new") | pl.col("_new_r"))
    return pairs.select(pl.col("record_id").alias("record_id_l"), "record_id_r")


def _code_pairs(features: pl.DataFrame, column: str) -> pl.DataFrame:
    keyed = features.select("record_id", column).drop_nulls()
    keyed = keyed.with_columns(
        pl.len().over(column).alias("_n"), pl.col("record_id").min().over(column).alias("_first")
    ).filter(pl.col("_n") >= 2)
    small = keyed.filter(pl.col("_n") <= CODE_GROUP_ALL_PAIRS)
    all_pairs = small.join(small, on=column, suffix="_r").filter(pl.col("record_id") < pl.col("record_id_r"))
    star = keyed.filter((pl.col("_n") > CODE_GROUP_ALL_PAIRS) & (pl.col("record_id") != pl.col("_first")))
    return pl.concat(
        [
            all_pairs.select(pl.col("record_id").alias("record_id_l"), "record_id_r"),
            star.select(pl.col("_first").alias("record_id_l"), pl.col("record_id").alias("record_id_r")),
        ]
    )


def _touching(pairs: pl.DataFrame, new_ids: pl.Series | None) -> pl.DataFrame:
    if new_ids is None:
        return pairs
    new = new_ids.implode()
    return pairs.filter(pl.col("record_id_l").is_in(new) | pl.col("record_id_r").is_in(new))
