"""Runs: a report filled for one period, stored with what it ran with, when the data was read, the figures and their
hash; a period run again says what changed since (figures that moved, rows that arrived late); a run downloaded
(audited) or delivered through the outbox as a `report_run` record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Connection, and_, func, select, text
from sqlalchemy.orm import Session

from zhizhi.access import audit
from zhizhi.access.roles import Actor, Role, require
from zhizhi.config import Workspace
from zhizhi.errors import ConfigError, InputError, NotFoundError, PermissionDeniedError, ZhizhiError
from zhizhi.progress import SILENT, Progress
from zhizhi.reports.definition import FILES, ReportConfig
from zhizhi.reports.figures import compute, dialect, where_clauses
from zhizhi.reports.labels import Labels
from zhizhi.reports.origins import Frame
from zhizhi.reports.outputs import FORMATS, csv_bytes, fill_template, pdf_bytes
from zhizhi.reports.periods import FORMS, FREQUENCY_ZH, Period, fits
from zhizhi.reports.tables import ReportReceipt, ReportRun
from zhizhi.store.tables import Department
from zhizhi.store.types import LOCAL_TZ, iso_utc, local_text, utcnow

LATE_SHOWN = 20  # late rows named one by one; the rest counted
REPORTS_DATA = "reports"  # the runs' kept files, under the workspace's data/


def issuer(session: Session, report: ReportConfig) -> tuple[Department, Actor]:
    """The issuing department and an actor seeing exactly what it may see."""
    department = session.scalar(select(Department).where(Department.code == report.department))
    if department is None:
        raise ConfigError(
            f"Report `{report.name}`: `department: {report.department}` is no department's code. "
            "See `zhizhi dept list` and correct the definition.",
            zh=f"报表 `{report.name}` 的报送部门 `{report.department}` 不存在。",
        )
    actor = Actor(
        name=f"report:{report.name}",
        user_id=None,
        department_id=department.id,
        department_path=department.path,
        roles=frozenset({Role.LEADER}),
    )
    return department, actor


def run_report(
    session: Session, workspace: Workspace, actor: Actor, name: str, period: Period, *,
    trigger: str = "on_demand", deliver: bool | None = None, progress: Progress = SILENT,
) -> ReportRun:  # fmt: skip
    """Fill report `name` for `period` as its issuing department sees the data now, and store the run.

    A period run before is compared with its latest run: `changes` lists the figures that moved and the rows that
    arrived since that run's snapshot. With `deliver` (default: the definition's `deliver`), the run is owed to the
    targets that take `report_run` records. `progress` sees its steps: the figures, the comparison, the storing.
    """
    require(actor, "data.read")
    report = FILES.load(workspace.root, name)
    department, seer = issuer(session, report)
    if not actor.covers(department.path):
        raise PermissionDeniedError(
            f"Report `{name}` is issued by `{report.department}`, outside your departments.",
            zh=f"报表 `{name}` 的报送部门不在您的权限范围内。",
        )
    if not fits(report.frequency, period):
        raise _misfit(report, period)
    if period.first > today():
        raise InputError(
            f"Period `{period.label}` of report `{name}` has not begun (it starts on {period.first}); a run now would "
            "show no figures for it and today's stock as its own. Run it once the period has begun.",
            zh=f"报表 `{name}` 的报告期 `{period.label}` 尚未开始（{period.first} 起），"
            "现在生成只会得到空数据和今天的存量。请在报告期开始后再生成。",
        )
    earlier = latest_run(session, report.name, period.label)
    steps = progress.task("progress.report_run", total=3, unit="steps", report=report.name, period=period.label)
    with snapshot_of(session) as reader:
        snapshot = utcnow()
        figures = compute(reader, report, seer, period, root=workspace.root).as_dict()
        steps.advance()
        digest = content_hash(report.name, period, figures)
        changes = None
        if earlier is not None and earlier.figures is not None:
            changes = {
                "since_run": earlier.id,
                "same": earlier.content_hash == digest,
                "figures": figure_changes(json.loads(earlier.figures), figures),
                "late": late_rows(reader, report, seer, period, earlier.snapshot_at),
            }
    run = ReportRun(
        report=report.name, title=report.title, period=period.label, period_first=period.first,
        period_last=period.last, department_id=department.id, parameters=json.dumps(parameters(report),
        ensure_ascii=False, sort_keys=True, default=str), snapshot_at=snapshot, content_hash=digest,
        figures=json.dumps(figures, ensure_ascii=False), changes=json.dumps(changes, ensure_ascii=False, default=str)
        if changes else None, files="{}", trigger=trigger, status="done", created_by=actor.name,
    )  # fmt: skip
    steps.advance()
    session.add(run)
    session.flush()
    audit.record(session, actor, "report.run", object_type="report", object_id=f"{report.name}/{period.label}",
                 detail={"run": run.id, "hash": digest, "trigger": trigger})  # fmt: skip
    if deliver if deliver is not None else report.deliver:
        from zhizhi.reports.deliver import deliver_run

        if earlier is not None and earlier.record_id is not None and earlier.content_hash == digest:
            run.record_id = earlier.record_id  # the same figures were delivered already: not owed again
        else:
            run.record_id = deliver_run(session, workspace, report, run, department)
    steps.advance()
    steps.close()
    return run


def _misfit(report: ReportConfig, period: Period) -> InputError:
    """The refusal of a period that is not one the report's frequency fills (a quarter for a monthly report)."""
    what, example, unit_zh = FORMS[report.frequency]
    shown = FREQUENCY_ZH[report.frequency]
    return InputError(
        f"Report `{report.name}` is filled per {what[2:]} ({report.frequency}): give {what} (`{example}`), not "
        f"`{period.label}`. For other spans, copy the definition under another name with `frequency: on_demand`.",
        zh=f"报表 `{report.name}` 是{shown}，报告期须为{unit_zh}（如 `{example}`），不能是 `{period.label}`。如需其他"
        "时段，请将报表定义另存为新名称并设 `frequency: on_demand`。",
    )


