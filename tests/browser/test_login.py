"""Signing in and looking around in a real Chromium, against the app served by uvicorn on a local port.

The browser, the server and the tab come from conftest.py. (The README's screenshots are taken by
tools/screenshots.py, from the demo city.)
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Visit
from zhizhi.config import Workspace

pytestmark = pytest.mark.browser


def test_admin_signs_in_and_sees_the_workspace(visit: Visit, workspace: Workspace) -> None:
    page = visit.page
    visit.open("/")
    expect(page).to_have_url(f"{visit.base}/login?next=%2F")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_have_text("登录")

    visit.login("admin")

    expect(page).to_have_url(f"{visit.base}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_have_text("工作区概况")
    expect(page.locator("#workspace-name")).to_have_text(workspace.config.name)
    expect(page.locator(".tiles .tile")).to_have_count(4)
    for tile in ("#count-departments", "#count-users", "#count-audit"):
        assert int(page.locator(tile).inner_text()) > 0, tile
    expect(page.locator(".tiles")).to_contain_text("部门")
    expect(page.locator("header .who")).to_contain_text("系统管理员")


def test_a_visit_loads_nothing_from_elsewhere_and_logs_no_errors(visit: Visit) -> None:
    page = visit.page
    visit.login("admin")
    links = page.locator("nav.side a")
    expect(links.first).to_be_visible()
    paths = [str(link.get_attribute("href")) for link in links.all()]
    assert "/admin/users" in paths and "/account/tokens" in paths, paths
    for path in paths:
        with page.expect_navigation():
            page.locator(f'nav.side a[href="{path}"]').click()
        expect(page).to_have_url(visit.base + path)
        expect(page.locator("main h1")).to_be_visible()
    page.wait_for_load_state("networkidle")

    assert visit.requests, "the browser recorded no requests"
    elsewhere = [url for url in visit.requests if not url.startswith(visit.base + "/")]
    assert elsewhere == [], f"requests to other hosts: {elsewhere}"
    assert visit.errors == []


def test_the_language_switch_turns_the_ui_into_english(visit: Visit, workspace: Workspace) -> None:
    page = visit.page
    visit.login("admin")
    expect(page.locator("#lang-switch")).to_have_text("English")

    with page.expect_navigation():
        page.locator("#lang-switch").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Workspace overview")
    expect(page.locator("#lang-switch")).to_have_text("中文")
    expect(page.locator(".tiles")).to_contain_text("Departments")
    expect(page.locator("#workspace-name")).to_have_text(workspace.config.name)
    visit.open("/admin/users")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Users")


def test_a_wrong_password_is_refused_on_the_login_page(visit: Visit) -> None:
    page = visit.page
    visit.login("admin", password="not-the-password")

    expect(page).to_have_url(f"{visit.base}/login")
    expect(page.locator("#login-form")).to_be_visible()
    expect(page.locator(".error[role=alert]")).to_have_text("用户名或密码错误。")
    visit.open("/")
    expect(page).to_have_url(f"{visit.base}/login?next=%2F")


def test_the_auditor_sees_logins_in_the_audit_trail(visit: Visit) -> None:
    page = visit.page
    visit.login("auditor")
    visit.open("/audit")

    expect(page.locator("h1")).to_have_text("审计日志")
    table = page.locator("#audit-events")
    expect(table).to_be_visible()
    logins = table.locator("tbody tr").filter(has=page.locator("code", has_text="login"))
    expect(logins.first).to_contain_text("auditor")
    actions = table.locator("tbody tr td:nth-child(5)").all_inner_texts()
    assert "登录 login" in actions, actions  # the action in words, then its code (what the filter takes)


def test_the_api_docs_render_offline(visit: Visit) -> None:
    page = visit.page
    visit.open("/api/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    expect(page.locator(".swagger-ui")).to_contain_text("/api/users")
    expect(page.locator(".swagger-ui")).not_to_contain_text("Unable to render")
    page.wait_for_load_state("networkidle")
    assert [url for url in visit.requests if not url.startswith(visit.base + "/")] == []
    assert visit.errors == []


def test_an_admin_adds_and_disables_a_user_through_the_forms(visit: Visit) -> None:
    page = visit.page
    visit.login("admin")
    visit.open("/admin/users")
    form = page.locator("#add-user")
    form.locator('input[name="username"]').fill("liuxin")
    form.locator('input[name="display_name"]').fill("刘欣")
    form.locator('select[name="department_code"]').select_option("LZ-CZ-GY")
    form.locator('input[name="password"]').fill("a-long-password")
    form.locator('input[name="roles"][value="handler"]').check()
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    row = page.locator("#users tbody tr").filter(has_text="liuxin")
    expect(row).to_contain_text("公园市场监督管理所")
    expect(row).to_contain_text("经办人")
    with page.expect_navigation():
        row.locator('form[action$="/disable"] button').click()
    expect(page.locator("#users tbody tr").filter(has_text="liuxin")).to_contain_text("已停用")
