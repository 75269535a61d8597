"""Ledger verify throughput: build a valid chain of N entries in a fresh store, sign its head, verify it.

    python bench/ledger.py --entries 1000000 [--database-url URL]

The chain is built with zhizhi's own hash function and inserted in bulk (the append path, one statement per entry
in a transaction, is what the app uses; it is not what is measured here). Verify is `zhizhi.ledger.verify_ledger`.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from zhizhi.config.keys import ensure_signing_key
from zhizhi.ledger import sign_head, verify_ledger
from zhizhi.ledger.chain import GENESIS, canonical, entry_hash
from zhizhi.store import make_engine, make_sessionmaker, upgrade
from zhizhi.store.types import iso_utc

BLOCK = 50_000


def build(url: str, count: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    start, prev = datetime(2026, 11, 28, tzinfo=UTC), GENESIS
    with engine.begin() as connection:
        mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        sql = f"INSERT INTO ledger_entries VALUES ({', '.join([mark] * 8)})"
        rows = []
        for seq in range(1, count + 1):
            moment = start + timedelta(milliseconds=seq)
            at = iso_utc(moment)
            assert at is not None
            payload = canonical({"source": "dengji", "file": f"export-{seq % 97}.csv", "rows": {"read": seq % 5000}})
            digest = entry_hash(prev, seq, at, "batch.ingested", "batch", str(seq), payload)
            stored = moment.replace(tzinfo=None)
            value = stored.strftime("%Y-%m-%d %H:%M:%S.%f") if connection.dialect.name == "sqlite" else stored
            rows.append((seq, value, "batch.ingested", "batch", str(seq), payload, prev, digest))
            prev = digest
            if len(rows) == BLOCK:
                connection.exec_driver_sql(sql, rows)
                rows = []
        if rows:
            connection.exec_driver_sql(sql, rows)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'ledger.db'}"
        keys = Path(folder) / "keys"
        keys.mkdir()
        ensure_signing_key(keys)
        started = time.perf_counter()
        build(url, args.entries)
        print(f"built {args.entries:,} entries in {time.perf_counter() - started:.1f} s")
        sessions = make_sessionmaker(make_engine(url))
        with sessions() as session, session.begin():
            sign_head(session, keys)
        started = time.perf_counter()
        with sessions() as session:
            report = verify_ledger(session, keys)
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"verify: ok={report.ok} entries={report.entries:,} checkpoints={report.checkpoints} "
            f"in {elapsed:.2f} s ({report.entries / elapsed:,.0f} entries/s), peak RSS {peak:.0f} MiB"
        )


if __name__ == "__main__":
    main()
