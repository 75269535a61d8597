"""Deny by default: every route declares who may call it, and anonymous callers are turned away."""

from __future__ import annotations

import re
from typing import Any

from fastapi.routing import APIRoute

from tests.conftest import Web
from zhizhi.web.deps import Guard

# The only routes anyone may call without signing in.
PUBLIC = {
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/lang/{locale}"),
    ("POST", "/api/session"),
    ("GET", "/api/health"),
    ("GET", "/api/docs"),
    # The hotline's citizen pages: the web form and the lookup (rate-limited per address, docs/hotline.md).
    ("GET", "/hotline/submit"),
    ("POST", "/hotline/submit"),
    ("GET", "/hotline/lookup"),
    ("POST", "/hotline/lookup"),
    # Checking a sealed report: whoever received one (docs/seals.md).
    ("GET", "/seals/verify"),
    ("GET", "/seals/root.pem"),
    ("GET", "/seals/crl.pem"),
    ("POST", "/seals/verify"),
    ("POST", "/api/seals/verify"),
}


def _guards(dependant: Any) -> list[Guard]:
    found = [dependant.call] if isinstance(dependant.call, Guard) else []
    for sub in dependant.dependencies:
        found += _guards(sub)
    return found


def _routes(web: Web) -> list[tuple[str, str, Any]]:
    """(method, path, route) for every endpoint, including those of included routers."""
    found = []
    for route in web.client.app.routes:  # type: ignore[attr-defined]
        # Newer FastAPI keeps included routers as one entry that expands to the effective routes.
        expanded = route.effective_route_contexts() if hasattr(route, "effective_route_contexts") else [route]
        for endpoint in expanded:
            if isinstance(endpoint, APIRoute) or hasattr(endpoint, "dependant"):
                found += [(method, endpoint.path, endpoint) for method in endpoint.methods]
    return found


def test_every_route_is_public_by_name_or_guarded(web: Web) -> None:
    unguarded = [(m, p) for m, p, route in _routes(web) if (m, p) not in PUBLIC and not _guards(route.dependant)]
    assert unguarded == []


def test_public_routes_are_really_public_and_few(web: Web) -> None:
    routes = {(m, p) for m, p, _ in _routes(web)}
    assert len(routes) > 30 and routes >= PUBLIC
    guarded_public = [(m, p) for m, p, route in _routes(web) if (m, p) in PUBLIC and _guards(route.dependant)]
    assert guarded_public == []


def test_anonymous_callers_are_refused_everywhere(web: Web) -> None:
    for method, path, _ in _routes(web):
        if (method, path) in PUBLIC:
            continue
        url = re.sub(r"\{[^}]+\}", "1", path).replace("/1/1", "/1/disable")
        response = web.client.request(method, url, follow_redirects=False)
        if path.startswith("/api"):
            assert response.status_code == 401, (method, path)
            assert response.json()["error"]["code"] == "unauthenticated"
        else:
            assert response.status_code in (303, 403), (method, path)  # forms fail CSRF first, pages redirect
