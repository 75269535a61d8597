"""`zhizhi dept`: the department tree."""

from __future__ import annotations

import typer

from zhizhi.access import create_department, department_as_dict, list_departments
from zhizhi.cli.common import JsonOption, Table, console, emit, operator, reading, transaction

app = typer.Typer(help="Departments: the bureau, its sections, county and grassroots offices.", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="Short unique code, e.g. LZ-CZ."),
    name: str = typer.Argument(..., help="Full name, e.g. 城中区市场监督管理局."),
    kind: str = typer.Option(..., "--kind", help="bureau, section, county or grassroots."),
    parent: str | None = typer.Option(None, "--parent", help="Code of the parent department."),
    division: str | None = typer.Option(None, "--division", help="GB/T 2260 division code it covers."),
) -> None:
    """Add a department to the tree."""
    with transaction(ctx) as (_, session):
        department = create_department(
            session, operator(), code=code, name=name, kind=kind, parent_code=parent, division_code=division
        )
    console.print(f"Added department {department.code} {department.name}.")


@app.command("list")
def list_command(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """List the departments as a tree."""
    with reading(ctx) as (_, session):
        rows = [department_as_dict(d) for d in list_departments(session, operator())]

    def show() -> None:
        table = Table("code", "name", "kind", "division")
        for row in rows:
            table.add_row(row["code"], "  " * row["depth"] + row["name"], row["kind"], row["division_code"] or "")
        console.print(table)

    emit(rows, as_json, show)
