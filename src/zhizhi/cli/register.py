"""`zhizhi resolve`, `zhizhi entities` and `zhizhi review`: the register of market entities (主体库)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from zhizhi.cells import write_csv, write_xlsx
from zhizhi.cli.common import (
    JsonOption,
    Table,
    console,
    emit,
    id_argument,
    id_option,
    no_match,
    operator,
    output_file,
    transaction,
)
from zhizhi.errors import InputError
from zhizhi.progress import by_steps
from zhizhi.progress.terminal import TerminalProgress
from zhizhi.resolve import register, review
from zhizhi.resolve.cache import features_cache
from zhizhi.resolve.dossier import entity_dossier
from zhizhi.resolve.engine import score_pairs
from zhizhi.resolve.run import STEPS, RunReport
from zhizhi.resolve.run import resolve as run_resolution

entities_app = typer.Typer(help="The register: find, show and export entities.", no_args_is_help=True)
review_app = typer.Typer(help="Pairs for a steward, merges, splits and undoing them.", no_args_is_help=True)
Pair = id_argument(None, help="A review pair (see `zhizhi review list`).")
TwoRecords = id_option("--record", help="Instead of a pair: two records (repeat the option).")


def resolve(
    ctx: typer.Context,
    retrain: bool = typer.Option(False, "--retrain", help="Train the model again instead of reusing the last one."),
    spark: str | None = typer.Option(
        None, "--spark", help="Score on Spark at this master URL (local[4], spark://host:7077); needs the spark extra."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Resolve new and changed records into the register (incremental; the same data gives the same ids)."""
    score = _spark_scorer(spark) if spark else score_pairs
    with (
        transaction(ctx) as (workspace, session),
        TerminalProgress(console, transient=True) as progress,
        progress.task("progress.resolve", total=STEPS, unit="steps") as task,
    ):
        report = run_resolution(
            session,
            operator(),
            workspace.config.resolve,
            retrain=retrain,
            progress=by_steps(task),
            score=score,
            cache=features_cache(workspace.root),
        )
    emit(report.as_dict(), as_json, lambda: _show_run(report))


def _spark_scorer(master: str) -> Callable[..., Any]:
    """Scoring on a Spark session at `master`, with the similarity functions' jar."""
    try:
        from pyspark.sql import SparkSession  # type: ignore[import-not-found, unused-ignore]

        from zhizhi.resolve.spark import score_pairs_on_spark, spark_config
    except ImportError as exc:
        raise InputError(
            f"`--spark` needs pyspark ({exc}): pip install -e '.[spark]', and Java 17.",
            zh=f"`--spark` 需要 pyspark（{exc}）：请安装 pip install -e '.[spark]' 和 Java 17。",
        ) from exc
    builder = SparkSession.builder.master(master).appName("zhizhi-resolve")
    for key, value in spark_config().items():
        builder = builder.config(key, value)
    return functools.partial(score_pairs_on_spark, spark=builder.getOrCreate())


def _show_run(report: RunReport) -> None:
    console.print(
        f"Run {report.run_id}: {report.records_read:,} records read, {report.records_new:,} new or changed scored "
        f"({report.edges_new:,} pairs), {report.records_reconsidered:,} clustered again; {report.entities:,} entities "
        f"({report.entities_new:,} new, {report.entities_merged:,} merged); {report.review_new:,} pairs for review."
    )


def _after_decision(ctx: typer.Context) -> RunReport:
    with transaction(ctx) as (workspace, session):
        return run_resolution(session, operator(), workspace.config.resolve, cache=features_cache(workspace.root))


@entities_app.command("search")
def search(
    ctx: typer.Context,
    query: str = typer.Argument(..., help="Credit code, part of the name, pinyin initials, address or whole phone."),
    limit: int = typer.Option(50, "--limit", min=1, max=1000, help="At most this many."),
    as_json: bool = JsonOption,
) -> None:
    """Find entities."""
    with transaction(ctx) as (workspace, session):
        per_hour = workspace.config.privacy.unmask_per_hour
        found = register.search(session, operator(), query, limit=limit, per_hour=per_hour)

    def show() -> None:
        if not found:
            no_match(query)
            return
        table = Table("id", "name", "credit code", "phone", "address", "records", drop=("phone", "address"))
        for e in found:
            table.add_row(
                str(e["id"]), e["name"] or "", e["uscc"] or "", e["phone"] or "", e["address"] or "", str(e["records"])
            )
        console.print(table)

    emit(found, as_json, show)


