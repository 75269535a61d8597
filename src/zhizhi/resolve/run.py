"""A resolution run: read every record's subject, score what is new against the register, cluster, keep ids stable,
and write links, golden records and pairs for review — in the caller's transaction, so a failure leaves nothing.

Incremental: a record is scored when it is new or its version changed since it was linked; the edges scored before
are kept, and only the components of the evidence that this run's changes reach are clustered again (see scope.py),
so a batch costs what it touches, not what the register holds. A run with other thresholds or survivorship rules
than the last one clusters everything again and rewrites every golden record. The model trained on the first run
(from pairs that share a credit code) is kept with the run and reused, so that re-running is deterministic;
`retrain` trains it again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import polars as pl
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from zhizhi.access import Actor, audit
from zhizhi.access.roles import require
from zhizhi.config.models import ResolveConfig
from zhizhi.ingest.bulk import bulk_insert
from zhizhi.resolve.engine import Model, Thresholds, cluster, prepare, score_pairs
from zhizhi.resolve.identity import Assignment, assign
from zhizhi.resolve.scope import Evidence, scope
from zhizhi.resolve.subjects import SCHEMA, current_versions, load_subjects
from zhizhi.resolve.write import changed_links, queue_review, write_entities, write_links
from zhizhi.store.frames import among, frame
from zhizhi.store.tables import (
    Entity,
    ResolveDecision,
    ResolveEdge,
    ResolveRun,
)
from zhizhi.store.types import utcnow

log = logging.getLogger("zhizhi.resolve")
RESOLVE_LOCK = 7_405_000_002  # the advisory lock key that serialises resolution runs on PostgreSQL
Progress = Callable[[str], None]
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
    that keeps every record's prepared features between runs (checked against the records' versions, so a stale
    or foreign cache only costs preparing again).
    """
    require(actor, "data.write")
    say = progress or (lambda _: None)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": RESOLVE_LOCK})
    now = utcnow()
    thresholds = Thresholds(match=config.match_probability, review=config.review_probability)
    say("reading records")
    current, existing, fresh = _read(session)
    settings = json.dumps({"thresholds": asdict(thresholds), "survivorship": config.survivorship.model_dump()})
    last = session.scalar(select(ResolveRun.settings).order_by(ResolveRun.id.desc()).limit(1))
    everything = existing.is_empty() or last != settings  # else only what this run's changes reach
    run = ResolveRun(
        started_at=now, started_by=actor.name, records_read=current.height, records_new=fresh.len(), settings=settings
    )
    run.edges_new = run.entities_new = run.entities_merged = run.review_new = 0
    session.add(run)
    session.flush()
    say("preparing")
    prepared = _features(session, current, cache)
    features = prepared.features
    model = _model(session, features, retrain)
    run.model = model.to_json()
    say(f"scoring {fresh.len():,} new or changed records")
    edges = score(features, new_ids=fresh, thresholds=thresholds, model=model) if fresh.len() else None
    if edges is not None:
        run.edges_new = _store_edges(session, edges, fresh, run.id)
    say("clustering")
    evidence = _evidence(session)
    moved = features["record_id"] if everything else _reached(features, existing, fresh, edges, evidence, thresholds)
    assignment = _assign(session, features, existing, moved, evidence, thresholds)
    say(f"writing the register ({moved.len():,} records reconsidered)")
    changed = changed_links(session, assignment, current, existing, moved, evidence)
    before = existing.join(changed.select("record_id"), on="record_id")["entity_id"]
    touched = {*changed["entity_id"].to_list(), *before.to_list(), *assignment.merged.values()}
    if everything:
        touched |= set(assignment.links["entity_id"].unique().to_list())
    present = write_entities(session, assignment, touched, config, prepared.subjects)  # first: links point at them
    write_links(session, changed, assignment, present, run.id)
    run.entities_new, run.entities_merged = len(assignment.new), len(assignment.merged)
    if edges is not None:
        run.review_new = queue_review(session, edges, thresholds, run.id)
    run.finished_at = utcnow()
    entities = assignment.links["entity_id"].n_unique()
    new, merged, review = run.entities_new, run.entities_merged, run.review_new
    report = RunReport(
        run.id, run.records_read, run.records_new, run.edges_new, entities, new, merged, review, moved.len()
    )
    audit.record(
        session, actor, "register.resolve", object_type="resolve_run", object_id=run.id, detail=report.as_dict()
    )
    if prepared.cache_written is not None:
        prepared.cache_written.result()
    return report


def _read(session: Session) -> tuple[pl.DataFrame, pl.DataFrame, pl.Series]:
    """Every record's current version, the register's links as they stand, and the records new or changed since
    they were linked."""
    versions = current_versions(session)
    current = versions.select("record_id", "record_version_id")
    existing = versions.filter(pl.col("entity_id").is_not_null()).select(
        "record_id", pl.col("linked_version_id").alias("record_version_id"), "entity_id", "first_entity_id"
    )
    fresh = current.join(existing, on=["record_id", "record_version_id"], how="anti")["record_id"]
    return current, existing, fresh


def _reached(
    features: pl.DataFrame,
    existing: pl.DataFrame,
    fresh: pl.Series,
    edges: pl.DataFrame | None,
    evidence: Evidence,
    thresholds: Thresholds,
) -> pl.Series:
    """The records an incremental run clusters again: what its new and changed records and new strong pairs reach."""
    ends = [fresh]
    if edges is not None:
        strong = edges.filter(pl.col("probability") >= thresholds.match)
        ends += [strong["record_id_l"], strong["record_id_r"]]
    seeds = pl.concat([end.cast(pl.Int64) for end in ends])
    return scope(features["record_id"], existing, seeds, evidence, thresholds.match)


