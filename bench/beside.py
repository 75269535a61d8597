"""Small ingests beside a sending worker: `zhizhi ingest` of a 50-row file every second while `zhizhi worker` runs.

What a department sees on the embedded default when its exports trickle in while the outbox is being drained:
how long each `zhizhi ingest` takes, whether any fails, and how long its records take to be acknowledged by the
platform. One store (a fresh SQLite file, or with `--database-url` a throwaway PostgreSQL database) is migrated
and given the built-in code lists and the demo city, with `--backlog` records already owed (default none). Then
one `zhizhi worker` process (the target's defaults, poll 0.5 s unless `--poll`) runs while, every
`--interval` seconds, a new `zhizhi ingest` process (`--files` of them, each `--rows` new entity rows, as a
department's CLI call does) starts, whether or not the previous one has finished. The platform is a real HTTP
server in its own process (the delivery bench's receiver).

zhizhi's modules are byte-compiled first, as an installed package is. Measured: each ingest's wall time and exit
code (stdout and stderr kept for any failure); per record, from the start of its ingest to the moment its
acknowledgement is visible in the store (polled every 50 ms by a separate reader). Reported: p50 / p99 / max of both,
failures, and the load average. The target (issue 15 §4): on SQLite, ingest -> acknowledged p99 under 2 s and
no failed ingest.

    python bench/beside.py                                   # SQLite, 30 files of 50 rows, one a second
    python bench/beside.py --backlog 20000                   # while the worker drains 20,000 owed records
    python bench/beside.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from delivery import (  # noqa: E402  (the delivery bench's rows, target, receiver and stores)
    SOURCE_YAML,
    TARGET,
    TODAY,
    Stores,
    demo_city_store,
    entity_rows,
    isolated,
    load_average,
    machine,
    owing,
    percentiles,
    receiver,
    write_csv,
    write_target,
    zhizhi_commit,
)


def prepare(url: str, backlog_csv: str | None) -> int:
    """The delivery bench's store (code lists, the demo city) with the backlog owed (not measured)."""
    from zhizhi.access import Actor
    from zhizhi.ingest.pipeline import ingest_file
    from zhizhi.sources.config import parse_source

    engine, sessions = demo_city_store(url)
    owed = 0
    if backlog_csv is not None:
        source = parse_source(SOURCE_YAML, "bench_delivery.yaml")
        with sessions() as session, session.begin():
            result = ingest_file(
                session, Actor.operator("bench"), source, Path(backlog_csv), today=TODAY, **owing(True)
            )
            owed = result.batch.rows_accepted
    engine.dispose()
    return owed


@dataclass
class Ingest:
    file: str
    started: float  # Unix time the process was started
    seconds: float = 0.0
    exit_code: int | None = None
    output: str = ""
    batch_id: int | None = None


@dataclass
class Watch:
    """Polls the store for acknowledged deliveries of the ingested batches; keeps when each was first seen."""

    url: str
    seen: dict[int, tuple[int, float]] = field(default_factory=dict)  # delivery id -> (batch id, first seen)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        from sqlalchemy import create_engine, select

        from zhizhi.store import make_engine
        from zhizhi.store.tables import Delivery

        # A plain reader: on SQLite not through zhizhi's engine, whose transactions take the writer lock.
        engine = create_engine(self.url) if self.url.startswith("sqlite") else make_engine(self.url)
        query = select(Delivery.id, Delivery.batch_id).where(Delivery.status == "acknowledged")
        try:
            while not self.stop.is_set():
                newest = max(self.seen, default=0)
                with engine.connect() as connection:
                    rows = connection.execute(query.where(Delivery.id > newest - 5_000)).all()
                now = time.time()
                for delivery_id, batch_id in rows:
                    self.seen.setdefault(delivery_id, (batch_id or 0, now))
                time.sleep(0.05)
        finally:
            engine.dispose()


def batch_of(url: str, file_name: str) -> int | None:
    from sqlalchemy import create_engine, select

    from zhizhi.store import make_engine
    from zhizhi.store.tables import Batch

    engine = create_engine(url) if url.startswith("sqlite") else make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(Batch.id).where(Batch.file_name == file_name))
    finally:
        engine.dispose()


