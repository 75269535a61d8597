"""Results entered once: the findings of each item, the day, the firm's acknowledgement; then, for each department
whose items the visit carried, one inspection record (检查记录) written through the department's own source
(`inspections-<dept>`) and ingested like any other, so that every platform taking that department's inspection
records is owed it through the outbox: one entry at the site, delivered to every department's platform.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.access import audit
from zhizhi.access.roles import Actor
from zhizhi.config import Workspace
from zhizhi.delivery import Outbox
from zhizhi.errors import ConflictError, InputError, PermissionDeniedError
from zhizhi.hotline.workdays import load_calendar
from zhizhi.inspections.excel import checked
from zhizhi.inspections.publication import deadline_or_none
from zhizhi.inspections.visits import (
    ACKNOWLEDGEMENTS,
    get_visit,
    may_record,
    overall,
    recused_members,
    team_of,
    visit_checks,
)
from zhizhi.records.inspection import RESULTS
from zhizhi.sources import SourceConfig, own_source
from zhizhi.store.tables import (
    Department,
    InspectionDraw,
    InspectionItem,
    InspectionTarget,
    InspectionVisit,
    Record,
    User,
    VisitItem,
)
from zhizhi.store.types import LOCAL_TZ, local_today, utcnow

RESULTS_FOLDER = Path("inspections") / "results"  # under the data folder: the files each department's source read
FIELDS = (
    "number",
    "entity_name",
    "entity_uscc",
    "address",
    "inspected_on",
    "inspectors",
    "items",
    "result",
    "follow_up",
)
MAX_NOTE = 1000


@dataclass(frozen=True)
class Finding:
    """One item's finding: a result of the inspection record type, and what was seen or ordered."""

    result: str
    note: str = ""


class FindingEntry(BaseModel):
    """One item's finding as a form, a file or the API sends it."""

    model_config = ConfigDict(extra="forbid")

    result: str = Field(max_length=16, description="pass, rectify, fail or not_found")
    note: str = Field(default="", max_length=MAX_NOTE)


class ResultsEntry(BaseModel):
    """A visit's results in one piece: the API's body, the CLI's file (YAML or JSON), the site page's form."""

    model_config = ConfigDict(extra="forbid")

    inspected_on: date
    acknowledgement: str = Field(max_length=16, description="signed, refused or absent")
    acknowledged_by: str = Field(default="", max_length=100, description="who signed for the firm")
    remark: str = Field(default="", max_length=MAX_NOTE)
    findings: dict[str, FindingEntry | str] = Field(max_length=200, description="item code -> finding or result")

    def findings_map(self) -> dict[str, Finding]:
        return {
            code: Finding(f, "") if isinstance(f, str) else Finding(f.result, f.note)
            for code, f in self.findings.items()
        }


def parse_entry(raw: Any, origin: str) -> ResultsEntry:
    """A results entry from parsed JSON or YAML, or a form; every problem named at once."""
    return checked(ResultsEntry, raw, origin)


def enter_results(
    session: Session, actor: Actor, workspace: Workspace, number: str, entry: ResultsEntry, today: date | None = None
) -> dict[str, Any]:
    """`record_results` of an entry."""
    return record_results(
        session,
        actor,
        workspace,
        number,
        findings=entry.findings_map(),
        inspected_on=entry.inspected_on,
        acknowledgement=entry.acknowledgement,
        acknowledged_by=entry.acknowledged_by,
        remark=entry.remark,
        today=today,
    )


def source_of(workspace: Workspace, department: Department) -> SourceConfig:
    """The department's own source of random-inspection results, its file written on first use."""
    return own_source(
        workspace.root,
        f"inspections-{department.code}".lower()[:63],
        note="Written by zhizhi's random inspections: the results of one department's items, entered once at the site.",
        title=f"双随机抽查结果（{department.name}）"[:100],
        department=department.code,
        record_type="inspection",
        fields={f: f for f in FIELDS},
    )


