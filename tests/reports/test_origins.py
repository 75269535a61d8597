"""Reports over deliveries, quarantine and the audit trail, hand-counted, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.reports.conftest import ROWS, ingest_rows, write_report
from zhizhi.access import Actor
from zhizhi.access.roles import Role
from zhizhi.config import Workspace
from zhizhi.reports import parse_period, run_as_dict, run_report
from zhizhi.store.tables import Department

TARGET = """\
name: province
title: 省平台
owner: LZ
record_types: [entity]
fields: {QYMC: name}
transport: {kind: file, folder: out}
"""
HEAD = "title: 测试\nrequester: 办公室\ndepartment: LZ\nfrequency: on_demand\n"
DELIVERIES = (
    "name: owed\n"
    + HEAD
    + """\
query: {from: deliveries, group_by: [target, department]}
measures:
  - {name: owed, label: 应交付, kind: count}
  - {name: pending, label: 待发送, kind: count, where: {status: pending}}
  - {name: entity_rows, label: 主体记录, kind: count, where: {record_type: entity}}
"""
)
QUARANTINE = (
    "name: held\n"
    + HEAD
    + """\
query: {from: quarantine, group_by: [department, reasons], where: {status: open}}
measures:
  - {name: held, label: 隔离, kind: count}
"""
)
AUDIT = (
    "name: acts\n"
    + HEAD.replace("department: LZ", "department: LZ-CZ")
    + """\
query: {from: audit, group_by: [action], where: {action: {prefix: report.}}}
measures:
  - {name: events, label: 次数, kind: count}
"""
)


def _figures(
    workspace: Workspace, sessions: sessionmaker[Session], name: str, actor: Actor = OPERATOR
) -> dict[str, Any]:
    with sessions() as session, session.begin():
        run = run_report(session, workspace, actor, name, parse_period("2026-11"))
        return run_as_dict(session, run)  # type: ignore[no-any-return]


def _county_leader(sessions: sessionmaker[Session]) -> Actor:
    with sessions() as session:
        office = session.scalars(select(Department).where(Department.code == "LZ-CZ")).one()
        return Actor("chengzhong", None, office.id, office.path, frozenset({Role.LEADER}))


def test_deliveries_quarantine_and_audit(workspace: Workspace, city: sessionmaker[Session]) -> None:
    (workspace.root / "targets").mkdir(exist_ok=True)
    (workspace.root / "targets" / "province.yaml").write_text(TARGET, encoding="utf-8")
    bad = ("辛", "城中区", "个体工商户", "2026-13-45", "active", "6210")  # no such day: quarantined
    ingest_rows(workspace, city, "LZ-CZ", [*ROWS["LZ-CZ"], bad])
    ingest_rows(workspace, city, "LZ-YF", ROWS["LZ-YF"])
    for text in (DELIVERIES, QUARANTINE, AUDIT):
        write_report(workspace.root, text)
    figures = _figures(workspace, city, "owed")["figures"]
    owed = {(r["target"], r["department"]): r for r in figures["rows"]}
    assert {k: (r["owed"], r["pending"], r["entity_rows"]) for k, r in owed.items()} == {
        ("province", "LZ-CZ"): (4, 4, 4),
        ("province", "LZ-YF"): (2, 2, 2),
    }
    assert {r["target_name"] for r in figures["rows"]} == {"省平台"}  # the target's title, not its file name
    assert [c["label"] for c in figures["columns"][:2]] == ["交付平台", "交付平台名称"]
    held = _figures(workspace, city, "held")["figures"]
    assert [(r["department"], r["reasons"], r["held"]) for r in held["rows"]] == [("LZ-CZ", "date.invalid", 1)]
    assert held["rows"][0]["reasons_name"] == "日期无效" and held["columns"][3]["label"] == "隔离原因名称"
    # The operator's runs above belong to no department: the county office's report does not count them; its own
    # leader's first run does, in the second, as a row that arrived after the first run's snapshot.
    leader = _county_leader(city)
    assert _figures(workspace, city, "acts", leader)["figures"]["totals"] == {"events": 0}
    again = _figures(workspace, city, "acts", leader)
    assert again["figures"]["rows"] == [{"action": "report.run", "action_name": "填报报表", "events": 1}]
    assert again["changes"]["late"]["count"] == 1


REGISTER = (
    "name: register\n"
    + HEAD
    + """\
query: {from: entities, group_by: [county], where: {status: active}}
measures:
  - {name: entities, label: 主体, kind: count}
  - {name: without_uscc, label: 无信用代码, kind: count, where: {uscc: {empty: true}}}
