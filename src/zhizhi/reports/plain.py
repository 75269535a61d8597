"""A run as a plain Excel workbook, for a report whose requester sent no template of their own.

Its title and period on top, one row per group and a total row, each column in the format of what it holds:
counts as whole numbers, sums with two decimals, percentages with one, and group keys and names as text (a code
such as `0450202` or a credit code keeps its leading zeros, and a label starting with `=` stays text).
"""

from __future__ import annotations

import io
import re
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from zhizhi.reports.definition import ReportConfig
from zhizhi.reports.outputs import labelled_columns
from zhizhi.reports.workbook import put

NUMBER_FORMATS = {"count": "#,##0", "distinct": "#,##0", "sum": "#,##0.00", "share": "0.0", "ratio": "0.0"}
TEXT = "@"
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")


def plain_workbook(report: ReportConfig, run: dict[str, Any]) -> bytes:
    """The run's figures as a workbook with one sheet: title, period, header, a row per group, the total."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = sheet_name(report)
    columns = labelled_columns(run["figures"])
    formats = [column_format(report, column) for column in columns]
    department = run.get("department_name") or report.department
    put(sheet["A1"], report.title)
    put(sheet["A2"], f"报告期：{run['period']}（{run['period_first']} 至 {run['period_last']}）")
    put(sheet["A3"], f"报送单位：{department}　数据截至：{run.get('snapshot_local') or run['snapshot_at']}")
    for n, values in enumerate([[c["label"] for c in columns], *_body(run)]):
        for m, (value, number_format) in enumerate(zip(values, formats, strict=False), start=1):
            cell = sheet.cell(row=5 + n - 1, column=m)
            put(cell, value)
            cell.border = _BOX
            if n:
                cell.number_format = number_format
    sheet["A1"].font = Font(bold=True, size=14)
    for n, column in enumerate(columns, start=1):
        sheet[f"{get_column_letter(n)}4"].font = Font(bold=True)
        sheet[f"{get_column_letter(n)}4"].alignment = Alignment(horizontal="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(n)].width = min(max(10, 2 * len(column["label"]) + 2), 40)
    sheet.freeze_panes = "A5"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sheet_name(report: ReportConfig) -> str:
    """The report's title as Excel lets a sheet be named: none of `[]:*?/\\`, no `'` at either end, 31 characters at
    most, not `History` (Excel keeps that name for itself); the report's name when nothing is left."""
    name = _NOT_IN_SHEET_NAMES.sub("_", report.title)[:31].strip(" '")
    if name.casefold() == "history":
        return name + "_"
    return name or report.name[:31]


def column_format(report: ReportConfig, column: dict[str, str]) -> str:
    """The number format of a column: text for group keys and names, by the measure's kind for figures."""
    kind = column["kind"]
    if kind == "change":
        percent = any(m.percent for m in report.measures if m.name == column["name"])
        return "0.0" if percent else "#,##0;-#,##0;0"
    return NUMBER_FORMATS.get(kind, TEXT)


def _body(run: dict[str, Any]) -> list[list[Any]]:
    """A row per group, then the total row (labelled in the first column, a group key's or one of its own)."""
    columns, totals = labelled_columns(run["figures"]), run["figures"]["totals"]
    rows = [[row.get(c["name"]) for c in columns] for row in run["figures"]["rows"]]
    return [*rows, ["合计" if n == 0 else totals.get(c["name"]) for n, c in enumerate(columns)]]
