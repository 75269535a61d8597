"""The HTTP JSON transport: deliveries POSTed in batches; the platform answers for each record.

Request: `{"target": NAME, "records": [{"idempotency_key": KEY, "version": N, "version_at": TIME, "record": {...}},
...]}`: `version` (1, 2, ...) and `version_at` (ISO UTC) say which version of the record this is, so a platform that
got a newer one first (a timed-out request it processed late) can refuse the older.
Answer, by default: `{"results": [{"idempotency_key": KEY, "status": "accepted" | "rejected" | "received",
"reason": ...}]}`; `answer:` in the settings reads another shape (where the list is, which fields hold the key, the
status and the reason, which status values mean accepted or rejected). A status that is neither (`received`) or a
key the answer leaves out means the platform will acknowledge later, through `POST /api/receipts`.
A 5xx answer, a timeout or a refused connection is transient (tried again later; a read timeout or a 504 may have
arrived, which makes a delivery that runs out of time `unknown` rather than `dead`); so is an answer that judges no
record (credentials refused, a wrong or moved address, a rate limit, a batch too large: `NOT_A_JUDGEMENT`), with its
reason and after the platform's `Retry-After`; any other 4xx rejects the whole batch with the platform's words.
Answers are read bounded (`ANSWER_MAX_BYTES`, `ERROR_PAGE_BYTES`, `REASON_MAX`).

Settings (`transport:` in the target file) are `HttpSettings`, checked when the file loads; see docs/targets.md.
One connection pool is kept per target and its settings, so batches reuse connections.
"""

from __future__ import annotations

import concurrent.futures
import json
import logging
import os
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field

from zhizhi.delivery.targets import TargetConfig
from zhizhi.delivery.transports import Item, Outcome, TransientError, setting, unstamped
from zhizhi.errors import ConfigError

ANSWER_KEYS = ("results", "key", "status", "reason", "accepted", "rejected")
LATE = "平台的应答超时未读完；the answer took longer than the timeout to come"
# One thread per send in flight (made as needed): a send waiting for a free thread would spend its timeout queueing.
_CALLS = concurrent.futures.ThreadPoolExecutor(max_workers=64, thread_name_prefix="zhizhi-http")
ANSWER_MAX_BYTES = 32 * 1024 * 1024  # a 2xx answer larger than this is not read (10,000 results fit many times)
ERROR_PAGE_BYTES = 64 * 1024  # of another answer only this much is read: its words are kept, not its bulk
REASON_MAX = 500  # characters of a platform's reason kept with a delivery
RETRY_AFTER_MAX = 86_400  # a platform's `Retry-After` is honoured up to a day
log = logging.getLogger("zhizhi.delivery")
# Answers that are no judgement of the records (the address, the credentials, the platform's load, the batch's size):
# tried again later with the reason, never counted as the platform refusing the records.
NOT_A_JUDGEMENT = {
    401: ("平台拒绝了 zhizhi 的凭据，请检查 `transport.auth_header_env` 所指的令牌",
          "the platform refused zhizhi's credentials: check the token `transport.auth_header_env` names"),
    403: ("平台拒绝了 zhizhi 的凭据或权限，请检查 `transport.auth_header_env` 所指的令牌",
          "the platform refused zhizhi's credentials or rights: check the token `transport.auth_header_env` names"),
    404: ("平台地址不存在，请检查 `transport.url`", "no such address on the platform: check `transport.url`"),
    405: ("平台地址不接受 POST，请检查 `transport.url`", "the address takes no POST: check `transport.url`"),
    408: ("平台等待请求超时", "the platform timed out waiting for the request"),
    410: ("平台地址已停用，请检查 `transport.url`", "the address is gone: check `transport.url`"),
    413: ("一批记录超出平台的大小限制，请调小 `transport.batch_size`",
          "a batch is larger than the platform takes: lower `transport.batch_size`"),
    425: ("平台暂不处理该请求", "the platform asked for the request later"),
    429: ("平台限流，稍后重试", "the platform is rate-limiting: tried again later"),
}  # fmt: skip


class AnswerSettings(BaseModel):
    """`transport.answer`: where a platform's answer keeps each record's key, status and reason."""

    model_config = ConfigDict(extra="forbid")

    results: str = Field(default="results", min_length=1, description="dotted path to the list of results")
    key: str = Field(default="idempotency_key", min_length=1)
    status: str = Field(default="status", min_length=1)
    reason: str = Field(default="reason", min_length=1)
    accepted: str | list[str] = "accepted"
    rejected: str | list[str] = "rejected"