"""
)


def test_the_register_by_county(town: tuple[Workspace, sessionmaker[Session]]) -> None:
    from zhizhi.resolve.run import resolve

    workspace, sessions = town
    with sessions() as session, session.begin():
        resolve(session, OPERATOR, workspace.config.resolve)
    write_report(workspace.root, REGISTER)
    rows = {
        r["county"]: (r["entities"], r["without_uscc"])
        for r in _figures(workspace, sessions, "register")["figures"]["rows"]
    }
    assert rows == {"450202": (3, 3), "450203": (2, 2), "450204": (1, 1)}  # 甲乙丙; 丁戊; 己: none has a credit code


CASES = (
    "name: desk\n"
    + HEAD
    + """\
query: {from: cases, period: received_on, group_by: [kind, county]}
measures:
  - {name: received, label: 受理登记, kind: count}
  - {name: breached, label: 超期, kind: count, where: {clock: breached}}
  - {name: on_time, label: 未超期, kind: count, where: {clock: [running, met, warning, paused]}}
"""
)


def test_hotline_cases_and_their_clocks(workspace: Workspace, city: sessionmaker[Session], tmp_path: Path) -> None:
    from tests.hotline.desk import ingest_all
    from zhizhi.hotline import take_in
    from zhizhi.hotline.case_clocks import clock_states, worst
    from zhizhi.hotline.workdays import load_calendar
    from zhizhi.store.tables import Case

    ingest_all(workspace, tmp_path)  # the gym on both channels (one case), a supermarket, a question
    with city() as session, session.begin():
        take_in(session, OPERATOR, workspace)
    with city() as session:  # the desk's own verdict on 31 March, to compare with
        calendar = load_calendar(workspace.root)
        states = {
            case.kind: worst(s for _, s, _ in clock_states(session, case, calendar, date(2026, 3, 31), 2))
            for case in session.scalars(select(Case))
        }
    assert states["complaint"] == "breached"  # not accepted within 7 working days of 2 March
    write_report(workspace.root, CASES)
    with city() as session, session.begin():
        run = run_report(session, workspace, OPERATOR, "desk", parse_period("2026-03"))
        rows = {(r["kind"], r["county"]): r for r in run_as_dict(session, run)["figures"]["rows"]}
    assert {k: r["received"] for k, r in rows.items()} == {
        ("complaint", "450202"): 1,
        ("report", "450203"): 1,
        ("consultation", None): 1,
    }
    for (kind, _), row in rows.items():
        assert row["breached"] == (states[kind] == "breached"), kind
        assert row["on_time"] == (states[kind] in ("running", "met", "warning", "paused")), kind


def test_the_built_in_reconciliation_puts_every_delivery_in_one_column(
    workspace: Workspace, city: sessionmaker[Session]
) -> None:
    from datetime import UTC, datetime

    from zhizhi.delivery.outbox import STATUSES
    from zhizhi.reports import install_builtin, load_report
    from zhizhi.store.tables import Delivery

    (workspace.root / "targets").mkdir(exist_ok=True)
    (workspace.root / "targets" / "province.yaml").write_text(TARGET, encoding="utf-8")
    ingest_rows(workspace, city, "LZ-CZ", [*ROWS["LZ-CZ"], *ROWS["LZ-YF"]])
    ingest_rows(workspace, city, "LZ-YF", [r[:3] + ("2026-10-01",) + r[4:] for r in ROWS["LZ-CZ"]])
    install_builtin(workspace.root, "LZ")
    columns = [m for m in load_report(workspace.root, "deliveries").measures if m.kind == "count" and m.where]
    listed = [status for m in columns for status in _listed(m.where["status"].op[1])]
    assert sorted(listed) == sorted(STATUSES)  # each status in exactly one column
    with city() as session, session.begin():
        deliveries = session.scalars(select(Delivery).order_by(Delivery.id)).all()
        assert len(deliveries) >= len(STATUSES)
        for n, delivery in enumerate(deliveries):
            delivery.status, delivery.created_at = STATUSES[n % len(STATUSES)], datetime(2026, 11, 15, 4, tzinfo=UTC)
    figures = _figures(workspace, city, "deliveries")["figures"]
    for row in [*figures["rows"], figures["totals"]]:
        assert sum(row[m.name] for m in columns) == row["owed"]
    assert figures["totals"]["owed"] == len(deliveries)
    assert all(figures["totals"][m.name] for m in columns)  # every column counted something


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
