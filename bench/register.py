"""The register end to end, as `zhizhi resolve` runs it on the store: three departments' exports ingested into a
fresh SQLite (or PostgreSQL) workspace, a full resolution run, then a batch of new rows ingested and resolved
incrementally. The engine alone (frames in memory) is measured by bench/resolve.py; this adds reading the records
from the store, preparing every subject, clustering the whole register and writing links and golden records.

    python bench/register.py --entities 100000 --new 10000 [--database-url postgresql://...] [--work DIR]
    python bench/register.py --steps incremental --work DIR --repeat 3   # SQLite: the incremental run again

Prints a JSON line per step (wall seconds, CPU seconds, peak MiB of the process) and the register's size. Each
resolution run is a process of its own, so its peak is the run's (imports included), not the generator's or the
ingest's.
With `--work`, the workspace is kept there, with a copy of it as it stood just before the incremental run
(`DIR/before-incremental/`; on PostgreSQL also a database `NAME_before_incremental` made from it as a template), so
that `--steps incremental` measures that run again without ingesting and resolving everything first.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import multiprocessing
import os
import resource
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from resolve_data import generate  # noqa: E402

from zhizhi.access.departments import create_department  # noqa: E402
from zhizhi.access.roles import Actor  # noqa: E402
from zhizhi.codes import install_builtin  # noqa: E402
from zhizhi.config import init_workspace, load_workspace  # noqa: E402
from zhizhi.config.models import ResolveConfig  # noqa: E402
from zhizhi.delivery import Outbox  # noqa: E402
from zhizhi.ingest.pipeline import ingest_file  # noqa: E402
from zhizhi.resolve.cache import features_cache  # noqa: E402
from zhizhi.resolve.run import resolve  # noqa: E402
from zhizhi.sources.config import parse_source  # noqa: E402
from zhizhi.store import make_engine, make_sessionmaker, upgrade  # noqa: E402

HEADER = ["统一社会信用代码", "注册号", "企业名称", "住所", "法定代表人", "联系电话"]
SOURCE = """\
name: {name}
department: BENCH
record_type: entity
default_prefecture: "450200"
default_area_code: "0772"
fields:
  uscc: 统一社会信用代码
  reg_no: 注册号
  name: 企业名称
  address: 住所
  legal_representative: 法定代表人
  phone: 联系电话
"""
OPERATOR = Actor.operator("bench")


def step(name: str, started: float, cpu: float, **figures: object) -> None:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "step": name,
                "wall_s": round(time.perf_counter() - started, 2),
                "cpu_s": round(usage.ru_utime + usage.ru_stime - cpu, 2),
                "peak_mib": round(peak_kib() / 1024),
                **figures,
            },
            ensure_ascii=False,
        ),
        flush=True,
    )


def peak_kib() -> int:
    """The process's peak resident memory: VmHWM where Linux gives it (a process started afresh counts from zero,
    where ru_maxrss would carry its parent's peak across exec), ru_maxrss elsewhere."""
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def cpu_now() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def write_exports(records: pl.DataFrame, folder: Path, tag: str) -> dict[str, Path]:
    paths = {}
    for source in records["source"].unique().sort().to_list():
        path = folder / f"{source}-{tag}.csv"
        rows = records.filter(pl.col("source") == source).select(
            "uscc", "reg_no", "name", "address", "legal_representative", "phone"
        )
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADER)
            writer.writerows(["" if v is None else v for v in row] for row in rows.iter_rows())
        paths[source] = path
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=10_000, help="new rows in the incremental batch")
    parser.add_argument("--database-url", default=None, help="a PostgreSQL URL (default: a SQLite file)")
    parser.add_argument("--work", type=Path, default=None, help="keep the SQLite workspace here (default: a temp dir)")
    parser.add_argument("--steps", default="all", choices=["all", "incremental"])
    parser.add_argument("--repeat", type=int, default=1, help="incremental runs, each from the same snapshot")
    args = parser.parse_args()
    if args.steps == "incremental":
        again(args.work, args.repeat)
        return
    work = args.work or Path(tempfile.mkdtemp(prefix="zhizhi-bench-register-"))
    workspace = init_workspace(work / "ws", name="bench")
    engine = make_engine(args.database_url or workspace.database_url)
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    with sessions() as session, session.begin():
        install_builtin(session, OPERATOR)
        create_department(session, OPERATOR, code="BENCH", name="基准测试", kind="bureau", division_code="450200")

    everything = generate(args.entities)
    shuffled = everything.sample(fraction=1.0, shuffle=True, seed=5)
    later = shuffled.head(args.new)
    first = shuffled.tail(everything.height - args.new)
    print(
        json.dumps({"entities": args.entities, "rows": everything.height, "first": first.height, "new": later.height})
    )

    def ingest(frame: pl.DataFrame, tag: str) -> None:
        started, cpu = time.perf_counter(), cpu_now()
        read = accepted = 0
        for source, path in write_exports(frame, work, tag).items():
            config = parse_source(SOURCE.format(name=source), f"sources/{source}.yaml")
            with sessions() as session, session.begin():
                result = ingest_file(session, OPERATOR, config, path, today=date(2026, 11, 28), outbox=Outbox())
                read += result.batch.rows_read
                accepted += result.batch.rows_accepted
        step(f"ingest {tag}", started, cpu, rows_read=read, rows_accepted=accepted)

    ingest(first, "first")
    url = args.database_url or workspace.database_url
    run(url, workspace.root, "full")
    run(url, workspace.root, "again, nothing new")
    ingest(later, "new")
    if args.work is not None:
        engine.dispose()
        shutil.copytree(workspace.root / "data", work / "before-incremental", dirs_exist_ok=True)
        if args.database_url:
            (work / "before-incremental" / "database-url").write_text(args.database_url)
            copy_database(args.database_url, reverse=False)
    run(url, workspace.root, "incremental")
    engine.dispose()
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