class HttpSettings(BaseModel):
    """The http transport's settings, checked when the target file loads."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(pattern=r"^https?://\S+$", description="where batches are POSTed")
    timeout: float = Field(default=10, gt=0, le=600, description="seconds to wait for an answer")
    batch_size: int = Field(default=500, ge=1, le=10_000)
    auth_header_env: str | None = Field(default=None, description="environment variable holding the Authorization")
    client_cert: str | None = None
    client_key: str | None = None
    ca_file: str | None = None
    answer: AnswerSettings | None = None


@dataclass(frozen=True)
class Answer:
    """How to read the platform's answer."""

    results: str = "results"  # dotted path to the list of per-record results
    key: str = "idempotency_key"
    status: str = "status"
    reason: str = "reason"
    accepted: tuple[str, ...] = ("accepted",)
    rejected: tuple[str, ...] = ("rejected",)

    @classmethod
    def of(cls, target: TargetConfig) -> Answer:
        given = setting(target, "answer", {}) or {}
        if not isinstance(given, dict) or set(given) - set(ANSWER_KEYS):
            raise ConfigError(
                f"Target `{target.name}`: `transport.answer` takes only {', '.join(f'`{k}`' for k in ANSWER_KEYS)}.",
                zh=f"交付目标 `{target.name}`：`transport.answer` 只接受 {'、'.join(f'`{k}`' for k in ANSWER_KEYS)}。",
            )
        values: dict[str, Any] = {k: str(v) for k, v in given.items() if k not in ("accepted", "rejected")}
        for name in ("accepted", "rejected"):
            if name in given:
                chosen = given[name]
                values[name] = tuple(str(v) for v in (chosen if isinstance(chosen, list) else [chosen]))
        return cls(**values)

    def read(self, body: Any) -> dict[str, dict[str, Any]]:
        found: Any = body
        for part in self.results.split("."):
            found = found.get(part) if isinstance(found, dict) else None
        if not isinstance(found, list):
            raise TransientError(f"the answer has no list at `{self.results}`")
        return {str(r.get(self.key)): r for r in found if isinstance(r, dict)}

    def outcome(self, key: str, result: dict[str, Any]) -> Outcome:
        status = str(result.get(self.status))
        accepted = True if status in self.accepted else False if status in self.rejected else None
        reason = result.get(self.reason)
        return Outcome(key, accepted, None if reason is None else str(reason)[:REASON_MAX])


class HttpTransport:
    name = "http"
    Settings = HttpSettings

    def __init__(self) -> None:
        self._clients: dict[tuple[str, str], httpx.Client] = {}
        self._lock = threading.Lock()

    def batch_size(self, target: TargetConfig) -> int:
        return int(setting(target, "batch_size", 500))

    def send(self, target: TargetConfig, items: list[Item]) -> list[Outcome]:
        url = str(setting(target, "url", required=True))
        answer = Answer.of(target)
        body = {"target": target.name, "records": [_envelope(k, r) for k, r in items]}
        timeout = float(setting(target, "timeout", 10))
        deadline = time.monotonic() + timeout
        client = self._client(target)

        def call() -> tuple[httpx.Response, bytes]:
            with client.stream("POST", url, json=body, headers=_headers(target)) as response:
                return response, _read(response, deadline)

        # The whole answer within the timeout, its status line and headers too: httpx times each read alone, so an
        # answer whose headers come a byte at a time would keep the send past its claim (and the batch sent twice).
        future = _CALLS.submit(call)
        try:
            response, content = future.result(timeout=max(deadline - time.monotonic(), 0) + 1)
        except concurrent.futures.TimeoutError as exc:
            self._drop(target)  # its connections closed: the stalled call ends at once
            raise TransientError(LATE, maybe_arrived=True) from exc
        except httpx.HTTPError as exc:
            # Once the request has left, no answer in time (or a connection cut while answering) does not mean the
            # platform did not take it.
            left = isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout | httpx.RemoteProtocolError | httpx.ReadError)
            zh = "请求已发出，平台的应答超时或中断（可能已送达）" if left else "未能连接平台"
            raise TransientError(f"{zh}；{type(exc).__name__}: {exc}", maybe_arrived=left) from exc
        refusal = _judged(response, content)
        if refusal is not None:
            return [Outcome(k, False, refusal) for k, _ in items]
        try:  # a 2xx answer that cannot be read: the platform took the request, so it may have arrived
            parsed = json.loads(content)
        except ValueError as exc:
            raise TransientError(f"the answer is not JSON ({exc})", maybe_arrived=True) from exc
        failed = _says_it_failed(parsed)
        if failed is not None and not _names_any(answer, parsed, items):
            # HTTP 200 with {"code": 500, "msg": "系统维护中"}: the platform says it did not take the batch, as a 5xx
            raise TransientError(f"平台答复处理失败：{failed}；the platform answered that it failed: {failed}")
        try:
            results = answer.read(parsed)
        except TransientError as exc:
            raise TransientError(str(exc), maybe_arrived=True) from exc
        if not any(key in results for key, _ in items):
            log.warning(
                "target %s: the answer settles none of the %d records sent (%d results, under other keys or none); "
                "check the target's `transport.answer` (docs/targets.md): the batch stays `sent` until a receipt "
                "comes",
                target.name,
                len(items),
                len(results),
            )
        return [answer.outcome(key, results.get(key, {})) for key, _ in items]

    def _drop(self, target: TargetConfig) -> None:
        """Close the target's connection pool (made again at the next send)."""
        with self._lock:
            for key in [k for k in self._clients if k[0] == target.name]:
                self._clients.pop(key).close()

    def _client(self, target: TargetConfig) -> httpx.Client:
        """The target's connection pool, made again when its settings change."""
        settings = target.transport.settings
        signature = repr(sorted((k, repr(v)) for k, v in settings.items()))
        with self._lock:
            client = self._clients.get((target.name, signature))
            if client is None:
                for key in [k for k in self._clients if k[0] == target.name]:
                    self._clients.pop(key).close()
                client = httpx.Client(timeout=float(settings.get("timeout", 10)), verify=_tls(target))
                self._clients[(target.name, signature)] = client
            return client