def _refuse_recused(session: Session, visit: InspectionVisit) -> None:
    """A team member who declared a relation with the firm withdraws (回避): no results while they are on the team."""
    recused = recused_members(session, visit)
    if recused:
        names = ", ".join(f"`{u}`" for u in recused)
        raise ConflictError(
            f"Visit `{visit.number}`: {names} declared a relation with the firm and must withdraw (回避). Replace them "
            f"first (`zhizhi inspections assign {visit.number} --replace USERNAME --reason 回避`), then enter the "
            "results.",
            zh=f"检查任务 `{visit.number}`：{'、'.join(recused)} 已申报与该企业的回避关系，须先更换（"
            f"`zhizhi inspections assign {visit.number} --replace 用户名 --reason 回避`），再录入结果。",
        )


def _refuse_departed(session: Session, visit: InspectionVisit, inspected_on: date) -> None:
    """Two inspectors at least were there: a team member whose account was disabled (they left) before the day of
    the visit cannot have been, and is replaced first."""
    rows = session.execute(
        select(User.username, User.disabled_at).where(User.id.in_(team_of(session, visit)), User.is_active.is_(False))
    )
    gone = [(u, at.astimezone(LOCAL_TZ).date()) for u, at in rows if at is not None]
    gone = [(u, day) for u, day in gone if day < inspected_on]
    if gone:
        names = ", ".join(f"`{u}` (left {day})" for u, day in gone)
        raise ConflictError(
            f"Visit `{visit.number}` on `{inspected_on}`: {names} had left and cannot have inspected; at least two "
            f"inspectors of the team must have. Replace them (`zhizhi inspections assign {visit.number} --replace "
            "USERNAME --reason 调离`), then enter the results.",
            zh=f"检查任务 `{visit.number}`（{inspected_on}）：{'、'.join(f'{u}（{day} 已离岗）' for u, day in gone)}"
            f"当日已不在岗，检查人员不得少于二人。请先更换（`zhizhi inspections assign {visit.number} --replace 用户名 "
            "--reason 调离`），再录入结果。",
        )


def record_results(
    session: Session,
    actor: Actor,
    workspace: Workspace,
    number: str,
    *,
    findings: dict[str, Finding],
    inspected_on: date,
    acknowledgement: str,
    acknowledged_by: str = "",
    remark: str = "",
    today: date | None = None,
) -> dict[str, Any]:
    """Enter a visit's results (by its team, or a steward of its organiser) in the caller's transaction; a visit not
    yet published may be entered again (the records get new versions). Returns the records made per department."""
    visit = get_visit(session, actor, number)
    if not may_record(session, actor, visit):
        raise PermissionDeniedError(
            f"Only the team of visit `{number}` (or a steward of its organiser) enters its results.",
            zh=f"只有检查任务 `{number}` 的检查人员（或组织部门的数据管理员）可以录入结果。",
        )
    if visit.status == "merged" or visit.published_at is not None:
        raise ConflictError(
            f"Visit `{number}` is {'merged into another' if visit.status == 'merged' else 'published'}: its results "
            "no longer change here.",
            zh=f"检查任务 `{number}` 已{'合并' if visit.status == 'merged' else '公示'}，不能再录入结果。",
        )
    _refuse_recused(session, visit)
    _refuse_departed(session, visit, inspected_on)
    today = today or local_today()
    checks = _check(session, visit, findings, inspected_on, acknowledgement, acknowledged_by, remark, today)
    for check, item in checks:
        finding = findings[item.code]
        check.result, check.note = finding.result, finding.note.strip() or None
    visit.inspected_on, visit.status = inspected_on, "done"
    visit.acknowledgement, visit.acknowledged_by = acknowledgement, acknowledged_by.strip() or None
    visit.remark = remark.strip() or None
    visit.recorded_at, visit.recorded_by = utcnow(), actor.name
    visit.publish_by = deadline_or_none(load_calendar(workspace.root), inspected_on)
    # The firm was inspected that day: the next plan's `recent_months` excludes it at once, not after the target
    # register's next refresh.
    target = session.get(InspectionTarget, visit.entity_id)
    if target is not None and (target.last_inspected_on is None or target.last_inspected_on < inspected_on):
        target.last_inspected_on = inspected_on
    records = _make_records(session, actor, workspace, visit, checks, today)
    audit.record(
        session,
        actor,
        "inspection_visit.record",
        object_type="inspection_visit",
        object_id=number,
        detail={"inspected_on": inspected_on.isoformat(), "records": records},
    )
    return {
        "number": number,
        "inspected_on": inspected_on.isoformat(),
        "publish_by": visit.publish_by.isoformat() if visit.publish_by else None,
        "result": overall([c.result for c, _ in checks]),
        "records": records,
    }


