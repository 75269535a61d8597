"""Users: list, create, disable, enable; personal data only with a purpose, and audited."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from zhizhi.access import (
    Role,
    create_user,
    get_user,
    list_users,
    reveal_personal,
    set_active,
    set_password,
    unlock,
    user_as_dict,
)
from zhizhi.access.departments import CODE_MAX_LENGTH
from zhizhi.access.passwords import MAX_LENGTH as PASSWORD_MAX_LENGTH
from zhizhi.access.users import DISPLAY_NAME_MAX_LENGTH, PHONE_MAX_LENGTH, USERNAME_MAX_LENGTH
from zhizhi.web.deps import (
    ApiPersonalReader,
    ApiUsersReader,
    ApiUsersWriter,
    DbSession,
    app_context,
    unmask_per_hour,
)

router = APIRouter(prefix="/users", tags=["users"])


class NewUser(BaseModel):
    username: str = Field(max_length=USERNAME_MAX_LENGTH)
    display_name: str = Field(default="", max_length=DISPLAY_NAME_MAX_LENGTH)
    department_code: str = Field(max_length=CODE_MAX_LENGTH)
    roles: list[Annotated[str, Field(max_length=16)]] = Field(min_length=1, max_length=len(Role))
    password: str = Field(max_length=PASSWORD_MAX_LENGTH)
    phone: str | None = Field(default=None, max_length=PHONE_MAX_LENGTH)


@router.get("")
def read_users(db: DbSession, actor: ApiUsersReader) -> list[dict[str, Any]]:
    """Users in the caller's subtree; phone numbers masked."""
    return [user_as_dict(u) for u in list_users(db, actor)]


@router.get("/{username}")
def read_user(username: str, db: DbSession, actor: ApiUsersReader) -> dict[str, Any]:
    """One user; 404 when outside the caller's subtree."""
    return user_as_dict(get_user(db, actor, username))


@router.get("/{username}/personal")
def read_user_personal(
    username: str,
    db: DbSession,
    actor: ApiPersonalReader,
    purpose: Annotated[str, Query(min_length=2, max_length=200)],
    request: Request,
) -> dict[str, Any]:
    """A user's personal data unmasked; `purpose` is required, the read is audited and counted in the hourly limit."""
    return reveal_personal(db, actor, username, purpose=purpose, per_hour=unmask_per_hour(request))


@router.post("", status_code=201)
def add_user(body: NewUser, request: Request, db: DbSession, actor: ApiUsersWriter) -> dict[str, Any]:
    """Create a user in a department of the caller's subtree."""
    min_length = app_context(request).workspace.config.security.password_min_length
    user = create_user(db, actor, password_min_length=min_length, **body.model_dump())
    return user_as_dict(user)


@router.post("/{username}/disable")
def disable_user(username: str, db: DbSession, actor: ApiUsersWriter) -> dict[str, Any]:
    """Disable a user: their sessions end and their tokens stop working."""
    return user_as_dict(set_active(db, actor, username, active=False))


@router.post("/{username}/unlock")
def unlock_user(username: str, db: DbSession, actor: ApiUsersWriter) -> dict[str, Any]:
    """Forget the user's failed sign-ins so they may try again at once."""
    return {"username": username, "forgotten_failures": unlock(db, actor, username)}


class NewPassword(BaseModel):
    password: str = Field(max_length=PASSWORD_MAX_LENGTH)


@router.post("/{username}/password")
def reset_password(
    username: str, body: NewPassword, request: Request, db: DbSession, actor: ApiUsersWriter
) -> dict[str, Any]:
    """Reset a user's password: all their sessions end and all their API tokens are revoked."""
    min_length = app_context(request).workspace.config.security.password_min_length
    change = set_password(db, actor, username, body.password, min_length=min_length)
    return {"username": username, "sessions_ended": change.sessions_ended, "tokens_revoked": change.tokens_revoked}


@router.post("/{username}/enable")
def enable_user(username: str, db: DbSession, actor: ApiUsersWriter) -> dict[str, Any]:
    """Enable a disabled user again."""
    return user_as_dict(set_active(db, actor, username, active=True))
