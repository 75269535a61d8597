"""The demo city has the built-in reports, each run for the last three months, a few read by the leader, the last
month of two sealed by the bureau."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from zhizhi.config import Workspace
from zhizhi.demo.reports import last_three_months, run_demo_reports
from zhizhi.reports import catalogue
from zhizhi.reports.tables import ReportRun
from zhizhi.seals import Trust, list_seals, verify_pdf
from zhizhi.store.tables import AuditEvent


def test_the_demo_runs_the_builtin_reports_for_the_last_three_months(
    workspace: Workspace, city: sessionmaker[Session]
) -> None:
    today = date(2026, 12, 5)
    assert [p.label for p in last_three_months(today)] == ["2026-09", "2026-10", "2026-11"]
    assert run_demo_reports(city, workspace, today) == 8 * 3
    assert run_demo_reports(city, workspace, today) == 0  # run again: nothing new
    with city() as session:
        runs = session.execute(select(ReportRun.report, ReportRun.period)).all()
        found = catalogue(session, OPERATOR, workspace.root)
    assert {p for _, p in runs} == {"2026-09", "2026-10", "2026-11"} and len(runs) == 24
    taken = {r["name"]: r["taken_by"] for r in found["reports"]}
    assert taken["hotline"] == ["leader"] and taken["licences"] == []
    assert sorted(found["flagged"]) == ["data-quality", "deliveries", "equipment", "licences"]


def test_the_demo_keeps_two_runs_sealed_by_the_bureau(workspace: Workspace, city: sessionmaker[Session]) -> None:
    today = date(2026, 12, 5)
    run_demo_reports(city, workspace, today)
    run_demo_reports(city, workspace, today)  # run again: no second seal certificate, nothing sealed twice
    with city() as session:
        kept = {(r.report, r.period): json.loads(r.files) for r in session.scalars(select(ReportRun))}
        sealed_downloads = [
            json.loads(e.detail)
            for e in session.scalars(select(AuditEvent).where(AuditEvent.action == "report.download"))
            if json.loads(e.detail)["sealed"]
        ]
    sealed = {key: files for key, files in kept.items() if files}
    assert sorted(sealed) == [("entities-by-county", "2026-11"), ("hotline", "2026-11")]
    assert len(sealed_downloads) == 2 and all(d["format"] == "pdf" for d in sealed_downloads)
    assert [s.department_code for s in list_seals(workspace.keys_dir)] == ["LZ"]
    folder = workspace.data_dir / "reports"
    assert sorted(p.name for p in folder.iterdir()) == sorted(f["pdf"] for f in sealed.values())
    trust = Trust.of_workspace(workspace.keys_dir)
    for files in sealed.values():
        report = verify_pdf((folder / files["pdf"]).read_bytes(), trust)
        assert report.ok, report.as_dict()
        (seal,) = report.seals
        assert seal.intact and seal.trusted and not seal.revoked and seal.change == "none"
        assert seal.department_code == "LZ" and seal.timestamped
