"""Code lists: import a version from a file (checked whole, stored whole or not at all), look codes up, search."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from zhizhi.access import Actor, require
from zhizhi.codes.columns import CODE_LIST_COLUMNS, number_problems, parse_date, resolve_columns
from zhizhi.codes.files import Table, read_table
from zhizhi.codes.hierarchy import CodeInfo, Hierarchy
from zhizhi.codes.versions import file_digest, same_file, store_version
from zhizhi.errors import InputError, NotFoundError
from zhizhi.store.tables import Code, CodeList, CodeListVersion

_CODE = re.compile(r"^[0-9A-Za-z._-]{1,32}$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
_SPREADSHEET_NUMBER = re.compile(r"^[0-9]+\.0+$")  # 5221.0: a code a spreadsheet held as a number


@dataclass(frozen=True)
class ListSpec:
    """How a list is named and how its tree is declared: `parent` column, or prefix lengths such as (4, 6)."""

    name: str
    title: str
    hierarchy: str = "parent"
    prefix_lengths: tuple[int, ...] = ()
    source: str = ""
    declared: bool = False  # the hierarchy was given by the caller (not a default): a list that has another refuses it


class FileRefusedError(InputError):
    """A file with problems: every one is listed, and nothing of the file is stored."""

    code = "file_refused"


def refuse(path: Path, problems: list[str], what: str, what_zh: str) -> FileRefusedError:
    """The error for a file with problems, naming each by file and line."""
    problems = sorted(problems, key=_line_of)
    shown = problems[:200]
    more = f" (and {len(problems) - 200} more)" if len(problems) > 200 else ""
    more_zh = f"（另有 {len(problems) - 200} 处未列出）" if len(problems) > 200 else ""
    return FileRefusedError(
        f"{what} `{path.name}` refused with {len(problems)} problem(s){more}; nothing was imported and the "
        f"version in force stays: " + "; ".join(shown[:5]) + ("; ..." if len(shown) > 5 else ""),
        zh=f"{what_zh} `{path.name}` 有 {len(problems)} 处问题{more_zh}，未导入任何内容，现行版本不变："
        + "；".join(shown[:5])
        + ("；……" if len(shown) > 5 else ""),
        details=shown,
    )


def _line_of(problem: str) -> int:
    parts = problem.split(":", 2)
    return int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else 0


def import_code_list(
    session: Session,
    actor: Actor,
    path: Path,
    spec: ListSpec,
    *,
    version: str,
    valid_from: date | None = None,
    encoding: str | None = None,
    builtin: bool = False,
) -> CodeListVersion:
    """Check a code-list file whole and store it as a new version of `spec.name`; an identical file is a no-op."""
    require(actor, "data.write")
    _check_spec(spec)
    table = read_table(path, encoding=encoding)
    digest = file_digest(path)
    code_list = session.scalar(select(CodeList).where(CodeList.name == spec.name))
    if code_list is not None:
        # A list keeps the hierarchy it was created with; a new file may only bring a title or provenance.
        _same_hierarchy(spec, code_list)
        spec = ListSpec(
            spec.name,
            spec.title or code_list.title,
            code_list.hierarchy,
            _lengths(code_list.prefix_lengths),
            spec.source or code_list.source,
        )
        existing = session.scalar(
            select(CodeListVersion).where(CodeListVersion.list_id == code_list.id, CodeListVersion.version == version)
        )
        kept = same_file(existing, digest, what=f"`{spec.name}`", what_zh=f"代码表 `{spec.name}`", version=version)
        if kept is not None:
            return kept
    rows = _checked_rows(table, spec)
    if code_list is None:
        code_list = CodeList(
            name=spec.name,
            title=spec.title,
            hierarchy=spec.hierarchy,
            prefix_lengths=",".join(map(str, spec.prefix_lengths)) or None,
            source=spec.source,
            builtin=builtin,
        )
        session.add(code_list)
        session.flush()
    list_version = CodeListVersion(
        list_id=code_list.id,
        version=version,
        valid_from=valid_from,
        file_name=path.name,
        file_hash=digest,
        codes_count=len(rows),
        imported_by=actor.name,
    )
    return store_version(
        session,
        actor,
        list_version,
        Code,
        rows,
        action="codes.import",
        object_type="code_list",
        object_id=f"{spec.name}@{version}",
        path=path,
        counted="codes",
    )


def _same_hierarchy(spec: ListSpec, code_list: CodeList) -> None:
    """Refuse a hierarchy declared for a new version that is not the one the list keeps (it was ignored unsaid)."""
    kept = code_list.hierarchy + (f":{code_list.prefix_lengths}" if code_list.prefix_lengths else "")
    given = spec.hierarchy + (f":{','.join(map(str, spec.prefix_lengths))}" if spec.prefix_lengths else "")
    if spec.declared and given != kept:
        raise InputError(
            f"Code list `{spec.name}` keeps the hierarchy `{kept}` it was created with; `--hierarchy {given}` cannot "
            "change it for a new version. Leave `--hierarchy` out, or import the file as a new list under another "
            "name.",
            zh=f"代码表 `{spec.name}` 沿用创建时的层级 `{kept}`，新版本不能改为 `{given}`；"
            "请去掉 --hierarchy，或以新名称导入为另一张代码表。",
        )


def get_code_list(session: Session, name: str) -> CodeList:
    """A list by name, or NotFoundError pointing at `zhizhi codes list`."""
    code_list = session.scalar(select(CodeList).where(CodeList.name == name))
    if code_list is None:
        raise NotFoundError(f"No code list `{name}`. See `zhizhi codes list`.", zh=f"没有代码表 `{name}`。")
    return code_list


def list_versions(session: Session, name: str) -> list[CodeListVersion]:
    """A list's versions, oldest first."""
    code_list = get_code_list(session, name)
    stmt = select(CodeListVersion).where(CodeListVersion.list_id == code_list.id).order_by(CodeListVersion.id)
    return list(session.scalars(stmt))


