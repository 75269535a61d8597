"""Every form refuses a post without the right CSRF token, and changes nothing when it does."""

from __future__ import annotations

from typing import Any

from tests.conftest import Web
from tests.web.test_guards import _routes

FORM_FIELDS: dict[str, dict[str, Any]] = {
    "/login": {"username": "admin", "password": "zhizhi-demo-2026"},
    "/admin/users": {
        "username": "csrf-victim",
        "department_code": "LZ",
        "password": "a-long-password",
        "roles": "admin",
    },
    "/admin/departments": {"code": "CSRF", "name": "伪造", "kind": "section", "parent_code": "LZ"},
    "/account/tokens": {"name": "forged"},
    "/account/password": {
        "current_password": "zhizhi-demo-2026",
        "new_password": "forged-but-long-enough",
        "new_password_again": "forged-but-long-enough",
    },
    "/codes/review/{item_id}/decide": {"to_code": "0164", "reason": "伪造"},
}


def _form_routes(web: Web) -> list[str]:
    return sorted({path for method, path, _ in _routes(web) if method == "POST" and not path.startswith("/api")})


def test_every_form_rejects_a_missing_or_wrong_token(web: Web) -> None:
    web.login_form("admin")
    forms = _form_routes(web)
    assert len(forms) >= 6
    for path in forms:
        url = path.replace("{username}", "zhongnan").replace("{token_id}", "1").replace("{change}", "disable")
        url = url.replace("{item_id}", "1")
        fields = FORM_FIELDS.get(path, {})
        for token in (None, "", "forged-token"):
            data = fields if token is None else {**fields, "csrf_token": token}
            response = web.client.post(url, data=data, follow_redirects=False)
            assert response.status_code == 403, (path, token, response.status_code)
            assert "表单已过期或来源不明" in response.text, path


def test_a_refused_form_changes_nothing(web: Web) -> None:
    web.login_form("admin")
    before = web.client.get("/api/users").json()
    web.client.post("/admin/users", data=FORM_FIELDS["/admin/users"])
    web.client.post("/admin/users/zhongnan/disable", data={})
    after = web.client.get("/api/users").json()
    assert before == after


def test_the_right_token_is_accepted(web: Web) -> None:
    web.login_form("admin")
    token = web.page_csrf("/admin/departments")
    response = web.client.post(
        "/admin/departments", data={**FORM_FIELDS["/admin/departments"], "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    assert "伪造" in web.client.get("/admin/departments").text


def test_another_sessions_token_is_refused(web: Web) -> None:
    web.login_form("steward")
    stolen = web.page_csrf()
    web.client.cookies.clear()
    web.login_form("admin")
    response = web.client.post("/admin/departments", data={**FORM_FIELDS["/admin/departments"], "csrf_token": stolen})
    assert response.status_code == 403
