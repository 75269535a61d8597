"""A requester's own workbook, as offices make them: merged cells in the table row, a hidden summary sheet that
reads the table, a name left pointing at a deleted cell, a period with no rows, a file that is not .xlsx."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.workbook.defined_name import DefinedName

from tests.reports.test_output_formulas import ATTACK, _run
from zhizhi.errors import ConfigError
from zhizhi.reports import install_builtin, load_report
from zhizhi.reports.definition import REPORTS_FOLDER, ReportConfig
from zhizhi.reports.outputs import fill_template

NAMES = {"报表标题": "$A$1", "数据截至": "$B$1", "报告期": "$B$2", "填报单位": "$B$3", "明细": "$A$5"}


def _workbook() -> Workbook:
    """Header on row 4, the table row 5 holding sample figures, a total on row 7: `=SUM(C5:C5)`."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "明细"
    for ref, value in {"A4": "县区", "C4": "类型", "D4": "新设", "A5": "示例区", "C5": "示例", "D5": 99, "E5": 98,
                       "F5": 97, "A7": "合计", "D7": "=SUM(D5:D5)"}.items():  # fmt: skip
        sheet[ref] = value
    for name, ref in NAMES.items():
        book.defined_names[name] = DefinedName(name, attr_text=f"明细!{ref}")
    return book


def _fill(root: Path, book: Workbook, run: dict[str, Any] | None = None) -> Workbook:
    report = _report(root)
    assert report.template is not None
    book.save(root / REPORTS_FOLDER / report.template.file)
    return load_workbook(io.BytesIO(fill_template(root, report, run or _run())))


def _report(root: Path) -> ReportConfig:
    install_builtin(root, "LZ")
    return load_report(root, "entities-by-county")


def test_a_table_row_with_merged_cells_fills_each_merge_as_one_column(tmp_path: Path) -> None:
    book = _workbook()
    book["明细"].merge_cells("A5:B5")  # the county's name spans two columns
    sheet = _fill(tmp_path, book)["明细"]
    assert [sheet.cell(row=6, column=c).value for c in (1, 3, 4, 5, 6)] == ["+1-1", "@SUM(1)", 3, 4, 1]
    assert {str(r) for r in sheet.merged_cells.ranges} == {"A5:B5", "A6:B6"}
    assert sheet["D8"].value == "=SUM(D5:D6)"


def test_other_sheets_and_names_that_read_the_table_follow_its_rows(tmp_path: Path) -> None:
    book = _workbook()
    summary = book.create_sheet("汇总")
    summary["A1"], summary["A2"], summary["A3"] = "=明细!D7", "=SUM('明细'!D5:D5)", "=SUM(D5:D7)"
    summary.sheet_state = "hidden"
    book.defined_names["合计新设"] = DefinedName("合计新设", attr_text="明细!$D$7")
    filled = _fill(tmp_path, book)
    summary = filled["汇总"]
    assert summary["A1"].value == "=明细!D8"  # the total moved down one row with the second group
    assert summary["A2"].value == "=SUM('明细'!D5:D6)"
    assert summary["A3"].value == "=SUM(D5:D7)"  # its own cells, not the table's
    assert filled.defined_names["合计新设"].attr_text == "明细!$D$8"


@pytest.mark.parametrize("groups", [1, 2, 4])
def test_a_table_named_over_prepared_rows_fills_them_first_and_leaves_no_sample_figures(
    tmp_path: Path, groups: int
) -> None:
    """A requester's sheet with two rows drawn for the table (named `A5:E6`, last month's figures in both) and the
    total under them: the rows are filled before any is inserted, and none keeps a figure of the template's."""
    book = _workbook()
    sheet = book["明细"]
    for ref, value in {"A6": "样例区二", "C6": "样例", "D6": 88, "E6": 87, "D7": "=SUM(D5:D6)"}.items():
        sheet[ref] = value
    book.defined_names["明细"] = DefinedName("明细", attr_text="明细!$A$5:$E$6")
    run = _run()
    run["figures"]["rows"] = [{**run["figures"]["rows"][0], "county_name": f"区{n}", "new": n} for n in range(groups)]
    filled = _fill(tmp_path, book, run)["明细"]
    assert [filled.cell(row=5 + n, column=1).value for n in range(groups)] == [f"区{n}" for n in range(groups)]
    total = 5 + max(groups, 2)
    assert filled.cell(row=total, column=4).value == f"=SUM(D5:D{total - 1})"
    if groups == 1:  # the prepared row left over: empty, not last month's figures
        assert [filled.cell(row=6, column=c).value for c in range(1, 6)] == [None] * 5
    assert "样例区二" not in [filled.cell(row=r, column=1).value for r in range(1, 12)]


