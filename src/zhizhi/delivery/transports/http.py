"""The HTTP JSON transport: deliveries POSTed in batches; the platform answers for each record.

Request: `{"target": NAME, "records": [{"idempotency_key": KEY, "version": N, "version_at": TIME, "record": {...}},
...]}`: `version` (1, 2, ...) and `version_at` (ISO UTC) say which version of the record this is, so a platform that
got a newer one first (a timed-out request it processed late) can refuse the older.
Answer, by default: `{"results": [{"idempotency_key": KEY, "status": "accepted" | "rejected" | "received",
"reason": ...}]}`; `answer:` in the settings reads another shape (where the list is, which fields hold the key, the
status and the reason, which status values mean accepted or rejected). A status that is neither (`received`) or a
key the answer leaves out means the platform will acknowledge later, through `POST /api/receipts`.
A 5xx answer, a timeout or a refused connection is transient (tried again later; a read timeout or a 504 may have
arrived, which makes a delivery that runs out of time `unknown` rather than `dead`); any other non-2xx answer
rejects the whole batch with the platform's words.

Settings (`transport:` in the target file) are `HttpSettings`, checked when the file loads; see docs/targets.md.
One connection pool is kept per target and its settings, so batches reuse connections.
"""

from __future__ import annotations

import os
import ssl
import threading
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field

from zhizhi.delivery.targets import TargetConfig
from zhizhi.delivery.transports import Item, Outcome, TransientError, setting, unstamped
from zhizhi.errors import ConfigError

ANSWER_KEYS = ("results", "key", "status", "reason", "accepted", "rejected")


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
                f"Target `{target.name}`: `transport.answer` takes only {', '.join(f'`{k}`' for k in ANSWER_KEYS)}."
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
        return Outcome(key, accepted, None if reason is None else str(reason))


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
        try:
            response = self._client(target).post(url, json=body, headers=_headers(target))
        except httpx.HTTPError as exc:
            # Once the request has left, no answer in time does not mean the platform did not take it.
            left = isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout | httpx.RemoteProtocolError)
            raise TransientError(f"{type(exc).__name__}: {exc}", maybe_arrived=left) from exc
        if response.status_code >= 500:
            raise TransientError(
                f"HTTP {response.status_code}: {response.text[:200]}", maybe_arrived=response.status_code == 504
            )
        if response.status_code >= 300:
            reason = f"平台拒收整批（HTTP {response.status_code}）：{response.text[:500]}"
            return [Outcome(k, False, reason) for k, _ in items]
        try:
            results = answer.read(response.json())
        except ValueError as exc:
            raise TransientError(f"the answer is not JSON ({exc})") from exc
        return [answer.outcome(key, results.get(key, {})) for key, _ in items]

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


def _headers(target: TargetConfig) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    variable = setting(target, "auth_header_env")
    if variable:
        value = os.environ.get(str(variable))
        if not value:
            raise ConfigError(f"Target `{target.name}`: environment variable `{variable}` is empty.")
        headers["Authorization"] = value
    return headers


def _tls(target: TargetConfig) -> ssl.SSLContext:
    """TLS as the platform wants it: its CA (an intranet CA in `ca_file`, else the system's), and the bureau's client
    certificate (PEM, with `client_key`) for platforms that ask for one (mutual TLS)."""
    files = {name: setting(target, name) for name in ("ca_file", "client_cert", "client_key")}
    for name, path in files.items():
        if path and not os.path.isfile(str(path)):
            raise ConfigError(f"Target `{target.name}`: `transport.{name}` file `{path}` does not exist.")
    if files["client_key"] and not files["client_cert"]:
        raise ConfigError(f"Target `{target.name}`: `transport.client_key` needs `transport.client_cert`.")
    context = ssl.create_default_context(cafile=str(files["ca_file"]) if files["ca_file"] else None)
    if files["client_cert"]:
        try:
            context.load_cert_chain(
                str(files["client_cert"]), str(files["client_key"]) if files["client_key"] else None
            )
        except (ssl.SSLError, ValueError) as exc:
            raise ConfigError(f"Target `{target.name}`: the client certificate or key does not load ({exc}).") from exc
    return context


def _envelope(key: str, record: dict[str, Any]) -> dict[str, Any]:
    """One record as sent: its key, its version and the version's time (a platform keeps the newest), its fields."""
    fields, stamp = unstamped(record)
    return {"idempotency_key": key, **stamp, "record": fields}