@entities_app.command("show")
def show(
    ctx: typer.Context, entity_id: int = id_argument(help="The entity."), as_json: bool = JsonOption
) -> None:
    """One entity's file: golden fields with provenance, its records, its timeline and deliveries, its hotline cases
    and inspection results."""
    with transaction(ctx) as (_, session):
        file = entity_dossier(session, operator(), entity_id)

    def show_file() -> None:
        if file["asked_for"] != file["id"]:
            console.print(f"Entity {file['asked_for']} was merged into {file['id']}.")
        console.print(f"[bold]{file['name']}[/] (entity {file['id']}, {len(file['records'])} records)")
        golden = Table("field", "value", "from")
        for name, value in file["golden"].items():
            where = f"{value['source']} · {value['file']}" + (f" · {value['sheet']}" if value["sheet"] else "")
            golden.add_row(name, str(value["value"]), f"{where} · row {value['row']}")
        console.print(golden)
        records = Table("record", "type", "source", "linked by", "file", "row")
        for r in file["records"]:
            records.add_row(
                str(r["record_id"]), r["record_type"], r["source"], r["how"], r["file"], str(r["row"] or "")
            )
        console.print(records)
        for event in file["timeline"]:
            console.print(f"{event['date']}  {event['what_zh']}  ({event['source']})")
        _show_cases_and_results(file)

    emit(file, as_json, show_file)


def _show_cases_and_results(file: dict[str, Any]) -> None:
    """The entity's hotline cases and inspection results, as its page lists them."""
    if file["cases"]:
        cases = Table("case", "kind", "received", "stage", "decision", "office")
        for c in file["cases"]:
            cases.add_row(
                c["number"], c["kind_zh"], c["received_on"], c["stage_zh"], c["decision_zh"] or "", c["office"] or ""
            )
        console.print(cases)
    if file["inspection_results"]:
        results = Table("inspection", "inspected", "result", "items")
        for v in file["inspection_results"]:
            results.add_row(v["number"], v["inspected_on"] or "", v["result_zh"], "、".join(v["items"]))
        console.print(results)


@entities_app.command("export")
def export(
    ctx: typer.Context,
    output: Path = typer.Option(..., "--output", "-o", help="The file to write."),
    fmt: str = typer.Option("csv", "--format", help="csv, xlsx or json."),
    with_links: bool = typer.Option(
        False, "--links", help="One line per accepted source row (entity_id, source, file, sheet, row) instead."
    ),
    unmasked: bool = typer.Option(
        False, "--unmasked", help="Personal values in full (needs --purpose; watermarked and audited)."
    ),
    purpose: str | None = typer.Option(None, "--purpose", help="Why personal data leaves unmasked, kept in the audit."),
) -> None:
    """Export the register (or its links to the source rows) as CSV, Excel or JSON; no text becomes a formula.

    Personal values are masked, with a keyed pseudonym beside each so the file stays linkable for statistics.
    """
    if fmt not in ("csv", "xlsx", "json"):
        raise InputError(
            f"`--format {fmt}`: use csv, xlsx or json.", zh=f"`--format {fmt}` 无效：请用 csv、xlsx 或 json。"
        )
    if unmasked and purpose is None:
        raise InputError(
            "`--unmasked` needs `--purpose TEXT`: say why personal data leaves unmasked.",
            zh="`--unmasked` 需要 `--purpose 用途`：请说明为何导出未遮蔽的个人信息。",
        )
    # The file written before the audit of an unmasked export commits: no export is recorded that never happened.
    with output_file(output) as written, transaction(ctx) as (workspace, session):
        if with_links:
            header = ["entity_id", "source", "file", "sheet", "row"]
            rows: list[list[Any]] = [list(r) for r in register.links(session, operator())]
        else:
            unmasked_for = purpose if unmasked else None
            what = f"entities:{output.name}"
            header, rows = register.export_table(
                session, operator(), workspace.keys_dir, purpose=unmasked_for, what=what
            )
        _write(written, fmt, header, rows)
    console.print(f"{len(rows):,} lines written to {output}.")


def _write(path: Path, fmt: str, header: list[str], rows: list[list[Any]]) -> None:
    if fmt == "json":
        path.write_text(
            json.dumps([dict(zip(header, r, strict=True)) for r in rows], ensure_ascii=False), encoding="utf-8"
        )
    elif fmt == "csv":
        write_csv(path, header, rows)
    else:
        write_xlsx(path, "register", header, rows)


