"""The reports' catalogue page and its JSON twin: what a leader sees, and that a handler's department scope holds."""

from __future__ import annotations

from tests.conftest import OPERATOR, Web
from zhizhi.reports import install_builtin, parse_period, run_report


def test_the_catalogue_page_and_its_json_twin(web: Web) -> None:
    install_builtin(web.workspace.root, "LZ")
    with web.sessions() as session, session.begin():
        run_report(session, web.workspace, OPERATOR, "inspections", parse_period("2026-11"))
    web.login("leader")
    found = web.client.get("/api/reports").json()
    assert [r["name"] for r in found["reports"]][:2] == ["data-quality", "deliveries"]
    assert next(r for r in found["reports"] if r["name"] == "inspections")["last_run"]["period"] == "2026-11"
    page = web.client.get("/reports/catalogue")
    assert page.status_code == 200 and 'id="report-inspections"' in page.text and "2026-11" in page.text
    assert "日常监督检查及问题发现情况月报" in page.text
