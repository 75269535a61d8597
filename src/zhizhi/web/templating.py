"""Server-rendered pages: Jinja2 templates with the UI's language and the session's CSRF token."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from zhizhi.i18n import MESSAGES, translate
from zhizhi.store.types import local_text
from zhizhi.web.deps import Viewer, app_context, locale_of
from zhizhi.web.words import Words, data, ticks

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
TEMPLATES.env.filters["local"] = lambda iso: local_text(datetime.fromisoformat(iso)) if iso else ""
TEMPLATES.env.filters["ticks"] = ticks
TEMPLATES.env.filters["data"] = data

NAV = [
    ("/", "nav.home", "workspace.read"),
    ("/sources", "nav.sources", "data.read"),
    ("/batches", "nav.batches", "data.read"),
    ("/quarantine", "nav.quarantine", "data.read"),
    ("/records", "nav.records", "data.read"),
    ("/register", "nav.register", "data.read"),
    ("/deliveries", "nav.deliveries", "data.read"),
    ("/reconcile", "nav.reconcile", "data.read"),
    ("/hotline", "nav.hotline", "data.read"),
    ("/inspections", "nav.inspections", "data.read"),
    ("/tasks", "nav.tasks", "data.read"),
    ("/reports", "nav.reports", "data.read"),
    ("/codes", "nav.codes", "data.read"),
    ("/privacy", "nav.privacy", "workspace.read"),
    ("/audit", "nav.audit", "audit.read"),
    ("/admin/users", "nav.users", "users.read"),
    ("/admin/departments", "nav.departments", "departments.read"),
    ("/account/tokens", "nav.tokens", "tokens.own"),
]


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    csrf_token: str | None = None,
) -> HTMLResponse:
    """Render a page in the visitor's language, with the navigation their roles allow."""
    locale = locale_of(request)
    viewer: Viewer | None = getattr(request.state, "viewer", None)
    permissions = viewer.permissions if viewer else frozenset()
    base = {
        "locale": locale,
        "t": lambda key, **params: translate(locale, key, **params),
        "notice": lambda prefix, done: _notice(locale, prefix, done),
        "words": Words(
            locale,
            app_context(request).workspace.root,
            app_context(request).sessions,
            getattr(request.state, "db", None),
        ),
        "user": viewer,
        "csrf_token": csrf_token or (viewer.csrf_token if viewer else ""),
        "nav": [(href, label) for href, label, perm in NAV if perm in permissions],
        "path": request.url.path,
    }
    return TEMPLATES.TemplateResponse(request, template, {**base, **context}, status_code=status_code)


def _notice(locale: str, prefix: str, done: str) -> str:
    """The notice a page shows after an action (`?done=decided`): the catalogue's words for `prefix` + `done`, or
    nothing when the catalogue has none (a link's `done` is not echoed as text)."""
    key = prefix + done
    return translate(locale, key) if done and key in MESSAGES["zh-CN"] else ""
