"""The JSON API has one error shape, whatever goes wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import DEMO_PASSWORD, PostgresServer, Web
from zhizhi.config import Workspace
from zhizhi.errors import ConfigError
from zhizhi.web.app import create_app


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


def test_a_query_past_its_bound_is_refused_before_any_route_reads_it(web: Web) -> None:
    """A query string past 4 KiB is a 414 in the one shape (a page in words); a search of more words than it takes
    is a 422 naming the bound (1,200 words made 1,200 conditions: the database refused the statement, answered as
    an outage)."""
    web.login("leader")
    long = "+".join(["字"] * 1200)
    answer = web.client.get(f"/api/entities?q={long}")
    assert _assert_shape(answer.json(), 414)["code"] == "uri_too_long"
    web.login_form("leader")
    page = web.client.get(f"/register?q={long}")
    assert page.status_code == 414 and "text/html" in page.headers["content-type"] and "地址太长" in page.text
    many = "+".join(f"词{n}" for n in range(30))
    error = _assert_shape(web.client.get(f"/api/entities?q={many}").json(), 422)
    assert "30" in error["message"] and "20" in error["message"]
    assert web.client.get(f"/register?q={many}").status_code == 422
    assert web.client.get("/register?q=柳州+有限公司").status_code == 200


@pytest.mark.postgres
def test_a_lost_database_answers_503_in_the_one_shape(postgres_server: PostgresServer, tmp_path: Path) -> None:
    from zhizhi.config import init_workspace, load_workspace

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


OUT_OF_RANGE = "99999999999999999999"
HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Cache-Control")


@pytest.mark.parametrize(
    "path",
    [
        f"/api/entities/{OUT_OF_RANGE}",
        f"/api/batches/{OUT_OF_RANGE}",
        f"/api/batches/{OUT_OF_RANGE}/rows",
        f"/api/quarantine/{OUT_OF_RANGE}",
        f"/api/records/{OUT_OF_RANGE}",
        f"/api/deliveries/{OUT_OF_RANGE}",
        f"/api/departments/{OUT_OF_RANGE}",
        f"/api/codes/coverage/{OUT_OF_RANGE}",
        f"/api/quarantine?batch={OUT_OF_RANGE}",
        f"/api/records?offset={OUT_OF_RANGE}",
        "/api/entities/0",
        f"/api/codes/crosswalks/gbt4754_2011_2017?page={OUT_OF_RANGE}",
    ],
)
def test_out_of_range_integers_are_invalid_input(web: Web, path: str) -> None:
    web.login("steward")
    response = web.client.get(path)
    assert response.status_code == 422, response.text
    assert _assert_shape(response.json(), 422)["code"] == "invalid_input"


def test_out_of_range_ids_in_bodies_and_forms_are_invalid_input(web: Web) -> None:
    csrf = web.login("steward")
    response = web.client.post(
        "/api/quarantine/replay", json={"ids": [int(OUT_OF_RANGE)]}, headers={"X-CSRF-Token": csrf}
    )
    assert response.status_code == 422 and _assert_shape(response.json(), 422)["code"] == "invalid_input"
    web.client.cookies.clear()
    web.login_form("steward")
    form = {"csrf_token": web.page_csrf("/review"), "reason": "不同", "decision_id": OUT_OF_RANGE}
    assert web.client.post("/review/decisions/undo", data=form).status_code == 422


def test_a_number_the_database_cannot_hold_is_invalid_input_behind_the_schema(web: Web) -> None:
    app = web.client.app
    from sqlalchemy import select

    from zhizhi.store.tables import Department
    from zhizhi.web.deps import DbSession

    def overflow(db: DbSession) -> dict[str, Any]:
        return {"found": db.scalar(select(Department.id).where(Department.id == 2**70))}

    app.add_api_route("/api/test-overflow", overflow, methods=["GET"])  # type: ignore[attr-defined]
    response = web.client.get("/api/test-overflow")
    assert response.status_code in (200, 422), response.text  # PostgreSQL compares as numeric and finds nothing
    if response.status_code == 422:
        assert _assert_shape(response.json(), 422)["code"] == "invalid_input"


def _with_errors(web: Web) -> TestClient:
    """A client of the web's app with two routes that fail: one unexpectedly, one through a handled error."""
    from zhizhi.errors import ConflictError

    app = web.client.app

    def boom() -> None:
        raise RuntimeError("boom")

    def conflict() -> None:
        raise ConflictError("taken")

    app.add_api_route("/api/test-boom", boom, methods=["GET"])  # type: ignore[attr-defined]
    app.add_api_route("/api/test-conflict", conflict, methods=["GET"])  # type: ignore[attr-defined]
    app.add_api_route("/test-boom", boom, methods=["GET"])  # type: ignore[attr-defined]
    return TestClient(app, raise_server_exceptions=False)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/nowhere", 404),
        ("GET", "/nowhere", 404),
        ("PUT", "/api/status", 405),
        ("GET", "/api/audit/events?limit=0", 422),
        ("GET", "/api/test-boom", 500),
        ("GET", "/test-boom", 500),
        ("GET", "/api/test-conflict", 409),
        ("GET", "/api/status", 200),
        ("GET", "/", 200),
        ("GET", "/login", 200),
        ("GET", "/api/openapi.json", 200),
    ],
)
def test_every_dynamic_answer_carries_the_security_headers_and_no_store(
    web: Web, method: str, path: str, status: int
) -> None:
    client = _with_errors(web)
    client.post("/api/session", json={"username": "auditor", "password": DEMO_PASSWORD})
    response = client.request(method, path, follow_redirects=False)
    assert response.status_code == status, response.text
    missing = [name for name in HEADERS if name.lower() not in response.headers]
    assert missing == [], (path, missing)
    assert response.headers["cache-control"] == "no-store"


