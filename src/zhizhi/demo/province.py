"""The demo's provincial supervision platform (广西市场监管一体化平台): a stand-in for someone else's system.

A small real HTTP server on 127.0.0.1 (a free port, in a daemon thread) that speaks zhizhi's HTTP JSON protocol
(see `zhizhi.delivery.transports.http`): `POST /api/entities` takes a batch and answers for each record. What it
accepts it keeps in its own SQLite file (`data/demo-province.db` in the demo workspace), once per idempotency key,
so its counts survive a restart and can be held against zhizhi's reconciliation; `GET /api/counts` gives them.

It refuses some records for reasons of its own, as codes (the target file's `reasons:` puts them in words):

- `E1021` 名称与统一社会信用代码不符: a name with 个体 in it (a label, not a name), or a credit code the province's
  own register knows under another name (a change of name it was never told of; about one code in 64, picked by
  the code's CRC-32 so that the same codes are refused on every run);
- `E2003` 缺少联系电话: an entity founded on or after 2026-07-01 sent without a phone (`LXDH`): a rule the province
  brought in for new registrations, and the city's registration export has no phone column;
- `E3008` 行业代码已停用: one of two 8-digit industry codes the province has retired (`RETIRED_CODES`).

A key it has accepted before is accepted again without being stored twice; every other record is checked afresh.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

DB_FILE = "demo-province.db"  # in the workspace's data/ folder
RECORDS_PATH = "/api/entities"
COUNTS_PATH = "/api/counts"
REASONS = {
    "E1021": "名称与统一社会信用代码不符",
    "E2003": "缺少联系电话",
    "E3008": "行业代码已停用",
}
RETIRED_CODES = frozenset({"61290100", "52660100"})  # 其他一般旅馆, 机动车燃气零售: re-split by the province
PHONE_REQUIRED_FROM = "2026-07-01"
REGISTER_CONFLICT_EVERY = 64  # one credit code in this many is registered at the province under another name

SCHEMA = """
CREATE TABLE IF NOT EXISTS received_entities (
    idempotency_key TEXT PRIMARY KEY,
    tyshxydm TEXT,
    qymc TEXT,
    record TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS refused_entities (
    idempotency_key TEXT PRIMARY KEY,
    code TEXT NOT NULL,
    record TEXT NOT NULL,
    refused_at TEXT NOT NULL
);
"""


def refusal(record: dict[str, Any]) -> str | None:
    """The province's reason code for refusing a rendered entity record, or None when it takes it."""
    name, credit_code = str(record.get("QYMC") or ""), str(record.get("TYSHXYDM") or "")
    if "个体" in name or zlib.crc32(credit_code.encode()) % REGISTER_CONFLICT_EVERY == 0:
        return "E1021"
    if not record.get("LXDH") and str(record.get("CLRQ") or "") >= PHONE_REQUIRED_FROM:
        return "E2003"
    if record.get("HYDM") in RETIRED_CODES:
        return "E3008"
    return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a sender that gave up waiting has closed its end: nothing to report


class ProvincePlatform:
    """The platform: its store at `path`, its server once `start()`ed (on `port`, 0 for a free one)."""

    def __init__(self, path: Path, port: int = 0) -> None:
        self.path = path
        self.port = port
        self._lock = threading.Lock()
        self._server: _Server | None = None
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(SCHEMA)

    @property
    def url(self) -> str:
        """Where zhizhi POSTs the records (the target file's `transport.url`)."""
        return f"http://127.0.0.1:{self.port}{RECORDS_PATH}"

    def start(self) -> ProvincePlatform:
        """Listen on 127.0.0.1 in a daemon thread; returns itself."""
        self._server = _Server(("127.0.0.1", self.port), _handler(self))
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, name="demo-province", daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop listening (what it keeps stays in its file)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def receive(self, body: Any) -> tuple[int, dict[str, Any]]:
        """The HTTP status and answer for a POSTed batch."""
        items = body.get("records") if isinstance(body, dict) else None
        if not isinstance(items, list) or not all(_is_item(item) for item in items):
            return 400, {"error": "请求格式错误：应为 {records: [{idempotency_key, record}]}"}
        now = datetime.now(UTC).isoformat(timespec="seconds")
        results = []
        with self._lock, self._connect() as db:
            for item in items:
                key, record = item["idempotency_key"], item["record"]
                known = db.execute("SELECT 1 FROM received_entities WHERE idempotency_key = ?", (key,)).fetchone()
                code = None if known else refusal(record)
                text = json.dumps(record, ensure_ascii=False, sort_keys=True)
                if code is not None:
                    db.execute("INSERT OR REPLACE INTO refused_entities VALUES (?, ?, ?, ?)", (key, code, text, now))
                    results.append({"idempotency_key": key, "status": "rejected", "reason": code})
                    continue
                if not known:
                    db.execute(
                        "INSERT INTO received_entities VALUES (?, ?, ?, ?, ?)",
                        (key, record.get("TYSHXYDM"), record.get("QYMC"), text, now),
                    )
                    db.execute("DELETE FROM refused_entities WHERE idempotency_key = ?", (key,))
                results.append({"idempotency_key": key, "status": "accepted"})
        return 200, {"results": results}

    def counts(self) -> dict[str, Any]:
        """What the platform holds: distinct keys accepted, keys refused (by code)."""
        with self._lock, self._connect() as db:
            accepted = db.execute("SELECT count(*) FROM received_entities").fetchone()[0]
            by_code = dict(db.execute("SELECT code, count(*) FROM refused_entities GROUP BY code ORDER BY code"))
        return {"accepted": accepted, "rejected": sum(by_code.values()), "rejected_by_code": by_code}

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection to the platform's file: one transaction, committed at the end (rolled back on an error)."""
        db = sqlite3.connect(self.path, timeout=10)
        try:
            with db:
                yield db
        finally:
            db.close()


def _is_item(item: Any) -> bool:
    return (
        isinstance(item, dict) and isinstance(item.get("idempotency_key"), str) and isinstance(item.get("record"), dict)
    )


def _handler(platform: ProvincePlatform) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            if self.path != RECORDS_PATH:
                self._answer(404, {"error": f"没有 {self.path}"})
                return
            try:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            except ValueError:
                self._answer(400, {"error": "请求不是 JSON"})
                return
            self._answer(*platform.receive(body))

        def do_GET(self) -> None:  # noqa: N802
            if self.path == COUNTS_PATH:
                self._answer(200, platform.counts())
            else:
                self._answer(404, {"error": f"没有 {self.path}"})

        def _answer(self, status: int, answer: dict[str, Any]) -> None:
            data = json.dumps(answer, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler
