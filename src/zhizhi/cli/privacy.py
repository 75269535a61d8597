"""`zhizhi privacy`: personal data kept only as long as its record type's retention says."""

from __future__ import annotations

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from zhizhi.cli.common import JsonOption, Table, console, emit, operator, transaction, workspace_of
from zhizhi.privacy.catalogue import catalogue, catalogue_markdown
from zhizhi.privacy.retention import RetentionReport, expire

app = typer.Typer(help="Personal data: the catalogue and retention.", no_args_is_help=True)


@app.command("retain")
def retain(
    ctx: typer.Context,
    dry_run: bool = typer.Option(False, "--dry-run", help="Count what has expired; change nothing."),
    as_json: bool = JsonOption,
) -> None:
    """Erase the personal data whose retention has passed (`privacy.retention`); a ledger entry and a report."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with (
        transaction(ctx) as (workspace, session),
        Progress(*columns, console=console, transient=True, disable=as_json) as bar,
    ):
        task = bar.add_task("Retention…", total=None)

        def said(record_type: str, done: int, total: int) -> None:
            bar.update(task, description=f"Erasing {record_type}", completed=done, total=total)

        report = expire(session, operator(), workspace, dry_run=dry_run, progress=said)
    emit(report.as_dict(), as_json, lambda: _show(report))


def _show(report: RetentionReport) -> None:
    table = Table("record type", "days", "records", "versions", "raw rows", "quarantine items", "entities", "cases",
                  "visits", "photos", "files")  # fmt: skip
    for f in report.types:
        figures = (f.retention_days, f.records, f.versions, f.raw_rows, f.quarantine_items, f.entities, f.cases,
                   f.visits, f.photos, f.files)  # fmt: skip
        table.add_row(f.record_type, *(f"{n:,}" for n in figures))
    console.print(table)
    for note in report.notes:
        console.print(f"[yellow]{note}[/]")
    done = "Dry run: nothing was changed." if report.dry_run else f"Ledger entry {report.ledger_seq}."
    console.print(f"{done} Report: {report.file}")


@app.command("catalogue")
def show_catalogue(
    ctx: typer.Context,
    markdown: bool = typer.Option(False, "--markdown", help="Print the Markdown table of docs/privacy.md."),
    as_json: bool = JsonOption,
) -> None:
    """Every field of every record type (plugins too): personal or not, its category, masking and retention."""
    retention = workspace_of(ctx).config.privacy.retention
    if markdown:
        typer.echo(catalogue_markdown(retention), nl=False)
        return
    kinds = catalogue(retention)

    def show() -> None:
        table = Table("record type", "field", "kind", "category", "basis", "masked as", "days")
        for kind in kinds:
            for f in kind["fields"]:
                personal = f["category"] != "none"
                days = str(kind["retention_days"]) if personal else ""
                category = f["category"] if personal else ""
                table.add_row(
                    kind["record_type"], f["field"], f["kind"], category, f["basis"], f["masked_as"] or "", days
                )
        console.print(table)

    emit(kinds, as_json, show)
