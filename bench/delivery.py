"""Delivery throughput and latency: records sent over HTTP to a local receiver, in batches and one at a time.

Steps (`--steps`, comma-separated; `throughput,latency` by default):

- `throughput`: `--records` seeded entity rows (default 100,000) are ingested with `ingest_file` into a fresh,
  migrated store holding the built-in code lists and the demo city, each new version owed to one HTTP target
  (`targets/bench.yaml` in a fresh workspace, 12 fields, no code translation). That store is the template: each
  measurement gets its own copy (a file copy on SQLite, `CREATE DATABASE ... TEMPLATE` on PostgreSQL) and runs in
  a fresh process. Measured: `send_once` in a loop until nothing is claimed, for each of `--batch-sizes`; then the
  `Worker` (one loop thread, `poll_seconds` 0.5, batch size 500) until its reports add up to every record
  acknowledged. Checked after each: the receiver's distinct idempotency keys = deliveries acknowledged = records.
  `--profile` adds a cProfile of one `send_once` loop.
- `workers`: for each of `--workers` (default 1,2), that many real `zhizhi -w ROOT worker --quiet` processes
  (the store named by `ZHIZHI_DATABASE_URL`) drain a copy of the template: every record owed once, nothing
  acknowledged yet. The target file sets no `batch_size`, so the worker uses the HTTP transport's default (500),
  as production does unless a target says otherwise. Timed from starting the processes until every delivery is
  acknowledged (the store's counts polled once a second; the end is the last stored `acknowledged_at`), then the
  workers are stopped with SIGTERM. Reported: records/s overall and in the steady middle (from the 10 % to the
  90 % acknowledgement, by `acknowledged_at`), each process's CPU seconds, and the claim query's plan on that copy.
  With `--outage`, each worker count also runs after an outage: every pending delivery first gets `attempts` 4 and
  a `next_attempt_at` spread at random over the last minute (what a 30 s outage leaves: all in backoff, now due
  again, in an order unrelated to their ids), then the workers drain it. Checked: the receiver's distinct keys =
  acknowledged = records, no delivery in another state.
- `latency`: on a copy of the template whose deliveries are all marked acknowledged (a store that has delivered
  what it holds), a `Worker` runs in a background thread with each of `--polls` while records are entered one at
  a time, each in its own transaction, for `--seconds`. Two ways of entering (`--entries`):
  `outbox`, at `--rate` (default 50/s): the delivery row of a version stored beforehand is inserted (what makes
  a record owed, without reading and checking a file); `ingest`, at `--ingest-rate` (default 10/s, as a one-row
  ingest costs more than the 20 ms that 50/s allows): a one-row CSV file through `ingest_file`, as
  `zhizhi ingest` does. Per record: entered (its transaction committed) -> acknowledged (the transaction that
  records the platform's answer committed, timed by wrapping the worker's `send_once`); also the stored
  `acknowledged_at` (the moment the sending call started) and the receiver's first arrival. Records come evenly
  spaced or, with `--arrivals poisson`, at seeded random times with the same mean rate. The first second of
  records is a warm-up, left out of the figures.

Planner statistics on PostgreSQL are those production has after a burst: stale. The template is `ANALYZE`d once,
after migrating and loading the code lists and the demo city, while the outbox (and the records) are still empty;
autovacuum is then switched off on each of its tables (`autovacuum_enabled = false`, which the copies inherit), and
the backlog is ingested. So every copy carries statistics from before the backlog, and they stay that way for the
whole run whatever the server's autovacuum does: the worst case, a burst that autovacuum has not got to yet. No
measurement runs `ANALYZE`. `--analyze` analyses the template after the backlog is loaded (and the latency copy
after its deliveries are marked acknowledged) instead: fresh statistics, which is not what production gets.

The receiver is a real HTTP server in its own process (uvicorn + starlette, installed with FastAPI): it parses the
JSON, keeps each idempotency key once, counts distinct keys and answers `accepted` for every record.

    python bench/delivery.py --steps throughput                     # SQLite, 100,000 records
    python bench/delivery.py --steps throughput --records 20000 --batch-sizes 500 --profile
    python bench/delivery.py --steps latency                        # outbox at 50/s, ingest at 10/s; polls 0.05, 0.5
    python bench/delivery.py --steps latency --arrivals poisson
    python bench/delivery.py --steps throughput --records 50000 --database-url postgresql://postgres@127.0.0.1:5432/postgres
    python bench/delivery.py --steps workers --workers 1,2 --outage --database-url postgresql://postgres@127.0.0.1:5432/postgres

With `--database-url`, the URL names a PostgreSQL server and a database to connect to for `CREATE DATABASE`;
the stores are throwaway databases created beside it (`zhizhi_bench_delivery_*`) and dropped afterwards.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import json
import math
import multiprocessing
import os
import platform
import random
import shutil
import socket
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

TODAY = date(2026, 11, 28)
SEED = 20261128
TARGET = "bench"
STEPS = ("throughput", "workers", "latency")
DEFAULT_STEPS = ("throughput", "latency")
WARMUP_SECONDS = 1.0

SOURCE_YAML = """\
# 登记注册系统导出 (delivery bench): UTF-8, one row per market entity, industry codes in GB/T 4754-2017.
name: bench_delivery
title: 登记注册系统导出（投递基准）
department: LZ-DJ
record_type: entity
reader: csv
default_prefecture: "450200"
default_area_code: "0772"
fields:
  uscc: 统一社会信用代码
  name: 企业名称
  entity_type: 市场主体类型
  legal_representative: 法定代表人
  address: 住所
  phone: 联系电话
  industry_code: 行业代码
  founded_on: 成立日期
  registration_authority: 登记机关
  status: 登记状态
"""
HEADER = (
    "统一社会信用代码",
    "企业名称",
    "市场主体类型",
    "法定代表人",
    "住所",
    "联系电话",
    "行业代码",
    "成立日期",
    "登记机关",
    "登记状态",
)
TARGET_YAML = """\
name: {name}
title: 投递基准接收端
owner: LZ-XY
record_types: [entity]
fields:
  TYSHXYDM: uscc
  QYMC: name
  QYLX: entity_type
  FDDBR: legal_representative
  ZS: address
  XZQH: address_division_code
  LXDH: phone
  HYDM: industry_code
  CLRQ: founded_on
  DJJG: registration_authority
  DJZT: status
  SJLY: {{value: 柳州市市场监督管理局}}
