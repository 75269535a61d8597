"""The department tree: the bureau at the root; sections, county offices and grassroots offices below it."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from zhizhi.access import audit
from zhizhi.access.roles import Actor, require
from zhizhi.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from zhizhi.store.tables import Department

CODE_MAX_LENGTH = 32
NAME_MAX_LENGTH = 100
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_DIVISION = re.compile(r"^[0-9]{6}$")


class DepartmentKind(StrEnum):
    """The levels of a market-regulation bureau."""

    BUREAU = "bureau"
    SECTION = "section"
    COUNTY = "county"
    GRASSROOTS = "grassroots"


KIND_LABELS_ZH = {
    DepartmentKind.BUREAU: "局",
    DepartmentKind.SECTION: "科室",
    DepartmentKind.COUNTY: "县区局",
    DepartmentKind.GRASSROOTS: "基层所",
}

# Which kinds may sit under which: the bureau at the root; a grassroots office under a county office or,
# in a city without districts, under the bureau itself.
_ALLOWED_PARENTS: dict[DepartmentKind, set[DepartmentKind | None]] = {
    DepartmentKind.BUREAU: {None},
    DepartmentKind.SECTION: {DepartmentKind.BUREAU, DepartmentKind.COUNTY},
    DepartmentKind.COUNTY: {DepartmentKind.BUREAU},
    DepartmentKind.GRASSROOTS: {DepartmentKind.COUNTY, DepartmentKind.BUREAU},
}


def create_department(
    session: Session,
    actor: Actor,
    *,
    code: str,
    name: str,
    kind: str,
    parent_code: str | None = None,
    division_code: str | None = None,
) -> Department:
    """Add a department under `parent_code` (inside the actor's subtree).

    The parent's scope is checked first, so that a code used outside the subtree is not revealed to someone who may
    not add departments there; a used code answers the same wherever its department is.
    """
    require(actor, "departments.write")
    parent = get_department_by_code(session, actor, parent_code) if parent_code else None
    if parent is None and not actor.is_operator and actor.department_path != "/":
        raise PermissionDeniedError(
            "Only the operator can create a root department.", zh="只有系统运维人员能创建根部门。"
        )
    department_kind = _parse_kind(kind)
    code, name = code.strip(), name.strip()
    _check_fields(code, name, division_code)
    if session.scalar(select(Department.id).where(Department.code == code)) is not None:
        raise ConflictError(
            f"Department code `{code}` is already used. Choose another code.",
            zh=f"部门编码 `{code}` 已被使用，请另选一个。",
        )
    parent_kind = DepartmentKind(parent.kind) if parent else None
    if parent_kind not in _ALLOWED_PARENTS[department_kind]:
        where = f"under a `{parent_kind}`" if parent_kind else "at the root"
        raise InputError(
            f"A `{department_kind}` cannot sit {where}. Pick a different parent or kind.",
            zh=f"“{KIND_LABELS_ZH[department_kind]}”不能放在该上级之下。",
        )
    department = Department(
        code=code,
        name=name,
        kind=department_kind.value,
        parent_id=parent.id if parent else None,
        path="",
        division_code=division_code,
    )
    session.add(department)
    session.flush()
    department.path = f"{parent.path if parent else '/'}{department.id}/"
    audit.record(
        session,
        actor,
        "department.create",
        object_type="department",
        object_id=code,
        detail={"name": name, "kind": department_kind.value, "parent": parent_code},
    )
    return department


def list_departments(session: Session, actor: Actor) -> list[Department]:
    """The departments in the actor's subtree, in tree order."""
    require(actor, "departments.read")
    stmt = select(Department).where(Department.path.startswith(actor.department_path))
    return sorted(session.scalars(stmt), key=lambda d: [int(p) for p in d.path.strip("/").split("/")])


def get_department(session: Session, actor: Actor, department_id: int) -> Department:
    """One department, if it lies in the actor's subtree."""
    require(actor, "departments.read")
    department = session.get(Department, department_id)
    if department is None or not actor.covers(department.path):
        raise NotFoundError(f"No department `{department_id}` in your scope.", zh="在您的权限范围内没有该部门。")
    return department


def get_department_by_code(session: Session, actor: Actor, code: str) -> Department:
    """One department by its code, if it lies in the actor's subtree."""
    department = session.scalar(select(Department).where(Department.code == code))
    if department is None or not actor.covers(department.path):
        raise NotFoundError(
            f"No department with code `{code}` in your scope. See `zhizhi dept list` for the codes.",
            zh=f"在您的权限范围内没有编码为 `{code}` 的部门。",
        )
    return department


def within_scope(actor: Actor, department_id: Any) -> ColumnElement[bool]:
    """A filter on a department-id column: rows owned by the actor's subtree (all rows for the operator)."""
    if actor.is_operator:
        return true()
    subtree = select(Department.id).where(Department.path.startswith(actor.department_path))
    clause: ColumnElement[bool] = department_id.in_(subtree)
    return clause


def department_as_dict(department: Department) -> dict[str, Any]:
    """The JSON form of a department."""
    return {
        "id": department.id,
        "code": department.code,
        "name": department.name,
        "kind": department.kind,
        "parent_id": department.parent_id,
        "depth": department.path.count("/") - 2,
        "division_code": department.division_code,
    }


def _check_fields(code: str, name: str, division_code: str | None) -> None:
    if not _CODE.match(code):
        raise InputError(
            f"Department code `{code}` is not allowed: use 1-32 letters, digits, `_` or `-`.",
            zh="部门编码只能包含 1-32 个字母、数字、下划线或连字符。",
        )
    if not name or len(name) > NAME_MAX_LENGTH:
        raise InputError(
            f"Department name `{name[:120]}` must have 1-100 characters.", zh="部门名称须为 1-100 个字符。"
        )
    if division_code is not None and not _DIVISION.match(division_code):
        raise InputError(
            f"Division code `{division_code}` is not a 6-digit GB/T 2260 code, e.g. 450202.",
            zh=f"行政区划代码 `{division_code}` 应为 6 位数字，如 450202。",
        )


def _parse_kind(kind: str) -> DepartmentKind:
    try:
        return DepartmentKind(kind)
    except ValueError:
        choices = ", ".join(k.value for k in DepartmentKind)
        raise InputError(
            f"Unknown department kind `{kind}`; choose from {choices}.",
            zh=f"部门类型 `{kind}` 不存在；可选：{'、'.join(k.value for k in DepartmentKind)}。",
        ) from None
