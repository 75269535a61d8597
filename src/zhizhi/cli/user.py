"""`zhizhi user`: people, their departments and roles."""

from __future__ import annotations

import sys

import typer

from zhizhi.access import create_user, list_users, set_active, set_password, unlock, user_as_dict
from zhizhi.cli.common import JsonOption, Table, console, emit, operator, transaction
from zhizhi.errors import InputError

app = typer.Typer(help="Users: add, list, disable, enable, unlock, set passwords.", no_args_is_help=True)
PasswordStdin = typer.Option(False, "--password-stdin", help="Read the password from standard input (for scripts).")


@app.command("add")
def add(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="Login name: letters, digits, _ . -"),
    department: str = typer.Option(..., "--department", "-d", help="Department code (see `zhizhi dept list`)."),
    role: list[str] = typer.Option(
        ..., "--role", "-r", help="admin, steward, handler, leader or auditor; repeat for several."
    ),
    name: str = typer.Option("", "--name", help="The person's name as shown in the UI."),
    phone: str | None = typer.Option(None, "--phone", help="Mobile number (personal data: masked in the UI)."),
    password_stdin: bool = PasswordStdin,
) -> None:
    """Add a user; asks for the password unless --password-stdin."""
    password = _read_password(password_stdin)
    with transaction(ctx) as (workspace, session):
        user = create_user(
            session,
            operator(),
            username=username,
            display_name=name,
            department_code=department,
            roles=role,
            password=password,
            phone=phone,
            password_min_length=workspace.config.security.password_min_length,
        )
    console.print(f"Added user {user.username} ({', '.join(user.role_names)}) to {user.department.name}.")


@app.command("list")
def list_command(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """List users with their department, roles and status."""
    with transaction(ctx) as (_, session):
        rows = [user_as_dict(u) for u in list_users(session, operator())]

    def show() -> None:
        table = Table("username", "name", "department", "roles", "active")
        for row in rows:
            table.add_row(
                row["username"],
                row["display_name"],
                row["department"]["name"],
                ", ".join(row["roles"]),
                "yes" if row["is_active"] else "no",
            )
        console.print(table)

    emit(rows, as_json, show)


@app.command("disable")
def disable(ctx: typer.Context, username: str = typer.Argument(..., help="Login name.")) -> None:
    """Disable a user: sign-in, sessions and API tokens are refused from now on."""
    with transaction(ctx) as (_, session):
        set_active(session, operator(), username, active=False)
    console.print(f"Disabled {username}.")


@app.command("enable")
def enable(ctx: typer.Context, username: str = typer.Argument(..., help="Login name.")) -> None:
    """Enable a disabled user again."""
    with transaction(ctx) as (_, session):
        set_active(session, operator(), username, active=True)
    console.print(f"Enabled {username}.")


@app.command("unlock")
def unlock_command(ctx: typer.Context, username: str = typer.Argument(..., help="Login name.")) -> None:
    """Forget a user's failed sign-ins, so a locked-out user may sign in at once."""
    with transaction(ctx) as (_, session):
        forgotten = unlock(session, operator(), username)
    console.print(f"Unlocked {username} ({forgotten} failed sign-ins forgotten).")


@app.command("password")
def password(
    ctx: typer.Context, username: str = typer.Argument(..., help="Login name."), password_stdin: bool = PasswordStdin
) -> None:
    """Reset a user's password: their sessions end and their API tokens are revoked."""
    secret = _read_password(password_stdin)
    with transaction(ctx) as (workspace, session):
        change = set_password(
            session, operator(), username, secret, min_length=workspace.config.security.password_min_length
        )
    console.print(
        f"Password of {username} changed; {change.sessions_ended} session(s) ended, "
        f"{change.tokens_revoked} API token(s) revoked."
    )


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        secret = sys.stdin.readline().rstrip("\r\n")
    else:
        secret = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not secret:
        raise InputError(
            "Empty password. Type one, or pipe it in with --password-stdin.",
            zh="密码为空。请输入密码，或用 --password-stdin 从管道传入。",
        )
    return str(secret)
