"""How fast tickets come in from a file and into cases: `zhizhi ingest` of N tickets, then the desk's intake.

A seeded month of tickets (bench/hotline.py's generator: both channels, rephrased duplicates, repeat calls, several
consumers of one shop) scaled to `--tickets`, written as one CSV export (UTF-8, a channel column), ingested with its
source file through `ingest_file` (one transaction, as `zhizhi ingest` does), then put into cases by `take_in` in
batches of 2,000 (one transaction each, as the worker does). Timed apart: the ingest (rows/s, the pipeline's speed)
and the intake (tickets/s, each scored against every earlier one), each in wall time and in this process's CPU time
(`time.process_time`: what a loaded machine changes least). The counts are checked: every row accepted, every
ticket in exactly one case. `--digest` prints a digest of the outcome (each ticket's case, how it came there, its
score and reasons; the suggestions with theirs; each case's routing and register entity), to hold a change that
must not alter which tickets merge to the code before it (run both on the same `--tickets` and `--seed`).

    python bench/hotline_intake.py                      # 100,000 tickets, SQLite in a temp folder
    python bench/hotline_intake.py --tickets 20000
    python bench/hotline_intake.py --tickets 8000 --digest
    python bench/hotline_intake.py --database-url postgresql+psycopg://postgres@127.0.0.1/NEW_EMPTY_DB
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import platform
import resource
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hotline import month  # noqa: E402
from zhizhi.access import Actor  # noqa: E402

HEADER = ["渠道", "工单编号", "受理时间", "诉求类型", "来电人", "来电号码", "被反映单位", "诉求内容", "问题类别",
          "商品或服务类别", "事发地", "办理状态"]  # fmt: skip
SOURCE = """\
name: rexian
title: 热线工单
department: LZ-TSJB
record_type: ticket
fields:
  channel: 渠道
  number: 工单编号
  received_at: 受理时间
  kind: 诉求类型
  caller_name: 来电人
  caller_phone: 来电号码
  respondent_name: 被反映单位
  text: 诉求内容
  problem_category: 问题类别
  goods_category: 商品或服务类别
  place: 事发地
  status: 办理状态
