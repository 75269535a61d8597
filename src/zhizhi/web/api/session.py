"""Sign in and out from a script or single-page client, with a session cookie."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from zhizhi.access import login, logout
from zhizhi.access.passwords import MAX_LENGTH as PASSWORD_MAX_LENGTH
from zhizhi.access.users import USERNAME_MAX_LENGTH
from zhizhi.web.deps import SESSION_COOKIE, ApiWorkspaceReader, DbSession, app_context, client_ip
from zhizhi.web.session_cookie import set_session_cookie

router = APIRouter(tags=["session"])


class Credentials(BaseModel):
    username: str = Field(max_length=USERNAME_MAX_LENGTH)
    password: str = Field(max_length=PASSWORD_MAX_LENGTH)


@router.post("/session")
def create_session(credentials: Credentials, request: Request, response: Response) -> dict[str, Any]:
    """Sign in; sets the session cookie and returns the CSRF token to send as `X-CSRF-Token` on writes."""
    context = app_context(request)
    result = login(
        context.sessions,
        username=credentials.username,
        password=credentials.password,
        ip=client_ip(request),
        security=context.workspace.config.security,
        hours=context.workspace.config.server.session_hours,
    )
    set_session_cookie(response, request, result.secret)
    return {"username": result.user.username, "csrf_token": result.csrf_token}


@router.delete("/session")
def delete_session(
    request: Request,
    response: Response,
    db: DbSession,
    actor: ApiWorkspaceReader,
) -> dict[str, Any]:
    """Sign out of the current browser session."""
    web_session = getattr(request.state, "web_session", None)
    if web_session is not None:
        logout(db, web_session, client_ip(request))
    response.delete_cookie(SESSION_COOKIE)
    return {"signed_out": actor.name}
