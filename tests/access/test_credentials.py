"""Logins, sessions and API tokens: disabled users and revoked tokens are refused; guessing is rate-limited."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TypeVar

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import DEMO_PASSWORD, OPERATOR
from zhizhi.access import (
    WrongPasswordError,
    audit,
    authenticate_token,
    change_own_password,
    create_token,
    find_session,
    list_tokens,
    login,
    revoke_token,
    set_active,
)
from zhizhi.access import sessions as sessions_module
from zhizhi.config.models import SecurityConfig
from zhizhi.errors import AuthenticationError, InputError, NotFoundError, RateLimitedError
from zhizhi.store.tables import LoginAttempt
from zhizhi.store.types import utcnow

T = TypeVar("T")
SECURITY = SecurityConfig(login_max_failures=3, login_max_failures_per_ip=5, login_window_minutes=15)


def _login(city: sessionmaker[Session], username: str, password: str, ip: str = "10.1.1.1") -> str:
    return login(city, username=username, password=password, ip=ip, security=SECURITY, hours=8).secret


def _actions(city: sessionmaker[Session]) -> list[str]:
    with city() as session, session.begin():
        return [e.action for e in audit.list_events(session, OPERATOR, audit.AuditFilter(limit=1000))]


def test_a_login_opens_a_session_and_is_audited(city: sessionmaker[Session]) -> None:
    secret = _login(city, "zhongnan", DEMO_PASSWORD)
    with city() as session, session.begin():
        web_session = find_session(session, secret)
        assert web_session is not None and web_session.user.username == "zhongnan"
        assert find_session(session, secret + "x") is None
    assert _actions(city)[0] == "login"


def test_wrong_passwords_and_unknown_users_look_the_same_and_are_recorded(city: sessionmaker[Session]) -> None:
    for username in ("zhongnan", "nobody"):
        with pytest.raises(AuthenticationError, match="Wrong username or password"):
            _login(city, username, "wrong-password")
    assert _actions(city)[:2] == ["login.failed", "login.failed"]


def test_a_disabled_user_is_refused_and_loses_their_sessions(city: sessionmaker[Session]) -> None:
    secret = _login(city, "zhongnan", DEMO_PASSWORD)
    with city() as session, session.begin():
        set_active(session, OPERATOR, "zhongnan", active=False)
    with city() as session, session.begin():
        assert find_session(session, secret) is None
    with pytest.raises(AuthenticationError, match="disabled"):
        _login(city, "zhongnan", DEMO_PASSWORD)


def test_logins_are_rate_limited_per_account(city: sessionmaker[Session]) -> None:
    for _ in range(3):
        with pytest.raises(AuthenticationError):
            _login(city, "leader", "guess")
    with pytest.raises(RateLimitedError) as caught:
        _login(city, "leader", DEMO_PASSWORD)  # even the right password waits
    assert 0 < caught.value.retry_after <= 15 * 60 + 1
    _login(city, "steward", DEMO_PASSWORD)  # other accounts are not affected


def test_the_limit_lifts_when_the_window_passes(city: sessionmaker[Session]) -> None:
    for _ in range(3):
        with pytest.raises(AuthenticationError):
            _login(city, "leader", "guess")
    with city() as session, session.begin():
        for attempt in session.scalars(select(LoginAttempt)):
            attempt.at -= timedelta(minutes=16)
    _login(city, "leader", DEMO_PASSWORD)


def test_logins_are_rate_limited_per_address(city: sessionmaker[Session]) -> None:
    for name in ("a1", "a2", "a3", "a4", "a5"):
        with pytest.raises(AuthenticationError):
            _login(city, name, "guess", ip="10.9.9.9")
    with pytest.raises(RateLimitedError):
        _login(city, "steward", DEMO_PASSWORD, ip="10.9.9.9")
    _login(city, "steward", DEMO_PASSWORD, ip="10.9.9.10")


def test_an_ipv6_caller_is_limited_by_its_64_not_by_each_address(city: sessionmaker[Session]) -> None:
    """One home or phone holds a whole /64: a new address at every guess must not start a new count."""
    for n, name in enumerate(("a1", "a2", "a3", "a4", "a5"), start=1):
        with pytest.raises(AuthenticationError):
            _login(city, name, "guess", ip=f"2001:db8:5:6::{n}")
    for ip in ("2001:db8:5:6::99", "2001:db8:5:6:ffff:1:2:3"):
        with pytest.raises(RateLimitedError):
            _login(city, "steward", DEMO_PASSWORD, ip=ip)
    _login(city, "steward", DEMO_PASSWORD, ip="2001:db8:5:7::1")  # another /64: another caller
    with city() as session, session.begin():
        limited = audit.list_events(session, OPERATOR, audit.AuditFilter(action="login.limited"))
    assert [(e.object_id, e.ip) for e in limited] == [("2001:db8:5:6::/64", "2001:db8:5:6::/64")]  # one run


def _while_another_counts(city: sessionmaker[Session], counting: Callable[[Session], None], then: Callable[[], T]) -> T:
    """Run `then` in another thread while a transaction has counted (and is adding to) a limit, and commit that
    transaction half a second later: `then` must wait for it and count what it added."""
    with ThreadPoolExecutor(1) as pool, city() as session, session.begin():
        counting(session)
        waiting = pool.submit(then)
        time.sleep(0.5)
        assert not waiting.done(), "a second request counted the limit while another was adding to it"
        session.commit()
        return waiting.result(timeout=30)


def test_sign_ins_sent_at_once_are_counted_one_at_a_time(city: sessionmaker[Session]) -> None:
    """Twenty guesses sent together all counted the same failures and tested twenty passwords where the limit allows
    three (PostgreSQL reads under READ COMMITTED)."""

    def three_failures(session: Session) -> None:
        sessions_module.check_rate(session, "steward", "10.7.7.7", SECURITY)
        session.add_all(LoginAttempt(username="steward", ip="10.7.7.7", at=utcnow(), success=False) for _ in range(3))

    def guess() -> Exception | None:
        try:
            _login(city, "steward", "a-guess-sent-at-once", ip="10.7.7.8")
        except (AuthenticationError, RateLimitedError) as exc:
            return exc
        return None

    assert isinstance(_while_another_counts(city, three_failures, guess), RateLimitedError)


def test_unmaskings_sent_at_once_are_counted_one_at_a_time(city: sessionmaker[Session]) -> None:
    """`privacy.unmask_per_hour` holds for reads sent together too: the second waits for the first's events."""
    from zhizhi.privacy.masking import disclose

    def unmask(session: Session, ids: list[str]) -> None:
        disclose(session, OPERATOR, purpose="核对联系方式", object_type="user", object_ids=ids, fields=["phone"],
                 per_hour=2)  # fmt: skip

    def one_more() -> Exception | None:
        try:
            with city() as session, session.begin():
                unmask(session, ["leader"])
        except RateLimitedError as exc:
            return exc
        return None

    assert isinstance(_while_another_counts(city, lambda s: unmask(s, ["steward", "zhongnan"]), one_more),
                      RateLimitedError)  # fmt: skip


