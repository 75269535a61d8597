"""A resolution run: prepare every record's subject, score what is new against the register, cluster, keep ids
stable, and write links, golden records and pairs for review — in the caller's transaction, so a failure leaves
nothing.

Incremental: a record is scored when it is new or its version changed since it was linked, or when its evidence
changed (a record without a code whose name core a new registered firm now holds too); the edges scored before
are kept, and only the components of the evidence that this run's changes reach are clustered again (see scope.py),
so a batch costs what it touches, not what the register holds: the store is asked for the new and changed records,
the links and edges the walk reaches and the golden records to write, and the features of the rest come from the
cache (cache.py). A run with other thresholds, survivorship rules or search text edition than the last one clusters
everything again, rewrites every golden record and queues for review every stored pair between the thresholds
(those a steward decided or that wait already aside). The model trained on the first run (from pairs that share a
credit code) is kept with the run and reused, so that re-running is deterministic; `retrain` trains it again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import polars as pl
from sqlalchemy import delete, distinct, func, select, text
from sqlalchemy.orm import Session

from zhizhi.access import Actor, audit
from zhizhi.access.roles import require
from zhizhi.config.models import ResolveConfig
from zhizhi.ingest.bulk import bulk_insert
from zhizhi.resolve import scope
from zhizhi.resolve.cache import last_stamp, stamp
from zhizhi.resolve.cache import prepared as cache_prepared
from zhizhi.resolve.engine import Model, Thresholds, cluster, score_pairs
from zhizhi.resolve.features import name_holder_key
from zhizhi.resolve.golden import SEARCH_FORM
from zhizhi.resolve.identity import Assignment, assign
from zhizhi.resolve.scope import Evidence
from zhizhi.resolve.subjects import fresh_records, resolvable_types
from zhizhi.resolve.write import (
    changed_links,
    links_of,
    queue_review,
    stored_doubtful,
    write_entities,
    write_links,
)
from zhizhi.store.frames import among, scalars_among
from zhizhi.store.tables import Entity, EntityLink, ResolveEdge, ResolveRun
from zhizhi.store.types import utcnow

RESOLVE_LOCK = 7_405_000_003  # the advisory lock key that serialises resolution runs on PostgreSQL
Progress = Callable[[str], None]
STEPS = 5  # the steps a run names as it starts each: read, prepare, score, cluster, write
Scorer = Callable[..., pl.DataFrame]


@dataclass
class RunReport:
    """What a run did."""

    run_id: int
    records_read: int
    records_new: int
    edges_new: int
    entities: int
    entities_new: int
    entities_merged: int
    review_new: int
    records_reconsidered: int  # clustered again: what the run's changes reach (every record when settings changed)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def resolve(
    session: Session,
    actor: Actor,
    config: ResolveConfig,
    *,
    retrain: bool = False,
    progress: Progress | None = None,
    score: Scorer = score_pairs,
    cache: Path | None = None,
) -> RunReport:
    """Resolve new and changed records into the register (see the module docstring).

    `score` scores the candidate pairs: DuckDB on this machine by default, or Splink on Spark
    (`zhizhi.resolve.spark.score_pairs_on_spark` bound to a session) for a province-wide run. `cache` is a file
    that keeps every record's prepared features between runs (see cache.py: a stale or foreign cache only costs
    preparing again).
    """
    require(actor, "data.write")
    say = progress or (lambda _: None)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": RESOLVE_LOCK})
    thresholds = Thresholds(match=config.match_probability, review=config.review_probability)
    say("reading records")
    fresh = fresh_records(session)
    settings = _settings(config, thresholds)
    last = session.scalar(select(ResolveRun.settings).order_by(ResolveRun.id.desc()).limit(1))
    linked_any = session.scalar(select(EntityLink.record_id).limit(1)) is not None
    everything = not linked_any or last != settings  # else only what this run's changes reach
    trusted = last_stamp(session) if last == settings else None  # other record types: the cache may hold others
    run = ResolveRun(
        started_at=utcnow(), started_by=actor.name, records_read=0, records_new=fresh.len(), settings=settings
    )
    run.edges_new = run.entities_new = run.entities_merged = run.review_new = 0
    session.add(run)
    session.flush()
    say("preparing")
    prepared = cache_prepared(session, fresh, cache, trusted=trusted, now=stamp(run))
    features = prepared.features
    run.records_read = features.height
    model = _model(session, features, retrain)
    run.model = model.to_json()
    if not everything:
        fresh = _holders_changed(session, features, fresh)
    say(f"scoring {fresh.len():,} new or changed records")
    edges = score(features, new_ids=fresh, thresholds=thresholds, model=model) if fresh.len() else None
    if edges is not None:
        run.edges_new = _store_edges(session, edges, fresh, run.id)
    say("clustering")
    moved, evidence, linked = _scope(session, features, fresh, edges, thresholds, everything=everything)
    assignment = _assign(session, features, linked, moved, evidence, thresholds)
    say(f"writing the register ({moved.len():,} records reconsidered)")
    changed = changed_links(assignment, _versions(features, fresh, linked), linked, moved, evidence)
    touched = _touched(assignment, changed, linked, everything=everything)
    present = write_entities(session, assignment, touched, config, prepared.subjects)  # first: links point at them
    write_links(session, changed, assignment, present, run.id)
    run.entities_new, run.entities_merged = len(assignment.new), len(assignment.merged)
    # Other thresholds draw another band: every stored pair in it waits for a steward, not only this run's.
    doubtful = stored_doubtful(session, thresholds) if everything else edges
    if doubtful is not None:
        run.review_new = queue_review(session, doubtful, thresholds, run.id)
    report = _finish(session, actor, run, reconsidered=moved.len())
    if prepared.cache_written is not None:
        prepared.cache_written.result()
    return report


def _finish(session: Session, actor: Actor, run: ResolveRun, *, reconsidered: int) -> RunReport:
    """The run's report, audited."""
    run.finished_at = utcnow()
    entities = session.scalar(select(func.count(distinct(EntityLink.entity_id)))) or 0
    new, merged, review = run.entities_new, run.entities_merged, run.review_new
    report = RunReport(
        run.id, run.records_read, run.records_new, run.edges_new, entities, new, merged, review, reconsidered
    )
    audit.record(
        session, actor, "register.resolve", object_type="resolve_run", object_id=run.id, detail=report.as_dict()
    )
    return report