ERROR_TEXTS = ("error", "err_msg", "error_msg", "errorMsg", "error_message", "errorMessage")
ERROR_CODES = ("errcode", "err_code", "error_code", "errorCode")
SUCCESS_WORDS = ("", "0", "ok", "success", "succeeded", "成功", "无", "none", "null")
WORDS = ("msg", "message", "errmsg", "error", "err_msg", "error_msg", "errorMsg", "desc", "reason")


def _says_it_failed(body: Any) -> str | None:
    """What a 2xx answer says went wrong, when it says so plainly (a platform that answers every call with HTTP 200):
    `success: false`, an error text that is no word of success, an error code other than 0, or a result code of an
    HTTP error (400-599). Platforms' success codes differ (0, 1, 200, "00000", "10000", "Success"), so any other
    code is no failure. None: it does not say it failed."""
    if not isinstance(body, dict):
        return None
    code = next((body[name] for name in ("code", *ERROR_CODES) if body.get(name) not in (None, "")), None)
    failed = (
        body.get("success") is False
        or any(str(body.get(name) or "").strip().lower() not in SUCCESS_WORDS for name in ERROR_TEXTS)
        or any(str(body.get(name) or "0").strip() not in ("0", "") for name in ERROR_CODES)
        or (str(body.get("code") or "").isdigit() and 400 <= int(str(body["code"])) <= 599)
    )
    if not failed:
        return None
    words = next((str(body[name]) for name in WORDS if body.get(name)), None)
    return ((f"[{code}] " if code is not None else "") + (words or json.dumps(body, ensure_ascii=False)))[:REASON_MAX]


def _names_any(answer: Answer, body: Any, items: list[Item]) -> bool:
    """Whether an answer that says it failed still names some record sent, with a verdict or as received (then it
    is read as it says: the platform took those)."""
    try:
        results = answer.read(body)
    except TransientError:
        return False
    return any(key in results for key, _ in items)


def _read(response: httpx.Response, deadline: float) -> bytes:
    """The answer's body, bounded: a 2xx answer up to `ANSWER_MAX_BYTES` (larger is an error: the records were
    answered, so they may have arrived), any other only its first `ERROR_PAGE_BYTES`; and in time: an answer still
    coming at `deadline` (a platform sending a byte every few seconds, each within the read timeout) is cut off, so a
    send never outlasts its claim."""
    success = 200 <= response.status_code < 300
    cap = ANSWER_MAX_BYTES if success else ERROR_PAGE_BYTES
    declared = response.headers.get("content-length", "")
    if success and declared.isdigit() and int(declared) > cap:
        raise TransientError(_too_large(int(declared)), maybe_arrived=True)
    content = bytearray()
    for chunk in response.iter_bytes():
        content += chunk
        if time.monotonic() > deadline:
            raise TransientError(LATE, maybe_arrived=True)
        if len(content) > cap:
            if success:
                raise TransientError(_too_large(len(content)), maybe_arrived=True)
            return bytes(content[:cap])
    return bytes(content)


