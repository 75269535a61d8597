"""`zhizhi targets`: the platforms records are delivered to, and what each is owed."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from zhizhi.cli.common import JsonOption, console, emit, operator, transaction
from zhizhi.delivery import load_targets
from zhizhi.delivery.outbox import STATUSES, delivery_counts
from zhizhi.delivery.send import send_once

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


@app.command("send")
def send(
    ctx: typer.Context,
    names: list[str] = typer.Argument(None, help="Targets to send to; none for every target."),  # noqa: B008
    batches: int = typer.Option(100, "--batches", min=1, max=100_000, help="At most this many batches per target."),
    as_json: bool = JsonOption,
) -> None:
    """Send what is due to each target, batch after batch, until nothing is due (each batch its own transaction)."""
    totals: dict[str, dict[str, int]] = {}
    with transaction(ctx) as (workspace, _):
        chosen = [t for t in load_targets(workspace.root) if not names or t.name in names]
    for target in chosen:
        done: dict[str, int] = {}
        for _ in range(batches):
            with transaction(ctx) as (_, session):
                report = send_once(session, target)
            for state, count in report.states.items():
                done[state] = done.get(state, 0) + count
            if report.claimed == 0:
                break
        totals[target.name] = done

    def show() -> None:
        for name, done in totals.items():
            figures = ", ".join(f"{state} {count:,}" for state, count in sorted(done.items())) or "nothing due"
            console.print(f"{name}: {figures}")

    emit(totals, as_json, show)
