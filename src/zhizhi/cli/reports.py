"""`zhizhi reports`: the catalogue, one report and its runs, a run on demand, a run as a file, built-ins, retiring."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from sqlalchemy import select

from zhizhi.cli.common import JsonOption, Table, console, emit, operator, output_file, transaction
from zhizhi.errors import InputError, NotFoundError
from zhizhi.progress.terminal import TerminalProgress
from zhizhi.reports import (
    Installed,
    catalogue,
    export_run,
    install_builtin,
    latest_run,
    load_report,
    parse_period,
    retire,
    run_as_dict,
    run_report,
)
from zhizhi.reports.outputs import table_rows
from zhizhi.reports.periods import FREQUENCY_ZH, last_complete
from zhizhi.reports.runs import parameters, today
from zhizhi.reports.tables import ReportRun
from zhizhi.store.tables import Department

app = typer.Typer(
    help="Reports that fill themselves: the catalogue, runs and their files. 报表。", no_args_is_help=True
)


@app.command("list")
def list_reports(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Every report: requester, frequency, last run, who took the recent runs, flagged for retirement, time saved."""
    with transaction(ctx) as (workspace, session):
        found = catalogue(session, operator(), workspace.root)
    emit(found, as_json, lambda: _show_catalogue(found))


@app.command("show")
def show(ctx: typer.Context, name: str = typer.Argument(..., help="The report's name."),
         as_json: bool = JsonOption) -> None:  # fmt: skip
    """One report's definition and its runs, with who downloaded or received each."""
    with transaction(ctx) as (workspace, session):
        report = load_report(workspace.root, name)
        runs = session.scalars(select(ReportRun).where(ReportRun.report == name).order_by(ReportRun.id.desc()))
        found = {
            "name": report.name, "title": report.title, "requester": report.requester,
            "department": report.department, "frequency": report.frequency, "minutes": report.minutes,
            "deliver": report.deliver, "template": report.template.file if report.template else None,
            "definition": parameters(report),
            "runs": [run_as_dict(session, run, with_figures=False) for run in runs],
        }  # fmt: skip
    emit(found, as_json, lambda: _show_report(found))