def _too_large(size: int) -> str:
    limit = ANSWER_MAX_BYTES // (1024 * 1024)
    zh = f"平台的应答超过 {limit} MiB（至少 {size:,} 字节），未读取"
    return f"{zh}；the answer is over {limit} MiB ({size:,} bytes or more), not read"


def _judged(response: httpx.Response, content: bytes) -> str | None:
    """None for a 2xx answer (read per record); the words of a refusal of the whole batch (a 4xx that judges the
    records: 400, 409, 422, ...); else a TransientError: a 5xx, or an answer that is no judgement of the records
    (`NOT_A_JUDGEMENT`, a redirect), tried again after the platform's `Retry-After` when it gives one."""
    code = response.status_code
    if 200 <= code < 300:
        return None
    words = content[:500].decode("utf-8", "replace")
    wait = _retry_after(response.headers.get("retry-after"))
    if code >= 500:
        raise TransientError(f"HTTP {code}: {words[:200]}", maybe_arrived=code == 504, retry_after=wait)
    if code < 400 or code in NOT_A_JUDGEMENT:
        zh, en = NOT_A_JUDGEMENT.get(code) or (
            f"平台地址已转移到 {response.headers.get('location', '?')[:200]}，请检查 `transport.url`",
            f"the address moved to {response.headers.get('location', '?')[:200]}: check `transport.url`",
        )
        raise TransientError(f"HTTP {code}：{zh}；{en}。{words[:200]}", retry_after=wait)
    return f"平台拒收整批（HTTP {code}）：{words}"


def _retry_after(value: str | None) -> float | None:
    """`Retry-After` in seconds (its two forms: seconds, or an HTTP date), within a day; None when absent or unread."""
    if not value:
        return None
    value = value.strip()[:100]
    if value.isdigit():
        return float(min(int(value), RETRY_AFTER_MAX))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max((when - datetime.now(UTC)).total_seconds(), 0.0), float(RETRY_AFTER_MAX))


def _headers(target: TargetConfig) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    variable = setting(target, "auth_header_env")
    if variable:
        value = os.environ.get(str(variable))
        if not value:
            raise ConfigError(
                f"Target `{target.name}`: environment variable `{variable}` is empty.",
                zh=f"交付目标 `{target.name}`：环境变量 `{variable}` 为空，请设置它。",
            )
        headers["Authorization"] = value
    return headers


def _tls(target: TargetConfig) -> ssl.SSLContext:
    """TLS as the platform wants it: its CA (an intranet CA in `ca_file`, else the system's), and the bureau's client
    certificate (PEM, with `client_key`) for platforms that ask for one (mutual TLS)."""
    files = {name: setting(target, name) for name in ("ca_file", "client_cert", "client_key")}
    for name, path in files.items():
        if path and not os.path.isfile(str(path)):
            raise ConfigError(
                f"Target `{target.name}`: `transport.{name}` file `{path}` does not exist.",
                zh=f"交付目标 `{target.name}`：`transport.{name}` 指定的文件 `{path}` 不存在。",
            )
    if files["client_key"] and not files["client_cert"]:
        raise ConfigError(
            f"Target `{target.name}`: `transport.client_key` needs `transport.client_cert`.",
            zh=f"交付目标 `{target.name}`：设置了 `transport.client_key` 就需要同时设置 `transport.client_cert`。",
        )
    context = ssl.create_default_context(cafile=str(files["ca_file"]) if files["ca_file"] else None)
    if files["client_cert"]:
        try:
            context.load_cert_chain(
                str(files["client_cert"]), str(files["client_key"]) if files["client_key"] else None
            )
        except (ssl.SSLError, ValueError) as exc:
            raise ConfigError(
                f"Target `{target.name}`: the client certificate or key does not load ({exc}).",
                zh=f"交付目标 `{target.name}`：客户端证书或私钥无法加载（{exc}）。",
            ) from exc
    return context


def _envelope(key: str, record: dict[str, Any]) -> dict[str, Any]:
    """One record as sent: its key, its version and the version's time (a platform keeps the newest), its fields."""
    fields, stamp = unstamped(record)
    return {"idempotency_key": key, **stamp, "record": fields}
