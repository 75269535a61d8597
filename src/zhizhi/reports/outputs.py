"""A run's figures as files: CSV for machines, the requester's own Excel template filled, and a PDF.

The template is the requesting office's workbook as they sent it: cells they named (公式 > 名称管理器) receive the
run's facts (`title`, `period`, `total.MEASURE` ...), and the row named by `template.table` is repeated once per
group, rows below it moved down. Styles are copied from that row, and formulas below it that summed the one row
(`=SUM(C5:C5)`) or pointed further down are rewritten to the rows as filled.
"""

from __future__ import annotations

import csv
import io
import re
from copy import copy
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.formula.translate import Translator
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

from zhizhi.cells import FORMULA_STARTS, csv_cell
from zhizhi.errors import ConfigError
from zhizhi.reports.definition import REPORTS_FOLDER, ReportConfig

FORMATS = ("csv", "xlsx", "pdf")
_REF = re.compile(r"(?<![A-Za-z_\d!.])(\$?)([A-Z]{1,3})(\$?)(\d+)(?![\d(A-Za-z_])")


def table_rows(figures: dict[str, Any], with_total: bool = True) -> tuple[list[str], list[list[Any]]]:
    """The header (labels) and the rows of a run's figures, the total row last."""
    columns = [c for c in figures["columns"] if c["kind"] != "key"]
    header = [c["label"] for c in columns]
    rows = [[row.get(c["name"]) for c in columns] for row in figures["rows"]]
    if with_total:
        names = [c["name"] for c in columns]
        total = [figures["totals"].get(n) if n in figures["totals"] else None for n in names]
        if total and total[0] is None:
            total[0] = "合计"
        rows.append(total)
    return header, rows


def csv_bytes(figures: dict[str, Any]) -> bytes:
    """UTF-8 CSV with a byte-order mark (Excel opens it right): every key, its name and each measure."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = figures["columns"]
    writer.writerow([csv_cell(c["name"]) for c in columns])
    for row in figures["rows"]:
        writer.writerow([csv_cell(row.get(c["name"])) for c in columns])
    totals = figures["totals"]
    writer.writerow(["total" if n == 0 else csv_cell(totals.get(c["name"])) for n, c in enumerate(columns)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def facts(report: ReportConfig, run: dict[str, Any]) -> dict[str, Any]:
    """What a named cell may hold, for one run."""
    figures = run["figures"]
    values = {
        "title": report.title,
        "requester": report.requester,
        "department": run.get("department_name") or report.department,
        "period": run["period"],
        "period_first": run["period_first"],
        "period_last": run["period_last"],
        "snapshot_at": run["snapshot_at"],
        "run_id": run["id"],
        "content_hash": run["content_hash"],
        "frequency": report.frequency,
    }
    values.update({f"total.{name}": value for name, value in figures["totals"].items()})
    return values


def fill_template(root: Path, report: ReportConfig, run: dict[str, Any]) -> bytes:
    """The requester's workbook with the run's facts in its named cells and one table row per group."""
    template = report.template
    if template is None:
        raise ConfigError(f"Report `{report.name}` has no `template`; export it as csv or pdf, or add one.")
    path = root / REPORTS_FOLDER / template.file
    if not path.is_file():
        raise ConfigError(
            f"Report `{report.name}`: its template `{REPORTS_FOLDER}/{template.file}` does not exist. "
            "Put the requester's workbook there or correct `template.file`."
        )
    book = load_workbook(path)
    values = facts(report, run)
    for name, key in template.cells.items():
        sheet, cell = _named(book, name, report)
        _put(sheet[cell], values[key])
    if template.table:
        sheet, cell = _named(book, template.table, report)
        rows = [[row.get(column) for column in template.columns] for row in run["figures"]["rows"]]
        _fill_table(sheet, cell, rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _named(book: Any, name: str, report: ReportConfig) -> tuple[Worksheet, str]:
    defined = book.defined_names.get(name)
    if defined is None:
        for sheet in book.worksheets:  # names scoped to one sheet
            defined = sheet.defined_names.get(name) or defined
    if defined is None:
        known = ", ".join(sorted(book.defined_names)) or "none"
        raise ConfigError(
            f"Report `{report.name}`: the template has no cell named `{name}` (its names: {known}). Name the cell "
            "in Excel (Formulas > Name Manager) or correct the definition."
        )
    title, ref = next(iter(defined.destinations))
    return book[title], ref.replace("$", "").split(":")[0]


def _fill_table(sheet: Worksheet, first: str, rows: list[list[Any]]) -> None:
    """Write `rows` from the cell `first` down, inserting rows below the first one as needed."""
    col, top, _, _ = range_boundaries(first + ":" + first)
    assert col is not None and top is not None
    extra = max(len(rows) - 1, 0)
    if extra:
        _shift_below(sheet, top, extra)
    template = {c.column: c for c in sheet[top]}
    for n, values in enumerate(rows or [[]]):
        for m, value in enumerate(values):
            _put(sheet.cell(row=top + n, column=col + m), value)
        if n:
            _copy_row(sheet, template, top + n, {col + m for m in range(len(values))})


def _put(cell: Any, value: Any) -> None:
    """A figure into a cell of the template: numbers as numbers, text always text (openpyxl would make text that
    starts with `=` a formula; zhizhi.cells says why that must not happen)."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        cell.quotePrefix = value.startswith(FORMULA_STARTS)