def test_tokens_are_stored_hashed_and_can_be_revoked(city: sessionmaker[Session]) -> None:
    with city() as session, session.begin():
        token, secret = create_token(session, OPERATOR, name="province-sync", username="steward")
        token_id = token.id
        assert token.token_hash != secret and secret.startswith("zz_") and secret.startswith(token.prefix)
    with city() as session, session.begin():
        assert authenticate_token(session, secret).username == "steward"
        revoke_token(session, OPERATOR, token_id)
    with city() as session, session.begin(), pytest.raises(AuthenticationError, match="revoked"):
        authenticate_token(session, secret)
    assert {"token.create", "token.revoke"} <= set(_actions(city))


def test_a_disabled_users_token_is_refused(city: sessionmaker[Session]) -> None:
    with city() as session, session.begin():
        _, secret = create_token(session, OPERATOR, name="script", username="yufeng")
        set_active(session, OPERATOR, "yufeng", active=False)
    with city() as session, session.begin(), pytest.raises(AuthenticationError, match="disabled"):
        authenticate_token(session, secret)


def test_users_see_and_revoke_only_their_own_tokens(city: sessionmaker[Session]) -> None:
    from tests.access.test_people import actor

    with city() as session, session.begin():
        mine, _ = create_token(session, actor(session, "steward"), name="mine")
        theirs, _ = create_token(session, actor(session, "leader"), name="theirs")
        steward = actor(session, "steward")
        assert [t.name for t in list_tokens(session, steward)] == ["mine"]
        with pytest.raises(NotFoundError):
            revoke_token(session, steward, theirs.id)
        assert revoke_token(session, steward, mine.id).revoked_at is not None


