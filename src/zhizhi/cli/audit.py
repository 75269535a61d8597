"""`zhizhi audit`: read and verify the audit trail."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

import typer

from zhizhi.access import audit
from zhizhi.cli.common import JsonOption, Table, console, emit, operator, transaction
from zhizhi.store.types import local_text

app = typer.Typer(help="The audit trail: who did what, when, from where, and why.", no_args_is_help=True)


@app.command("verify")
def verify(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Check the hash chain; exits 1 and names the first edited, deleted or reordered event."""
    with transaction(ctx) as (_, session):
        report = audit.verify(session)

    def show() -> None:
        if report.ok:
            console.print(f"Audit trail intact: {report.events} events, head {report.head_hash}.")
        else:
            console.print(
                f"[red]Audit trail broken at event {report.first_bad_seq}[/]: {report.problem}. "
                f"The {report.events} events before it are intact."
            )

    emit(asdict(report), as_json, show)
    if not report.ok:
        raise typer.Exit(1)


@app.command("list")
def list_command(
    ctx: typer.Context,
    actor: str | None = typer.Option(None, "--actor", help="Only events by this actor (username)."),
    action: str | None = typer.Option(None, "--action", help="Only this action, e.g. login.failed."),
    object_id: str | None = typer.Option(None, "--object", help="Only events about this object."),
    since: datetime | None = typer.Option(None, "--since", help="From this time (Beijing time unless given)."),
    until: datetime | None = typer.Option(None, "--until", help="Before this time."),
    limit: int = typer.Option(50, "--limit", min=1, max=1000, help="At most this many, newest first."),
    as_json: bool = JsonOption,
) -> None:
    """List audit events, newest first."""
    query = audit.AuditFilter(actor=actor, action=action, object_id=object_id, since=since, until=until, limit=limit)
    with transaction(ctx) as (_, session):
        events = audit.list_events(session, operator(), query)
        rows = [audit.event_as_dict(e) for e in events]
        times = [local_text(e.at) for e in events]

    def show() -> None:
        table = Table("seq", "time", "actor", "from", "action", "object", "purpose")
        for row, at in zip(rows, times, strict=True):
            table.add_row(
                str(row["seq"]),
                at,
                row["actor"],
                row["ip"] or "",
                row["action"],
                f"{row['object_type'] or ''} {row['object_id'] or ''}".strip(),
                row["purpose"] or "",
            )
        console.print(table)

    emit(rows, as_json, show)
