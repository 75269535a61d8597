"""API tokens for machine clients: shown once, stored as SHA-256, revocable."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.access import audit
from zhizhi.access.roles import Actor, require
from zhizhi.access.users import check_may_manage, get_user
from zhizhi.errors import AuthenticationError, InputError, NotFoundError
from zhizhi.store.engine import reads_only
from zhizhi.store.tables import ApiToken, User
from zhizhi.store.types import iso_utc, utcnow

TOKEN_PREFIX = "zz_"
TOKEN_NAME_MAX_LENGTH = 100


def create_token(session: Session, actor: Actor, *, name: str, username: str | None = None) -> tuple[ApiToken, str]:
    """A new token for the actor, or (operator, admin) for a user in scope; returns the secret once."""
    require(actor, "tokens.own")
    if not name.strip():
        raise InputError("Give the token a name that says which client uses it.", zh="请为令牌命名。")
    if len(name.strip()) > TOKEN_NAME_MAX_LENGTH:
        raise InputError(
            f"The token's name has {len(name.strip())} characters; use at most {TOKEN_NAME_MAX_LENGTH}.",
            zh=f"令牌名称最多 {TOKEN_NAME_MAX_LENGTH} 个字符。",
        )
    if username is None or (actor.user_id is not None and username == actor.name):
        owner_id = actor.user_id
    else:
        require(actor, "users.write")
        owner = get_user(session, actor, username)
        check_may_manage(actor, owner)
        owner_id = owner.id
    if owner_id is None:
        raise InputError(
            "The operator must name the user who owns the token (`--user NAME`).",
            zh="请指定令牌所属的用户（`--user 用户名`）。",
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=owner_id, name=name.strip(), token_hash=secret_digest(secret), prefix=secret[:10])
    session.add(token)
    session.flush()
    audit.record(
        session,
        actor,
        "token.create",
        object_type="api_token",
        object_id=token.id,
        detail={"name": token.name, "user_id": owner_id},
    )
    return token, secret


def list_tokens(session: Session, actor: Actor) -> list[ApiToken]:
    """The actor's own tokens; the operator sees all."""
    require(actor, "tokens.own")
    stmt = select(ApiToken).order_by(ApiToken.id)
    if not actor.is_operator:
        stmt = stmt.where(ApiToken.user_id == actor.user_id)
    return list(session.scalars(stmt))


def revoke_token(session: Session, actor: Actor, token_id: int) -> ApiToken:
    """Revoke a token; from then on it is refused."""
    require(actor, "tokens.own")
    token = session.get(ApiToken, token_id)
    if token is None or not (actor.is_operator or token.user_id == actor.user_id):
        raise NotFoundError(f"No token `{token_id}` of yours. See `zhizhi token list`.", zh="没有该令牌。")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(session, actor, "token.revoke", object_type="api_token", object_id=token.id)
    return token


def authenticate_token(session: Session, secret: str) -> User:
    """The active user behind a bearer token, or AuthenticationError."""
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == secret_digest(secret)))
    if token is None or token.revoked_at is not None:
        raise AuthenticationError(
            "The API token is unknown or revoked. Create a new one with `zhizhi token create`.",
            zh="API 令牌无效或已吊销。",
        )
    if not token.user.is_active:
        raise AuthenticationError("The token's user is disabled.", zh="令牌所属用户已停用。")
    if not reads_only(session.connection()):  # on a read-only copy a token still reads: unstamped, not refused
        token.last_used_at = utcnow()
    return token.user


def token_as_dict(token: ApiToken) -> dict[str, Any]:
    """The JSON form of a token (never its secret)."""
    return {
        "id": token.id,
        "name": token.name,
        "user": token.user.username,
        "prefix": token.prefix,
        "created_at": iso_utc(token.created_at),
        "last_used_at": iso_utc(token.last_used_at),
        "revoked": token.revoked_at is not None,
    }


def secret_digest(secret: str) -> str:
    """The stored form of a random secret (an API, platform or session token): its SHA-256 in hex."""
    # Tokens carry 256 random bits, so a plain SHA-256 is as safe as a slow hash and lets us look them up.
    return hashlib.sha256(secret.encode()).hexdigest()
