"""`zhizhi db`: the store's schema."""

from __future__ import annotations

import typer

from zhizhi.cli.common import JsonOption, console, emit, open_engine, workspace_of
from zhizhi.store import current_revision, display_url, head_revision, upgrade

app = typer.Typer(help="The database: migrate it and see its schema revision.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_command(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Migrate the database to this version's schema (safe to run again)."""
    workspace = workspace_of(ctx)
    engine = open_engine(workspace, check=False)
    before = current_revision(engine)
    after = upgrade(engine)
    result = {"database": display_url(workspace.database_url), "from": before, "to": after}
    engine.dispose()
    emit(result, as_json, lambda: console.print(f"Database at schema {after} (was {before or 'empty'})."))


@app.command("current")
def current_command(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Show the database's schema revision and the one this version needs."""
    workspace = workspace_of(ctx)
    engine = open_engine(workspace, check=False)
    current, head = current_revision(engine), head_revision()
    engine.dispose()
    result = {
        "database": display_url(workspace.database_url),
        "current": current,
        "head": head,
        "up_to_date": current == head,
    }
    emit(
        result,
        as_json,
        lambda: console.print(
            f"{result['database']}: schema {result['current'] or 'none'}, this version needs {result['head']}."
        ),
    )
