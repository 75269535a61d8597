"""Writing a run's outcome: the links that changed, golden records for the entities they touch, the entities merged
away, and the pairs a steward should look at. In the caller's transaction."""

from __future__ import annotations

import polars as pl
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from zhizhi.config.models import ResolveConfig
from zhizhi.ingest.bulk import bulk_insert, bulk_update, stamp
from zhizhi.resolve.engine import Thresholds
from zhizhi.resolve.golden import golden_records
from zhizhi.resolve.identity import Assignment
from zhizhi.resolve.scope import Evidence
from zhizhi.resolve.subjects import load_subjects, provenance
from zhizhi.store.frames import among, frame, frame_among
from zhizhi.store.tables import Entity, EntityLink, ResolveDecision, ResolveEdge, ReviewPair
from zhizhi.store.types import utcnow

GOLDEN_SLICE = 50_000  # entities whose golden records are computed and written together
HOW_RANK = {"uscc": 0, "reg_no": 1, "steward": 2, "model": 3}  # which evidence names how a record was linked


LINK_SCHEMA = {
    "record_id": pl.Int64,
    "record_version_id": pl.Int64,
    "entity_id": pl.Int64,
    "first_entity_id": pl.Int64,
    "how": pl.String,
    "score": pl.Float64,
}


def links_of(session: Session, ids: pl.Series | None) -> pl.DataFrame:
    """The links of these records as they stand (of every record: `None`), in record id order."""
    query = select(*(getattr(EntityLink, name) for name in LINK_SCHEMA)).order_by(EntityLink.record_id)
    if ids is None:
        return frame(session, query, LINK_SCHEMA)
    return frame_among(session, query, EntityLink.record_id, ids.to_list(), LINK_SCHEMA)


def changed_links(
    assignment: Assignment, current: pl.DataFrame, linked: pl.DataFrame, moved: pl.Series, evidence: Evidence
) -> pl.DataFrame:
    """The links of moved records that are new or differ from the stored ones, `linked` (entity, version, how,
    score), with the entity each record was first linked to. `current`: each record's version as read."""
    links = assignment.links.join(moved.to_frame("record_id"), on="record_id", how="semi").join(current, on="record_id")
    links = links.join(_how(evidence, assignment.links, moved), on="record_id", how="left").with_columns(
        pl.col("how").fill_null("alone")
    )
    same = ["record_id", "record_version_id", "entity_id", "how", "score"]
    changed = links.join(linked.select(same), on=same, how="anti", nulls_equal=True)
    return changed.join(linked.select("record_id", "first_entity_id"), on="record_id", how="left").with_columns(
        pl.col("first_entity_id").fill_null(pl.col("entity_id"))
    )


def write_links(
    session: Session, changed: pl.DataFrame, assignment: Assignment, present: set[int], run_id: int
) -> None:
    """Replace the changed links, and mark the entities merged away. `present`: entities known to have a row."""
    for condition in among(session, EntityLink.record_id, changed["record_id"].to_list()):
        session.execute(delete(EntityLink).where(condition))
    now = stamp(session, utcnow())
    _ensure_entities(session, set(changed["entity_id"].to_list()) - present, now)
    columns = ("record_id", "entity_id", "first_entity_id", "record_version_id", "how", "score")
    rows = [(*row, run_id, now) for row in changed.select(*columns).iter_rows()]
    bulk_insert(session, EntityLink, (*columns, "run_id", "linked_at"), rows)
    for old, kept in assignment.merged.items():
        session.execute(update(Entity).where(Entity.id == old).values(status="merged", merged_into=kept))


def _how(evidence: Evidence, links: pl.DataFrame, moved: pl.Series) -> pl.DataFrame:
    """For each moved record: the strongest evidence tying it to another record of its entity, and its score."""
    merges = evidence.must_link.with_columns(pl.lit("steward").alias("how"), pl.lit(1.0).alias("probability"))
    edges = pl.concat([evidence.edges, merges.cast(evidence.edges.schema)])
    edges = edges.filter(pl.col("record_id_l").is_in(moved.implode()) | pl.col("record_id_r").is_in(moved.implode()))
    inside = edges.join(links.rename({"record_id": "record_id_l", "entity_id": "e_l"}), on="record_id_l").join(
        links.rename({"record_id": "record_id_r", "entity_id": "e_r"}), on="record_id_r"
    )
    inside = inside.filter(pl.col("e_l") == pl.col("e_r"))
    both = pl.concat(
        [
            inside.select(pl.col("record_id_l").alias("record_id"), "how", "probability"),
            inside.select(pl.col("record_id_r").alias("record_id"), "how", "probability"),
        ]
    ).with_columns(pl.col("how").replace_strict(HOW_RANK, default=9).alias("rank"))
    return (
        both.sort(["record_id", "rank", "probability"], descending=[False, False, True])
        .unique("record_id", keep="first", maintain_order=True)
        .select("record_id", "how", pl.col("probability").alias("score"))
    )


