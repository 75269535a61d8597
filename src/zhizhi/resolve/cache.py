"""Every record's prepared features, kept between runs in a parquet file of the workspace.

Preparing depends on the record alone, so a run prepares only the records it has no features for. The file carries
the stamp of the run that wrote it (its id and start). A run trusts the file without reading the register's
versions when that stamp is the last run that found new or changed records: that run linked every record at the
version the file holds, and a record changed since is one the run finds fresh. Otherwise (another workspace's file,
a run without the cache since, a copy restored from elsewhere) every record's version is checked against the file,
so a stale or foreign cache costs only time. A file written by another release of zhizhi is not used at all.

Retention's erasure changes a version in place: it drops the erased records' rows from the file and stamps it as no
run's (`forget`), so the next run checks versions and prepares those records again from the erased data.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi import __version__
from zhizhi.resolve.engine import prepare
from zhizhi.resolve.subjects import SCHEMA, current_versions, load_subjects
from zhizhi.store.tables import ResolveRun

log = logging.getLogger("zhizhi.resolve")
ERASED = "erased"  # the stamp of a file retention rewrote: no run's, so never trusted
STAMP = "zhizhi.resolve.run"  # the parquet metadata key that holds the stamp
RELEASE = "zhizhi.version"  # and the one that holds the release of zhizhi that wrote the file
VERSIONS = ["record_id", "record_version_id"]


def features_cache(root: Path) -> Path:
    """Where a workspace keeps its records' prepared features between runs."""
    return root / "data" / "resolve-features.parquet"


def stamp(run: ResolveRun) -> str:
    """A run's stamp: its id and start (a run rolled back may leave its id to the next one, never its start)."""
    return f"{run.id}@{run.started_at.isoformat()}"


def last_stamp(session: Session) -> str | None:
    """The stamp of the last run that found new or changed records: the cache it wrote holds every record."""
    run = session.scalars(
        select(ResolveRun).where(ResolveRun.records_new > 0).order_by(ResolveRun.id.desc()).limit(1)
    ).first()
    return stamp(run) if run is not None else None


@dataclass
class Prepared:
    """Every record's prepared features at the version read (record_version_id), the subjects read to prepare them
    (golden records need them too), and the cache being written again."""

    features: pl.DataFrame
    subjects: pl.DataFrame
    cache_written: Future[None] | None


def prepared(session: Session, fresh: pl.Series, cache: Path | None, *, trusted: str | None, now: str) -> Prepared:
    """Every record's prepared features: from `cache` where it holds the record's version, prepared now for the rest
    (the records `fresh` at least). `trusted`: the stamp the cache must carry to be taken without checking versions;
    `now`: this run's stamp, written with the cache if it changed."""
    kept, cached_stamp = _read(cache)
    if kept.is_empty():
        todo: list[int] | None = None  # everything
    elif trusted is not None and cached_stamp == trusted:
        kept = kept.filter(~pl.col("record_id").is_in(fresh.implode()))
        todo = fresh.to_list()
    else:
        current = current_versions(session).select(VERSIONS)
        kept = kept.join(current, on=VERSIONS, how="semi")
        todo = current.join(kept.select(VERSIONS), on=VERSIONS, how="anti")["record_id"].to_list()
    if todo is not None and not todo:
        return Prepared(kept, pl.DataFrame(schema=SCHEMA), None)
    subjects = load_subjects(session, todo)
    features = _prepare(subjects)
    if not kept.is_empty():
        if kept.columns == features.columns:
            features = pl.concat([kept, features]).sort("record_id")
        else:  # a cache written by another version of the engine
            subjects = load_subjects(session, None)
            features = _prepare(subjects)
    written = _write(features, cache, now) if cache is not None else None
    return Prepared(features, subjects, written)


def forget(cache: Path, record_ids: list[int]) -> int:
    """Drop these records' features from the cache (their personal data was erased); a file that does not read is
    deleted. Returns how many rows were dropped."""
    if not record_ids or not cache.is_file():
        return 0
    kept, _ = _read(cache)
    if kept.is_empty():
        cache.unlink(missing_ok=True)  # another release's, or unreadable: rebuilt by the next run
        return 0
    left = kept.filter(~pl.col("record_id").is_in(record_ids))
    if left.height != kept.height:
        partial = cache.with_suffix(".tmp")
        left.write_parquet(partial, metadata={STAMP: ERASED, RELEASE: __version__})
        partial.replace(cache)
    return kept.height - left.height


def _read(cache: Path | None) -> tuple[pl.DataFrame, str | None]:
    """The cached features and their stamp; nothing from a file that does not read or that another release of
    zhizhi wrote (it may prepare features otherwise)."""
    empty = pl.DataFrame(schema={"record_id": pl.Int64, "record_version_id": pl.Int64})
    if cache is None or not cache.is_file():
        return empty, None
    try:
        metadata = pl.read_parquet_metadata(cache)
        if metadata.get(RELEASE) != __version__:
            log.info("the cache of prepared features %s is another release's; preparing every record", cache)
            return empty, None
        return pl.read_parquet(cache), metadata.get(STAMP)
    except (OSError, pl.exceptions.PolarsError):
        log.warning("the cache of prepared features %s does not read; preparing every record", cache)
        return empty, None


def _prepare(subjects: pl.DataFrame) -> pl.DataFrame:
    """Prepared features with each record's version, in record id order."""
    versions = subjects.select(VERSIONS)
    return prepare(subjects).join(versions, on="record_id").sort("record_id")


def _write(features: pl.DataFrame, cache: Path, now: str) -> Future[None]:
    """Write the cache in the background while the run goes on (polars writes without holding the GIL); under
    a temporary name first, so a run that stops half-way leaves the old cache whole."""

    def write() -> None:
        partial = cache.with_suffix(".tmp")
        features.write_parquet(partial, metadata={STAMP: now, RELEASE: __version__})
        partial.replace(cache)

    background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zhizhi-features-cache")
    written = background.submit(write)
    background.shutdown(wait=False)
    return written
