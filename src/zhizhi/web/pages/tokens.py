"""The signed-in user's own account: API tokens and password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from zhizhi.access import (
    Actor,
    WrongPasswordError,
    change_own_password,
    create_token,
    list_tokens,
    revoke_token,
    token_as_dict,
)
from zhizhi.access.passwords import MAX_LENGTH as PASSWORD_MAX_LENGTH
from zhizhi.access.tokens import TOKEN_NAME_MAX_LENGTH
from zhizhi.errors import RateLimitedError
from zhizhi.i18n import translate
from zhizhi.web.deps import (
    DbSession,
    FormTokenOwner,
    FormWorkspaceReader,
    Id,
    PageTokenOwner,
    PageWorkspaceReader,
    app_context,
    locale_of,
)
from zhizhi.web.templating import render

router = APIRouter(prefix="/account")


@router.get("/tokens", response_class=HTMLResponse)
def show_tokens(request: Request, db: DbSession, actor: PageTokenOwner) -> Response:
    """The user's tokens and the form to create one."""
    return _page(request, db, actor, secret=None)


@router.post("/tokens", response_class=HTMLResponse)
def submit_token(
    request: Request,
    db: DbSession,
    actor: FormTokenOwner,
    name: Annotated[str, Form(max_length=TOKEN_NAME_MAX_LENGTH)],
) -> Response:
    """Create a token and show its secret this once."""
    _, secret = create_token(db, actor, name=name)
    return _page(request, db, actor, secret=secret)


@router.post("/tokens/{token_id}/revoke")
def submit_revoke_token(token_id: Id, db: DbSession, actor: FormTokenOwner) -> Response:
    """Revoke a token."""
    revoke_token(db, actor, token_id)
    return RedirectResponse("/account/tokens", status_code=303)


@router.get("/password", response_class=HTMLResponse)
def show_password(request: Request, actor: PageWorkspaceReader) -> Response:
    """The form to change one's own password."""
    return _password_page(request, error=None, ended=None, status_code=200)


@router.post("/password", response_class=HTMLResponse)
def submit_password(
    request: Request,
    db: DbSession,
    actor: FormWorkspaceReader,
    current_password: Annotated[str, Form(max_length=PASSWORD_MAX_LENGTH)],
    new_password: Annotated[str, Form(max_length=PASSWORD_MAX_LENGTH)],
    new_password_again: Annotated[str, Form(max_length=PASSWORD_MAX_LENGTH)],
) -> Response:
    """Change one's own password; this session stays, the others end. A wrong current password counts as a
    failed sign-in, and is shown on the form (not raised) so that the record of it commits."""
    if new_password != new_password_again:
        error = translate(locale_of(request), "password.mismatch")
        return _password_page(request, error=error, ended=None, status_code=422)
    try:
        change = change_own_password(
            db,
            actor,
            current=current_password,
            new=new_password,
            security=app_context(request).workspace.config.security,
            keep_session=request.state.web_session,
        )
    except (WrongPasswordError, RateLimitedError) as exc:
        return _password_page(request, error=exc.localized(locale_of(request)), ended=None, status_code=exc.status)
    return _password_page(request, error=None, ended=change.sessions_ended, status_code=200)


def _password_page(request: Request, *, error: str | None, ended: int | None, status_code: int) -> Response:
    min_length = app_context(request).workspace.config.security.password_min_length
    context = {"error": error, "ended": ended, "min_length": min_length}
    return render(request, "password.html", context, status_code=status_code)


def _page(request: Request, db: DbSession, actor: Actor, *, secret: str | None) -> Response:
    tokens = [token_as_dict(t) for t in list_tokens(db, actor)]
    return render(request, "tokens.html", {"tokens": tokens, "secret": secret})
