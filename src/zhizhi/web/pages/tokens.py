"""The signed-in user's API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from zhizhi.access import Actor, create_token, list_tokens, revoke_token, token_as_dict
from zhizhi.access.tokens import TOKEN_NAME_MAX_LENGTH
from zhizhi.web.deps import DbSession, FormGuard, Id, PageGuard
from zhizhi.web.templating import render

router = APIRouter(prefix="/account")


@router.get("/tokens", response_class=HTMLResponse)
def show_tokens(request: Request, db: DbSession, actor: Annotated[Actor, Depends(PageGuard("tokens.own"))]) -> Response:
    """The user's tokens and the form to create one."""
    return _page(request, db, actor, secret=None)


@router.post("/tokens", response_class=HTMLResponse)
def submit_token(
    request: Request,
    db: DbSession,
    actor: Annotated[Actor, Depends(FormGuard("tokens.own"))],
    name: Annotated[str, Form(max_length=TOKEN_NAME_MAX_LENGTH)],
) -> Response:
    """Create a token and show its secret this once."""
    _, secret = create_token(db, actor, name=name)
    return _page(request, db, actor, secret=secret)


@router.post("/tokens/{token_id}/revoke")
def submit_revoke_token(
    token_id: Id, db: DbSession, actor: Annotated[Actor, Depends(FormGuard("tokens.own"))]
) -> Response:
    """Revoke a token."""
    revoke_token(db, actor, token_id)
    return RedirectResponse("/account/tokens", status_code=303)


def _page(request: Request, db: DbSession, actor: Actor, *, secret: str | None) -> Response:
    tokens = [token_as_dict(t) for t in list_tokens(db, actor)]
    return render(request, "tokens.html", {"tokens": tokens, "secret": secret})