def _check(
    session: Session,
    visit: InspectionVisit,
    findings: dict[str, Finding],
    inspected_on: date,
    acknowledgement: str,
    acknowledged_by: str,
    remark: str,
    today: date,
) -> list[tuple[VisitItem, InspectionItem]]:
    """The visit's items, after every problem of the entry is named at once."""
    checks = visit_checks(session, visit)
    problems = _findings_problems({i.code for _, i in checks}, findings)
    summary = session.scalar(select(InspectionDraw.summary).where(InspectionDraw.id == visit.draw_id))
    first = date.fromisoformat(json.loads(summary)["frozen_on"]) if summary else None
    if inspected_on > today or (first and inspected_on < first):
        problems.append(
            (
                f"the day `{inspected_on}` is not between the draw ({first}) and today ({today})",
                f"检查日期 `{inspected_on}` 应在抽取日（{first}）与今天（{today}）之间",
            )
        )
    problems += _acknowledgement_problems(acknowledgement, acknowledged_by, findings)
    if len(remark) > MAX_NOTE:
        problems.append((f"the remark is longer than {MAX_NOTE} characters", f"备注超过{MAX_NOTE}字"))
    if problems:
        raise InputError(
            f"The results of visit `{visit.number}` have {len(problems)} problem(s): "
            + "; ".join(en for en, _ in problems)
            + ". Correct them and submit again.",
            zh=f"检查任务 `{visit.number}` 的结果有 {len(problems)} 处错误："
            + "；".join(zh for _, zh in problems)
            + "。",
            details=[en for en, _ in problems],
        )
    return checks


def _findings_problems(codes: set[str], findings: dict[str, Finding]) -> list[tuple[str, str]]:
    """What is wrong with the findings given for a visit's items (English, Chinese): missing, foreign, invalid, the
    firm not found for some items only."""
    problems: list[tuple[str, str]] = []
    for code in sorted(codes - set(findings)):
        problems.append((f"item `{code}` has no finding", f"事项 `{code}` 未填写检查结果"))
    for code in sorted(set(findings) - codes):
        problems.append((f"item `{code}` is not on this visit", f"事项 `{code}` 不属于本次检查"))
    problems += _not_found_problems(findings)
    for code, finding in sorted(findings.items()):
        if finding.result not in RESULTS:
            problems.append(
                (
                    f"item `{code}`: result `{finding.result}` is not one of {', '.join(RESULTS)}",
                    f"事项 `{code}` 的检查结果 `{finding.result}` 无效",
                )
            )
        if len(finding.note) > MAX_NOTE:
            problems.append(
                (
                    f"item `{code}`: the note is longer than {MAX_NOTE} characters",
                    f"事项 `{code}` 的说明超过{MAX_NOTE}字",
                )
            )
    return problems


def _not_found_problems(findings: dict[str, Finding]) -> list[tuple[str, str]]:
    """A firm not found at its address was not found for every item of the visit: `not_found` for all or none."""
    missing = sorted(code for code, f in findings.items() if f.result == "not_found")
    found = sorted(code for code, f in findings.items() if f.result != "not_found")
    if not missing or not found:
        return []
    named, named_zh = ", ".join(f"`{c}`" for c in missing), "、".join(f"`{c}`" for c in missing)
    others, others_zh = ", ".join(f"`{c}`" for c in found), "、".join(f"`{c}`" for c in found)
    return [
        (
            f"`not_found` for item(s) {named} but another finding for {others}: a firm not found at its address is "
            "not found for any item of the visit; give `not_found` for every item or for none",
            f"事项 {named_zh} 为“{RESULTS['not_found']}”，事项 {others_zh} 却填写了其他结果：未找到检查对象的，本次"
            f"检查的全部事项均应为“{RESULTS['not_found']}”，否则一项也不应是",
        )
    ]


