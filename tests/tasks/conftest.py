"""The browser fixtures (Debian's Chromium, the app served by uvicorn, a fresh tab) for the task page's browser test."""

from tests.browser.conftest import server, visit

__all__ = ["server", "visit"]
