"""Which records an incremental run can move, and the evidence it clusters them on: everything else keeps the entity
it has.

Clustering is a function of the evidence (edges at or above the match threshold, and the stewards' must-links and
cannot-links) inside one connected component, so a run need only cluster again the components that the run's
changes reach. Those changes are:

- records that are new or changed (their edges were scored again), and both ends of every new strong edge;
- stewards' decisions the register does not show yet: a must-link across two entities, a cannot-link inside one,
  and decisions undone since (an undone merge whose records share an entity, an undone split whose records do not);
- the entities those records are in now, since a record that changed may leave its entity behind.

The scope is then closed: every record of a component that holds one of them, and every record of an entity that
holds one of those, until nothing more is added. Records outside it would cluster exactly as they did before, so
their links stand. The walk runs in the store, a step at a time from the records found last: only the links and
strong edges it reaches are read, however large the register.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import polars as pl
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from zhizhi.store.frames import frame, frame_among, scalars_among
from zhizhi.store.tables import EntityLink, ResolveDecision, ResolveEdge

PAIR = ["record_id_l", "record_id_r"]
PAIR_SCHEMA = {"record_id_l": pl.Int64, "record_id_r": pl.Int64}
EDGE_SCHEMA = {**PAIR_SCHEMA, "how": pl.String, "probability": pl.Float64}


@dataclass(frozen=True)
class Evidence:
    """What clustering reads: the strong edges among the records clustered, and the stewards' decisions in force
    and undone."""

    edges: pl.DataFrame  # record_id_l, record_id_r, how, probability (at or above the match threshold)
    must_link: pl.DataFrame  # record_id_l, record_id_r
    cannot_link: pl.DataFrame
    undone_merges: pl.DataFrame
    undone_aparts: pl.DataFrame


def decided(session: Session) -> Evidence:
    """The stewards' decisions, with no edges yet."""
    return Evidence(
        pl.DataFrame(schema=EDGE_SCHEMA),
        must_link=_decided(session, "merge", undone=False),
        cannot_link=_decided(session, "apart", undone=False),
        undone_merges=_decided(session, "merge", undone=True),
        undone_aparts=_decided(session, "apart", undone=True),
    )


def whole(session: Session, decisions: Evidence, match: float) -> Evidence:
    """The evidence of the whole register: every strong edge."""
    return replace(decisions, edges=frame(session, _strong(match), EDGE_SCHEMA))


def reach(session: Session, seeds: pl.Series, decisions: Evidence, match: float) -> tuple[pl.Series, Evidence]:
    """The records to cluster again (sorted) from the new or changed records and the new strong edges' ends
    (`seeds`), and the strong edges among them."""
    must: dict[int, set[int]] = {}
    for a, b in decisions.must_link.select(PAIR).iter_rows():
        must.setdefault(a, set()).add(b)
        must.setdefault(b, set()).add(a)
    start = {*seeds.cast(pl.Int64).to_list(), *_unsettled(session, decisions)}
    found, frontier, entities_seen = set(start), sorted(start), set[int]()
    edges = [pl.DataFrame(schema=EDGE_SCHEMA)]
    while frontier:
        entities = set(scalars_among(session, select(EntityLink.entity_id), EntityLink.record_id, frontier))
        entities -= entities_seen
        entities_seen |= entities
        members = scalars_among(session, select(EntityLink.record_id), EntityLink.entity_id, sorted(entities))
        strong = [
            frame_among(session, _strong(match), side, frontier, EDGE_SCHEMA)
            for side in (ResolveEdge.record_id_l, ResolveEdge.record_id_r)
        ]
        edges += strong
        ends = [end for part in strong for end in (*part["record_id_l"], *part["record_id_r"])]
        joined = [other for record in frontier for other in must.get(record, ())]
        new = {*members, *ends, *joined} - found
        found |= new
        frontier = sorted(new)
    evidence = pl.concat(edges).unique(PAIR, keep="first").sort(PAIR)
    return pl.Series("record_id", sorted(found), pl.Int64), replace(decisions, edges=evidence)


def _strong(match: float) -> Select[int, int, str, float]:
    return select(ResolveEdge.record_id_l, ResolveEdge.record_id_r, ResolveEdge.how, ResolveEdge.probability).where(
        ResolveEdge.probability >= match
    )


def _decided(session: Session, kind: str, *, undone: bool) -> pl.DataFrame:
    query = select(ResolveDecision.record_id_l, ResolveDecision.record_id_r).where(ResolveDecision.kind == kind)
    query = query.where(ResolveDecision.undone_at.is_not(None) if undone else ResolveDecision.undone_at.is_(None))
    return frame(session, query, PAIR_SCHEMA)


def _unsettled(session: Session, decisions: Evidence) -> Iterable[int]:
    """Both records of each decision the links do not show yet (see the module docstring)."""
    checks = [  # the pairs, and whether they are unsettled when they share an entity (or when they do not)
        (decisions.must_link, False),  # a merge not shown yet
        (decisions.cannot_link, True),  # a split not shown yet
        (decisions.undone_merges, True),  # held together by the merge alone, maybe
        (decisions.undone_aparts, False),  # kept apart by the split alone, maybe
    ]
    pairs = pl.concat([p.select(PAIR) for p, _ in checks])
    ids = pl.concat([pairs["record_id_l"], pairs["record_id_r"]]).unique().sort().to_list()
    query = select(EntityLink.record_id, EntityLink.entity_id)
    entity = frame_among(session, query, EntityLink.record_id, ids, {"record_id": pl.Int64, "entity_id": pl.Int64})
    found: list[int] = []
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
        found += [*unsettled["record_id_l"], *unsettled["record_id_r"]]
    return found