transport:
  kind: http
  url: {url}
{batch_line}  timeout: 30
"""

DISTRICTS = (
    ("城中区", "450202"),
    ("鱼峰区", "450203"),
    ("柳南区", "450204"),
    ("柳北区", "450205"),
    ("柳江区", "450206"),
)
ROADS = "文昌路 五一路 弯塘路 东环大道 桂中大道 飞鹅路 柳石路 屏山大道 驾鹤路 潭中西路 解放北路 龙城路".split()
SURNAMES = "黄韦覃莫陆蓝梁李陈张王刘周吴廖潘谭蒙罗何"
GIVEN = "芳丽华强军伟敏静秀英明志勇玲海燕红霞斌杰婷平桂兰福生"
BRAND = "桂龙柳壶鑫顺福旺嘉宏盛恒金华祥丰润源鸿荣聚百万新"
TRADES = ("商贸", "餐饮管理", "食品", "科技", "建材", "物业服务", "酒店管理", "汽车服务", "文化传媒", "农业开发")
SHOPS = ("螺蛳粉店", "粉店", "小吃店", "餐馆", "商行", "便利店", "食品店", "经营部", "水果店", "理发店")
KINDS = (("有限责任公司（自然人投资或控股）", "91"), ("有限责任公司（自然人独资）", "91"), ("个体工商户", "92"))

# ---------------------------------------------------------------------------------------------------- the rows


def industry_classes() -> list[str]:
    """The class codes of GB/T 4754-2017, as the built-in list ships them."""
    from importlib.resources import files

    text = (files("zhizhi") / "codes" / "data" / "gbt4754_2017.csv").read_text(encoding="utf-8")
    return [r["code"] for r in csv.DictReader(io.StringIO(text)) if r["level"] == "class"]


def entity_rows(count: int, seed: int = SEED) -> list[list[str]]:
    """`count` clean registration rows with distinct, valid credit codes: every row makes a new record."""
    from zhizhi.demo.records import credit_code

    rng = random.Random(seed)
    classes = industry_classes()
    seen: set[str] = set()
    rows: list[list[str]] = []
    while len(rows) < count:
        district, division = rng.choice(DISTRICTS)
        kind, prefix = rng.choice(KINDS)
        code = credit_code(rng, prefix, division)
        if code in seen:
            continue
        seen.add(code)
        rep = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
        if prefix == "92":
            name = f"柳州市{district}{''.join(rng.sample(BRAND, 2))}{rng.choice(SHOPS)}"
        else:
            name = f"柳州市{''.join(rng.sample(BRAND, 3))}{rng.choice(TRADES)}有限公司"
        founded = date(1995, 1, 1).toordinal() + rng.randrange(11_000)
        rows.append(
            [
                code,
                name,
                kind,
                rep,
                f"广西壮族自治区柳州市{district}{rng.choice(ROADS)}{rng.randint(1, 399)}号",
                f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                rng.choice(classes),
                date.fromordinal(founded).isoformat(),
                f"柳州市{district}市场监督管理局",
                "存续",
            ]
        )
    return rows


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def owing(to_target: bool) -> dict[str, Any]:
    """How `ingest_file` is told to owe the new versions to the bench's target (or to none): a list of target
    names, or, since the outbox took that over, an `Outbox` holding the target's settings."""
    import inspect

    import yaml

    from zhizhi.ingest.pipeline import ingest_file

    if "outbox" not in inspect.signature(ingest_file).parameters:
        return {"targets": [TARGET] if to_target else []}
    from zhizhi.delivery.outbox import Outbox  # type: ignore[attr-defined,unused-ignore]
    from zhizhi.delivery.targets import TargetConfig

    settings = yaml.safe_load(TARGET_YAML.format(name=TARGET, url="http://127.0.0.1/records", batch_line=""))
    return {"outbox": Outbox((TargetConfig.model_validate(settings),) if to_target else ())}


def write_target(root: Path, url: str, batch_size: int | None) -> None:
    """The target file; with `batch_size` None it sets none, and the transport's default applies."""
    (root / "targets").mkdir(exist_ok=True)
    batch_line = "" if batch_size is None else f"  batch_size: {batch_size}\n"
    text = TARGET_YAML.format(name=TARGET, url=url, batch_line=batch_line)
    (root / "targets" / f"{TARGET}.yaml").write_text(text, encoding="utf-8")


# ------------------------------------------------------------------------------------------------- the receiver


def serve_receiver(port: int) -> None:
    """The platform: POST /records applies each idempotency key once and accepts every record; GET /stats counts;
    GET /arrivals gives each key's first arrival (Unix time); POST /reset forgets everything."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    first: dict[str, float] = {}
    counts = {"requests": 0, "arrivals": 0}

    async def records(request: Request) -> Response:
        body = json.loads(await request.body())
        now = time.time()
        results = []
        for item in body["records"]:
            key = item["idempotency_key"]
            first.setdefault(key, now)
            results.append({"idempotency_key": key, "status": "accepted"})
        counts["requests"] += 1
        counts["arrivals"] += len(results)
        return Response(json.dumps({"results": results}), media_type="application/json")

    async def stats(request: Request) -> Response:
        return JSONResponse({"distinct": len(first), **counts})

    async def arrivals(request: Request) -> Response:
        return JSONResponse(first)

    async def reset(request: Request) -> Response:
        first.clear()
        counts.update(requests=0, arrivals=0)
        return JSONResponse({"ok": True})

    app = Starlette(
        routes=[
            Route("/records", records, methods=["POST"]),
            Route("/stats", stats),
            Route("/arrivals", arrivals),
            Route("/reset", reset, methods=["POST"]),
        ]
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off")


@dataclass
class Receiver:
    base: str
    pid: int = 0

    @property
    def url(self) -> str:
        return f"{self.base}/records"

    def stats(self) -> dict[str, int]:
        import httpx

        answer: dict[str, int] = httpx.get(f"{self.base}/stats", timeout=30).json()
        return answer

    def arrivals(self) -> dict[str, float]:
        import httpx

        answer: dict[str, float] = httpx.get(f"{self.base}/arrivals", timeout=60).json()
        return answer

    def reset(self) -> None:
        import httpx

        httpx.post(f"{self.base}/reset", timeout=30).raise_for_status()


@contextmanager
def receiver() -> Iterator[Receiver]:
    """The receiver in its own process (so that it does not compete with the sender for the interpreter lock)."""
    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = multiprocessing.get_context("spawn").Process(target=serve_receiver, args=(port,), daemon=True)
    process.start()
    running = Receiver(f"http://127.0.0.1:{port}", process.pid or 0)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                running.stats()
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or not process.is_alive():
                    raise
                time.sleep(0.1)
        yield running
    finally:
        process.terminate()
        process.join(timeout=10)


# ------------------------------------------------------------------------------------------------------ stores


class Stores:
    """The template store and its copies: files in `folder` (SQLite) or throwaway databases (PostgreSQL)."""

    def __init__(self, folder: Path, server_url: str | None) -> None:
        self.folder = folder
        self.server_url = server_url
        self.prefix = f"zhizhi_bench_delivery_{os.getpid()}"
        self.created: list[str] = []

    @property
    def backend(self) -> str:
        return "postgresql" if self.server_url else "sqlite"

    def url(self, name: str) -> str:
        if self.server_url is None:
            return f"sqlite:///{self.folder / f'{name}.db'}"
        from sqlalchemy.engine import make_url

        server = make_url(self.server_url)
        driver = "postgresql+psycopg" if server.drivername == "postgresql" else server.drivername
        return server.set(drivername=driver, database=f"{self.prefix}_{name}").render_as_string(hide_password=False)

    def create(self, name: str, template: str | None = None) -> str:
        """A new, empty store (or a copy of `template`); returns its URL."""
        if self.server_url is None:
            for suffix in ("", "-wal") if template is not None else ():
                if (self.folder / f"{template}.db{suffix}").exists():
                    shutil.copyfile(self.folder / f"{template}.db{suffix}", self.folder / f"{name}.db{suffix}")
            return self.url(name)
        copy = f" TEMPLATE {self.prefix}_{template}" if template else ""
        self._admin(f"CREATE DATABASE {self.prefix}_{name}{copy}")
        self.created.append(name)
        return self.url(name)

    def drop(self, name: str) -> None:
        """Drop one copy now (PostgreSQL; SQLite files go with the folder), to keep the disk in bounds."""
        if self.server_url is not None and name in self.created:
            self._admin(f"DROP DATABASE IF EXISTS {self.prefix}_{name} WITH (FORCE)")
            self.created.remove(name)

    def drop_all(self) -> None:
        for name in reversed(self.created):
            self._admin(f"DROP DATABASE IF EXISTS {self.prefix}_{name} WITH (FORCE)")
        self.created.clear()

    def _admin(self, sql: str) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        assert self.server_url is not None
        server = make_url(self.server_url)
        if server.drivername == "postgresql":
            server = server.set(drivername="postgresql+psycopg")
        engine = create_engine(server, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql(sql)
        finally:
            engine.dispose()


def isolated(step: Callable[..., T], *args: object) -> T:
    """Run one step in a new interpreter and return its result."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(step, *args).result()


