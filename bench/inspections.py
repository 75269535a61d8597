"""How long a random-inspection draw takes over 1,000,000 entities and 2,000 inspectors, and the memory it holds.

The store is made for the draw, in a fresh process: the demo city's departments and users, `--entities` entities
in the register and their inspection targets written straight into the tables (risk classes 2 % high, 18 % medium,
80 % low; a third hold a licence, a tenth special equipment; 10 % inspected in the last 12 months; offices the
grassroots offices and county offices of the city in turn), `--inspectors` inspectors in those offices (half
qualified for special equipment) with 5,000 declared relations, and three items (every entity, the licence
holders, the equipment holders: joint visits). Then, each in a fresh process whose peak RSS is reset first:

- **draw**: a plan is committed (high 20 %, medium 5 %, low 2 %, recent targets excluded, own office excluded,
  two inspectors a target) and drawn: the population frozen into the snapshot file, the selection and the teams,
  the visits, their items and teams and the exclusions written, the seed revealed; one transaction;
- **verify**: the draw re-run from the snapshot file and the seed and checked against the ledger and the visits.

    python bench/inspections.py                                  # 1,000,000 entities, SQLite in a temporary folder
    python bench/inspections.py --entities 100000                # a smaller city
    python bench/inspections.py --database-url postgresql://postgres@127.0.0.1:5432/bench   # an empty database
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest import isolated, load_average, machine, mib, peak_kib, reset_peak  # noqa: E402

DAY = date(2026, 11, 2)
CHUNK = 50_000


def prepare(root: str, url: str | None, entities: int, inspectors: int) -> dict[str, Any]:
    """A workspace at `root` on a fresh store (`url`, or SQLite in the workspace) holding the bench's city."""
    import yaml
    from sqlalchemy import select

    from zhizhi.access import Actor
    from zhizhi.config import init_workspace, load_workspace
    from zhizhi.demo import load_demo
    from zhizhi.ingest.bulk import bulk_insert, stamp
    from zhizhi.inspections import save_item
    from zhizhi.store import make_engine, make_sessionmaker, upgrade
    from zhizhi.store.tables import Department, Entity, InspectionTarget, Inspector, InspectorRelation, User, UserRole

    init_workspace(Path(root), name="基准测试市场监督管理局")
    if url:
        path = Path(root) / "zhizhi.yaml"
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
        config["database"]["url"] = url
        path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    workspace = load_workspace(Path(root))
    engine = make_engine(workspace.database_url)
    upgrade(engine)
    operator = Actor.operator("bench")
    started = time.perf_counter()
    now = datetime.now(UTC)
    with make_sessionmaker(engine)() as session, session.begin():
        load_demo(session, operator)
        departments = session.execute(select(Department.id, Department.kind, Department.code)).all()
        offices = [d for d, kind, _ in departments if kind in ("grassroots", "county")]
        moment = stamp(session, now)
        for first in range(1, entities + 1, CHUNK):
            ids = range(first, min(first + CHUNK, entities + 1))
            bulk_insert(
                session,
                Entity,
                ("id", "status", "name", "golden", "records", "created_at", "updated_at"),
                [(n, "active", f"柳州市基准{n}号商行", "{}", 1, moment, moment) for n in ids],
            )
            bulk_insert(
                session,
                InspectionTarget,
                (
                    "entity_id",
                    "name",
                    "office_id",
                    "office_source",
                    "record_types",
                    "risk_class",
                    "risk_score",
                    "reasons",
                    "last_inspected_on",
                    "active",
                    "refreshed_at",
                ),
                [
                    (
                        n,
                        f"柳州市基准{n}号商行",
                        offices[n % len(offices)],
                        "division",
                        _kinds(n),
                        _class(n),
                        0,
                        "[]",
                        DAY - timedelta(days=30) if n % 10 == 0 else None,
                        True,
                        moment,
                    )
                    for n in ids
                ],
            )
        first_user = (session.scalar(select(User.id).order_by(User.id.desc()).limit(1)) or 0) + 1
        users = range(first_user, first_user + inspectors)
        bulk_insert(
            session,
            User,
            ("id", "username", "display_name", "department_id", "password_hash", "is_active", "created_at"),
            [(u, f"insp{u}", f"检查员{u}", offices[u % len(offices)], "x", True, moment) for u in users],
        )
        bulk_insert(session, UserRole, ("user_id", "role"), [(u, "handler") for u in users])
        bulk_insert(
            session,
            Inspector,
            ("user_id", "office_id", "qualifications", "available", "updated_at", "updated_by"),
            [
                (u, offices[u % len(offices)], "特种设备,食品" if u % 2 else "食品", True, moment, "bench")
                for u in users
            ],
        )
        bulk_insert(
            session,
            InspectorRelation,
            ("user_id", "entity_id", "relation", "declared_at", "declared_by"),
            [(users[n % inspectors], 1 + (n * 7919) % entities, "亲属经营", moment, "bench") for n in range(5_000)],
        )
        if session.get_bind().dialect.name == "postgresql":  # ids written by hand: move the sequences on
            from sqlalchemy import text

            session.execute(text("SELECT setval('users_id_seq', (SELECT max(id) FROM users))"))
        save_item(
            session,
            operator,
            code="XY-01",
            name="登记事项与实际情况是否相符",
            legal_basis="《市场主体登记管理条例》",
            department="LZ-XY",
        )
        save_item(
            session,
            operator,
            code="SP-01",
            name="食品经营者落实进货查验记录制度情况",
            legal_basis="《食品安全法》第五十三条",
            department="LZ-SP",
            record_types_text="licence",
            qualification="食品",
        )
        save_item(
            session,
            operator,
            code="TS-01",
            name="特种设备使用登记及定期检验情况",
            legal_basis="《特种设备安全法》第三十三条",
            department="LZ-TS",
            record_types_text="equipment",
            qualification="特种设备",
        )
    engine.dispose()
    return {"seconds": round(time.perf_counter() - started, 1)}


