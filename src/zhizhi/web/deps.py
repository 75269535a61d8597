"""Shared dependencies of the web layer: the session, the guards every route declares, and the pager.

Every router takes these instead of defining its own:

- `DbSession`: one transaction per request, committed before the answer is sent.
- Role aliases, one per kind of route and permission, named `<Kind><Role>`: `PageDataReader` for an HTML page read
  with GET (`PageGuard`), `FormDataWriter` for a posted form (`FormGuard`, which also checks the CSRF token) and
  `ApiDataReader` for a JSON route (`ApiGuard`). The actor they give is scoped to the caller's departments.
- `Paging`: the page number from the query (bounded like `Page`), with `limit`/`offset` asking for one row more than
  a page so `.rows(found)` knows whether a next page exists (`.has_next`); a list that counts its rows is asked with
  `.size` and told `.counted(total)`. Templates render it with `{% include "_pager.html" %}` (ids `prev-page`,
  `next-page`), in the page's language, its links keeping the current query, or only the list's filters when the
  route says `.keep(filters)` (so a one-off notice is not carried to the next page).
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, TypeVar
from urllib.parse import urlencode

from fastapi import Depends, Form, Path, Query, Request
from pydantic import Field
from sqlalchemy.orm import Session
from starlette.datastructures import Headers
from starlette.requests import cookie_parser

from zhizhi.access import Actor, actor_for, authenticate_token, find_session, require
from zhizhi.access.sessions import vouches
from zhizhi.errors import AuthenticationError, CsrfError
from zhizhi.store import MAX_ID
from zhizhi.store.tables import WebSession
from zhizhi.web.context import AppContext

SESSION_COOKIE = "zhizhi_session"
PRELOGIN_CSRF_COOKIE = "zhizhi_csrf"
LANG_COOKIE = "zhizhi_lang"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

# Every integer a caller sends is bounded in the schema, so an out-of-range one is a 422, never a database error.
MAX_LIMIT = 1000
MAX_OFFSET = 10_000_000
MAX_PAGE = 100_000
IdValue = Annotated[int, Field(ge=1, le=MAX_ID)]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
Count = Annotated[int | None, Query(ge=0, le=MAX_ID)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
Page = Annotated[int, Query(ge=1, le=MAX_PAGE)]
FormIds = Annotated[list[IdValue] | None, Form()]
PAGE_SIZE = 50  # rows on one page of a list


def app_context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


def db_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the handler returns, rolled back when it raises."""
    with app_context(request).sessions() as session, session.begin():
        request.state.db = session  # the page's words read the workspace's names in it (zhizhi.web.words)
        yield session


# Scope "function": the commit runs when the handler returns, before the answer is sent, so a client is never told
# of a write that then fails to commit (a busy SQLite, a PostgreSQL serialization failure).
DbSession = Annotated[Session, Depends(db_session, scope="function")]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@dataclass(frozen=True)
class Viewer:
    """What a page shows of the signed-in user; plain values, so error pages can render after a rollback."""

    username: str
    display_name: str
    department_name: str
    csrf_token: str
    permissions: frozenset[str]


class Guard:
    """A route's declaration of who may call it: signed in, and holding `permission`.

    Every route but the few public ones depends on a Guard; a test walks the app to make sure.
    """

    def __init__(self, permission: str) -> None:
        self.permission = permission

    def resolve(self, request: Request, db: Session) -> tuple[Actor, WebSession | None]:
        """The actor behind a bearer token or a session cookie."""
        ip = client_ip(request)
        request.state.actor_name = None
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            actor = actor_for(authenticate_token(db, header[7:].strip()), ip)
            request.state.actor_name = actor.name
            return actor, None
        secret = request.cookies.get(SESSION_COOKIE)
        web_session = find_session(db, secret) if secret else None
        if web_session is None:
            raise signed_out()
        actor = actor_for(web_session.user, ip)
        request.state.actor_name = actor.name
        request.state.web_session = web_session
        request.state.viewer = Viewer(
            username=actor.name,
            display_name=web_session.user.display_name,
            department_name=web_session.user.department.name,
            csrf_token=web_session.csrf_token,
            permissions=actor.permissions,
        )
        return actor, web_session

    def authorize(self, actor: Actor) -> Actor:
        require(actor, self.permission)
        return actor


