"""What a platform answers besides a verdict on each record, against a real server: a rate limit or an overload
with `Retry-After`, credentials or an address refused, a redirect, a batch too large, a refusal of the batch's
content, and answers too large to hold or reasons too long to store."""

from __future__ import annotations

import json
import logging
import socket
import struct
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from zhizhi.delivery.targets import TargetConfig
from zhizhi.delivery.transports import TransientError
from zhizhi.delivery.transports.http import ANSWER_MAX_BYTES, REASON_MAX, HttpTransport

RECORDS = [("1-province", {"QYMC": "甲公司"}), ("2-province", {"QYMC": "乙公司"})]


class _Server(ThreadingHTTPServer):
    status = 200
    headers: dict[str, str] = {}  # noqa: RUF012
    body: bytes | None = None  # None: a verdict for each record
    streamed = 0  # bytes of an endless body to send, in 1 MiB pieces, without a length
    written = 0  # what it managed to send before the client hung up
    trickle = 0.0  # seconds between the bytes of a body sent one at a time (each within the read timeout)
    header_trickle = 0.0  # the same for the status line and headers, before any body
    reset = False  # the connection cut (RST) once the request is read and the answer begun


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:  # noqa: N802
        sent = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        server = self.server
        body = server.body
        if body is None:
            results = [{"idempotency_key": r["idempotency_key"], "status": "accepted"} for r in sent["records"]]
            body = json.dumps({"results": results}).encode()
        if server.header_trickle:
            head = f"HTTP/1.1 {server.status} OK\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            try:
                for byte in head + body:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(server.header_trickle)
            except OSError:
                pass  # the client hung up
            return
        self.send_response(server.status)
        for name, value in server.headers.items():
            self.send_header(name, value)
        if server.reset:
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            return
        if server.trickle:
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                for byte in body:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(server.trickle)
            except OSError:
                pass  # the client stopped reading
            return
        if server.streamed:
            self.end_headers()
            piece = b" " * (1024 * 1024)
            try:
                while server.written < server.streamed:
                    self.wfile.write(piece)
                    server.written += len(piece)
            except OSError:
                pass  # the client stopped reading
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[_Server]:
    running = _Server(("127.0.0.1", 0), _Handler)
    running.daemon_threads = True
    threading.Thread(target=running.serve_forever, daemon=True).start()
    yield running
    running.shutdown()
    running.server_close()


def _send(server: _Server, timeout: float = 5) -> list[Any]:
    target = TargetConfig.model_validate(
        {
            "name": "province",
            "owner": "LZ-XY",
            "record_types": ["entity"],
            "fields": {"QYMC": "name"},
            "transport": {"kind": "http", "url": f"http://127.0.0.1:{server.server_address[1]}/api",
                          "timeout": timeout},
        }
    )
    return HttpTransport().send(target, RECORDS)


def test_a_rate_limit_or_an_overload_is_tried_again_after_the_platforms_retry_after(server: _Server) -> None:
    server.status, server.headers = 429, {"Retry-After": "120"}
    with pytest.raises(TransientError, match="HTTP 429") as caught:
        _send(server)
    assert caught.value.retry_after == 120 and not caught.value.maybe_arrived
    later = datetime.now(UTC) + timedelta(minutes=10)
    server.status, server.headers = 503, {"Retry-After": format_datetime(later, usegmt=True)}
    with pytest.raises(TransientError, match="HTTP 503") as caught:
        _send(server)
    assert caught.value.retry_after is not None and 590 <= caught.value.retry_after <= 600
    server.headers = {"Retry-After": "9999999"}  # honoured up to a day
    with pytest.raises(TransientError) as caught:
        _send(server)
    assert caught.value.retry_after == 86_400
    server.headers = {"Retry-After": "soon"}  # unreadable: the sender's own backoff
    with pytest.raises(TransientError) as caught:
        _send(server)
    assert caught.value.retry_after is None


