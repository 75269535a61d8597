"""How fast the audit trail grows and verifies: append N events, then walk and check the whole chain.

Appends go through `zhizhi.access.audit.record` in transactions of `--batch` events, as the app writes them;
the check is `zhizhi.access.audit.verify`. Each step runs in a fresh process started from this small one, so
that the verifier's peak memory (ru_maxrss) is its own: Linux carries a process's peak across fork and exec.

    python bench/audit_chain.py                       # a temporary SQLite file, 100,000 events
    python bench/audit_chain.py --events 10000
    python bench/audit_chain.py --database-url postgresql://postgres@127.0.0.1:5432/zhizhi_bench

A `--database-url` must name an empty, throwaway database: the trail is append-only, so the events this
writes can never be removed from it. The script refuses a database that already holds audit events.
"""

from __future__ import annotations

import argparse
import multiprocessing
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

# zhizhi, SQLAlchemy and the drivers are imported inside the steps, so that this process stays small.

T = TypeVar("T")


@dataclass(frozen=True)
class VerifyRun:
    """One pass of `audit.verify` in its own process."""

    seconds: float
    events: int
    ok: bool
    peak_rss_kib: int
    walk_start_kib: int | None
    walk_peak_kib: int | None


def main() -> None:
    args = _parse_args()
    with tempfile.TemporaryDirectory(prefix="zhizhi-bench-") as scratch:
        url = args.database_url or f"sqlite:///{Path(scratch) / 'zhizhi.db'}"
        backend = _isolated(_prepare, url)
        print(f"{backend}: appending {args.events:,} events in transactions of {args.batch:,}", file=sys.stderr)
        append_seconds = _isolated(_append, url, args.events, args.batch)
        check = _isolated(_verify, url)
    if not check.ok or check.events != args.events:
        sys.exit(f"verify found {check.events:,} sound events of {args.events:,}: the chain is broken")
    _report(backend, args.events, args.batch, append_seconds, check)


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Append audit events, then verify the chain; print the timings.")
    parser.add_argument("--events", type=int, default=100_000, help="events to append (default 100,000)")
    parser.add_argument("--batch", type=int, default=1_000, help="events per transaction (default 1,000)")
    parser.add_argument(
        "--database-url",
        help="an empty throwaway database (default: a temporary SQLite file); postgresql:// uses psycopg 3",
    )
    args = parser.parse_args()
    if args.events < 1 or args.batch < 1:
        parser.error("--events and --batch must be positive")
    return args


def _isolated(step: Callable[..., T], *args: object) -> T:
    """Run one step in a new interpreter and return its result."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(step, *args).result()


def _prepare(url: str) -> str:
    """Migrate the database to head and make sure its trail is empty; returns the backend's name."""
    from sqlalchemy import func, inspect, select

    from zhizhi.store import make_engine, upgrade
    from zhizhi.store.tables import AuditEvent

    engine = make_engine(_normalized(url))
    try:
        if inspect(engine).has_table(AuditEvent.__tablename__):
            with engine.connect() as connection:
                existing = connection.scalar(select(func.count()).select_from(AuditEvent))
            if existing:
                sys.exit(f"the database already holds {existing:,} audit events: give an empty, throwaway database")
        upgrade(engine)
        return engine.dialect.name
    finally:
        engine.dispose()


def _append(url: str, events: int, batch: int) -> float:
    from zhizhi.access import Actor, audit
    from zhizhi.store import make_engine, make_sessionmaker

    actor = Actor.operator("bench")
    engine = make_engine(_normalized(url))
    sessions = make_sessionmaker(engine)
    started = time.perf_counter()
    done = 0
    while done < events:
        size = min(batch, events - done)
        with sessions() as session, session.begin():
            for i in range(done, done + size):
                audit.record(session, actor, "bench.event", object_type="bench", object_id=i, detail={"i": i})
        done += size
    seconds = time.perf_counter() - started
    engine.dispose()
    return seconds


def _verify(url: str) -> VerifyRun:
    from zhizhi.access import audit
    from zhizhi.store import make_engine, make_sessionmaker

    engine = make_engine(_normalized(url))
    sessions = make_sessionmaker(engine)
    with engine.connect():
        pass  # connect before measuring: the walk's memory is what this is about
    import_peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start_kib = _reset_peak()
    started = time.perf_counter()
    with sessions() as session, session.begin():
        report = audit.verify(session)
    seconds = time.perf_counter() - started
    walk_peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss if start_kib is not None else None
    engine.dispose()
    peak_kib = max(import_peak_kib, walk_peak_kib or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return VerifyRun(seconds, report.events, report.ok, peak_kib, start_kib, walk_peak_kib)


def _reset_peak() -> int | None:
    """Reset the process's high-water mark of resident memory (Linux); returns the resident size now, in KiB.

    Importing zhizhi peaks higher than a short walk needs, which would hide the walk in ru_maxrss; after the
    reset, ru_maxrss reports the peak since this moment.
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _proc_status_kib("VmRSS")
    except OSError:
        return None


def _proc_status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise OSError(f"no `{field}` in /proc/self/status")


def _normalized(url: str) -> str:
    from zhizhi.config import normalize_database_url

    return normalize_database_url(url)


def _report(backend: str, events: int, batch: int, append_seconds: float, check: VerifyRun) -> None:
    walk = "n/a (no /proc/self/clear_refs)"
    if check.walk_start_kib is not None and check.walk_peak_kib is not None:
        start, peak = check.walk_start_kib / 1024, check.walk_peak_kib / 1024
        walk = f"{peak:,.0f} MiB  ({start:,.0f} MiB at start, +{peak - start:,.1f})"
    rows = [
        ("backend", backend),
        ("events", f"{events:,}"),
        ("events per transaction", f"{batch:,}"),
        ("append", f"{append_seconds:,.1f} s  ({events / append_seconds:,.0f} events/s)"),
        ("verify", f"{check.seconds:,.1f} s  ({events / check.seconds:,.0f} events/s)"),
        ("verify peak RSS", f"{check.peak_rss_kib / 1024:,.0f} MiB  (ru_maxrss, imports included)"),
        ("peak RSS during the walk", walk),
        ("python", f"{platform.python_version()} ({platform.machine()})"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
