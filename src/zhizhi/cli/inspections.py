"""`zhizhi inspections`: random inspections (双随机、一公开) — the item list and the two registers, plans and their
seeded draws, checking a draw, visits, results entered once, and publication."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from zhizhi.cli.common import (
    JsonOption,
    Table,
    check_output,
    console,
    emit,
    operator,
    output_file,
    read_input,
    transaction,
)
from zhizhi.cli.inspection_registers import (
    day_option,
    inspectors_app,
    items_app,
    read_yaml_input,
    said,
    targets_app,
)
from zhizhi.errors import InputError
from zhizhi.inspections import (
    add_photo,
    assign,
    create_plan,
    export_package,
    get_visit,
    list_visits,
    parse_rules,
    publication_view,
    publish,
    run_draw,
    staff,
    staffing_as_dict,
    verify_draw,
    verify_package,
    visit_view,
)
from zhizhi.inspections.draws import draw_number_of, list_draws
from zhizhi.inspections.plans import new_draw
from zhizhi.inspections.publication import PUBLICATIONS_FOLDER
from zhizhi.inspections.results import enter_results, parse_entry
from zhizhi.store import MAX_ID

app = typer.Typer(
    help="Random inspections (双随机、一公开): registers, draws, visits, publication.", no_args_is_help=True
)
app.add_typer(items_app, name="items")
app.add_typer(targets_app, name="targets")
app.add_typer(inspectors_app, name="inspectors")


def _shares(values: list[str]) -> dict[str, str]:
    shares = {}
    for value in values:
        risk_class, _, percent = value.partition("=")
        if not percent:
            raise InputError(f"--class `{value}`: write CLASS=PERCENT, e.g. high=20.", zh="--class 格式应为 high=20。")
        shares[risk_class.strip()] = percent.strip()
    return shares


@app.command("plan")
def plan(
    ctx: typer.Context,
    number: str = typer.Argument(..., help="The plan's number, e.g. 2026Q4."),
    title: str = typer.Option(..., "--title"),
    department: str = typer.Option(..., "--department", "-d", help="The organising department's code."),
    first: str = typer.Option(..., "--from", help="First day of the period."),
    last: str = typer.Option(..., "--to", help="Last day of the period."),
    file: Path | None = typer.Option(None, "--file", help="The rules as YAML (items, proportions, ...)."),
    item: list[str] = typer.Option([], "--item", help="An item's code; repeat."),
    shares: list[str] = typer.Option([], "--class", help="CLASS=PERCENT, e.g. high=20; repeat."),
    team: int = typer.Option(2, "--team", min=0, max=MAX_ID, help="Inspectors per target (at least 2)."),
    recent_months: int = typer.Option(12, "--recent-months", min=0, max=MAX_ID, help="Inspected within: recent."),
    recent: str = typer.Option("exclude", "--recent", help="exclude or downweight recent targets."),
    recent_weight: int = typer.Option(
        50, "--recent-weight", min=0, max=MAX_ID, help="downweight: percent of recent targets kept."
    ),
    same_months: int = typer.Option(
        24, "--same-inspector-months", min=0, max=MAX_ID, help="No inspector on the same target within."
    ),
    own_office: bool = typer.Option(True, "--own-office-excluded/--own-office-allowed"),
    division: list[str] = typer.Option([], "--division", help="Only targets of this division code prefix; repeat."),
    office: list[str] = typer.Option([], "--office", help="Only targets of this office's subtree; repeat."),
    as_json: bool = JsonOption,
) -> None:
    """Create a draw plan and commit its draw's seed (its SHA-256 only) to the ledger, before anything is drawn."""
    if file is not None:
        raw = read_yaml_input(file) or {}
    else:
        raw = {
            "items": item,
            "proportions": _shares(shares),
            "team_size": team,
            "recent_months": recent_months,
            "recent_rule": recent,
            "recent_weight": recent_weight,
            "same_inspector_months": same_months,
            "exclude_own_office": own_office,
            "population": {"divisions": division, "offices": office},
        }
    rules = parse_rules(raw, f"`{file.name}`" if file else "The plan's options")
    with transaction(ctx) as (workspace, session):
        draw = create_plan(
            session,
            operator(),
            workspace.keys_dir,
            number=number,
            title=title,
            department=department,
            first=day_option(first, "--from"),
            last=day_option(last, "--to"),
            rules=rules,
        )
        found = {"plan": number, "draw": draw.number, "seed_hash": draw.seed_hash, "commit_seq": draw.commit_seq}
    said(
        found,
        as_json,
        f"Plan {number}: draw [bold]{found['draw']}[/] committed (seed SHA-256 "
        f"{found['seed_hash']}, ledger entry {found['commit_seq']}). Draw it with "
        f"`zhizhi inspections draw {found['draw']}`.",
    )


