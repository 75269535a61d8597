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


def test_a_steward_retires_a_flagged_report_with_one_click_and_it_is_audited(web: Web) -> None:
    from sqlalchemy import select

    from zhizhi.store.tables import AuditEvent

    install_builtin(web.workspace.root, "LZ")
    with web.sessions() as session, session.begin():
        for month in ("2026-08", "2026-09", "2026-10", "2026-11"):  # four runs nobody downloads
            run_report(session, web.workspace, OPERATOR, "inspections", parse_period(month))
    web.login_form("leader")  # a leader reads the catalogue, retires nothing
    page = web.client.get("/reports/catalogue").text
    row = page.split('id="report-inspections"')[1].split("</tr>")[0]
    assert "建议停用" in row and "retire-form" not in row
    web.client.cookies.clear()
    web.login_form("steward")  # a section's steward: the bureau's report is not theirs to retire
    page = web.client.get("/reports/catalogue").text
    row = page.split('id="report-inspections"')[1].split("</tr>")[0]
    assert "retire-form" not in row and "run-form" not in row  # a button that only answers 403 is not shown
    csrf = web.page_csrf("/reports/catalogue")
    refused = web.client.post("/reports/inspections/retire", data={"csrf_token": csrf, "reason": "本科不用"})
    assert refused.status_code == 403
    web.client.cookies.clear()
    web.login_form("registrar")  # the bureau's steward
    page = web.client.get("/reports/catalogue").text
    row = page.split('id="report-inspections"')[1].split("</tr>")[0]
    assert "retire-form" in row and "run-form" in row
    csrf = web.page_csrf("/reports/catalogue")
    done = web.client.post("/reports/inspections/retire", data={"csrf_token": csrf, "reason": "连续多期无人查阅"},
                           follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    row = web.client.get(done.headers["location"]).text.split('id="report-inspections"')[1].split("</tr>")[0]
    assert "已停用" in row
    with web.sessions() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "report.retire"))
        assert event is not None and event.actor == "registrar" and event.object_id == "inspections"
    again = web.client.post("/reports/inspections/retire", data={"csrf_token": csrf, "reason": "again"})
    assert again.status_code == 409