def version_in_force(
    session: Session, name: str, *, as_of: date | None = None, version: str | None = None
) -> CodeListVersion:
    """The named version, else the newest one already valid on `as_of` (today when not given)."""
    versions = list_versions(session, name)
    if version is not None:
        for candidate in versions:
            if candidate.version == version:
                return candidate
        raise NotFoundError(
            f"Code list `{name}` has no version `{version}`; it has "
            + ", ".join(f"`{v.version}`" for v in versions)
            + ".",
            zh=f"代码表 `{name}` 没有版本 `{version}`。",
        )
    day = as_of or date.today()
    valid = [v for v in versions if v.valid_from is None or v.valid_from <= day]
    if not valid:
        raise NotFoundError(
            f"Code list `{name}` has no version in force on {day}.", zh=f"代码表 `{name}` 在 {day} 没有生效的版本。"
        )
    return max(valid, key=lambda v: (v.valid_from or date.min, v.id))


def load_hierarchy(session: Session, name: str, *, as_of: date | None = None, version: str | None = None) -> Hierarchy:
    """The codes of the version in force, as a tree in memory."""
    list_version = version_in_force(session, name, as_of=as_of, version=version)
    stmt = select(Code.code, Code.name, Code.parent, Code.level, Code.valid_from, Code.valid_to).where(
        Code.version_id == list_version.id
    )
    codes = {row.code: CodeInfo(*row) for row in session.execute(stmt)}
    return Hierarchy(list_name=name, version=list_version.version, codes=codes)


def all_codes(session: Session, name: str) -> set[str]:
    """Every code that any version of the list ever had."""
    code_list = get_code_list(session, name)
    stmt = select(Code.code).join(CodeListVersion).where(CodeListVersion.list_id == code_list.id).distinct()
    return set(session.scalars(stmt))


