"""`zhizhi ingest` and `zhizhi batches`: bring department exports in, and look at what each file became."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from zhizhi.cli.common import (
    JsonOption,
    OffsetOption,
    Table,
    console,
    emit,
    id_argument,
    operator,
    reading,
    state,
    transaction,
    workspace_of,
)
from zhizhi.delivery.outbox import Outbox
from zhizhi.errors import InputError, ZhizhiError
from zhizhi.ingest.batches import batch_as_dict, batch_rows, get_batch, list_batches, open_quarantine
from zhizhi.ingest.pipeline import FileToIngest, IngestRun
from zhizhi.ingest.read.registry import reader_for
from zhizhi.ingest.warm import warm_up
from zhizhi.progress import text_rows
from zhizhi.progress.terminal import TerminalProgress
from zhizhi.sources import load_source
from zhizhi.sources.config import source_path
from zhizhi.store import is_busy
from zhizhi.store.types import local_text_of

log = logging.getLogger("zhizhi.ingest")

batches_app = typer.Typer(
    help="Batches: one per file ingested, with its counts and report.", invoke_without_command=True
)
BatchId = id_argument(help="Batch id (see `zhizhi batches`).")


def ingest(
    ctx: typer.Context,
    source: str = typer.Argument(..., help="The source's name (its file sources/NAME.yaml)."),
    files: list[Path] = typer.Argument(  # noqa: B008
        None, help="Files to ingest, each as its own batch; none for a source that fetches (sql, http)."
    ),
    force: bool = typer.Option(False, "--force", help="Ingest a file again even if the same bytes were ingested."),
    as_json: bool = JsonOption,
) -> None:
    """Ingest FILES for SOURCE: read, map, clean, check and store each file in one transaction."""
    results: list[dict[str, Any]] = []
    root = workspace_of(ctx).root
    config = load_source(root, source)
    targets = list(files or [])
    if not targets:
        if reader_for(source_path(root, source), config.reader).needs_file:
            raise InputError(
                f"Give the file(s) to ingest: `zhizhi ingest {source} FILE...`.",
                zh=f"请给出要导入的文件：`zhizhi ingest {source} 文件...`。",
            )
        targets = [source_path(root, source)]
    planned = [FileToIngest(config, path) for path in targets]
    with IngestRun(operator(), outbox=Outbox.of(root), force=force) as run:  # each file read while the last is written
        for n, file in enumerate(planned):
            data = _ingest_one(ctx, run, file, planned[n + 1] if n + 1 < len(planned) else None, as_json)
            results.append(data)
            if not as_json and "error" not in data:
                _show_batch(data)
    if as_json:
        emit(results, True, lambda: None)
    if any("error" in data for data in results):
        raise typer.Exit(1)


def _ingest_one(
    ctx: typer.Context, run: IngestRun, file: FileToIngest, then: FileToIngest | None, as_json: bool
) -> dict[str, Any]:
    """One file of the run, in its own transaction: its batch, or its failure said (and counted)."""
    path = file.path
    try:
        warm_up(file.source, path)  # before the transaction: on SQLite a transaction holds the writer lock
        with (
            transaction(ctx) as (_, session),
            TerminalProgress(console, transient=True, quiet=as_json) as progress,
            progress.task("progress.ingest", total=text_rows(path), unit="rows", file=path.name) as task,
        ):
            result = run.ingest(session, file, progress=task.update, then=then)
            data = batch_as_dict(session, result.batch, report=True) | {"already_ingested": result.already}
    except ZhizhiError as exc:
        return _failed(path, exc, as_json)
    except Exception as exc:
        if _stops_the_run(exc):
            raise
        return _failed(path, _unexpected(path, exc, state(ctx).debug), as_json)
    return data


def _failed(path: Path, exc: ZhizhiError, as_json: bool) -> dict[str, Any]:
    """A file that failed, said in one line (and in Chinese), as its entry in the run's list."""
    if not as_json:
        console.print(f"[red]error[/] `{escape(path.name)}`: {escape(exc.message)} (nothing from this file was kept)")
        if exc.message_zh:
            console.print(f"[red]错误[/] {escape(exc.message_zh)}")
    return {"file": path.name, "error": exc.message, "error_zh": exc.message_zh}


