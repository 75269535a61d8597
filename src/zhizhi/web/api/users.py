"""Users: list, create, disable, enable; personal data only with a purpose, and audited."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from zhizhi.access import (
    Actor,
    create_user,
    get_user,
    list_users,
    reveal_personal,
    set_active,
    unlock,
    user_as_dict,
)
from zhizhi.web.deps import ApiGuard, DbSession, app_context

router = APIRouter(prefix="/users", tags=["users"])
Reader = Annotated[Actor, Depends(ApiGuard("users.read"))]
Writer = Annotated[Actor, Depends(ApiGuard("users.write"))]


class NewUser(BaseModel):
    username: str
    display_name: str = ""
    department_code: str
    roles: list[str] = Field(min_length=1)
    password: str
    phone: str | None = None


@router.get("")
def read_users(db: DbSession, actor: Reader) -> list[dict[str, Any]]:
    """Users in the caller's subtree; phone numbers masked."""
    return [user_as_dict(u) for u in list_users(db, actor)]


@router.get("/{username}")
def read_user(username: str, db: DbSession, actor: Reader) -> dict[str, Any]:
    """One user; 404 when outside the caller's subtree."""
    return user_as_dict(get_user(db, actor, username))


@router.get("/{username}/personal")
def read_user_personal(
    username: str,
    db: DbSession,
    actor: Annotated[Actor, Depends(ApiGuard("personal.read"))],
    purpose: Annotated[str, Query(min_length=2, max_length=200)],
) -> dict[str, Any]:
    """A user's personal data unmasked; `purpose` is required and the read is audited."""
    return reveal_personal(db, actor, username, purpose=purpose)


@router.post("", status_code=201)
def add_user(body: NewUser, request: Request, db: DbSession, actor: Writer) -> dict[str, Any]:
    """Create a user in a department of the caller's subtree."""
    min_length = app_context(request).workspace.config.security.password_min_length
    user = create_user(db, actor, password_min_length=min_length, **body.model_dump())
    return user_as_dict(user)


@router.post("/{username}/disable")
def disable_user(username: str, db: DbSession, actor: Writer) -> dict[str, Any]:
    """Disable a user: their sessions end and their tokens stop working."""
    return user_as_dict(set_active(db, actor, username, active=False))


@router.post("/{username}/unlock")
def unlock_user(username: str, db: DbSession, actor: Writer) -> dict[str, Any]:
    """Forget the user's failed sign-ins so they may try again at once."""
    return {"username": username, "forgotten_failures": unlock(db, actor, username)}


@router.post("/{username}/enable")
def enable_user(username: str, db: DbSession, actor: Writer) -> dict[str, Any]:
    """Enable a disabled user again."""
    return user_as_dict(set_active(db, actor, username, active=True))