"""


def write_export(path: Path, tickets: int, seed: int) -> int:
    rows = month(seed, grievances=max(10, int(tickets / 1.48)))[:tickets]
    start = datetime(2026, 3, 2, 8, 0, 0)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for t in rows:
            at = start + timedelta(days=t.day, seconds=(t.id * 37) % 36000)
            writer.writerow([t.channel, f"{t.channel}-{t.id:07d}", at.strftime("%Y-%m-%d %H:%M:%S"), "投诉", t.caller,
                             t.phone, t.respondent, t.text, t.problem, t.goods, t.place, "待受理"])  # fmt: skip
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default=None, help="a new, empty database (default: SQLite in a temp dir)")
    parser.add_argument("--digest", action="store_true", help="print a digest of which tickets merged, and why")
    args = parser.parse_args()

    from sqlalchemy import func, select

    from ingest import prepare_store
    from zhizhi.config import init_workspace, load_workspace
    from zhizhi.delivery import Outbox
    from zhizhi.hotline import take_in
    from zhizhi.ingest.pipeline import ingest_file
    from zhizhi.sources import load_source
    from zhizhi.store import make_engine, make_sessionmaker
    from zhizhi.store.tables import Case, CaseTicket, Record

    with tempfile.TemporaryDirectory(prefix="zhizhi-bench-intake-") as scratch:
        folder = Path(scratch)
        root = folder / "ws"
        init_workspace(root, name="热线基准")
        url = args.database_url or f"sqlite:///{root / 'data' / 'zhizhi.db'}"
        if args.database_url:
            os.environ["ZHIZHI_DATABASE_URL"] = args.database_url
        prepare_store(url)
        (root / "sources").mkdir(exist_ok=True)
        (root / "sources" / "rexian.yaml").write_text(SOURCE, encoding="utf-8")
        export = folder / "热线工单.csv"
        written = write_export(export, args.tickets, args.seed)
        workspace = load_workspace(root)
        engine = make_engine(url)
        sessions = make_sessionmaker(engine)
        actor = Actor.operator("bench")
        load = os.getloadavg()[0]

        began = time.perf_counter()
        with sessions() as session, session.begin():
            batch = ingest_file(session, actor, load_source(root, "rexian"), export, outbox=Outbox.of(root)).batch
        ingest_s = time.perf_counter() - began
        accepted = batch.rows_accepted

        began, cpu = time.perf_counter(), 0.0
        taken = merged = suggested = 0
        while True:
            with sessions() as session, session.begin():
                started = time.process_time()
                done = take_in(session, actor, workspace)
                cpu += time.process_time() - started
            taken, merged, suggested = taken + done.tickets, merged + done.merged, suggested + done.suggested
            if done.tickets == 0:
                break
        intake_s = time.perf_counter() - began
        with sessions() as session:
            tickets = session.scalar(select(func.count()).where(Record.record_type == "ticket"))
            held = session.scalar(select(func.count()).select_from(CaseTicket))
            cases = session.scalar(select(func.count()).where(Case.stage != "merged"))
            digest = outcome_digest(session) if args.digest else ""
        engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    store = "PostgreSQL" if args.database_url else "SQLite"
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"
    print(f"{machine}, Python {platform.python_version()}, {store}; load {load:.2f} -> {os.getloadavg()[0]:.2f}")
    print(f"tickets written {written:,}; accepted {accepted:,}; in cases {held:,} of {tickets:,}")
    print(f"ingest  {ingest_s:7.1f} s  {accepted / ingest_s:9,.0f} rows/s")
    print(f"intake  {intake_s:7.1f} s  {taken / intake_s:9,.0f} tickets/s  ({cases:,} cases, {merged:,} merged on "
          f"their own, {suggested:,} suggestions)")  # fmt: skip
    print(f"intake CPU {cpu:.2f} s: {cpu / max(taken, 1) * 1000:.3f} s per 1,000 tickets, "
          f"{taken / max(cpu, 1e-9):,.0f} tickets per CPU-second")  # fmt: skip
    if digest:
        print(f"outcome digest {digest}")
    print(f"peak RSS {peak:,.0f} MiB")
    if accepted != written or held != tickets:
        sys.exit("counts do not add up")


def outcome_digest(session: Any) -> str:
    """A digest of the intake's outcome, by ticket number (the same whatever ids the store gave): each ticket's case
    (by its first ticket), how it came there, score and reasons; the suggestions; each case's routing and entity."""
    from sqlalchemy import select

    from zhizhi.store.tables import Case, CaseSuggestion, CaseTicket, Record

    number = dict(session.execute(select(Record.id, Record.key)).all())
    members: dict[int, list[tuple[Any, ...]]] = {}
    for record_id, case_id, how, score, reasons in session.execute(
        select(CaseTicket.record_id, CaseTicket.case_id, CaseTicket.how, CaseTicket.score, CaseTicket.reasons)
    ):
        members.setdefault(case_id, []).append((number[record_id], how, score, reasons))
    first = {case_id: min(rows)[0] for case_id, rows in members.items()}
    places = sorted(
        (n, first[c], how, score, reasons) for c, rows in members.items() for n, how, score, reasons in rows
    )
    suggested = sorted((number[s.record_id], first[s.case_id], s.score, s.reasons)
                       for s in session.scalars(select(CaseSuggestion)))  # fmt: skip
    routes = sorted((first[i], *rest) for i, *rest in session.execute(
        select(Case.id, Case.office_id, Case.handler_id, Case.routed_by, Case.entity_id, Case.respondent_division)
    ))  # fmt: skip
    text = json.dumps([places, suggested, routes], ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


if __name__ == "__main__":
    main()
