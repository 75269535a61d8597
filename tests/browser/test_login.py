"""Signing in and looking around in a real Chromium, against the app served by uvicorn on a local port.

Uses the distribution's Chromium (never a downloaded browser build). Without it these tests skip, unless
ZHIZHI_REQUIRE_BROWSER=1 says that a missing browser is a failure (as in CI). With ZHIZHI_SCREENSHOT set,
the signed-in home page is saved to docs/images/dashboard.png for the README.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, ViewportSize, expect, sync_playwright
from sqlalchemy.orm import Session, sessionmaker

from zhizhi.config import Workspace
from zhizhi.demo import DEMO_PASSWORD
from zhizhi.web.app import create_app

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRE_ENV = "ZHIZHI_REQUIRE_BROWSER"
SCREENSHOT_ENV = "ZHIZHI_SCREENSHOT"
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "images" / "dashboard.png"
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole session."""
    if not CHROMIUM.exists():
        reason = f"no browser at `{CHROMIUM}`: install Debian's `chromium` package to run the browser tests"
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{reason} ({REQUIRE_ENV}=1 requires them)", pytrace=False)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def server(workspace: Workspace, city: sessionmaker[Session]) -> Iterator[str]:
    """The app for the demo city, served by uvicorn in a background thread; yields its base URL."""
    app = create_app(workspace)
    # Bind first and hand uvicorn the socket, so no other process can take the port in between.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not uv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=15)
    sock.close()
    app.state.context.engine.dispose()


@dataclass
class Visit:
    """A browser tab on the local server, recording every request it sends and every error it logs."""

    page: Page
    base: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, path: str) -> None:
        """Go to a path on the server, as if typed into the address bar."""
        self.page.goto(self.base + path)

    def login(self, username: str, password: str = DEMO_PASSWORD) -> None:
        """Fill in and submit the sign-in form, as a person would."""
        self.open("/login")
        form = self.page.locator("#login-form")
        form.locator('input[name="username"]').fill(username)
        form.locator('input[name="password"]').fill(password)
        with self.page.expect_navigation():
            form.locator('button[type="submit"]').click()

    def record_console(self, message: ConsoleMessage) -> None:
        """Keep the console's errors; warnings and logs are not failures."""
        if message.type == "error":
            self.errors.append(f"console: {message.text} ({message.location.get('url')})")


@pytest.fixture
def visit(browser: Browser, server: str) -> Iterator[Visit]:
    """A fresh browser context (no cookies) with a 1280x800 tab on the server."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(15_000)
    visit = Visit(page=page, base=server)
    page.on("request", lambda request: visit.requests.append(request.url))
    page.on("console", visit.record_console)
    page.on("pageerror", lambda error: visit.errors.append(f"page: {error}"))
    page.on("requestfailed", lambda request: visit.errors.append(f"failed: {_failure(request)}"))
    yield visit
    context.close()


def _failure(request: Request) -> str:
    return f"{request.method} {request.url}: {request.failure}"


def test_admin_signs_in_and_sees_the_workspace(visit: Visit, workspace: Workspace, backend: str) -> None:
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
    if os.environ.get(SCREENSHOT_ENV) and backend == "sqlite":
        _save_screenshot(page)


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
    assert "login" in actions, actions


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


def _save_screenshot(page: Page) -> None:
    # The database line shows this run's temporary path, which says nothing about the product: blur it.
    # (Through the CSSOM: the page's Content-Security-Policy refuses an injected stylesheet.)
    page.wait_for_load_state("networkidle")
    database_url = page.locator("table.facts code").filter(has_text="://")
    database_url.evaluate("element => { element.style.filter = 'blur(5px)'; }")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOT)
