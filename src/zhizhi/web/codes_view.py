"""What the code-list pages and their JSON twins show: results of `zhizhi.codes`, shaped into plain dicts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.codes import (
    Hierarchy,
    Method,
    build_translator,
    get_code_list,
    get_coverage,
    get_crosswalk,
    list_coverage,
    list_crosswalks,
    list_review_items,
    list_summaries,
    list_versions,
    load_hierarchy,
    pairs_in_force,
    search_codes,
    version_in_force,
)
from zhizhi.codes.hierarchy import CodeInfo
from zhizhi.codes.translate import FAILURES
from zhizhi.errors import NotFoundError
from zhizhi.store.tables import Code

PAIRS_PER_PAGE = 200
SEARCH_LIMIT = 50


class Names:
    """Names of codes in the version in force of each list, loaded once per request."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.trees: dict[str, Hierarchy] = {}

    def tree(self, list_name: str) -> Hierarchy:
        """The version in force of a list, loaded on first use."""
        if list_name not in self.trees:
            self.trees[list_name] = load_hierarchy(self.session, list_name)
        return self.trees[list_name]

    def of(self, list_name: str, code: str | None) -> str:
        """The code's name, or "" for a code only older versions have."""
        info = self.tree(list_name).codes.get(code) if code else None
        return info.name if info else ""

    def coded(self, list_name: str, codes: list[str]) -> list[dict[str, str]]:
        """Codes with their names, as the JSON shows them."""
        return [{"code": code, "name": self.of(list_name, code)} for code in codes]


def overview(session: Session) -> dict[str, Any]:
    """Every list and crosswalk, and how much waits in the review queue."""
    lists = []
    for summary in list_summaries(session):
        in_force = next((v for v in summary["versions"] if v["version"] == summary["in_force"]), None)
        lists.append({**summary, "codes": in_force["codes"] if in_force else 0})
    crosswalks = [
        {
            "name": c.name,
            "title": c.title,
            "from_list": c.from_list,
            "to_list": c.to_list,
            "source": c.source,
            "pairs": len(pairs_in_force(session, c)),
        }
        for c in list_crosswalks(session)
    ]
    return {
        "lists": lists,
        "crosswalks": crosswalks,
        "open_review_items": len(list_review_items(session)),
        "coverage_reports": len(list_coverage(session)),
    }


def browse(session: Session, name: str, *, code: str = "", query: str = "", version: str = "") -> dict[str, Any]:
    """One version of a list as a tree: the roots, or a code with its ancestors and children; and search matches."""
    code_list = get_code_list(session, name)
    tree = load_hierarchy(session, name, version=version or None)
    in_force = version_in_force(session, name).version
    page: dict[str, Any] = {
        "name": name,
        "title": code_list.title,
        "version": tree.version,
        "in_force": in_force,
        "versions": [v.version for v in list_versions(session, name)],
        "code": None,
        "ancestors": [],
        "children": [_node(tree, c) for c in tree.children(None)],
        "query": query.strip(),
        "matches": None,
    }
    if code:
        if code not in tree:
            raise NotFoundError(
                f"Code `{code}` is not in `{name}` version `{tree.version}`. Search the list for it.",
                zh=f"代码表 `{name}` 的 `{tree.version}` 版中没有代码 `{code}`，请在本表中搜索。",
            )
        info = tree.codes[code]
        page["code"] = {**_node(tree, code), "parent": info.parent, "remark": _remark(session, name, tree, code)}
        page["ancestors"] = [_brief(tree.codes[a]) for a in reversed(tree.ancestors(code)) if a in tree]
        page["children"] = [_node(tree, c) for c in tree.children(code)]
    if page["query"]:
        matches = search_codes(session, name, page["query"], limit=SEARCH_LIMIT, version=tree.version)
        page["matches"] = [{"code": m.code, "name": m.name, "level": m.level, "parent": m.parent} for m in matches]
    return page


