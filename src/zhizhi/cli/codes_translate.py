"""`zhizhi codes translate` and `zhizhi codes coverage`: translate codes or a file's column, and measure how well."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl
import typer
from rich.markup import escape
from sqlalchemy.orm import Session

from zhizhi.cells import write_csv, write_xlsx
from zhizhi.cli.common import JsonOption, Table, console, emit, operator, output_file, transaction
from zhizhi.codes import (
    Translator,
    build_translator,
    coverage_report,
    load_hierarchy,
    note_for_review,
    read_table,
    save_coverage,
)
from zhizhi.codes.translate import FAILURES
from zhizhi.errors import InputError

FromOption = typer.Option(..., "--from", help="The code list the codes are in.")
ToOption = typer.Option(..., "--to", help="The code list to translate them to.")
ColumnOption = typer.Option(None, "--column", "-c", help="The file's column holding the codes.")
ContextColumnOption = typer.Option(
    [], "--context-column", help="A field some rule reads: FIELD, or FIELD=COLUMN when the file names it otherwise."
)
RESULT_COLUMNS = ("to_code", "method", "detail")
OUTPUT_SUFFIXES = (".csv", ".xlsx")


def register(app: typer.Typer) -> None:
    """Add `translate` and `coverage` to the `zhizhi codes` group."""
    app.command("translate")(translate)
    app.command("coverage")(coverage)


def translate(
    ctx: typer.Context,
    codes: list[str] | None = typer.Argument(None, metavar="[CODE]...", help="Codes to translate."),
    from_list: str = FromOption,
    to_list: str = ToOption,
    file: Path | None = typer.Option(
        None, "--file", "-f", exists=True, dir_okay=False, help="Translate a column of this CSV or Excel file."
    ),
    column: str | None = ColumnOption,
    context_columns: list[str] = ContextColumnOption,
    context: list[str] = typer.Option([], "--context", help="FIELD=VALUE a rule reads, for codes given as arguments."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the file's rows with to_code, method, detail (.csv or .xlsx)."
    ),
    as_of: datetime | None = typer.Option(
        None, "--as-of", formats=["%Y-%m-%d"], help="Use the list versions and crosswalk rows valid on this day."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Translate codes given as arguments, or a column of a file, saying for each code how it was translated."""
    _check_translate_options(codes, file, column, context, context_columns, output)
    day = as_of.date() if as_of else None
    if file is not None:
        assert column is not None
        frame = read_frame(file)
        code_column = pick_column(frame, file, column)
    else:
        frame = pl.DataFrame({"code": list(codes or [])}, schema={"code": pl.String})
        code_column = "code"
    with transaction(ctx) as (_, session):
        translator = build_translator(session, from_list, to_list, as_of=day)
        if file is not None:
            context_frame = context_from_columns(frame, file, translator, context_columns)
        else:
            context_frame = _context_from_values(frame.height, context)
        results = translator.translate_column(frame[code_column], context_frame)
        data = _summary(session, translator, results, day)
    data.update(file=file.name if file else None, column=column, output=str(output) if output else None)
    warn_missing_context(translator, results)
    if output is not None:
        with output_file(output) as written:
            write_rows(frame.with_columns(*(results[c] for c in RESULT_COLUMNS)), written)
    emit(data, as_json, lambda: _print_translation(data))


def coverage(
    ctx: typer.Context,
    from_list: str = FromOption,
    to_list: str = ToOption,
    file: Path = typer.Option(..., "--file", "-f", exists=True, dir_okay=False, help="A CSV or Excel file of data."),
    column: str = typer.Option(..., "--column", "-c", help="The file's column holding the codes."),
    context_columns: list[str] = ContextColumnOption,
    subject: str | None = typer.Option(None, "--subject", help="What the report is named by (default: file name)."),
    save: bool = typer.Option(True, "--save/--no-save", help="Keep the report and queue untranslated codes."),
    as_json: bool = JsonOption,
) -> None:
    """Measure how the codes of a file's column translate; keep the report and queue what does not translate."""
    frame = read_frame(file)
    code_column = pick_column(frame, file, column)
    name = subject or file.name
    with transaction(ctx) as (_, session):
        translator = build_translator(session, from_list, to_list)
        context_frame = context_from_columns(frame, file, translator, context_columns)
        results = translator.translate_column(frame[code_column], context_frame)
        report = coverage_report(translator, results)
        saved_id, queued = None, None
        if save:
            saved_id = save_coverage(session, operator(), name, report).id
            queued = note_for_review(session, translator, results, seen_in=name)
    data = {"subject": name, **report, "saved_id": saved_id, "queued_for_review": queued}
    warn_missing_context(translator, results)
    emit(data, as_json, lambda: _print_coverage(data))


