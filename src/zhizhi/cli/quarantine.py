"""`zhizhi quarantine`: rows held back, why, and putting them right."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from zhizhi.cli.common import (
    JsonOption,
    OffsetOption,
    Table,
    console,
    emit,
    id_argument,
    id_option,
    operator,
    output_file,
    reading,
    transaction,
    workspace_of,
)
from zhizhi.delivery.outbox import Outbox
from zhizhi.ingest.quarantine import fix_item, get_item, list_items, replay
from zhizhi.sources import load_source

app = typer.Typer(help="Quarantine: rows with hard findings, to fix and replay.", no_args_is_help=True)
BatchOption = id_option("--batch", "-b", help="Only this batch.")
ItemId = id_argument(help="Item id (see `zhizhi quarantine list`).")


@app.command("list")
def list_command(
    ctx: typer.Context,
    source: str | None = typer.Option(None, "--source", "-s", help="Only this source."),
    batch: int | None = BatchOption,
    reason: str | None = typer.Option(None, "--reason", "-r", help="Only rows with this reason code."),
    status: str = typer.Option("open", "--status", help="open, replayed, superseded, or all."),
    limit: int = typer.Option(50, "--limit", min=1, max=100_000),
    offset: int = OffsetOption,
    as_json: bool = JsonOption,
) -> None:
    """List quarantined rows with the file, sheet and row a person finds them at, and why."""
    with reading(ctx) as (_, session):
        rows = list_items(
            session,
            operator(),
            source=source,
            batch_id=batch,
            reason=reason,
            status=None if status == "all" else status,
            limit=limit,
            offset=offset,
        )

    def show() -> None:
        table = Table("id", "source", "file", "sheet", "row", "status", "problem")
        for row in rows:
            table.add_row(
                str(row["id"]),
                row["source"],
                row["file"],
                row["sheet"] or "",
                str(row["row"]),
                row["status"],
                "; ".join(f["message_zh"] for f in row["findings"] if f["severity"] == "hard")[:160],
            )
        console.print(table)

    emit(rows, as_json, show)


@app.command("show")
def show(
    ctx: typer.Context,
    item_id: int = ItemId,
    as_json: bool = JsonOption,
) -> None:
    """One quarantined row: where it is, its cells as read, the findings and any fixes."""
    with transaction(ctx) as (_, session):
        item = get_item(session, operator(), item_id)
    emit(item, as_json, lambda: _show(item))


def _show(item: dict[str, Any]) -> None:
    sheet = f", sheet {item['sheet']}" if item["sheet"] else ""
    console.print(
        f"Item [bold]{item['id']}[/] ({item['status']}): source {item['source']}, "
        f"file `{item['file']}`{sheet}, row {item['row']} (batch {item['batch_id']})"
    )
    findings = Table("severity", "reason", "field", "column", "value", "message")
    for found in item["findings"]:
        findings.add_row(
            found["severity"],
            found["code"],
            found["field"] or "",
            found["column"] or "",
            str(found["value"] or "")[:60],
            found["message_zh"],
        )
    console.print(findings)
    cells = Table("column", "as read", "fixed to")
    for column, value in item["cells"].items():
        cells.add_row(column, str(value)[:80], item["fixes"].get(column, ""))
    console.print(cells)


@app.command("fix")
def fix(
    ctx: typer.Context,
    item_id: int = ItemId,
    field: str = typer.Option(..., "--field", "-f", help="The source's field (e.g. uscc) or the column header."),
    value: str = typer.Option(..., "--value", "-v", help="The corrected value."),
    as_json: bool = JsonOption,
) -> None:
    """Correct one value of a quarantined row (the raw row stays as read; the fix is audited). Replay next."""
    workspace = workspace_of(ctx)
    with transaction(ctx) as (_, session):
        source = load_source(workspace.root, get_item(session, operator(), item_id)["source"])
        item = fix_item(session, operator(), item_id, field, value, source=source)
    emit(
        item,
        as_json,
        lambda: console.print(f"Item {item_id}: fixed. Run `zhizhi quarantine replay {item_id}` to try it again."),
    )


@app.command("replay")
def replay_command(
    ctx: typer.Context,
    item_ids: list[int] = id_argument(None, help="Item ids; none to replay every open item matching the filters."),
    source: str | None = typer.Option(None, "--source", "-s", help="Only this source."),
    batch: int | None = BatchOption,
    reason: str | None = typer.Option(None, "--reason", "-r", help="Only rows with this reason code."),
    as_json: bool = JsonOption,
) -> None:
    """Run open items through their source's current mapping and checks again; passing rows become records."""
    if not item_ids and not (source or batch or reason):
        raise typer.BadParameter("Name item ids, or choose rows with --source, --batch or --reason.")
    workspace = workspace_of(ctx)
    if source:
        load_source(workspace.root, source)  # a name mistyped: said, not "Replayed 0"
    with transaction(ctx) as (_, session):
        result = replay(
            session,
            operator(),
            lambda name: load_source(workspace.root, name),
            item_ids=item_ids or None,
            source=source,
            batch_id=batch,
            reason=reason,
            outbox=Outbox.of(workspace.root),
        )
    emit(
        result,
        as_json,
        lambda: console.print(
            f"Replayed {result['items']}: {result['replayed']} accepted, "
            f"{result['superseded']} superseded (a later file brought the record since: not written), "
            f"{result['still_quarantined']} still quarantined."
        ),
    )


@app.command("export")
def export_command(
    ctx: typer.Context,
    output: Path = typer.Option(..., "--output", "-o", dir_okay=False, help="The workbook to write (.xlsx)."),
    source: str | None = typer.Option(None, "--source", "-s", help="Only this source."),
    batch: int | None = BatchOption,
    reason: str | None = typer.Option(None, "--reason", "-r", help="Only rows with this reason code."),
    status: str = typer.Option("open", "--status", help="open, replayed, superseded, or all."),
    as_json: bool = JsonOption,
) -> None:
    """Write quarantined rows to an Excel workbook: where each is, why, its cells; no text becomes a formula."""
    from rich.markup import escape

    from zhizhi.ingest.export import all_items, write_quarantine_xlsx

    if output.suffix.lower() != ".xlsx":
        raise typer.BadParameter(f"`{output.name}` must end in .xlsx", param_hint="--output")
    with output_file(output) as workbook, transaction(ctx) as (_, session):
        items = all_items(
            session,
            operator(),
            source=source,
            batch_id=batch,
            reason=reason,
            status=None if status == "all" else status,
        )
        written = write_quarantine_xlsx(items, workbook)
    data = {"output": str(output), "items": written}
    emit(data, as_json, lambda: console.print(f"Wrote {written} quarantined rows to {escape(str(output))}."))
