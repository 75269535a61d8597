"""Browser logins: password check, rate limit, server-side sessions with a CSRF token each."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from zhizhi.access import audit
from zhizhi.access.addresses import counted_address
from zhizhi.access.limits import hold
from zhizhi.access.passwords import dummy_hash, verify_password
from zhizhi.access.roles import Actor, Role, require
from zhizhi.access.tokens import secret_digest
from zhizhi.access.users import PasswordChange, check_may_manage, get_user, replace_own_password
from zhizhi.config.models import SecurityConfig
from zhizhi.errors import AuthenticationError, InputError, RateLimitedError, ReadOnlyError
from zhizhi.store.engine import READING, reads_only
from zhizhi.store.migrate import is_read_only
from zhizhi.store.tables import ApiToken, AuditEvent, LoginAttempt, PlatformToken, User, WebSession
from zhizhi.store.types import utcnow


@dataclass(frozen=True)
class LoginResult:
    """A new session: the cookie secret (shown once) and the session's CSRF token."""

    secret: str
    csrf_token: str
    user: User


def login(
    sessions: sessionmaker[Session],
    *,
    username: str,
    password: str,
    ip: str,
    security: SecurityConfig,
    hours: int,
) -> LoginResult:
    """Check the password (rate-limited per account and per address) and open a session.

    Runs its own transaction: a refused attempt is committed too, since the rate limit and the audit
    trail must remember it.
    """
    refused: AuthenticationError | RateLimitedError | None = None
    try:
        with sessions() as session, session.begin():
            if reads_only(session.connection()):
                raise sign_in_read_only()
            try:
                return _login(session, username=username, password=password, ip=ip, security=security, hours=hours)
            except (AuthenticationError, RateLimitedError) as exc:
                refused = exc
    except DBAPIError as exc:  # a store that only says so when written to (a file the user may only read)
        if not is_read_only(exc):
            raise
        raise sign_in_read_only() from None
    raise refused


def may_sign_in(sessions: sessionmaker[Session]) -> bool:
    """Whether a sign-in can be recorded: not on a store that only reads here (see `sign_in_read_only`)."""
    with sessions() as session:
        return not reads_only(session.connection(execution_options={READING: True}))


def sign_in_read_only() -> ReadOnlyError:
    """The error for a sign-in on a store that only reads here: a session and its audit event cannot be recorded,
    and the command line reads the same data."""
    return ReadOnlyError(
        "Signing in records a session and an audit event, and this workspace's database is read-only here (a "
        "read-only copy, or a database that only reads), so no one can sign in on the web. Read the data with the "
        "command line on this workspace instead: `zhizhi status`, the lists (`zhizhi entities search`, "
        "`zhizhi audit list`), `zhizhi audit verify`, `zhizhi ledger verify`; or sign in on a writable workspace.",
        zh="登录需要记录会话和一条审计事件，而本工作区的数据库在此为只读（只读副本，或只读的数据库），因此无法在网页登录。"
        "请在本工作区用命令行读取数据：`zhizhi status`、各类列表（`zhizhi entities search`、`zhizhi audit list`）、"
        "`zhizhi audit verify`、`zhizhi ledger verify`；或在可写的工作区登录。",
    )


def _login(
    session: Session, *, username: str, password: str, ip: str, security: SecurityConfig, hours: int
) -> LoginResult:
    failures = check_rate(session, username, ip, security)
    user = session.scalar(select(User).where(User.username == username))
    ok = verify_password(user.password_hash if user else dummy_hash(), password) and user is not None
    success = ok and bool(user and user.is_active)
    session.add(LoginAttempt(username=username[:64], ip=counted_address(ip), at=utcnow(), success=success))
    if not ok or user is None:
        record_failure(session, username, ip, failures)
        raise AuthenticationError("Wrong username or password.", zh="用户名或密码错误。")
    if not user.is_active:
        audit.record(
            session,
            actor_for(user, ip),
            "login.refused",
            object_type="user",
            object_id=username,
            detail={"reason": "disabled"},
        )
        raise AuthenticationError("This account is disabled. Ask an administrator.", zh="该账号已停用，请联系管理员。")
    secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        WebSession(
            id_hash=secret_digest(secret),
            user_id=user.id,
            csrf_token=csrf,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
            ip=ip,
        )
    )
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    # Attempts older than a day no longer count towards any limit.
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - timedelta(days=1)))
    audit.record(session, actor_for(user, ip), "login", object_type="user", object_id=username)
    return LoginResult(secret=secret, csrf_token=csrf, user=user)