def test_a_period_with_no_rows_leaves_no_sample_figures(tmp_path: Path) -> None:
    run = _run()
    run["figures"]["rows"], run["figures"]["totals"] = [], {"new": 0, "in_business": 0, "cancelled": 0}
    sheet = _fill(tmp_path, _workbook(), run)["明细"]
    assert [sheet.cell(row=5, column=c).value for c in range(1, 6)] == [None] * 5  # the table's five columns
    assert sheet["F5"].value == 97  # beyond the table: the template's own
    assert sheet["D7"].value == "=SUM(D5:D5)"


def test_a_name_pointing_at_a_deleted_cell_is_named_in_both_languages(tmp_path: Path) -> None:
    book = _workbook()
    book.defined_names["报告期"] = DefinedName("报告期", attr_text="#REF!")
    with pytest.raises(ConfigError) as caught:
        _fill(tmp_path, book)
    assert "`报告期`" in caught.value.message and "#REF!" in caught.value.message
    assert caught.value.message_zh and "`报告期`" in caught.value.message_zh


@pytest.mark.parametrize(("name", "ref"), [("报告期", "明细!$B:$B"), ("明细", "明细!$5:$5")])
def test_a_name_pointing_at_a_whole_column_or_row_is_named_in_both_languages(
    tmp_path: Path, name: str, ref: str
) -> None:
    book = _workbook()
    book.defined_names[name] = DefinedName(name, attr_text=ref)
    with pytest.raises(ConfigError) as caught:
        _fill(tmp_path, book)
    assert f"`{name}`" in caught.value.message and "whole column or row" in caught.value.message
    assert caught.value.message_zh and f"`{name}`" in caught.value.message_zh
    assert "整列或整行" in caught.value.message_zh


def test_a_template_that_is_not_xlsx_says_so(tmp_path: Path) -> None:
    report = _report(tmp_path)
    assert report.template is not None
    (tmp_path / REPORTS_FOLDER / report.template.file).write_bytes(b"\xd0\xcf\x11\xe0 an Excel 97 file")
    with pytest.raises(ConfigError) as caught:
        fill_template(tmp_path, report, _run())
    assert report.template.file in caught.value.message and ".xlsx" in caught.value.message
    assert caught.value.message_zh and ".xls" in caught.value.message_zh


def test_an_excel_template_file_goes_out_as_a_workbook_excel_opens_as_xlsx(tmp_path: Path) -> None:
    """A requester's 模板 saved as an Excel template (.xltx): its filled copy goes out as .xlsx, and Excel refuses a
    .xlsx whose content says it is a template."""
    import zipfile

    report = _report(tmp_path)
    assert report.template is not None
    book = _workbook()
    book.template = True
    book.save(tmp_path / REPORTS_FOLDER / report.template.file)
    body = fill_template(tmp_path, report, _run())
    types = zipfile.ZipFile(io.BytesIO(body)).read("[Content_Types].xml").decode()
    assert "spreadsheetml.sheet.main+xml" in types and "template.main" not in types
    assert load_workbook(io.BytesIO(body))["明细"]["A5"].value == "城中区"


@pytest.mark.parametrize(
    ("title", "sheet"),
    [("'两品一械'监管情况月报", "两品一械'监管情况月报"), ("History", "History_"), ("''", "entities-by-county"),
     ("[月报]/2026", "_月报__2026")],
)  # fmt: skip
def test_a_plain_workbook_names_its_sheet_as_excel_allows(tmp_path: Path, title: str, sheet: str) -> None:
    """Excel repairs (and says the file was damaged) a sheet name that starts or ends with `'`, or is `History`."""
    report = _report(tmp_path).model_copy(update={"template": None, "title": title})
    assert load_workbook(io.BytesIO(fill_template(tmp_path, report, _run()))).sheetnames == [sheet]


