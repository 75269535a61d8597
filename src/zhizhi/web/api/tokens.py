"""API tokens: the caller's own; the secret is returned once, at creation."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from zhizhi.access import create_token, list_tokens, revoke_token, token_as_dict
from zhizhi.access.tokens import TOKEN_NAME_MAX_LENGTH
from zhizhi.web.deps import ApiTokenOwner, DbSession, Id

router = APIRouter(prefix="/tokens", tags=["tokens"])


class NewToken(BaseModel):
    name: str = Field(max_length=TOKEN_NAME_MAX_LENGTH)


@router.get("")
def read_tokens(db: DbSession, actor: ApiTokenOwner) -> list[dict[str, Any]]:
    """The caller's tokens, without their secrets."""
    return [token_as_dict(t) for t in list_tokens(db, actor)]


@router.post("", status_code=201)
def add_token(body: NewToken, db: DbSession, actor: ApiTokenOwner) -> dict[str, Any]:
    """Create a token; `secret` is in this answer only."""
    token, secret = create_token(db, actor, name=body.name)
    return {**token_as_dict(token), "secret": secret}


@router.delete("/{token_id}")
def delete_token(token_id: Id, db: DbSession, actor: ApiTokenOwner) -> dict[str, Any]:
    """Revoke a token; it is refused from then on."""
    return token_as_dict(revoke_token(db, actor, token_id))
