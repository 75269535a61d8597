"""The workspace's state (the home page's JSON twin), who is calling, their own password, and a health check."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from zhizhi.access import Actor, Role, WrongPasswordError, change_own_password, user_as_dict
from zhizhi.access.passwords import MAX_LENGTH as PASSWORD_MAX_LENGTH
from zhizhi.dashboard import overview
from zhizhi.errors import RateLimitedError
from zhizhi.store import current_revision, head_revision
from zhizhi.store.tables import User
from zhizhi.web.deps import ApiWorkspaceReader, DbSession, app_context
from zhizhi.web.errors import error_body
from zhizhi.web.refusals import refusal_counts

router = APIRouter(tags=["status"])


@router.get("/health")
def read_health(db: DbSession) -> dict[str, Any]:
    """Whether the server and its database answer; public, for load balancers."""
    revision = current_revision(db.connection())
    return {"ok": revision == head_revision(), "schema_revision": revision}


@router.get("/status")
def read_status(request: Request, db: DbSession, actor: ApiWorkspaceReader) -> dict[str, Any]:
    """The workspace at a glance, scoped to the caller's department subtree; the server's paths for admins only.

    Admins also see `refusals`: requests this server turned away since it started (403s, CSRF failures, 404s of
    objects), per code; each was logged on `zhizhi.web`.
    """
    state = for_viewer(overview(db, app_context(request).workspace, actor), actor)
    if actor.is_operator or Role.ADMIN in actor.roles:
        state["refusals"] = refusal_counts(request)
    return state


def for_viewer(state: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """The overview without the workspace's folder and the database's URL, unless the actor administers zhizhi.

    Where the server keeps its files and which database it uses help an attacker more than a user.
    """
    if actor.is_operator or Role.ADMIN in actor.roles:
        return state
    return {
        **state,
        "workspace": {k: v for k, v in state["workspace"].items() if k != "root"},
        "database": {k: v for k, v in state["database"].items() if k != "url"},
    }


@router.get("/me")
def read_me(db: DbSession, actor: ApiWorkspaceReader) -> dict[str, Any]:
    """The caller: user, department, roles and what they allow."""
    me = db.get(User, actor.user_id)
    assert me is not None  # the guard found this user a moment ago, in this transaction
    return {**user_as_dict(me), "permissions": sorted(actor.permissions)}


class PasswordChangeBody(BaseModel):
    current_password: str = Field(max_length=PASSWORD_MAX_LENGTH)
    new_password: str = Field(max_length=PASSWORD_MAX_LENGTH)


@router.post("/me/password", response_model=None)
def change_my_password(
    body: PasswordChangeBody, request: Request, db: DbSession, actor: ApiWorkspaceReader
) -> dict[str, Any] | JSONResponse:
    """Change one's own password, given the current one; the caller's other sessions end, API tokens stay.

    A wrong current password counts as a failed sign-in: it is answered here, not raised, so that the record of it
    commits with the request.
    """
    try:
        change = change_own_password(
            db,
            actor,
            current=body.current_password,
            new=body.new_password,
            security=app_context(request).workspace.config.security,
            keep_session=getattr(request.state, "web_session", None),
        )
    except (WrongPasswordError, RateLimitedError) as exc:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimitedError) else None
        return JSONResponse(error_body(exc.code, exc.message, exc.status, exc.details), exc.status, headers)
    return {"username": change.user.username, "sessions_ended": change.sessions_ended}
