"""The UI: Chinese by default, English on request, every asset served locally, each page reachable by its role."""

from __future__ import annotations

import re

import pytest

from tests.conftest import OPERATOR, Web
from zhizhi.access import create_token, set_active
from zhizhi.i18n import MESSAGES
from zhizhi.reports import install_builtin, parse_period, retire, run_report

PAGES_BY_ROLE = {
    "admin": [
        "/",
        "/admin/users",
        "/admin/departments",
        "/account/tokens",
    ],
    "auditor": ["/", "/audit", "/audit?verify=true", "/admin/departments", "/account/tokens"],
    "zhongnan": [
        "/",
        "/hotline",
        "/reports",
        "/sources",
        "/batches",
        "/quarantine",
        "/records",
        "/register",
        "/review",
        "/deliveries",
        "/account/tokens",
    ],
}


def test_both_languages_have_the_same_words() -> None:
    assert set(MESSAGES["zh-CN"]) == set(MESSAGES["en"])


@pytest.mark.parametrize("username", sorted(PAGES_BY_ROLE))
def test_each_role_opens_its_pages(web: Web, username: str) -> None:
    web.login_form(username)
    for path in PAGES_BY_ROLE[username]:
        response = web.client.get(path)
        assert response.status_code == 200, path
        assert '<html lang="zh-CN">' in response.text


def test_roles_without_the_right_are_refused_pages(web: Web) -> None:
    web.login_form("zhongnan")
    for path in ("/audit", "/admin/users"):
        assert web.client.get(path).status_code == 403, path
    nav = web.client.get("/").text
    assert 'href="/audit"' not in nav and 'href="/admin/users"' not in nav
    web.client.cookies.clear()
    web.login_form("admin")  # the hotline's cases are data: an administrator manages people, not cases
    assert web.client.get("/hotline").status_code == 403
    assert web.client.get("/reports").status_code == 403  # nor the reports' figures


def test_home_shows_the_workspace_state(web: Web) -> None:
    web.login_form("leader")
    page = web.client.get("/").text
    assert "测试市市场监督管理局" in page and "工作区概况" in page
    assert re.search(r'id="count-departments">17<', page) and re.search(r'id="count-users">9<', page)
    assert re.search(r'id="count-tokens">0<', page)
    with web.sessions() as session, session.begin():
        create_token(session, OPERATOR, name="平台对接", username="registrar")
        create_token(session, OPERATOR, name="已停用人员的", username="yufeng")
        set_active(session, OPERATOR, "yufeng", active=False)  # a disabled user's token opens nothing
    assert re.search(r'id="count-tokens">1<', web.client.get("/").text)


def test_the_language_switch_turns_the_ui_english(web: Web) -> None:
    web.login_form("leader")
    response = web.client.get("/lang/en", headers={"referer": "http://testserver/register"})
    assert response.url.path == "/register"
    page = web.client.get("/").text
    assert '<html lang="en">' in page and "Workspace overview" in page and "工作区概况" not in page
    assert "：" not in page  # no Chinese punctuation between an English label and its figure


def test_nothing_is_loaded_from_another_site(web: Web) -> None:
    web.login_form("admin")
    pages = [web.client.get(p).text for p in ("/", "/admin/users", "/login", "/api/docs")]
    for html in pages:
        for url in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert not re.match(r"^(https?:)?//", url), url
            if url.startswith("/static/"):
                assert web.client.get(url).status_code == 200, url
    headers = web.client.get("/").headers
    assert "default-src 'self'" in headers["content-security-policy"]


def test_the_api_is_documented_offline(web: Web) -> None:
    schema = web.client.get("/api/openapi.json").json()
    assert "/api/users" in schema["paths"] and "/admin/users" not in schema["paths"]
    docs = web.client.get("/api/docs").text
    assert "/static/swagger/swagger-ui-bundle.js" in docs
    assert web.client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200


def test_a_refused_form_explains_in_chinese_and_links_back(web: Web) -> None:
    web.login_form("admin")
    token = web.page_csrf("/admin/users")
    response = web.client.post(
        "/admin/users",
        data={"username": "short", "department_code": "LZ", "password": "abc", "roles": "handler", "csrf_token": token},
        headers={"referer": "http://testserver/admin/users"},
    )
    assert response.status_code == 422
    assert (
        "密码太短：3 个字符，至少需要 12 个" in response.text and 'href="/admin/users" id="error-back"' in response.text
    )


def test_the_audit_page_filters_by_day_and_explains_a_bad_date(web: Web) -> None:
    web.login_form("auditor")
    assert "login" in web.client.get("/audit", params={"since": "2020-01-01"}).text
    assert "<tbody>\n  \n  </tbody>" in web.client.get("/audit", params={"until": "2020-01-01"}).text
    response = web.client.get("/audit", params={"since": "2020-13-01"})
    assert response.status_code == 422 and '日期 <code translate="no">2020-13-01</code> 格式不对' in response.text


def test_home_has_the_reports_card(web: Web) -> None:
    web.login_form("leader")
    assert 'id="reports-tiles"' not in web.client.get("/").text  # no report defined yet: no card
    install_builtin(web.workspace.root, "LZ")
    with web.sessions() as session, session.begin():
        for name in ("entities-by-county", "licences"):  # 120 and 60 minutes by hand
            for label in ("2026-09", "2026-10", "2026-11"):
                run_report(session, web.workspace, OPERATOR, name, parse_period(label))
        run_report(session, web.workspace, OPERATOR, "licences", parse_period("2026-11"))  # again: not a period more
        retire(session, OPERATOR, web.workspace.root, "equipment", "asked for by nobody")
    page = web.client.get("/").text
    assert '<a href="/reports/catalogue">报表</a>' in page
    builtin = len(list((web.workspace.root / "reports").glob("*.yaml")))  # the built-ins installed
    assert builtin >= 8
    assert re.search(rf'id="reports-count"><a href="/reports/catalogue">{builtin}</a></b>张报表（其中已停用 1）', page)
    assert re.search(r'id="reports-runs">7<', page)  # all made today, so this month
    assert re.search(r'id="reports-saved">9.0</b>小时手工填报时间已节省（540 分钟', page)  # (120 + 60) x 3
    assert re.search(r'id="reports-flagged" class="alert"><a href="/reports/catalogue">2<', page)  # read by nobody
    web.client.get("/lang/en", headers={"referer": "http://testserver/"})
    english = web.client.get("/").text
    assert "hours of hand-filling saved (540 minutes" in english and "reports (1 retired)" in english
    # A county office's reader: the bureau's reports are not its figures, like every figure of the home page.
    web.client.cookies.clear()
    web.login_form("chengzhong")
    county = web.client.get("/").text
    assert re.search(r'id="reports-runs">0<', county) and re.search(r'id="reports-saved">0.0<', county), county


def test_a_notice_after_an_action_is_the_catalogues_words_never_the_links_text(web: Web) -> None:
    """`?done=` names the notice a page shows after an action; a value the catalogue does not hold shows nothing
    (it was echoed as `tasks.done.请即致电…`: a catalogue key, and text anyone could put on a trusted page)."""
    web.login_form("leader")
    for path in ("/tasks?done=请即致电400-1234", "/tasks?done=x", "/hotline/suggestions?done=请即致电400-1234"):
        page = web.client.get(path).text
        assert 'id="done-notice"' not in page and "400-1234" not in page and ".done." not in page, path
    known = web.client.get("/hotline/suggestions?done=apart").text
    assert 'id="done-notice"' in known and "hotline.done" not in known