def search_codes(session: Session, name: str, query: str, *, limit: int = 50, version: str | None = None) -> list[Code]:
    """Codes of the version in force (or `version`) whose code starts with `query`, or name or initials contain it."""
    list_version = version_in_force(session, name, version=version)
    text = query.strip()
    like = f"%{text}%"
    stmt = (
        select(Code)
        .where(Code.version_id == list_version.id)
        .where(or_(Code.code.startswith(text), Code.name.like(like), Code.initials.like(like.lower())))
        .order_by(Code.level, Code.code)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def list_summaries(session: Session) -> list[dict[str, Any]]:
    """Every list with its versions, for `zhizhi codes list` and the code-list page."""
    summaries = []
    for code_list in session.scalars(select(CodeList).order_by(CodeList.name)):
        versions = list_versions(session, code_list.name)
        try:
            in_force: CodeListVersion | None = version_in_force(session, code_list.name)
        except NotFoundError:  # no version yet, or every one starts in the future
            in_force = None
        summaries.append(
            {
                "name": code_list.name,
                "title": code_list.title,
                "hierarchy": code_list.hierarchy,
                "prefix_lengths": list(_lengths(code_list.prefix_lengths)),
                "builtin": code_list.builtin,
                "source": code_list.source,
                "versions": [
                    {
                        "version": v.version,
                        "valid_from": v.valid_from.isoformat() if v.valid_from else None,
                        "codes": v.codes_count,
                        "file": v.file_name,
                        "imported_by": v.imported_by,
                    }
                    for v in versions
                ],
                "in_force": in_force.version if in_force else None,
            }
        )
    return summaries


def initials(name: str) -> str:
    """Pinyin initials of a Chinese name, lower case: 谷物种植 -> gwzz."""
    from pypinyin import Style, lazy_pinyin

    letters = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")
    return re.sub(r"[^a-z0-9]", "", "".join(letters).lower())[:200]


def _check_spec(spec: ListSpec) -> None:
    if not _NAME.match(spec.name):
        raise InputError(
            f"List name `{spec.name}` is not allowed: use 2-64 lower-case letters, digits and `-`.",
            zh=f"代码表名称 `{spec.name}` 无效：请用 2-64 个小写字母、数字和 `-`。",
        )
    if spec.hierarchy not in ("parent", "prefix"):
        raise InputError(
            f"Hierarchy `{spec.hierarchy}` is unknown: use `parent` or `prefix`.",
            zh=f"未知的层级方式 `{spec.hierarchy}`：请用 `parent` 或 `prefix`。",
        )
    if spec.hierarchy == "prefix" and (
        not spec.prefix_lengths or list(spec.prefix_lengths) != sorted(set(spec.prefix_lengths))
    ):
        raise InputError(
            "A prefix hierarchy needs increasing code lengths, e.g. `prefix:2,4,6`.",
            zh="前缀层级需要递增的代码长度，如 `prefix:2,4,6`。",
        )


def _lengths(text: str | None) -> tuple[int, ...]:
    return tuple(int(n) for n in text.split(",")) if text else ()


def _checked_rows(table: Table, spec: ListSpec) -> list[dict[str, Any]]:
    columns = resolve_columns(table.header, CODE_LIST_COLUMNS)
    where = table.path.name
    missing = [f for f in ("code", "name") if f not in columns]
    if spec.hierarchy == "parent" and "parent" not in columns:
        missing.append("parent")
    if missing:
        raise refuse(
            table.path,
            [
                f"{where}:1: no column for {', '.join(missing)}; the header has "
                + ", ".join(f"`{h}`" for h in table.header)
            ],
            "Code list",
            "代码表",
        )
    problems: list[str] = list(table.problems)
    codes = [alias for alias in CODE_LIST_COLUMNS["code"] if alias in table.header]
    if len(codes) > 1:  # 编号 (a serial number) beside 行业代码: the first alias won, and stored 1, 2, 3 as codes
        problems.append(
            f"{where}:1: {len(codes)} columns could hold the code ({', '.join(f'`{c}`' for c in codes)}); rename or "
            "remove those that do not (a serial number as 序号)"
        )
    rows: dict[str, dict[str, Any]] = {}
    lines: dict[str, int] = {}
    ignored = {columns["parent"]} if spec.hierarchy == "prefix" and "parent" in columns else set()
    for line, cells in table.rows:
        row = _checked_row(f"{where}:{line}", cells, columns, problems, table.numbers.get(line, set()) - ignored)
        if row is None:
            continue
        if row["code"] in rows:
            problems.append(f"{where}:{line}: code `{row['code']}` is already on line {lines[row['code']]}")
            continue
        rows[row["code"]] = row
        lines[row["code"]] = line
    _place_in_tree(where, rows, lines, spec, problems)
    if problems:
        raise refuse(table.path, problems, "Code list", "代码表")
    return list(rows.values())


def _checked_row(
    where: str, cells: dict[str, str], columns: dict[str, str], problems: list[str], numbers: set[str]
) -> dict[str, Any] | None:
    value = {field: cells.get(header, "").strip() for field, header in columns.items()}
    code, name = value["code"], value["name"]
    before = len(problems)
    problems.extend(number_problems(where, columns, value, numbers))
    if not _CODE.match(code):
        problems.append(f"{where}: `code` = `{code[:40]}` is not a code (1-32 letters, digits, `.`, `_`, `-`)")
    elif _SPREADSHEET_NUMBER.match(code):
        problems.append(
            f"{where}: `code` = `{code}` was a number in a spreadsheet (the `.0`; a leading zero may be gone too): "
            "format the code column as text and export again"
        )
    if not name or len(name) > 200:
        problems.append(f"{where}: `name` of `{code}` must have 1-200 characters")
    dates: dict[str, date | None] = {}
    for field in ("valid_from", "valid_to"):
        text = value.get(field, "")
        try:
            dates[field] = parse_date(text) if text else None
        except ValueError:
            problems.append(f"{where}: `{field}` = `{text}` is not a date; write 2026-07-08")
    start, end = dates.get("valid_from"), dates.get("valid_to")
    if start and end and end < start:
        problems.append(f"{where}: `valid_to` {end} is before `valid_from` {start}")
    if len(problems) > before:
        return None
    return {
        "code": code,
        "name": name,
        "parent": value.get("parent") or None,
        "level": 0,
        "initials": initials(name),
        "valid_from": start,
        "valid_to": end,
        "remark": value.get("remark") or None,
    }


def _place_in_tree(
    where: str, rows: dict[str, dict[str, Any]], lines: dict[str, int], spec: ListSpec, problems: list[str]
) -> None:
    if spec.hierarchy == "prefix":
        for code, row in rows.items():
            if len(code) not in spec.prefix_lengths:
                problems.append(
                    f"{where}:{lines[code]}: code `{code}` has {len(code)} characters; the prefix rule "
                    f"allows {', '.join(map(str, spec.prefix_lengths))}"
                )
                continue
            index = spec.prefix_lengths.index(len(code))
            row["level"] = index + 1
            row["parent"] = code[: spec.prefix_lengths[index - 1]] if index else None
            if row["parent"] is not None and row["parent"] not in rows:
                problems.append(
                    f"{where}:{lines[code]}: parent `{row['parent']}` of `{code}` (by the prefix rule) "
                    "is not in the file"
                )
        return
    for code, row in rows.items():
        parent = row["parent"]
        if parent is not None and parent not in rows:
            problems.append(f"{where}:{lines[code]}: parent `{parent}` of `{code}` is not in the file")
    for code, row in rows.items():
        depth, seen, current = 1, [code], row["parent"]
        while current is not None and current in rows:
            if current in seen:
                cycle = " -> ".join([*seen, current])
                problems.append(f"{where}:{lines[code]}: code `{code}` is in a cycle of parents ({cycle})")
                depth = 0
                break
            seen.append(current)
            depth += 1
            current = rows[current]["parent"]
        row["level"] = depth