def _stops_the_run(exc: Exception) -> bool:
    """Ctrl+C come back through a library, the CLI's own exits and a database held by another process end the run
    rather than one file (the next would meet the same lock; the run says the database is busy)."""
    from zhizhi.cli.main import an_interrupt

    return hasattr(exc, "exit_code") or isinstance(exc, typer.Abort) or an_interrupt(exc) or is_busy(exc)


def _unexpected(path: Path, exc: Exception, debug: bool) -> ZhizhiError:
    """A fault of zhizhi's (or a library's) while ingesting one file: logged with its traceback, said in one line;
    the transaction was rolled back and the next file is tried."""
    log.debug("ingesting `%s` failed unexpectedly", path, exc_info=exc)
    if debug:
        traceback.print_exception(exc)
    first_line = (str(exc).strip().splitlines() or [""])[0]
    return ZhizhiError(
        f"unexpected {type(exc).__name__}: {first_line} (rerun with --debug for details; please report it)",
        zh=f"导入时发生意外错误（{type(exc).__name__}）：{first_line}。可加 --debug 重新运行查看详情，并请报告此问题。",
    )


def _show_batch(data: dict[str, Any]) -> None:
    rows, records = data["rows"], data["records"]
    if data.get("already_ingested"):
        console.print(
            f"`{data['file']}` was already ingested as batch {data['id']} (same bytes): nothing changed. "
            "Use --force to ingest it again."
        )
        return
    console.print(
        f"Batch [bold]{data['id']}[/] `{data['file']}` ({data['source']}): read {rows['read']:,} = "
        f"accepted {rows['accepted']:,} + quarantined {rows['quarantined']:,} + skipped {rows['skipped']:,}; "
        f"records new {records['new']:,}, changed {records['changed']:,}, unchanged {records['unchanged']:,}."
    )
    left_out = data["report"].get("sheets_left_out") or []
    if left_out:
        sheets = _sheets(left_out)
        console.print(
            f"[yellow]Sheet(s) not read, their rows not counted: {sheets}: the source's `sheets:` does not name them; "
            "if they belong to this source, add them there and ingest the file again with --force. "
            f"以下工作表有数据但未读取（数据源的 sheets 中没有列出）：{sheets}；"
            "如属本数据源，请把它们加入 sheets 后用 --force 重新导入。[/]"
        )
    repeated = data["report"].get("records", {}).get("repeated_in_file", 0)
    if repeated:
        console.print(
            f"[yellow]{repeated:,} row(s) gave a record another row of the same file gave before, with other values: "
            f"the later row is the record's newer version. 同一文件中有 {repeated:,} 行与前面的行属于同一记录但"
            "内容不同，以后出现的行为该记录的较新版本。[/]"
        )
    show_report(data["report"])


def _sheets(items: list[dict[str, Any]]) -> str:
    """Sheets a report names, each with its rows: `` `乡镇` (1,204), `汇总` (3) ``."""
    return ", ".join(f"`{escape(item['sheet'])}` ({item['rows']:,})" for item in items)


