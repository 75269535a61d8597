"""The workspace's state (the home page's JSON twin), who is calling, and a health check."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from zhizhi.access import Actor, user_as_dict
from zhizhi.dashboard import overview
from zhizhi.store import current_revision, head_revision
from zhizhi.store.tables import User
from zhizhi.web.deps import ApiGuard, DbSession, app_context

router = APIRouter(tags=["status"])
Reader = Annotated[Actor, Depends(ApiGuard("workspace.read"))]


@router.get("/health")
def read_health(db: DbSession) -> dict[str, Any]:
    """Whether the server and its database answer; public, for load balancers."""
    revision = current_revision(db.connection())
    return {"ok": revision == head_revision(), "schema_revision": revision}


@router.get("/status")
def read_status(request: Request, db: DbSession, actor: Reader) -> dict[str, Any]:
    """The workspace at a glance, scoped to the caller's department subtree."""
    return overview(db, app_context(request).workspace, actor)


@router.get("/me")
def read_me(db: DbSession, actor: Reader) -> dict[str, Any]:
    """The caller: user, department, roles and what they allow."""
    me = db.get(User, actor.user_id)
    assert me is not None  # the guard found this user a moment ago, in this transaction
    return {**user_as_dict(me), "permissions": sorted(actor.permissions)}