def _kinds(n: int) -> str:
    return "entity" + (",licence" if n % 3 == 0 else "") + (",equipment" if n % 10 == 7 else "")


def _class(n: int) -> str:
    return "high" if n % 50 == 0 else "medium" if n % 50 < 10 else "low"


def run_draw(root: str) -> dict[str, Any]:
    """Commit a plan and run its draw, in one process: seconds and peak RSS of the draw."""
    from zhizhi.access import Actor
    from zhizhi.config import load_workspace
    from zhizhi.inspections import PlanRules, create_plan
    from zhizhi.inspections import run_draw as draw_it
    from zhizhi.store import make_engine, make_sessionmaker

    workspace = load_workspace(Path(root))
    engine = make_engine(workspace.database_url)
    sessions = make_sessionmaker(engine)
    operator = Actor.operator("bench")
    rules = PlanRules.model_validate(
        {"items": ["XY-01", "SP-01", "TS-01"], "proportions": {"high": 20, "medium": 5, "low": 2}}
    )
    with sessions() as session, session.begin():
        draw = create_plan(
            session,
            operator,
            workspace.keys_dir,
            number="BENCH",
            title="基准抽查",
            department="LZ-XY",
            first=DAY,
            last=DAY + timedelta(days=60),
            rules=rules,
        )
        number = draw.number
    before = reset_peak()
    started = time.perf_counter()
    with sessions() as session, session.begin():
        found = draw_it(session, operator, workspace, number, today=DAY)
    seconds = time.perf_counter() - started
    engine.dispose()
    summary = found["summary"]
    return {
        "draw": number,
        "seconds": round(seconds, 1),
        "peak_kib": peak_kib(),
        "start_kib": before,
        "population": found["population"],
        "inspectors": found["inspectors"],
        "visits": summary["visits"],
        "joint_visits": summary["joint_visits"],
        "excluded_recent": summary["excluded_recent"],
        "unstaffed": len(summary["unstaffed"]),
        "skipped": summary["skipped"],
        "snapshot_bytes": (workspace.data_dir / "inspections" / "draws" / number / "snapshot.jsonl.gz").stat().st_size,
    }


def run_verify(root: str, number: str) -> dict[str, Any]:
    """Re-run the draw from its snapshot and seed and check it: seconds and peak RSS."""
    from zhizhi.access import Actor
    from zhizhi.config import load_workspace
    from zhizhi.inspections import verify_draw
    from zhizhi.store import make_engine, make_sessionmaker

    workspace = load_workspace(Path(root))
    engine = make_engine(workspace.database_url)
    before = reset_peak()
    started = time.perf_counter()
    with make_sessionmaker(engine)() as session:
        found = verify_draw(session, Actor.operator("bench"), workspace, number)
    seconds = time.perf_counter() - started
    engine.dispose()
    return {"seconds": round(seconds, 1), "peak_kib": peak_kib(), "start_kib": before, "ok": found.ok}


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="zhizhi-inspections-bench-") as scratch:
        root = str(Path(scratch) / "ws")
        load_before = load_average()
        prepared = isolated(prepare, root, args.database_url, args.entities, args.inspectors)
        drawn = isolated(run_draw, root)
        checked = isolated(run_verify, root, drawn["draw"])
        load_after = load_average()
    store = "PostgreSQL" if args.database_url else "SQLite"
    results = {
        "entities": args.entities,
        "inspectors": args.inspectors,
        "store": store,
        "machine": machine(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "load_before": load_before,
        "load_after": load_after,
        "prepare": prepared,
        "draw": drawn,
        "verify": checked,
    }
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return
    print(f"entities {args.entities:,}, inspectors {args.inspectors:,}, {store}; load {load_before} -> {load_after}")
    print("   ".join(f"{k}: {v}" for k, v in machine().items()))
    print(f"setup (not timed as the draw): {prepared['seconds']} s")
    print(
        f"draw: {drawn['seconds']} s, peak RSS {mib(drawn['peak_kib'])} (start {mib(drawn['start_kib'])}); "
        f"{drawn['visits']:,} visits ({drawn['joint_visits']:,} joint) of {drawn['population']:,} targets, "
        f"{drawn['excluded_recent']:,} recent excluded, passed over {drawn['skipped']}, unstaffed "
        f"{drawn['unstaffed']}; snapshot {drawn['snapshot_bytes'] / 1024 / 1024:.1f} MiB gzip"
    )
    print(f"verify: {checked['seconds']} s, peak RSS {mib(checked['peak_kib'])}, ok {checked['ok']}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Time a random-inspection draw over a large register.")
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--inspectors", type=int, default=2_000)
    parser.add_argument("--database-url", default=None, help="An empty database to use instead of SQLite.")
    parser.add_argument("--json", action="store_true")
    return parser.parse_args()


if __name__ == "__main__":
    main()