def read_frame(path: Path) -> pl.DataFrame:
    """Every column of a CSV or Excel file, as text; headers in lower case, as `read_table` gives them."""
    table = read_table(path)
    columns = {h: [cells.get(h, "") for _, cells in table.rows] for h in table.header}
    return pl.DataFrame(columns, schema={h: pl.String for h in columns})


def pick_column(frame: pl.DataFrame, path: Path, column: str) -> str:
    """The frame's name of a column given on the command line (headers are matched without case)."""
    key = column.strip().lower()
    if key not in frame.columns:
        raise InputError(
            f"File `{path.name}` has no column `{column}`; its columns are "
            + ", ".join(f"`{c}`" for c in frame.columns)
            + ". Pass one with --column.",
            zh=f"文件 `{path.name}` 没有列 `{column}`，它的列为 "
            + "、".join(f"`{c}`" for c in frame.columns)
            + "。请用 --column 指定其中一列。",
        )
    return key


def context_from_columns(
    frame: pl.DataFrame, path: Path, translator: Translator, mappings: list[str]
) -> pl.DataFrame | None:
    """The record fields the rules read: columns named like a rule field, and those given as FIELD[=COLUMN]."""
    chosen = {field: field.lower() for field in translator.rule_fields if field.lower() in frame.columns}
    for mapping in mappings:
        field, _, name = mapping.partition("=")
        chosen[field.strip()] = pick_column(frame, path, name or field)
    if not chosen:
        return None
    return frame.select(pl.col(column).alias(field) for field, column in chosen.items())


def warn_missing_context(translator: Translator, results: pl.DataFrame) -> None:
    """Say on stderr which fields the rules read but the records did not carry."""
    missing = [f for f in translator.rule_fields if f not in results.columns]
    if missing:
        names = ", ".join(f"`{f}`" for f in missing)
        typer.echo(
            f"warning: rules of this route read {names}, which the records do not carry: codes that need a rule come "
            "out ambiguous. Pass --context-column FIELD=COLUMN (or --context FIELD=VALUE).",
            err=True,
        )


def write_rows(frame: pl.DataFrame, path: Path) -> None:
    """Write rows to .csv (UTF-8 with BOM, for Excel) or .xlsx; text that Excel would run as a formula is quoted."""
    rows = [["" if v is None else str(v) for v in row] for row in frame.iter_rows()]
    if path.suffix.lower() == ".xlsx":
        write_xlsx(path, None, frame.columns, rows)
    else:
        write_csv(path, frame.columns, rows)


def _check_translate_options(
    codes: list[str] | None,
    file: Path | None,
    column: str | None,
    context: list[str],
    context_columns: list[str],
    output: Path | None,
) -> None:
    if bool(codes) == (file is not None):
        raise typer.BadParameter("give codes as arguments, or --file FILE --column COLUMN (one of them)")
    if file is not None and column is None:
        raise typer.BadParameter("--file needs --column, the column holding the codes")
    if file is None and (output is not None or context_columns):
        raise typer.BadParameter("--output and --context-column are for --file")
    if file is not None and context:
        raise typer.BadParameter("--context is for codes given as arguments; use --context-column with --file")
    if output is not None and output.suffix.lower() not in OUTPUT_SUFFIXES:
        raise typer.BadParameter(f"--output must end in .csv or .xlsx, not `{output.name}`")
    for pair in context:
        if "=" not in pair:
            raise typer.BadParameter(f"--context takes FIELD=VALUE, not `{pair}`")


def _context_from_values(rows: int, context: list[str]) -> pl.DataFrame | None:
    if not context:
        return None
    values = dict(pair.split("=", 1) for pair in context)
    return pl.DataFrame({field.strip(): [value.strip()] * rows for field, value in values.items()})


