"""Sign-in and sign-out pages, and the language switch.

On a store that only reads here (an auditor's read-only copy, a PostgreSQL role that only reads) no sign-in can be
recorded: the sign-in page says so instead of its form (503), and points to the command line, which reads it."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from zhizhi.access import login, logout, may_sign_in
from zhizhi.access.passwords import MAX_LENGTH as PASSWORD_MAX_LENGTH
from zhizhi.access.users import USERNAME_MAX_LENGTH
from zhizhi.errors import AuthenticationError, RateLimitedError, ReadOnlyError
from zhizhi.web.deps import (
    LANG_COOKIE,
    PRELOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    DbSession,
    FormWorkspaceReader,
    app_context,
    check_csrf,
    client_ip,
    locale_of,
)
from zhizhi.web.session_cookie import set_session_cookie
from zhizhi.web.templating import render

router = APIRouter()


@router.get("/login", response_class=HTMLResponse)
def show_login(request: Request, next: str = "/") -> Response:
    """The sign-in form, with a CSRF token bound to a pre-login cookie; on a store that only reads, why none."""
    if not may_sign_in(app_context(request).sessions):
        return _read_only_page(request)
    return _login_page(request, next, error=None, status_code=200)


@router.post("/login")
def submit_login(
    request: Request,
    username: Annotated[str, Form(max_length=USERNAME_MAX_LENGTH)] = "",
    password: Annotated[str, Form(max_length=PASSWORD_MAX_LENGTH)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the credentials; on success set the session cookie and go where the user was headed."""
    check_csrf(request.cookies.get(PRELOGIN_CSRF_COOKIE), csrf_token)
    context = app_context(request)
    try:
        result = login(
            context.sessions,
            username=username.strip(),
            password=password,
            ip=client_ip(request),
            security=context.workspace.config.security,
            hours=context.workspace.config.server.session_hours,
        )
    except (AuthenticationError, RateLimitedError) as exc:
        return _login_page(request, next, error=exc.localized(locale_of(request)), status_code=exc.status)
    except ReadOnlyError:
        return _read_only_page(request)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(response, request, result.secret)
    response.delete_cookie(PRELOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def submit_logout(request: Request, db: DbSession, actor: FormWorkspaceReader) -> Response:
    """End the session and return to the sign-in page."""
    logout(db, request.state.web_session, client_ip(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/lang/{locale}")
def switch_language(request: Request, locale: str) -> Response:
    """Remember the visitor's language and go back."""
    target = _safe_next(request.headers.get("referer", "/"), host=request.url.netloc)
    response = RedirectResponse(target, status_code=303)
    if locale in ("zh-CN", "en"):
        response.set_cookie(LANG_COOKIE, locale, max_age=365 * 86400, samesite="lax", path="/")
    return response


def _login_page(request: Request, next: str, *, error: str | None, status_code: int) -> Response:
    token = request.cookies.get(PRELOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(
        request,
        "login.html",
        {"next": _safe_next(next), "error": error},
        status_code=status_code,
        csrf_token=token,
    )
    response.set_cookie(PRELOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/")
    return response


def _read_only_page(request: Request) -> Response:
    # 503 like every refused write to such a store (`read_only`); no form, so no pre-login cookie either.
    return render(request, "login.html", {"read_only": True, "next": "/", "error": None}, status_code=503)


def _safe_next(target: str, *, host: str = "") -> str:
    # Only paths on this site: a link must never bounce the user to another one.
    parsed = urlparse(target)
    path = parsed.path if not parsed.netloc or parsed.netloc == host else "/"
    if not path.startswith("/") or path.startswith("//") or "\\" in path or path.startswith("/login"):
        return "/"
    return path + (f"?{parsed.query}" if parsed.query else "")