def test_a_new_password_ends_every_session(city: sessionmaker[Session]) -> None:
    from zhizhi.access import set_password

    secret = _login(city, "zhongnan", DEMO_PASSWORD)
    with city() as session, session.begin():
        set_password(session, OPERATOR, "zhongnan", "a-brand-new-password", min_length=12)
    with city() as session, session.begin():
        assert find_session(session, secret) is None


def test_signing_in_to_ones_own_account_does_not_reset_the_address_limit(city: sessionmaker[Session]) -> None:
    for name in ("v1", "v2", "v3", "v4"):
        with pytest.raises(AuthenticationError):
            _login(city, name, "guess", ip="10.7.7.7")
    _login(city, "steward", DEMO_PASSWORD, ip="10.7.7.7")  # the attacker's own account
    with pytest.raises(AuthenticationError):
        _login(city, "v5", "guess", ip="10.7.7.7")
    with pytest.raises(RateLimitedError):
        _login(city, "v6", "guess", ip="10.7.7.7")


def test_a_limited_attempt_is_audited_and_unlock_lifts_the_limit(city: sessionmaker[Session]) -> None:
    from zhizhi.access import unlock

    for _ in range(3):
        with pytest.raises(AuthenticationError):
            _login(city, "leader", "guess")
    with pytest.raises(RateLimitedError):
        _login(city, "leader", DEMO_PASSWORD)
    assert _actions(city)[0] == "login.limited"
    with city() as session, session.begin():
        assert unlock(session, OPERATOR, "leader") == 3
    _login(city, "leader", DEMO_PASSWORD)
    assert _actions(city)[:2] == ["login", "user.unlock"]


def test_a_run_of_refusals_is_recorded_once_per_window(city: sessionmaker[Session]) -> None:
    for _ in range(3):
        with pytest.raises(AuthenticationError):
            _login(city, "leader", "guess")
    for _ in range(20):
        with pytest.raises(RateLimitedError):
            _login(city, "leader", "guess")
    for name in ("b1", "b2", "b3", "b4", "b5"):
        with pytest.raises(AuthenticationError):
            _login(city, name, "guess", ip="10.6.6.6")
    for i in range(20):
        with pytest.raises(RateLimitedError):
            _login(city, f"other{i}", "guess", ip="10.6.6.6")
    with city() as session, session.begin():
        limited = audit.list_events(session, OPERATOR, audit.AuditFilter(action="login.limited"))
        failed = audit.list_events(session, OPERATOR, audit.AuditFilter(action="login.failed"))
        details = [(e.object_type, e.object_id, audit.event_as_dict(e)["detail"]) for e in reversed(limited)]
    assert [d[:2] for d in details] == [("user", "leader"), ("address", "10.6.6.6")]
    assert details[0][2]["failures"] == 3 and details[1][2] == {
        "failures": 5,
        "limit": "address",
        "username": "o*****",  # a name no account has is kept masked: it is often a password typed there
        "window_minutes": 15,
    }
    assert len(failed) == 3 + 5  # each guess is recorded: the limit caps them
    assert {e.object_id for e in failed} == {"leader", "b*"}
    assert [audit.event_as_dict(e)["detail"]["failure"] for e in reversed(failed)][:3] == [1, 2, 3]