def crosswalk_table(session: Session, name: str, *, code: str = "", page: int = 1) -> dict[str, Any]:
    """The pairs of a crosswalk's version in force with both codes' names, filtered by a code prefix, one page."""
    crosswalk = get_crosswalk(session, name)
    pairs = pairs_in_force(session, crosswalk)
    prefix = code.strip()
    matched = [p for p in pairs if p.from_code.startswith(prefix) or p.to_code.startswith(prefix)]
    pages = max(1, -(-len(matched) // PAIRS_PER_PAGE))
    start = (page - 1) * PAIRS_PER_PAGE
    names = Names(session)
    return {
        "name": crosswalk.name,
        "title": crosswalk.title,
        "from_list": crosswalk.from_list,
        "to_list": crosswalk.to_list,
        "source": crosswalk.source,
        "code": prefix,
        "total": len(pairs),
        "matched": len(matched),
        "page": page,
        "pages": pages,
        "per_page": PAIRS_PER_PAGE,
        "pairs": [
            {
                "from_code": p.from_code,
                "from_name": names.of(crosswalk.from_list, p.from_code),
                "relation": p.relation,
                "rule_field": p.rule_field,
                "rule_value": p.rule_value,
                "to_code": p.to_code,
                "to_name": names.of(crosswalk.to_list, p.to_code),
                "valid_from": _day(p.valid_from),
                "valid_to": _day(p.valid_to),
            }
            for p in matched[start : start + PAIRS_PER_PAGE]
        ],
    }


def coverage_runs(session: Session) -> list[dict[str, Any]]:
    """The newest coverage report of each subject, in brief."""
    runs = []
    for run in list_coverage(session):
        report = get_coverage(session, run.id)
        brief = {key: report[key] for key in ("id", "subject", "from_list", "to_list", "computed_at", "computed_by")}
        rows, translated = report["rows"], report["translated_rows"]
        runs.append({**brief, "rows": rows, "translated_rows": translated, "share": _share(translated, rows)})
    return runs


def coverage_detail(session: Session, run_id: int) -> dict[str, Any]:
    """One kept coverage report, with the names of its untranslated codes."""
    report = get_coverage(session, run_id)
    names = Names(session)
    ordered = sorted(report["methods"], key=lambda m: (-m["rows"], m["method"]))
    methods = [{**m, "ok": Method(m["method"]) not in FAILURES} for m in ordered]
    untranslated = [{**u, "name": names.of(report["from_list"], u["code"])} for u in report["untranslated"]]
    share = _share(report["translated_rows"], report["rows"])
    return {**report, "share": share, "methods": methods, "untranslated": untranslated}


def translate_one(
    session: Session, from_list: str, to_list: str, code: str, *, as_of: date | None, context: Mapping[str, str]
) -> dict[str, Any]:
    """One code translated, with how; `context` is cut down to the fields the route's rules read."""
    translator = build_translator(session, from_list, to_list, as_of=as_of)
    used = {field: value for field, value in context.items() if field in translator.rule_fields}
    answer = translator.translate(code, used)
    names = Names(session)
    return {
        "from_list": from_list,
        "to_list": to_list,
        "code": answer.code,
        "name": names.of(from_list, answer.code),
        "to_code": answer.to_code,
        "to_name": names.of(to_list, answer.to_code),
        "method": str(answer.method),
        "ok": answer.ok,
        "detail": answer.detail,
        "candidates": names.coded(to_list, list(answer.candidates)),
        "via": list(answer.via),
        "route": translator.route,
        "rule_fields": translator.rule_fields,
        "context": used,
        "as_of": _day(as_of),
    }


def _brief(info: CodeInfo) -> dict[str, Any]:
    return {"code": info.code, "name": info.name, "level": info.level}


def _node(tree: Hierarchy, code: str) -> dict[str, Any]:
    info = tree.codes[code]
    return {
        **_brief(info),
        "children": len(tree.children(code)),
        "valid_from": _day(info.valid_from),
        "valid_to": _day(info.valid_to),
    }


def _remark(session: Session, name: str, tree: Hierarchy, code: str) -> str | None:
    # The hierarchy leaves remarks out; one code's is worth a small query, since it says what the code covers.
    version = version_in_force(session, name, version=tree.version)
    return session.scalar(select(Code.remark).where(Code.version_id == version.id, Code.code == code))


def _day(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0
