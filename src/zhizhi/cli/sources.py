"""`zhizhi sources`: the workspace's source files; suggest one for an export never seen before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from zhizhi.cli.common import JsonOption, Table, console, emit, workspace_of
from zhizhi.errors import ZhizhiError
from zhizhi.sources import list_source_names, load_source
from zhizhi.sources.config import SOURCES_FOLDER, SourceConfig
from zhizhi.sources.suggest import CHECK_BELOW, CLOSE, Suggestion, suggest_source, write_suggestion
from zhizhi.store import MAX_ID

app = typer.Typer(
    help="Sources: how each department's export becomes records (sources/NAME.yaml).", no_args_is_help=True
)


@app.command("suggest")
def suggest(
    ctx: typer.Context,
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The export: CSV, .xlsx, .xls or JSON lines."),
    name: str = typer.Option(..., "--name", help="The source's name, e.g. `dengji`: written to sources/NAME.yaml."),
    department: str | None = typer.Option(
        None, "--department", help="Code of the department that owns the data (default: placeholder UNKNOWN)."
    ),
    record_type: str | None = typer.Option(
        None, "--record-type", help="entity, licence, inspection, equipment or ticket (default: the best fit)."
    ),
    sample_rows: int = typer.Option(2000, "--sample-rows", min=1, max=MAX_ID, help="How many data rows to read."),
    encoding: str | None = typer.Option(None, "--encoding", help="The CSV's encoding (default: detect UTF-8/GBK)."),
    sheets: list[str] = typer.Option([], "--sheet", help="Excel: a sheet to read (repeat for several; default all)."),
    delimiter: str | None = typer.Option(
        None, "--delimiter", help="The CSV's field separator, when the guess is wrong (e.g. '|' or '，')."
    ),
    force: bool = typer.Option(False, "--force", help="Replace an existing sources/NAME.yaml."),
    as_json: bool = JsonOption,
) -> None:
    """Read an export and write a source file mapping its columns to a record type, with a confidence per field."""
    workspace = workspace_of(ctx)
    suggestion = suggest_source(
        file,
        name=name,
        department=department,
        record_type=record_type,
        sample_rows=sample_rows,
        encoding=encoding,
        sheets=sheets,
        delimiter=delimiter,
    )
    path = write_suggestion(workspace.root, suggestion, force=force)
    written = f"{SOURCES_FOLDER}/{path.name}"
    for warning in suggestion.warnings:
        typer.echo(f"warning: {warning}", err=True)
    emit({**suggestion.as_dict(), "written": written}, as_json, lambda: _show_suggestion(suggestion, written))


def _show_suggestion(suggestion: Suggestion, written: str) -> None:
    kind = suggestion.source.kind
    others = ", ".join(f"{t.name} {t.score:.2f}" for t in suggestion.record_types[1:])
    console.print(
        f"{suggestion.file.name}: {suggestion.rows_sampled} rows sampled, {len(suggestion.columns)} columns. "
        f"Record type {kind.name} ({kind.label_zh}), score {suggestion.record_types[0].score:.2f}"
        + (f" (others: {others})." if others else ".")
    )
    table = Table("field", "label", "column", "confidence", "evidence")
    for item in suggestion.fields:
        if item.column is None and item.value is None and not item.required:
            continue
        mark = " check" if item.to_check else ""
        table.add_row(
            item.field + (" *" if item.required else ""),
            item.label_zh,
            item.column or ("" if item.value is None else f"= {item.value}"),
            "" if item.confidence is None else f"{item.confidence:.2f}{mark}",
            item.describe(),
        )
    console.print(table, soft_wrap=False)
    console.print("* required. Fields without a column are not shown unless required.")
    console.print("Columns not mapped: " + (", ".join(suggestion.unmapped_columns) or "none") + ".")
    for column, reason in suggestion.unmapped_reasons.items():
        console.print(escape(f"  {column}: {reason}"))
    console.print(
        f"Wrote {written}. Check the fields marked `check` (confidence < {CHECK_BELOW}, or a runner-up within "
        f"{CLOSE}) before ingesting."
    )


@app.command("list")
def list_command(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """List the workspace's sources; a file that does not load is listed with its problem."""
    root = workspace_of(ctx).root
    rows: list[dict[str, Any]] = []
    for name in list_source_names(root):
        try:
            source = load_source(root, name)
        except ZhizhiError as exc:
            rows.append(
                {
                    "name": name,
                    "record_type": None,
                    "department": None,
                    "title": None,
                    "fields": None,
                    "error": exc.message,
                }
            )
            continue
        rows.append(
            {
                "name": name,
                "record_type": source.record_type,
                "department": source.department,
                "title": source.title,
                "fields": len(source.fields),
                "error": None,
            }
        )

    def show() -> None:
        if not rows:
            console.print(f"No sources yet: `{SOURCES_FOLDER}/` is empty. Write one with `zhizhi sources suggest`.")
            return
        table = Table("name", "record type", "department", "title", "fields", "problem")
        for row in rows:
            table.add_row(
                row["name"],
                row["record_type"] or "",
                row["department"] or "",
                row["title"] or "",
                "" if row["fields"] is None else str(row["fields"]),
                _short(row["error"]),
            )
        console.print(table)

    emit(rows, as_json, show)


@app.command("show")
def show_command(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The source's name (see `zhizhi sources list`)."),
    as_json: bool = JsonOption,
) -> None:
    """Show a source as zhizhi reads it: its settings and where each field comes from."""
    source = load_source(workspace_of(ctx).root, name)
    emit(source.model_dump(mode="json", exclude_defaults=True), as_json, lambda: _show_source(source))


def _show_source(source: SourceConfig) -> None:
    kind = source.kind
    settings = source.model_dump(exclude_defaults=True, exclude={"fields", "name", "title"})
    console.print(f"{source.name}: {source.title}" if source.title else source.name)
    console.print(", ".join(f"{key} {value}" for key, value in settings.items()))
    mapped = [(item, source.fields[item.name]) for item in kind.fields if item.name in source.fields]
    extras = any(m.transforms or item.kind == "code" for item, m in mapped)
    table = Table("field", "label", "column (= value)", "confidence", *(("code list", "transforms") if extras else ()))
    for item, mapping in mapped:
        origin = mapping.column if mapping.column is not None else f"= {mapping.value}"
        cells = [
            item.name + (" *" if item.required else ""),
            item.label_zh,
            origin,
            "" if mapping.confidence is None else f"{mapping.confidence:.2f}",
        ]
        if extras:
            steps = "; ".join(f"{k} {v}" for step in mapping.transforms for k, v in step.items())
            cells += [_code_list(item.kind, mapping.code_list, item.code_list), steps]
        table.add_row(*cells)
    console.print(table)
    unmapped = [f.name for f in kind.fields if f.name not in source.fields]
    console.print("* required. Fields not mapped: " + (", ".join(unmapped) or "none") + ".")


def _code_list(kind: str, given: str | None, own: str | None) -> str:
    if kind != "code":
        return ""
    return given or f"{own} (the field's own)"


def _short(problem: str | None) -> str:
    """A loading problem for the table: a model-level problem without the file's whole content before it."""
    if not problem:
        return ""
    head, _, reason = problem.partition("Value error, ")
    return head.split(":", 1)[0] + ": " + reason if reason else problem