def demo_city_store(url: str) -> tuple[Any, Any]:
    """A migrated store at `url` holding the built-in code lists and the demo city: its engine and sessions."""
    from zhizhi.access import Actor
    from zhizhi.codes import install_builtin
    from zhizhi.demo import load_demo
    from zhizhi.store import make_engine, make_sessionmaker, upgrade

    engine = make_engine(url)
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    with sessions() as session, session.begin():
        install_builtin(session, Actor.operator("bench"))
        load_demo(session, Actor.operator("bench"))
    return engine, sessions


def prepare_template(
    url: str, csv_path: str, records: int, later_path: str | None, analyze: bool = False
) -> dict[str, float]:
    """Migrate, install code lists and the demo city, ingest the rows owed to the target, and (for the latency
    step's outbox entering) the rows whose deliveries are added later, owed to no target yet. Not measured.

    On PostgreSQL the statistics are taken before the backlog arrives and autovacuum is off on every table, so
    the copies plan on statistics of an empty outbox (see the module's docstring); `analyze` takes them after."""
    from sqlalchemy import func, select

    from zhizhi.access import Actor
    from zhizhi.ingest.pipeline import ingest_file
    from zhizhi.sources.config import parse_source
    from zhizhi.store.tables import Delivery

    actor = Actor.operator("bench")
    engine, sessions = demo_city_store(url)
    postgresql = engine.dialect.name == "postgresql"
    if postgresql:
        # What autovacuum last saw: the store before the burst, its outbox empty. Then no more statistics.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")
            tables = connection.exec_driver_sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            for (table,) in tables.all():
                connection.exec_driver_sql(
                    f'ALTER TABLE "{table}" SET (autovacuum_enabled = false, toast.autovacuum_enabled = false)'
                )
    started = time.perf_counter()
    source = parse_source(SOURCE_YAML, "bench_delivery.yaml")
    with sessions() as session, session.begin():
        result = ingest_file(session, actor, source, Path(csv_path), today=TODAY, **owing(True))
        accepted = result.batch.rows_accepted
    seconds = time.perf_counter() - started
    later_batch = 0
    if later_path is not None:
        with sessions() as session, session.begin():
            later_batch = ingest_file(session, actor, source, Path(later_path), today=TODAY, **owing(False)).batch.id
    with sessions() as session:
        owed = session.scalar(select(func.count()).select_from(Delivery)) or 0
    statistics_rows = -1.0
    if postgresql:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            if analyze:  # --analyze: fresh statistics, which production does not get right after a burst
                connection.exec_driver_sql("ANALYZE")
            found = "SELECT reltuples FROM pg_class WHERE relname = 'deliveries'"
            statistics_rows = float(connection.exec_driver_sql(found).scalar() or 0)
    engine.dispose()  # on SQLite the last connection closed checkpoints the WAL into the file
    if accepted != records or owed != records:
        raise SystemExit(f"expected {records:,} records owed; accepted {accepted:,}, deliveries {owed:,}")
    return {
        "ingest_seconds": seconds,
        "deliveries": owed,
        "later_batch": later_batch,
        "statistics_rows": statistics_rows,  # deliveries, as the planner's statistics count them (-1: SQLite)
    }


# -------------------------------------------------------------------------------------------------- throughput


@dataclass
class ThroughputRun:
    mode: str
    batch_size: int
    seconds: float
    acknowledged: int
    calls: int
    http_seconds: float
    states: dict[str, int]
    load: str
    cpu_seconds: float = 0.0  # the sending process's CPU time (all its threads; SQLite works inside it)
    receiver: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.acknowledged / self.seconds


def _statuses(sessions: Any) -> dict[str, int]:
    from sqlalchemy import func, select

    from zhizhi.store.tables import Delivery

    with sessions() as session:
        rows = session.execute(
            select(Delivery.status, func.count()).where(Delivery.target == TARGET).group_by(Delivery.status)
        ).all()
    return {status: count for status, count in rows}


