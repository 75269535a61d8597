"""Publication (一公开): every inspected visit's results go to the enterprise credit publicity system (国家企业信用信息
公示系统) within 20 working days of the end of the inspection (the day the visit was inspected; not counted), on the
working-day calendar of `zhizhi.hotline.workdays` (holidays off, make-up working days on).

The export is the system's sheet of random-inspection results as the bureau keys them in: one row per visit
(`VISIT_SHEET`, the sheet 抽查检查结果) and one per item checked (`ITEM_SHEET`, 抽查事项结果); docs/inspections.md
says what each column holds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi import ledger
from zhizhi.access import DepartmentKind, audit
from zhizhi.access.departments import within_scope
from zhizhi.access.roles import Actor, require
from zhizhi.cells import xlsx_cell
from zhizhi.config import Workspace
from zhizhi.errors import InputError, NotFoundError
from zhizhi.hotline.workdays import UnknownYearError, WorkCalendar, load_calendar
from zhizhi.inspections.files import keep_unless_rolled_back
from zhizhi.inspections.visits import legal_representatives, overall, visible, visit_checks
from zhizhi.privacy.masking import mask_known
from zhizhi.store.tables import (
    Department,
    InspectionDraw,
    InspectionPlan,
    InspectionPublication,
    InspectionVisit,
)
from zhizhi.store.types import LOCAL_TZ, iso_utc, local_today, utcnow

PUBLISH_WITHIN = 20  # working days from the end of the inspection
WARN_WITHIN = 3  # working days left when a visit shows as due soon
PUBLICATIONS_FOLDER = Path("inspections") / "publications"
# The wording of the publicity system for a visit's result.
PUBLISHED_WORDS = {
    "pass": "未发现问题",
    "rectify": "发现问题，已责令改正",
    "fail": "发现问题，待后续处理",
    "not_found": "通过登记的住所或者经营场所无法联系",
}
VISIT_SHEET = (
    "统一社会信用代码",
    "企业名称",
    "抽查计划编号",
    "抽查任务编号",
    "抽查任务名称",
    "抽查类型",
    "抽查机关",
    "抽查完成日期",
    "抽查事项",
    "检查结果",
)
ITEM_SHEET = ("抽查任务编号", "统一社会信用代码", "企业名称", "抽查事项", "实施部门", "检查结果", "检查说明")


def deadline(calendar: WorkCalendar, inspected_on: date) -> date:
    """The last day to publish: the 20th working day after `inspected_on` (`UnknownYearError` when the calendar
    does not know a year it runs into)."""
    found = 0
    for day in calendar.working_days(inspected_on, date(inspected_on.year + 1, 12, 31)):
        found += 1
        if found == PUBLISH_WITHIN:
            return day
    raise AssertionError("a year holds more than 20 working days")


def deadline_or_none(calendar: WorkCalendar, inspected_on: date) -> date | None:
    """The deadline, or None while the calendar lacks a year it needs (never guessed: see docs/hotline.md)."""
    try:
        return deadline(calendar, inspected_on)
    except UnknownYearError:
        return None


def clock(calendar: WorkCalendar, visit: InspectionVisit, today: date) -> dict[str, Any]:
    """The visit's publication clock: published (on time or late), due, due soon (warning), breached, or unknown
    (the calendar lacks the year); not started before the visit is inspected. The working days left (negative:
    over) are None when the calendar lacks a year they run through: never guessed."""
    if visit.inspected_on is None:
        return {"status": "not_started", "publish_by": None, "working_days_left": None}
    by = visit.publish_by or deadline_or_none(calendar, visit.inspected_on)
    shown = by.isoformat() if by else None
    if visit.published_at is not None:
        on = visit.published_at.astimezone(LOCAL_TZ).date()
        if by is None:  # within 20 calendar days is within 20 working days, whatever the holidays
            status = "published" if (on - visit.inspected_on).days <= PUBLISH_WITHIN else "unknown"
        else:
            status = "published" if on <= by else "late"
        return {"status": status, "publish_by": shown, "published_on": on.isoformat(), "working_days_left": None}
    if by is None:
        return {"status": "unknown", "publish_by": None, "working_days_left": None}
    if today > by:  # breached for certain; by how many working days is unknown while `today`'s year is not known
        late = _working_days(calendar, by, today)
        return {"status": "breached", "publish_by": shown, "working_days_left": None if late is None else -late}
    left = _working_days(calendar, today, by)
    status = "warning" if left is not None and left < WARN_WITHIN else "due"
    return {"status": status, "publish_by": shown, "working_days_left": left}


def _working_days(calendar: WorkCalendar, after: date, through: date) -> int | None:
    """The working days after `after` through `through`, or None while the calendar lacks a year between."""
    try:
        return sum(1 for _ in calendar.working_days(after, through))
    except UnknownYearError:
        return None


def publication_view(session: Session, actor: Actor, workspace: Workspace, today: date | None = None) -> dict[str, Any]:
    """The publication clock of every inspected visit the actor may see: waiting (by deadline), the breach list
    (past the deadline unpublished, or published late), and the exports made."""
    require(actor, "data.read")
    today = today or local_today()
    calendar = load_calendar(workspace.root)
    visits = session.scalars(
        select(InspectionVisit)
        .where(InspectionVisit.status == "done", visible(actor))
        .order_by(InspectionVisit.inspected_on, InspectionVisit.id)
    ).all()
    waiting, breaches, published = [], [], 0
    for visit in visits:
        row = {
            "number": visit.number,
            "entity_name": visit.entity_name,
            "entity_uscc": visit.entity_uscc,
            "inspected_on": visit.inspected_on.isoformat() if visit.inspected_on else None,
            **clock(calendar, visit, today),
        }
        if row["status"] in ("breached", "late"):
            breaches.append(row)
        if row["status"] in ("due", "warning", "breached", "unknown"):
            waiting.append(row)
        elif row["status"] == "published":
            published += 1
    exports = session.scalars(select(InspectionPublication).order_by(InspectionPublication.id.desc()).limit(20))
    return {
        "today": today.isoformat(),
        "within_working_days": PUBLISH_WITHIN,
        "waiting": waiting,
        "breaches": breaches,
        "published_on_time": published,
        "exports": [
            {
                "number": p.number,
                "visits": p.visits,
                "sha256": p.sha256,
                "made_by": p.made_by,
                "made_at": iso_utc(p.made_at),
                "ledger_seq": p.ledger_seq,
            }
            for p in exports
        ],
    }


def _rows(session: Session, visits: Sequence[InspectionVisit]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    departments = {d.id: d for d in session.scalars(select(Department))}
    plans: dict[int, tuple[str, str]] = {
        draw_id: (number, title)
        for draw_id, number, title in session.execute(
            select(InspectionDraw.id, InspectionPlan.number, InspectionPlan.title).join(
                InspectionPlan, InspectionPlan.id == InspectionDraw.plan_id
            )
        )
    }
    legal = legal_representatives(session, {v.entity_id for v in visits})
    per_visit: list[tuple[Any, ...]] = []
    per_item: list[tuple[Any, ...]] = []
    for visit in visits:
        checks = visit_checks(session, visit)
        units = sorted({v.department_id for v, _ in checks})
        plan_number, title = plans.get(visit.draw_id or 0, ("", ""))
        result = overall([v.result for v, _ in checks]) or ""
        authority = "、".join(
            dict.fromkeys(_authority(departments, d) for d in (visit.department_id, *units))  # in order, once each
        )
        people = (visit.acknowledged_by, legal.get(visit.entity_id))
        per_visit.append(
            (
                visit.entity_uscc or "",
                visit.entity_name,
                plan_number,
                visit.number,
                title,
                "部门联合双随机抽查" if len(units) > 1 else "双随机抽查",
                authority,
                visit.inspected_on.isoformat() if visit.inspected_on else "",
                "；".join(i.name for _, i in checks),
                PUBLISHED_WORDS.get(result, result),
            )
        )
        per_item.extend(
            (
                visit.number,
                visit.entity_uscc or "",
                visit.entity_name,
                i.name,
                departments[v.department_id].name,
                PUBLISHED_WORDS.get(v.result or "", v.result or ""),
                published_note(v.note or "", people),  # for the public system: no one's number or name leaves
            )
            for v, i in checks
        )
    return per_visit, per_item


def _authority(departments: dict[int, Department], department_id: int) -> str:
    """The authority in law a department acts for (the publicity system's 抽查机关): itself when it is the bureau or
    a county bureau, else the nearest of those above it (a section, a grassroots office)."""
    department = departments[department_id]
    while department.kind not in AUTHORITIES and department.parent_id is not None:
        department = departments[department.parent_id]
    return department.name


AUTHORITIES = (DepartmentKind.BUREAU, DepartmentKind.COUNTY)


def published_note(note: str, people: Iterable[str | None]) -> str:
    """An inspector's note as the public system shows it: every number of a person masked, and the names the visit
    knows (who signed for the firm, its legal representative) masked wherever the note writes them."""
    return str(mask_known(note, people))


def workbook(session: Session, visits: Sequence[InspectionVisit]) -> bytes:
    """The export in the publicity system's columns: a sheet per visit, a sheet per item."""
    from openpyxl import Workbook

    per_visit, per_item = _rows(session, visits)
    book = Workbook(write_only=True)
    for title, header, rows in (("抽查检查结果", VISIT_SHEET, per_visit), ("抽查事项结果", ITEM_SHEET, per_item)):
        sheet = book.create_sheet(title)
        sheet.append([xlsx_cell(sheet, h) for h in header])
        for row in rows:
            sheet.append([xlsx_cell(sheet, v) for v in row])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def pending(session: Session, actor: Actor, through: date | None = None) -> list[InspectionVisit]:
    """The inspected visits organised by the actor's subtree that are not published yet (inspected on or before
    `through`): a visit the actor only reads (its items' department, the target's office) is its organiser's to
    publish, as publishing ends its team's corrections."""
    query = select(InspectionVisit).where(
        InspectionVisit.status == "done",
        InspectionVisit.published_at.is_(None),
        within_scope(actor, InspectionVisit.department_id),
    )
    if through is not None:
        query = query.where(InspectionVisit.inspected_on <= through)
    return list(session.scalars(query.order_by(InspectionVisit.inspected_on, InspectionVisit.id)))


def publish(
    session: Session, actor: Actor, workspace: Workspace, *, through: date | None = None
) -> tuple[dict[str, Any], bytes]:
    """Export every unpublished inspected visit the actor may see (up to `through`) for the publicity system, mark
    them published, keep the file under data/inspections/publications and its SHA-256 in the ledger."""
    require(actor, "data.write")
    visits = pending(session, actor, through)
    if not visits:
        raise InputError(
            "Nothing to publish: no inspected visit organised by your departments waits for publication (a visit is "
            "published by a steward of its organiser).",
            zh="没有待公示的抽查检查结果（检查任务由组织部门的数据管理员公示）。",
        )
    body = workbook(session, visits)
    digest = hashlib.sha256(body).hexdigest()
    now = utcnow()
    number = f"GS{now.astimezone(LOCAL_TZ):%Y%m%d%H%M%S%f}"
    name = f"{number}.xlsx"
    keep_unless_rolled_back(session, workspace.data_dir / PUBLICATIONS_FOLDER / name, body)
    seq = ledger.append(
        session,
        "inspection.publish",
        "inspection_publication",
        number,
        {"file": name, "sha256": digest, "visits": [v.number for v in visits]},
    )
    made = InspectionPublication(
        number=number,
        file_name=name,
        sha256=digest,
        visits=len(visits),
        ledger_seq=seq,
        made_by=actor.name,
        made_at=now,
    )
    session.add(made)
    session.flush()
    for visit in visits:
        visit.published_at, visit.publication_id = now, made.id
    audit.record(
        session,
        actor,
        "inspection.publish",
        object_type="inspection_publication",
        object_id=number,
        detail={"visits": len(visits), "sha256": digest},
    )
    return {
        "number": number,
        "file": name,
        "sha256": digest,
        "visits": [v.number for v in visits],
        "ledger_seq": seq,
        "made_at": iso_utc(now),
    }, body


def published_file(session: Session, actor: Actor, workspace: Workspace, number: str) -> tuple[str, bytes]:
    """A publication's file as it was exported (for readers of data: it is what the public system shows)."""
    require(actor, "data.read")
    made = session.scalar(select(InspectionPublication).where(InspectionPublication.number == number))
    if made is None:
        raise NotFoundError(f"No publication `{number}`.", zh=f"没有公示批次 `{number}`。")
    return made.file_name, (workspace.data_dir / PUBLICATIONS_FOLDER / made.file_name).read_bytes()
