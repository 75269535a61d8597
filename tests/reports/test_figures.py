"""Figures against the hand-counted town (tests/reports/conftest.py), on SQLite and PostgreSQL: counts, changes,
shares, groups by county, section and department, the issuing department's scope, and re-runs with late records."""

from __future__ import annotations

import io
import json
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.reports.conftest import ENTITIES, ingest_rows, write_report
from zhizhi.config import Workspace
from zhizhi.reports import parse_period, run_as_dict, run_report
from zhizhi.reports.tables import ReportRun

Town = tuple[Workspace, sessionmaker[Session]]


def _run(town: Town, name: str = "entities", period: str = "2026-11") -> dict[str, Any]:
    workspace, sessions = town
    with sessions() as session, session.begin():
        return run_as_dict(session, run_report(session, workspace, OPERATOR, name, parse_period(period)))


def _by(figures: dict[str, Any], key: str) -> dict[Any, dict[str, Any]]:
    return {row[key]: row for row in figures["rows"]}


def test_counts_changes_and_shares_by_county(town: Town) -> None:
    figures = _run(town)["figures"]
    rows = _by(figures, "county")
    assert {k: (r["county_name"], r["new"], r["in_business"], r["cancelled"]) for k, r in rows.items()} == {
        "450202": ("城中区", 2, 2, 1),
        "450203": ("鱼峰区", 2, 2, 0),
        "450204": ("柳南区", 0, 0, 1),
    }
    assert [rows[c]["new_change"] for c in ("450202", "450203", "450204")] == [1, 2, 0]  # October: 丙 only
    assert [rows[c]["person_share"] for c in ("450202", "450203", "450204")] == [100.0, 50.0, None]
    assert figures["totals"] == {"new": 4, "in_business": 4, "cancelled": 2, "new_change": 3, "person_share": 75.0}


def test_groups_by_industry_section_and_department(town: Town) -> None:
    workspace, _ = town
    text = ENTITIES.replace("name: entities", "name: by-section").replace("[county]", "[section, department]")
    write_report(workspace.root, text)
    rows = {(r["section"], r["department"]): r for r in _run(town, "by-section")["figures"]["rows"]}
    assert {k: (r["new"], r["in_business"]) for k, r in rows.items()} == {
        ("F", "LZ-CZ"): (1, 1),  # 乙 new, 丙 in business
        ("H", "LZ-CZ"): (2, 2),  # 甲, 丁
        ("H", "LZ-YF"): (1, 1),  # 戊
        (None, "LZ-YF"): (0, 0),  # 己: no industry code
    }
    assert rows[("H", "LZ-CZ")]["section_name"] == "住宿和餐饮业"
    assert rows[("H", "LZ-CZ")]["department_name"] == "城中区市场监督管理局"


def test_a_report_sees_only_what_its_issuing_department_may_see(town: Town) -> None:
    workspace, _ = town
    write_report(
        workspace.root, ENTITIES.replace("name: entities", "name: cz").replace("department: LZ", "department: LZ-CZ")
    )
    figures = _run(town, "cz")["figures"]
    assert figures["totals"]["new"] == 3 and figures["totals"]["cancelled"] == 1  # 甲 乙 丁; 乙
    assert {r["county"] for r in figures["rows"]} == {"450202", "450203"}


def test_filters_in_between_prefix_and_empty(town: Town) -> None:
    workspace, _ = town
    text = ENTITIES.replace("name: entities", "name: filtered").replace(
        "  group_by: [county]\n",
        "  group_by: [county]\n  where:\n    entity_type: {prefix: 个体}\n"
        "    founded_on: {between: [2026-11-01, 2026-11-10]}\n"
        "    industry_code: {empty: false}\n    status: [active, cancelled]\n",
    )
    write_report(workspace.root, text)
    figures = _run(town, "filtered")["figures"]
    assert figures["totals"]["new"] == 2  # 甲 (11-03) and 戊 (11-01); 乙 is after the 10th
    assert figures["totals"]["in_business"] == 2


def test_a_rerun_reproduces_the_figures_or_names_the_late_records(town: Town) -> None:
    first = _run(town)
    again = _run(town)
    assert again["content_hash"] == first["content_hash"]
    assert again["changes"]["same"] is True and again["changes"]["figures"] == []
    workspace, sessions = town
    ingest_rows(workspace, sessions, "LZ-YF", [("庚", "柳南区", "个体工商户", "2026-11-15", "active", "6210")])
    late = _run(town)
    assert late["content_hash"] != first["content_hash"]
    changes = late["changes"]
    assert changes["same"] is False and changes["since_run"] == again["id"]
    assert changes["late"]["count"] == 1 and "庚" in changes["late"]["rows"][0]
    moved = {
        (json.dumps(c["group"], ensure_ascii=False), c["measure"]): (c["before"], c["after"])
        for c in changes["figures"]
    }
    assert moved[('{"county": "450204"}', "new")] == (0, 1)
    assert moved[('{"total": true}', "new")] == (4, 5)
    assert json.loads(json.dumps(late["figures"]))["totals"]["new"] == 5


