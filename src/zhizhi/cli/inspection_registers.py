"""`zhizhi inspections items|targets|inspectors`: the item list and the two registers (一单两库) — list, import and
export in Excel, refresh from the register and the users, an inspector's settings and declared relations."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import typer
import yaml

from zhizhi.cli.common import (
    JsonOption,
    Table,
    console,
    emit,
    id_argument,
    operator,
    output_file,
    read_input,
    transaction,
)
from zhizhi.config import load_yaml
from zhizhi.errors import InputError
from zhizhi.i18n import translate
from zhizhi.inspections import (
    declare_relation,
    export_inspectors,
    export_items,
    export_targets,
    get_target,
    import_inspectors,
    import_items,
    import_targets,
    list_inspectors,
    list_items,
    list_targets,
    refresh_inspectors,
    refresh_targets,
    set_inspector,
)

items_app = typer.Typer(help="The inspection-item list (抽查事项清单).", no_args_is_help=True)
targets_app = typer.Typer(help="The inspection-target register (检查对象名录库).", no_args_is_help=True)
inspectors_app = typer.Typer(help="The inspector register (执法检查人员名录库).", no_args_is_help=True)
EntityId = id_argument(help="The entity's id (see `zhizhi inspections targets list`).")


def day_option(text: str, option: str) -> date:
    """The date an option gives, or a clear refusal naming the option."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{option} `{text}` is not a date: write YYYY-MM-DD.", zh=f"{option} 应为日期。") from None


def read_yaml_input(path: Path) -> Any:
    """A file of rules or results as YAML or JSON (UTF-8), or the reason it is not one, in both languages."""
    try:
        return load_yaml(read_input(path).decode("utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(f"`{path.name}` is not UTF-8 YAML or JSON: {str(exc)[:200]}. Save it as UTF-8 and check it.",
                         zh=f"`{path.name}` 不是 UTF-8 编码的 YAML 或 JSON：请以 UTF-8 保存并检查格式。") from None


def said(found: Any, as_json: bool, line: str) -> None:
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
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="An .xlsx (or a CSV, UTF-8 or GBK) of the item list."),
    as_json: bool = JsonOption,
) -> None:
    """Add or change items from Excel; a file with any problem changes nothing (each problem is named)."""
    with transaction(ctx) as (_, session):
        found = import_items(session, operator(), read_input(path), path.name).as_dict()
    said(
        found, as_json, f"Items: {found['created']} new, {found['updated']} changed, {found['unchanged']} as they were."
    )


@items_app.command("export")
def items_export(
    ctx: typer.Context, path: Path = typer.Argument(..., help="The .xlsx to write."), as_json: bool = JsonOption
) -> None:
    """Write the item list to Excel (the columns an import reads)."""
    with output_file(path) as written, transaction(ctx) as (_, session):
        written.write_bytes(export_items(session, operator()))
    said({"path": str(path)}, as_json, f"Wrote [bold]{path}[/].")


@targets_app.command("refresh")
def targets_refresh(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Rebuild the target register from the entity register (classes set by hand are kept)."""
    with transaction(ctx) as (_, session):
        found = refresh_targets(session, operator()).as_dict()
    said(found, as_json, f"{found['targets']:,} targets: {found['by_class']}; {found['inactive']:,} not drawable.")


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
def targets_show(ctx: typer.Context, entity_id: int = EntityId, as_json: bool = JsonOption) -> None:
    """One target and why it has its class."""
    with transaction(ctx) as (_, session):
        found = get_target(session, operator(), entity_id)
    emit(found, as_json, lambda: console.print_json(json.dumps(found, ensure_ascii=False)))


@targets_app.command("import")
def targets_import(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="An .xlsx (or a CSV, UTF-8 or GBK) naming targets."),
    as_json: bool = JsonOption,
) -> None:
    """Set classes (with a reason) or offices by hand from Excel; `自动` clears what was set."""
    with transaction(ctx) as (_, session):
        found = {"applied": import_targets(session, operator(), read_input(path), path.name)}
    said(found, as_json, f"{found['applied']:,} targets changed.")


@targets_app.command("export")
def targets_export(
    ctx: typer.Context, path: Path = typer.Argument(..., help="The .xlsx to write."), as_json: bool = JsonOption
) -> None:
    """Write the whole target register to Excel."""
    with output_file(path) as written, transaction(ctx) as (_, session):
        written.write_bytes(export_targets(session, operator()))
    said({"path": str(path)}, as_json, f"Wrote [bold]{path}[/].")


@inspectors_app.command("refresh")
def inspectors_refresh(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Enter every active handler not yet in the register, for their own department."""
    with transaction(ctx) as (_, session):
        found = {"added": refresh_inspectors(session, operator())}
    said(found, as_json, f"{found['added']} inspector(s) entered.")


@inspectors_app.command("list")
def inspectors_list(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """The inspector register."""
    with transaction(ctx) as (_, session):
        found = list_inspectors(session, operator())

    def show() -> None:
        columns = ("user", "name 姓名", "office 单位", "qualifications 资格", "certificate 执法证号", "drawable 可派")
        table = Table(*columns)
        for i in found:
            why, until = i["not_drawable"], i["unavailable_until"]
            key = f"inspections.not_drawable.{why}"
            drawable = f"否 {translate('zh-CN', key)} ({translate('en', key)})" if why else "是"
            if why == "unavailable" and until:
                drawable += f" 至 until {until}"
            table.add_row(
                i["username"], i["display_name"], i["office"], "、".join(i["qualifications"]), i["certificate"] or "",
                drawable,
            )  # fmt: skip
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
            unavailable_until=day_option(until, "--until") if until else None,
        )
    said({"username": username, "state": state}, as_json, f"Inspector {username}: {state}.")


@inspectors_app.command("relate")
def inspectors_relate(
    ctx: typer.Context,
    username: str = typer.Argument(...),
    entity_id: int = EntityId,
    relation: str = typer.Option(..., "--relation", help="What the relation is, e.g. 配偶经营."),
    as_json: bool = JsonOption,
) -> None:
    """Record a declared relation (回避): the inspector is never drawn for that entity, and a visit to it they are
    already on takes no results until they are replaced."""
    with transaction(ctx) as (_, session):
        found = {"id": declare_relation(session, operator(), username, entity_id, relation)}
    said(found, as_json, f"Relation {found['id']} recorded: {username} is kept off entity {entity_id}.")


@inspectors_app.command("import")
def inspectors_import(ctx: typer.Context, path: Path = typer.Argument(...), as_json: bool = JsonOption) -> None:
    """Enter or change inspectors from Excel or CSV (UTF-8 or GBK); a file with any problem changes nothing."""
    with transaction(ctx) as (_, session):
        found = import_inspectors(session, operator(), read_input(path), path.name).as_dict()
    said(found, as_json, f"Inspectors: {found['created']} new, {found['updated']} changed.")


@inspectors_app.command("export")
def inspectors_export(ctx: typer.Context, path: Path = typer.Argument(...), as_json: bool = JsonOption) -> None:
    """Write the inspector register to Excel."""
    with output_file(path) as written, transaction(ctx) as (_, session):
        written.write_bytes(export_inspectors(session, operator()))
    said({"path": str(path)}, as_json, f"Wrote [bold]{path}[/].")


