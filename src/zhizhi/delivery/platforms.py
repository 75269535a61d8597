"""Platform tokens: a downstream platform's own credential, good for receipts of its one target's deliveries.

A steward's or any user's token cannot settle a delivery: a receipt is the platform's word, and the ledger
records it as such. The secret is shown once and stored as SHA-256, like users' API tokens.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.access import Actor, audit
from zhizhi.access.roles import require
from zhizhi.access.tokens import secret_digest
from zhizhi.delivery.targets import FILES, TargetConfig
from zhizhi.errors import AuthenticationError, InputError, NotFoundError, PermissionDeniedError
from zhizhi.store.tables import Department, PlatformToken
from zhizhi.store.types import iso_utc, utcnow

TOKEN_PREFIX = "zzp_"


def create_platform_token(
    session: Session, actor: Actor, root: Path, target_name: str, *, name: str
) -> tuple[PlatformToken, str]:
    """A new credential for the platform behind `target_name`; returns the secret, which is shown only now.

    The operator, or a steward of the department that owns the target, may issue one.
    """
    target = _owned_target(session, actor, root, target_name)
    label = name.strip()
    if not label or len(label) > 100:
        raise InputError(
            "Name the token (1-100 characters) after the platform system that uses it.",
            zh="请为平台令牌命名（1-100 个字符），写明使用它的平台系统。",
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = PlatformToken(
        target=target.name,
        name=label,
        token_hash=secret_digest(secret),
        prefix=secret[:10],
        created_by=actor.name[:100],
        created_at=utcnow(),
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        actor,
        "platform_token.create",
        object_type="platform_token",
        object_id=token.id,
        detail={"target": target.name, "name": label},
    )
    return token, secret


def list_platform_tokens(
    session: Session, actor: Actor, root: Path, target_name: str | None = None
) -> list[PlatformToken]:
    """The platform tokens of the targets the actor answers for (every one for the operator)."""
    names = [target_name] if target_name else FILES.names(root)
    allowed = [n for n in names if _may_manage(session, actor, root, n)]
    if target_name and not allowed:
        raise _no_target(target_name)
    query = select(PlatformToken).where(PlatformToken.target.in_(allowed)).order_by(PlatformToken.id)
    return list(session.scalars(query))


def revoke_platform_token(session: Session, actor: Actor, root: Path, token_id: int) -> PlatformToken:
    """Revoke a platform token; from then on its receipts are refused."""
    token = session.get(PlatformToken, token_id)
    if token is None or not _may_manage(session, actor, root, token.target):
        raise NotFoundError(
            f"No platform token `{token_id}` of a target you answer for. See `zhizhi targets tokens`.",
            zh=f"在您负责的交付目标中没有平台令牌 `{token_id}`。",
        )
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(
            session,
            actor,
            "platform_token.revoke",
            object_type="platform_token",
            object_id=token.id,
            detail={"target": token.target},
        )
    return token


def authenticate_platform(session: Session, secret: str) -> PlatformToken:
    """The live platform token behind a bearer secret, or AuthenticationError."""
    token = session.scalar(select(PlatformToken).where(PlatformToken.token_hash == secret_digest(secret)))
    if token is None or token.revoked_at is not None:
        raise AuthenticationError(
            "A platform's receipts and pushed tickets need its own token (`zhizhi targets token create TARGET "
            "--name SYSTEM`); this one is unknown or revoked. A user's token cannot speak for a platform.",
            zh="平台提交回执或推送工单须使用平台自己的令牌（zhizhi targets token create 目标名 --name 平台系统名）；"
            "该令牌无效或已吊销，用户令牌不能代表平台。",
        )
    token.last_used_at = utcnow()
    return token


def platform_actor(session: Session, root: Path, token: PlatformToken, ip: str | None) -> Actor:
    """The actor a platform acts as: named after its target, in the department that owns the target;
    AuthenticationError when the target is gone (its token speaks for nothing any more)."""
    if not FILES.path(root, token.target).is_file():
        raise AuthenticationError(
            f"This platform token was issued for target `{token.target}`, which no longer exists. Restore the "
            "target's file, or issue the platform a token for its new target (`zhizhi targets token create`).",
            zh=f"该平台令牌签发给目标 {token.target}，该目标已不存在。请恢复目标文件，或为平台的新目标签发令牌。",
        )
    owner = FILES.load(root, token.target).owner
    department = session.scalar(select(Department).where(Department.code == owner)) if owner else None
    return Actor(
        name=f"platform:{token.target}",
        user_id=None,
        department_id=department.id if department else None,
        department_path=department.path if department else "/-/",
        ip=ip,
    )


def platform_token_as_dict(token: PlatformToken) -> dict[str, Any]:
    """The JSON form of a platform token (never its secret)."""
    return {
        "id": token.id,
        "target": token.target,
        "name": token.name,
        "prefix": token.prefix,
        "created_by": token.created_by,
        "created_at": iso_utc(token.created_at),
        "last_used_at": iso_utc(token.last_used_at),
        "revoked": token.revoked_at is not None,
    }


def _owned_target(session: Session, actor: Actor, root: Path, target_name: str) -> TargetConfig:
    if not FILES.path(root, target_name).is_file():
        raise _no_target(target_name)
    target = FILES.load(root, target_name)
    if actor.is_operator:
        return target
    require(actor, "data.write")
    owner = session.scalar(select(Department).where(Department.code == target.owner))
    if owner is None or not actor.covers(owner.path):
        raise PermissionDeniedError(
            f"Target `{target_name}` is owned by department `{target.owner}`; only its stewards issue its tokens.",
            zh=f"交付目标 `{target_name}` 由 `{target.owner}` 负责，只有该部门的数据管理员能为它签发令牌。",
        )
    return target


def _may_manage(session: Session, actor: Actor, root: Path, target_name: str) -> bool:
    try:
        _owned_target(session, actor, root, target_name)
    except (NotFoundError, PermissionDeniedError):
        return False
    return True


def _no_target(name: str) -> NotFoundError:
    return NotFoundError(
        f"No target `{name}`. See `zhizhi targets list`.",
        zh=f"没有交付目标 `{name}`，请用 `zhizhi targets list` 查看已有的目标。",
    )
