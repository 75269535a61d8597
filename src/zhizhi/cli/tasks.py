"""`zhizhi tasks`: tasks across departments and the workload, at the terminal.

The operator acts for every side (a handover's giver and receiver alike); each step is audited under the operator's
name. Web users act only for their own departments (docs/tasks.md).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

import typer
from rich.text import Text

from zhizhi import tasks, workload
from zhizhi.cli.common import (
    JsonOption,
    OffsetOption,
    Table,
    console,
    emit,
    id_argument,
    operator,
    output_file,
    transaction,
)
from zhizhi.errors import InputError
from zhizhi.hotline import load_calendar
from zhizhi.store import MAX_ID
from zhizhi.store.types import local_today

app = typer.Typer(help="Tasks across departments (a lead, parts with owners and deadlines) and the workload.",
                  no_args_is_help=True)  # fmt: skip
Part = id_argument(help="The part's id (see `zhizhi tasks show NUMBER`).")
Reason = typer.Option(..., "--reason", help="Why (kept in the audit trail).")


@app.command("new")
def new_command(
    ctx: typer.Context,
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The task as .yaml or .xlsx (docs/tasks.md)."),
    as_json: bool = JsonOption,
) -> None:
    """Create a task from a YAML file or an Excel workbook: its lead, and its parts with owners and deadlines."""
    spec = tasks.read_task_file(file)
    with transaction(ctx) as (workspace, session):
        task = tasks.create_task(session, operator(), spec, load_calendar(workspace.root), source=file.name)
        view = tasks.task_view(session, operator(), task)
    emit(view, as_json, lambda: _show(view))


@app.command("list")
def list_command(
    ctx: typer.Context,
    state: str | None = typer.Option(None, "--state", help="open, done or overdue (default: all)."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
    offset: int = OffsetOption,
    as_json: bool = JsonOption,
) -> None:
    """Tasks, newest first: lead, parts done and overdue, the next deadline."""
    with transaction(ctx) as (_, session):
        rows = tasks.task_rows(session, tasks.list_tasks(session, operator(), state=state, limit=limit, offset=offset))

    def show() -> None:
        table = Table("任务 task", "标题 title", "牵头 lead", "办结 done", "逾期 overdue", "最近期限 next deadline")
        for r in rows:
            table.add_row(r["number"], r["title"], r["lead"]["name"], f"{r['done']}/{r['parts']}", str(r["overdue"]),
                          r["next_deadline"] or "—")  # fmt: skip
        console.print(table)

    emit(rows, as_json, show)


@app.command("show")
def show_command(
    ctx: typer.Context, number: str = typer.Argument(..., help="The task's number, e.g. RW2026-0007."),
    as_json: bool = JsonOption,
) -> None:  # fmt: skip
    """One task: each part's owner, deadline, state, handovers and evidence."""
    with transaction(ctx) as (_, session):
        view = tasks.task_view(session, operator(), tasks.get_task(session, operator(), number))
    emit(view, as_json, lambda: _show(view))


def _show(view: dict[str, Any]) -> None:
    console.print(f"[bold]{view['number']}[/] {view['title']} · 牵头 lead {view['lead']['name']} · "
                  f"{view['done']}/{view['parts']} 办结 done · {view['overdue']} 逾期 overdue")  # fmt: skip
    table = Table("id", "分工 part", "部门 department", "负责人 owner", "期限 deadline", "状态 status", "移交 handover")
    for p in view["items"]:
        state = "逾期 overdue" if p["overdue"] else p["status"]
        waiting = p["handover"]
        table.add_row(str(p["id"]), p["title"], p["department"]["name"], (p["owner"] or {}).get("name", "—"),
                      p["deadline"], state, f"→ {waiting['to']['name']}" if waiting else "")  # fmt: skip
    console.print(table)


def _part_done(as_json: bool, part_id: int, data: dict[str, Any], line: str) -> None:
    emit({"part": part_id, **data}, as_json, lambda: console.print(line))


@app.command("assign")
def assign_command(
    ctx: typer.Context, part: int = Part,
    user: str = typer.Option(..., "--user", help="A user of the part's department who owns it from now on."),
    as_json: bool = JsonOption,
) -> None:  # fmt: skip
    """Name the person of the part's department who owns it (another office's: `zhizhi tasks handover`)."""
    with transaction(ctx) as (_, session):
        tasks.assign(session, operator(), tasks.get_part(session, operator(), part), user)
    _part_done(as_json, part, {"owner": user}, f"分工 {part} → {user}")


@app.command("handover")
def handover_command(
    ctx: typer.Context, part: int = Part,
    to: str = typer.Option(..., "--to", help="Code of the department offered the part."),
    person: str | None = typer.Option(None, "--person", help="A user of that department to own it."),
    reason: str = Reason, as_json: bool = JsonOption,
) -> None:  # fmt: skip
    """Offer a part to another department; it stays the giver's until the receiver accepts."""
    with transaction(ctx) as (_, session):
        found = tasks.get_part(session, operator(), part)
        handover = tasks.hand_over(session, operator(), found, department=to, person=person, reason=reason)
        handover_id = handover.id
    _part_done(as_json, part, {"handover": handover_id, "to": to, "status": "pending"},
               f"分工 {part} 移交 {to}，待对方接收 offered, waiting for the receiver")  # fmt: skip


@app.command("accept")
def accept_command(ctx: typer.Context, part: int = Part, as_json: bool = JsonOption) -> None:
    """Accept the part offered: from now on it is the receiving department's."""
    with transaction(ctx) as (_, session):
        tasks.accept(session, operator(), tasks.get_part(session, operator(), part))
    _part_done(as_json, part, {"status": "accepted"}, f"分工 {part} 已接收 accepted")


