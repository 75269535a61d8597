"""Rows inserted into a requester's template carry their heights, hidden rows and charts: the signature row keeps
its height below the filled rows, each filled row takes the table row's, and a chart over the table row shows
every row filled."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.workbook.defined_name import DefinedName

from tests.reports.test_output_formulas import _run
from tests.reports.test_templates import NAMES, _report
from zhizhi.reports.definition import REPORTS_FOLDER
from zhizhi.reports.outputs import fill_template

GROUPS = 5  # five groups on table row 5: rows 5-9, everything from row 6 down moves 4 rows


def _template(height: float | None = 18) -> Workbook:
    """Table row 5 (of HEIGHT), a total on row 6, a hidden note on row 7, the signature row 8 (height 40), a chart
    beside the table over `'明细'!$C$5` and one under the signature."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "明细"
    cells = {"A4": "县区", "B4": "类型", "C4": "新设", "D4": "在业", "A5": "示例区", "C5": 1, "D5": 2, "A6": "合计",
             "C6": "=SUM(C5:C5)", "A7": "内部备注", "A8": "填报人：  审核人："}  # fmt: skip
    for ref, value in cells.items():
        sheet[ref] = value
    sheet.row_dimensions[5].height = height
    sheet.row_dimensions[7].hidden = True
    sheet.row_dimensions[8].height = 40
    for name, ref in NAMES.items():  # the built-in report's: title and facts on rows 1-3, the table from A5
        book.defined_names[name] = DefinedName(name, attr_text=f"明细!{ref}")
    beside = BarChart()
    beside.add_data(Reference(sheet, min_col=3, min_row=4, max_row=5), titles_from_data=True)
    beside.set_categories(Reference(sheet, min_col=1, min_row=5, max_row=5))
    sheet.add_chart(beside, "H2")
    under = BarChart()
    under.add_data(Reference(sheet, min_col=4, min_row=5, max_row=5))
    sheet.add_chart(under, "A10")
    return book


def _filled(root: Path, book: Workbook) -> Workbook:
    report = _report(root)
    assert report.template is not None
    book.save(root / REPORTS_FOLDER / report.template.file)
    run: dict[str, Any] = _run()
    rows = run["figures"]["rows"]
    run["figures"]["rows"] = [{**rows[n % 2], "county_name": f"区{n}", "new": n} for n in range(GROUPS)]
    return load_workbook(io.BytesIO(fill_template(root, report, run)))


@pytest.mark.parametrize("height", [18, None])
def test_rows_below_the_table_keep_their_heights_and_filled_rows_take_the_table_rows(
    tmp_path: Path, height: float | None
) -> None:
    sheet = _filled(tmp_path, _template(height))["明细"]
    assert [sheet.cell(row=r, column=1).value for r in (5, 9, 10, 11, 12)] == ["区0", "区4", "合计", "内部备注",
                                                                                 "填报人：  审核人："]  # fmt: skip
    assert [sheet.row_dimensions[r].height for r in range(5, 10)] == [height] * GROUPS  # row 8 does not take 40
    assert sheet.row_dimensions[12].height == 40  # the signature row kept its height
    assert sheet.row_dimensions[11].hidden and not any(sheet.row_dimensions[r].hidden for r in (7, 8, 10, 12))


def test_a_chart_over_the_table_row_covers_every_row_filled_and_one_below_moves_down(tmp_path: Path) -> None:
    sheet = _filled(tmp_path, _template())["明细"]
    beside, under = sorted(sheet._charts, key=lambda chart: chart.anchor._from.row)
    (series,) = beside.series
    assert series.val.numRef.f == "'明细'!$C$5:$C$9"
    assert series.cat.numRef.f == "'明细'!$A$5:$A$9"
    assert series.tx.strRef.f == "'明细'!C4"  # the header it takes its title from stays
    assert beside.anchor._from.row == 1  # beside the table (H2): not moved
    assert under.series[0].val.numRef.f == "'明细'!$D$5:$D$9"
    assert under.anchor._from.row == 13  # A10 became A14, under the signature row still
