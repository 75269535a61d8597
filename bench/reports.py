"""How long the built-in reports take over the 1,000,000-row benchmark store.

The store is the one bench/ingest.py builds: its three seeded exports (`generate`: registrations, food licences,
inspections, 40 % / 35 % / 25 % of `--rows`) ingested by zhizhi (`prepare_store`, then `run_zhizhi`, each in a
fresh process) into a fresh SQLite file, or into `--database-url` (a new, empty database, e.g. PostgreSQL). Then,
in a fresh process, the built-in report definitions are installed into a workspace on that store, issued by the
bureau (LZ, which sees every department's rows), and each is run once for one month (`--period`, default 2026-10:
the last month ended on the exports' day, 2026-11-28), each in its own transaction as `zhizhi reports run` does;
the reports over what zhizhi itself dates (quarantine, deliveries, cases) fill the month the store was built in.
Printed per report: wall seconds, the rows of the report (groups) and its total of the first measure; and the
total, and the peak RSS of the measuring process (its high-water mark reset just before the first run).

    python bench/reports.py                                     # 1,000,000 rows, files in a temporary folder
    python bench/reports.py --out /tmp/ingest-bench             # reuse the files bench/ingest.py generated there
    python bench/reports.py --out /tmp/ingest-bench --database-url postgresql://postgres@127.0.0.1:5432/bench

The equipment and hotline reports read record types and cases the benchmark store does not hold: they run over
nothing and show what a report costs when there is nothing to count.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest import (  # noqa: E402
    generate,
    isolated,
    load_average,
    machine,
    mib,
    peak_kib,
    prepare_store,
    read_manifest,
    reset_peak,
    run_zhizhi,
)

BUREAU = "LZ"


@dataclass
class ReportTime:
    name: str
    period: str
    seconds: float
    rows: int
    first_total: Any


@dataclass
class ReportsRun:
    reports: list[ReportTime]
    seconds: float
    peak_kib: int
    start_kib: int | None


def run_reports(url: str, scratch: str, period: str) -> ReportsRun:
    """Install the built-in definitions into a workspace on the store at `url` and run each for `period`."""
    import yaml

    from zhizhi.access import Actor
    from zhizhi.config import init_workspace, load_workspace
    from zhizhi.reports import install_builtin, load_report, parse_period, report_names, run_report
    from zhizhi.reports.periods import month
    from zhizhi.reports.runs import today
    from zhizhi.store import make_engine, make_sessionmaker

    root = Path(scratch) / "workspace"
    init_workspace(root, name="柳州市市场监督管理局")
    config = yaml.safe_load((root / "zhizhi.yaml").read_text(encoding="utf-8"))
    config["database"]["url"] = url
    (root / "zhizhi.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    workspace = load_workspace(root)
    install_builtin(root, BUREAU)
    actor = Actor.operator("bench")
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with engine.connect():
        pass  # connect before the timer
    chosen, received = parse_period(period), month(today())
    times: list[ReportTime] = []
    start = reset_peak()
    started_all = time.perf_counter()
    for name in report_names(root):
        filled = chosen if load_report(root, name).query.from_ == "records" else received
        started = time.perf_counter()
        with sessions() as session, session.begin():
            run = run_report(session, workspace, actor, name, filled)
            figures = run.figures
        seconds = time.perf_counter() - started
        data = json.loads(figures or "{}")
        measures = [c["name"] for c in data.get("columns", []) if c["kind"] not in ("key", "name")]
        first = data.get("totals", {}).get(measures[0]) if measures else None
        times.append(ReportTime(name, filled.label, seconds, len(data.get("rows", [])), first))
        print(f"  {name:20} {seconds:7.2f} s", file=sys.stderr)
    total = time.perf_counter() - started_all
    engine.dispose()
    return ReportsRun(times, total, peak_kib(), start)


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="zhizhi-bench-reports-") as scratch:
        out = Path(args.out) if args.out else Path(scratch) / "exports"
        manifest = read_manifest(out) if (out / "manifest.json").exists() else generate(out, args.rows)
        url = args.database_url or f"sqlite:///{Path(scratch) / 'zhizhi.db'}"
        started = time.perf_counter()
        isolated(prepare_store, url)
        print("store prepared; ingesting", file=sys.stderr)
        ingest = isolated(run_zhizhi, url, str(out), manifest.files)
        print(f"store built in {time.perf_counter() - started:.1f} s; running the reports", file=sys.stderr)
        load = load_average()
        result = isolated(run_reports, url, scratch, args.period)
        end = load_average()
    from zhizhi.store import display_url

    rows = sum(b.read for b in ingest.batches)
    store = display_url(args.database_url) if args.database_url else "a temporary SQLite file"
    print(f"\n{rows:,} rows read into {store}; the built-in reports for {args.period}")
    print("machine: " + "; ".join(f"{k} {v}" for k, v in machine().items()))
    print(f"load average before the reports {load}, after {end}\n")
    print("| report | period | seconds | rows of the report | first measure's total |")
    print("|---|---|---:|---:|---:|")
    for r in result.reports:
        print(f"| `{r.name}` | {r.period} | {r.seconds:.2f} | {r.rows} | {r.first_total} |")
    print(f"| **all {len(result.reports)}** | | **{result.seconds:.2f}** | | |")
    print(f"\npeak RSS while running the reports: {mib(result.peak_kib)} (at start {mib(result.start_kib)})")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Run the built-in reports over the 1M-row benchmark store.")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows across the three files (default 1,000,000)")
    parser.add_argument("--out", help="folder of bench/ingest.py's generated files (generated there when missing)")
    parser.add_argument("--period", default="2026-10", help="the month each report fills (default 2026-10)")
    parser.add_argument(
        "--database-url",
        help="the store to build and report over, a new and empty database (default: a temporary SQLite file)",
    )
    return parser.parse_args()


if __name__ == "__main__":
    main()