class WrongPasswordError(InputError):
    """The current password given to change it was wrong; counted like a failed sign-in."""


def change_own_password(
    session: Session,
    actor: Actor,
    *,
    current: str,
    new: str,
    security: SecurityConfig,
    keep_session: WebSession | None,
) -> PasswordChange:
    """Change the actor's own password, given the current one; the other sessions end, this one stays.

    A wrong current password is counted and audited like a failed sign-in, under the same limit, so this is no way
    around it. It raises WrongPasswordError (or RateLimitedError) after writing that record: the caller commits.
    """
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None:
        raise InputError(
            "The operator has no password here; use `zhizhi user password NAME`.",
            zh="命令行操作员在此没有密码，请用 `zhizhi user password 用户名` 修改密码。",
        )
    ip = actor.ip or "unknown"
    failures = check_rate(session, user.username, ip, security)
    if not verify_password(user.password_hash, current):
        session.add(LoginAttempt(username=user.username, ip=counted_address(ip), at=utcnow(), success=False))
        record_failure(session, user.username, ip, failures, during="password change")
        raise WrongPasswordError(
            "The current password is wrong. Type it again; after too many tries you must wait.",
            zh="当前密码不正确，请重新输入；错误次数过多将被暂时锁定。",
        )
    if new == current:
        raise InputError(
            "The new password is the current one. Choose a different one.", zh="新密码不能与当前密码相同。"
        )
    return replace_own_password(
        session, actor, user, new, min_length=security.password_min_length, keep_session=keep_session
    )


def find_session(session: Session, secret: str) -> WebSession | None:
    """The live session for a cookie secret, if its user is still active."""
    web_session = session.get(WebSession, secret_digest(secret))
    if web_session is None or web_session.expires_at < utcnow() or not web_session.user.is_active:
        return None
    return web_session


def vouches(session: Session, *, cookie: str | None, bearer: str | None) -> bool:
    """Whether a session cookie or a bearer secret (a user's or a platform's token) is live; its use is not
    recorded (the route that reads the request does that)."""
    if cookie and find_session(session, cookie) is not None:
        return True
    if not bearer:
        return False
    digest = secret_digest(bearer)
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest, ApiToken.revoked_at.is_(None)))
    if token is not None:
        return token.user.is_active
    live = select(PlatformToken.id).where(PlatformToken.token_hash == digest, PlatformToken.revoked_at.is_(None))
    return session.scalar(live) is not None


def logout(session: Session, web_session: WebSession, ip: str) -> None:
    """End a session."""
    audit.record(
        session,
        actor_for(web_session.user, ip),
        "logout",
        object_type="user",
        object_id=web_session.user.username,
    )
    session.delete(web_session)


def actor_for(user: User, ip: str | None) -> Actor:
    """The actor a signed-in user acts as."""
    return Actor(
        name=user.username,
        user_id=user.id,
        department_id=user.department_id,
        department_path=user.department.path,
        roles=frozenset(Role(r) for r in user.role_names),
        ip=ip,
    )


def unlock(session: Session, actor: Actor, username: str) -> int:
    """Forget a user's failed sign-ins, lifting the rate limit at once; returns how many were forgotten."""
    require(actor, "users.write")
    check_may_manage(actor, get_user(session, actor, username))
    result = session.execute(
        delete(LoginAttempt).where(LoginAttempt.username == username, LoginAttempt.success.is_(False))
    )
    count = int(getattr(result, "rowcount", 0) or 0)
    audit.record(session, actor, "user.unlock", object_type="user", object_id=username, detail={"forgotten": count})
    return count


