"""A downstream platform for the fault tests: a real HTTP server on 127.0.0.1 that applies each idempotency key
once, and can be slow, fail with 5xx, reject records, acknowledge later, or go down and come back on its port."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Server(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a sender that gave up waiting has closed its end: nothing to report


class Platform:
    """What the platform knows: `applied` (key -> record, first arrival only) and `arrivals` (every key received)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.applied: dict[str, dict[str, Any]] = {}
        self.arrivals: Counter[str] = Counter()
        self.delay = 0.0  # seconds before each answer
        self.fail_next: list[int] = []  # HTTP statuses for the next requests
        self.reject: dict[str, str] = {}  # record name (QYMC) -> reason
        self.later: set[str] = set()  # record names acknowledged later
        self.requests = 0
        self.during: Callable[[], None] | None = None  # run inside each request, while the sender waits for the answer
        self.port = 0
        self._server: ThreadingHTTPServer | None = None
        self.up()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/records"

    def up(self) -> None:
        """Listen (again, on the same port once it has one)."""
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status, answer = platform.answer(body)
                data = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = _Server(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def down(self) -> None:
        """Stop listening: connections are refused until `up()`."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def answer(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        during = self.during
        if during is not None:
            during()
        with self.lock:
            self.requests += 1
            if self.fail_next:
                return self.fail_next.pop(0), {"error": "busy"}
            delay = self.delay
        time.sleep(delay)
        with self.lock:
            results = []
            for item in body["records"]:
                key, record = item["idempotency_key"], item["record"]
                name = record.get("QYMC", "")
                if name in self.reject:
                    results.append({"idempotency_key": key, "status": "rejected", "reason": self.reject[name]})
                    continue
                self.arrivals[key] += 1
                self.applied.setdefault(key, record)
                status = "received" if name in self.later else "accepted"
                results.append({"idempotency_key": key, "status": status})
            return 200, {"results": results}


@contextmanager
def platform() -> Iterator[Platform]:
    running = Platform()
    try:
        yield running
    finally:
        running.down()