def features_cache(root: Path) -> Path:
    """Where a workspace keeps its records' prepared features between runs."""
    return root / "data" / "resolve-features.parquet"


@dataclass
class _Prepared:
    """Every record's prepared features, the subjects read to prepare them (golden records need them too), and the
    features cache being written again."""

    features: pl.DataFrame
    subjects: pl.DataFrame
    cache_written: Future[None] | None


def _features(session: Session, current: pl.DataFrame, cache: Path | None) -> _Prepared:
    """Every record's prepared features: from `cache` where the record's version is the one cached, prepared now
    for the rest (preparing depends on the record alone); the cache is written again if it changed."""
    versions = ["record_id", "record_version_id"]
    kept = pl.DataFrame(schema={"record_id": pl.Int64, "record_version_id": pl.Int64})
    if cache is not None and cache.is_file():
        try:
            kept = pl.read_parquet(cache).join(current, on=versions, how="semi")
        except (OSError, pl.exceptions.PolarsError):
            log.warning("the cache of prepared features %s does not read; preparing every record", cache)
    ids = current.join(kept.select(versions), on=versions, how="anti")["record_id"].to_list()
    if not ids:
        return _Prepared(kept.drop("record_version_id"), pl.DataFrame(schema=SCHEMA), None)
    subjects = load_subjects(session, ids if not kept.is_empty() else None)
    features = _prepare(subjects)
    if not kept.is_empty():
        if kept.columns == features.columns:
            features = pl.concat([kept, features]).sort("record_id")
        else:  # a cache written by another version of the engine
            subjects = load_subjects(session, None)
            features = _prepare(subjects)
    written = _write_cache(features, cache) if cache is not None else None
    return _Prepared(features.drop("record_version_id"), subjects, written)


def _prepare(subjects: pl.DataFrame) -> pl.DataFrame:
    """Prepared features with each record's version, in record id order."""
    versions = subjects.select("record_id", "record_version_id")
    return prepare(subjects).join(versions, on="record_id").sort("record_id")


def _write_cache(features: pl.DataFrame, cache: Path) -> Future[None]:
    """Write the cache in the background while the run goes on (polars writes without holding the GIL); under
    a temporary name first, so a run that stops half-way leaves the old cache whole."""

    def write() -> None:
        partial = cache.with_suffix(".tmp")
        features.write_parquet(partial)
        partial.replace(cache)

    background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zhizhi-features-cache")
    written = background.submit(write)
    background.shutdown(wait=False)
    return written


def _assign(
    session: Session,
    features: pl.DataFrame,
    existing: pl.DataFrame,
    moved: pl.Series,
    evidence: Evidence,
    thresholds: Thresholds,
) -> Assignment:
    """Cluster the `moved` records on all the kept evidence and the stewards' decisions, and name the clusters;
    every other record keeps its entity."""
    clusters = cluster(
        moved,
        evidence.edges,
        uscc=features.select("record_id", "uscc").join(moved.to_frame("record_id"), on="record_id", how="semi"),
        must_link=evidence.must_link,
        cannot_link=evidence.cannot_link,
        thresholds=thresholds,
    )
    next_id = (session.scalar(select(func.max(Entity.id))) or 0) + 1
    merged_away = set(session.scalars(select(Entity.id).where(Entity.status == "merged")))
    inside = existing.join(moved.to_frame("record_id"), on="record_id", how="semi")
    named = assign(clusters, inside.select("record_id", "entity_id", "first_entity_id"), next_id, merged_away)
    kept = existing.join(moved.to_frame("record_id"), on="record_id", how="anti").select("record_id", "entity_id")
    return Assignment(pl.concat([kept, named.links]).sort("record_id"), named.new, named.merged)


def _model(session: Session, features: pl.DataFrame, retrain: bool) -> Model:
    if not retrain:
        stored = session.scalar(
            select(ResolveRun.model).where(ResolveRun.model.is_not(None)).order_by(ResolveRun.id.desc()).limit(1)
        )
        if stored:
            return Model.from_json(stored)
    return Model.train(features)


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


def _evidence(session: Session) -> Evidence:
    edges = frame(
        session,
        select(ResolveEdge.record_id_l, ResolveEdge.record_id_r, ResolveEdge.how, ResolveEdge.probability),
        {"record_id_l": pl.Int64, "record_id_r": pl.Int64, "how": pl.String, "probability": pl.Float64},
    )
    return Evidence(
        edges,
        must_link=_decided(session, "merge", undone=False),
        cannot_link=_decided(session, "apart", undone=False),
        undone_merges=_decided(session, "merge", undone=True),
        undone_aparts=_decided(session, "apart", undone=True),
    )


def _decided(session: Session, kind: str, *, undone: bool) -> pl.DataFrame:
    query = select(ResolveDecision.record_id_l, ResolveDecision.record_id_r).where(ResolveDecision.kind == kind)
    query = query.where(ResolveDecision.undone_at.is_not(None) if undone else ResolveDecision.undone_at.is_(None))
    return frame(session, query, {"record_id_l": pl.Int64, "record_id_r": pl.Int64})