def test_static_assets_may_be_cached_but_carry_the_security_headers(web: Web) -> None:
    response = web.client.get("/static/favicon.svg")
    assert response.status_code == 200 and response.headers["x-content-type-options"] == "nosniff"
    assert "no-store" not in response.headers.get("cache-control", "")


def test_refusals_are_logged_in_one_bounded_line_and_counted(web: Web, caplog: pytest.LogCaptureFixture) -> None:
    from zhizhi.web.refusals import MAX_FIELD

    caplog.set_level("WARNING", logger="zhizhi.web")
    csrf = web.login("leader")
    web.client.get("/api/audit/events")  # 403: a leader does not read the audit trail
    web.client.get("/api/users/" + "x%0A" * 500)  # 404, a long name with line feeds
    web.client.get("/api/departments/x")  # 422: not a refusal
    web.client.post("/api/tokens", json={"name": "t"}, headers={"X-CSRF-Token": csrf + "x"})
    counts = web.client.app.state.refusals.snapshot()  # type: ignore[attr-defined]
    assert counts == {"forbidden": 1, "csrf_failed": 1, "not_found": 1}
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("refused")]
    assert lines[0] == (
        "refused GET /api/audit/events user=leader code=forbidden reason=Your roles do not allow `audit.read`."
    )
    assert [line.split(" code=")[1].split()[0] for line in lines] == ["forbidden", "not_found", "csrf_failed"]
    assert lines[2].startswith("refused POST /api/tokens user=leader code=csrf_failed reason=")
    assert all("\n" not in line and len(line) < 3 * MAX_FIELD + 100 for line in lines)


def test_admins_see_the_refusal_counts_in_the_status(web: Web) -> None:
    web.login("leader")
    web.client.get("/api/audit/events")  # refused
    assert "refusals" not in web.client.get("/api/status").json()
    web.login("admin")
    assert web.client.get("/api/status").json()["refusals"] == {"forbidden": 1, "csrf_failed": 0, "not_found": 0}


def test_an_invalid_input_is_not_echoed_back_whole(web: Web) -> None:
    token = web.login("admin")  # (a form anyone may post is bounded at 64 KiB before it is read)
    big = {"username": "x" * 300_000, "display_name": "y", "department": "LZ", "roles": ["reader"]}
    answer = web.client.post("/api/users", json=big, headers={"X-CSRF-Token": token})
    assert answer.status_code == 422 and len(answer.content) < 5_000
    assert "[300000 chars]" in answer.text