@pytest.mark.parametrize(
    ("status", "headers", "words"),
    [
        (401, {}, "transport.auth_header_env"),
        (403, {}, "transport.auth_header_env"),
        (404, {}, "transport.url"),
        (405, {}, "transport.url"),
        (408, {}, "timed out"),
        (410, {}, "transport.url"),
        (413, {}, "transport.batch_size"),
        (301, {"Location": "https://new.example/api"}, "moved to https://new.example/api"),
        (308, {"Location": "https://new.example/api"}, "transport.url"),
    ],
)
def test_an_answer_that_judges_no_record_is_tried_again_not_a_refusal(
    server: _Server, status: int, headers: dict[str, str], words: str
) -> None:
    """An expired token or a wrong address must not mark thousands of records as refused by the platform."""
    server.status, server.headers, server.body = status, headers, "<html>网关页面</html>".encode()
    with pytest.raises(TransientError, match=f"HTTP {status}") as caught:
        _send(server)
    message = str(caught.value)
    assert words in message and "网关页面" in message  # the platform's own words kept beside ours
    assert not caught.value.maybe_arrived


@pytest.mark.parametrize("status", [400, 409, 415, 422])
def test_a_refusal_of_the_batchs_content_rejects_each_record_with_the_platforms_words(
    server: _Server, status: int
) -> None:
    server.status, server.body = status, ("字段 QYMC 不合规 " + "x" * 5_000).encode()
    outcomes = _send(server)
    assert [(o.key, o.accepted) for o in outcomes] == [("1-province", False), ("2-province", False)]
    assert all(f"HTTP {status}" in (o.reason or "") and "字段 QYMC 不合规" in (o.reason or "") for o in outcomes)
    assert all(len(o.reason or "") < 600 for o in outcomes)  # bounded before it is stored


def test_an_answer_too_large_to_hold_is_not_read(server: _Server) -> None:
    server.headers = {"Content-Length": str(ANSWER_MAX_BYTES * 4)}
    server.streamed = ANSWER_MAX_BYTES * 4
    with pytest.raises(TransientError, match="not read") as caught:
        _send(server)
    assert caught.value.maybe_arrived  # it answered: the records may well be there
    server.headers, server.written = {}, 0  # no length declared: counted as it arrives, stopped at the limit
    with pytest.raises(TransientError, match="not read"):
        _send(server)
    assert server.written < ANSWER_MAX_BYTES * 4


def test_an_error_page_of_any_size_is_read_only_as_far_as_its_words(server: _Server) -> None:
    server.status, server.streamed = 502, ANSWER_MAX_BYTES * 4
    with pytest.raises(TransientError, match="HTTP 502"):
        _send(server)
    assert server.written < ANSWER_MAX_BYTES * 4


def test_a_reason_too_long_to_store_is_cut_and_an_answer_not_json_may_have_arrived(server: _Server) -> None:
    results = [{"idempotency_key": k, "status": "rejected", "reason": "原因" * 10_000} for k, _ in RECORDS]
    server.body = json.dumps({"results": results}).encode()
    outcomes = _send(server)
    assert all(o.accepted is False and len(o.reason or "") == REASON_MAX for o in outcomes)
    server.body = b"<html>ok</html>"
    with pytest.raises(TransientError, match="not JSON") as caught:
        _send(server)
    assert caught.value.maybe_arrived


def test_an_answer_trickled_past_the_timeout_is_cut_off_and_may_have_arrived(server: _Server) -> None:
    """Each byte comes within the read timeout, so only a deadline over the whole answer ends the send: one that
    outlasts its claim is sent again by another loop."""
    server.trickle = 0.3
    began = time.monotonic()
    with pytest.raises(TransientError, match="longer than the timeout") as caught:
        _send(server, timeout=1)
    assert caught.value.maybe_arrived and time.monotonic() - began < 3


def test_headers_trickled_past_the_timeout_are_cut_off_too(server: _Server) -> None:
    """httpx times each read alone: headers coming a byte at a time kept a send 17 s past a 3 s timeout (and past its
    claim: the batch was sent twice at once)."""
    server.header_trickle = 0.3
    began = time.monotonic()
    with pytest.raises(TransientError, match="longer than the timeout") as caught:
        _send(server, timeout=1)
    assert caught.value.maybe_arrived and time.monotonic() - began < 3
    server.header_trickle = 0
    assert [o.accepted for o in _send(server)] == [True, True]  # the next send makes its connections anew


