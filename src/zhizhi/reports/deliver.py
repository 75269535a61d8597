"""A run delivered like any record: written as one JSON line for the issuing department's report source
(`sources/reports-DEPT.yaml`, written on first use, a `report_run` source read as JSON lines) and ingested, so every
target that takes `report_run` records is owed it through the outbox (receipts, retries, ledger entries)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.access.roles import Actor
from zhizhi.config import Workspace
from zhizhi.delivery import Outbox
from zhizhi.records.report_run import REPORT_RUN
from zhizhi.reports.definition import ReportConfig
from zhizhi.reports.tables import ReportRun
from zhizhi.sources import SourceConfig, own_source
from zhizhi.store.tables import Delivery, Department, Record
from zhizhi.store.types import LOCAL_TZ, iso_utc


def source_name(department_code: str) -> str:
    return f"{REPORT_RUN.own_sources}{department_code}".lower()[:63]


def report_source(workspace: Workspace, department_code: str) -> SourceConfig:
    """The report source of a department, its file written on first use (a steward may retitle it)."""
    return own_source(
        workspace.root,
        source_name(department_code),
        note="Written by zhizhi's reports: the runs of the reports this department issues.",
        title=f"报表（{department_code}）",
        department=department_code,
        record_type="report_run",
        fields={f: f for f in REPORT_RUN.field_names},
    )


def deliver_run(
    session: Session, workspace: Workspace, report: ReportConfig, run: ReportRun, department: Department
) -> int | None:
    """Ingest the run as a `report_run` record, owed to the targets that take it; returns the record's id."""
    from zhizhi.ingest.pipeline import ingest_file

    line = {
        "report": report.name,
        "title": report.title,
        "period": run.period,
        "period_first": run.period_first.isoformat(),
        "period_last": run.period_last.isoformat(),
        "frequency": report.frequency,
        "requester": report.requester,
        "department": department.name,
        "snapshot_at": run.snapshot_at.astimezone(LOCAL_TZ).replace(tzinfo=None, microsecond=0).isoformat(),
        "content_hash": run.content_hash,
        "figures": run.figures,
    }
    folder: Path = workspace.data_dir / "reports" / report.name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{run.period.replace('..', '_')}-{run.id}.jsonl"
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    source = report_source(workspace, department.code)
    ingest_file(session, Actor.operator(f"{run.created_by}（报表）"), source, path, outbox=Outbox.of(workspace.root),
                force=True)  # fmt: skip
    key = f"report={report.name}|period={run.period}"
    return session.scalar(select(Record.id).where(Record.source == source.name, Record.key == key))


def deliveries_of(session: Session, record_id: int) -> list[dict[str, Any]]:
    """Each target the run's record is owed to, its state and when it was acknowledged."""
    rows = session.execute(
        select(Delivery.target, Delivery.status, Delivery.acknowledged_at)
        .where(Delivery.record_id == record_id)
        .order_by(Delivery.id)
    )
    return [{"target": t, "status": s, "acknowledged_at": iso_utc(a)} for t, s, a in rows]
