"""`zhizhi codes review`: codes seen in data with no single translation, decided once by a data steward."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from zhizhi.cli.common import JsonOption, console, emit, operator, transaction
from zhizhi.codes import (
    decide,
    decision_as_dict,
    export_decisions,
    get_code_list,
    item_as_dict,
    list_decisions,
    list_review_items,
)

app = typer.Typer(
    help="The review queue: codes with no single translation, decided once and reused after.", no_args_is_help=True
)


@app.command("list")
def list_command(
    ctx: typer.Context,
    all_items: bool = typer.Option(False, "--all", help="Decided items too, not only those waiting."),
    from_list: str | None = typer.Option(None, "--from", help="Only items translating from this list."),
    to_list: str | None = typer.Option(None, "--to", help="Only items translating to this list."),
    as_json: bool = JsonOption,
) -> None:
    """List the codes waiting for a decision, those affecting most rows first."""
    with transaction(ctx) as (_, session):
        status = None if all_items else "open"
        items = [
            item_as_dict(i) for i in list_review_items(session, status=status, from_list=from_list, to_list=to_list)
        ]

    def show() -> None:
        if not items:
            console.print("Nothing waits for review." if not all_items else "The review queue is empty.")
            return
        for lists in dict.fromkeys((i["from_list"], i["to_list"]) for i in items):
            table = Table("id", "code", "context", "kind", "candidates", "rows", "seen in", title=" -> ".join(lists))
            if all_items:
                table.add_column("status")
            for item in (i for i in items if (i["from_list"], i["to_list"]) == lists):
                table.add_row(
                    str(item["id"]),
                    escape(item["code"]),
                    escape(", ".join(f"{k}={v}" for k, v in item["context"].items())),
                    item["kind"],
                    escape(", ".join(item["candidates"])),
                    f"{item['rows_affected']:,}",
                    escape(item["seen_in"]),
                    *([item["status"]] if all_items else []),
                )
            console.print(table)

    emit(items, as_json, show)


@app.command("decide")
def decide_command(
    ctx: typer.Context,
    item_id: int = typer.Argument(..., help="The item's id, from `zhizhi codes review list`."),
    to_code: str | None = typer.Option(None, "--to-code", help="The code of the to-list the code stands for."),
    no_equivalent: bool = typer.Option(False, "--no-equivalent", help="The to-list has no equivalent code."),
    reason: str = typer.Option(..., "--reason", help="Why: kept with the decision and in the audit trail."),
    as_json: bool = JsonOption,
) -> None:
    """Decide a queued code: the code it translates to, or that there is none; reused from then on."""
    if (to_code is None) != no_equivalent:
        raise typer.BadParameter("give --to-code CODE or --no-equivalent (one of them)")
    with transaction(ctx) as (_, session):
        data = decision_as_dict(decide(session, operator(), item_id, to_code=to_code, reason=reason))

    def show() -> None:
        context = "".join(f" with {k}={v}" for k, v in data["context"].items())
        answer = f"-> {data['to_code']}" if data["to_code"] else "has no equivalent"
        console.print(
            f"Decided: {data['from_list']} {escape(data['code'])}{escape(context)} {answer} in {data['to_list']}. "
            "Every translation uses it from now on."
        )

    emit(data, as_json, show)


@app.command("export")
def export_command(
    ctx: typer.Context,
    from_list: str = typer.Option(..., "--from", help="The list the decided codes are in."),
    to_list: str = typer.Option(..., "--to", help="The list they were decided into."),
    output: Path = typer.Option(..., "--output", "-o", dir_okay=False, help="The crosswalk file to write (.csv)."),
    as_json: bool = JsonOption,
) -> None:
    """Write the decisions between two lists as a crosswalk file that `zhizhi codes import --crosswalk` takes."""
    with transaction(ctx) as (_, session):
        get_code_list(session, from_list), get_code_list(session, to_list)
        decisions = len(list_decisions(session, from_list, to_list))
        written = export_decisions(session, from_list, to_list, output)
    data = {"from_list": from_list, "to_list": to_list, "output": str(output), "pairs": written}
    data["no_equivalent"] = decisions - written

    def show() -> None:
        skipped = (
            f" ({data['no_equivalent']} with no equivalent are not crosswalk rows)" if data["no_equivalent"] else ""
        )
        console.print(f"Wrote {written} decided pairs to {escape(str(output))}{skipped}.")

    emit(data, as_json, show)