@app.command("run")
def run(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The report's name."),
    period: str | None = typer.Option(
        None, "--period", "-p", help="2026-11, 2026-Q4, 2026-W45, 2026-11-05 or a..b (default: the last ended one)."
    ),
    deliver: bool | None = typer.Option(
        None, "--deliver/--no-deliver", help="Owe the run to the targets that take report_run (default: the file's)."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Fill a report for a period now; a period run before says what changed since (late records)."""
    with transaction(ctx) as (workspace, session), TerminalProgress(console, transient=True, quiet=as_json) as bars:
        report = load_report(workspace.root, name)
        if period is None and report.frequency == "on_demand":
            raise InputError(f"Report `{name}` is on demand: give `--period`.", zh="按需报表须指定 --period。")
        chosen = parse_period(period) if period else last_complete(report.frequency, today())
        done = run_report(session, workspace, operator(), name, chosen, deliver=deliver, progress=bars)
        found = run_as_dict(session, done)
    emit(found, as_json, lambda: _show_run(found))


@app.command("export")
def export(
    ctx: typer.Context,
    target: str = typer.Argument(..., help="A run's id, or a report's name (its latest run, or that of --period)."),
    fmt: str = typer.Option("xlsx", "--format", "-f", help="xlsx (the requester's template or a plain one), csv, pdf."),
    period: str | None = typer.Option(None, "--period", "-p", help="With a report's name: the run of this period."),
    out: Path | None = typer.Option(None, "--out", "-o", help="File or folder to write (default: here)."),
    seal: bool = typer.Option(False, "--seal", help="PDF: sealed with the issuing department's seal."),
    as_json: bool = JsonOption,
) -> None:
    """Write a run as a file (a download: audited, and counted in the catalogue)."""
    with transaction(ctx) as (workspace, session):
        run_id = _run_id(session, target, period)
        file_name, body = export_run(session, workspace, operator(), run_id, fmt.lower(), seal=seal)
        path = (out / file_name if out.is_dir() else out) if out else Path(file_name)
        with output_file(path) as written:  # before the download's audit commits
            written.write_bytes(body)
    found = {"run": run_id, "format": fmt.lower(), "sealed": seal, "path": str(path), "bytes": len(body)}
    emit(found, as_json, lambda: console.print(f"Wrote [bold]{path}[/] ({len(body):,} bytes). 已导出。"))


@app.command("install")
def install(
    ctx: typer.Context,
    department: str | None = typer.Option(None, "--department", "-d", help="Issuing department (default: the root)."),
    replace: bool = typer.Option(False, "--replace", help="Overwrite built-in files edited in reports/ too."),
    as_json: bool = JsonOption,
) -> None:
    """Write the built-in report definitions into the workspace's reports/ folder: the missing ones, and the newer
    shipped version of each one not edited here (after an upgrade); edited ones are kept and named."""
    with transaction(ctx) as (workspace, session):
        code = department or session.scalar(select(Department.code).where(Department.parent_id.is_(None)).limit(1))
        if code is None:
            raise InputError("No department yet: add the bureau first (`zhizhi dept add`).", zh="尚无部门，请先添加。")
        if session.scalar(select(Department.id).where(Department.code == code)) is None:  # every run would fail
            raise NotFoundError(
                f"No department with code `{code}`: the reports would be issued by nobody. See `zhizhi dept list` for "
                "the codes.",
                zh=f"没有编码为 `{code}` 的部门，报表将无报送部门。请用 `zhizhi dept list` 查看部门编码。",
            )
        done = install_builtin(workspace.root, code, replace=replace)
    found = {"department": code, "written": done.written, "updated": done.updated, "kept": done.kept}
    emit(found, as_json, lambda: _say_installed(done))


def _say_installed(done: Installed) -> None:
    console.print(f"Installed {len(done.written)} report(s): {', '.join(done.written) or 'none'}. "
                  f"已安装 {len(done.written)} 张报表。")  # fmt: skip
    if done.updated:
        console.print(f"Brought up to this version (not edited here): {', '.join(done.updated)}. "
                      f"已更新为本版本（本地未改动）：{'、'.join(done.updated)}。")  # fmt: skip
    if done.kept:
        console.print(f"[yellow]Kept as edited here, though this version ships another: {', '.join(done.kept)}. "
                      "Compare them with the shipped text, or take it with --replace (your edits are lost: copy the "
                      f"file under another name first).[/] 本地改动过的报表保留未动：{'、'.join(done.kept)}；"
                      "如需采用本版本，请先另存副本，再加 --replace。")  # fmt: skip


@app.command("retire")
def retire_report(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The report's name."),
    reason: str = typer.Option(..., "--reason", help="Why it is no longer needed (kept in the audit trail)."),
    as_json: bool = JsonOption,
) -> None:
    """Retire a report: no more runs on schedule; its file and runs stay (audited)."""
    with transaction(ctx) as (workspace, session):
        done = retire(session, operator(), workspace.root, name, reason)
        found = {"report": done.report, "reason": done.reason, "retired_by": done.retired_by}
    emit(found, as_json, lambda: console.print(f"Report [bold]{name}[/] retired. 报表已停用。"))


def _run_id(session: Any, target: str, period: str | None) -> int:
    if target.isdigit():
        return int(target)
    run = latest_run(session, target, parse_period(period).label if period else None)
    if run is None:
        command = f"zhizhi reports run {target}" + (f" --period {period}" if period else "")
        raise NotFoundError(
            f"Report `{target}` has no run" + (f" for `{period}`" if period else "") + f": fill it first, `{command}`.",
            zh=f"报表 `{target}` " + (f"报告期 `{period}` " if period else "")
            + f"尚无运行记录，请先生成：`{command}`。",
        )
    return run.id


def _show_catalogue(found: dict[str, Any]) -> None:
    table = Table("report 报表", "requester 需求单位", "frequency", "runs", "last run", "taken by", "flag")
    for r in found["reports"]:
        last = r["last_run"]["period"] if r["last_run"] else "-"
        flag = "retired 已停用" if r["retired"] else ("retire? 建议停用" if r["flag_retire"] else "")
        table.add_row(f"{r['name']}\n{r['title']}", r["requester"], FREQUENCY_ZH[r["frequency"]], str(r["runs"]),
                      last, ", ".join(r["taken_by"]) or "-", flag)  # fmt: skip
    console.print(table)
    for b in found["broken"]:
        console.print(f"[red]{b['name']}[/]: {b['error']}")
    hours = found["minutes_saved"] / 60
    console.print(f"Hand-filling time saved 节省填报时间: {hours:,.1f} h")


def _show_report(found: dict[str, Any]) -> None:
    console.print(f"[bold]{found['title']}[/] ({found['name']}) for {found['requester']}, "
                  f"{FREQUENCY_ZH[found['frequency']]}, issued by {found['department']}")  # fmt: skip
    table = Table("run", "period 报告期", "snapshot 数据截至", "hash", "trigger", "taken by")
    for r in found["runs"]:
        takers = [f"{x['who']} ({x['format']})" for x in r["receipts"]]
        takers += [f"{d['target']}: {d['status']}" for d in r.get("deliveries", [])]
        later = r.get("replaced_by")
        run = f"{r['id']} (replaced by {later['id']} 已被第 {later['id']} 次替代)" if later else str(r["id"])
        table.add_row(run, r["period"], r["snapshot_local"], (r["content_hash"] or "")[:12], r["trigger"],
                      ", ".join(takers) or "-")  # fmt: skip
    console.print(table)


def _show_run(found: dict[str, Any]) -> None:
    header, rows = table_rows(found["figures"])
    table = Table(*header)
    for row in rows:
        table.add_row(*["" if value is None else str(value) for value in row])
    console.print(f"[bold]{found['title']}[/] {found['period']} · run {found['id']} · {found['content_hash'][:12]}")
    console.print(table)
    changes = found["changes"]
    if changes:
        if changes["same"]:
            console.print(f"Same figures as run {changes['since_run']}. 与第 {changes['since_run']} 次结果一致。")
        else:
            figures, late = len(changes["figures"]), changes["late"]["count"]
            console.print(f"Changed since run {changes['since_run']}: {figures} figure(s), {late} late row(s). "
                          f"与上次相比有变化：{figures} 项数据变动，{late} 条迟到数据。")  # fmt: skip
            for c in changes["figures"][:20]:
                console.print(f"  {c['group']} {c['measure']}: {c['before']} -> {c['after']}")
