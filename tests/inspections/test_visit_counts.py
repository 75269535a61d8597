"""A joint visit is one inspection wherever inspections are counted: the monthly report `inspections` and the target
register's risk reasons count visits and findings once per visit (a department's own inspection records each as
one), on SQLite and PostgreSQL; and findings that contradict each other are refused, every problem named."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR, outbox
from tests.ingest.test_pipeline import _write
from tests.inspections.register import actor_of
from tests.inspections.test_draws import TODAY
from tests.inspections.test_visits import drawn
from zhizhi.config import Workspace
from zhizhi.errors import InputError
from zhizhi.ingest.pipeline import ingest_file
from zhizhi.inspections import Finding, get_target, record_results, refresh_targets, visit_view
from zhizhi.reports import install_builtin, parse_period, run_as_dict, run_report
from zhizhi.sources import parse_source
from zhizhi.store.tables import EntityLink, InspectionVisit, Record, ResolveRun, VisitItem
from zhizhi.store.types import utcnow

NOT_FOUND = {"SP-01": Finding("not_found", "通过登记的住所无法联系"), "TS-01": Finding("not_found")}
RECTIFY = {"SP-01": Finding("rectify", "进货查验记录不全"), "TS-01": Finding("pass")}
CHECKS = (
    "name: checks\ndepartment: LZ-CZ-ZN\nrecord_type: inspection\nfields:\n  number: 检查编号\n"
    "  entity_name: 被检查对象\n  inspected_on: 检查日期\n  result: 检查结论\n"
)


def _joint_visits(session: Session) -> list[InspectionVisit]:
    """The draw's joint visits (the even entities hold special equipment: food and equipment items), by rank."""
    visits = session.scalars(select(InspectionVisit).order_by(InspectionVisit.rank)).all()
    return [v for v in visits if visit_view(session, OPERATOR, v)["joint"]]


def _enter(session: Session, workspace: Workspace, visit: InspectionVisit, findings: dict[str, Finding]) -> None:
    member = visit_view(session, OPERATOR, visit)["team"][0]["username"]
    found = any(f.result != "not_found" for f in findings.values())
    record_results(session, actor_of(session, member), workspace, visit.number, findings=findings,
                   inspected_on=TODAY, acknowledgement="signed" if found else "absent",
                   acknowledged_by="店主" if found else "", today=TODAY)  # fmt: skip


def _link(session: Session, links: dict[int, int]) -> None:
    """Records placed in the register (record id -> entity id), as a resolution run would place them."""
    run = ResolveRun(started_at=utcnow(), started_by="test", records_read=len(links), records_new=len(links))
    run.edges_new = run.entities_new = run.entities_merged = run.review_new = 0
    session.add(run)
    session.flush()
    for record_id, entity_id in links.items():
        version = session.get_one(Record, record_id).version_id
        link = EntityLink(record_id=record_id, entity_id=entity_id, first_entity_id=entity_id,
                          record_version_id=version, how="steward", run_id=run.id, linked_at=utcnow())  # fmt: skip
        session.add(link)


def test_a_joint_visit_counts_once_in_the_monthly_report_and_in_the_risk_reasons(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    drawn(city, workspace)
    with city() as session, session.begin():
        missing, rectified = _joint_visits(session)[:2]
        _enter(session, workspace, missing, NOT_FOUND)  # one firm not found: two records, one per department
        _enter(session, workspace, rectified, RECTIFY)  # food ordered to rectify, equipment passed: two records
        name = session.get_one(InspectionVisit, missing.id).entity_name
        # The office's own inspection of the same firm, from its own export: a visit of its own.
        path = _write(tmp_path / "checks.csv", [["ZN-2026-7", name, TODAY.isoformat(), "查无下落"]],
                      header=["检查编号", "被检查对象", "检查日期", "检查结论"])  # fmt: skip
        ingest_file(session, OPERATOR, parse_source(CHECKS, "sources/checks.yaml"), path, today=TODAY, outbox=outbox())
        links = {
            record_id: entity_id
            for record_id, entity_id in session.execute(
                select(VisitItem.record_id, InspectionVisit.entity_id)
                .join(InspectionVisit, InspectionVisit.id == VisitItem.visit_id)
                .where(VisitItem.record_id.is_not(None))
            )
        }
        assert len(links) == 4  # two visits, two departments each
        links[session.scalars(select(Record.id).where(Record.source == "checks")).one()] = missing.entity_id
        _link(session, links)
    install_builtin(workspace.root, "LZ")
    with city() as session, session.begin():
        run = run_as_dict(session, run_report(session, workspace, OPERATOR, "inspections", parse_period("2026-10")))
    totals = run["figures"]["totals"]
    # Five records, three visits: not found twice (the joint visit and the office's own), rectify once.
    assert {k: totals[k] for k in ("inspections", "entities", "rectify", "failed", "not_found")} == {
        "inspections": 3,
        "entities": 2,
        "rectify": 1,
        "failed": 0,
        "not_found": 2,
    }
    assert totals["problem_share"] == 33.3  # one visit of three found a problem
    with city() as session, session.begin():
        refresh_targets(session, OPERATOR, today=TODAY)
        missed = get_target(session, OPERATOR, missing.entity_id)
        ordered = get_target(session, OPERATOR, rectified.entity_id)
    assert [r["zh"] for r in missed["reasons"] if r["code"] == "findings"] == ["近24个月检查发现问题：无法联系 2 次"]
    assert [r["en"] for r in ordered["reasons"] if r["code"] == "findings"] == [
        "findings in the last 24 months: ordered to rectify 1 time(s)"
    ]


@pytest.mark.parametrize(
    ("findings", "acknowledgement", "expected"),
    [
        (  # not found for one department's item, inspected for the other's
            {"SP-01": Finding("pass"), "TS-01": Finding("not_found")},
            "absent",
            [("`not_found` for item(s) `TS-01` but another finding for `SP-01`", "事项 `TS-01` 为“未找到检查对象”")],
        ),
        (  # nobody was found, yet someone signed
            {"SP-01": Finding("not_found"), "TS-01": Finding("not_found")},
            "signed",
            [("the firm was not found (`not_found`), so nobody signed for it", "未找到检查对象，当事人不可能签字确认")],
        ),
        (  # both at once, each named
            {"SP-01": Finding("pass"), "TS-01": Finding("not_found")},
            "signed",
            [("`not_found` for item(s) `TS-01`", "事项 `SP-01` 却填写了其他结果"), ("nobody signed", "不可能签字")],
        ),
    ],
)
def test_findings_that_contradict_each_other_are_refused_each_named_in_both_languages(
    workspace: Workspace,
    city: sessionmaker[Session],
    findings: dict[str, Finding],
    acknowledgement: str,
    expected: list[tuple[str, str]],
) -> None:
    drawn(city, workspace)
    with city() as session, session.begin(), pytest.raises(InputError) as refused:
        visit = _joint_visits(session)[0]
        member = visit_view(session, OPERATOR, visit)["team"][0]["username"]
        record_results(session, actor_of(session, member), workspace, visit.number, findings=findings,
                       inspected_on=TODAY, acknowledgement=acknowledgement, acknowledged_by="张伟",
                       today=TODAY)  # fmt: skip
    error = refused.value
    assert len(error.details) == len(expected), error.details
    for (english, chinese), detail in zip(expected, error.details, strict=True):
        assert english in detail and english in error.message
        assert chinese in (error.message_zh or "")
    with city() as session:
        assert session.get_one(InspectionVisit, visit.id).status == "assigned"