def run(args: argparse.Namespace, folder: Path, root: Path, stores: Stores) -> dict[str, Any]:
    rows = entity_rows(args.backlog + args.files * args.rows)
    backlog_csv = str(write_csv(folder / "backlog.csv", rows[: args.backlog])) if args.backlog else None
    files = []
    for n in range(args.files):
        start = args.backlog + n * args.rows
        files.append(write_csv(folder / f"small_{n:03d}.csv", rows[start : start + args.rows]))
    url = stores.create("beside")
    owed = isolated(prepare, url, backlog_csv)
    (root / "sources").mkdir(exist_ok=True)
    (root / "sources" / "bench_delivery.yaml").write_text(SOURCE_YAML, encoding="utf-8")
    command = Path(sys.executable).parent / "zhizhi"
    argv = [str(command)] if command.exists() else [sys.executable, "-m", "zhizhi"]
    env = os.environ | {"ZHIZHI_DATABASE_URL": url}
    ingests: list[Ingest] = []
    watch = Watch(url)
    watcher = threading.Thread(target=watch.run, daemon=True)
    load = load_average()
    with receiver() as platform_:
        write_target(root, platform_.url, None)
        worker_argv = [*argv, "-w", str(root), "worker", "--quiet"]
        if args.poll is not None:
            worker_argv += ["--poll", str(args.poll)]
        worker = subprocess.Popen(worker_argv, env=env, stdin=subprocess.DEVNULL)
        watcher.start()
        try:
            time.sleep(args.warmup)
            ingests = ingest_each_second(args, files, [*argv, "-w", str(root), "ingest", "bench_delivery"], env)
            wait_for_acknowledgements(url, ingests, watch, args.files * args.rows, args.timeout)
            receiver_stats = platform_.stats()
        finally:
            watch.stop.set()
            watcher.join(timeout=10)
            worker.terminate()
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
    for ingest in ingests:
        ingest.batch_id = batch_of(url, ingest.file)
    started = {i.batch_id: i.started for i in ingests if i.batch_id is not None}
    to_ack = [seen - started[b] for b, seen in list(watch.seen.values()) if b in started]
    failures = [i for i in ingests if i.exit_code != 0]
    stores.drop("beside")
    return {
        "backend": stores.backend,
        "files": args.files,
        "rows": args.rows,
        "interval": args.interval,
        "backlog": owed,
        "load_start": load,
        "load_end": load_average(),
        "ingest_seconds": percentiles([i.seconds for i in ingests]),
        "to_acknowledged_seconds": percentiles(to_ack),
        "acknowledged": len(to_ack),
        "expected": args.files * args.rows,
        "failures": [{"file": i.file, "exit": i.exit_code, "output": i.output[-2000:]} for i in failures],
        "receiver": receiver_stats,
    }


def ingest_each_second(
    args: argparse.Namespace, files: list[Path], command: list[str], env: dict[str, str]
) -> list[Ingest]:
    """Start `command FILE --json` for each file, one every `--interval` seconds; return when all have ended."""
    ingests: list[Ingest] = []
    waiting: list[threading.Thread] = []
    began = time.monotonic()
    for n, path in enumerate(files):
        time.sleep(max(0.0, began + n * args.interval - time.monotonic()))
        ingest = Ingest(path.name, time.time())
        process = subprocess.Popen(
            [*command, str(path), "--json"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        waiting.append(threading.Thread(target=_wait, args=(ingest, process), daemon=True))
        waiting[-1].start()
        ingests.append(ingest)
    for thread in waiting:
        thread.join()
    return ingests


def wait_for_acknowledgements(url: str, ingests: list[Ingest], watch: Watch, expected: int, timeout: float) -> None:
    """Until the watch has seen `expected` acknowledgements of the ingests' batches, or `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batches = {b for b in (batch_of(url, i.file) for i in ingests) if b is not None}
        if sum(1 for b, _ in list(watch.seen.values()) if b in batches) >= expected:
            return
        time.sleep(0.2)


def _wait(ingest: Ingest, process: subprocess.Popen[str]) -> None:
    output, _ = process.communicate()
    ingest.seconds = time.time() - ingest.started
    ingest.exit_code = process.returncode
    ingest.output = output


def seconds(figures: dict[str, float]) -> str:
    """`percentiles` gives milliseconds; this prints them as seconds."""
    return "  ".join(f"{name} {figures.get(name, 0) / 1000:.2f}" for name in ("p50", "p99", "max"))


def main() -> None:
    parser = argparse.ArgumentParser(description="Small ingests, one a second, beside a sending zhizhi worker.")
    parser.add_argument("--files", type=int, default=30, help="ingests (default 30)")
    parser.add_argument("--rows", type=int, default=50, help="rows per file (default 50)")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between ingest starts (default 1)")
    parser.add_argument("--backlog", type=int, default=0, help="records owed before the worker starts (default 0)")
    parser.add_argument("--poll", type=float, help="the worker's --poll (default: delivery.poll_seconds)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds the worker runs before the first ingest")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for every acknowledgement")
    parser.add_argument("--database-url", help="a PostgreSQL server (default: a temporary SQLite file)")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args()
    import compileall

    import zhizhi
    from zhizhi.config.workspace import init_workspace

    # Every `zhizhi` call is a new process: give it the bytecode an installed package has (an editable checkout
    # run with PYTHONDONTWRITEBYTECODE would compile every module at every start).
    compileall.compile_dir(Path(zhizhi.__file__).parent, quiet=1)

    with tempfile.TemporaryDirectory(prefix="zhizhi-bench-beside-") as scratch:
        folder = Path(scratch)
        root = folder / "ws"
        init_workspace(root, name="并行基准")
        stores = Stores(folder, args.database_url)
        try:
            result = run(args, folder, root, stores)
        finally:
            stores.drop_all()
    result |= {"machine": machine(args.database_url), "commit": zhizhi_commit(), "target": TARGET}
    ingest, ack = result["ingest_seconds"], result["to_acknowledged_seconds"]
    print(
        f"{result['backend']}: {args.files} ingests of {args.rows} rows every {args.interval:g} s, "
        f"backlog {result['backlog']:,}; load {result['load_start']} -> {result['load_end']}"
    )
    print(f"  ingest wall s      {seconds(ingest)}")
    print(f"  ingest -> ack s    {seconds(ack)}  ({result['acknowledged']:,} of {result['expected']:,} acknowledged)")
    print(f"  failed ingests     {len(result['failures'])}")
    for failure in result["failures"]:
        print(f"    {failure['file']}: exit {failure['exit']}: {failure['output'].strip()[-400:]}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    if result["failures"] or result["acknowledged"] < result["expected"]:
        sys.exit("not every ingest succeeded and was acknowledged")


if __name__ == "__main__":
    main()
