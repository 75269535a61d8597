"""Stable identity: which entity id each cluster of records carries.

An entity's id never changes because new data arrived:

- Each existing entity is at home in the cluster that holds most of its records (ties: the smaller cluster key).
- A cluster that is home to one entity keeps its id; home to several (new evidence, or a steward, joined them), it
  keeps the oldest (smallest) and the others are merged into it, so their old ids still lead to it.
- A cluster that is home to none (new records, or the part a split or an undone merge took away) takes back the id
  its records were first linked to, if that entity was merged away and no cluster keeps it (an undone merge
  brings the old id back); otherwise it gets a new id. New ids are handed out in the order of the cluster keys, so
  the same data always gets the same ids.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Assignment:
    """Every record's entity, the entities that are new, and the ones merged (old id -> id kept)."""

    links: pl.DataFrame  # record_id, entity_id
    new: list[int]
    merged: dict[int, int]


def assign(
    clusters: pl.DataFrame, existing: pl.DataFrame, next_id: int, merged_away: set[int] | None = None
) -> Assignment:
    """Entity ids for `clusters` (record_id, cluster) given the links so far (record_id, entity_id and, to bring
    back a merged entity, first_entity_id) and the entities merged away so far."""
    joined = clusters.join(existing, on="record_id", how="left")
    home = (
        joined.drop_nulls("entity_id")
        .group_by("entity_id", "cluster")
        .len()
        .sort(["entity_id", "len", "cluster"], descending=[False, True, False])
        .unique("entity_id", keep="first", maintain_order=True)
    )
    keepers = home.group_by("cluster").agg(pl.col("entity_id").min().alias("keeper"), pl.col("entity_id").alias("all"))
    merged = {
        int(old): int(row["keeper"])
        for row in keepers.iter_rows(named=True)
        for old in row["all"]
        if old != row["keeper"]
    }
    homeless = (
        clusters.select("cluster").unique().join(keepers.select("cluster"), on="cluster", how="anti").sort("cluster")
    )
    revived = _revived(homeless, joined, merged_away or set(), set(keepers["keeper"].to_list()))
    fresh = (
        homeless.join(revived, on="cluster", how="anti")
        .sort("cluster")
        .with_row_index("n")
        .select("cluster", (pl.col("n").cast(pl.Int64) + next_id).alias("keeper"))
    )
    homeless = pl.concat([revived, fresh])
    chosen = pl.concat([keepers.select("cluster", pl.col("keeper").cast(pl.Int64)), homeless])
    links = clusters.join(chosen, on="cluster").select("record_id", pl.col("keeper").alias("entity_id"))
    return Assignment(links.sort("record_id"), fresh["keeper"].to_list(), merged)


def _revived(homeless: pl.DataFrame, joined: pl.DataFrame, merged_away: set[int], kept: set[int]) -> pl.DataFrame:
    """Homeless clusters that take back the merged-away entity most of their records were first linked to."""
    schema = {"cluster": pl.Int64, "keeper": pl.Int64}
    if not merged_away or "first_entity_id" not in joined.columns:
        return pl.DataFrame(schema=schema)
    candidates = (
        joined.join(homeless, on="cluster")
        .filter(pl.col("first_entity_id").is_in(list(merged_away - kept)))
        .group_by("cluster", "first_entity_id")
        .len()
        .sort(["len", "cluster", "first_entity_id"], descending=[True, False, False])
    )
    taken: set[int] = set()
    rows: dict[int, int] = {}
    for cluster, entity, _ in candidates.iter_rows():
        if entity not in taken and cluster not in rows:
            taken.add(entity)
            rows[cluster] = entity
    return pl.DataFrame(list(rows.items()), schema=schema, orient="row")
