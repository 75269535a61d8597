"""`zhizhi records`: the records sources produced, and the history of each."""

from __future__ import annotations

import typer

from zhizhi.cli.common import JsonOption, OffsetOption, Table, console, emit, id_argument, operator, transaction
from zhizhi.records.history import find_records, record_history
from zhizhi.store.types import local_text_of

app = typer.Typer(help="Records and their versions.", no_args_is_help=True)


@app.command("list")
def list_command(
    ctx: typer.Context,
    source: str | None = typer.Option(None, "--source", "-s", help="Only this source."),
    record_type: str | None = typer.Option(None, "--type", "-t", help="Only this record type."),
    key: str | None = typer.Option(None, "--key", "-k", help="Part of the key, e.g. a credit code."),
    limit: int = typer.Option(50, "--limit", min=1, max=100_000),
    offset: int = OffsetOption,
    as_json: bool = JsonOption,
) -> None:
    """List records (latest version) by source, type or key."""
    with transaction(ctx) as (_, session):
        rows = find_records(
            session, operator(), source=source, record_type=record_type, key=key, limit=limit, offset=offset
        )

    def show() -> None:
        table = Table("id", "type", "source", "key", "version", "updated")
        for row in rows:
            table.add_row(
                str(row["id"]),
                row["record_type"],
                row["source"],
                row["key"],
                str(row["version"]),
                local_text_of(row["updated_at"]),
            )
        console.print(table)

    emit(rows, as_json, show)


@app.command("history")
def history(
    ctx: typer.Context,
    record_id: int = id_argument(help="Record id (see `zhizhi records list`)."),
    as_json: bool = JsonOption,
) -> None:
    """Every version of a record, oldest first: what changed, from which file, sheet and row."""
    with transaction(ctx) as (_, session):
        data = record_history(session, operator(), record_id)

    def show() -> None:
        console.print(f"Record [bold]{data['id']}[/] {data['record_type']} {data['key']} ({data['source']})")
        previous: dict[str, object] = {}
        for version in data["versions"]:
            sheet = f" sheet {version['sheet']}" if version["sheet"] else ""
            console.print(
                f"v{version['version']} from `{version['file']}`{sheet} row {version['row']} "
                f"(batch {version['batch_id']}, {version['created_at']})"
            )
            for name, value in version["data"].items():
                if previous.get(name) != value and value is not None:
                    console.print(f"  {name}: {previous.get(name)!s} -> {value}" if previous else f"  {name}: {value}")
            previous = version["data"]

    emit(data, as_json, show)