def _acknowledgement_problems(
    acknowledgement: str, acknowledged_by: str, findings: dict[str, Finding]
) -> list[tuple[str, str]]:
    """What is wrong with how the inspected party acknowledged the visit (English, Chinese); a firm not found signed
    nothing."""
    if acknowledgement == "signed" and any(f.result == "not_found" for f in findings.values()):
        return [
            (
                "the firm was not found (`not_found`), so nobody signed for it: give the acknowledgement `absent`",
                f"未找到检查对象，当事人不可能签字确认：确认方式应为“{ACKNOWLEDGEMENTS['absent'][0]}”",
            )
        ]
    if acknowledgement not in ACKNOWLEDGEMENTS:
        return [
            (
                f"acknowledgement `{acknowledgement}` is not one of {', '.join(ACKNOWLEDGEMENTS)}",
                f"当事人确认方式 `{acknowledgement}` 无效",
            )
        ]
    if acknowledgement == "signed" and not 1 <= len(acknowledged_by.strip()) <= 100:
        return [
            (
                "a signed acknowledgement names who signed (at most 100 characters)",
                "当事人签字确认须填写签字人姓名（不超过100字）",
            )
        ]
    return []


def _make_records(
    session: Session,
    actor: Actor,
    workspace: Workspace,
    visit: InspectionVisit,
    checks: list[tuple[VisitItem, InspectionItem]],
    today: date,
) -> list[dict[str, Any]]:
    """One inspection record per department of the visit's items, ingested through its source with the outbox."""
    from zhizhi.ingest.pipeline import ingest_file

    team = team_of(session, visit)
    shown = {u.id: u.display_name for u in session.scalars(select(User).where(User.id.in_(team)))}
    names = [shown[u] for u in team]
    by_department: dict[int, list[tuple[VisitItem, InspectionItem]]] = defaultdict(list)
    for check, item in checks:
        by_department[check.department_id].append((check, item))
    outbox = Outbox.of(workspace.root)
    ingester = Actor.operator(f"{actor.name}（抽查结果）")
    # The files are named by the moment the results were entered: retention erases them on the visit's clock.
    stamp = (visit.recorded_at or utcnow()).astimezone(LOCAL_TZ).strftime("%Y%m%dT%H%M%S%f")
    made = []
    for department_id, mine in sorted(by_department.items()):
        department = session.get_one(Department, department_id)
        source = source_of(workspace, department)
        record_number = f"{visit.number}-{department.code}"
        row = {
            "number": record_number,
            "entity_name": visit.entity_name,
            "entity_uscc": visit.entity_uscc or "",
            "address": visit.address or "",
            "inspected_on": visit.inspected_on.isoformat() if visit.inspected_on else "",
            "inspectors": "、".join(names),
            "items": "、".join(i.name for _, i in mine),
            "result": overall([c.result for c, _ in mine]),
            "follow_up": "；".join(f"{i.name}：{c.note}" for c, i in mine if c.note)[:MAX_NOTE],
        }
        folder = workspace.data_dir / RESULTS_FOLDER / department.code
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{stamp}-{visit.number}.jsonl"
        path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
        result = ingest_file(session, ingester, source, path, outbox=outbox, force=True, today=today)
        record_id = session.scalar(
            select(Record.id).where(Record.source == source.name, Record.key == f"number={record_number}")
        )
        for check, _ in mine:
            check.record_id = record_id
        made.append(
            {
                "department": department.code,
                "source": source.name,
                "record_id": record_id,
                "batch_id": result.batch.id,
                "quarantined": result.batch.rows_quarantined,
                "owed_to": outbox.owed_to(source),
            }
        )
    return made
