"""Crosswalks between code lists: import a version from a file (checked whole), and read the one in force."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.access import Actor, require
from zhizhi.codes.columns import CROSSWALK_COLUMNS, number_problems, parse_date, resolve_columns
from zhizhi.codes.files import Table, read_table
from zhizhi.codes.lists import _NAME, all_codes, get_code_list, refuse
from zhizhi.codes.versions import file_digest, same_file, store_version
from zhizhi.errors import ConflictError, InputError, NotFoundError
from zhizhi.store.tables import Crosswalk, CrosswalkPair, CrosswalkVersion

RELATIONS = ("1:1", "n:1", "1:n", "n:n")


@dataclass(frozen=True)
class Pair:
    """One usable row of a crosswalk."""

    from_code: str
    to_code: str
    relation: str
    rule_field: str | None = None
    rule_value: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None

    def valid_on(self, day: date | None) -> bool:
        if day is None:
            return True
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


def import_crosswalk(
    session: Session,
    actor: Actor,
    path: Path,
    *,
    name: str,
    from_list: str,
    to_list: str,
    version: str,
    title: str = "",
    source: str = "",
    encoding: str | None = None,
    builtin: bool = False,
) -> CrosswalkVersion:
    """Check a crosswalk file whole against both lists and store it as the crosswalk's version in force."""
    require(actor, "data.write")
    crosswalk = _crosswalk_named(session, name, from_list, to_list)
    table = read_table(path, encoding=encoding)
    digest = file_digest(path)
    if crosswalk is not None:
        existing = session.scalar(
            select(CrosswalkVersion).where(
                CrosswalkVersion.crosswalk_id == crosswalk.id, CrosswalkVersion.version == version
            )
        )
        kept = same_file(existing, digest, what=f"Crosswalk `{name}`", what_zh=f"对照表 `{name}`", version=version)
        if kept is not None:
            return kept
    pairs = _checked_pairs(path, table, all_codes(session, from_list), all_codes(session, to_list), from_list, to_list)
    if crosswalk is None:
        crosswalk = Crosswalk(
            name=name, from_list=from_list, to_list=to_list, title=title or name, source=source, builtin=builtin
        )
        session.add(crosswalk)
        session.flush()
    crosswalk_version = CrosswalkVersion(
        crosswalk_id=crosswalk.id,
        version=version,
        file_name=path.name,
        file_hash=digest,
        pairs_count=len(pairs),
        imported_by=actor.name,
    )
    return store_version(
        session,
        actor,
        crosswalk_version,
        CrosswalkPair,
        pairs,
        action="crosswalk.import",
        object_type="crosswalk",
        object_id=f"{name}@{version}",
        path=path,
        counted="pairs",
    )


def _crosswalk_named(session: Session, name: str, from_list: str, to_list: str) -> Crosswalk | None:
    # One crosswalk per pair of lists, so that translation never has to choose between two.
    if not _NAME.match(name):
        raise InputError(
            f"Crosswalk name `{name}` is not allowed: use 2-64 lower-case letters, digits and `-`.",
            zh=f"对照表名称 `{name}` 无效：请用 2-64 个小写字母、数字和 `-`。",
        )
    get_code_list(session, from_list), get_code_list(session, to_list)
    if from_list == to_list:  # translation within one list is the list itself: such a crosswalk is never read
        raise InputError(
            f"Crosswalk `{name}` goes from `{from_list}` to itself: codes of one list translate as themselves, so it "
            f"would never be used. Old codes of a list renamed in a new version: import the new version as a list "
            f"of its own (e.g. `{from_list}-2026`) and a crosswalk from the old one to it.",
            zh=f"对照表 `{name}` 的源和目标都是 `{from_list}`：同一代码表内的代码按原样转换，"
            f"这样的对照表永远不会被使用。新版本改了代码时，请把新版本导入为另一个代码表"
            f"（如 `{from_list}-2026`），再导入从旧表到新表的对照表。",
        )
    twin = session.scalar(select(Crosswalk).where(Crosswalk.from_list == from_list, Crosswalk.to_list == to_list))
    if twin is not None and twin.name != name:
        raise ConflictError(
            f"Crosswalk `{twin.name}` already goes from `{from_list}` to `{to_list}`; import the new "
            f"file as a new version of it (`--crosswalk {twin.name}`).",
            zh=f"对照表 `{twin.name}` 已是从 `{from_list}` 到 `{to_list}` 的对照表；"
            f"请把新文件作为它的新版本导入（`--crosswalk {twin.name}`）。",
        )
    crosswalk = session.scalar(select(Crosswalk).where(Crosswalk.name == name))
    if crosswalk is not None and (crosswalk.from_list, crosswalk.to_list) != (from_list, to_list):
        raise ConflictError(
            f"Crosswalk `{name}` goes from `{crosswalk.from_list}` to `{crosswalk.to_list}`, "
            f"not `{from_list}` to `{to_list}`. Choose another name.",
            zh=f"对照表 `{name}` 是从 `{crosswalk.from_list}` 到 `{crosswalk.to_list}` 的，"
            f"不是从 `{from_list}` 到 `{to_list}`。请换一个名称。",
        )
    return crosswalk