def check_rate(session: Session, username: str, ip: str, security: SecurityConfig) -> int:
    """Refuse (RateLimitedError) when the account or the address has failed too often within the window.

    The refusal is audited once per run (see `_record_refusal`). Returns the account's failures counted so far.
    An address is counted as `counted_address` says: an IPv6 caller by its /64, not by each address it holds.
    """
    ip = counted_address(ip)
    hold(session, f"login.account:{username[:64]}", f"login.address:{ip}")  # counted, then added to, one at a time
    since = utcnow() - timedelta(minutes=security.login_window_minutes)
    # An account's count restarts when it signs in; an address's does not, or one account of the
    # attacker's own would reset it between guesses at others.
    last_ok = (
        select(func.max(LoginAttempt.at))
        .where(LoginAttempt.username == username[:64], LoginAttempt.success.is_(True))
        .scalar_subquery()
    )
    checks = (
        ("account", LoginAttempt.username == username[:64], func.coalesce(last_ok, since), security.login_max_failures),
        ("address", LoginAttempt.ip == ip, since, security.login_max_failures_per_ip),
    )
    counted = 0
    for limit, matches, after, most in checks:
        failures = select(func.count(), func.min(LoginAttempt.at)).where(
            matches, LoginAttempt.success.is_(False), LoginAttempt.at >= since, LoginAttempt.at > after
        )
        count, oldest = session.execute(failures).one()
        if limit == "account":
            counted = int(count)
        if count >= most:
            _record_refusal(session, username, ip, limit, int(count), security)
            retry = int((oldest + timedelta(minutes=security.login_window_minutes) - utcnow()).total_seconds()) + 1
            raise RateLimitedError(
                f"Too many failed logins; try again in {retry} seconds, or ask an administrator to run "
                "`zhizhi user unlock`.",
                zh=f"登录失败次数过多，请 {max(retry // 60, 1)} 分钟后再试，或请管理员解锁。",
                retry_after=max(retry, 1),
            )
    return counted


def record_failure(session: Session, username: str, ip: str, failures_before: int, **detail: str) -> None:
    """Audit one wrong password; the limit caps how many a run can append (`login_max_failures` per window)."""
    username = _as_recorded(session, username)
    audit.record(
        session,
        _anonymous(username, ip),
        "login.failed",
        object_type="user",
        object_id=username,
        detail={"failure": failures_before + 1, **detail},
    )


def _as_recorded(session: Session, username: str) -> str:
    """A typed name as the audit trail keeps it: an account's name as it is; a name no account has masked to its
    first character and length (张***), since what people type there by mistake is often their password or their
    phone number, and the trail is kept for good."""
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        return username
    masked = username[:1] + "*" * min(len(username) - 1, 39)
    return masked + (f"…[{len(username)} chars]" if len(username) > 40 else "")


def _record_refusal(
    session: Session, username: str, ip: str, limit: str, failures: int, security: SecurityConfig
) -> None:
    # A refused attempt tests no password and costs the caller nothing, so a run of them would grow the trail
    # without bound: only the first refusal per address (and account) within the window is recorded.
    username = _as_recorded(session, username)
    object_type, object_id = ("address", ip) if limit == "address" else ("user", username)
    since = utcnow() - timedelta(minutes=security.login_window_minutes)
    earlier = select(AuditEvent.seq).where(
        AuditEvent.action == "login.limited",
        AuditEvent.object_type == object_type,
        AuditEvent.object_id == audit.bounded(object_id, audit.FIELD_LIMITS["object_id"]),
        AuditEvent.ip == audit.bounded(ip, audit.FIELD_LIMITS["ip"]),
        AuditEvent.at >= since,
    )
    if session.scalar(earlier.limit(1)) is not None:
        return
    audit.record(
        session,
        _anonymous(username, ip),
        "login.limited",
        object_type=object_type,
        object_id=object_id,
        detail={
            "limit": limit,
            "failures": failures,
            "username": username,
            "window_minutes": security.login_window_minutes,
        },
    )


def _anonymous(username: str, ip: str) -> Actor:
    return Actor(name=f"anonymous:{username[:40]}", user_id=None, department_id=None, department_path="/", ip=ip)
