"""The inspection-item list (随机抽查事项清单): each item, its legal basis, the department that inspects it, and the
entities it applies to (those the register holds a record of one of its record types for; `entity`: every one)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.access import audit
from zhizhi.access.departments import get_department_by_code
from zhizhi.access.roles import Actor, require
from zhizhi.errors import InputError, NotFoundError, PermissionDeniedError, ZhizhiError
from zhizhi.inspections.excel import Column, Problems, once_each, parse_flag, read_sheet, write_book
from zhizhi.records import record_types
from zhizhi.store.tables import Department, InspectionItem
from zhizhi.store.types import utcnow

CODE = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
SEPARATORS = re.compile(r"[,，、;；\s]+")
# Between an inspector's qualifications (食品、特种设备; 食品/特种设备): an item's one qualification holds none of them.
QUALIFICATION_SEPARATORS = re.compile(r"[,，、;；/／|\s]+")
MAX_QUALIFICATION = 32
MAX_ITEMS = 10_000
COLUMNS = (
    Column("code", "事项编码", "Item code", ("编码", "事项编号"), required=True),
    Column("name", "抽查事项", "Item", ("检查事项", "事项名称"), required=True),
    Column("legal_basis", "检查依据", "Legal basis", ("法律依据", "依据"), required=True),
    Column("department", "实施部门", "Department", ("部门编码", "检查部门"), required=True),
    Column("record_types", "适用对象", "Applies to", ("记录类型", "适用记录类型")),
    Column("qualification", "所需资格", "Qualification", ("执法资格",)),
    Column("active", "是否启用", "Active", ("状态",)),
)


@dataclass(frozen=True)
class ImportReport:
    """What an import did: rows that made a new entry, changed one, or changed nothing."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def parse_record_types(text: str) -> list[str]:
    """Record types from their names or Chinese labels (`licence, equipment` or `许可证、特种设备`); empty: entity.
    Raises ValueError naming the unknown one."""
    known = record_types()
    by_label = {kind.label_zh: name for name, kind in known.items()}
    found = []
    for word in SEPARATORS.split(text.strip()):
        if not word:
            continue
        name = word if word in known else by_label.get(word)
        if name is None:
            raise ValueError(word)
        found.append(name)
    return sorted(set(found)) or ["entity"]


def item_as_dict(item: InspectionItem, department: Department) -> dict[str, Any]:
    """The JSON form of an item."""
    return {
        "code": item.code,
        "name": item.name,
        "legal_basis": item.legal_basis,
        "department": department.code,
        "department_name": department.name,
        "record_types": item.record_types.split(","),
        "qualification": item.qualification,
        "active": item.active,
    }


def list_items(session: Session, actor: Actor, *, active_only: bool = False) -> list[dict[str, Any]]:
    """The item list (the bureau's, published: every reader sees all of it), by code."""
    require(actor, "data.read")
    query = select(InspectionItem, Department).join(Department, Department.id == InspectionItem.department_id)
    if active_only:
        query = query.where(InspectionItem.active)
    return [item_as_dict(i, d) for i, d in session.execute(query.order_by(InspectionItem.code))]


def items_by_code(session: Session, codes: Iterable[str]) -> dict[str, InspectionItem]:
    """The items of `codes`; an unknown or inactive one is refused, named."""
    wanted = sorted(set(codes))
    found = {i.code: i for i in session.scalars(select(InspectionItem).where(InspectionItem.code.in_(wanted)))}
    missing = [c for c in wanted if c not in found or not found[c].active]
    if missing:
        raise NotFoundError(
            f"No active inspection item {', '.join(f'`{c}`' for c in missing)}. "
            "See `zhizhi inspections items list`, or import the item list first.",
            zh=f"抽查事项清单中没有（或已停用）：{'、'.join(missing)}。请先导入抽查事项清单。",
        )
    return found