def _summary(session: Session, translator: Translator, results: pl.DataFrame, day: date | None) -> dict[str, Any]:
    """Each distinct code (with the rule fields it came with) once: its translation, how, and how many rows."""
    from_names = translator.legs[0].hierarchy.codes
    to_names = load_hierarchy(session, translator.to_list, as_of=day).codes
    fields = [c for c in results.columns if c not in ("code", *RESULT_COLUMNS)]
    groups = results.group_by(["code", *fields], maintain_order=True).agg(pl.len().alias("rows"))
    entries = []
    for row in groups.sort("rows", descending=True, maintain_order=True).iter_rows(named=True):
        context = {f: row[f] for f in fields}
        answer = translator.translate(row["code"], context)
        entries.append(
            {
                "code": row["code"],
                "name": from_names[answer.code].name if answer.code in from_names else None,
                "context": context,
                "to_code": answer.to_code,
                "to_name": to_names[answer.to_code].name if answer.to_code in to_names else None,
                "method": str(answer.method),
                "detail": answer.detail,
                "candidates": list(answer.candidates),
                "via": list(answer.via),
                "rows": row["rows"],
            }
        )
    methods = results.group_by("method").agg(pl.len().alias("rows")).sort("rows", descending=True)
    return {
        "from_list": translator.from_list,
        "to_list": translator.to_list,
        "route": translator.route,
        "as_of": day.isoformat() if day else None,
        "rule_fields": translator.rule_fields,
        "rows": results.height,
        "methods": dict(methods.iter_rows()),
        "results": entries,
    }


def _method_text(method: str) -> str:
    return f"[red]{method}[/]" if method in FAILURES else method


def _print_translation(data: dict[str, Any]) -> None:
    with_rows = data["file"] is not None
    with_context = any(any(r["context"].values()) for r in data["results"])
    table = Table("code", "name", *(["context"] if with_context else []), "to", "name", "method", "detail")
    if with_rows:
        table.add_column("rows", justify="right")
    for r in data["results"]:
        context = ", ".join(f"{k}={v}" for k, v in r["context"].items() if v)
        detail = r["detail"] + (f" [{', '.join(r['candidates'])}]" if r["candidates"] else "")
        table.add_row(
            escape(r["code"] or ""),
            escape(r["name"] or ""),
            *([escape(context)] if with_context else []),
            r["to_code"] or "",
            escape(r["to_name"] or ""),
            _method_text(r["method"]),
            escape(detail),
            *([f"{r['rows']:,}"] if with_rows else []),
        )
    console.print(table)
    methods = ", ".join(f"{m} {n:,}" for m, n in data["methods"].items())
    route = " -> ".join(data["route"])
    counted = f"{data['rows']:,} rows, {len(data['results']):,} distinct" if with_rows else f"{data['rows']} codes"
    console.print(f"{counted} ({route}): {methods}.")
    if data["output"]:
        console.print(f"Wrote {data['rows']:,} rows with to_code, method and detail to {escape(data['output'])}.")


def _print_coverage(data: dict[str, Any]) -> None:
    rows = data["rows"]
    share = data["translated_rows"] / rows if rows else 0.0
    console.print(
        f"Coverage of {escape(data['subject'])} ({' -> '.join(data['route'])}): {rows:,} rows, "
        f"{data['distinct_codes']:,} distinct codes; {data['translated_rows']:,} rows ({share:.1%}) translated."
    )
    methods = Table("method", "rows", "share")
    for m in data["methods"]:
        methods.add_row(_method_text(m["method"]), f"{m['rows']:,}", f"{m['share']:.1%}")
    console.print(methods)
    if data["untranslated"]:
        failed = Table("code", "why", "rows affected", "detail", title="untranslated codes, most rows first")
        for u in data["untranslated"][:20]:
            failed.add_row(escape(u["code"] or ""), _method_text(u["method"]), f"{u['rows']:,}", escape(u["detail"]))
        console.print(failed)
        if data["untranslated_codes"] > 20:
            console.print(f"... and {data['untranslated_codes'] - 20:,} more (see --json).")
    if data["saved_id"] is not None:
        console.print(
            f"Saved as coverage report {data['saved_id']}; {data['queued_for_review']:,} codes wait for review "
            "(`zhizhi codes review list`)."
        )