def _settings(config: ResolveConfig, thresholds: Thresholds) -> str:
    """What a run keeps of its settings: another run with others reconsiders every record."""
    kept = {"thresholds": asdict(thresholds), "survivorship": config.survivorship.model_dump(), "search": SEARCH_FORM}
    return json.dumps({**kept, "record_types": resolvable_types()})


def _scope(
    session: Session,
    features: pl.DataFrame,
    fresh: pl.Series,
    edges: pl.DataFrame | None,
    thresholds: Thresholds,
    *,
    everything: bool,
) -> tuple[pl.Series, Evidence, pl.DataFrame]:
    """The records to cluster again (all of them, or what the run's changes reach), the evidence to cluster them on,
    and the links of the records reached as they stand. Only records read for this run that it found new or that
    were linked before are clustered (not one an ingest added while the run read: the next run takes it)."""
    decisions = scope.decided(session)
    if everything:
        evidence = scope.whole(session, decisions, thresholds.match)
        linked = links_of(session, None)
        known = pl.concat([fresh, linked["record_id"]])
    else:
        known, evidence = scope.reach(session, _seeds(fresh, edges, thresholds), decisions, thresholds.match)
        linked = links_of(session, known)
    return features["record_id"].filter(features["record_id"].is_in(known.implode())), evidence, linked


def _touched(assignment: Assignment, changed: pl.DataFrame, linked: pl.DataFrame, *, everything: bool) -> set[int]:
    """The entities whose golden records are written: those a changed link joins or leaves and those a merge kept
    (every entity besides, when the settings changed)."""
    before = linked.join(changed.select("record_id"), on="record_id")["entity_id"]
    touched = {*changed["entity_id"].to_list(), *before.to_list(), *assignment.merged.values()}
    if everything:
        touched |= set(assignment.links["entity_id"].unique().to_list())
    return touched


def _versions(features: pl.DataFrame, fresh: pl.Series, linked: pl.DataFrame) -> pl.DataFrame:
    """The version each record is linked from: the one scored for new and changed records, the one it was linked
    from for the rest. (On PostgreSQL a version an ingest commits while the run reads may be among the features
    without having been scored; its record keeps its old version in the register, so the next run scores it.)"""
    new = pl.col("record_id").is_in(fresh.implode())
    scored = features.filter(new).select("record_id", "record_version_id")
    return pl.concat([scored, linked.filter(~new).select("record_id", "record_version_id")])


