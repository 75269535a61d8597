"""`zhizhi reconcile`: did our data get there? What each source brought in, and what each target made of it."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import typer
from rich.markup import escape

from zhizhi.cli.common import JsonOption, OffsetOption, console, emit, operator, output_file, transaction
from zhizhi.cli.table import Table
from zhizhi.delivery import load_targets
from zhizhi.delivery.drilldown import FIGURES, all_deliveries, list_deliveries
from zhizhi.delivery.figures import OUTCOME_FIGURES as OUTCOME
from zhizhi.delivery.figures import Intake, Outcome, ReconcileFilter, Reconciliation
from zhizhi.delivery.reconcile import reconcile
from zhizhi.delivery.reconcile_export import write_reconciliation_xlsx
from zhizhi.store.types import local_text_of

app = typer.Typer(
    help="Reconciliation: rows produced and accepted; deliveries owed, delivered (reached the platform), "
    "acknowledged, rejected, pending, withheld.",
    invoke_without_command=True,
)
TargetOption = typer.Option(None, "--target", "-t", help="Only this target.")
SourceOption = typer.Option(None, "--source", "-s", help="Only this source.")
DepartmentOption = typer.Option(None, "--department", "-d", help="Only this department's batches (its code).")
PeriodOption = typer.Option(
    None, "--period", "-p", help="When the batches were stored: 2021, 2021-07, 2021-07-15 or FROM..TO (Beijing time)."
)
INTAKE = ("produced", "accepted", "quarantined", "skipped")


@app.callback()
def summary(
    ctx: typer.Context,
    target: str | None = TargetOption,
    source: str | None = SourceOption,
    department: str | None = DepartmentOption,
    period: str | None = PeriodOption,
    xlsx: Path | None = typer.Option(
        None, "--xlsx", dir_okay=False, help="Also write the figures and their deliveries to this workbook (.xlsx)."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Per department, source and target: rows produced, accepted, quarantined, skipped; deliveries owed,
    delivered (reached the platform), acknowledged, rejected (by the platform), sent, pending, withheld (not sent:
    a code awaits a decision), dead, unknown."""
    if ctx.invoked_subcommand is not None:
        return
    if xlsx is not None and xlsx.suffix.lower() != ".xlsx":
        raise typer.BadParameter(f"`{xlsx.name}` must end in .xlsx", param_hint="--xlsx")
    chosen = ReconcileFilter.of(target=target, source=source, department=department, period=period)
    with ExitStack() as stack:
        workbook = stack.enter_context(output_file(xlsx)) if xlsx is not None else None
        workspace, session = stack.enter_context(transaction(ctx))
        targets = load_targets(workspace.root)
        result = reconcile(session, operator(), chosen, targets=targets)
        if workbook is not None:
            write_reconciliation_xlsx(result, all_deliveries(session, operator(), chosen, targets=targets), workbook)
    emit(result.as_dict(), as_json, lambda: _show(result, xlsx))


@app.command("deliveries")
def deliveries(
    ctx: typer.Context,
    target: str | None = TargetOption,
    source: str | None = SourceOption,
    department: str | None = DepartmentOption,
    period: str | None = PeriodOption,
    status: str = typer.Option("owed", "--status", help=f"The figure: {', '.join(FIGURES)}."),
    limit: int = typer.Option(100, "--limit", min=1, max=100_000),
    offset: int = OffsetOption,
    as_json: bool = JsonOption,
) -> None:
    """The deliveries behind a figure: each record, the file, sheet and row it came from, what the platform said
    (for one withheld, the review item whose decision releases it)."""
    chosen = ReconcileFilter.of(target=target, source=source, department=department, period=period)
    with transaction(ctx) as (workspace, session):
        targets = load_targets(workspace.root)
        rows = list_deliveries(session, operator(), chosen, targets=targets, status=status, limit=limit, offset=offset)

    def show() -> None:
        table = Table("id", "target", "status", "record", "name", "source", "file", "row", "reason", "acknowledged")
        for row in rows:
            where = f"{row['sheet']} #{row['row']}" if row["sheet"] else f"#{row['row']}"
            reason = row["last_error"] or ""
            if row["review_item_id"]:
                reason += f" (zhizhi codes review decide {row['review_item_id']} ...)"
            table.add_row(
                str(row["id"]),
                row["target"],
                row["status"],
                escape(row["record_key"]),
                escape(row["name"] or ""),
                row["source"],
                escape(row["file"]),
                escape(where),
                escape(reason),
                local_text_of(row["acknowledged_at"]),
            )
        console.print(table)

    emit(rows, as_json, show)


def _show(result: Reconciliation, xlsx: Path | None) -> None:
    period = result.period
    title = f"Reconciliation {period.text} ({period.first} – {period.last})" if period else "Reconciliation"
    table = Table("department", "source", "target", *INTAKE, *OUTCOME, title=title)
    for part in result.parts:
        shown: set[str] = set()
        for line in part.lines:
            first = line.source not in shown
            shown.add(line.source)
            table.add_row(
                escape(f"{line.department} {line.department_name}"),
                line.source,
                line.target or "-",
                *_intake(line.intake if first else None),
                *_outcome(line.deliveries if line.target else None),
            )
    table.add_section()
    table.add_row("total", "", "", *_intake(result.intake), *_outcome(result.deliveries))
    console.print(table)
    if xlsx is not None:
        console.print(f"Wrote the figures and their deliveries to {escape(str(xlsx))}.")


def _intake(intake: Intake | None) -> list[str]:
    counts = intake.as_dict() if intake else {}
    return [f"{counts[key]:,}" if key in counts else "" for key in INTAKE]


def _outcome(outcome: Outcome | None) -> list[str]:
    counts = outcome.as_dict() if outcome else {}
    return [f"{counts[key]:,}" if key in counts else "" for key in OUTCOME]