def test_a_report_without_a_template_goes_out_as_a_plain_workbook_with_its_formats(tmp_path: Path) -> None:
    report = _report(tmp_path).model_copy(update={"template": None})
    run = _run()
    for column in run["figures"]["columns"][3:]:
        column["kind"] = "count"
    run["figures"]["rows"][0]["county"] = "0450202"  # a code with a leading zero stays one
    sheet = load_workbook(io.BytesIO(fill_template(tmp_path, report, run))).active
    assert sheet is not None
    header = [c.value for c in sheet[4]]
    assert header == ["县区代码", "县区", "主体类型", "本期新设", "在业户数", "注销户数"]
    first, second, total = ([c for c in row] for row in sheet.iter_rows(min_row=5, max_row=7))
    assert first[0].value == "0450202" and first[0].data_type == "s" and first[0].number_format == "@"
    assert first[2].value == ATTACK and first[2].data_type == "s"  # typed text, never a formula
    assert first[3].value == 1 and first[3].number_format == "#,##0"
    assert total[0].value == "合计" and [c.value for c in total[3:]] == [4, 6, 1]
    assert sum(row[3].value for row in (first, second)) == total[3].value


def test_the_print_area_conditional_formats_and_validations_follow_the_rows(tmp_path: Path) -> None:
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    book = _workbook()
    sheet = book["明细"]
    sheet.print_area = "A1:F7"  # the total on row 7 printed
    red = PatternFill(start_color="FFFF0000", end_color="FFFF0000", fill_type="solid")
    sheet.conditional_formatting.add("D7", CellIsRule(operator="lessThan", formula=["0"], fill=red))
    check = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
    check.add("D5:D5")
    sheet.add_data_validation(check)
    filled = _fill(tmp_path, book)["明细"]
    assert filled.print_area == "'明细'!$A$1:$F$8"
    assert [str(target.sqref) for target in filled.conditional_formatting] == ["D8"]
    assert [str(v.sqref) for v in filled.data_validations.dataValidation] == ["D5:D6"]


def test_an_excel_table_over_the_header_and_table_row_takes_every_row(tmp_path: Path) -> None:
    from openpyxl.worksheet.table import Table

    book = _workbook()
    sheet = book["明细"]
    for column, header in zip("BEF", ("名称", "在业", "注销"), strict=True):
        sheet[f"{column}4"] = header  # an Excel table needs a header in every column
    sheet.add_table(Table(displayName="明细表", ref="A4:F5"))
    filled = _fill(tmp_path, book)["明细"]
    assert filled.tables["明细表"].ref == "A4:F6"


def test_a_formula_in_the_table_row_is_copied_down_row_by_row_and_the_total_grows(tmp_path: Path) -> None:
    book = _workbook()
    sheet = book["明细"]
    sheet["G5"], sheet["H5"], sheet["G7"] = "=SUM(C5:E5)", "=SUM(D$5:D5)", "=SUM(G5:G5)"  # row total, running sum
    run = _run()
    run["figures"]["rows"].append({**run["figures"]["rows"][1], "county": "450204", "county_name": "柳南区"})
    filled = _fill(tmp_path, book, run)["明细"]
    assert [filled[f"G{row}"].value for row in (5, 6, 7)] == ["=SUM(C5:E5)", "=SUM(C6:E6)", "=SUM(C7:E7)"]
    assert [filled[f"H{row}"].value for row in (5, 6, 7)] == ["=SUM(D$5:D5)", "=SUM(D$5:D6)", "=SUM(D$5:D7)"]
    assert filled["G9"].value == "=SUM(G5:G7)" and filled["D9"].value == "=SUM(D5:D7)"


def test_a_name_inside_a_merged_area_fills_the_merge(tmp_path: Path) -> None:
    book = _workbook()
    sheet = book["明细"]
    sheet.merge_cells("B2:D2")  # the period, typed across three columns
    sheet.merge_cells("A5:B5")
    book.defined_names["报告期"] = DefinedName("报告期", attr_text="明细!$C$2")
    book.defined_names["明细"] = DefinedName("明细", attr_text="明细!$B$5")
    filled = _fill(tmp_path, book)["明细"]
    assert filled["B2"].value == "2026-11"
    assert [filled.cell(row=6, column=c).value for c in (1, 3, 4)] == ["+1-1", "@SUM(1)", 3]
