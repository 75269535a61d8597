"""`zhizhi token`: API tokens for machine clients."""

from __future__ import annotations

import typer

from zhizhi.access import create_token, list_tokens, revoke_token, token_as_dict
from zhizhi.cli.common import JsonOption, Table, console, emit, id_argument, operator, transaction
from zhizhi.store.types import local_text_of

app = typer.Typer(help="API tokens for scripts and other systems.", no_args_is_help=True)


@app.command("create")
def create(
    ctx: typer.Context,
    user: str = typer.Option(..., "--user", "-u", help="The user the token acts as."),
    name: str = typer.Option(..., "--name", help="What the token is for, e.g. `province-sync`."),
    as_json: bool = JsonOption,
) -> None:
    """Create a token; its secret is printed once and never stored."""
    with transaction(ctx) as (_, session):
        token, secret = create_token(session, operator(), name=name, username=user)
        result = {**token_as_dict(token), "secret": secret}
    emit(
        result,
        as_json,
        lambda: console.print(f"Token {token.id} for {user}. Copy it now, it is not shown again:\n{secret}"),
    )


@app.command("list")
def list_command(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """List tokens (never their secrets)."""
    with transaction(ctx) as (_, session):
        rows = [token_as_dict(t) for t in list_tokens(session, operator())]

    def show() -> None:
        table = Table("id", "user", "name", "prefix", "created", "last used", "revoked")
        for row in rows:
            table.add_row(
                str(row["id"]),
                row["user"],
                row["name"],
                row["prefix"],
                local_text_of(row["created_at"]),
                local_text_of(row["last_used_at"]),
                "yes" if row["revoked"] else "",
            )
        console.print(table)

    emit(rows, as_json, show)


@app.command("revoke")
def revoke(ctx: typer.Context, token_id: int = id_argument(help="Token id (see `zhizhi token list`).")) -> None:
    """Revoke a token: it is refused from now on."""
    with transaction(ctx) as (_, session):
        revoke_token(session, operator(), token_id)
    console.print(f"Revoked token {token_id}.")