@app.command("redraw")
def redraw(
    ctx: typer.Context,
    plan_number: str = typer.Argument(..., help="The plan's number."),
    reason: str = typer.Option(..., "--reason", help="Why: a second round, a seed lost before its draw ..."),
    as_json: bool = JsonOption,
) -> None:
    """Commit another draw of a plan (its seed's SHA-256 in the ledger with the reason); every draw stays on record."""
    with transaction(ctx) as (workspace, session):
        draw = new_draw(session, operator(), workspace.keys_dir, plan_number, reason)
        found = {"plan": plan_number, "draw": draw.number, "seed_hash": draw.seed_hash, "commit_seq": draw.commit_seq}
    said(found, as_json, f"Draw [bold]{found['draw']}[/] committed (seed SHA-256 {found['seed_hash']}).")


@app.command("staff")
def staff_unstaffed(
    ctx: typer.Context,
    number: str = typer.Argument(..., help="A drawn draw that left firms unstaffed."),
    reason: str = typer.Option(..., "--reason", help="Why now: inspectors added, certificates recorded ..."),
    visit: str | None = typer.Option(
        None, "--visit", help="A visit of the draw whose team cannot be completed: a new team for its firm."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Commit a staffing draw of the firms a draw left unstaffed, or of one visit's firm whose team cannot be
    completed (its seed's SHA-256 in the ledger); run it with `inspections draw`. Its population is those firms
    only, on today's inspector register."""
    with transaction(ctx) as (workspace, session):
        found = staffing_as_dict(staff(session, operator(), workspace, number, reason, visit=visit), number)
    what = f"the firm of visit {visit}" if visit else f"{found['population']} firm(s) left unstaffed by {number}"
    said(found, as_json, f"Staffing draw [bold]{found['draw']}[/] of {what} committed (seed SHA-256 "
                         f"{found['seed_hash']}); run it with `zhizhi inspections draw {found['draw']}`.")  # fmt: skip


@app.command("plans")
def plans(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """The plans and their draws."""
    with transaction(ctx) as (_, session):
        found = list_draws(session, operator())

    def show() -> None:
        table = Table("draw 抽取", "plan 计划", "department", "status", "population", "visits", "seed SHA-256")
        for d in found:
            visits = (d["summary"] or {}).get("visits", "")
            table.add_row(
                d["number"],
                d["title"],
                d["department"],
                d["status"],
                str(d["population"] or ""),
                str(visits),
                d["seed_hash"][:16],
            )
        console.print(table)

    emit(found, as_json, show)


@app.command("draw")
def draw(
    ctx: typer.Context,
    number: str = typer.Argument(..., help="A draw's number (or its plan's)."),
    as_json: bool = JsonOption,
) -> None:
    """Run a committed draw on the population frozen at its commitment: select, staff the visits, reveal the seed."""
    with transaction(ctx) as (workspace, session):
        found = run_draw(session, operator(), workspace, draw_number_of(session, operator(), number))
    summary = found["summary"]
    said(
        found,
        as_json,
        f"Draw [bold]{found['number']}[/]: {summary['visits']} visits ({summary['joint_visits']} "
        f"joint) from {found['population']:,} targets and {found['inspectors']} inspectors; seed "
        f"{found['seed']} revealed (ledger entry {found['reveal_seq']}).{_draw_warnings(summary, found['number'])}",
    )


def _draw_warnings(summary: dict[str, Any], number: str) -> str:
    """What the draw leaves to do: firms drawn with no team, firms another visit already waits for."""
    said = ""
    if summary.get("unstaffed"):
        count = len(summary["unstaffed"])
        said += (
            f"\n[red]{count} drawn firm(s) got no full team (fewer inspectors qualified and free of conflicts than "
            "the plan's team size): "
            f"not visited yet. Add or certify inspectors, then `zhizhi inspections staff {number} --reason ...`. "
            f"抽中的 {count} 户因可派检查人员不足一个检查组未能派员；请补充检查人员后补充抽取（inspections staff）。[/]"
        )
    if summary.get("to_merge"):
        pairs = ", ".join(f"{a}+{b}" for a, b in summary["to_merge"][:10])
        said += (
            f"\n[yellow]{len(summary['to_merge'])} firm(s) already have a visit waiting: merge them with "
            f"`zhizhi inspections assign VISIT --merge OTHER` ({pairs}). 同一企业已有待检任务，请合并检查。[/]"
        )
    return said


@app.command("verify-draw")
def verify(
    ctx: typer.Context,
    number: str | None = typer.Argument(None, help="A draw's number (or its plan's)."),
    export: Path | None = typer.Option(None, "--export", help="Also write the draw's package for outsiders here."),
    package: Path | None = typer.Option(None, "--package", help="Check an exported package; needs no workspace."),
    key: str | None = typer.Option(
        None, "--key", help="With --package: the ledger key's fingerprint the bureau publishes (SHA256:...)."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Re-run a draw from its seed and frozen snapshot and check it against the ledger and the visits; exit 1 when
    any check fails."""
    if package is not None:
        found = verify_package(package, key).as_dict()
    elif number is None:
        raise InputError("Give a draw's number, or --package DIR.", zh="请给出抽取编号或 --package 目录。")
    else:
        with transaction(ctx) as (workspace, session):
            chosen = draw_number_of(session, operator(), number)
            found = verify_draw(session, operator(), workspace, chosen).as_dict()
            if export is not None:
                found["exported"] = [str(p) for p in export_package(session, operator(), workspace, chosen, export)]

    def show() -> None:
        for check in found["checks"]:
            mark = "[green]✓[/]" if check["ok"] else "[red]✗[/]"
            console.print(f"{mark} {check['check']}: {check['detail']}")
        console.print(
            "The draw is reproduced. 抽取结果可复核。" if found["ok"] else "[red]The draw does not check out.[/]"
        )
        if found["ok"] and found.get("key_checked") is False:
            console.print(
                "[yellow]The signing key was not checked: anyone can sign a package with a key of their own. Give "
                "--key with the fingerprint the bureau publishes. "
                "未核对签名密钥：请用 --key 给出监管局公布的密钥指纹。[/]"
            )

    emit(found, as_json, show)
    if not found["ok"]:
        raise typer.Exit(1)


@app.command("visits")
def visits(
    ctx: typer.Context,
    draw_number: str | None = typer.Option(None, "--draw"),
    status: str | None = typer.Option(None, "--status", help="assigned, done or merged."),
    limit: int = typer.Option(100, "--limit", min=1, max=1000),
    as_json: bool = JsonOption,
) -> None:
    """The visits, by draw and rank."""
    with transaction(ctx) as (_, session):
        found = list_visits(session, operator(), draw=draw_number, status=status, limit=limit)

    def show() -> None:
        table = Table("visit 任务", "entity 对象", "class", "status", "inspected 检查日", "result", "publish by")
        for v in found:
            table.add_row(
                v["number"],
                v["entity_name"],
                v["risk_class"] or "",
                v["status"],
                v["inspected_on"] or "",
                v["result"] or "",
                v["publish_by"] or "",
            )
        console.print(table)

    emit(found, as_json, show)


@app.command("visit")
def visit(ctx: typer.Context, number: str = typer.Argument(...), as_json: bool = JsonOption) -> None:
    """One visit: target, team, items and findings."""
    with transaction(ctx) as (_, session):
        found = visit_view(session, operator(), get_visit(session, operator(), number))
    emit(found, as_json, lambda: console.print_json(json.dumps(found, ensure_ascii=False)))


@app.command("assign")
def assign_visit(
    ctx: typer.Context,
    number: str = typer.Argument(..., help="The visit's number."),
    on: str | None = typer.Option(None, "--on", help="Plan the visit for this day (YYYY-MM-DD)."),
    replace: str | None = typer.Option(None, "--replace", help="A team member who cannot go (username)."),
    reason: str = typer.Option("", "--reason", help="Why (with --replace)."),
    merge: str | None = typer.Option(None, "--merge", help="Another visit to the same entity, to join this one."),
    as_json: bool = JsonOption,
) -> None:
    """Plan a visit's day, replace a team member by the draw's next inspector, or merge a visit into it."""
    with transaction(ctx) as (workspace, session):
        found = assign(
            session,
            operator(),
            workspace,
            number,
            planned_on=day_option(on, "--on") if on else None,
            replace=replace,
            reason=reason,
            merge=merge,
        )
    said(found, as_json, f"Visit {number}: {json.dumps(found, ensure_ascii=False)}")


@app.command("record")
def record(
    ctx: typer.Context,
    number: str = typer.Argument(..., help="The visit's number."),
    file: Path = typer.Option(..., "--file", help="The results as YAML or JSON (see docs/inspections.md)."),
    photo: list[Path] = typer.Option([], "--photo", help="A photo of the visit; repeat."),
    keep_location: bool = typer.Option(False, "--keep-location", help="Keep the photos' GPS location."),
    as_json: bool = JsonOption,
) -> None:
    """Enter a visit's results once: each department gets its inspection record through the outbox."""
    entry = parse_entry(read_yaml_input(file), f"`{file.name}`")
    with transaction(ctx) as (workspace, session):
        found = enter_results(session, operator(), workspace, number, entry)
        found["photos"] = [
            add_photo(session, operator(), workspace, number, read_input(p), keep_location=keep_location) for p in photo
        ]
    owed = sorted({t for r in found["records"] for t in r["owed_to"]})
    said(
        found,
        as_json,
        f"Visit {number}: {found['result']}; {len(found['records'])} record(s), owed to "
        f"{', '.join(owed) or 'no platform'}; " + (
            f"publish by {found['publish_by']}." if found["publish_by"]
            else "publish by: unknown, the working-day calendar lacks a year the deadline falls in: add it "
            "(calendar/YEAR.yaml, see docs/hotline.md). 公示期限未知：工作日历缺少所需年份，请补充 calendar/年份.yaml。"
        ),
    )


@app.command("publish")
def publish_results(
    ctx: typer.Context,
    out: Path | None = typer.Option(None, "--out", "-o", help="Where to write the export (default: its name here)."),
    through: str | None = typer.Option(None, "--through", help="Only visits inspected up to this day."),
    check: bool = typer.Option(False, "--check", help="Only show the clock and the breach list."),
    as_json: bool = JsonOption,
) -> None:
    """Export the inspected visits not yet published for the credit publicity system, and show the clock."""
    if out is not None and not check:
        check_output(out, folder_ok=True)  # before anything is published
    with transaction(ctx) as (workspace, session):
        if not check:
            made, body = publish(
                session, operator(), workspace, through=day_option(through, "--through") if through else None
            )
        found: dict[str, Any] = publication_view(session, operator(), workspace)
        if not check:
            found["published"] = made
    if not check:  # the copy once the publication is committed: none is left of one rolled back
        path = (out / made["file"] if out.is_dir() else out) if out else Path(made["file"])
        _write_copy(path, made, workspace.data_dir / PUBLICATIONS_FOLDER / made["file"], body)
        made["path"] = str(path)

    def show() -> None:
        if "published" in found:
            console.print(f"Wrote [bold]{found['published']['path']}[/]: {len(found['published']['visits'])} visits.")
        for b in found["breaches"]:
            console.print(f"[red]{b['status']}[/] {b['number']} {b['entity_name']}: publish by {b['publish_by']}")
        console.print(f"{len(found['waiting'])} waiting, {len(found['breaches'])} breach(es) 超期.")

    emit(found, as_json, show)


def _write_copy(path: Path, made: dict[str, Any], kept: Path, body: bytes) -> None:
    """Write the copy of a committed publication; if it cannot be written, say where the publication's file is."""
    try:
        with output_file(path) as written:
            written.write_bytes(body)
    except InputError as exc:
        raise InputError(
            f"{exc.message} Publication `{made['number']}` is made all the same: its file is kept as `{kept}`.",
            zh=f"{exc.message_zh} 公示批次 `{made['number']}` 已生成，其文件保存在 `{kept}`。",
        ) from exc
