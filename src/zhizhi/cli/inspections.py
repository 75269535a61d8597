"""`zhizhi inspections`: random inspections (双随机、一公开) — the item list and the two registers, plans and their
seeded draws, checking a draw, visits, results entered once, and publication."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import typer
import yaml

from zhizhi.cli.common import JsonOption, Table, console, emit, operator, transaction
from zhizhi.errors import InputError
from zhizhi.inspections import (
    add_photo,
    assign,
    create_plan,
    declare_relation,
    export_inspectors,
    export_items,
    export_package,
    export_targets,
    get_target,
    get_visit,
    import_inspectors,
    import_items,
    import_targets,
    list_inspectors,
    list_items,
    list_targets,
    list_visits,
    parse_rules,
    publication_view,
    publish,
    refresh_inspectors,
    refresh_targets,
    run_draw,
    set_inspector,
    verify_draw,
    verify_package,
    visit_view,
)
from zhizhi.inspections.draws import draw_number_of, list_draws
from zhizhi.inspections.plans import new_draw
from zhizhi.inspections.results import enter_results, parse_entry

app = typer.Typer(
    help="Random inspections (双随机、一公开): registers, draws, visits, publication.", no_args_is_help=True
)
items_app = typer.Typer(help="The inspection-item list (抽查事项清单).", no_args_is_help=True)
targets_app = typer.Typer(help="The inspection-target register (检查对象名录库).", no_args_is_help=True)
inspectors_app = typer.Typer(help="The inspector register (执法检查人员名录库).", no_args_is_help=True)
app.add_typer(items_app, name="items")
app.add_typer(targets_app, name="targets")
app.add_typer(inspectors_app, name="inspectors")


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"Cannot read `{path}`: {exc.strerror}.", zh=f"无法读取 `{path}`。") from None


def _said(found: Any, as_json: bool, line: str) -> None:
    emit(found, as_json, lambda: console.print(line))


@items_app.command("list")
def items_list(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """The item list."""
    with transaction(ctx) as (_, session):
        found = list_items(session, operator())

    def show() -> None:
        table = Table("code 编码", "item 抽查事项", "department 部门", "applies to 适用", "qualification 资格")
        for i in found:
            table.add_row(i["code"], i["name"], i["department"], "、".join(i["record_types"]), i["qualification"] or "")
        console.print(table)

    emit(found, as_json, show)


@items_app.command("import")
def items_import(
    ctx: typer.Context, path: Path = typer.Argument(..., help="An .xlsx of the item list."), as_json: bool = JsonOption
) -> None:
    """Add or change items from Excel; a file with any problem changes nothing (each problem is named)."""
    with transaction(ctx) as (_, session):
        found = import_items(session, operator(), _read(path), path.name).as_dict()
    _said(
        found, as_json, f"Items: {found['created']} new, {found['updated']} changed, {found['unchanged']} as they were."
    )


@items_app.command("export")
def items_export(
    ctx: typer.Context, path: Path = typer.Argument(..., help="The .xlsx to write."), as_json: bool = JsonOption
) -> None:
    """Write the item list to Excel (the columns an import reads)."""
    with transaction(ctx) as (_, session):
        path.write_bytes(export_items(session, operator()))
    _said({"path": str(path)}, as_json, f"Wrote [bold]{path}[/].")


@targets_app.command("refresh")
def targets_refresh(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Rebuild the target register from the entity register (classes set by hand are kept)."""
    with transaction(ctx) as (_, session):
        found = refresh_targets(session, operator()).as_dict()
    _said(found, as_json, f"{found['targets']:,} targets: {found['by_class']}; {found['inactive']:,} not drawable.")


@targets_app.command("list")
def targets_list(
    ctx: typer.Context,
    query: str = typer.Option("", "--query", "-q", help="Part of a name, or a credit code."),
    risk_class: str | None = typer.Option(None, "--class", help="high, medium or low."),
    limit: int = typer.Option(50, "--limit", min=1, max=1000),
    as_json: bool = JsonOption,
) -> None:
    """A page of the target register, with each target's class and reasons."""
    with transaction(ctx) as (_, session):
        found = list_targets(session, operator(), query=query, risk_class=risk_class, limit=limit)

    def show() -> None:
        table = Table("entity", "name 名称", "office 属地", "class 风险", "reasons 依据")
        for t in found["targets"]:
            table.add_row(
                str(t["entity_id"]),
                t["name"] or "",
                t["office"] or "",
                t["risk_class_zh"],
                "；".join(r["zh"] for r in t["reasons"]),
            )
        console.print(table)
        console.print(f"{found['total']:,} targets; by class 按风险: {found['by_class']}")

    emit(found, as_json, show)