def run(url: str, root: Path, tag: str) -> None:
    """One resolution run in a process of its own (its peak memory is the run's, not the generator's)."""
    child = multiprocessing.get_context("spawn").Process(target=_run, args=(url, root, tag))
    child.start()
    child.join()
    if child.exitcode != 0:
        sys.exit(f"the run '{tag}' failed (exit code {child.exitcode})")


def _run(url: str, root: Path, tag: str) -> None:
    """One resolution run, timed, with the seconds of each of its stages."""
    engine = make_engine(url)
    started, cpu = time.perf_counter(), cpu_now()
    marks: list[tuple[str, float]] = []
    with make_sessionmaker(engine)() as session, session.begin():
        report = resolve(
            session,
            OPERATOR,
            ResolveConfig(),
            progress=lambda s: marks.append((s, time.perf_counter())),
            cache=features_cache(root),
        )
    marks.append(("commit", time.perf_counter()))
    engine.dispose()
    parts = {a[0].split(" ")[0]: round(b[1] - a[1], 2) for a, b in itertools.pairwise(marks)}
    step(f"resolve {tag}", started, cpu, **report.as_dict(), seconds_by_stage=parts, load=os.getloadavg()[0])


def again(work: Path | None, repeat: int) -> None:
    """The incremental run again from the snapshot a full `--work` run left."""
    if work is None or not (work / "before-incremental").is_dir():
        sys.exit("--steps incremental needs --work DIR where a full SQLite run left DIR/before-incremental/")
    root = work / "ws"
    kept_url = work / "before-incremental" / "database-url"
    url = kept_url.read_text() if kept_url.is_file() else load_workspace(root).database_url
    for _ in range(repeat):
        shutil.rmtree(root / "data")
        shutil.copytree(work / "before-incremental", root / "data")
        if kept_url.is_file():
            copy_database(url, reverse=True)
        run(url, root, "incremental")


def copy_database(url: str, *, reverse: bool) -> None:
    """PostgreSQL: keep a copy of the database as a template (or make the database again from it)."""
    from sqlalchemy import make_url, text

    name = make_url(url).database
    kept = f"{name}_before_incremental"
    source, target = (kept, name) if reverse else (name, kept)
    admin = make_engine(make_url(url).set(database="postgres").render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname IN (:a, :b)"),
            {"a": source, "b": target},
        )
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target}"'))
        connection.execute(text(f'CREATE DATABASE "{target}" TEMPLATE "{source}"'))
    admin.dispose()


if __name__ == "__main__":
    main()
