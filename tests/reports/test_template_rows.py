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
from openpyxl.worksheet.hyperlink import Hyperlink

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


def test_a_chart_on_a_sheet_of_its_own_covers_every_row_filled(tmp_path: Path) -> None:
    book = _template()
    chart = BarChart()
    chart.add_data(Reference(book["明细"], min_col=3, min_row=4, max_row=5), titles_from_data=True)
    book.create_chartsheet("图表").add_chart(chart)
    (series,) = _filled(tmp_path, book)["图表"]._charts[0].series
    assert series.val.numRef.f == "'明细'!$C$5:$C$9"


def test_array_formulas_links_rules_lists_and_page_breaks_follow_the_rows(tmp_path: Path) -> None:
    """What openpyxl's insert_rows leaves behind: an array formula's text and cell, a link's cell and where it goes,
    a conditional format's and a validation's own formulas, a page break set before the signature."""
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.formula import ArrayFormula
    from openpyxl.worksheet.pagebreak import Break

    book = _template()
    sheet = book["明细"]
    sheet["G5"] = ArrayFormula("G5", "=C5*D5")  # a row's own, copied down
    sheet["D6"] = ArrayFormula("D6", "=SUM(C5:C5*D5:D5)")  # a total, over every row filled
    sheet["A7"].hyperlink = Hyperlink(ref="A7", location="明细!A6", display="见合计")
    sheet["F7"], sheet["F8"] = "同意", "不同意"
    validation = DataValidation(type="list", formula1="$F$7:$F$8")
    sheet.add_data_validation(validation)
    validation.add("B8")
    sheet.conditional_formatting.add("A8", FormulaRule(formula=["$C$6>100"], fill=PatternFill("solid", "FF0000")))
    sheet.row_breaks.append(Break(id=7))  # the signature row 8 starts a page
    book.create_sheet("汇总")["A1"] = ArrayFormula("A1", "=MAX(明细!C5:C5)")

    filled = _filled(tmp_path, book)
    sheet = filled["明细"]
    total = sheet["D10"].value
    assert isinstance(total, ArrayFormula) and (total.ref, total.text) == ("D10", "=SUM(C5:C9*D5:D9)")
    copied = sheet["G7"].value
    assert isinstance(copied, ArrayFormula) and (copied.ref, copied.text) == ("G7", "=C7*D7")
    summary = filled["汇总"]["A1"].value
    assert isinstance(summary, ArrayFormula) and summary.text == "=MAX(明细!C5:C9)"
    link = sheet["A11"].hyperlink
    assert link is not None and (link.ref, link.location) == ("A11", "明细!A10")
    assert sheet["A7"].hyperlink is None  # a filled row takes no link of the note it pushed down
    (moved,) = sheet.data_validations.dataValidation
    assert (str(moved.sqref), moved.formula1) == ("B12", "$F$11:$F$12")
    (rules,) = list(sheet.conditional_formatting)
    assert str(rules.sqref) == "A12" and rules.rules[0].formula == ["$C$10>100"]
    assert [brk.id for brk in sheet.row_breaks.brk] == [11]