def test_a_source_or_target_file_saved_as_gbk_is_named_and_the_pages_still_answer(web: Web) -> None:
    """One file saved in the wrong encoding made every page that lists sources or targets answer 500 (and the CLI
    print an unexpected UnicodeDecodeError): it is a configuration problem like a YAML syntax error."""
    root = web.workspace.root
    (root / "sources" / "jiancha.yaml").write_bytes("name: jiancha\ntitle: 检查台账\n".encode("gbk"))
    (root / "targets" / "city.yaml").write_bytes("name: city\ntitle: 市平台\n".encode("gbk"))
    web.login_form("leader")
    for path in ("/", "/sources", "/batches", "/deliveries", "/reconcile", "/quarantine"):
        answer = web.client.get(path)
        assert answer.status_code < 500, (path, answer.status_code)


def test_a_desk_the_store_does_not_hold_is_refused_when_the_app_starts(
    workspace: Workspace, city: sessionmaker[Session]
) -> None:
    """A typo in `hotline.desk` let the public form take a citizen's whole complaint and lose it with a 404."""
    workspace.config.hotline.desk = "LZ-TSJX"
    with pytest.raises(ConfigError, match=r"`hotline.desk` in zhizhi.yaml is `LZ-TSJX`.*known: .*LZ-TSJB"):
        create_app(workspace)
    workspace.config.hotline.desk = "LZ-TSJB"
    create_app(workspace).state.context.engine.dispose()


def test_a_form_past_a_fields_bound_says_which_field_and_the_bound_in_the_pages_language(web: Web) -> None:
    """The page said 请求无效：请检查 `body.display_name`: the request's insides, and not why."""
    web.login_form("admin")
    csrf = web.page_csrf("/admin/users")
    data = {"csrf_token": csrf, "username": "newone", "department_code": "LZ", "password": "x" * 20,
            "roles": ["reader"], "display_name": "长" * 500}  # fmt: skip
    page = web.client.post("/admin/users", data=data)
    assert page.status_code == 422
    assert "「display_name」太长：最多" in page.text and "body.display_name" not in page.text


def test_a_validation_error_echoes_no_password_nor_the_body_a_field_is_missing_from(web: Web) -> None:
    secret = "S3cret-" + "x" * 300
    anonymous = web.client.__class__(web.client.app)
    answer = anonymous.post("/api/session", json={"username": "zhongnan", "password": secret})
    error = _assert_shape(answer.json(), 422)
    assert [d["field"] for d in error["details"]] == ["body.password"] and error["details"][0]["value"] is None
    assert "S3cret-" not in answer.text
    token = web.login("zhongnan")
    changed = web.client.post("/api/me/password", json={"current_password": DEMO_PASSWORD, "new_password": secret},
                              headers={"X-CSRF-Token": token})  # fmt: skip
    assert changed.status_code == 422 and "S3cret-" not in changed.text and DEMO_PASSWORD not in changed.text
    web.client.cookies.clear()
    token = web.login("admin")
    body = {"username": "newu", "display_name": "新用户", "department": "LZ", "roles": ["handler"],
            "password": "Weak-but-long-enough-123", "phone": "13800000000"}  # fmt: skip
    missing = web.client.post("/api/users", json=body, headers={"X-CSRF-Token": token})
    error = _assert_shape(missing.json(), 422)
    assert [(d["field"], d["value"]) for d in error["details"]] == [("body.department_code", None)]
    assert "Weak-but-long-enough" not in missing.text and "13800000000" not in missing.text
    named = web.client.post("/api/users", json={**body, "department_code": "LZ", "roles": ["x" * 20]},
                            headers={"X-CSRF-Token": token})  # fmt: skip
    assert [d["value"] for d in named.json()["error"]["details"]] == ["x" * 20]  # any other value is still echoed


def test_a_body_that_is_not_the_object_asked_for_is_not_echoed(web: Web) -> None:
    """A body sent as text or form data, a list or a bare string is the whole body: echoing it quoted the password."""
    anonymous = web.client.__class__(web.client.app)
    text = '{"username": "zhongnan", "password": "S3cret-password-1"}'
    for sent in (
        {"content": text, "headers": {"Content-Type": "text/plain"}},
        {"content": text, "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
        {"json": [{"username": "zhongnan", "password": "S3cret-password-1"}]},
        {"json": "S3cret-password-1"},
    ):
        answer = anonymous.post("/api/session", **sent)  # type: ignore[arg-type]
        error = _assert_shape(answer.json(), 422)
        assert [(d["field"], d["value"]) for d in error["details"]] == [("body", None)], sent
        assert "S3cret" not in answer.text
