"""Signing in and out in the browser and from scripts; disabled users and revoked tokens are refused."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import DEMO_PASSWORD, Web
from zhizhi.store.tables import AuditEvent, LoginAttempt
from zhizhi.store.types import utcnow


def test_the_login_form_signs_in_and_redirects_back(web: Web) -> None:
    response = web.client.get("/register", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=%2Fregister"
    page = web.client.get("/login?next=/register")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    response = web.client.post(
        "/login",
        data={"username": "steward", "password": "zhizhi-demo-2026", "csrf_token": token, "next": "/register"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/register"
    cookie = response.headers["set-cookie"]
    assert "zhizhi_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert web.client.get("/register").status_code == 200


def test_a_form_posted_after_the_session_ended_leads_back_to_its_page(web: Web) -> None:
    """The sign-in sent the user to the form's POST-only address afterwards: a 405 page. Now back to the page the form
    was on (same site only), or home."""
    posted = web.client.post(
        "/quarantine/1/fix", data={"csrf_token": "x"}, headers={"Referer": "http://testserver/quarantine/1?tab=raw"},
        follow_redirects=False,
    )  # fmt: skip
    assert posted.status_code == 303 and posted.headers["location"] == "/login?next=%2Fquarantine%2F1%3Ftab%3Draw"
    elsewhere = web.client.post(
        "/quarantine/1/fix", data={}, headers={"Referer": "https://evil.example/x"}, follow_redirects=False
    )
    assert elsewhere.headers["location"] == "/login?next=%2F"


def test_next_never_leaves_the_site(web: Web) -> None:
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil"):
        web.client.cookies.clear()
        token = web.client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
        response = web.client.post(
            "/login",
            data={"username": "steward", "password": "zhizhi-demo-2026", "csrf_token": token, "next": target},
            follow_redirects=False,
        )
        assert response.status_code == 303 and response.headers["location"] == "/", target


def test_a_wrong_password_shows_the_form_again_in_chinese(web: Web) -> None:
    page = web.client.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    response = web.client.post("/login", data={"username": "steward", "password": "nope", "csrf_token": token})
    assert response.status_code == 401 and "用户名或密码错误" in response.text


def test_logout_ends_the_session(web: Web) -> None:
    web.login_form("steward")
    response = web.client.post("/logout", data={"csrf_token": web.page_csrf()}, follow_redirects=False)
    assert response.status_code == 303
    assert web.client.get("/", follow_redirects=False).status_code == 303


def test_a_disabled_user_is_refused_at_once(web: Web) -> None:
    web.login("zhongnan")
    assert web.client.get("/api/me").status_code == 200
    admin = web.client.__class__(web.client.app)
    csrf = admin.post("/api/session", json={"username": "admin", "password": "zhizhi-demo-2026"}).json()["csrf_token"]
    assert admin.post("/api/users/zhongnan/disable", headers={"X-CSRF-Token": csrf}).status_code == 200
    assert web.client.get("/api/me").status_code == 401  # the running session is gone
    response = web.client.post("/api/session", json={"username": "zhongnan", "password": "zhizhi-demo-2026"})
    assert response.status_code == 401 and "disabled" in response.json()["error"]["message"]


def test_tokens_work_until_revoked(web: Web) -> None:
    csrf = web.login("steward")
    created = web.client.post("/api/tokens", json={"name": "nightly sync"}, headers={"X-CSRF-Token": csrf}).json()
    script = web.client.__class__(web.client.app)
    bearer = {"Authorization": f"Bearer {created['secret']}"}
    assert script.get("/api/me", headers=bearer).json()["username"] == "steward"
    assert "secret" not in web.client.get("/api/tokens").json()[0]
    assert web.client.delete(f"/api/tokens/{created['id']}", headers={"X-CSRF-Token": csrf}).status_code == 200
    response = script.get("/api/me", headers=bearer)
    assert response.status_code == 401 and "revoked" in response.json()["error"]["message"]


def test_a_token_needs_no_csrf_but_a_cookie_does(web: Web) -> None:
    csrf = web.login("admin")
    body = {"code": "LZ-NEW", "name": "新科室", "kind": "section", "parent_code": "LZ"}
    assert web.client.post("/api/departments", json=body).status_code == 403
    assert web.client.post("/api/departments", json=body, headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert web.client.post("/api/departments", json=body, headers={"X-CSRF-Token": csrf}).status_code == 201
    secret = web.client.post("/api/tokens", json={"name": "t"}, headers={"X-CSRF-Token": csrf}).json()["secret"]
    script = web.client.__class__(web.client.app)
    body["code"] = "LZ-NEW2"
    assert script.post("/api/departments", json=body, headers={"Authorization": f"Bearer {secret}"}).status_code == 201


def _audit_count(web: Web) -> int:
    with web.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def _limit_this_address(web: Web) -> None:
    with web.sessions() as session, session.begin():
        for i in range(30):
            session.add(LoginAttempt(username=f"guess{i}", ip="testclient", at=utcnow(), success=False))


def test_an_oversized_sign_in_is_refused_before_it_is_stored(web: Web) -> None:
    _limit_this_address(web)
    before = _audit_count(web)
    huge = "x" * 3_000_000  # past the 64 KiB a form anyone may post is bounded at: refused before it is read
    assert web.client.post("/api/session", json={"username": huge, "password": "p"}).status_code == 413
    assert web.client.post("/api/session", json={"username": "admin", "password": huge}).status_code == 413
    assert web.client.post("/api/session", json={"username": "x" * 20_000, "password": "p"}).status_code == 422
    token = web.client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
    for name, status in ((huge, 413), ("y" * 65, 422)):
        form = web.client.post("/login", data={"username": name, "password": "p", "csrf_token": token})
        assert form.status_code == status
    assert _audit_count(web) == before


def test_repeated_sign_ins_from_a_limited_address_add_one_event(web: Web) -> None:
    _limit_this_address(web)
    before = _audit_count(web)
    for i in range(10):
        response = web.client.post("/api/session", json={"username": f"user{i}", "password": "guess"})
        assert response.status_code == 429
    assert _audit_count(web) == before + 1


def test_oversized_fields_of_users_departments_and_tokens_are_refused(web: Web) -> None:
    csrf = web.login("admin")
    long = "长" * 101
    posts = {
        "/api/users": {
            "username": "ok-name",
            "display_name": long,
            "department_code": "LZ",
            "roles": ["handler"],
            "password": "a-long-password",
        },
        "/api/departments": {"code": "LZ-X", "name": long, "kind": "section", "parent_code": "LZ"},
        "/api/tokens": {"name": long},
    }
    before = _audit_count(web)
    for path, body in posts.items():
        response = web.client.post(path, json=body, headers={"X-CSRF-Token": csrf})
        assert response.status_code == 422, (path, response.text)
    assert _audit_count(web) == before


def test_a_user_changes_their_own_password_from_the_api(web: Web) -> None:
    other = TestClient(web.client.app, base_url="http://testserver")
    assert other.post("/api/session", json={"username": "zhongnan", "password": DEMO_PASSWORD}).status_code == 200
    csrf = web.login("zhongnan")
    token = web.client.post("/api/tokens", json={"name": "script"}, headers={"X-CSRF-Token": csrf}).json()["secret"]
    url, headers = "/api/me/password", {"X-CSRF-Token": csrf}
    wrong = web.client.post(url, json={"current_password": "not-it", "new_password": "x" * 16}, headers=headers)
    assert wrong.status_code == 422 and wrong.json()["error"]["message"].startswith("The current password is wrong")
    weak = web.client.post(
        url, json={"current_password": DEMO_PASSWORD, "new_password": "qwertyuiop12"}, headers=headers
    )
    assert weak.status_code == 422 and "most common" in weak.json()["error"]["message"]
    body = {"current_password": DEMO_PASSWORD, "new_password": "a-brand-new-password"}
    assert web.client.post(url, json=body, headers=headers).json() == {"username": "zhongnan", "sessions_ended": 1}
    assert web.client.get("/api/me").status_code == 200  # this session stays
    assert other.get("/api/me").status_code == 401  # the other one ended
    assert web.client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    with web.sessions() as session:
        failed = session.scalars(select(AuditEvent).where(AuditEvent.action == "login.failed")).all()
    assert [e.object_id for e in failed] == ["zhongnan"]  # the wrong current password was counted and kept


def test_a_reset_by_an_admin_revokes_the_users_tokens(web: Web) -> None:
    csrf = web.login("zhongnan")
    token = web.client.post("/api/tokens", json={"name": "script"}, headers={"X-CSRF-Token": csrf}).json()["secret"]
    csrf = web.login("admin")
    response = web.client.post(
        "/api/users/zhongnan/password", json={"password": "a-brand-new-password"}, headers={"X-CSRF-Token": csrf}
    )
    assert response.json() == {"username": "zhongnan", "sessions_ended": 1, "tokens_revoked": 1}
    assert web.client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_an_admins_token_cannot_reset_the_admins_own_password(web: Web) -> None:
    """A reset asks no current password: one's own account through it would let whoever holds an admin's API token
    (or a browser left signed in) set the admin's password and keep the account."""
    csrf = web.login("admin")
    token = web.client.post("/api/tokens", json={"name": "script"}, headers={"X-CSRF-Token": csrf}).json()["secret"]
    web.client.cookies.clear()
    response = web.client.post(
        "/api/users/admin/password", json={"password": "an-attackers-password"},
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip
    assert response.status_code == 403 and "/api/me/password" in response.json()["error"]["message"]
    for password, answer in (("an-attackers-password", 401), (DEMO_PASSWORD, 200)):
        assert web.client.post("/api/session", json={"username": "admin", "password": password}).status_code == answer
    with web.sessions() as session:
        assert session.scalar(select(func.count()).where(AuditEvent.action == "user.password")) == 0


def test_the_password_page_changes_the_password(web: Web) -> None:
    web.login_form("zhongnan")
    page = web.client.get("/account/password")
    assert page.status_code == 200 and "修改密码" in page.text and "至少 12 个字符" in page.text
    assert 'href="/account/password"' in web.client.get("/").text
    token = web.page_csrf("/account/password")
    fields = {"csrf_token": token, "current_password": DEMO_PASSWORD, "new_password": "a-brand-new-password"}
    mismatch = web.client.post("/account/password", data={**fields, "new_password_again": "something-else-1"})
    assert mismatch.status_code == 422 and "两次输入的新密码不一致" in mismatch.text
    wrong = web.client.post(
        "/account/password", data={**fields, "current_password": "not-it", "new_password_again": "a-brand-new-password"}
    )
    assert wrong.status_code == 422 and "当前密码不正确" in wrong.text
    done = web.client.post("/account/password", data={**fields, "new_password_again": "a-brand-new-password"})
    assert done.status_code == 200 and "密码已修改" in done.text
    assert web.client.get("/").status_code == 200


def test_only_admins_see_where_the_server_keeps_its_files_and_data(web: Web) -> None:
    seen = {}
    for username in ("admin", "steward", "auditor", "zhongnan"):
        web.login(username)
        status = web.client.get("/api/status").json()
        home = web.client.get("/").text
        seen[username] = ("root" in status["workspace"], "url" in status["database"], "database-url" in home)
        assert status["database"]["backend"] and status["workspace"]["name"]
        assert (str(web.workspace.root) in home or "database-url" in home) == (username == "admin")
    assert seen == {
        "admin": (True, True, True),
        "steward": (False, False, False),
        "auditor": (False, False, False),
        "zhongnan": (False, False, False),
    }
