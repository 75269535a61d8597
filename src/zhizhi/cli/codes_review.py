"""`zhizhi codes review`: codes seen in data with no single translation, decided once by a data steward."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from zhizhi.cli.common import JsonOption, OffsetOption, console, emit, id_argument, operator, output_file, transaction
from zhizhi.cli.table import Table
from zhizhi.codes import export_decisions, get_code_list
from zhizhi.delivery.holds import decide_code, release, review_queue
from zhizhi.i18n import cli_locale, translate

app = typer.Typer(
    help="The review queue: codes with no single translation, decided once and reused after.", no_args_is_help=True
)


@app.command("list")
def list_command(
    ctx: typer.Context,
    all_items: bool = typer.Option(False, "--all", help="Decided items too, not only those waiting."),
    from_list: str = typer.Option("", "--from", help="Only items translating from this list."),
    to_list: str = typer.Option("", "--to", help="Only items translating to this list."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000, help="At most this many items."),
    offset: int = OffsetOption,
    as_json: bool = JsonOption,
) -> None:
    """List the codes waiting for a decision, those whose decision releases the most held deliveries first, then
    those affecting the most rows."""
    with transaction(ctx) as (_, session):
        for name in (from_list, to_list):
            if name:  # an unknown list is named, not taken for an empty queue
                get_code_list(session, name)
        status = None if all_items else "open"
        queue = review_queue(
            session, operator(), status=status, from_list=from_list, to_list=to_list, limit=limit, offset=offset
        )
    items = queue["items"]

    def show() -> None:
        if not items:
            console.print("Nothing waits for review." if not all_items else "The review queue is empty.")
            return
        label = "label_zh" if cli_locale() == "zh-CN" else "label"
        table = Table("id", "code", "lists", "when", "kind", "candidates", "releases", "rows", "seen in")
        if all_items:
            table.add_column("status")
        for item in items:
            held = item["held"]
            table.add_row(
                str(item["id"]),
                escape(f"{item['code']} {item['name']}"),
                escape(f"{item['from_title']} -> {item['to_title']}"),
                escape("; ".join(f"{f[label]} = {f['value']}" for f in item["fields"])),
                item["kind"],
                escape(", ".join(c["code"] for c in item["candidates"])),
                f"{held['deliveries']:,} ({held['records']:,} records)" if held["deliveries"] else "",
                f"{item['rows_affected']:,}",
                escape(item["seen_in"]),
                *([item["status"]] if all_items else []),
            )
        console.print(table)
        last = offset + len(items)
        console.print(
            f"Items {offset + 1:,}-{last:,} of {queue['total']:,}, those whose decision releases the most deliveries "
            "first, then the most rows affected." + (f" Next page: --offset {last}." if last < queue["total"] else "")
        )

    emit(items, as_json, show)


@app.command("decide")
def decide_command(
    ctx: typer.Context,
    item_id: int = id_argument(help="The item's id, from `zhizhi codes review list`."),
    to_code: str | None = typer.Option(None, "--to-code", help="The code of the to-list the code stands for."),
    no_equivalent: bool = typer.Option(False, "--no-equivalent", help="The to-list has no equivalent code."),
    reason: str = typer.Option(..., "--reason", help="Why: kept with the decision and in the audit trail."),
    as_json: bool = JsonOption,
) -> None:
    """Decide a queued code: the code it translates to, or that there is none; reused from then on. The deliveries
    the code held back are sent again with the next batch, and the command says how many."""
    if (to_code is None) != no_equivalent:
        raise typer.BadParameter("give --to-code CODE or --no-equivalent (one of them)")
    with transaction(ctx) as (_, session):
        data = decide_code(session, operator(), item_id, to_code=to_code, reason=reason).as_dict()

    def show() -> None:
        context = "".join(f" with {k}={v}" for k, v in data["context"].items())
        answer = f"-> {data['to_code']}" if data["to_code"] else "has no equivalent"
        console.print(
            f"Decided: {data['from_list']} {escape(data['code'])}{escape(context)} {answer} in {data['to_list']}. "
            "Every translation uses it from now on."
        )
        _say_released(data["released"], data["superseded"], none=not data["to_code"])

    emit(data, as_json, show)


@app.command("release")
def release_command(
    ctx: typer.Context,
    item_id: int = id_argument(help="The decided item's id, from `zhizhi codes review list --all`."),
    as_json: bool = JsonOption,
) -> None:
    """Send again the deliveries held for a decided code (deciding does this by itself; this is for one withheld
    while the decision was being made)."""
    with transaction(ctx) as (_, session):
        released = release(session, operator(), item_id)
    emit(released.as_dict(), as_json, lambda: _say_released(released.queued, released.superseded))


def _say_released(queued: int, superseded: int, *, none: bool = False) -> None:
    """How many held deliveries go again (with `none`, a decision that there is no equivalent: to end dead with the
    reason), and how many a newer version superseded, in the operator's language."""
    console.print(escape(translate(cli_locale(), "codes.released_none" if none else "codes.released_only", n=queued)))
    if superseded:
        console.print(escape(translate(cli_locale(), "codes.superseded_notice", n=superseded)))


@app.command("export")
def export_command(
    ctx: typer.Context,
    from_list: str = typer.Option(..., "--from", help="The list the decided codes are in."),
    to_list: str = typer.Option(..., "--to", help="The list they were decided into."),
    output: Path = typer.Option(..., "--output", "-o", dir_okay=False, help="The crosswalk file to write (.csv)."),
    as_json: bool = JsonOption,
) -> None:
    """Write the decisions between two lists as a crosswalk file that `zhizhi codes import --crosswalk` takes."""
    with output_file(output) as written, transaction(ctx) as (_, session):
        get_code_list(session, from_list), get_code_list(session, to_list)
        done = export_decisions(session, from_list, to_list, written)
    data: dict[str, object] = {"from_list": from_list, "to_list": to_list, "output": str(output), **done.as_dict()}

    def show() -> None:
        left = [
            f"{done.no_equivalent} 项无对应代码 with no equivalent" if done.no_equivalent else "",
            f"{done.not_codes} 项原值不是代码 on a value that is no code" if done.not_codes else "",
            f"{done.not_rules} 项针对字段为空或多个字段的记录 for records with an empty field or several fields"
            if done.not_rules else "",
        ]  # fmt: skip
        said = "; ".join(x for x in left if x)
        kept = f" — 未写入 left out, they stay decisions (a crosswalk row cannot say them): {said}" if said else ""
        console.print(f"已写入 {done.pairs} 组对照 Wrote {done.pairs} decided pairs to {escape(str(output))}{kept}.")

    emit(data, as_json, show)