@app.command("refuse")
def refuse_command(ctx: typer.Context, part: int = Part, reason: str = Reason, as_json: bool = JsonOption) -> None:
    """Refuse the part offered, with a reason; the giver keeps it."""
    with transaction(ctx) as (_, session):
        tasks.decline(session, operator(), tasks.get_part(session, operator(), part), reason)
    _part_done(as_json, part, {"status": "refused"}, f"分工 {part} 已拒绝接收 refused: the giver keeps it")


@app.command("withdraw")
def withdraw_command(ctx: typer.Context, part: int = Part, as_json: bool = JsonOption) -> None:
    """Take back an offer the receiver has not answered."""
    with transaction(ctx) as (_, session):
        tasks.withdraw(session, operator(), tasks.get_part(session, operator(), part))
    _part_done(as_json, part, {"status": "withdrawn"}, f"分工 {part} 已撤回移交 withdrawn")


@app.command("done")
def done_command(
    ctx: typer.Context, part: int = Part,
    text: str = typer.Option("", "--text", help="What was done (at most 4,000 characters)."),
    files: list[Path] = typer.Option([], "--file", exists=True, dir_okay=False, help="Evidence file (repeatable)."),
    as_json: bool = JsonOption,
) -> None:  # fmt: skip
    """Mark a part done with the evidence it requires (files, a text, or both)."""
    uploads = [_upload(path) for path in files]
    with transaction(ctx) as (_, session):
        tasks.finish(session, operator(), tasks.get_part(session, operator(), part), text=text, files=uploads)
    _part_done(as_json, part, {"status": "done", "files": len(uploads), "text": bool(text.strip())},
               f"分工 {part} 已办结 done")  # fmt: skip


def _upload(path: Path) -> tasks.Upload:
    size = path.stat().st_size
    if size > tasks.MAX_FILE_BYTES:
        raise tasks.too_big(path.name, size)
    media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return tasks.Upload(path.name, media, path.read_bytes())


@app.command("overdue")
def overdue_command(
    ctx: typer.Context,
    limit: int = typer.Option(200, "--limit", min=1, max=10_000),
    offset: int = OffsetOption,
    as_json: bool = JsonOption,
) -> None:
    """Open parts past their deadline, most overdue first, and how many there are in all."""
    with transaction(ctx) as (_, session):
        rows = tasks.overdue_parts(session, operator(), limit=limit, offset=offset)
        total = tasks.count_overdue(session, operator())

    def show() -> None:
        table = Table("任务 task", "id", "分工 part", "部门 department", "期限 deadline", "逾期天数 days")
        for r in rows:
            table.add_row(r["task"], str(r["part"]), r["title"], r["department"]["name"], r["deadline"],
                          str(r["days_overdue"]))  # fmt: skip
        console.print(table)
        last = offset + len(rows)
        shown = f"{offset + 1:,}-{last:,}" if rows else "0"
        console.print(f"逾期分工 overdue parts {shown} / {total:,}"
                      + (f"; 下一页 next page: --offset {last}" if last < total else ""))  # fmt: skip

    emit({"total": total, "offset": offset, "items": rows}, as_json, show)


@app.command("capacity")
def capacity_command(
    ctx: typer.Context,
    office: str = typer.Argument(..., help="The office's department code."),
    staff: int = typer.Option(..., "--staff", min=0, max=MAX_ID, help="People who do the office's work."),
    per_person: int = typer.Option(
        ..., "--per-person", min=1, max=MAX_ID, help="Work items one person has in hand a month."
    ),
    note: str | None = typer.Option(None, "--note", help="Why these numbers (at most 200 characters)."),
    as_json: bool = JsonOption,
) -> None:
    """Set what an office can carry: its staff and the items one person has in hand in a month."""
    with transaction(ctx) as (_, session):
        row = workload.set_capacity(session, operator(), office, staff=staff, per_person=per_person, note=note)
        data = {"office": office, "staff": row.staff, "per_person": row.per_person,
                "capacity": row.staff * row.per_person, "note": row.note}  # fmt: skip
    emit(data, as_json, lambda: console.print(
        f"{office}: {staff} 人 staff × {per_person} = 承载能力 capacity {data['capacity']}"))  # fmt: skip


@app.command("workload")
def workload_command(
    ctx: typer.Context,
    month: str | None = typer.Option(None, "--month", help="The last month shown, e.g. 2026-11 (default: this one)."),
    count: int = typer.Option(6, "--months", min=1, max=workload.MAX_MONTHS, help="How many months."),
    xlsx: Path | None = typer.Option(None, "--xlsx", dir_okay=False, help="Also write the figures to this workbook."),
    as_json: bool = JsonOption,
) -> None:
    """Workload per office and month against capacity; where the load exceeds it first."""
    if xlsx is not None and xlsx.suffix.lower() != ".xlsx":
        raise InputError(f"`{xlsx}`: name the workbook `.xlsx`.", zh=f"`{xlsx}`：工作簿文件名应以 .xlsx 结尾。")
    with transaction(ctx) as (_, session):
        figures = workload.workload(session, operator(), workload.months(month, count, local_today()))
    if xlsx is not None:
        with output_file(xlsx) as workbook:
            workload.write_workload_xlsx(figures, workbook)

    def show() -> None:
        table = Table("单位 office", "承载 capacity", *figures["months"])
        for row in figures["offices"]:
            cells = [Text(str(m["load"]), "bold red") if m["over"] else m["load"] for m in row["months"]]
            table.add_row(row["department"]["name"], row["capacity"] or "—", *cells)
        console.print(table)
        for over in figures["over"]:
            console.print(f"超负荷 over: {over['department']['name']} {over['month']} "
                          f"{over['load']}/{over['capacity']}")  # fmt: skip

    emit(figures, as_json, show)
