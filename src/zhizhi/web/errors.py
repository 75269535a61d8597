"""One error shape for the JSON API, and friendly pages for the browser.

An error's words come from the catalogue (`error.*`): in English in the API's `message`, in the visitor's language
on a page, so that a Chinese page never says "Not Found".
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlparse

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError, DBAPIError, InternalError, OperationalError
from starlette.exceptions import HTTPException

from zhizhi.errors import AuthenticationError, RateLimitedError, ZhizhiError
from zhizhi.i18n import MESSAGES, translate
from zhizhi.store import busy, is_busy, is_read_only, read_only
from zhizhi.web.deps import locale_of
from zhizhi.web.public_limits import BODY_MAX_BYTES, MIB, PUBLIC_FORMS
from zhizhi.web.refusals import is_refusal, record_refusal
from zhizhi.web.templating import render

log = logging.getLogger("zhizhi.web")

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    414: "uri_too_long",
    422: "invalid_input",
    429: "rate_limited",
}


def error_body(code: str, message: str, status: int, details: list[Any] | None = None) -> dict[str, Any]:
    """The only shape an API error ever takes."""
    return {"error": {"code": code, "message": message, "status": status, "details": details or []}}


def install_error_handlers(app: FastAPI) -> None:
    """Route every error through one of the handlers below."""
    app.add_exception_handler(ZhizhiError, _zhizhi_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(OperationalError, _database_error)  # type: ignore[arg-type]
    app.add_exception_handler(InternalError, _database_error)  # type: ignore[arg-type]  # PostgreSQL's read-only
    # A safety net behind the bounds in the schema: a number the database cannot hold is the caller's mistake.
    app.add_exception_handler(DataError, _out_of_range)
    app.add_exception_handler(OverflowError, _out_of_range)
    app.add_exception_handler(Exception, _unexpected_error)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api")


def _words(request: Request, key: str, **params: object) -> str:
    """An error's words from the catalogue: English for the API, the visitor's language for a page."""
    return translate("en" if _is_api(request) else locale_of(request), key, **params)


def _respond(
    request: Request,
    code: str,
    message: str,
    status: int,
    details: list[Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    if _is_api(request):
        return JSONResponse(error_body(code, message, status, details), status_code=status, headers=headers)
    referer = urlparse(request.headers.get("referer", ""))
    back = referer.path if referer.netloc == request.url.netloc and referer.path.startswith("/") else "/"
    if status == 401:
        # After signing in, back to the page: a form posted after the session ended goes back to the page it was on
        # (its own address takes no GET: a 405 after signing in, and the input lost without a word).
        if request.method in ("GET", "HEAD"):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        else:
            target = back + (f"?{referer.query}" if back != "/" and referer.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    page = render(request, "error.html", {"code": code, "message": message, "back": back}, status_code=status)
    page.headers.update(headers or {})  # a page told to wait says how long too (Retry-After)
    return page


async def _zhizhi_error(request: Request, exc: ZhizhiError) -> Response:
    if is_refusal(exc):
        record_refusal(request, exc)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimitedError) else None
    if isinstance(exc, AuthenticationError) and _is_api(request):
        headers = {"WWW-Authenticate": "Bearer"}
    message = exc.message if _is_api(request) else exc.localized(locale_of(request))
    return _respond(request, exc.code, message, exc.status, exc.details, headers)


class BodyRefused(HTTPException):
    """A request's body refused while it is read, before any route sees it (FastAPI lets only an HTTPException
    through from there): answered as the `ZhizhiError` it carries."""

    def __init__(self, error: ZhizhiError) -> None:
        super().__init__(error.status, error.message)
        self.error = error


async def _http_error(request: Request, exc: HTTPException) -> Response:
    if isinstance(exc, BodyRefused):
        return await _zhizhi_error(request, exc.error)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    key = f"error.http.{exc.status_code}"
    limit: dict[str, object] = {}
    if exc.status_code == 413 and request.url.path in PUBLIC_FORMS:  # a citizen's form, not an operator's upload
        key = "error.http.413_form"
    elif exc.status_code == 413 and _is_api(request) and not _uploads_file(request):  # a push, receipts: fewer
        key, limit = "error.http.413_body", {"limit": BODY_MAX_BYTES // MIB}
    if exc.status_code == 400 and not _is_api(request):  # the form parser's refusal (too many fields), in words
        key = "error.http.400_form"
    message = _words(request, key, **limit) if key in MESSAGES["en"] else str(exc.detail)
    return _respond(request, code, message, exc.status_code)


def _uploads_file(request: Request) -> bool:
    return request.headers.get("content-type", "").lower().startswith("multipart/form-data")


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    details = [
        {"field": _text(".".join(str(p) for p in e["loc"])), "message": _text(e["msg"]), "value": _echoed(e)}
        for e in exc.errors()
    ]
    if _is_api(request):
        fields = ", ".join(f"`{d['field']}`" for d in details)
        return _respond(request, "invalid_input", _words(request, "error.invalid_input", fields=fields), 422, details)
    # A page's form: each field by its own name (not `body.note`), and why, where the reason is a bound.
    said = []
    for e in exc.errors():
        name = _text(str(e["loc"][-1])) if e["loc"] else ""
        limit = (e.get("ctx") or {}).get("max_length")
        if e["type"] == "string_too_long" and limit is not None:
            said.append(_words(request, "error.field_too_long", field=name, max=limit))
        elif e["type"] == "missing":
            said.append(_words(request, "error.field_missing", field=name))
        else:
            said.append(_words(request, "error.field_invalid", field=name))
    return _respond(request, "invalid_input", " ".join(dict.fromkeys(said)), 422, details)


async def _database_error(request: Request, exc: DBAPIError) -> Response:
    if is_read_only(exc):  # a read-only copy served, a database that only reads: reading works, this write cannot
        log.warning("read-only store on %s %s: %s", request.method, request.url.path, exc.orig)
        refused = read_only()
        message = refused.message if _is_api(request) else refused.localized(locale_of(request))
        return _respond(request, refused.code, message, refused.status)
    if not isinstance(exc, OperationalError):
        return await _unexpected_error(request, exc)
    log.error("database unavailable on %s %s: %s", request.method, request.url.path, exc.orig)
    if is_busy(exc):
        error = busy()
        message = error.message if _is_api(request) else error.localized(locale_of(request))
        return _respond(request, error.code, message, 503, headers={"Retry-After": "5"})
    message = _words(request, "error.database_unavailable")
    return _respond(request, "database_unavailable", message, 503, headers={"Retry-After": "5"})


async def _out_of_range(request: Request, exc: Exception) -> Response:
    log.warning("value out of range on %s %s: %s", request.method, request.url.path, str(exc).splitlines()[0][:200])
    return _respond(request, "invalid_input", _words(request, "error.out_of_range"), 422)


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return _respond(request, "internal_error", _words(request, "error.internal"), 500)


SECRET_WORDS = frozenset({"password", "passwd", "passphrase", "secret", "token", "pin", "credential", "credentials"})


def _echoed(error: Mapping[str, Any]) -> Any:
    """The input an error quotes back, or None: never a secret field's (a password too long is still a password),
    nor the object a missing field was looked for in, nor a body that is not the object asked for (a list, text, or
    JSON sent as another type): each is the whole body, with its password and phone."""
    words = {w for part in error["loc"] if isinstance(part, str) for w in part.lower().replace("-", "_").split("_")}
    value = error.get("input")
    whole_body = tuple(error["loc"]) == ("body",)
    if words & SECRET_WORDS or error["type"] == "missing" or isinstance(value, dict) or whole_body:
        return None
    return _safe(value)


def _safe(value: Any) -> Any:
    # Bounded: an error must not echo a 3 MB input back (nor fill a log with it); and writable (a lone surrogate
    # shown as its escape).
    if isinstance(value, int | float | bool | None):
        return value
    text = _text(str(value))
    return text if len(text) <= 200 else text[:200] + f"…[{len(text)} chars]"


def _text(value: str) -> str:
    return value.encode("utf-8", "backslashreplace").decode("utf-8")
