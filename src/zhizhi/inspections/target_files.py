"""The target register as a workbook: exported whole, and imported back to set classes (with a reason) and offices
by hand, every problem of a file at once (`zhizhi.inspections.targets` keeps the register itself)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.access import audit
from zhizhi.access.departments import get_department_by_code
from zhizhi.access.roles import Actor, require
from zhizhi.errors import NotFoundError
from zhizhi.inspections.excel import Column, Problems, read_sheet, write_book
from zhizhi.inspections.risk import CLASS_ALIASES, CLASS_WORDS, concluded
from zhizhi.inspections.targets import CHUNK, OfficeIndex
from zhizhi.store.tables import Department, InspectionTarget

MAX_IMPORT_ROWS = 1_000_000
COLUMNS = (
    Column("entity_id", "主体编号", "Entity id", ("主体ID",)),
    Column("uscc", "统一社会信用代码", "Credit code", ("信用代码",)),
    Column("name", "名称", "Name", ("企业名称", "主体名称")),
    Column("office", "属地监管所", "Office", ("监管所", "属地所")),
    Column("risk_class", "风险等级", "Risk class", ("风险分类",)),
    Column("manual_reason", "调整原因", "Reason set by hand", ("调整理由",)),
    Column("reasons", "风险依据", "Reasons"),
    Column("record_types", "记录类型", "Records held"),
    Column("last_inspected_on", "最近检查日期", "Last inspected"),
    Column("active", "可抽取", "Drawable"),
)


def import_targets(session: Session, actor: Actor, data: bytes, file_name: str) -> int:
    """Set classes (with a reason) and offices by hand from an .xlsx whose rows name a target by its entity id or
    credit code; `自动` (auto) clears what was set by hand. A class or office a row repeats as the register holds it
    (as exported) changes nothing; what changes applies at once, the class and its reasons with it. Returns the rows
    applied; every problem at once."""
    require(actor, "data.write")
    problems = Problems(file_name)
    changes: list[tuple[InspectionTarget, dict[str, Any]]] = []
    offices = {i: (code, path) for i, code, path in session.execute(select(Department.id, Department.code,
                                                                           Department.path))}  # fmt: skip
    seen: dict[int, int] = {}  # a firm named twice (by its id, or once by id and once by credit code): refused
    for number, row in read_sheet(data, file_name, COLUMNS, max_rows=MAX_IMPORT_ROWS):
        target = _imported_target(session, number, row, problems)
        if target is None or _repeated(target, number, row, seen, problems):
            continue
        change = _class_change(target, number, row, problems)
        office = None if change is None else _office_change(session, actor, target, number, row, problems, offices)
        if change is None or office is None or not (change or office):
            continue  # a problem, or a row as the register holds it: anyone's, changing nothing
        if _within(actor, target, number, row, offices, problems):
            changes.append((target, change | office))
    problems.raise_if_any()
    automatic = OfficeIndex.of(session)
    for target, change in changes:
        _apply(target, change, automatic)
    audit.record(
        session,
        actor,
        "inspection_targets.import",
        object_type="inspection_targets",
        detail={"file": file_name, "rows": len(changes)},
    )
    return len(changes)


_COLUMN = {c.name: c for c in COLUMNS}


def _repeated(
    target: InspectionTarget, number: int, row: dict[str, str], seen: dict[int, int], problems: Problems
) -> bool:
    """Whether an earlier row named the same target (a problem naming both rows)."""
    earlier = seen.setdefault(target.entity_id, number)
    if earlier != number:
        key = "entity_id" if row.get("entity_id") else "uscc"
        problems.add(number, _COLUMN[key], row[key], f"already on row {earlier}", f"与第 {earlier} 行重复")
    return earlier != number


def _imported_target(
    session: Session, number: int, row: dict[str, str], problems: Problems
) -> InspectionTarget | None:
    """The target a row names, when it is in the register, is the only one holding the credit code it names, and
    holds the credit code the row gives beside its id (else a problem: a class must not land on another firm)."""
    found = _targets_of(session, row)
    key = "entity_id" if row.get("entity_id") else "uscc"
    uscc = row.get("uscc", "").upper()
    if not found:
        problems.add(
            number,
            _COLUMN[key],
            row.get(key, ""),
            "no such target in the register (refresh it first)",
            "名录库中没有该对象（请先刷新名录库）",
        )
        return None
    if len(found) > 1:
        ids = ", ".join(str(t.entity_id) for t in found)
        problems.add(
            number,
            _COLUMN["uscc"],
            uscc,
            f"targets {ids} hold this credit code (a pair the register has not merged yet): name the row by its "
            "主体编号",
            f"主体编号 {ids} 均为该信用代码（主体库尚未合并）：请以主体编号指明对象",
        )
        return None
    target = found[0]
    if key == "entity_id" and uscc and target.uscc and target.uscc != uscc:
        problems.add(
            number,
            _COLUMN["uscc"],
            uscc,
            f"target {target.entity_id} holds credit code `{target.uscc}`: correct the id or the code",
            f"主体编号 {target.entity_id} 的信用代码为 `{target.uscc}`：请改正主体编号或信用代码",
        )
        return None
    return target


def _within(
    actor: Actor, target: InspectionTarget, number: int, row: dict[str, str], offices: dict[int, tuple[str, str]],
    problems: Problems,
) -> bool:
    """Whether the target a row changes lies within the actor's departments (else a problem)."""
    outside = _outside(actor, target, offices)
    if outside is not None:
        key = "entity_id" if row.get("entity_id") else "uscc"
        problems.add(
            number,
            _COLUMN[key],
            row.get(key, ""),
            f"the target is supervised by `{outside}`, outside your departments: its steward changes it",
            f"该对象由 `{outside}` 监管，不在您的权限范围内，请由其数据管理员调整",
        )
    return outside is None


