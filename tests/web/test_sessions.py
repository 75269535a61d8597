"""Signing in and out in the browser and from scripts; disabled users and revoked tokens are refused."""

from __future__ import annotations

from tests.conftest import Web


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