def test_a_refusal_in_a_new_window_is_recorded_again(
    city: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    for later in (timedelta(0), timedelta(minutes=16)):
        for module in (sessions_module, audit):
            monkeypatch.setattr(module, "utcnow", lambda later=later: utcnow() + later)
        for _ in range(3):
            with pytest.raises(AuthenticationError):
                _login(city, "leader", "guess")
        for _ in range(2):
            with pytest.raises(RateLimitedError):
                _login(city, "leader", "guess")
    assert _actions(city).count("login.limited") == 2


def test_a_huge_name_from_a_limited_address_is_stored_bounded(city: sessionmaker[Session]) -> None:
    for name in ("c1", "c2", "c3", "c4", "c5"):
        with pytest.raises(AuthenticationError):
            _login(city, name, "guess", ip="10.5.5.5")
    huge = "n" * 3_000_000
    with pytest.raises(RateLimitedError):
        _login(city, huge, "guess", ip="10.5.5.5")
    with city() as session, session.begin():
        (event,) = audit.list_events(session, OPERATOR, audit.AuditFilter(action="login.limited"))
        assert len(event.actor) <= 100 and len(event.detail) < 1000
        assert audit.event_as_dict(event)["detail"]["username"].endswith("…[3000000 chars]")


def test_a_reset_ends_every_session_and_revokes_every_token(city: sessionmaker[Session]) -> None:
    from zhizhi.access import set_password

    secret = _login(city, "zhongnan", DEMO_PASSWORD)
    with city() as session, session.begin():
        _, first = create_token(session, OPERATOR, name="one", username="zhongnan")
        _, second = create_token(session, OPERATOR, name="two", username="zhongnan")
    with city() as session, session.begin():
        change = set_password(session, OPERATOR, "zhongnan", "a-brand-new-password", min_length=12)
        assert (change.sessions_ended, change.tokens_revoked) == (1, 2)
    with city() as session, session.begin():
        assert find_session(session, secret) is None
        for token in (first, second):
            with pytest.raises(AuthenticationError, match="revoked"):
                authenticate_token(session, token)
        revokes = audit.list_events(session, OPERATOR, audit.AuditFilter(action="token.revoke"))
        (reset,) = audit.list_events(session, OPERATOR, audit.AuditFilter(action="user.password"))
        assert [audit.event_as_dict(e)["detail"] for e in revokes] == [{"reason": "password reset"}] * 2
        assert audit.event_as_dict(reset)["detail"] == {"reset": True, "sessions_ended": 1, "tokens_revoked": 2}


def _change_own(city: sessionmaker[Session], current: str, new: str, keep: str | None = None) -> Exception | int:
    # The refusal's record must commit, as the web routes do: catch inside the transaction.
    from tests.access.test_people import actor

    with city() as session, session.begin():
        me = actor(session, "zhongnan")
        try:
            kept = find_session(session, keep) if keep else None
            return change_own_password(
                session, me, current=current, new=new, security=SECURITY, keep_session=kept
            ).sessions_ended
        except (WrongPasswordError, RateLimitedError, InputError) as exc:
            return exc


def test_changing_ones_own_password_keeps_this_session_and_the_tokens(city: sessionmaker[Session]) -> None:
    here, elsewhere = _login(city, "zhongnan", DEMO_PASSWORD), _login(city, "zhongnan", DEMO_PASSWORD)
    with city() as session, session.begin():
        _, token = create_token(session, OPERATOR, name="script", username="zhongnan")
    assert isinstance(_change_own(city, DEMO_PASSWORD, "password1234"), InputError)  # a common one
    assert isinstance(_change_own(city, DEMO_PASSWORD, DEMO_PASSWORD), InputError)  # the same one
    assert _change_own(city, DEMO_PASSWORD, "a-brand-new-password", keep=here) == 1
    with city() as session, session.begin():
        assert find_session(session, here) is not None and find_session(session, elsewhere) is None
        assert authenticate_token(session, token).username == "zhongnan"
    _login(city, "zhongnan", "a-brand-new-password")


def test_a_wrong_current_password_counts_as_a_failed_sign_in(city: sessionmaker[Session]) -> None:
    for _ in range(3):
        assert isinstance(_change_own(city, "a-guessed-password", "a-brand-new-password"), WrongPasswordError)
    assert isinstance(_change_own(city, DEMO_PASSWORD, "a-brand-new-password"), RateLimitedError)
    with pytest.raises(RateLimitedError):
        _login(city, "zhongnan", DEMO_PASSWORD)
    with city() as session, session.begin():
        failed = audit.list_events(session, OPERATOR, audit.AuditFilter(action="login.failed"))
        assert [audit.event_as_dict(e)["detail"] for e in reversed(failed)] == [
            {"failure": n, "during": "password change"} for n in (1, 2, 3)
        ]
