"""`zhizhi codes list` and `zhizhi codes show`: the code lists, a list's tree, and a crosswalk side by side."""

from __future__ import annotations

from collections import Counter
from typing import Any

import typer
from rich.markup import escape
from sqlalchemy.orm import Session

from zhizhi.cli.common import JsonOption, Table, console, emit, transaction
from zhizhi.codes import (
    Hierarchy,
    get_code_list,
    get_crosswalk,
    list_crosswalks,
    list_summaries,
    load_hierarchy,
    pairs_in_force,
    search_codes,
)
from zhizhi.codes.crosswalks import Pair
from zhizhi.codes.lists import initials
from zhizhi.errors import NotFoundError
from zhizhi.store.tables import Crosswalk


def register(app: typer.Typer) -> None:
    """Add `list` and `show` to the `zhizhi codes` group."""
    app.command("list")(list_command)
    app.command("show")(show_command)


def list_command(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """List the code lists with their versions, and the crosswalks between them."""
    with transaction(ctx) as (_, session):
        data = {
            "lists": list_summaries(session),
            "crosswalks": [crosswalk_summary(session, c) for c in list_crosswalks(session)],
        }

    def show() -> None:
        if not data["lists"]:
            console.print("No code lists yet. Run `zhizhi codes install`, or import one with `zhizhi codes import`.")
            return
        lists = Table("name", "title", "versions", "in force", "codes", "hierarchy")
        for item in data["lists"]:
            codes = {v["version"]: v["codes"] for v in item["versions"]}
            lists.add_row(
                item["name"],
                escape(item["title"]),
                ", ".join(codes),
                item["in_force"] or "none",
                f"{codes[item['in_force']]:,}" if item["in_force"] else "",
                hierarchy_text(item["hierarchy"], item["prefix_lengths"]),
            )
        console.print(lists)
        crosswalks = Table("crosswalk", "from", "to", "pairs in force", "relations")
        for item in data["crosswalks"]:
            relations = ", ".join(f"{k} {v:,}" for k, v in item["relations"].items())
            crosswalks.add_row(
                item["name"], item["from_list"], item["to_list"], f"{item['pairs_in_force']:,}", relations
            )
        if data["crosswalks"]:
            console.print(crosswalks)

    emit(data, as_json, show)


def show_command(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="A code list or a crosswalk (see `zhizhi codes list`)."),
    code: str | None = typer.Option(None, "--code", help="Show this code: its ancestors, children and level."),
    search: str | None = typer.Option(None, "--search", help="Codes starting with, or names containing, this text."),
    version: str | None = typer.Option(None, "--version", help="A version of the list (default: the one in force)."),
    as_json: bool = JsonOption,
) -> None:
    """Show a code list (its top level, one code, or search hits) or a crosswalk's pairs side by side."""
    if code is not None and search is not None:
        raise typer.BadParameter("give --code or --search, not both")
    with transaction(ctx) as (_, session):
        if _is_crosswalk(session, name):
            data = crosswalk_view(session, name, code=code, search=search, version=version)
        else:
            data = list_view(session, name, code=code, search=search, version=version)

    def show() -> None:
        if data["kind"] == "crosswalk":
            _print_crosswalk(data)
        else:
            _print_list(data)

    emit(data, as_json, show)


def hierarchy_text(kind: str, lengths: list[int] | tuple[int, ...]) -> str:
    """`parent`, or `prefix:4,6`: the form `--hierarchy` takes."""
    return f"prefix:{','.join(map(str, lengths))}" if kind == "prefix" else kind


def list_view(
    session: Session, name: str, *, code: str | None, search: str | None, version: str | None
) -> dict[str, Any]:
    """A list's summary, and its top level, one code in its tree, or the codes matching `search`."""
    summary = next(s for s in list_summaries(session) if s["name"] == name)
    tree = load_hierarchy(session, name, version=version)
    data: dict[str, Any] = {
        "kind": "code_list",
        "name": name,
        "title": summary["title"],
        "source": summary["source"],
        "hierarchy": hierarchy_text(summary["hierarchy"], summary["prefix_lengths"]),
        "versions": [v["version"] for v in summary["versions"]],
        "in_force": summary["in_force"],
        "version": tree.version,
        "codes": len(tree.codes),
    }
    if code is not None:
        info = tree.get(code)
        data["code"] = {
            **_entry(tree, code),
            "parent": info.parent,
            "valid_from": info.valid_from.isoformat() if info.valid_from else None,
            "valid_to": info.valid_to.isoformat() if info.valid_to else None,
            "ancestors": [_entry(tree, c) for c in reversed(tree.ancestors(code)) if c in tree],
            "children": [_entry(tree, c) for c in tree.children(code)],
        }
    elif search is not None:
        data["query"] = search
        data["matches"] = _search(session, tree, search, in_force=summary["in_force"])
    else:
        data["top"] = [_entry(tree, c) for c in tree.children(None)]
    return data