SNAPSHOT_LEVELS = ("repeatable read", "serializable")


@contextmanager
def snapshot_of(session: Session) -> Iterator[Session]:
    """A session whose reads all see one snapshot of the database, for a run's queries (one statement per measure):
    a row committed by someone else mid-run is then counted by every measure or by none.

    SQLite's transaction is a snapshot already, and so is a PostgreSQL transaction at REPEATABLE READ or above: the
    caller's session is used. On PostgreSQL's default READ COMMITTED each statement sees its own snapshot, and the
    isolation level of a transaction that has already run statements cannot be raised (callers run reports inside a
    larger transaction): the queries run instead in a read-only REPEATABLE READ transaction of their own, on another
    connection of the same engine. It does not see what the caller wrote and has not committed; nothing in
    zhizhi writes the data a report reads in the same transaction as its run.
    """
    if dialect(session) != "postgresql":
        yield session
        return
    level = str(session.execute(text("SHOW transaction_isolation")).scalar())
    if level in SNAPSHOT_LEVELS:
        yield session
        return
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        with Session(bind=connection) as reader:
            reader.execute(text("SET TRANSACTION READ ONLY"))
            try:
                yield reader
            finally:
                reader.rollback()


def parameters(report: ReportConfig) -> dict[str, Any]:
    """What a run ran with: the definition's query and measures, as they were."""
    return {
        "requester": report.requester,
        "department": report.department,
        "frequency": report.frequency,
        "query": report.query.model_dump(by_alias=True, exclude_defaults=True, mode="json"),
        "measures": [m.model_dump(by_alias=True, exclude_defaults=True, mode="json") for m in report.measures],
    }


def content_hash(name: str, period: Period, figures: dict[str, Any]) -> str:
    """SHA-256 of the report's name, period and figures in canonical JSON: equal hashes, equal figures."""
    body = {"report": name, "period": period.label, "figures": figures}
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def latest_run(session: Session, name: str, period: str | None = None) -> ReportRun | None:
    """The newest done run of a report (of one period, when given)."""
    query = select(ReportRun).where(ReportRun.report == name, ReportRun.status == "done")
    if period is not None:
        query = query.where(ReportRun.period == period)
    return session.scalar(query.order_by(ReportRun.id.desc()).limit(1))