class ApiGuard(Guard):
    """For JSON routes: cookie-authenticated writes must carry the session's token in `X-CSRF-Token`; so must a read
    that shows personal data for a declared `purpose` (it is audited and counted: another site's link must not make
    a signed-in browser do it)."""

    def __call__(self, request: Request, db: DbSession) -> Actor:
        actor, _ = self.resolve(request, db)
        if request.method in UNSAFE_METHODS or "purpose" in request.query_params:
            check_audited_read(request)
        return self.authorize(actor)


def check_audited_read(request: Request) -> None:
    """A JSON route's call that writes (an audit event too, as a read by a purpose or by a phone does): a caller
    signed in with the cookie must send the session's token in `X-CSRF-Token`; one with a bearer token needs none
    (no other site's page can send it)."""
    web_session: WebSession | None = getattr(request.state, "web_session", None)
    if web_session is not None:
        check_csrf(web_session.csrf_token, request.headers.get("x-csrf-token"))


class PageGuard(Guard):
    """For HTML pages read with GET."""

    def __call__(self, request: Request, db: DbSession) -> Actor:
        actor, _ = self.resolve(request, db)
        return self.authorize(actor)


class FormGuard(Guard):
    """For HTML forms: the posted `csrf_token` must match the signed-in session's."""

    def __call__(self, request: Request, db: DbSession, csrf_token: Annotated[str, Form()] = "") -> Actor:
        actor, web_session = self.resolve(request, db)
        check_csrf(web_session.csrf_token if web_session else None, csrf_token)
        return self.authorize(actor)


def check_csrf(expected: str | None, given: str | None) -> None:
    """Refuse unless a CSRF token was given and matches."""
    if not expected or not given or not hmac.compare_digest(expected, given):
        raise CsrfError(
            "Missing or wrong CSRF token. Reload the page and submit again.",
            zh="表单已过期或来源不明，请刷新页面后重试。",
        )


def signed_out() -> AuthenticationError:
    """The refusal of a request that carries no live credential."""
    return AuthenticationError("Sign in first, or send `Authorization: Bearer <token>`.", zh="请先登录。")


def vouched_for(context: AppContext, headers: Headers) -> bool:
    """Whether a request carries a live credential: a session cookie, or a bearer token of a user or a platform.
    Asked before a large body is let in (`zhizhi.web.app.BodyLimit`), so that no one signed out can make the server
    receive and store an upload's worth of bytes only to be told to sign in."""
    header = headers.get("authorization", "")
    bearer = header[7:].strip() if header.lower().startswith("bearer ") else None
    cookie = cookie_parser(headers.get("cookie", "")).get(SESSION_COOKIE)
    if not cookie and not bearer:
        return False
    with context.sessions() as session:
        return vouches(session, cookie=cookie, bearer=bearer)


def unmask_per_hour(request: Request) -> int:
    """How many records one user may unmask an hour (`privacy.unmask_per_hour`)."""
    return app_context(request).workspace.config.privacy.unmask_per_hour


