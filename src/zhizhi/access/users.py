"""People: create, list, disable and enable users; their roles; their personal data, masked by default."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from zhizhi.access import audit
from zhizhi.access.departments import get_department_by_code
from zhizhi.access.passwords import hash_password
from zhizhi.access.roles import Actor, Role, parse_roles, require
from zhizhi.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from zhizhi.store.tables import ApiToken, Department, User, UserRole, WebSession
from zhizhi.store.types import iso_utc, utcnow

USERNAME_MAX_LENGTH = 64
DISPLAY_NAME_MAX_LENGTH = 100
PHONE_MAX_LENGTH = 32
_USERNAME = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")


def create_user(
    session: Session,
    actor: Actor,
    *,
    username: str,
    display_name: str,
    department_code: str,
    roles: list[str],
    password: str,
    password_min_length: int,
    phone: str | None = None,
) -> User:
    """Add a user to a department in the actor's subtree.

    The department's scope is checked first, so that a name taken outside the subtree is not revealed to someone
    who may not add users there; a taken name answers the same wherever its user is.
    """
    require(actor, "users.write")
    department = get_department_by_code(session, actor, department_code)
    if not _USERNAME.match(username):
        raise InputError(
            f"Username `{username}` is not allowed: use 2-64 letters, digits, `_`, `.` or `-`.",
            zh="用户名只能包含 2-64 个字母、数字、下划线、点或连字符。",
        )
    try:
        role_list = parse_roles(roles)
    except ValueError as exc:
        choices = "、".join(r.value for r in Role)
        raise InputError(f"{exc}.", zh=f"角色 `{str(exc).split('`')[1]}` 不存在；可选：{choices}。") from None
    if not role_list:
        raise InputError("A user needs at least one role.", zh="用户至少需要一个角色。")
    _check_grant(actor, role_list)
    _check_person(display_name, phone)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ConflictError(
            f"Username `{username}` is taken. Choose another.", zh=f"用户名 `{username}` 已被使用，请另选一个。"
        )
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        department=department,
        password_hash=hash_password(password, min_length=password_min_length),
        phone=(phone or "").strip() or None,
        is_active=True,
        roles=[UserRole(role=r.value) for r in role_list],
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor,
        "user.create",
        object_type="user",
        object_id=username,
        detail={"department": department.code, "roles": [r.value for r in role_list]},
    )
    return user


def list_users(session: Session, actor: Actor) -> list[User]:
    """Users whose department lies in the actor's subtree."""
    require(actor, "users.read")
    stmt = (
        select(User)
        .join(Department, User.department_id == Department.id)
        .where(Department.path.startswith(actor.department_path))
        .order_by(Department.path, User.username)
    )
    return list(session.scalars(stmt).unique())


def get_user(session: Session, actor: Actor, username: str) -> User:
    """One user, if their department lies in the actor's subtree."""
    require(actor, "users.read")
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not actor.covers(user.department.path):
        raise NotFoundError(
            f"No user `{username}` in your scope. See `zhizhi user list`.",
            zh=f"在您的权限范围内没有用户 `{username}`。",
        )
    return user


def set_active(session: Session, actor: Actor, username: str, *, active: bool) -> User:
    """Disable (ending their sessions) or enable a user."""
    require(actor, "users.write")
    user = get_user(session, actor, username)
    check_may_manage(actor, user)
    if not active and user.id == actor.user_id:
        raise InputError("You cannot disable yourself.", zh="不能停用自己的账号。")
    user.is_active = active
    user.disabled_at = None if active else utcnow()
    if not active:
        end_sessions(session, user)
    audit.record(session, actor, "user.enable" if active else "user.disable", object_type="user", object_id=username)
    return user


@dataclass(frozen=True)
class PasswordChange:
    """A new password and what it ended: the user's other sessions and, after a reset, their API tokens."""

    user: User
    sessions_ended: int
    tokens_revoked: int


def set_password(session: Session, actor: Actor, username: str, password: str, *, min_length: int) -> PasswordChange:
    """Reset a user's password: an admin over their subtree, or the operator.

    A reset may follow a stolen password, so it ends every session and revokes every API token of the user. It is
    never one's own: that takes the current password (`zhizhi.access.change_own_password`), or whoever holds a
    signed-in browser or an API token could set the password of its account and keep it.
    """
    user = session.scalar(select(User).where(User.username == username))
    if user is not None and actor.user_id is not None and user.id == actor.user_id:
        raise PermissionDeniedError(
            "Your own password is changed with the current one: on 修改密码 (`/account/password`) or with "
            "`POST /api/me/password`, not by a reset.",
            zh="修改自己的密码须输入当前密码：请在“修改密码”页（/account/password）或用 POST /api/me/password 修改，"
            "不能通过重置。",
        )
    if user is None or not actor.is_operator:
        user = get_user(session, actor, username)
        require(actor, "users.write")
        check_may_manage(actor, user)
    return _new_password(session, actor, user, password, min_length=min_length, keep=None, reset=True)


