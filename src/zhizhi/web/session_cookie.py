"""The session cookie's attributes, in one place."""

from __future__ import annotations

from fastapi import Request, Response

from zhizhi.web.deps import SESSION_COOKIE, app_context


def set_session_cookie(response: Response, request: Request, secret: str) -> None:
    """HttpOnly, SameSite=Lax, Secure when the workspace says it is served over HTTPS."""
    server = app_context(request).workspace.config.server
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=server.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=server.secure_cookies,
        path="/",
    )