def get_crosswalk(session: Session, name: str) -> Crosswalk:
    """A crosswalk by name."""
    crosswalk = session.scalar(select(Crosswalk).where(Crosswalk.name == name))
    if crosswalk is None:
        raise NotFoundError(f"No crosswalk `{name}`. See `zhizhi codes list`.", zh=f"没有对照表 `{name}`。")
    return crosswalk


def list_crosswalks(session: Session) -> list[Crosswalk]:
    """Every crosswalk, by name."""
    return list(session.scalars(select(Crosswalk).order_by(Crosswalk.name)))


def pairs_in_force(session: Session, crosswalk: Crosswalk) -> list[Pair]:
    """The rows of the crosswalk's newest version."""
    newest = session.scalar(
        select(CrosswalkVersion)
        .where(CrosswalkVersion.crosswalk_id == crosswalk.id)
        .order_by(CrosswalkVersion.id.desc())
        .limit(1)
    )
    if newest is None:
        return []
    stmt = (
        select(
            CrosswalkPair.from_code,
            CrosswalkPair.to_code,
            CrosswalkPair.relation,
            CrosswalkPair.rule_field,
            CrosswalkPair.rule_value,
            CrosswalkPair.valid_from,
            CrosswalkPair.valid_to,
        )
        .where(CrosswalkPair.version_id == newest.id)
        .order_by(CrosswalkPair.line)
    )
    return [Pair(*row) for row in session.execute(stmt)]


def relations(pairs: list[tuple[str, str]]) -> list[str]:
    """The relation of each (from, to) pair: 1:1, n:1 (roll-up), 1:n (split) or n:n."""
    fan_out: dict[str, set[str]] = defaultdict(set)
    fan_in: dict[str, set[str]] = defaultdict(set)
    for source, target in pairs:
        fan_out[source].add(target)
        fan_in[target].add(source)
    return [f"{'1' if len(fan_in[t]) == 1 else 'n'}:{'1' if len(fan_out[s]) == 1 else 'n'}" for s, t in pairs]