def test_a_run_filled_again_with_other_figures_says_it_is_replaced(town: Town) -> None:
    """A copy of an earlier run (downloaded, sealed, sent on) must not pass for the period's figures once they were
    filled again differently: the run says which one replaces it, and its PDF says so at its head. A run filled
    again with the same figures restates it and replaces nothing."""
    from pdfminer.high_level import extract_text

    from zhizhi.reports import export_run

    first = _run(town)
    same = _run(town)
    workspace, sessions = town
    with sessions() as session:
        assert run_as_dict(session, session.get(ReportRun, first["id"]))["replaced_by"] is None  # same figures
    ingest_rows(workspace, sessions, "LZ-YF", [("庚", "柳南区", "个体工商户", "2026-11-15", "active", "6210")])
    late = _run(town)
    assert late["replaced_by"] is None
    with sessions() as session, session.begin():
        for earlier in (first, same):
            replaced = run_as_dict(session, session.get(ReportRun, earlier["id"]))["replaced_by"]
            assert replaced is not None and replaced["id"] == late["id"]
        _, old_pdf = export_run(session, workspace, OPERATOR, first["id"], "pdf")
        _, new_pdf = export_run(session, workspace, OPERATOR, late["id"], "pdf")
    said = extract_text(io.BytesIO(old_pdf)).replace(" ", "")
    assert "已被替代" in said and f"第{late['id']}次" in said
    assert "已被替代" not in extract_text(io.BytesIO(new_pdf))


SUMS = """\
name: sums
title: 合计
requester: 市政府办公室
department: LZ
frequency: monthly
query: {from: records, record_type: entity, period: founded_on, group_by: [county]}
measures:
  - {name: codes, label: 行业代码之和, kind: sum, field: industry_code, period: false}
  - {name: types, label: 类型之和, kind: sum, field: entity_type, period: false}
"""


def test_a_sum_of_text_counts_the_numbers_written_in_it_and_leaves_out_the_words(town: Town) -> None:
    workspace, sessions = town
    ingest_rows(workspace, sessions, "LZ-YF", [("庚", "柳南区", " 1,234.5 ", "2026-11-02", "active", "")])
    write_report(workspace.root, SUMS)
    figures = _run(town, "sums")["figures"]
    rows = _by(figures, "county")
    assert {k: r["codes"] for k, r in rows.items()} == {"450202": 16632.0, "450203": 12420.0, "450204": 0}
    assert {k: r["types"] for k, r in rows.items()} == {"450202": 0, "450203": 0, "450204": 1234.5}
    assert figures["totals"] == {"codes": 29052.0, "types": 1234.5}
    assert sum(r["codes"] for r in rows.values()) == figures["totals"]["codes"]


def test_the_change_of_a_sum_is_in_cents_as_the_sums_are(town: Town) -> None:
    """1,234.57 this month and 1,234.27 the month before is 0.3 more, not 0.2999999999999545 (in the CSV, the
    workbook and what is delivered)."""
    workspace, sessions = town
    ingest_rows(workspace, sessions, "LZ-YF", [("庚", "柳南区", "1234.27", "2026-10-02", "active", ""),
                                               ("辛", "柳南区", "1234.57", "2026-11-02", "active", "")])  # fmt: skip
    change = "  - {name: more, label: 增减, kind: change, of: types}\n"
    write_report(workspace.root, SUMS.replace("period: false}", "}") + change)
    figures = _run(town, "sums")["figures"]
    assert _by(figures, "county")["450204"]["types"] == 1234.57
    assert _by(figures, "county")["450204"]["more"] == 0.3 and figures["totals"]["more"] == 0.3


def test_a_measure_condition_on_the_field_the_query_filters_adds_to_it(town: Town) -> None:
    workspace, _ = town
    text = ENTITIES.replace("name: entities", "name: companies").replace(
        "  group_by: [county]\n", "  group_by: [county]\n  where: {entity_type: {prefix: 有限}}\n"
    )
    text += "  - {name: persons, label: 个体户, kind: count, where: {entity_type: 个体工商户}}\n"
    write_report(workspace.root, text)
    totals = _run(town, "companies")["figures"]["totals"]
    assert totals["new"] == 1 and totals["in_business"] == 2  # 丁 new in November; 丙 and 丁 in business
    assert totals["persons"] == 0 and totals["person_share"] == 0.0  # no company is also a 个体工商户


def test_a_record_field_grouped_by_is_headed_by_its_chinese_label(town: Town) -> None:
    workspace, _ = town
    text = ENTITIES.replace("name: entities", "name: by-type").replace("[county]", "[entity_type]")
    write_report(workspace.root, text)
    figures = _run(town, "by-type")["figures"]
    assert [c["label"] for c in figures["columns"][:2]] == ["市场主体类型", "市场主体类型名称"]
    assert {r["entity_type_name"] for r in figures["rows"]} == {"个体工商户", "有限责任公司"}
