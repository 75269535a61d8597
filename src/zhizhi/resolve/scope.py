"""Which records an incremental run can move: everything else keeps the entity it has.

Clustering is a function of the evidence (edges at or above the match threshold, and the stewards' must-links and
cannot-links) inside one connected component, so a run need only cluster again the components that the run's
changes reach. Those changes are:

- records that are new or changed (their edges were scored again), and both ends of every new strong edge;
- stewards' decisions the register does not show yet: a must-link across two entities, a cannot-link inside one,
  and decisions undone since (an undone merge whose records share an entity, an undone split whose records do not);
- the entities those records are in now, since a record that changed may leave its entity behind.

The scope is then closed: every record of a component that holds one of them, and every record of an entity that
holds one of those, until nothing more is added. Records outside it would cluster exactly as they did before, so
their links stand.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from zhizhi.resolve.cluster import components

PAIR = ["record_id_l", "record_id_r"]


@dataclass(frozen=True)
class Evidence:
    """What clustering reads: scored edges, and the stewards' decisions in force and undone."""

    edges: pl.DataFrame  # record_id_l, record_id_r, how, probability
    must_link: pl.DataFrame  # record_id_l, record_id_r
    cannot_link: pl.DataFrame
    undone_merges: pl.DataFrame
    undone_aparts: pl.DataFrame

    def strong(self, match: float) -> pl.DataFrame:
        """The pairs that join records: edges at or above `match`, and must-links."""
        edges = self.edges.filter(pl.col("probability") >= match).select(PAIR)
        return pl.concat([edges, self.must_link.select(PAIR)])


def scope(
    record_ids: pl.Series,
    links: pl.DataFrame,
    seeds: pl.Series,
    evidence: Evidence,
    match: float,
) -> pl.Series:
    """The records to cluster again (sorted), given every current record, the register's links (record_id,
    entity_id), the new or changed records and the new strong edges' ends (`seeds`)."""
    entity = links.select("record_id", "entity_id")
    start = pl.concat([seeds.cast(pl.Int64), _unsettled(entity, evidence)]).unique()
    labels = components(record_ids.cast(pl.Int64).sort(), evidence.strong(match))
    found = start
    while True:
        hit = entity.join(found.to_frame("record_id"), on="record_id", how="semi")["entity_id"].unique()
        members = entity.filter(pl.col("entity_id").is_in(hit.implode()))["record_id"]
        grown = pl.concat([found, members]).unique()
        reached = labels.filter(pl.col("record_id").is_in(grown.implode()))["cluster"].unique()
        grown = pl.concat([grown, labels.filter(pl.col("cluster").is_in(reached.implode()))["record_id"]]).unique()
        if grown.len() == found.len():
            return found.sort()
        found = grown


def _unsettled(entity: pl.DataFrame, evidence: Evidence) -> pl.Series:
    """Both records of each decision the links do not show yet (see the module docstring)."""
    checks = [  # the pairs, and whether they are unsettled when they share an entity (or when they do not)
        (evidence.must_link, False),  # a merge not shown yet
        (evidence.cannot_link, True),  # a split not shown yet
        (evidence.undone_merges, True),  # held together by the merge alone, maybe
        (evidence.undone_aparts, False),  # kept apart by the split alone, maybe
    ]
    found = [pl.Series("record_id", [], pl.Int64)]
    for pairs, when_same in checks:
        if pairs.is_empty():
            continue
        sides = pairs.select(PAIR).join(
            entity.rename({"record_id": "record_id_l", "entity_id": "e_l"}), on="record_id_l", how="left"
        )
        sides = sides.join(
            entity.rename({"record_id": "record_id_r", "entity_id": "e_r"}), on="record_id_r", how="left"
        )
        same = pl.col("e_l").is_not_null() & (pl.col("e_l") == pl.col("e_r"))
        unsettled = sides.filter(same if when_same else ~same)
        found += [unsettled["record_id_l"], unsettled["record_id_r"]]
    return pl.concat(found).cast(pl.Int64).unique()