def test_a_connection_cut_while_answering_may_have_arrived(server: _Server) -> None:
    server.reset = True
    with pytest.raises(TransientError) as caught:
        _send(server)
    assert caught.value.maybe_arrived, caught.value


def test_a_2xx_answer_without_the_results_may_have_arrived(server: _Server) -> None:
    server.body = json.dumps({"code": 0, "data": {"saved": 2}}).encode()
    with pytest.raises(TransientError, match="no list at `results`") as caught:
        _send(server)
    assert caught.value.maybe_arrived


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        ({"results": [], "error": "系统维护中，数据未处理"}, "系统维护中，数据未处理"),
        ({"code": 500, "msg": "服务内部错误"}, "[500] 服务内部错误"),
        ({"success": False, "message": "token 已过期"}, "token 已过期"),
        ({"errcode": "E102", "errmsg": "签名错误"}, "[E102] 签名错误"),
    ],
)
def test_a_2xx_answer_that_says_it_failed_is_tried_again_with_its_words(
    server: _Server, answer: dict[str, Any], said: str
) -> None:
    """HTTP 200 with an empty result list and an error was filed `sent` and counted delivered, with no word."""
    server.body = json.dumps(answer, ensure_ascii=False).encode()
    with pytest.raises(TransientError) as caught:
        _send(server)
    assert said in str(caught.value) and not caught.value.maybe_arrived  # it said it did not take them, as a 5xx


@pytest.mark.parametrize(
    "wrapper",
    [
        {"errcode": 0, "errmsg": "ok"},
        {"code": "00000", "msg": "一切ok"},
        {"code": "10000", "msg": "Success"},
        {"code": 1, "msg": "成功"},
        {"code": "Success"},
        {"resultCode": "000000", "resultMsg": "成功"},
        {"code": 0, "msg": "成功", "error": "无"},
    ],
)
def test_the_success_wrappers_of_platforms_are_no_failure(server: _Server, wrapper: dict[str, Any]) -> None:
    """Each platform writes success its own way; answering every record `received`, each was taken for a failure and
    the batch sent again and again."""
    received = [{"idempotency_key": key, "status": "received"} for key, _ in RECORDS]
    server.body = json.dumps({**wrapper, "results": received}, ensure_ascii=False).encode()
    assert [o.accepted for o in _send(server)] == [None, None]  # `sent`, for a receipt
    server.body = json.dumps({**wrapper, "results": []}, ensure_ascii=False).encode()
    assert [o.accepted for o in _send(server)] == [None, None]  # no word of failure: warned of, left `sent`


def test_a_2xx_answer_that_says_it_failed_yet_judges_records_is_read(server: _Server) -> None:
    results = [
        {"idempotency_key": "1-province", "status": "accepted"},
        {"idempotency_key": "2-province", "status": "rejected", "reason": "重复"},
    ]
    server.body = json.dumps({"code": 1, "msg": "部分失败", "results": results}, ensure_ascii=False).encode()
    assert [o.accepted for o in _send(server)] == [True, False]


def test_a_2xx_answer_of_success_with_no_results_stays_sent_and_is_warned_of(
    server: _Server, caplog: pytest.LogCaptureFixture
) -> None:
    server.body = json.dumps({"code": 0, "msg": "接收成功", "results": []}, ensure_ascii=False).encode()
    with caplog.at_level(logging.WARNING, logger="zhizhi.delivery"):
        outcomes = _send(server)
    assert all(o.accepted is None for o in outcomes)  # for a receipt
    assert any("settles none of the 2 records sent" in r.getMessage() for r in caplog.records)


def test_an_answer_under_keys_none_of_which_were_sent_is_warned_of(
    server: _Server, caplog: pytest.LogCaptureFixture
) -> None:
    server.body = json.dumps({"results": [{"idempotency_key": "other", "status": "accepted"}]}).encode()
    with caplog.at_level(logging.WARNING, logger="zhizhi.delivery"):
        outcomes = _send(server)
    assert all(o.accepted is None for o in outcomes)  # left `sent`, for a receipt
    assert any("settles none of the 2 records sent" in r.getMessage() for r in caplog.records)
