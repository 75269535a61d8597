"""Users see only their department subtree, through the API and the pages alike."""

from __future__ import annotations

from tests.conftest import Web


def _dept_id(web: Web, code: str) -> int:
    with web.sessions() as session:
        from sqlalchemy import select

        from zhizhi.store.tables import Department

        return int(session.scalar(select(Department.id).where(Department.code == code)) or 0)


def test_a_county_office_cannot_read_another_offices_data(web: Web) -> None:
    web.login("chengzhong")
    departments = {d["code"] for d in web.client.get("/api/departments").json()}
    assert departments == {"LZ-CZ", "LZ-CZ-ZN", "LZ-CZ-GY"}
    users = {u["username"] for u in web.client.get("/api/users").json()}
    assert users == {"chengzhong", "zhongnan"}
    for path in (
        f"/api/departments/{_dept_id(web, 'LZ-YF')}",
        "/api/users/yufeng",
        f"/api/departments/{_dept_id(web, 'LZ')}",
    ):
        response = web.client.get(path)
        assert response.status_code == 404, path
    assert web.client.get(f"/api/departments/{_dept_id(web, 'LZ-CZ-ZN')}").status_code == 200


def test_the_status_counts_only_the_callers_subtree(web: Web) -> None:
    web.login("chengzhong")
    county = web.client.get("/api/status").json()["counts"]
    web.client.cookies.clear()
    web.login("leader")
    city = web.client.get("/api/status").json()["counts"]
    assert (county["departments"], county["active_users"]) == (3, 2)
    assert (city["departments"], city["active_users"]) == (17, 9)
    assert 0 < county["audit_events"] < city["audit_events"]


def test_the_users_page_shows_only_the_subtree(web: Web) -> None:
    web.login_form("chengzhong")
    page = web.client.get("/admin/users").text
    assert "zhongnan" in page and "yufeng" not in page and "steward" not in page
    assert "139****0007" in page and "13977200007" not in page  # phones masked


def test_auditors_see_events_of_their_subtree(web: Web) -> None:
    web.login("zhongnan")  # a login event from within 城中区
    web.client.cookies.clear()
    web.login("auditor")
    actors = {e["actor"] for e in web.client.get("/api/audit/events?limit=1000").json()}
    assert {"zhongnan", "auditor", "cli:test"} <= actors


def test_personal_data_needs_a_purpose_and_is_audited(web: Web) -> None:
    token = web.login("admin")
    assert web.client.get("/api/users/zhongnan/personal").status_code == 422
    purpose = {"purpose": "核对投诉回访电话"}
    # a signed-in browser sent here by another site's link: no CSRF token, no disclosure (nor audit, nor quota)
    assert web.client.get("/api/users/zhongnan/personal", params=purpose).status_code == 403
    response = web.client.get("/api/users/zhongnan/personal", params=purpose, headers={"X-CSRF-Token": token})
    assert response.json() == {"username": "zhongnan", "phone": "13977200007"}
    web.client.cookies.clear()
    web.login("auditor")
    events = web.client.get("/api/audit/events", params={"action": "personal.read"}).json()
    assert [(e["actor"], e["object_id"], e["purpose"]) for e in events] == [("admin", "zhongnan", "核对投诉回访电话")]