def _checked_pairs(
    path: Path, table: Table, from_codes: set[str], to_codes: set[str], from_list: str, to_list: str
) -> list[dict[str, Any]]:
    columns = resolve_columns(table.header, CROSSWALK_COLUMNS)
    where = path.name
    missing = [f for f in ("from_code", "to_code") if f not in columns]
    if missing:
        raise refuse(
            path,
            [
                f"{where}:1: no column for {', '.join(missing)}; the header has "
                + ", ".join(f"`{h}`" for h in table.header)
            ],
            "Crosswalk",
            "对照表",
        )
    problems: list[str] = list(table.problems)
    rows: list[dict[str, Any]] = []
    for line, cells in table.rows:
        row = _checked_pair(
            f"{where}:{line}", cells, columns, problems, table.numbers.get(line, set()), (from_codes, to_codes),
            (from_list, to_list),
        )
        if row is not None:
            rows.append({**row, "line": line})
    _check_conflicts(where, rows, problems)
    computed = relations([(r["from_code"], r["to_code"]) for r in rows])
    for row, relation in zip(rows, computed, strict=True):
        declared = row.pop("declared")
        if declared and declared != relation:
            problems.append(
                f"{where}:{row['line']}: `relation` = `{declared}` but the rows make "
                f"`{row['from_code']}` -> `{row['to_code']}` {relation}"
            )
        row["relation"] = relation
    if problems:
        raise refuse(path, problems, "Crosswalk", "对照表")
    return rows


def _checked_pair(
    where: str,
    cells: dict[str, str],
    columns: dict[str, str],
    problems: list[str],
    numbers: set[str],
    codes: tuple[set[str], set[str]],
    lists: tuple[str, str],
) -> dict[str, Any] | None:
    value = {field: cells.get(header, "").strip() for field, header in columns.items()}
    before = len(problems)
    problems.extend(number_problems(where, columns, value, numbers))
    for field, known, name in zip(("from_code", "to_code"), codes, lists, strict=True):
        # A number's `111` may well be a code (`0111` was meant): it is said once, as a number.
        if value[field] not in known and columns[field] not in numbers:
            problems.append(f"{where}: `{field}` = `{value[field][:40]}` is not a code of `{name}`")
    declared = value.get("relation", "").replace("：", ":").lower()
    if declared and declared not in RELATIONS:
        problems.append(f"{where}: `relation` = `{declared}` is not one of {', '.join(RELATIONS)}")
    if bool(value.get("rule_field")) != bool(value.get("rule_value")):
        problems.append(f"{where}: a rule needs both `rule_field` and `rule_value`")
    dates: dict[str, date | None] = {}
    for field in ("valid_from", "valid_to"):
        text = value.get(field, "")
        try:
            dates[field] = parse_date(text) if text else None
        except ValueError:
            problems.append(f"{where}: `{field}` = `{text}` is not a date; write 2026-07-08")
    if len(problems) > before:
        return None
    return {
        "from_code": value["from_code"],
        "to_code": value["to_code"],
        "declared": declared,
        "rule_field": value.get("rule_field") or None,
        "rule_value": value.get("rule_value") or None,
        "valid_from": dates.get("valid_from"),
        "valid_to": dates.get("valid_to"),
    }


def _check_conflicts(where: str, rows: list[dict[str, Any]], problems: list[str]) -> None:
    by_from: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_from[row["from_code"]].append(row)
    for code, group in by_from.items():
        fields = {r["rule_field"] for r in group}
        if len(group) > 1 and len(fields) > 1:
            lines = ", ".join(str(r["line"]) for r in group)
            problems.append(
                f"{where}:{group[0]['line']}: `{code}` has rows with different rule fields or with and "
                f"without a rule (lines {lines}); give all its rows the same `rule_field`"
            )
        for i, first in enumerate(group):
            for second in group[i + 1 :]:
                if not _overlap(first, second) or first["rule_value"] != second["rule_value"]:
                    continue
                if first["to_code"] == second["to_code"]:
                    problems.append(
                        f"{where}:{second['line']}: repeats line {first['line']} (`{code}` -> `{first['to_code']}`)"
                    )
                elif first["rule_value"] is not None:
                    problems.append(
                        f"{where}:{second['line']}: conflicts with line {first['line']}: `{code}` with "
                        f"`{first['rule_field']}` = `{first['rule_value']}` goes to both "
                        f"`{first['to_code']}` and `{second['to_code']}`"
                    )


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    start = max(a["valid_from"] or date.min, b["valid_from"] or date.min)
    end = min(a["valid_to"] or date.max, b["valid_to"] or date.max)
    return start <= end