def _ensure_entities(session: Session, ids: set[int], now: object) -> None:
    """Entities the links need that have no row yet (every one has its golden record already, normally)."""
    known, _ = _stored(session, ids)
    rows = [(i, "active", "{}", 0, now, now) for i in sorted(ids - known)]
    bulk_insert(session, Entity, ("id", "status", "golden", "records", "created_at", "updated_at"), rows)


def write_entities(
    session: Session, assignment: Assignment, touched: set[int], config: ResolveConfig, read: pl.DataFrame
) -> set[int]:
    """Golden records of the entities whose records changed: new entities inserted whole, the others updated, in
    slices of `GOLDEN_SLICE` entities (a first run writes every entity: the slices bound its memory). `read` holds
    subjects read already (the rest of the members' are read now). Returns the entities written."""
    written: set[int] = set()
    ids = sorted(touched)
    links = assignment.links.filter(pl.col("entity_id").is_in(ids))
    new = set(assignment.new)
    for start in range(0, len(ids), GOLDEN_SLICE):
        part = ids[start : start + GOLDEN_SLICE]
        members = links.filter(pl.col("entity_id").is_between(part[0], part[-1]))
        written |= _write_golden(session, members, {i for i in part if i not in new}, config, read)
    return written


def _write_golden(
    session: Session, members: pl.DataFrame, stored: set[int], config: ResolveConfig, read: pl.DataFrame
) -> set[int]:
    """Golden records of the entities of `members` (record_id, entity_id); `stored`: those that may have a row."""
    have = read.join(members.select("record_id"), on="record_id", how="semi")
    missing = members.join(have.select("record_id"), on="record_id", how="anti")["record_id"].to_list()
    rows = members.join(pl.concat([have, load_subjects(session, missing)]), on="record_id")
    where = provenance(session, rows["record_version_id"].to_list())
    known, spelt = _stored(session, stored)
    golden = golden_records(rows.join(where, on="record_version_id", how="left"), config.survivorship, spelt)
    columns = ("golden", "name", "uscc", "phone", "address", "initials", "search", "records")
    now = stamp(session, utcnow())
    values = golden.select("entity_id", *columns).rows()
    new = [(*row, "active", now, now) for row in values if row[0] not in known]
    bulk_insert(session, Entity, ("id", *columns, "status", "created_at", "updated_at"), new)
    kept = [(*row, "active", None, now) for row in values if row[0] in known]
    bulk_update(session, Entity, "id", (*columns, "status", "merged_into", "updated_at"), kept)
    return set(golden["entity_id"].to_list())


def _stored(session: Session, ids: set[int]) -> tuple[set[int], dict[str, str]]:
    """Which of these entities have a row, and the pinyin initials their names have already."""
    query = select(Entity.id, Entity.name, Entity.initials)
    rows = [
        row for condition in among(session, Entity.id, sorted(ids)) for row in session.execute(query.where(condition))
    ]
    spelt = {name: initials for _, name, initials in rows if name and initials is not None}
    return {entity_id for entity_id, _, _ in rows}, spelt


def stored_doubtful(session: Session, thresholds: Thresholds) -> pl.DataFrame:
    """Every stored pair between the thresholds, whichever run scored it."""
    query = select(ResolveEdge.record_id_l, ResolveEdge.record_id_r, ResolveEdge.probability, ResolveEdge.why).where(
        ResolveEdge.probability >= thresholds.review, ResolveEdge.probability < thresholds.match
    )
    schema = {"record_id_l": pl.Int64, "record_id_r": pl.Int64, "probability": pl.Float64, "why": pl.String}
    return frame(session, query, schema)


def queue_review(session: Session, edges: pl.DataFrame, thresholds: Thresholds, run_id: int) -> int:
    """Pairs between the thresholds that no steward has decided and that are not already waiting."""
    doubtful = edges.filter((pl.col("probability") < thresholds.match) & (pl.col("probability") >= thresholds.review))
    if doubtful.is_empty():
        return 0
    left = doubtful["record_id_l"].unique().sort().to_list()
    pairs = {"record_id_l": pl.Int64, "record_id_r": pl.Int64}
    decided = select(ResolveDecision.record_id_l, ResolveDecision.record_id_r)
    waiting = select(ReviewPair.record_id_l, ReviewPair.record_id_r)
    skip = {
        *frame_among(session, decided, ResolveDecision.record_id_l, left, pairs).iter_rows(),
        *frame_among(session, waiting, ReviewPair.record_id_l, left, pairs).iter_rows(),
    }
    now = stamp(session, utcnow())
    rows = [
        (int(r["record_id_l"]), int(r["record_id_r"]), float(r["probability"]), r["why"], "open", run_id, now)
        for r in doubtful.iter_rows(named=True)
        if (r["record_id_l"], r["record_id_r"]) not in skip
    ]
    columns = ("record_id_l", "record_id_r", "probability", "why", "status", "run_id", "created_at")
    bulk_insert(session, ReviewPair, columns, rows)
    return len(rows)