def _seeds(fresh: pl.Series, edges: pl.DataFrame | None, thresholds: Thresholds) -> pl.Series:
    """Where an incremental run's changes start: its new and changed records and both ends of its new strong pairs."""
    ends = [fresh]
    if edges is not None:
        strong = edges.filter(pl.col("probability") >= thresholds.match)
        ends += [strong["record_id_l"], strong["record_id_r"]]
    return pl.concat([end.cast(pl.Int64) for end in ends]).unique()


def _assign(
    session: Session,
    features: pl.DataFrame,
    linked: pl.DataFrame,
    moved: pl.Series,
    evidence: Evidence,
    thresholds: Thresholds,
) -> Assignment:
    """Cluster the `moved` records on the evidence and the stewards' decisions, and name the clusters given their
    links so far (`linked`, which holds the moved records' at least). The assignment holds the moved records' links."""
    clusters = cluster(
        moved,
        evidence.edges,
        uscc=features.select("record_id", "uscc").join(moved.to_frame("record_id"), on="record_id", how="semi"),
        must_link=evidence.must_link,
        cannot_link=evidence.cannot_link,
        thresholds=thresholds,
    )
    next_id = (session.scalar(select(func.max(Entity.id))) or 0) + 1
    inside = linked.join(moved.to_frame("record_id"), on="record_id", how="semi")
    first = inside["first_entity_id"].unique().sort().to_list()
    merged_away = set(scalars_among(session, select(Entity.id).where(Entity.status == "merged"), Entity.id, first))
    return assign(clusters, inside.select("record_id", "entity_id", "first_entity_id"), next_id, merged_away)


def _model(session: Session, features: pl.DataFrame, retrain: bool) -> Model:
    if not retrain:
        stored = session.scalar(
            select(ResolveRun.model).where(ResolveRun.model.is_not(None)).order_by(ResolveRun.id.desc()).limit(1)
        )
        if stored:
            return Model.from_json(stored)
    return Model.train(features)


def _holders_changed(session: Session, features: pl.DataFrame, fresh: pl.Series) -> pl.Series:
    """The new and changed records, and the records without a credit code whose name core a new or changed record
    with a valid code now holds: their evidence (how many registered firms hold that name) changed, so their pairs
    are scored again. A list row linked to the one holder of 阿福粉店 is not that firm's once a second 阿福粉店 is
    registered, whichever came first. (Only such records linked from the version read: one whose new version landed
    while the run read is the next run's, as any other.)"""
    holders = features.join(fresh.to_frame("record_id"), on="record_id", how="semi").filter(
        pl.col("uscc_valid") & pl.col("core").is_not_null()
    )
    if not holders.height:
        return fresh
    keys = holders.select(name_holder_key().alias("key")).unique()
    others = features.filter(pl.col("uscc").is_null() & ~pl.col("record_id").is_in(fresh.implode()))
    also = others.with_columns(name_holder_key().alias("key")).join(keys, on="key", how="semi")
    if not also.height:
        return fresh
    read = dict(zip(also["record_id"].to_list(), also["record_version_id"].to_list(), strict=True))
    linked = {
        record: version
        for part in among(session, EntityLink.record_id, list(read))
        for record, version in session.execute(select(EntityLink.record_id, EntityLink.record_version_id).where(part))
    }
    same = [record for record, version in read.items() if linked.get(record) == version]
    return pl.concat([fresh, pl.Series(fresh.name, same, dtype=fresh.dtype)]) if same else fresh


def _store_edges(session: Session, edges: pl.DataFrame, fresh: pl.Series, run_id: int) -> int:
    """Replace the edges of the records scored again with the new ones."""
    ids = fresh.to_list()
    for side in (ResolveEdge.record_id_l, ResolveEdge.record_id_r):
        for condition in among(session, side, ids):
            session.execute(delete(ResolveEdge).where(condition))
    rows = edges.select(
        "record_id_l", "record_id_r", "how", "probability", "weight", "why", pl.lit(run_id).alias("run_id")
    ).rows()
    columns = ("record_id_l", "record_id_r", "how", "probability", "weight", "why", "run_id")
    bulk_insert(session, ResolveEdge, columns, rows)
    return len(rows)
