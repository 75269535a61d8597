"""The web application: JSON API under /api, the server-rendered UI, and static assets, all served locally."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

from zhizhi import __version__
from zhizhi.config import Workspace
from zhizhi.errors import InputError
from zhizhi.hotline import check_desk
from zhizhi.progress import Board
from zhizhi.store import check_schema, make_engine, make_sessionmaker
from zhizhi.web import api, pages
from zhizhi.web.api import inspections as inspections_api
from zhizhi.web.api import progress as progress_api
from zhizhi.web.api import reconcile as reconcile_api
from zhizhi.web.api import tasks as tasks_api
from zhizhi.web.api import workload as workload_api
from zhizhi.web.context import AppContext
from zhizhi.web.deps import signed_out, vouched_for
from zhizhi.web.errors import BodyRefused, install_error_handlers
from zhizhi.web.pages import inspections as inspections_pages
from zhizhi.web.pages import jobs as job_pages
from zhizhi.web.pages import reconcile as reconcile_pages
from zhizhi.web.pages import tasks as tasks_pages
from zhizhi.web.pages import workload as workload_pages
from zhizhi.web.public_limits import (
    BODY_MAX_BYTES,
    MIB,
    PUBLIC_BODY_BYTES,
    PUBLIC_FORMS,
    PUBLIC_UPLOAD_BYTES,
    PUBLIC_UPLOADS,
)
from zhizhi.web.refusals import RefusalCounter

STATIC = Path(__file__).parent / "static"

# Everything the page loads comes from this server: an intranet has no CDN to reach.
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
# Pages, API answers and exports may carry personal data: no browser or proxy keeps a copy. Static assets may be kept.
_NO_STORE = {"Cache-Control": "no-store"}
STATIC_PREFIX = "/static/"


class SecurityHeaders:
    """Adds the security headers to every response, and `Cache-Control: no-store` to every one but static assets.

    Pure ASGI and outermost (outside starlette's ServerErrorMiddleware), so error pages get them too.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        dynamic = not str(scope.get("path", "")).startswith(STATIC_PREFIX)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in (_SECURITY_HEADERS | (_NO_STORE if dynamic else {})).items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


QUERY_MAX_BYTES = 4096  # a page's or the API's query string: searches, filters, periods; far more than any needs
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


class BodyLimit:
    """Bounds every request's body before anything stores or parses it: a file upload (multipart) at
    `web.upload_max_mb` and a megabyte for the form around it, a form anyone may post (`PUBLIC_FORMS`) at
    `PUBLIC_BODY_BYTES` whatever its type, a PDF anyone may check (`PUBLIC_UPLOADS`) at `PUBLIC_UPLOAD_BYTES`, any
    other body at `BODY_MAX_BYTES`. A declared length past the bound is refused before a byte is read; a body without
    one is counted as it arrives. The refusal is a 413 through the app's own error handling (the API's error shape, a
    page in the visitor's language). A body past `PUBLIC_BODY_BYTES` to any other route, from a request without a
    live credential (`vouched_for`), is refused (401, a page's visitor sent to sign in) before a byte is read: the
    route would only tell it to sign in once the whole body was received and stored.

    A JSON body is also refused whole (422) when it escapes half of a UTF-16 surrogate pair (`"\\ud800"`): JSON
    allows the escape, but it is no character, and no text holding it can be stored, logged or answered."""

    def __init__(self, app: ASGIApp, upload_max_mb: int) -> None:
        self.app = app
        self.upload_bytes = (upload_max_mb + 1) * MIB

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        kind = headers.get("content-type", "").lower()
        upload = kind.startswith("multipart/form-data")
        limit = self.upload_bytes if upload else BODY_MAX_BYTES
        public = scope.get("path") in PUBLIC_FORMS | PUBLIC_UPLOADS
        if scope.get("path") in PUBLIC_FORMS:
            limit = PUBLIC_BODY_BYTES
        elif public:
            limit = PUBLIC_UPLOAD_BYTES
        declared = headers.get("content-length", "")
        # A body past the public bounds only with a live credential: a route would only tell the sender to sign in.
        chunked = not declared and "chunked" in headers.get("transfer-encoding", "").lower()
        vouch = not public and (chunked or (declared.isdigit() and int(declared) > PUBLIC_BODY_BYTES))
        received = 0
        body = bytearray() if "json" in kind or not kind else None  # FastAPI reads a body of no type as JSON

        async def bounded() -> Message:
            nonlocal received, vouch
            if declared and (not declared.isdigit() or int(declared) > limit):
                raise HTTPException(413)
            if vouch:
                if not await run_in_threadpool(vouched_for, scope["app"].state.context, headers):
                    raise BodyRefused(signed_out())  # before the body is read, not after
                vouch = False
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                received += len(chunk)
                if received > limit:
                    raise HTTPException(413)
                if body is not None:
                    more = message.get("more_body", False)
                    if more or body:  # a body in one message (the usual) is checked as it came, not copied
                        body.extend(chunk)
                    if not more:
                        _refuse_surrogates(body or chunk)
            return message

        await self.app(scope, bounded, send)


def _refuse_surrogates(body: bytes | bytearray) -> None:
    """Refuse a JSON body whose text holds a lone surrogate (the escape's look-alikes, `\\\\ud800`, pass)."""
    if not _SURROGATE_ESCAPE.search(body):
        return
    try:
        json.dumps(json.loads(body), ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as e:
        at = e.object[e.start : e.end].encode("unicode_escape").decode("ascii")
        error = InputError(
            f"The request's JSON holds `{at}`, half of a UTF-16 surrogate pair, which is no character: send the text "
            "as valid Unicode (the pair together, or the character itself).",
            zh=f"请求的 JSON 中含有 `{at}`（UTF-16 代理对的一半），不是有效字符：请以有效的 Unicode 发送文字"
            "（成对的代理项，或字符本身）。",
        )
        raise BodyRefused(error) from None
    except ValueError:
        return  # not JSON at all: the route's own parsing says so


def bounded_query(request: Request) -> None:
    """Refuse (414) a query string past `QUERY_MAX_BYTES` before any route reads, stores or logs a parameter of it."""
    if len(request.scope.get("query_string", b"")) > QUERY_MAX_BYTES:
        raise HTTPException(414)


class ZhizhiApp(FastAPI):
    """FastAPI with `SecurityHeaders` around the whole stack, error handling included."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack())


def create_app(workspace: Workspace) -> FastAPI:
    """The app for one workspace; refuses to start on an unreachable or unmigrated database."""
    engine = make_engine(workspace.database_url)
    check_schema(engine)
    app = ZhizhiApp(
        title="zhizhi 智治",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        swagger_ui_parameters={"syntaxHighlight": False},
        dependencies=[Depends(bounded_query)],
    )
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        check_desk(session, workspace)
    app.state.context = AppContext(workspace=workspace, engine=engine, sessions=sessions)
    app.state.refusals = RefusalCounter()
    app.state.progress = Board()  # the lines of the jobs pages start (an upload's ingest, a report run)
    install_error_handlers(app)
    app.add_middleware(BodyLimit, upload_max_mb=workspace.config.web.upload_max_mb)
    app.mount("/static/swagger", StaticFiles(directory=str(swagger_ui_path)), name="swagger")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_api_route("/api/docs", _api_docs, methods=["GET"], include_in_schema=False)
    app.include_router(api.router)
    app.include_router(reconcile_api.router, prefix="/api")
    app.include_router(progress_api.router, prefix="/api")
    app.include_router(job_pages.router)
    app.include_router(pages.router)
    app.include_router(reconcile_pages.router)
    app.include_router(inspections_api.router, prefix="/api")
    app.include_router(inspections_pages.router)
    for module in (tasks_api, workload_api):
        app.include_router(module.router, prefix="/api")
    app.include_router(tasks_pages.router)
    app.include_router(workload_pages.router)
    return app


def _api_docs() -> HTMLResponse:
    """Swagger UI for the API, from assets this server ships."""
    return HTMLResponse(_API_DOCS_HTML)


_API_DOCS_HTML = """<!doctype html><html><head><meta charset="utf-8"><title>zhizhi API</title>
<link rel="stylesheet" href="/static/swagger/swagger-ui.css">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml"></head>
<body><div id="swagger-ui"></div><script src="/static/swagger/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script></body></html>"""