def replaced_by(session: Session, run: ReportRun) -> ReportRun | None:
    """The run that replaces `run`: the newest later run of its report and period whose figures differ (one with
    the same figures restates it, it does not replace it)."""
    latest = latest_run(session, run.report, run.period)
    if latest is None or latest.id <= run.id or latest.content_hash == run.content_hash:
        return None
    return latest


def figure_changes(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """Every figure that differs between two runs' figures: its group, measure, value before and after."""
    keys = [c["name"] for c in after["columns"] if c["kind"] == "key"]
    measures = [c["name"] for c in after["columns"] if c["kind"] not in ("key", "name")]

    def indexed(figures: dict[str, Any]) -> dict[tuple[Any, ...], dict[str, Any]]:
        rows = {tuple(row.get(k) for k in keys): row for row in figures["rows"]}
        rows[("合计",)] = figures["totals"]
        return rows

    old, new = indexed(before), indexed(after)
    found = []
    for group in sorted(set(old) | set(new), key=lambda g: tuple(str(v) for v in g)):
        for measure in measures:
            then, now = old.get(group, {}).get(measure), new.get(group, {}).get(measure)
            if then != now:
                named = dict(zip(keys, group, strict=False)) if group != ("合计",) else {"total": True}
                found.append({"group": named, "measure": measure, "before": then, "after": now})
    return found


def late_rows(session: Session, report: ReportConfig, seer: Actor, period: Period, since: datetime) -> dict[str, Any]:
    """The rows of the period that arrived after `since` (an earlier run's snapshot): counted, the first named."""
    frame = Frame(report.query.from_, report.query.record_type, dialect(session), sections=Labels.of(session).sections)
    conditions = [(k, v) for k, v in report.query.where.items() if (frame.origin, k) != ("cases", "clock")]
    clauses = where_clauses(frame, conditions, seer, period)
    if report.query.period is not None:
        clauses += frame.within(report.query.period, period.first, period.last)
    clauses.append(frame.created() > since)
    query = select(frame.key()).select_from(frame.source()).where(and_(*clauses))
    count = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    shown = [str(k) for k in session.scalars(query.limit(LATE_SHOWN))]
    return {"count": int(count), "rows": shown}


def get_run(session: Session, actor: Actor, run_id: int) -> ReportRun:
    """One run, if its issuing department lies in the actor's subtree."""
    require(actor, "data.read")
    run = session.get(ReportRun, run_id)
    department = session.get(Department, run.department_id) if run and run.department_id else None
    if run is None or (department is not None and not actor.covers(department.path)):
        raise NotFoundError(f"No report run `{run_id}` in your scope. See `zhizhi reports show NAME`.",
                            zh=f"在您的权限范围内没有报表运行 `{run_id}`。")  # fmt: skip
    return run


def run_as_dict(session: Session, run: ReportRun, *, with_figures: bool = True) -> dict[str, Any]:
    """The JSON form of a run, with who downloaded or received it."""
    department = session.get(Department, run.department_id) if run.department_id else None
    receipts = session.scalars(select(ReportReceipt).where(ReportReceipt.run_id == run.id).order_by(ReportReceipt.id))
    found: dict[str, Any] = {
        "id": run.id, "report": run.report, "title": run.title, "period": run.period,
        "period_first": run.period_first.isoformat(), "period_last": run.period_last.isoformat(),
        "department": department.code if department else None,
        "department_name": department.name if department else None,
        "snapshot_at": iso_utc(run.snapshot_at), "snapshot_local": local_text(run.snapshot_at),
        "content_hash": run.content_hash, "trigger": run.trigger, "status": run.status, "created_by": run.created_by,
        "changes": json.loads(run.changes) if run.changes else None, "record_id": run.record_id,
        "receipts": [{"kind": r.kind, "who": r.who, "format": r.format, "at": iso_utc(r.at)} for r in receipts],
    }  # fmt: skip
    later = replaced_by(session, run)
    found["replaced_by"] = (
        {"id": later.id, "snapshot_at": iso_utc(later.snapshot_at), "snapshot_local": local_text(later.snapshot_at)}
        if later is not None
        else None
    )
    if run.record_id is not None:
        from zhizhi.reports.deliver import deliveries_of

        found["deliveries"] = deliveries_of(session, run.record_id)
    if with_figures:
        found["figures"] = json.loads(run.figures) if run.figures else None
    return found


def export_run(
    session: Session, workspace: Workspace, actor: Actor, run_id: int, fmt: str, *, seal: bool = False
) -> tuple[str, bytes]:
    """A run as a file (csv, xlsx in the requester's template, or pdf, sealed by the issuing department with
    `seal`): its name and bytes; the download is audited and kept as a receipt for the catalogue."""
    if fmt not in FORMATS:
        raise InputError(f"Format `{fmt}` is not one of {', '.join(FORMATS)}.", zh=f"不支持的格式 `{fmt}`。")
    if seal and fmt != "pdf":
        raise InputError("Only a PDF is sealed: add `--format pdf`.", zh="只有 PDF 可以盖章，请使用 --format pdf。")
    run = get_run(session, actor, run_id)
    report = as_run(workspace, run)
    data = run_as_dict(session, run)
    if fmt == "csv":
        body = csv_bytes(data["figures"])
    else:
        body = fill_template(workspace.root, report, data) if fmt == "xlsx" else pdf_bytes(report, data)
    if seal:
        from zhizhi.seals import sign_pdf

        reason = f"{run.title} {run.period}"
        body = sign_pdf(body, workspace.keys_dir, str(data["department"]), reason=reason)
    session.add(ReportReceipt(run_id=run.id, kind="download", who=actor.name, user_id=actor.user_id, format=fmt))
    audit.record(session, actor, "report.download", object_type="report_run", object_id=run.id,
                 detail={"report": run.report, "period": run.period, "format": fmt, "sealed": seal})  # fmt: skip
    return f"{run.report}-{run.period.replace('..', '_')}-{run.id}.{fmt}", body


def as_run(workspace: Workspace, run: ReportRun) -> ReportConfig:
    """The definition a run was filled with: its title, query and measures as stored with the run (a later edit of
    the file does not rewrite an old run); the requester's template from the file as it is now, when it loads. A
    deleted or broken file still exports the run (without a template)."""
    stored = json.loads(run.parameters or "{}")
    try:
        now: dict[str, Any] = FILES.load(workspace.root, run.report).model_dump(by_alias=True, mode="json")
    except ZhizhiError:  # an old run (no requester stored) of a file gone: not the title put in its place
        now = {"name": run.report, "requester": "（未记载）"}
    kept = ("requester", "department", "frequency", "query", "measures")
    as_ran = {**now, **{k: stored[k] for k in kept if k in stored}, "title": run.title}
    try:
        return ReportConfig.model_validate(as_ran)
    except ValueError:  # the template no longer fits the measures as run: the run without it
        return ReportConfig.model_validate({**as_ran, "template": None})


def keep_file(session: Session, workspace: Workspace, run: ReportRun, file_name: str, body: bytes) -> Path:
    """Keep an exported file of a run under the workspace's `data/reports/` and name it in the run's `files`
    (format -> path under data/reports), so it is there to hand out again without being made again."""
    folder = workspace.data_dir / REPORTS_DATA
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name
    path.write_bytes(body)
    kept = json.loads(run.files or "{}")
    kept[file_name.rsplit(".", 1)[-1]] = file_name
    run.files = json.dumps(kept, ensure_ascii=False, sort_keys=True)
    session.flush()
    return path


def write_definition(root: Path, report: ReportConfig) -> Path:
    """Write a definition as YAML into the workspace's reports/ folder."""
    path = FILES.path(root, report.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = report.model_dump(by_alias=True, exclude_defaults=True, mode="json")
    path.write_text(yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")
    return path


def today() -> Any:
    """Today in the bureau's time zone."""
    return datetime.now(LOCAL_TZ).date()
