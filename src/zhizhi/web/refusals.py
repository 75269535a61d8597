"""Refused requests leave a trace: one bounded log line each on the `zhizhi.web` logger, and a count per code.

A refusal is a 403 (the role does not allow it), a CSRF failure, or a 404 of an object the caller may not see (an
object outside the caller's scope answers the same 404 as one that does not exist, so both are counted). Nothing is
written to the audit trail per refusal: anyone could grow it by asking. The counts live in the process and start
at zero with it; `refusal_counts` gives them to the status route.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter

from fastapi import Request

from zhizhi.errors import NotFoundError, PermissionDeniedError, ZhizhiError

log = logging.getLogger("zhizhi.web")
CODES = ("forbidden", "csrf_failed", "not_found")
MAX_FIELD = 200
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]")


class RefusalCounter:
    """How many requests were refused since the app started, per error code; safe across threads."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def add(self, code: str) -> None:
        with self._lock:
            self._counts[code] += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return {code: self._counts[code] for code in CODES}


def is_refusal(exc: ZhizhiError) -> bool:
    """Whether the error turns the caller away (a 403, a CSRF failure, a 404 of an object)."""
    return isinstance(exc, PermissionDeniedError | NotFoundError)


def record_refusal(request: Request, exc: ZhizhiError) -> None:
    """Log one line (method, path, user, code, reason; each field bounded) and count the refusal."""
    user = getattr(request.state, "actor_name", None) or "anonymous"
    log.warning(
        "refused %s %s user=%s code=%s reason=%s",
        request.method,
        _bounded(request.url.path),
        _bounded(user),
        exc.code,
        _bounded(exc.message),
    )
    _counter(request).add(exc.code)


def refusal_counts(request: Request) -> dict[str, int]:
    """The refusals counted by this app since it started, per code: `forbidden`, `csrf_failed`, `not_found`."""
    return _counter(request).snapshot()


def _counter(request: Request) -> RefusalCounter:
    state = request.app.state
    if not hasattr(state, "refusals"):
        state.refusals = RefusalCounter()
    counter: RefusalCounter = state.refusals
    return counter


def _bounded(text: str) -> str:
    """One line of at most MAX_FIELD characters: a caller chooses the path and could forge log lines with it."""
    flat = _UNPRINTABLE.sub("?", text)
    return flat if len(flat) <= MAX_FIELD else flat[: MAX_FIELD - 1] + "…"
