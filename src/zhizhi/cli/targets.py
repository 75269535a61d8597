"""`zhizhi targets`: the platforms records are delivered to, and what each is owed."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from zhizhi.cli.common import JsonOption, console, emit, operator, transaction
from zhizhi.delivery import load_targets
from zhizhi.delivery.outbox import STATUSES, delivery_counts

app = typer.Typer(help="Targets: the platforms records are delivered to.", no_args_is_help=True)


@app.command("list")
def list_command(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """The workspace's target files, with their deliveries by status."""
    with transaction(ctx) as (workspace, session):
        targets = load_targets(workspace.root)
        counts = delivery_counts(session, operator())
    rows: list[dict[str, Any]] = [
        {
            "name": t.name,
            "title": t.title,
            "owner": t.owner,
            "record_types": t.record_types,
            "transport": t.transport.kind,
            "deliveries": counts.get(t.name, dict.fromkeys(STATUSES, 0)),
        }
        for t in targets
    ]

    def show() -> None:
        table = Table("name", "title", "owner", "record types", "transport", *STATUSES)
        for row in rows:
            table.add_row(
                row["name"],
                row["title"] or "",
                row["owner"],
                ", ".join(row["record_types"]),
                row["transport"],
                *(f"{row['deliveries'][s]:,}" for s in STATUSES),
            )
        console.print(table)

    emit(rows, as_json, show)
