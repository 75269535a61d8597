"""The inspection-target register (检查对象名录库): every active entity of the register, the office that supervises
it, the kinds of records held on it, and its risk class with the reasons (`zhizhi.inspections.risk`).

`refresh_targets` rebuilds it from the register, keeping what an import set by hand (a class and its reason, an
office). The office is the grassroots office of the entity's division when one office has that division, else the
county office of the division (several grassroots offices share a county: the county stands for them all, which
makes the own-office exclusion of a draw cover every one of them), else none. The register as a workbook (exported,
and imported back to set classes and offices by hand) is `zhizhi.inspections.target_files`.
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
from zhizhi.access.roles import Actor, require
from zhizhi.errors import NotFoundError
from zhizhi.inspections.risk import (
    CLASS_WORDS,
    COMPLAINT_MONTHS,
    FINDING_MONTHS,
    FINDING_POINTS,
    Facts,
    assess,
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
GONE = ("cancelled", "revoked", "moved_out")  # an entity record in one of these states: never drawn


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
