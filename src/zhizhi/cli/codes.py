"""`zhizhi codes`: code lists and their trees, crosswalks between them, import, and the built-in lists."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from sqlalchemy.orm import Session

from zhizhi.cli import codes_browse, codes_review, codes_translate
from zhizhi.cli.codes_browse import crosswalk_summary
from zhizhi.cli.common import JsonOption, console, emit, operator, transaction
from zhizhi.codes import (
    FileRefusedError,
    ListSpec,
    dropped_in_use,
    get_crosswalk,
    import_code_list,
    import_crosswalk,
    install_builtin,
    list_crosswalks,
    list_summaries,
    version_in_force,
)
from zhizhi.errors import NotFoundError
from zhizhi.store.types import utcnow

app = typer.Typer(
    help="Code lists and crosswalks: browse, import, translate, measure coverage, work the review queue.",
    no_args_is_help=True,
)
codes_browse.register(app)


@app.command("import")
def import_command(
    ctx: typer.Context,
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A CSV (UTF-8 or GBK), .xlsx or .xls file."),
    list_name: str | None = typer.Option(None, "--list", help="Import a version of this code list."),
    crosswalk: str | None = typer.Option(None, "--crosswalk", help="Import a version of this crosswalk."),
    version: str = typer.Option(..., "--version", help="The version's name, e.g. `2017` or `2026-07`."),
    title: str = typer.Option("", "--title", help="Title of a new list or crosswalk."),
    source: str = typer.Option("", "--source", help="Where a new list or crosswalk comes from (provenance)."),
    hierarchy: str | None = typer.Option(
        None, "--hierarchy", help="How a new list's tree is declared: `parent` (a column) or `prefix:4,6`."
    ),
    valid_from: datetime | None = typer.Option(
        None, "--valid-from", formats=["%Y-%m-%d"], help="The list version is in force from this day."
    ),
    from_list: str | None = typer.Option(None, "--from", help="The crosswalk's from-list."),
    to_list: str | None = typer.Option(None, "--to", help="The crosswalk's to-list."),
    encoding: str | None = typer.Option(None, "--encoding", help="The CSV's encoding (default: detect UTF-8/GBK)."),
    as_json: bool = JsonOption,
) -> None:
    """Import a version of a code list or a crosswalk; a file with problems is refused whole, listing each."""
    _check_import_options(list_name, crosswalk, from_list, to_list, hierarchy, valid_from)
    try:
        with transaction(ctx) as (_, session):
            if list_name is not None:
                kind, lengths = parse_hierarchy(hierarchy or "parent")
                spec = ListSpec(list_name, title or list_name, kind, lengths, source, declared=hierarchy is not None)
                day = valid_from.date() if valid_from else None
                data = _import_list(session, file, spec, version=version, valid_from=day, encoding=encoding)
            else:
                assert crosswalk is not None and from_list is not None and to_list is not None
                data = _import_crosswalk(
                    session,
                    file,
                    name=crosswalk,
                    from_list=from_list,
                    to_list=to_list,
                    version=version,
                    title=title,
                    source=source,
                    encoding=encoding,
                )
    except FileRefusedError as exc:
        for line in exc.details:
            typer.echo(line, err=True)
        raise
    emit(data, as_json, lambda: console.print(_import_sentence(data)))
    if data["kind"] == "code_list":
        warn_dropped(data)


@app.command("install")
def install_command(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Load the built-in code lists and crosswalk; those already loaded are left as they are."""
    with transaction(ctx) as (_, session):
        install_builtin(session, operator())
        lists = [
            {"name": s["name"], "title": s["title"], "in_force": s["in_force"]}
            for s in list_summaries(session)
            if s["builtin"]
        ]
        crosswalks = [crosswalk_summary(session, c) for c in list_crosswalks(session) if c.builtin]
    data = {"lists": lists, "crosswalks": crosswalks}

    def show() -> None:
        for item in lists:
            console.print(f"Code list {item['name']} (version {item['in_force']} in force): {escape(item['title'])}")
        for xw in crosswalks:
            console.print(
                f"Crosswalk {xw['name']}: {xw['from_list']} -> {xw['to_list']}, {xw['pairs_in_force']:,} pairs"
            )

    emit(data, as_json, show)


