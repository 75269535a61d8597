"""The catalogue: every report with its requester, frequency, last run and who downloaded or received each run;
reports nobody opened in their last N periods flagged for retirement; retiring one (audited); the hand-filling time
saved (minutes per run in the definition x the periods filled)."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhizhi.access import audit
from zhizhi.access.roles import Actor, require
from zhizhi.errors import ConfigError, ConflictError, InputError, PermissionDeniedError
from zhizhi.reports.definition import FILES, ReportConfig
from zhizhi.reports.tables import ReportReceipt, ReportRetirement, ReportRun
from zhizhi.store.tables import Delivery, Department
from zhizhi.store.types import LOCAL_TZ, iso_utc


def catalogue(session: Session, actor: Actor, root: Path) -> dict[str, Any]:
    """Every report of the workspace (a broken file named with its problems), and the time saved in all."""
    require(actor, "data.read")
    retired = {r.report: r for r in session.scalars(select(ReportRetirement))}
    reports, broken = [], []
    for name in FILES.names(root):
        try:
            report = FILES.load(root, name)
        except ConfigError as exc:
            broken.append({"name": name, "error": exc.message, "error_zh": exc.message_zh or exc.message})
            continue
        line = entry(session, report, retired.get(name))
        may = actor.can("data.write") and issued_within(session, actor, report)
        line["retirable"] = line["retired"] is None and may
        reports.append(line)
    return {
        "reports": reports,
        "broken": broken,
        "minutes_saved": sum(r["minutes_saved"] for r in reports),
        "flagged": [r["name"] for r in reports if r["flag_retire"]],
    }


def entry(session: Session, report: ReportConfig, retirement: ReportRetirement | None) -> dict[str, Any]:
    """One report's line: its runs, who took the latest ones, whether nobody did, the minutes saved."""
    runs = list(
        session.scalars(
            select(ReportRun).where(ReportRun.report == report.name, ReportRun.status == "done")
            .order_by(ReportRun.period_first.desc(), ReportRun.id.desc())
        )
    )  # fmt: skip
    periods: list[str] = []
    for run in runs:
        if run.period not in periods:
            periods.append(run.period)
    recent = periods[: report.retire_after]
    opened = takers(session, [r for r in runs if r.period in recent])
    last = runs[0] if runs else None
    return {
        "name": report.name,
        "title": report.title,
        "requester": report.requester,
        "department": report.department,
        "frequency": report.frequency,
        "minutes": report.minutes,
        "runs": len(runs),
        "periods": len(periods),
        "last_run": {"id": last.id, "period": last.period, "at": iso_utc(last.created_at)} if last else None,
        "taken_by": sorted(opened),
        "minutes_saved": report.minutes * len(periods),
        "flag_retire": retirement is None and len(recent) >= report.retire_after and not opened,
        "retired": {"at": iso_utc(retirement.retired_at), "by": retirement.retired_by, "reason": retirement.reason}
        if retirement
        else None,
    }


def takers(session: Session, runs: list[ReportRun]) -> set[str]:
    """Who downloaded these runs, and the targets that acknowledged them."""
    ids = [r.id for r in runs]
    records = [r.record_id for r in runs if r.record_id is not None]
    found = set(session.scalars(select(ReportReceipt.who).where(ReportReceipt.run_id.in_(ids)))) if ids else set()
    if records:
        acknowledged = select(func.distinct(Delivery.target)).where(
            Delivery.record_id.in_(records), Delivery.status == "acknowledged"
        )
        found |= {f"target:{t}" for t in session.scalars(acknowledged)}
    return found


def retire(session: Session, actor: Actor, root: Path, name: str, reason: str) -> ReportRetirement:
    """Retire a report: it is no longer run on schedule (its file and runs stay); audited."""
    require(actor, "data.write")
    report = FILES.load(root, name)
    if not issued_within(session, actor, report):
        raise PermissionDeniedError(
            f"Report `{name}` is issued by `{report.department}`, outside your departments: its steward retires it.",
            zh=f"报表 `{name}` 的报送部门不在您的权限范围内，请由该部门的数据管理员停用。",
        )
    if not reason.strip():
        raise InputError("Say why the report is retired (`--reason`).", zh="请说明停用报表的理由。")
    if session.get(ReportRetirement, name) is not None:
        raise ConflictError(f"Report `{name}` is already retired.", zh=f"报表 `{name}` 已停用。")
    retirement = ReportRetirement(report=name, reason=reason.strip()[:500], retired_by=actor.name)
    session.add(retirement)
    audit.record(session, actor, "report.retire", object_type="report", object_id=name, detail={"reason": reason})
    return retirement


def reader_card(session: Session, actor: Actor, root: Path) -> dict[str, Any] | None:
    """The home page's reports card, of the reports issued within the reader's departments (like every figure of
    the home page): how many and how many retired, the runs made this month, the hand-filling time saved and the
    reports flagged for retirement; None when the workspace defines no report."""
    found = catalogue(session, actor, root)
    if not found["reports"] and not found["broken"]:
        return None
    paths = dict(session.execute(select(Department.code, Department.path)).all())
    mine = [r for r in found["reports"] if actor.covers(paths.get(r["department"], "\0"))]
    first = datetime.combine(datetime.now(LOCAL_TZ).date().replace(day=1), time(), LOCAL_TZ)
    runs = session.scalar(select(func.count()).where(ReportRun.status == "done", ReportRun.created_at >= first,
                                                     ReportRun.report.in_([r["name"] for r in mine])))  # fmt: skip
    minutes = sum(r["minutes_saved"] for r in mine)
    return {
        "reports": len(mine),
        "retired": sum(1 for r in mine if r["retired"]),
        "runs_this_month": int(runs or 0),
        "minutes_saved": minutes,
        "hours_saved": round(minutes / 60, 1),
        "flagged": sum(1 for r in mine if r["flag_retire"]),
    }


def issued_within(session: Session, actor: Actor, report: ReportConfig) -> bool:
    """Whether the report's issuing department lies in the actor's subtree (only its stewards retire it)."""
    issuing = session.scalar(select(Department).where(Department.code == report.department))
    return issuing is not None and actor.covers(issuing.path)


def is_retired(session: Session, name: str) -> bool:
    return session.get(ReportRetirement, name) is not None
