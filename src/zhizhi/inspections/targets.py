"""The inspection-target register (检查对象名录库): every active entity of the register, the office that supervises
it, the kinds of records held on it, and its risk class with the reasons (`zhizhi.inspections.risk`).

`refresh_targets` rebuilds it from the register, keeping what an import set by hand (a class and its reason, an
office). The office is the grassroots office of the entity's division when one office has that division, else the
county office of the division (several grassroots offices share a county: the county stands for them all, which
makes the own-office exclusion of a draw cover every one of them), else none.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from zhizhi.access import audit
from zhizhi.access.departments import get_department_by_code
from zhizhi.access.roles import Actor, require
from zhizhi.errors import NotFoundError
from zhizhi.inspections.excel import Column, Problems, read_sheet, write_book
from zhizhi.inspections.risk import (
    CLASS_ALIASES,
    CLASS_WORDS,
    COMPLAINT_MONTHS,
    FINDING_MONTHS,
    FINDING_POINTS,
    Facts,
    assess,
    concluded,
)
from zhizhi.inspections.visit_records import record_visits
from zhizhi.resolve.register import current_ids
from zhizhi.store.tables import (
    Case,
    Department,
    Entity,
    EntityLink,
    InspectionTarget,
    InspectionVisit,
    Record,
    RecordVersion,
)
from zhizhi.store.types import local_today, utcnow

CHUNK = 5_000
MAX_IMPORT_ROWS = 1_000_000
GONE = ("cancelled", "revoked", "moved_out")  # an entity record in one of these states: never drawn
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


@dataclass(frozen=True)
class RefreshReport:
    """What a rebuild found: targets by class, the ones not drawable, the classes set by hand kept."""

    targets: int
    by_class: dict[str, int]
    inactive: int
    manual: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def months_before(day: date, months: int) -> date:
    month = day.month - 1 - months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, 28))


def refresh_targets(session: Session, actor: Actor, *, today: date | None = None) -> RefreshReport:
    """Rebuild the target register from the entity register (in the caller's transaction)."""
    require(actor, "data.write")
    today = today or local_today()
    now = utcnow()
    kept = {
        t.entity_id: t
        for t in session.scalars(
            select(InspectionTarget).where(
                or_(InspectionTarget.manual_class.is_not(None), InspectionTarget.office_source == "import")
            )
        )
    }
    kept_values = {
        k: (t.manual_class, t.manual_reason, t.office_id if t.office_source == "import" else None)
        for k, t in kept.items()
    }
    facts, kinds, last, gone = _facts(session, today)
    offices = OfficeIndex.of(session)
    session.execute(delete(InspectionTarget))
    by_class: Counter[str] = Counter()
    inactive = manual = 0
    rows: list[dict[str, Any]] = []
    query = select(Entity.id, Entity.name, Entity.uscc, Entity.golden).where(Entity.status == "active")
    for entity_id, name, uscc, golden in session.execute(query.order_by(Entity.id)).yield_per(CHUNK):
        division = _division(golden)
        manual_class, manual_reason, office_set = kept_values.get(entity_id, (None, None, None))
        office_id, source = (office_set, "import") if office_set else offices.office_of(division)
        risk_class, score, reasons = assess(facts.get(entity_id) or Facts(), manual_class, manual_reason)
        active = entity_id not in gone
        by_class[risk_class] += 1
        inactive += not active
        manual += manual_class is not None
        rows.append(
            {
                "entity_id": entity_id,
                "name": name,
                "uscc": uscc,
                "division_code": division,
                "office_id": office_id,
                "office_source": source,
                "record_types": ",".join(sorted(kinds.get(entity_id, {"entity"}))),
                "risk_class": risk_class,
                "risk_score": score,
                "reasons": json.dumps(reasons, ensure_ascii=False),
                "last_inspected_on": last.get(entity_id),
                "active": active,
                "manual_class": manual_class,
                "manual_reason": manual_reason,
                "refreshed_at": now,
            }
        )
        if len(rows) >= CHUNK:
            session.execute(insert(InspectionTarget), rows)
            rows = []
    if rows:
        session.execute(insert(InspectionTarget), rows)
    report = RefreshReport(sum(by_class.values()), dict(by_class), inactive, manual)
    audit.record(
        session, actor, "inspection_targets.refresh", object_type="inspection_targets", detail=report.as_dict()
    )
    return report


def _division(golden: str | None) -> str | None:
    if not golden or "address_division_code" not in golden:
        return None
    value = json.loads(golden).get("address_division_code", {}).get("value")
    return str(value) if value else None


def _facts(session: Session, today: date) -> tuple[dict[int, Facts], dict[int, set[str]], dict[int, date], set[int]]:
    """Per entity: the facts its risk is scored on, the kinds of records held, the last inspection, and whether an
    entity record says it is gone (cancelled, revoked, moved out)."""
    facts: dict[int, Facts] = defaultdict(Facts)
    kinds: dict[int, set[str]] = defaultdict(lambda: {"entity"})
    counts = (
        select(EntityLink.entity_id, Record.record_type, func.count())
        .join(Record, Record.id == EntityLink.record_id)
        .group_by(EntityLink.entity_id, Record.record_type)
    )
    for entity_id, kind, count in session.execute(counts):
        kinds[entity_id].add(kind)
        if kind == "licence":
            facts[entity_id].licences = int(count)
        elif kind == "equipment":
            facts[entity_id].equipment = int(count)
    since = months_before(today, COMPLAINT_MONTHS)
    complaints = (
        select(Case.entity_id, func.count())
        .where(Case.entity_id.is_not(None), Case.kind.in_(("complaint", "report")), Case.stage != "merged")
        .where(Case.received_on >= since)
        .group_by(Case.entity_id)
    )
    # A case or visit names the firm as it was then: one the register has merged since counts for the firm it is now.
    counted = [(respondent, int(count)) for respondent, count in session.execute(complaints) if respondent is not None]
    now = current_ids(session, [respondent for respondent, _ in counted])
    for respondent, count in counted:
        facts[now[respondent]].complaints += count
    last = _inspections(session, months_before(today, FINDING_MONTHS), facts)
    done = select(InspectionVisit.entity_id, func.max(InspectionVisit.inspected_on)).where(
        InspectionVisit.inspected_on.is_not(None)
    )
    visited = session.execute(done.group_by(InspectionVisit.entity_id)).all()
    now = current_ids(session, [entity_id for entity_id, _ in visited])
    for entity_id, latest in visited:
        if latest is not None:
            last[now[entity_id]] = max(latest, last.get(now[entity_id], latest))
    gone = {
        entity_id
        for entity_id, data in _latest(session, "entity", RecordVersion.data.contains('"status"'))
        if json.loads(data).get("status") in GONE
    }
    return dict(facts), dict(kinds), last, gone


def _inspections(session: Session, since: date, facts: dict[int, Facts]) -> dict[int, date]:
    """The last day each entity was inspected; its findings from `since` added to its facts, once per visit: a joint
    visit made one record per department, and a firm not found by one team was not found twice."""
    visits = record_visits()
    query = (
        select(EntityLink.entity_id, RecordVersion.data, Record.id, visits.c.visit_id)
        .join(Record, Record.id == EntityLink.record_id)
        .join(RecordVersion, RecordVersion.id == Record.version_id)
        .outerjoin(visits, visits.c.record_id == Record.id)
        .where(Record.record_type == "inspection")
    )
    last: dict[int, date] = {}
    counted: set[tuple[int, str, int, str]] = set()
    for entity_id, data, record_id, visit_id in session.execute(query).yield_per(CHUNK):
        record = json.loads(data)
        day, result = _day(record.get("inspected_on")), record.get("result")
        if day is None:
            continue
        last[entity_id] = max(day, last.get(entity_id, day))
        visit = (entity_id, "visit", visit_id, result) if visit_id else (entity_id, "record", record_id, result)
        if day >= since and result in FINDING_POINTS and visit not in counted:
            counted.add(visit)
            facts[entity_id].findings[result] += 1
    return last


def _latest(session: Session, kind: str, *where: ColumnElement[bool]) -> Any:
    """(entity id, data) of the latest version of every linked record of `kind`."""
    query = (
        select(EntityLink.entity_id, RecordVersion.data)
        .join(Record, Record.id == EntityLink.record_id)
        .join(RecordVersion, RecordVersion.id == Record.version_id)
        .where(Record.record_type == kind, *where)
    )
    return session.execute(query).yield_per(CHUNK)


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class OfficeIndex:
    """Which office supervises a division: its one grassroots office, else its county office."""

    grassroots: dict[str, list[int]]
    counties: dict[str, int]

    @classmethod
    def of(cls, session: Session) -> OfficeIndex:
        grassroots: dict[str, list[int]] = defaultdict(list)
        counties: dict[str, int] = {}
        rows = session.execute(select(Department.id, Department.kind, Department.division_code).order_by(Department.id))
        for department_id, kind, division in rows:
            if division and kind == "grassroots":
                grassroots[division].append(department_id)
            elif division and kind == "county":
                counties.setdefault(division, department_id)
        return cls(dict(grassroots), counties)

    def office_of(self, division: str | None) -> tuple[int | None, str]:
        if not division:
            return None, "none"
        offices = self.grassroots.get(division, [])
        if len(offices) == 1:
            return offices[0], "division"
        county = self.counties.get(division)
        return (county, "county") if county else (None, "none")


def target_as_dict(target: InspectionTarget, office: Department | None) -> dict[str, Any]:
    """The JSON form of a target (no personal data: the register's name and code only)."""
    return {
        "entity_id": target.entity_id,
        "name": target.name,
        "uscc": target.uscc,
        "division_code": target.division_code,
        "office": office.code if office else None,
        "office_name": office.name if office else None,
        "office_source": target.office_source,
        "record_types": target.record_types.split(","),
        "risk_class": target.risk_class,
        "risk_class_zh": CLASS_WORDS[target.risk_class][0],
        "risk_score": target.risk_score,
        "reasons": json.loads(target.reasons),
        "last_inspected_on": target.last_inspected_on.isoformat() if target.last_inspected_on else None,
        "active": target.active,
        "manual_class": target.manual_class,
        "manual_reason": target.manual_reason,
    }


def list_targets(
    session: Session,
    actor: Actor,
    *,
    query: str = "",
    risk_class: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """A page of the register (the bureau's: every reader sees it all), by entity id, and the counts by class."""
    require(actor, "data.read")
    clauses: list[ColumnElement[bool]] = []
    if query.strip():
        text = query.strip()[:100]
        clauses.append(or_(InspectionTarget.name.contains(text), InspectionTarget.uscc == text.upper()))
    if risk_class:
        clauses.append(InspectionTarget.risk_class == risk_class)
    rows = session.execute(
        select(InspectionTarget, Department)
        .outerjoin(Department, Department.id == InspectionTarget.office_id)
        .where(*clauses)
        .order_by(InspectionTarget.entity_id)
        .limit(limit)
        .offset(offset)
    ).all()
    classes = session.execute(select(InspectionTarget.risk_class, func.count()).group_by(InspectionTarget.risk_class))
    total = session.scalar(select(func.count()).select_from(InspectionTarget).where(*clauses)) or 0
    return {
        "targets": [target_as_dict(t, d) for t, d in rows],
        "total": int(total),
        "by_class": {c: int(n) for c, n in classes},
    }


def get_target(session: Session, actor: Actor, entity_id: int) -> dict[str, Any]:
    """One target with its reasons."""
    require(actor, "data.read")
    target = session.get(InspectionTarget, entity_id)
    if target is None:
        raise NotFoundError(
            f"Entity `{entity_id}` is not in the target register. Run `zhizhi inspections targets refresh` after the "
            "register is resolved.",
            zh=f"主体 `{entity_id}` 不在检查对象名录库中。请在主体库归集后刷新名录库。",
        )
    office = session.get(Department, target.office_id) if target.office_id else None
    return target_as_dict(target, office)


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
