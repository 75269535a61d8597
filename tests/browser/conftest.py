"""Browser-test fixtures: the distribution's Chromium, the app served by uvicorn on a local port, a fresh tab.

Uses the distribution's Chromium (never a downloaded browser build). Without it the browser tests skip, unless
ZHIZHI_REQUIRE_BROWSER=1 says that a missing browser is a failure (as in CI).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, ViewportSize, expect, sync_playwright
from sqlalchemy.orm import Session, sessionmaker

from zhizhi.config import Workspace
from zhizhi.demo import DEMO_PASSWORD
from zhizhi.web.app import create_app

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
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}


def chromium() -> Iterator[Browser]:
    """One headless Chromium: the session's `browser` fixture (tests/conftest.py), so every directory's browser tests
    share one Playwright (a second one started beside it in the same thread fails)."""
    if not CHROMIUM.exists():
        reason = f"no browser at `{CHROMIUM}`: install Debian's `chromium` package to run the browser tests"
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{reason} ({REQUIRE_ENV}=1 requires them)", pytrace=False)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """`app` served by uvicorn in a background thread; yields its base URL, and stops it after."""
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
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        uv.should_exit = True
        thread.join(timeout=15)
        sock.close()
        app.state.context.engine.dispose()


@pytest.fixture
def server(workspace: Workspace, city: sessionmaker[Session]) -> Iterator[str]:
    """The app for the demo city, served by uvicorn in a background thread; yields its base URL."""
    with serving(create_app(workspace)) as base:
        yield base


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
    expect.set_options(timeout=15_000)  # an assertion waits as long as an action: a loaded machine renders slowly
    visit = Visit(page=page, base=server)
    page.on("request", lambda request: visit.requests.append(request.url))
    page.on("console", visit.record_console)
    page.on("pageerror", lambda error: visit.errors.append(f"page: {error}"))
    page.on("requestfailed", lambda r: _aborted_icon(r) or visit.errors.append(f"failed: {_failure(r)}"))
    yield visit
    context.close()


def _aborted_icon(request: Request) -> bool:
    """The tab's icon, still loading when the page moves on (a job page reloading itself), is aborted by the browser:
    not an error of the page."""
    return request.url.endswith("/favicon.svg") and request.failure == "net::ERR_ABORTED"


def _failure(request: Request) -> str:
    return f"{request.method} {request.url}: {request.failure}"
