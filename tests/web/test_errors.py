"""The JSON API has one error shape, whatever goes wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import DEMO_PASSWORD, PostgresServer, Web


def _assert_shape(body: Any, status: int) -> dict[str, Any]:
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "status", "details"}
    assert isinstance(error["code"], str) and isinstance(error["message"], str) and error["message"]
    assert error["status"] == status and isinstance(error["details"], list)
    return dict(error)


@pytest.mark.parametrize(
    ("method", "path", "body", "login", "status", "code"),
    [
        ("GET", "/api/status", None, None, 401, "unauthenticated"),
        ("GET", "/api/nowhere", None, "admin", 404, "not_found"),
        ("PUT", "/api/status", None, "admin", 405, "method_not_allowed"),
        ("GET", "/api/audit/events", None, "admin", 403, "forbidden"),
        ("GET", "/api/departments/99999", None, "admin", 404, "not_found"),
        ("GET", "/api/audit/events?limit=0", None, "auditor", 422, "invalid_input"),
        ("POST", "/api/users", {"username": "x"}, "admin", 422, "invalid_input"),
        (
            "POST",
            "/api/departments",
            {"code": "LZ", "name": "重复", "kind": "section", "parent_code": "LZ"},
            "admin",
            409,
            "conflict",
        ),
        ("POST", "/api/session", {"username": "admin", "password": "wrong"}, None, 401, "unauthenticated"),
    ],
)
def test_errors_have_one_shape(
    web: Web, method: str, path: str, body: Any, login: str | None, status: int, code: str
) -> None:
    headers = {"X-CSRF-Token": web.login(login)} if login else {}
    response = web.client.request(method, path, json=body, headers=headers)
    assert response.status_code == status, response.text
    assert _assert_shape(response.json(), status)["code"] == code


def test_validation_errors_name_each_field(web: Web) -> None:
    csrf = web.login("admin")
    response = web.client.post("/api/users", json={"username": "x", "roles": []}, headers={"X-CSRF-Token": csrf})
    error = _assert_shape(response.json(), 422)
    fields = {d["field"] for d in error["details"]}
    assert {"body.department_code", "body.password", "body.roles"} <= fields


def test_rate_limiting_has_the_shape_and_a_retry_after(web: Web) -> None:
    for _ in range(5):
        web.client.post("/api/session", json={"username": "leader", "password": "nope"})
    response = web.client.post("/api/session", json={"username": "leader", "password": "nope"})
    assert response.status_code == 429 and int(response.headers["retry-after"]) > 0
    assert _assert_shape(response.json(), 429)["code"] == "rate_limited"


def test_pages_show_errors_as_pages_not_json(web: Web) -> None:
    web.login_form("admin")
    response = web.client.get("/audit")
    assert response.status_code == 403 and "text/html" in response.headers["content-type"]
    assert "您的角色无权执行此操作" in response.text


@pytest.mark.postgres
def test_a_lost_database_answers_503_in_the_one_shape(postgres_server: PostgresServer, tmp_path: Path) -> None:
    from zhizhi.config import init_workspace, load_workspace
    from zhizhi.web.app import create_app

    name = postgres_server.create("city")
    root = tmp_path / "ws"
    init_workspace(root)
    (root / "zhizhi.yaml").write_text(f"database:\n  url: {postgres_server.url_for(name)}\n", encoding="utf-8")
    app = create_app(load_workspace(root))
    with TestClient(app) as client:
        assert client.post("/api/session", json={"username": "leader", "password": DEMO_PASSWORD}).status_code == 200
        postgres_server.drop(name)  # the server loses the database under a running app
        response = client.get("/api/status")
    app.state.context.engine.dispose()
    assert response.status_code == 503 and response.headers["retry-after"] == "5"
    assert _assert_shape(response.json(), 503)["code"] == "database_unavailable"