def run_send_loop(url: str, root: str, batch_size: int, profile: bool) -> ThroughputRun | str:
    """`send_once` until nothing is claimed; the transport wrapped only to time the HTTP part."""
    from zhizhi.delivery.send import send_once
    from zhizhi.delivery.targets import FILES, TargetConfig
    from zhizhi.delivery.transports import Item, Outcome, transport_for
    from zhizhi.store import make_engine, make_sessionmaker

    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    target = FILES.load(Path(root), TARGET)
    inner = transport_for(target)

    class Timed:
        name = inner.name
        seconds = 0.0

        def batch_size(self, target: TargetConfig) -> int:
            return inner.batch_size(target)

        def send(self, target: TargetConfig, items: list[Item]) -> list[Outcome]:
            started = time.perf_counter()
            try:
                return inner.send(target, items)
            finally:
                Timed.seconds += time.perf_counter() - started

    def loop() -> int:
        calls = 0
        while True:
            calls += 1
            # as the worker calls it (the transport looked up by `send_once`) unless timing the HTTP part
            report = send_once(sessions, target) if profile else send_once(sessions, target, transport=Timed())
            if report.claimed == 0:
                return calls

    load = load_average()
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        loop()
        profiler.disable()
        seconds = time.perf_counter() - started
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        out.write(f"profiled send_once loop, batch size {batch_size}: {seconds:.1f} s under cProfile\n")
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(35)
        engine.dispose()
        return out.getvalue()
    started, cpu = time.perf_counter(), time.process_time()
    calls = loop()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    states = _statuses(sessions)
    engine.dispose()
    return ThroughputRun(
        "send_once loop", batch_size, seconds, states.get("acknowledged", 0), calls, Timed.seconds, states, load, cpu
    )


def run_worker(url: str, root: str, batch_size: int, poll: float, expected: int) -> ThroughputRun:
    """A `Worker` with one target until its reports add up to `expected` acknowledged."""
    from zhizhi.delivery.send import SendReport
    from zhizhi.delivery.worker import Worker
    from zhizhi.store import make_engine, make_sessionmaker

    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    done = threading.Event()
    tally = {"acknowledged": 0, "calls": 0}

    def on_report(name: str, report: SendReport) -> None:
        tally["calls"] += 1
        tally["acknowledged"] += report.states.get("acknowledged", 0)
        if tally["acknowledged"] >= expected:
            done.set()

    load = load_average()
    worker = Worker(sessions, Path(root), poll_seconds=poll, on_report=on_report)
    started, cpu = time.perf_counter(), time.process_time()
    thread = worker.start()
    finished = done.wait(timeout=600)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    worker.stop.set()
    thread.join(timeout=30)
    states = _statuses(sessions)
    engine.dispose()
    if not finished:
        raise SystemExit(f"the worker did not finish within 600 s: {states}")
    return ThroughputRun(
        f"Worker (poll {poll:g} s)",
        batch_size,
        seconds,
        states.get("acknowledged", 0),
        tally["calls"],
        0.0,
        states,
        load,
        cpu,
    )


def throughput(args: argparse.Namespace, stores: Stores, root: Path, platform_: Receiver) -> list[ThroughputRun]:
    runs: list[ThroughputRun] = []
    plan: list[tuple[str, int]] = [("loop", b) for b in args.batch_sizes] + [("worker", 500)]
    for n, (mode, batch_size) in enumerate(plan):
        write_target(root, platform_.url, batch_size)
        url = stores.create(f"run{n}", "template")
        platform_.reset()
        if mode == "loop":
            result = isolated(run_send_loop, url, str(root), batch_size, False)
            assert isinstance(result, ThroughputRun)
        else:
            result = isolated(run_worker, url, str(root), batch_size, 0.5, args.records)
        result.receiver = platform_.stats()
        runs.append(result)
        print(
            f"{result.mode}, batch {batch_size}: {result.acknowledged:,} acknowledged in {result.seconds:.1f} s "
            f"({result.rate:,.0f}/s); receiver {result.receiver}",
            file=sys.stderr,
        )
    if args.profile:
        write_target(root, platform_.url, args.batch_sizes[0])
        url = stores.create("profile", "template")
        platform_.reset()
        text = isolated(run_send_loop, url, str(root), args.batch_sizes[0], True)
        print(text)
    return runs


# ------------------------------------------------------------------------------------------------------ workers


@dataclass
class WorkersRun:
    workers: int
    outage: bool
    batch_size: int
    records: int
    seconds: float  # processes started -> the last acknowledged_at (every delivery acknowledged)
    first_seconds: float  # processes started -> the first acknowledged_at
    middle_rate: float  # records/s from the 10 % to the 90 % acknowledgement
    acknowledged: int
    states: dict[str, int]
    load: str
    finished: bool
    cpu_seconds: list[float] = field(default_factory=list)  # each worker process's CPU time
    server_cpu_seconds: float = 0.0  # the database server's processes, when it runs on this machine
    receiver_cpu_seconds: float = 0.0
    timeline: list[tuple[float, int]] = field(default_factory=list)  # seconds since start, acknowledged (polled)
    claim_plan: str = ""
    receiver: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.acknowledged / self.seconds if self.finished and self.seconds > 0 else 0.0


def put_in_backoff(url: str, seed: int = SEED) -> int:
    """What a 30 s outage leaves: every pending delivery tried 4 times and due again at a random moment of the
    last minute. Returns how many."""
    from datetime import timedelta

    from sqlalchemy import bindparam, select, update

    from zhizhi.store import make_engine, make_sessionmaker
    from zhizhi.store.tables import Delivery
    from zhizhi.store.types import utcnow

    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    rng = random.Random(seed)
    now = utcnow()
    with sessions() as session, session.begin():
        ids = list(session.scalars(select(Delivery.id).where(Delivery.status == "pending").order_by(Delivery.id)))
        rows = [
            {"b_id": n, "b_due": now - timedelta(seconds=rng.uniform(0, 60)), "b_updated": now - timedelta(seconds=1)}
            for n in ids
        ]
        statement = (
            update(Delivery.__table__)  # type: ignore[arg-type]
            .where(Delivery.__table__.c.id == bindparam("b_id"))
            .values(
                attempts=4,
                next_attempt_at=bindparam("b_due"),
                updated_at=bindparam("b_updated"),
                last_error="ConnectError: [Errno 111] Connection refused",
            )
        )
        for start in range(0, len(rows), 5000):
            session.execute(statement, rows[start : start + 5000])
    engine.dispose()
    return len(ids)


def claim_plan(url: str, batch_size: int) -> str:
    """EXPLAIN ANALYZE of the claim's query on this store, as it plans on the statistics it has (PostgreSQL)."""
    from datetime import UTC

    from zhizhi.store import make_engine
    from zhizhi.store.types import utcnow

    try:
        from zhizhi.delivery.send import due_query
    except ImportError:  # a tree before the claim was one query of its own
        return ""
    engine = make_engine(url)
    try:
        if engine.dialect.name != "postgresql":
            return ""
        compiled = due_query(TARGET, utcnow(), batch_size).with_for_update(skip_locked=True).compile(engine)
        params = {  # as the column type binds them: naive UTC
            k: v.astimezone(UTC).replace(tzinfo=None) if isinstance(v, datetime) else v
            for k, v in compiled.params.items()
        }
        with engine.connect() as connection:  # rolled back: the rows locked by the plan's LockRows are let go
            found = connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}", params)
            return "\n".join(row[0] for row in found)
    finally:
        engine.dispose()