def locale_of(request: Request) -> str:
    """The UI language: the visitor's choice, else the workspace default."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in ("zh-CN", "en"):
        return chosen
    return app_context(request).workspace.config.locale


# The role aliases every router declares (see the module's docstring).
PageDataReader = Annotated[Actor, Depends(PageGuard("data.read"))]
PageWorkspaceReader = Annotated[Actor, Depends(PageGuard("workspace.read"))]
PageAuditReader = Annotated[Actor, Depends(PageGuard("audit.read"))]
PageUsersReader = Annotated[Actor, Depends(PageGuard("users.read"))]
PageDepartmentsReader = Annotated[Actor, Depends(PageGuard("departments.read"))]
PageTokenOwner = Annotated[Actor, Depends(PageGuard("tokens.own"))]

FormDataReader = Annotated[Actor, Depends(FormGuard("data.read"))]  # a reader's posts; the domain checks who may
FormDataWriter = Annotated[Actor, Depends(FormGuard("data.write"))]
FormWorkspaceReader = Annotated[Actor, Depends(FormGuard("workspace.read"))]
FormCasesWriter = Annotated[Actor, Depends(FormGuard("cases.write"))]
FormPersonalReader = Annotated[Actor, Depends(FormGuard("personal.read"))]
FormUsersWriter = Annotated[Actor, Depends(FormGuard("users.write"))]
FormDepartmentsWriter = Annotated[Actor, Depends(FormGuard("departments.write"))]
FormTokenOwner = Annotated[Actor, Depends(FormGuard("tokens.own"))]

ApiDataReader = Annotated[Actor, Depends(ApiGuard("data.read"))]
ApiDataWriter = Annotated[Actor, Depends(ApiGuard("data.write"))]
ApiWorkspaceReader = Annotated[Actor, Depends(ApiGuard("workspace.read"))]
ApiAuditReader = Annotated[Actor, Depends(ApiGuard("audit.read"))]
ApiCasesWriter = Annotated[Actor, Depends(ApiGuard("cases.write"))]
ApiPersonalReader = Annotated[Actor, Depends(ApiGuard("personal.read"))]
ApiUsersReader = Annotated[Actor, Depends(ApiGuard("users.read"))]
ApiUsersWriter = Annotated[Actor, Depends(ApiGuard("users.write"))]
ApiDepartmentsReader = Annotated[Actor, Depends(ApiGuard("departments.read"))]
ApiDepartmentsWriter = Annotated[Actor, Depends(ApiGuard("departments.write"))]
ApiTokenOwner = Annotated[Actor, Depends(ApiGuard("tokens.own"))]

Row = TypeVar("Row")


@dataclass
class Pager:
    """One page of a list: which rows to ask for, and whether a next page exists once they came back."""

    page: int = 1
    size: int = PAGE_SIZE
    query: tuple[tuple[str, str], ...] = ()  # the request's other query parameters, kept in the links
    has_next: bool = field(default=False, init=False)
    total: int | None = field(default=None, init=False)  # rows in all pages, for lists that count them

    @property
    def limit(self) -> int:
        """One row more than a page: its presence says there is a next page."""
        return self.size + 1

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    def rows(self, found: Sequence[Row]) -> list[Row]:
        """The page's rows of `found` (asked with `limit`), noting whether there were more."""
        self.has_next = len(found) > self.size
        return list(found[: self.size])

    def counted(self, total: int) -> Pager:
        """For a list that counts its rows (asked with `size`, not `limit`): a next page exists past this one."""
        self.total = total
        self.has_next = self.offset + self.size < total
        return self

    @property
    def pages(self) -> int:
        """How many pages the counted rows fill (at least one)."""
        return max(1, -(-(self.total or 0) // self.size))

    def keep(self, params: Mapping[str, str]) -> Pager:
        """Keep only `params` in the links (the list's filters), not one-off parameters such as an outcome's."""
        self.query = tuple(params.items())
        return self

    def href(self, page: int) -> str:
        """The link to `page` of the same list: the current query with only the page changed."""
        return "?" + urlencode([*self.query, ("page", str(page))])


def pager(request: Request, page: Page = 1) -> Pager:
    """The pager of a list page, from its `page` query parameter."""
    kept = tuple((k, v) for k, v in request.query_params.multi_items() if k != "page")
    return Pager(page=page, query=kept)


Paging = Annotated[Pager, Depends(pager)]