@review_app.command("list")
def review_list(
    ctx: typer.Context,
    status: str = typer.Option("open", "--status", help="open, merged or apart."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000, help="At most this many."),
    as_json: bool = JsonOption,
) -> None:
    """Pairs that scored between the thresholds, both records side by side and why."""
    with transaction(ctx) as (_, session):
        pairs = review.list_pairs(session, operator(), status=status, limit=limit)

    def show_pairs() -> None:
        if not pairs:
            console.print(f"No pairs are {status}." if status != "open" else "No pairs wait for review.")
            return
        table = Table("pair", "score", "left", "right", "why")
        for p in pairs:
            left, right = p["left"]["data"], p["right"]["data"]
            table.add_row(
                str(p["id"]),
                f"{p['probability']:.3f}",
                f"{p['left']['record_id']} {_name(left)}",
                f"{p['right']['record_id']} {_name(right)}",
                "；".join(p["why"].values()) if isinstance(p["why"], dict) else p["why"],
            )
        console.print(table)

    emit(pairs, as_json, show_pairs)


def _name(data: dict[str, Any]) -> str:
    return str(next((data[k] for k in ("name", "holder_name", "user_name", "entity_name") if data.get(k)), ""))


@review_app.command("merge")
def review_merge(
    ctx: typer.Context,
    pair: int | None = Pair,
    records: list[int] = TwoRecords,
    reason: str = typer.Option(..., "--reason", help="Why: kept with the decision."),
    as_json: bool = JsonOption,
) -> None:
    """The two records are one entity; remembered across runs, audited, undone with `review undo`."""
    _decide(ctx, "merge", pair, records, reason, as_json)


@review_app.command("apart")
def review_apart(
    ctx: typer.Context,
    pair: int | None = Pair,
    records: list[int] = TwoRecords,
    reason: str = typer.Option(..., "--reason", help="Why: kept with the decision."),
    as_json: bool = JsonOption,
) -> None:
    """The two records are different entities; remembered across runs, audited, undone with `review undo`."""
    _decide(ctx, "apart", pair, records, reason, as_json)


def _decide(
    ctx: typer.Context, kind: str, pair: int | None, records: list[int] | None, reason: str, as_json: bool
) -> None:
    if (pair is None) == (not records):
        raise InputError(
            "Give a review pair, or two records with `--record A --record B`.",
            zh="请给出一个待审记录对，或用 `--record A --record B` 给出两条记录（二者选一）。",
        )
    with transaction(ctx) as (_, session):
        if pair is not None:
            made = [review.decide_pair(session, operator(), pair, kind, reason)]
        else:
            if len(records or []) != 2:
                raise InputError(
                    "Give exactly two records: `--record A --record B`.",
                    zh="请恰好给出两条记录：`--record A --record B`。",
                )
            assert records is not None
            made = review.decide(session, operator(), kind, [(records[0], records[1])], reason)
    report = _after_decision(ctx)
    result = {"decisions": [d.id for d in made], "run": report.as_dict()}
    emit(
        result,
        as_json,
        lambda: console.print(f"Decision {', '.join(str(d.id) for d in made)} recorded; register updated."),
    )


@review_app.command("split")
def review_split(
    ctx: typer.Context,
    records: list[int] = id_option("--record", default=..., help="A record to take out of its entity (repeat)."),
    reason: str = typer.Option(..., "--reason", help="Why: kept with the decision."),
    as_json: bool = JsonOption,
) -> None:
    """Take records out of their entity into one of their own (kept apart from the records that stay)."""
    with transaction(ctx) as (_, session):
        made = review.split(session, operator(), records, reason)
    report = _after_decision(ctx)
    result = {"decisions": [d.id for d in made], "run": report.as_dict()}
    emit(result, as_json, lambda: console.print(f"{len(made)} decisions recorded; register updated."))


@review_app.command("undo")
def review_undo(
    ctx: typer.Context,
    decisions: list[int] = id_argument(help="Decisions to undo (see `zhizhi review decisions`)."),
    reason: str = typer.Option(..., "--reason", help="Why: kept in the audit trail."),
    as_json: bool = JsonOption,
) -> None:
    """Undo merges or splits: they stay on record, marked undone; the register is resolved again."""
    with transaction(ctx) as (_, session):
        undone = review.undo(session, operator(), decisions, reason)
    report = _after_decision(ctx)
    emit(
        {"undone": undone, "run": report.as_dict()},
        as_json,
        lambda: console.print(f"{undone} decisions undone; register updated."),
    )


@review_app.command("decisions")
def review_decisions(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """The latest merges and splits, undone ones included."""
    with transaction(ctx) as (_, session):
        rows = review.decisions(session, operator())

    def show_rows() -> None:
        table = Table("id", "kind", "records", "reason", "by", "at", "undone")
        for d in rows:
            table.add_row(
                str(d["id"]),
                d["kind"],
                f"{d['records'][0]} · {d['records'][1]}",
                d["reason"],
                d["decided_by"],
                d["decided_at"],
                d["undone_at"] or "",
            )
        console.print(table)

    emit(rows, as_json, show_rows)