def _copy_row(sheet: Worksheet, template: dict[int, Any], row: int, filled: set[int]) -> None:
    """The template row's styles, height and (for cells not filled) formulas, on `row`."""
    for column, source in template.items():
        target = sheet.cell(row=row, column=column)
        if source.has_style:
            target._style = copy(source._style)
        if column not in filled and isinstance(source.value, str) and source.value.startswith("="):
            target.value = Translator(source.value, origin=source.coordinate).translate_formula(target.coordinate)
    sheet.row_dimensions[row].height = sheet.row_dimensions[template[min(template)].row].height


def _shift_below(sheet: Worksheet, top: int, extra: int) -> None:
    """Insert `extra` rows under row `top`, keeping formulas, merged cells and defined ranges pointing right."""
    merged = [str(r) for r in sheet.merged_cells.ranges]
    for ref in merged:
        sheet.unmerge_cells(ref)
    sheet.insert_rows(top + 1, extra)
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.value = shift_formula(cell.value, top, extra)
    for ref in merged:
        sheet.merge_cells(shift_formula(ref, top, extra))


def shift_formula(formula: str, top: int, extra: int) -> str:
    """References below row `top` moved down `extra` rows; a range ending on row `top` grown to hold them."""

    def move(match: re.Match[str]) -> str:
        col_abs, col, row_abs, row = match.groups()
        number = int(row)
        ends_range = match.start() > 0 and formula[match.start() - 1] == ":"
        if number > top or (number == top and ends_range):
            number += extra
        return f"{col_abs}{col}{row_abs}{number}"

    return _REF.sub(move, formula)


def pdf_bytes(report: ReportConfig, run: dict[str, Any]) -> bytes:
    """The run as an A4 PDF with its Chinese text drawn from the shipped font (`zhizhi.pdf`)."""
    from datetime import datetime

    from zhizhi.pdf import report_pdf

    header, rows = table_rows(run["figures"])
    subtitle = [
        f"报告期：{run['period']}（{run['period_first']} 至 {run['period_last']}）",
        f"报送单位：{run.get('department_name') or report.department}　　需求单位：{report.requester}",
        f"数据截至：{run['snapshot_local']}",
    ]
    footer = f"zhizhi 报表 {report.name} · 第 {run['id']} 次生成 · 内容摘要 {str(run['content_hash'])[:16]}"
    return report_pdf(
        report.title,
        subtitle,
        [(report.title, header, rows)],
        footer,
        created=datetime.fromisoformat(run["snapshot_at"].replace("Z", "+00:00")),
        author=str(run.get("department_name") or report.department),
    )