@targets_app.command("show")
def targets_show(ctx: typer.Context, entity_id: int = typer.Argument(..., min=1), as_json: bool = JsonOption) -> None:
    """One target and why it has its class."""
    with transaction(ctx) as (_, session):
        found = get_target(session, operator(), entity_id)
    emit(found, as_json, lambda: console.print_json(json.dumps(found, ensure_ascii=False)))


@targets_app.command("import")
def targets_import(
    ctx: typer.Context, path: Path = typer.Argument(..., help="An .xlsx naming targets."), as_json: bool = JsonOption
) -> None:
    """Set classes (with a reason) or offices by hand from Excel; `自动` clears what was set."""
    with transaction(ctx) as (_, session):
        found = {"applied": import_targets(session, operator(), _read(path), path.name)}
    _said(found, as_json, f"{found['applied']:,} targets changed.")


@targets_app.command("export")
def targets_export(
    ctx: typer.Context, path: Path = typer.Argument(..., help="The .xlsx to write."), as_json: bool = JsonOption
) -> None:
    """Write the whole target register to Excel."""
    with transaction(ctx) as (_, session):
        path.write_bytes(export_targets(session, operator()))
    _said({"path": str(path)}, as_json, f"Wrote [bold]{path}[/].")


@inspectors_app.command("refresh")
def inspectors_refresh(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Enter every active handler not yet in the register, for their own department."""
    with transaction(ctx) as (_, session):
        found = {"added": refresh_inspectors(session, operator())}
    _said(found, as_json, f"{found['added']} inspector(s) entered.")


@inspectors_app.command("list")
def inspectors_list(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """The inspector register."""
    with transaction(ctx) as (_, session):
        found = list_inspectors(session, operator())

    def show() -> None:
        table = Table("user", "name 姓名", "office 单位", "qualifications 资格", "available 可派")
        for i in found:
            table.add_row(
                i["username"],
                i["display_name"],
                i["office"],
                "、".join(i["qualifications"]),
                "是" if i["available"] else f"否 {i['unavailable_until'] or ''}",
            )
        console.print(table)

    emit(found, as_json, show)


@inspectors_app.command("set")
def inspectors_set(
    ctx: typer.Context,
    username: str = typer.Argument(...),
    office: str | None = typer.Option(None, "--office", help="The department code they inspect for."),
    qualifications: str | None = typer.Option(None, "--qualifications", help="e.g. 食品、特种设备"),
    certificate: str | None = typer.Option(None, "--certificate", help="执法证号"),
    available: bool | None = typer.Option(None, "--available/--unavailable"),
    until: str | None = typer.Option(None, "--until", help="Unavailable until this day (YYYY-MM-DD)."),
    as_json: bool = JsonOption,
) -> None:
    """Enter or change one inspector."""
    with transaction(ctx) as (_, session):
        _, state = set_inspector(
            session,
            operator(),
            username,
            office=office,
            qualifications=qualifications,
            certificate=certificate,
            available=available,
            unavailable_until=_day(until, "--until") if until else None,
        )
    _said({"username": username, "state": state}, as_json, f"Inspector {username}: {state}.")


@inspectors_app.command("relate")
def inspectors_relate(
    ctx: typer.Context,
    username: str = typer.Argument(...),
    entity_id: int = typer.Argument(..., min=1),
    relation: str = typer.Option(..., "--relation", help="What the relation is, e.g. 配偶经营."),
    as_json: bool = JsonOption,
) -> None:
    """Record a declared relation (回避): the inspector is never drawn for that entity."""
    with transaction(ctx) as (_, session):
        found = {"id": declare_relation(session, operator(), username, entity_id, relation)}
    _said(found, as_json, f"Relation {found['id']} recorded: {username} is kept off entity {entity_id}.")


@inspectors_app.command("import")
def inspectors_import(ctx: typer.Context, path: Path = typer.Argument(...), as_json: bool = JsonOption) -> None:
    """Enter or change inspectors from Excel; a file with any problem changes nothing."""
    with transaction(ctx) as (_, session):
        found = import_inspectors(session, operator(), _read(path), path.name).as_dict()
    _said(found, as_json, f"Inspectors: {found['created']} new, {found['updated']} changed.")


@inspectors_app.command("export")
def inspectors_export(ctx: typer.Context, path: Path = typer.Argument(...), as_json: bool = JsonOption) -> None:
    """Write the inspector register to Excel."""
    with transaction(ctx) as (_, session):
        path.write_bytes(export_inspectors(session, operator()))
    _said({"path": str(path)}, as_json, f"Wrote [bold]{path}[/].")


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{option} `{text}` is not a date: write YYYY-MM-DD.", zh=f"{option} 应为日期。") from None


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
    team: int = typer.Option(2, "--team", help="Inspectors per target (at least 2)."),
    recent_months: int = typer.Option(12, "--recent-months", help="Inspected within: recent."),
    recent: str = typer.Option("exclude", "--recent", help="exclude or downweight recent targets."),
    recent_weight: int = typer.Option(50, "--recent-weight", help="downweight: percent of recent targets kept."),
    same_months: int = typer.Option(24, "--same-inspector-months", help="No inspector on the same target within."),
    own_office: bool = typer.Option(True, "--own-office-excluded/--own-office-allowed"),
    division: list[str] = typer.Option([], "--division", help="Only targets of this division code prefix; repeat."),
    office: list[str] = typer.Option([], "--office", help="Only targets of this office's subtree; repeat."),
    as_json: bool = JsonOption,
) -> None:
    """Create a draw plan and commit its draw's seed (its SHA-256 only) to the ledger, before anything is drawn."""
    if file is not None:
        raw = yaml.safe_load(_read(file).decode("utf-8")) or {}
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
            first=_day(first, "--from"),
            last=_day(last, "--to"),
            rules=rules,
        )
        found = {"plan": number, "draw": draw.number, "seed_hash": draw.seed_hash, "commit_seq": draw.commit_seq}
    _said(
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
    _said(found, as_json, f"Draw [bold]{found['draw']}[/] committed (seed SHA-256 {found['seed_hash']}).")


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
    """Run a committed draw: freeze the population, select, staff the visits, reveal the seed."""
    with transaction(ctx) as (workspace, session):
        found = run_draw(session, operator(), workspace, draw_number_of(session, operator(), number))
    summary = found["summary"]
    _said(
        found,
        as_json,
        f"Draw [bold]{found['number']}[/]: {summary['visits']} visits ({summary['joint_visits']} "
        f"joint) from {found['population']:,} targets and {found['inspectors']} inspectors; seed "
        f"{found['seed']} revealed (ledger entry {found['reveal_seq']}).",
    )


@app.command("verify-draw")
def verify(
    ctx: typer.Context,
    number: str | None = typer.Argument(None, help="A draw's number (or its plan's)."),
    export: Path | None = typer.Option(None, "--export", help="Also write the draw's package for outsiders here."),
    package: Path | None = typer.Option(None, "--package", help="Check an exported package; needs no workspace."),
    as_json: bool = JsonOption,
) -> None:
    """Re-run a draw from its seed and frozen snapshot and check it against the ledger and the visits; exit 1 when
    any check fails."""
    if package is not None:
        found = verify_package(package).as_dict()
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
            planned_on=_day(on, "--on") if on else None,
            replace=replace,
            reason=reason,
            merge=merge,
        )
    _said(found, as_json, f"Visit {number}: {json.dumps(found, ensure_ascii=False)}")


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
    try:
        raw = yaml.safe_load(_read(file).decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(
            f"`{file.name}` is not UTF-8 YAML or JSON: {str(exc)[:200]}.", zh="结果文件格式错误。"
        ) from exc
    entry = parse_entry(raw, f"`{file.name}`")
    with transaction(ctx) as (workspace, session):
        found = enter_results(session, operator(), workspace, number, entry)
        found["photos"] = [
            add_photo(session, operator(), workspace, number, _read(p), keep_location=keep_location) for p in photo
        ]
    owed = sorted({t for r in found["records"] for t in r["owed_to"]})
    _said(
        found,
        as_json,
        f"Visit {number}: {found['result']}; {len(found['records'])} record(s), owed to "
        f"{', '.join(owed) or 'no platform'}; publish by {found['publish_by']}.",
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
    with transaction(ctx) as (workspace, session):
        if not check:
            made, body = publish(
                session, operator(), workspace, through=_day(through, "--through") if through else None
            )
            path = (out / made["file"] if out.is_dir() else out) if out else Path(made["file"])
            path.write_bytes(body)
            made["path"] = str(path)
        found: dict[str, Any] = publication_view(session, operator(), workspace)
        if not check:
            found["published"] = made

    def show() -> None:
        if "published" in found:
            console.print(f"Wrote [bold]{found['published']['path']}[/]: {len(found['published']['visits'])} visits.")
        for b in found["breaches"]:
            console.print(f"[red]{b['status']}[/] {b['number']} {b['entity_name']}: publish by {b['publish_by']}")
        console.print(f"{len(found['waiting'])} waiting, {len(found['breaches'])} breach(es) 超期.")

    emit(found, as_json, show)
