"""The HTTP JSON transport: deliveries POSTed in batches; the platform answers for each record.

Request: `{"target": NAME, "records": [{"idempotency_key": KEY, "record": {...}}, ...]}`.
Answer: `{"results": [{"idempotency_key": KEY, "status": "accepted" | "rejected" | "received", "reason": ...}]}`;
`received` (or a key the answer leaves out) means the platform will acknowledge later, through `POST /api/receipts`.
A 5xx answer, a timeout or a refused connection is transient (tried again later); any other non-2xx answer rejects
the whole batch with the platform's words.

Settings (`transport:` in the target file): `url`, `timeout` (seconds, default 10), `batch_size` (default 500),
`auth_header_env` (an environment variable holding the whole `Authorization` header value).
"""

from __future__ import annotations

import os

import httpx

from zhizhi.delivery.targets import TargetConfig
from zhizhi.delivery.transports import Item, Outcome, TransientError, setting
from zhizhi.errors import ConfigError


class HttpTransport:
    name = "http"

    def batch_size(self, target: TargetConfig) -> int:
        return int(setting(target, "batch_size", 500))

    def send(self, target: TargetConfig, items: list[Item]) -> list[Outcome]:
        settings = target.transport.settings
        url = setting(target, "url", required=True)
        headers = {"Content-Type": "application/json"}
        if settings.get("auth_header_env"):
            value = os.environ.get(str(settings["auth_header_env"]))
            if not value:
                raise ConfigError(
                    f"Target `{target.name}`: environment variable `{settings['auth_header_env']}` is empty."
                )
            headers["Authorization"] = value
        body = {"target": target.name, "records": [{"idempotency_key": k, "record": r} for k, r in items]}
        try:
            response = httpx.post(url, json=body, headers=headers, timeout=float(settings.get("timeout", 10)))
        except httpx.HTTPError as exc:
            raise TransientError(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500:
            raise TransientError(f"HTTP {response.status_code}: {response.text[:200]}")
        if response.status_code >= 300:
            reason = f"平台拒收整批（HTTP {response.status_code}）：{response.text[:500]}"
            return [Outcome(k, False, reason) for k, _ in items]
        try:
            results = {r["idempotency_key"]: r for r in response.json().get("results", [])}
        except (ValueError, AttributeError, KeyError, TypeError) as exc:
            raise TransientError(f"the answer is not the expected JSON ({exc})") from exc
        outcomes = []
        for key, _ in items:
            answer = results.get(key, {})
            status = answer.get("status")
            accepted = True if status == "accepted" else False if status == "rejected" else None
            outcomes.append(Outcome(key, accepted, answer.get("reason")))
        return outcomes