# Registered here, after import and install, so that `zhizhi codes --help` lists the commands in the docs' order.
codes_translate.register(app)
app.add_typer(codes_review.app, name="review")


def parse_hierarchy(text: str) -> tuple[str, tuple[int, ...]]:
    """`parent` -> ("parent", ()); `prefix:4,6` -> ("prefix", (4, 6))."""
    kind, _, lengths = text.strip().partition(":")
    if kind == "parent" and not lengths:
        return "parent", ()
    try:
        if kind == "prefix":
            return "prefix", tuple(int(n) for n in lengths.split(","))
    except ValueError:
        pass
    raise typer.BadParameter(f"`{text}` is neither `parent` nor `prefix:` with code lengths, e.g. `prefix:4,6`")


def _import_list(
    session: Session, file: Path, spec: ListSpec, *, version: str, valid_from: date | None, encoding: str | None
) -> dict[str, Any]:
    started = utcnow()
    stored = import_code_list(
        session, operator(), file, spec, version=version, valid_from=valid_from, encoding=encoding
    )
    return {
        "kind": "code_list",
        "name": spec.name,
        "version": stored.version,
        "codes": stored.codes_count,
        "in_force": _in_force(session, spec.name),
        "file": stored.file_name,
        "sha256": stored.file_hash,
        # An identical file comes back as the version already stored: nothing changed.
        "unchanged": stored.imported_at < started,
        "dropped_in_use": dropped_in_use(session, stored, spec.name),
    }


def _in_force(session: Session, name: str) -> str | None:
    try:
        return version_in_force(session, name).version
    except NotFoundError:  # every version is dated in the future
        return None


def _import_crosswalk(session: Session, file: Path, *, name: str, **options: Any) -> dict[str, Any]:
    started = utcnow()
    stored = import_crosswalk(session, operator(), file, name=name, **options)
    return {
        "kind": "crosswalk",
        **crosswalk_summary(session, get_crosswalk(session, name)),
        "version": stored.version,
        "file": stored.file_name,
        "sha256": stored.file_hash,
        "unchanged": stored.imported_at < started,
    }


def warn_dropped(data: dict[str, Any]) -> None:
    """Say on stderr which codes the new version leaves out that crosswalks or decisions still lead to."""
    dropped: dict[str, list[str]] = data.get("dropped_in_use") or {}
    if not dropped:
        return
    typer.echo(
        f"warning: version {data['version']} of {data['name']} leaves out {len(dropped):,} code(s) still in use; "
        "while it is in force, what translates to them comes out unmapped (and goes to review) until the crosswalk "
        "or the decision names a code it has:",
        err=True,
    )
    for code, users in list(dropped.items())[:50]:
        typer.echo(f"  {code}: {', '.join(users)}", err=True)
    if len(dropped) > 50:
        typer.echo(f"  ... and {len(dropped) - 50:,} more (--json lists them all)", err=True)


def _check_import_options(
    list_name: str | None,
    crosswalk: str | None,
    from_list: str | None,
    to_list: str | None,
    hierarchy: str | None,
    valid_from: datetime | None,
) -> None:
    if (list_name is None) == (crosswalk is None):
        raise typer.BadParameter("give --list NAME or --crosswalk NAME (one of them)")
    if list_name is not None and (from_list or to_list):
        raise typer.BadParameter("--from and --to are for --crosswalk")
    if crosswalk is not None and (from_list is None or to_list is None):
        raise typer.BadParameter("--crosswalk needs --from LIST and --to LIST")
    if crosswalk is not None and (hierarchy or valid_from):
        raise typer.BadParameter("--hierarchy and --valid-from are for --list; a crosswalk's rows carry their dates")


def _import_sentence(data: dict[str, Any]) -> str:
    what = "code list" if data["kind"] == "code_list" else "crosswalk"
    if data["unchanged"]:
        head = f"{what.capitalize()} {data['name']} version {data['version']} is already stored from this file"
    else:
        head = f"Imported {what} {data['name']} version {data['version']} from {escape(data['file'])}"
    if data["kind"] == "code_list":
        return f"{head}: {data['codes']:,} codes. Version in force today: {data['in_force'] or 'none yet'}."
    relations = ", ".join(f"{k} {v:,}" for k, v in data["relations"].items())
    return f"{head}: {data['pairs_in_force']:,} pairs ({relations}), now in force."