def show_report(report: dict[str, Any]) -> None:
    """The batch report as rich tables: fields, then reasons, then skipped rows."""
    fields = Table("field", "column", "filled", "completeness", "validity", title="字段质量 Fields")
    for item in report["fields"]:
        fields.add_row(
            f"{item['field']} {item['label_zh']}",
            item["column"] or "(constant)",
            f"{item['filled']:,}",
            _share(item["completeness"]),
            _share(item["validity"]),
        )
    console.print(fields)
    if report["reasons"]:
        reasons = Table("reason", "severity", "rows", "example", title="主要问题 Top reasons")
        for item in report["reasons"]:
            example = item.get("example") or {}
            where = f"row {example.get('row')}" + (f" ({example['sheet']})" if example.get("sheet") else "")
            reasons.add_row(
                f"{item['code']} {item['title_zh']}",
                item["severity"],
                f"{item['rows']:,}",
                f"{where}: {example.get('message_zh', '')}",
            )
        console.print(reasons)
    if report["skipped_by_reason"]:
        console.print("Skipped: " + ", ".join(f"{k} {v:,}" for k, v in report["skipped_by_reason"].items()))
    other = report.get("other_tables") or []
    if other:
        sheets = _sheets(other)
        console.print(
            f"Other tables (sheets sharing no column with the source): {sheets}. If one holds this source's rows under "
            "other headers, give it the source's headers (or a source of its own) and ingest the file again with "
            f"--force. 其他表格（与数据源没有相同列的工作表）：{sheets}；如其中是本数据源的数据（表头不同），"
            "请改用数据源的表头（或为其另建数据源）后用 --force 重新导入。"
        )
    if report.get("artefacts"):
        console.print(
            "表格软件痕迹 Spreadsheet artefacts (rows): "
            + ", ".join(f"{k} {v:,}" for k, v in report["artefacts"].items())
        )


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


@batches_app.callback()
def batches(
    ctx: typer.Context,
    source: str | None = typer.Option(None, "--source", "-s", help="Only this source's batches."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000, help="How many, newest first."),
    as_json: bool = JsonOption,
) -> None:
    """List batches, newest first, with their counts (read = accepted + quarantined + skipped)."""
    if ctx.invoked_subcommand is not None:
        return
    with reading(ctx) as (_, session):
        found = list_batches(session, operator(), source=source, limit=limit)
        waiting = open_quarantine(session, [b.id for b in found])
        rows = [batch_as_dict(session, b) | {"quarantine_open": waiting.get(b.id, 0)} for b in found]

    def show() -> None:
        table = Table(
            "id", "source", "file", "read", "accepted", "quarantined", "open", "skipped", "new", "at",
            drop=("at", "new", "skipped", "open"),
        )  # fmt: skip
        for row in rows:
            table.add_row(
                str(row["id"]),
                row["source"],
                row["file"],
                f"{row['rows']['read']:,}",
                f"{row['rows']['accepted']:,}",
                f"{row['rows']['quarantined']:,}",
                f"{row['quarantine_open']:,}",
                f"{row['rows']['skipped']:,}",
                f"{row['records']['new']:,}",
                local_text_of(row["finished_at"]),
            )
        console.print(table)

    emit(rows, as_json, show)


@batches_app.command("show")
def show_batch(
    ctx: typer.Context,
    batch_id: int = BatchId,
    as_json: bool = JsonOption,
) -> None:
    """One batch with its report: counts, per-field completeness and validity, top reasons."""
    with reading(ctx) as (_, session):
        data = batch_as_dict(session, get_batch(session, operator(), batch_id), report=True)
    emit(data, as_json, lambda: _show_batch(data))


@batches_app.command("rows")
def show_rows(
    ctx: typer.Context,
    batch_id: int = BatchId,
    status: str | None = typer.Option(None, "--status", help="accepted, quarantined or skipped."),
    limit: int = typer.Option(50, "--limit", min=1, max=100_000),
    offset: int = OffsetOption,
    as_json: bool = JsonOption,
) -> None:
    """A batch's raw rows as read, each with its file, sheet and row number and how it ended."""
    with transaction(ctx) as (_, session):
        rows = batch_rows(session, operator(), batch_id, status=status, limit=limit, offset=offset)

    def show() -> None:
        table = Table("file", "sheet", "row", "status", "cells")
        for row in rows:
            cells = row["reason"] or "; ".join(f"{k}={v}" for k, v in row["cells"].items() if v)
            table.add_row(row["file"], row["sheet"] or "", str(row["row"]), row["status"], cells[:120])
        console.print(table)

    emit(rows, as_json, show)