def process_cpu(pids: list[int]) -> float:
    """User + system CPU seconds of these processes (Linux /proc), 0 for those gone."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def server_pids() -> list[int]:
    """The PostgreSQL server's processes on this machine (for their CPU time), if it runs here: a backend that
    ends before the second look is missed (the workers' connections live until they are stopped)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().split(b"\0")[0]
            except OSError:
                continue
            if command.startswith(b"postgres") or command.endswith(b"/postgres"):
                found.append(int(entry.name))
    return found


def run_workers(
    url: str, root: Path, count: int, records: int, outage: bool, timeout: float, batch_size: int
) -> WorkersRun:
    """`count` processes of `zhizhi worker` until every delivery is acknowledged (or `timeout`), then SIGTERM."""
    import signal
    import subprocess
    from datetime import UTC

    from sqlalchemy import func, select

    from zhizhi.store import make_engine, make_sessionmaker
    from zhizhi.store.tables import Delivery

    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    plan = claim_plan(url, batch_size)
    command = Path(sys.executable).parent / "zhizhi"
    argv = [str(command)] if command.exists() else [sys.executable, "-m", "zhizhi"]
    env = os.environ | {"ZHIZHI_DATABASE_URL": url}
    load = load_average()
    local_server = engine.dialect.name == "postgresql"
    server_before = {pid: process_cpu([pid]) for pid in server_pids()} if local_server else {}
    started_at, started = time.time(), time.perf_counter()
    workers = [
        subprocess.Popen([*argv, "-w", str(root), "worker", "--quiet"], env=env, stdin=subprocess.DEVNULL)
        for _ in range(count)
    ]
    timeline: list[tuple[float, int]] = []
    finished = False
    cpu: list[float] = []
    try:
        while time.perf_counter() - started < timeout:
            time.sleep(1.0)
            with sessions() as session:
                done = session.scalar(
                    select(func.count()).select_from(Delivery).where(Delivery.status == "acknowledged")
                )
            timeline.append((time.perf_counter() - started, int(done or 0)))
            if done == records:
                finished = True
                break
            if any(w.poll() is not None for w in workers):
                raise SystemExit(f"a worker process ended early: exit codes {[w.poll() for w in workers]}")
    finally:
        cpu = [process_cpu([w.pid]) for w in workers]
        server_cpu = (
            sum(process_cpu([pid]) - server_before.get(pid, 0.0) for pid in server_pids()) if local_server else 0
        )
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            try:
                w.wait(timeout=60)
            except subprocess.TimeoutExpired:
                w.kill()
    states = _statuses(sessions)
    with sessions() as session:
        moments = [
            moment
            for moment in session.scalars(
                select(Delivery.acknowledged_at)
                .where(Delivery.status == "acknowledged")
                .order_by(Delivery.acknowledged_at)
            )
            if moment is not None
        ]
    engine.dispose()

    def since(moment: datetime) -> float:
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp() - started_at

    seconds = since(moments[-1]) if moments else 0.0
    middle = 0.0
    low, high = len(moments) // 10, (len(moments) * 9) // 10
    if high > low:
        middle = (high - low) / max(since(moments[high]) - since(moments[low]), 1e-9)
    return WorkersRun(
        count,
        outage,
        batch_size,
        records,
        seconds,
        since(moments[0]) if moments else 0.0,
        middle,
        states.get("acknowledged", 0),
        states,
        load,
        finished,
        cpu,
        server_cpu,
        timeline=timeline,
        claim_plan=plan,
    )


def workers_step(args: argparse.Namespace, stores: Stores, root: Path, platform_: Receiver) -> list[WorkersRun]:
    from zhizhi.delivery.targets import FILES
    from zhizhi.delivery.transports import transport_for

    write_target(root, platform_.url, None)  # no batch_size: the transport's default, as production runs
    batch_size = transport_for(FILES.load(root, TARGET)).batch_size(FILES.load(root, TARGET))
    runs: list[WorkersRun] = []
    plan = [(count, outage) for count in args.workers for outage in ((False, True) if args.outage else (False,))]
    for n, (count, outage) in enumerate(plan):
        url = stores.create(f"workers{n}", "template")
        if outage:
            put_in_backoff(url)
        platform_.reset()
        receiver_cpu = process_cpu([platform_.pid])
        result = run_workers(url, root, count, args.records, outage, args.timeout, batch_size)
        result.receiver_cpu_seconds = process_cpu([platform_.pid]) - receiver_cpu
        result.receiver = platform_.stats()
        runs.append(result)
        print(
            f"{count} zhizhi worker process(es){' after an outage' if outage else ''}: {result.acknowledged:,} "
            f"acknowledged in {result.seconds:.1f} s ({result.rate:,.0f}/s, middle {result.middle_rate:,.0f}/s); "
            f"receiver {result.receiver}",
            file=sys.stderr,
        )
        stores.drop(f"workers{n}")
    return runs


# ----------------------------------------------------------------------------------------------------- latency


@dataclass
class LatencyRun:
    entry: str  # "outbox": the delivery row inserted in its own transaction; "ingest": a one-row file ingested
    poll: float
    rate: float
    entered: int
    measured: int
    seconds: float
    load: str
    entry_ms: dict[str, float]
    to_ack_ms: dict[str, float]
    to_stored_ack_ms: dict[str, float]
    to_arrival_ms: dict[str, float]
    end_to_end_ms: dict[str, float]
    sends: int
    behind_ms: float
    states: dict[str, int]
    arrivals: list[tuple[str, float]] = field(default_factory=list)  # key, commit time (Unix) for the receiver


def percentiles(values: list[float]) -> dict[str, float]:
    """p50, p95, p99 (nearest rank) and max, in milliseconds of the seconds given."""
    ordered = sorted(values)
    if not ordered:
        return {}

    def rank(p: float) -> float:
        return ordered[max(math.ceil(p * len(ordered)) - 1, 0)] * 1000

    return {"p50": rank(0.50), "p95": rank(0.95), "p99": rank(0.99), "max": ordered[-1] * 1000}


def run_latency(
    url: str,
    root: str,
    folder: str,
    entry: str,
    poll: float,
    rate: float,
    count: int,
    later_batch: int,
    arrivals: str = "steady",
    analyze: bool = False,
) -> LatencyRun:
    """Enter `count` records at `rate` per second while a Worker sends; time each record to its answer.

    Entering is either `ingest` (a one-row file through `ingest_file`, its own transaction, as `zhizhi ingest`
    does) or `outbox` (the delivery row of a version stored earlier, inserted in its own transaction: the part of
    entering that makes a record owed, without the file's reading and checking)."""
    from sqlalchemy import func, insert, select, update

    import zhizhi.delivery.worker as worker_module
    from zhizhi.access import Actor
    from zhizhi.ingest.pipeline import ingest_file
    from zhizhi.sources.config import parse_source
    from zhizhi.store import make_engine, make_sessionmaker
    from zhizhi.store.tables import Delivery, Record, RecordVersion
    from zhizhi.store.types import utcnow

    actor = Actor.operator("bench")
    source = parse_source(SOURCE_YAML, "bench_delivery.yaml")
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with sessions() as session, session.begin():  # what the store held is delivered already
        session.execute(update(Delivery).values(status="acknowledged", attempts=1, acknowledged_at=utcnow()))
    if analyze and engine.dialect.name == "postgresql":  # --analyze: fresh statistics (not what production gets)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE deliveries")
    with sessions() as session:
        query = (
            select(RecordVersion.record_id, RecordVersion.id, Record.key)
            .join(Record, Record.id == RecordVersion.record_id)
            .where(RecordVersion.batch_id == later_batch)
            .order_by(RecordVersion.id)
        )
        versions = session.execute(query).all() if entry == "outbox" else []
        next_id = (session.scalar(select(func.max(Delivery.id))) or 0) + 1
    files = sorted(Path(folder).glob("*.csv"))[:count] if entry == "ingest" else []

    def enter(n: int) -> int:
        """Enter record n; returns the batch id (ingest) or delivery id (outbox) to find its delivery by."""
        if entry == "ingest":
            with sessions() as session, session.begin():
                return ingest_file(session, actor, source, files[n], today=TODAY, **owing(True)).batch.id
        record_id, version_id, key = versions[n]
        now = utcnow()
        with sessions() as session, session.begin():
            session.execute(
                insert(Delivery).values(
                    id=next_id + n,
                    target=TARGET,
                    record_id=record_id,
                    record_version_id=version_id,
                    record_key=key,
                    batch_id=later_batch,
                    idempotency_key=f"{version_id}-{TARGET}",
                    status="pending",
                    attempts=0,
                    created_at=now,
                    updated_at=now,
                )
            )
        return next_id + n

    answered: dict[datetime, datetime] = {}  # a sending call's moment (= acknowledged_at) -> its answer committed
    namespace = vars(worker_module)  # the worker's own reference to send_once, wrapped to time each call
    real_send_once = namespace["send_once"]

    def timed_send_once(sessions: Any, target: Any, **options: Any) -> Any:
        moment = utcnow()
        report = real_send_once(sessions, target, now=moment, **options)
        if report.claimed:
            answered[moment] = utcnow()
        return report

    namespace["send_once"] = timed_send_once
    entered: dict[int, tuple[datetime, datetime, float]] = {}  # batch or delivery id -> started, committed, seconds
    load = load_average()
    worker = worker_module.Worker(sessions, Path(root), poll_seconds=poll)
    thread = worker.start()
    behind = 0.0
    started = time.perf_counter()
    if arrivals == "poisson":  # seeded exponential gaps with the same mean rate
        gaps = random.Random(SEED).expovariate
        due = [0.0, *itertools.accumulate(gaps(rate) for _ in range(count - 1))]
    else:
        due = [n / rate for n in range(count)]
    for n in range(count):
        wait = started + due[n] - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        else:
            behind = max(behind, -wait)
        begun, clock = utcnow(), time.perf_counter()
        found_by = enter(n)
        entered[found_by] = (begun, utcnow(), time.perf_counter() - clock)
    seconds = time.perf_counter() - started
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with sessions() as session:
            waiting = session.scalar(select(Delivery.id).where(Delivery.status != "acknowledged").limit(1))
        if waiting is None:
            break
        time.sleep(0.1)
    worker.stop.set()
    thread.join(timeout=30)
    namespace["send_once"] = real_send_once
    states = _statuses(sessions)
    column = Delivery.batch_id if entry == "ingest" else Delivery.id
    with sessions() as session:
        rows = session.execute(
            select(column, Delivery.idempotency_key, Delivery.acknowledged_at).where(column.in_(entered))
        ).all()
    engine.dispose()
    skip = int(rate * WARMUP_SECONDS)
    order = {found_by: n for n, found_by in enumerate(entered)}
    costs: list[float] = []
    to_ack: list[float] = []
    to_stored: list[float] = []
    end_to_end: list[float] = []
    firsts: list[tuple[str, float]] = []
    for ref, key, acknowledged_at in rows:
        if ref is None or order[ref] < skip or acknowledged_at is None:
            continue
        begun, committed, cost = entered[ref]
        costs.append(cost)
        to_stored.append((acknowledged_at - committed).total_seconds())
        done = answered[acknowledged_at]
        to_ack.append((done - committed).total_seconds())
        end_to_end.append((done - begun).total_seconds())
        firsts.append((key, committed.timestamp()))
    return LatencyRun(
        entry,
        poll,
        rate,
        len(entered),
        len(to_ack),
        seconds,
        load,
        percentiles(costs),
        percentiles(to_ack),
        percentiles(to_stored),
        {},
        percentiles(end_to_end),
        len(answered),
        behind * 1000,
        states,
        firsts,
    )


def latency(
    args: argparse.Namespace, stores: Stores, root: Path, folder: Path, platform_: Receiver, later_batch: int
) -> list[LatencyRun]:
    runs = []
    plan = [(entry, poll) for entry in args.entries for poll in args.polls]
    for n, (entry, poll) in enumerate(plan):
        rate = args.rate if entry == "outbox" else args.ingest_rate
        count = int(rate * (args.seconds + WARMUP_SECONDS))
        write_target(root, platform_.url, 500)
        url = stores.create(f"latency{n}", "template")
        platform_.reset()
        result = isolated(
            run_latency,
            url,
            str(root),
            str(folder),
            entry,
            poll,
            rate,
            count,
            later_batch,
            args.arrivals,
            args.analyze,
        )
        first = platform_.arrivals()
        result.to_arrival_ms = percentiles([first[key] - committed for key, committed in result.arrivals])
        result.arrivals = []
        runs.append(result)
        print(
            f"latency, {entry} at {rate:g}/s, poll {poll:g} s: {result.measured:,} records, "
            f"entered -> acknowledged {result.to_ack_ms}",
            file=sys.stderr,
        )
    return runs


# --------------------------------------------------------------------------------------------------- the report


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine(server_url: str | None) -> dict[str, str]:
    import sqlalchemy

    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")),
        platform.processor() or "unknown",
    )
    memory = next(
        (int(line.split()[1]) / 2**20 for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line),
        0.0,
    )
    found = {
        "cores": str(os.cpu_count()),
        "cpu": cpu,
        "memory": f"{memory:.0f} GiB",
        "python": platform.python_version(),
        "sqlalchemy": sqlalchemy.__version__,
        "sqlite": sqlite3.sqlite_version,
    }
    if server_url:
        found["postgresql"] = postgres_version(server_url)
    found["zhizhi commit"] = zhizhi_commit()
    return found