def replace_own_password(
    session: Session, actor: Actor, user: User, password: str, *, min_length: int, keep_session: WebSession | None
) -> PasswordChange:
    """Give the actor's own account a new password once its current one was checked; the sessions but
    `keep_session` end, the API tokens stay."""
    return _new_password(session, actor, user, password, min_length=min_length, keep=keep_session, reset=False)


def _new_password(
    session: Session,
    actor: Actor,
    user: User,
    password: str,
    *,
    min_length: int,
    keep: WebSession | None,
    reset: bool,
) -> PasswordChange:
    user.password_hash = hash_password(password, min_length=min_length)
    ended = end_sessions(session, user, keep=keep)
    revoked = _revoke_tokens(session, actor, user) if reset else 0
    audit.record(
        session,
        actor,
        "user.password",
        object_type="user",
        object_id=user.username,
        detail={"reset": reset, "sessions_ended": ended, "tokens_revoked": revoked},
    )
    return PasswordChange(user=user, sessions_ended=ended, tokens_revoked=revoked)


def reveal_personal(
    session: Session, actor: Actor, username: str, *, purpose: str | None, per_hour: int = 200
) -> dict[str, Any]:
    """A user's personal data unmasked, for a stated purpose, within the hourly limit of unmasked reads
    (`privacy.unmask_per_hour`); the read is audited as every other unmasking is."""
    from zhizhi.privacy.masking import disclose  # privacy builds on access: imported when used

    require(actor, "personal.read")
    user = get_user(session, actor, username)
    disclose(session, actor, purpose=purpose, object_type="user", object_ids=[user.username], fields=["phone"],
             per_hour=per_hour)  # fmt: skip
    return {"username": user.username, "phone": user.phone}


def check_may_manage(actor: Actor, user: User) -> None:
    """Admins manage the people of their subtree, but not the auditors who watch them (三员分立)."""
    if not actor.is_operator and user.id != actor.user_id and Role.AUDITOR.value in user.role_names:
        raise PermissionDeniedError(
            f"`{user.username}` is an auditor; only the operator (`zhizhi user ...`) manages auditors.",
            zh="审计员账号只能由系统运维人员在命令行管理（三员分立）。",
        )


def end_sessions(session: Session, user: User, *, keep: WebSession | None = None) -> int:
    """Sign the user out everywhere (but in `keep`); returns how many sessions ended."""
    stmt = delete(WebSession).where(WebSession.user_id == user.id)
    if keep is not None:
        stmt = stmt.where(WebSession.id_hash != keep.id_hash)
    return int(getattr(session.execute(stmt), "rowcount", 0) or 0)


def _revoke_tokens(session: Session, actor: Actor, user: User) -> int:
    live = list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))))
    for token in live:
        token.revoked_at = utcnow()
        audit.record(
            session,
            actor,
            "token.revoke",
            object_type="api_token",
            object_id=token.id,
            detail={"reason": "password reset"},
        )
    return len(live)


def mask_phone(phone: str | None) -> str | None:
    """138****5678: enough to recognise, not enough to call."""
    if not phone:
        return phone
    digits = phone.strip()
    return digits[:3] + "*" * max(len(digits) - 7, 1) + digits[-4:] if len(digits) >= 8 else "*" * len(digits)


def user_as_dict(user: User) -> dict[str, Any]:
    """The JSON form of a user, personal data masked."""
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "department": {"id": user.department.id, "code": user.department.code, "name": user.department.name},
        "roles": user.role_names,
        "phone": mask_phone(user.phone),
        "is_active": user.is_active,
        "created_at": iso_utc(user.created_at),
    }


def _check_person(display_name: str, phone: str | None) -> None:
    if len(display_name.strip()) > DISPLAY_NAME_MAX_LENGTH:
        raise InputError(
            f"The name has {len(display_name.strip())} characters; use at most {DISPLAY_NAME_MAX_LENGTH}.",
            zh=f"姓名最多 {DISPLAY_NAME_MAX_LENGTH} 个字符。",
        )
    if phone is not None and len(phone.strip()) > PHONE_MAX_LENGTH:
        raise InputError(
            f"The phone number has {len(phone.strip())} characters; use at most {PHONE_MAX_LENGTH}.",
            zh=f"手机号最多 {PHONE_MAX_LENGTH} 个字符。",
        )


def _check_grant(actor: Actor, roles: list[Role]) -> None:
    # An admin may grant every role but auditor: auditors watch the admins, so only the operator makes them.
    if actor.is_operator:
        return
    if Role.AUDITOR in roles:
        raise PermissionDeniedError(
            "Only the operator can create auditors (separation of duties).",
            zh="审计员只能由系统运维人员在命令行创建（三员分立）。",
        )