def save_item(
    session: Session,
    actor: Actor,
    *,
    code: str,
    name: str,
    legal_basis: str,
    department: str,
    record_types_text: str = "",
    qualification: str | None = None,
    active: bool = True,
) -> tuple[InspectionItem, str]:
    """Add or change the item `code`; returns it and `created`, `updated` or `unchanged` (audited when not)."""
    require(actor, "data.write")
    code, name, legal_basis = code.strip(), name.strip(), legal_basis.strip()
    if not CODE.match(code):
        raise InputError(
            f"Item code `{code}`: use 1-32 letters, digits, `.`, `_` or `-`.",
            zh=f"事项编码 `{code}` 只能由 1-32 位字母、数字、点、下划线或连字符组成。",
        )
    if not name or len(name) > 200 or not legal_basis or len(legal_basis) > 2000:
        raise InputError(
            f"Item `{code}`: give a name (at most 200 characters) and a legal basis (at most 2,000).",
            zh=f"事项 `{code}`：须填写事项名称（不超过200字）和检查依据（不超过2000字）。",
        )
    try:
        kinds = ",".join(parse_record_types(record_types_text))
    except ValueError as exc:
        raise InputError(
            f"Item `{code}`: record type `{exc}` is unknown; known: {', '.join(sorted(record_types()))}.",
            zh=f"事项 `{code}`：适用对象 `{exc}` 不是已知的记录类型。",
        ) from None
    item = session.scalar(select(InspectionItem).where(InspectionItem.code == code))
    if item is not None and not actor.covers(session.get_one(Department, item.department_id).path):
        owner = session.get_one(Department, item.department_id)
        raise PermissionDeniedError(
            f"Item code `{code}` is inspected by `{owner.code}`, outside your departments: a steward of `{owner.code}` "
            "changes it; give your own item another code.",
            zh=f"事项编码 `{code}` 属于 `{owner.code}`（{owner.name}），不在您的权限范围内：请由该部门修改，"
            "或为本部门的事项另编编码。",
        )
    dept = get_department_by_code(session, actor, department.strip())
    qualification = _one_qualification(code, qualification)
    values = {
        "name": name,
        "legal_basis": legal_basis,
        "department_id": dept.id,
        "record_types": kinds,
        "qualification": qualification,
        "active": active,
    }
    if item is not None and all(getattr(item, k) == v for k, v in values.items()):
        return item, "unchanged"
    state = "created" if item is None else "updated"
    if item is None:
        item = InspectionItem(code=code, **values)
        session.add(item)
    else:
        for key, value in values.items():
            setattr(item, key, value)
    item.updated_at, item.updated_by = utcnow(), actor.name
    session.flush()
    action = "inspection_item.create" if state == "created" else "inspection_item.update"
    audit.record(
        session,
        actor,
        action,
        object_type="inspection_item",
        object_id=code,
        detail={"department": dept.code, "active": active},
    )
    return item, state


def _one_qualification(code: str, qualification: str | None) -> str | None:
    """The one qualification an item needs, as inspectors' qualifications are written (a word of at most 32
    characters): several, or a longer one, no inspector could ever hold, and every firm of the item went unstaffed."""
    text = (qualification or "").strip()
    if QUALIFICATION_SEPARATORS.search(text) or len(text) > MAX_QUALIFICATION:
        raise InputError(
            f"Item `{code}`: the qualification `{text}` is not one word of at most {MAX_QUALIFICATION} characters; an "
            "inspector holds qualifications one word each, so give the one this item needs (split an item needing "
            "two into two items).",
            zh=f"事项 `{code}`：所需资格 `{text}` 应为一项（不超过{MAX_QUALIFICATION}字、不含分隔符）；"
            "检查人员的执法资格逐项登记，请只填写本事项所需的一项资格（需要两项资格的请拆分为两个事项）。",
        )
    return text or None


def import_items(session: Session, actor: Actor, data: bytes, file_name: str) -> ImportReport:
    """Add or change the items of an .xlsx (see `COLUMNS`); every problem is reported at once, and then nothing
    is imported."""
    require(actor, "data.write")
    problems = Problems(file_name)
    column = {c.name: c for c in COLUMNS}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with session.begin_nested():  # a file with any problem changes nothing
        rows = read_sheet(data, file_name, COLUMNS, max_rows=MAX_ITEMS)
        for number, row in once_each(rows, column["code"], problems):
            active = parse_flag(row.get("active", "")) if row.get("active") else True
            if active is None:
                problems.add(number, column["active"], row["active"], "write 是 or 否", "请填写“是”或“否”")
                continue
            try:
                with session.begin_nested():
                    _, state = save_item(
                        session,
                        actor,
                        code=row["code"],
                        name=row["name"],
                        legal_basis=row["legal_basis"],
                        department=row["department"],
                        record_types_text=row.get("record_types", ""),
                        qualification=row.get("qualification"),
                        active=active,
                    )
                counts[state] += 1
            except ZhizhiError as exc:
                field = _field_of(exc)
                problems.add(number, column[field], row.get(field, ""), exc.message, exc.message_zh or exc.message)
        problems.raise_if_any()
    return ImportReport(**counts)


def _field_of(exc: ZhizhiError) -> str:
    if isinstance(exc, NotFoundError):
        return "department"
    if "the qualification" in exc.message:
        return "qualification"
    if "record type" in exc.message:
        return "record_types"
    return "code" if "code" in exc.message else "name"


def export_items(session: Session, actor: Actor) -> bytes:
    """The item list as .xlsx, in the columns an import reads."""
    rows = (
        (
            i["code"],
            i["name"],
            i["legal_basis"],
            i["department"],
            "、".join(i["record_types"]),
            i["qualification"] or "",
            "是" if i["active"] else "否",
        )
        for i in list_items(session, actor)
    )
    return write_book("抽查事项清单", COLUMNS, rows)