def postgres_version(server_url: str) -> str:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    server = make_url(server_url)
    if server.drivername == "postgresql":
        server = server.set(drivername="postgresql+psycopg")
    engine = create_engine(server)
    try:
        with engine.connect() as connection:
            return str(connection.exec_driver_sql("SHOW server_version").scalar())
    finally:
        engine.dispose()


def zhizhi_commit() -> str:
    """The commit the measured source tree is at, `+changes` when src/ differs from it."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "src"], cwd=root, capture_output=True, text=True)
    except OSError:
        return "unknown"
    if head.returncode != 0:
        return "unknown"
    import zhizhi

    if Path(zhizhi.__file__).resolve().parent != root / "src" / "zhizhi":
        return f"HEAD {head.stdout.strip()}, but zhizhi imported from another tree: {Path(zhizhi.__file__).parent}"
    return head.stdout.strip() + (" +changes in src" if dirty.stdout.strip() else "")


def ms(figures: dict[str, float]) -> str:
    return " / ".join(f"{figures[k]:,.0f}" for k in ("p50", "p95", "p99", "max")) if figures else "—"


def report(
    args: argparse.Namespace,
    backend: str,
    template: dict[str, float],
    runs: list[ThroughputRun],
    latencies: list[LatencyRun],
    server_url: str | None,
    drains: list[WorkersRun] | None = None,
) -> list[str]:
    problems = []
    print(f"\nbackend: {backend}   " + "   ".join(f"{k}: {v}" for k, v in machine(server_url).items()))
    print(f"template: {args.records:,} records ingested and owed in {template['ingest_seconds']:.1f} s (not measured)")
    if backend == "postgresql":
        seen = template.get("statistics_rows", -1)
        how = "analysed after the backlog (--analyze)" if args.analyze else "analysed before the backlog (stale)"
        print(f"statistics: {how}; the planner's row count for deliveries: {seen:,.0f} (actual {args.records:,})")
    if drains:
        print(f"\n## workers: {args.records:,} records drained by `zhizhi worker` processes\n")
        print(
            "| processes | start | batch size | seconds to drain | records/s | records/s 10 %-90 % | first ack s |"
            " worker CPU s | database CPU s | receiver CPU s | acknowledged | receiver distinct keys | load at start |"
            " >= 5,000/s |"
        )
        print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- | --- |")
        for d in drains:
            met = "met" if d.rate >= 5000 and d.middle_rate >= 5000 else "not met"
            start = "after a 30 s outage" if d.outage else "backlog owed"
            print(
                f"| {d.workers} | {start} | {d.batch_size:,} | {d.seconds:.1f} | {d.rate:,.0f} | "
                f"{d.middle_rate:,.0f} | {d.first_seconds:.1f} | {' + '.join(f'{c:.1f}' for c in d.cpu_seconds)} | "
                f"{d.server_cpu_seconds:.1f} | {d.receiver_cpu_seconds:.1f} | {d.acknowledged:,} | "
                f"{d.receiver.get('distinct', 0):,} | {d.load} | {met} |"
            )
            if not d.finished:
                problems.append(f"{d.workers} workers: not drained within {args.timeout:g} s: {d.states}")
            elif not d.receiver.get("distinct") == d.acknowledged == args.records:
                problems.append(f"{d.workers} workers: distinct keys, acknowledged and records differ")
            if d.finished and set(d.states) != {"acknowledged"}:
                problems.append(f"{d.workers} workers: deliveries left {d.states}")
        for d in drains:
            start = ", after an outage" if d.outage else ""
            print(f"\nclaim query plan, {d.workers} worker(s){start} (EXPLAIN ANALYZE before starting):\n")
            print("    " + d.claim_plan.replace("\n", "\n    "))
    if runs:
        print(f"\n## throughput: {args.records:,} records to a local HTTP receiver\n")
        print(
            "| sender | batch size | seconds | records/s | sender CPU s | records per CPU s | HTTP share | calls |"
            " acknowledged | receiver distinct keys | receiver arrivals | requests | load at start | >= 5,000/s |"
        )
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |")
        for r in runs:
            http = f"{100 * r.http_seconds / r.seconds:.0f} %" if r.http_seconds else "—"
            met = "met" if r.rate >= 5000 else "not met"
            print(
                f"| {r.mode} | {r.batch_size:,} | {r.seconds:.1f} | {r.rate:,.0f} | {r.cpu_seconds:.1f} | "
                f"{r.acknowledged / max(r.cpu_seconds, 1e-9):,.0f} | {http} | {r.calls:,} | "
                f"{r.acknowledged:,} | {r.receiver.get('distinct', 0):,} | {r.receiver.get('arrivals', 0):,} | "
                f"{r.receiver.get('requests', 0):,} | {r.load} | {met} |"
            )
            if not r.receiver.get("distinct") == r.acknowledged == args.records:
                problems.append(f"{r.mode} batch {r.batch_size}: distinct keys, acknowledged and records differ")
            if set(r.states) != {"acknowledged"}:
                problems.append(f"{r.mode} batch {r.batch_size}: deliveries left {r.states}")
    if latencies:
        print(
            f"\n## latency: one record at a time, {args.arrivals} arrivals, {args.seconds:g} s per run"
            " (ms: p50 / p95 / p99 / max)\n"
        )
        print(
            "| entering | rate | worker poll | records (measured) | sending calls | entering one record |"
            " entered -> acknowledged | target p99 < 500 ms | behind schedule (max) | load at start |"
        )
        print("| --- | ---: | ---: | ---: | ---: | --- | --- | --- | ---: | --- |")
        for lat in latencies:
            met = "met" if lat.to_ack_ms.get("p99", math.inf) < 500 else "not met"
            print(
                f"| {lat.entry} | {lat.rate:g}/s | {lat.poll:g} s | {lat.entered:,} ({lat.measured:,}) |"
                f" {lat.sends:,} | {ms(lat.entry_ms)} | {ms(lat.to_ack_ms)} | {met} | {lat.behind_ms:,.0f} ms |"
                f" {lat.load} |"
            )
        print(
            "\n| entering | rate | worker poll | committed -> stored acknowledged_at | committed -> first arrival at"
            " the receiver | entering started -> acknowledged |"
        )
        print("| --- | ---: | ---: | --- | --- | --- |")
        for lat in latencies:
            print(
                f"| {lat.entry} | {lat.rate:g}/s | {lat.poll:g} s | {ms(lat.to_stored_ack_ms)} |"
                f" {ms(lat.to_arrival_ms)} | {ms(lat.end_to_end_ms)} |"
            )
            if set(lat.states) != {"acknowledged"} or lat.measured != lat.entered - int(lat.rate * WARMUP_SECONDS):
                problems.append(f"latency {lat.entry} poll {lat.poll:g}: deliveries left {lat.states}")
    print("\ninvariants: " + ("all hold" if not problems else "; ".join(problems)))
    return problems


# -------------------------------------------------------------------------------------------------------- main


def main() -> None:
    args = parse_args()
    from zhizhi.config.workspace import init_workspace

    with tempfile.TemporaryDirectory(prefix="zhizhi-bench-delivery-") as scratch:
        folder = Path(scratch)
        root = folder / "ws"
        init_workspace(root, name="投递基准")
        stores = Stores(folder, args.database_url)
        later = ingested = 0
        if "latency" in args.steps:
            later = int(args.rate * (args.seconds + WARMUP_SECONDS)) if "outbox" in args.entries else 0
            ingested = int(args.ingest_rate * (args.seconds + WARMUP_SECONDS)) if "ingest" in args.entries else 0
        rows = entity_rows(args.records + later + ingested)
        csv_path = write_csv(folder / "entities.csv", rows[: args.records])
        later_path = write_csv(folder / "later.csv", rows[args.records : args.records + later]) if later else None
        singles = folder / "singles"
        singles.mkdir()
        for n, row in enumerate(rows[args.records + later :]):
            write_csv(singles / f"{n:06d}.csv", [row])
        loads = {"start": load_average()}
        try:
            started = time.perf_counter()
            template = isolated(
                prepare_template,
                stores.create("template"),
                str(csv_path),
                args.records,
                None if later_path is None else str(later_path),
                args.analyze,
            )
            print(f"template store prepared in {time.perf_counter() - started:.1f} s", file=sys.stderr)
            runs: list[ThroughputRun] = []
            latencies: list[LatencyRun] = []
            drains: list[WorkersRun] = []
            with receiver() as platform_:
                if "throughput" in args.steps:
                    runs = throughput(args, stores, root, platform_)
                if "workers" in args.steps:
                    drains = workers_step(args, stores, root, platform_)
                if "latency" in args.steps:
                    latencies = latency(args, stores, root, singles, platform_, int(template["later_batch"]))
        finally:
            stores.drop_all()
        loads["end"] = load_average()
        print("\nload average (1, 5, 15 min): " + ", ".join(f"{k} {v}" for k, v in loads.items()))
        problems = report(args, stores.backend, template, runs, latencies, args.database_url, drains)
        if args.json:
            data = {
                "machine": machine(args.database_url),
                "backend": stores.backend,
                "records": args.records,
                "load": loads,
                "template": template,
                "throughput": [asdict(r) | {"rate": r.rate} for r in runs],
                "latency": [asdict(r) for r in latencies],
                "workers": [asdict(d) | {"rate": d.rate} for d in drains],
            }
            Path(args.json).write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        if problems:
            sys.exit("invariants failed: " + "; ".join(problems))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Deliver records over HTTP to a local receiver; print the rates.")
    parser.add_argument("--records", type=int, default=100_000, help="records owed for throughput (default 100,000)")
    parser.add_argument(
        "--steps",
        default=",".join(DEFAULT_STEPS),
        help=f"comma-separated steps among {', '.join(STEPS)} (default: {','.join(DEFAULT_STEPS)})",
    )
    parser.add_argument("--batch-sizes", default="500,1000,2000", help="send_once batch sizes (default 500,1000,2000)")
    parser.add_argument("--profile", action="store_true", help="also profile a send_once loop (cProfile)")
    parser.add_argument("--polls", default="0.05,0.5", help="worker poll_seconds for latency (default 0.05,0.5)")
    parser.add_argument(
        "--entries", default="outbox,ingest", help="how records are entered for latency (default outbox,ingest)"
    )
    parser.add_argument("--rate", type=float, default=50, help="records/s entered as delivery rows (default 50)")
    parser.add_argument("--ingest-rate", type=float, default=10, help="records/s entered as one-row files (default 10)")
    parser.add_argument(
        "--arrivals",
        choices=("steady", "poisson"),
        default="steady",
        help="entering times: evenly spaced (default) or seeded random (exponential gaps, the same mean rate)",
    )
    parser.add_argument("--seconds", type=float, default=30, help="seconds of entering per run (default 30)")
    parser.add_argument("--workers", default="1,2", help="zhizhi worker processes for the workers step (default 1,2)")
    parser.add_argument(
        "--outage", action="store_true", help="workers step: also drain after a 30 s outage (every delivery in backoff)"
    )
    parser.add_argument(
        "--timeout", type=float, default=900, help="workers step: give up after this many seconds (default 900)"
    )
    parser.add_argument(
        "--analyze",
        action="store_true",
        help="PostgreSQL: ANALYZE the template after loading the backlog; fresh statistics, not what production gets",
    )
    parser.add_argument("--database-url", help="a PostgreSQL server (default: temporary SQLite files)")
    parser.add_argument("--json", help="also write every figure to this JSON file")
    args = parser.parse_args()
    args.steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    if unknown := [s for s in args.steps if s not in STEPS]:
        parser.error(f"unknown step(s) {unknown}; the steps are {', '.join(STEPS)}")
    args.batch_sizes = [int(b) for b in args.batch_sizes.split(",")]
    args.polls = [float(p) for p in args.polls.split(",")]
    args.workers = [int(w) for w in args.workers.split(",")]
    args.entries = [e.strip() for e in args.entries.split(",") if e.strip()]
    if bad := [e for e in args.entries if e not in ("outbox", "ingest")]:
        parser.error(f"unknown --entries {bad}: outbox or ingest")
    if args.database_url and not args.database_url.startswith("postgresql"):
        parser.error("--database-url must be a postgresql:// URL (SQLite is the default)")
    if args.records < 1:
        parser.error("--records must be at least 1")
    return args


if __name__ == "__main__":
    main()