def _apply(target: InspectionTarget, change: dict[str, Any], automatic: OfficeIndex) -> None:
    """Set what a row changes, and what follows from it at once: the class and reasons of a class set or cleared, the
    office of the division for an office cleared (a draw frozen before the next rebuild must see them)."""
    for key, value in change.items():
        setattr(target, key, value)
    if "manual_class" in change:
        target.risk_class, reasons = concluded(
            target.risk_score, json.loads(target.reasons), target.manual_class, target.manual_reason
        )
        target.reasons = json.dumps(reasons, ensure_ascii=False)
    if change.get("office_source") == "none":
        target.office_id, target.office_source = automatic.office_of(target.division_code)


def _class_change(
    target: InspectionTarget, number: int, row: dict[str, str], problems: Problems
) -> dict[str, Any] | None:
    """What a row sets of the risk class (nothing, a class with its reason, or back to automatic); None: a problem.
    The class the target has, with no reason or the reason it was set with, is no change (a row as exported)."""
    wanted = row.get("risk_class", "")
    if wanted in ("自动", "auto"):
        return {"manual_class": None, "manual_reason": None} if target.manual_class else {}
    if not wanted:
        return {}
    if wanted not in CLASS_ALIASES:
        words = ("write 高, 一般 or 低 (or 自动)", "请填写“高”“一般”“低”或“自动”")
        problems.add(number, _COLUMN["risk_class"], wanted, *words)
        return None
    reason = row.get("manual_reason", "").strip()
    if CLASS_ALIASES[wanted] == target.risk_class and reason in ("", target.manual_reason or ""):
        return {}
    if not reason or len(reason) > 200:
        problems.add(
            number,
            _COLUMN["manual_reason"],
            reason,
            "give the reason (at most 200 characters)",
            "人工调整风险等级须填写原因（不超过200字）",
        )
        return None
    return {"manual_class": CLASS_ALIASES[wanted], "manual_reason": reason}


def _office_change(
    session: Session,
    actor: Actor,
    target: InspectionTarget,
    number: int,
    row: dict[str, str],
    problems: Problems,
    offices: dict[int, tuple[str, str]],
) -> dict[str, Any] | None:
    """What a row sets of the supervising office (nothing, an office, or back to automatic); None: a problem. The
    office the target has is no change (a row as exported: the office found for its division is not pinned)."""
    office = row.get("office", "")
    if office in ("自动", "auto"):
        return {"office_source": "none"} if target.office_source == "import" else {}
    if not office or (target.office_id is not None and offices[target.office_id][0] == office):
        return {}
    try:
        return {"office_id": get_department_by_code(session, actor, office).id, "office_source": "import"}
    except NotFoundError as exc:
        problems.add(number, _COLUMN["office"], office, exc.message, exc.message_zh or exc.message)
        return None


def _outside(actor: Actor, target: InspectionTarget, offices: dict[int, tuple[str, str]]) -> str | None:
    """The code of the office supervising `target` when it lies outside the actor's subtree (a target with no office
    is the bureau's: `none` unless the actor's subtree is the whole tree)."""
    if target.office_id is None:
        return None if all(actor.covers(path) for _, path in offices.values()) else "none"
    code, path = offices[target.office_id]
    return None if actor.covers(path) else code


def _targets_of(session: Session, row: dict[str, str]) -> list[InspectionTarget]:
    """The targets a row names: by its entity id, else every one holding its credit code (two at most)."""
    if row.get("entity_id", "").isdigit():
        target = session.get(InspectionTarget, int(row["entity_id"]))
        return [target] if target else []
    if row.get("uscc"):
        query = select(InspectionTarget).where(InspectionTarget.uscc == row["uscc"].upper())
        return list(session.scalars(query.order_by(InspectionTarget.entity_id).limit(2)))
    return []


def export_targets(session: Session, actor: Actor) -> bytes:
    """The whole register as .xlsx, in the columns an import reads (and the reasons, for reading)."""
    require(actor, "data.read")
    codes = {i: c for i, c in session.execute(select(Department.id, Department.code))}
    query = select(InspectionTarget).order_by(InspectionTarget.entity_id)

    def rows() -> Any:
        for t in session.scalars(query).yield_per(CHUNK):
            reasons = "；".join(r["zh"] for r in json.loads(t.reasons))
            yield (
                t.entity_id,
                t.uscc or "",
                t.name or "",
                codes.get(t.office_id, "") if t.office_id else "",
                CLASS_WORDS[t.risk_class][0],
                t.manual_reason or "",
                reasons,
                "、".join(t.record_types.split(",")),
                t.last_inspected_on.isoformat() if t.last_inspected_on else "",
                "是" if t.active else "否",
            )

    return write_book("检查对象名录库", COLUMNS, rows())