def crosswalk_view(
    session: Session, name: str, *, code: str | None, search: str | None, version: str | None
) -> dict[str, Any]:
    """A crosswalk's pairs in force with the names of both codes, perhaps only those of one code or a search."""
    if version is not None:
        raise typer.BadParameter(f"`--version` picks a code list's version; crosswalk `{name}` shows its newest")
    crosswalk = get_crosswalk(session, name)
    from_names = {c.code: c.name for c in load_hierarchy(session, crosswalk.from_list).codes.values()}
    to_names = {c.code: c.name for c in load_hierarchy(session, crosswalk.to_list).codes.values()}
    pairs = pairs_in_force(session, crosswalk)
    shown = [p for p in pairs if code is None or code in (p.from_code, p.to_code)]
    if search is not None:
        text = search.strip()
        shown = [
            p
            for p in shown
            if p.from_code.startswith(text)
            or p.to_code.startswith(text)
            or (text and (text in from_names.get(p.from_code, "") or text in to_names.get(p.to_code, "")))
        ]
    rows = [
        {
            "from_code": p.from_code,
            "from_name": from_names.get(p.from_code, ""),
            "to_code": p.to_code,
            "to_name": to_names.get(p.to_code, ""),
            "relation": p.relation,
            "rule_field": p.rule_field,
            "rule_value": p.rule_value,
            "valid_from": p.valid_from.isoformat() if p.valid_from else None,
            "valid_to": p.valid_to.isoformat() if p.valid_to else None,
        }
        for p in shown
    ]
    return {
        "kind": "crosswalk",
        **crosswalk_summary(session, crosswalk, pairs),
        "source": crosswalk.source,
        "shown": len(rows),
        "pairs": rows,
    }


def crosswalk_summary(session: Session, crosswalk: Crosswalk, pairs: list[Pair] | None = None) -> dict[str, Any]:
    pairs = pairs_in_force(session, crosswalk) if pairs is None else pairs
    relations = Counter(p.relation for p in pairs)
    return {
        "name": crosswalk.name,
        "title": crosswalk.title,
        "from_list": crosswalk.from_list,
        "to_list": crosswalk.to_list,
        "builtin": crosswalk.builtin,
        "pairs_in_force": len(pairs),
        "relations": {r: relations[r] for r in ("1:1", "n:1", "1:n", "n:n") if relations[r]},
    }


def _is_crosswalk(session: Session, name: str) -> bool:
    try:
        get_code_list(session, name)
        return False
    except NotFoundError:
        pass
    try:
        get_crosswalk(session, name)
        return True
    except NotFoundError:
        raise NotFoundError(
            f"No code list or crosswalk `{name}`. See `zhizhi codes list`.",
            zh=f"没有代码表或对照表 `{name}`，请用 `zhizhi codes list` 查看已有的。",
        ) from None


def _entry(tree: Hierarchy, code: str) -> dict[str, Any]:
    info = tree.codes[code]
    return {"code": code, "name": info.name, "level": info.level, "children": len(tree.children(code))}


def _search(session: Session, tree: Hierarchy, query: str, *, in_force: str | None) -> list[dict[str, Any]]:
    if tree.version == in_force:
        return [_entry(tree, c.code) for c in search_codes(session, tree.list_name, query) if c.code in tree]
    # search_codes looks in the version in force only; an older version is searched here, in memory.
    text = query.strip()
    hits = [
        info
        for info in tree.codes.values()
        if info.code.startswith(text) or text in info.name or text.lower() in initials(info.name)
    ]
    return [_entry(tree, info.code) for info in sorted(hits, key=lambda i: (i.level, i.code))[:50]]


def _print_list(data: dict[str, Any]) -> None:
    in_force = " (in force)" if data["version"] == data["in_force"] else f" (in force: {data['in_force']})"
    console.print(
        f"[bold]{data['name']}[/] {escape(data['title'])}: version {data['version']}{in_force}, "
        f"{data['codes']:,} codes, hierarchy {data['hierarchy']}; versions {', '.join(data['versions'])}."
    )
    if "code" in data:
        entry = data["code"]
        path = [*entry["ancestors"], entry]
        console.print(" › ".join(f"{e['code']} {escape(e['name'])}" for e in path) + f"  (level {entry['level']})")
        _print_entries("children", entry["children"])
    elif "matches" in data:
        _print_entries(f"codes matching {escape(data['query'])!r}", data["matches"])
    else:
        _print_entries("top level", data["top"])


def _print_entries(title: str, entries: list[dict[str, Any]]) -> None:
    if not entries:
        console.print(f"No {title}.")
        return
    table = Table("code", "name", "level", "children", title=title)
    for e in entries:
        table.add_row(e["code"], escape(e["name"]), str(e["level"]), str(e["children"]))
    console.print(table)


def _print_crosswalk(data: dict[str, Any]) -> None:
    console.print(
        f"[bold]{data['name']}[/] {escape(data['title'])}: {data['from_list']} -> {data['to_list']}, "
        f"{data['pairs_in_force']:,} pairs in force"
        + (f", {data['shown']:,} shown" if data["shown"] != data["pairs_in_force"] else "")
    )
    table = Table("from", "name", "to", "name", "relation", "rule", "valid")
    for p in data["pairs"]:
        rule = f"{p['rule_field']} = {p['rule_value']}" if p["rule_field"] else ""
        valid = f"{p['valid_from'] or '…'} – {p['valid_to'] or '…'}" if p["valid_from"] or p["valid_to"] else ""
        table.add_row(
            p["from_code"],
            escape(p["from_name"]),
            p["to_code"],
            escape(p["to_name"]),
            p["relation"],
            escape(rule),
            valid,
        )
    console.print(table)
