"""The requester's own Excel template, filled: named cells take the run's facts, the named table row one row per group.

Rows inserted under the table row move everything below them, so every reference to the table's sheet follows:
formulas on that sheet and on every other one (a hidden summary sheet's `=明细!C7`), merged cells, defined names,
the print area, conditional formats and data validations (and the formulas inside them), array formulas, links,
page breaks, row heights and hidden rows, charts' series and the places of charts and pictures. A sum over the one
template row (`=SUM(C5:C5)`) grows to every row filled, and so does a chart's series; a formula in the table row
itself (`=SUM(C5:D5)`, a running `=SUM(C$5:C5)`) is carried to each filled row as Excel would copy it down. Cells
of the template row merged across columns count as one column of the table, and each filled row is merged the same
way.
"""

from __future__ import annotations

import io
import re
import zipfile
from copy import copy
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.chartsheet import Chartsheet
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.formula.translate import Translator
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet

from zhizhi.cells import FORMULA_STARTS, sheet_text
from zhizhi.errors import ConfigError
from zhizhi.reports.definition import REPORTS_FOLDER, ReportConfig

_CELL = r"\$?[A-Z]{1,3}\$?\d+"
_SHEET = r"'(?:[^']|'')+'|[^\s!'\"(),:;=+\-*/&^<>{}%\[\]]+"
_REF = re.compile(rf"(?<![A-Za-z_\d!.'\"])(?:(?P<sheet>{_SHEET})!)?(?P<a>{_CELL})(?::(?P<b>{_CELL}))?(?![\d(A-Za-z_])")
_PARTS = re.compile(r"(\$?[A-Z]{1,3}\$?)(\d+)")


def fill_template(root: Path, report: ReportConfig, run: dict[str, Any]) -> bytes:
    """The requester's workbook with the run's facts in its named cells and one table row per group (a plain
    workbook when the report has no template)."""
    from zhizhi.reports.outputs import facts

    template = report.template
    if template is None:
        from zhizhi.reports.plain import plain_workbook

        return plain_workbook(report, run)
    book = _open(root, report)
    book.template = False  # an Excel template (.xltx) goes out as the .xlsx it makes: Excel refuses a .xlsx marked so
    values = facts(report, run)
    for name, key in template.cells.items():
        sheet, cell = _named(book, name, report)
        put(sheet[cell], values[key])
    if template.table:
        sheet, cell = _named(book, template.table, report)
        rows = [[row.get(column) for column in template.columns] for row in run["figures"]["rows"]]
        _fill_table(book, sheet, cell, rows, len(template.columns), last=_last_row(book, template.table))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _open(root: Path, report: ReportConfig) -> Workbook:
    """The template workbook, or an error naming the file and what to do."""
    assert report.template is not None
    shown = f"{REPORTS_FOLDER}/{report.template.file}"
    path = root / REPORTS_FOLDER / report.template.file
    if not path.is_file():
        raise ConfigError(
            f"Report `{report.name}`: its template `{shown}` does not exist. Put the requester's workbook there or "
            "correct `template.file`.",
            zh=f"报表 `{report.name}`：模板 `{shown}` 不存在。请把需求单位的工作簿放到该位置，或改正 `template.file`。",
        )
    try:
        return load_workbook(path)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ConfigError(
            f"Report `{report.name}`: its template `{shown}` is not an Excel workbook zhizhi can read ({exc}). Save "
            "it from Excel or WPS as .xlsx (Excel 97-2003 .xls files are not read) and try again.",
            zh=f"报表 `{report.name}`：模板 `{shown}` 不是可读取的 Excel 工作簿。请在 Excel 或 WPS 中另存为 .xlsx "
            "（不支持 Excel 97-2003 的 .xls）后重试。",
        ) from exc


def _named(book: Workbook, name: str, report: ReportConfig) -> tuple[Worksheet, str]:
    """The sheet and top-left cell of the defined name NAME (workbook or sheet scope); a name pointing inside a
    merged area (`C2` of `B2:D2`) is the merge's top-left cell, where Excel shows its value."""
    defined = book.defined_names.get(name)
    for sheet in book.worksheets:  # names scoped to one sheet
        defined = defined or sheet.defined_names.get(name)
    if defined is None:
        known = ", ".join(sorted(book.defined_names)) or "none"
        raise ConfigError(
            f"Report `{report.name}`: the template has no cell named `{name}` (its names: {known}). Name the cell "
            "in Excel (Formulas > Name Manager) or correct the definition.",
            zh=f"报表 `{report.name}`：模板中没有名为 `{name}` 的单元格（已有名称：{known}）。请在 Excel 中命名该单元格"
            "（公式 > 名称管理器），或改正报表定义。",
        )
    destinations = [(title, ref) for title, ref in defined.destinations if title in book.sheetnames]
    if not destinations:
        raise ConfigError(
            f"Report `{report.name}`: the template's name `{name}` refers to `{defined.attr_text}`, not to a cell "
            "(a deleted cell shows as #REF!). Point it at a cell in Excel (Formulas > Name Manager).",
            zh=f"报表 `{report.name}`：模板中的名称 `{name}` 指向 `{defined.attr_text}`，不是单元格（已删除的单元格显示"
            "为 #REF!）。请在 Excel 中将其指向一个单元格（公式 > 名称管理器）。",
        )
    title, ref = destinations[0]
    cell = ref.replace("$", "").split(":")[0]
    if not re.fullmatch(r"[A-Z]{1,3}\d+", cell):  # a whole column (`$B:$B`) or row (`$5:$5`)
        raise ConfigError(
            f"Report `{report.name}`: the template's name `{name}` refers to `{defined.attr_text}`, a whole column or "
            "row, not a cell. Point it at one cell in Excel (Formulas > Name Manager): the cell that takes the "
            "value, or the first cell of the table's first data row.",
            zh=f"报表 `{report.name}`：模板中的名称 `{name}` 指向 `{defined.attr_text}`，是整列或整行，不是单元格。"
            "请在 Excel 中将其指向一个单元格（公式 > 名称管理器）：填入数值的单元格，或表格第一行数据的第一个单元格。",
        )
    return book[title], _top_left(book[title], cell)


def _last_row(book: Workbook, name: str) -> int:
    """The last row the defined name NAME spans (its first, for a name of one cell or one row): a table named over
    the requester's prepared rows (`A5:E14`) ends there."""
    defined = book.defined_names.get(name)
    for sheet in book.worksheets:
        defined = defined or sheet.defined_names.get(name)
    assert defined is not None  # _named found it
    ref = next(ref for title, ref in defined.destinations if title in book.sheetnames)
    return int(_PARTS.findall(ref.replace("$", ""))[-1][1])


def _top_left(sheet: Worksheet, cell: str) -> str:
    """CELL, or the top-left cell of the merged area it lies in: the one cell of a merge that holds its value."""
    for merged in sheet.merged_cells.ranges:
        if cell in merged:
            return str(merged.start_cell.coordinate)
    return cell


def _fill_table(
    book: Workbook, sheet: Worksheet, first: str, rows: list[list[Any]], width: int, *, last: int = 0
) -> None:
    """Write `rows` (each WIDTH values) from the cell `first` down: into the requester's prepared rows through row
    LAST first, then into rows inserted below them as needed; prepared rows left over lose their sample values."""
    col, top, _, _ = range_boundaries(first + ":" + first)
    assert col is not None and top is not None
    bottom = max(last, top)
    columns = _table_columns(sheet, top, col, width)
    extra = max(len(rows) - (bottom - top + 1), 0)
    if extra:
        _shift_below(book, sheet, bottom, extra)
    template = {c.column: c for c in sheet[top] if not isinstance(c, MergedCell)}
    merges = [r for r in sheet.merged_cells.ranges if r.min_row == r.max_row == top]
    for n, values in enumerate(rows or [[None] * len(columns)]):  # no rows: the template's sample values go
        for column, value in zip(columns, values, strict=False):
            put(sheet.cell(row=top + n, column=column), value)
        if top + n > bottom:  # a row inserted: it takes the table row's styles, formulas and merges
            _copy_row(sheet, template, top + n, set(columns))
            for merged in merges:
                sheet.merge_cells(start_row=top + n, end_row=top + n, start_column=merged.min_col,
                                  end_column=merged.max_col)  # fmt: skip
    for row in range(top + max(len(rows), 1), bottom + 1):
        for column in columns:
            if not isinstance(sheet.cell(row=row, column=column), MergedCell):
                put(sheet.cell(row=row, column=column), None)


def _table_columns(sheet: Worksheet, top: int, col: int, width: int) -> list[int]:
    """The WIDTH columns of the table from COL rightwards, a merged cell counting as one."""
    columns: list[int] = []
    column = col
    while len(columns) < width:
        if not isinstance(sheet.cell(row=top, column=column), MergedCell):
            columns.append(column)
        column += 1
    return columns


def put(cell: Any, value: Any) -> None:
    """A figure into a cell of the template: numbers as numbers, text always text (openpyxl would make text that
    starts with `=` a formula; zhizhi.cells says why that must not happen)."""
    if isinstance(value, str):
        value = sheet_text(value)
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
        elif column not in filled and isinstance(source.value, ArrayFormula) and source.value.ref == source.coordinate:
            text = Translator(source.value.text or "", origin=source.coordinate).translate_formula(target.coordinate)
            target.value = ArrayFormula(target.coordinate, text)
    sheet.row_dimensions[row].height = sheet.row_dimensions[template[min(template)].row].height
    sheet.row_dimensions[row].hidden = sheet.row_dimensions[template[min(template)].row].hidden


def _shift_below(book: Workbook, sheet: Worksheet, top: int, extra: int) -> None:
    """Insert `extra` rows under row `top`, keeping every reference to the sheet pointing where it pointed."""
    # a merge within the template row stays one row high (each filled row gets its own); others move or grow
    merged = [str(r) for r in sheet.merged_cells.ranges if not r.min_row == r.max_row == top]
    for ref in merged:
        sheet.unmerge_cells(ref)
    sheet.insert_rows(top + 1, extra)
    _move_row_dimensions(sheet, top, extra)
    for other in book.worksheets:
        for row in other.iter_rows():
            for cell in row:
                _shift_cell(cell, sheet, top, extra, here=other is sheet)
        _shift_rules(other, sheet.title, top, extra, here=other is sheet)
    for ref in merged:
        sheet.merge_cells(shift_formula(ref, top, extra))
    for scope in [book.defined_names, *(s.defined_names for s in book.worksheets)]:
        for defined in scope.values():
            defined.attr_text = shift_formula(defined.attr_text, top, extra, sheet=sheet.title, here=False)
    _shift_areas(sheet, top, extra)
    for other in [*book.worksheets, *book.chartsheets]:  # a chart on a sheet of its own (图表工作表) too
        _shift_charts(other, sheet.title, top, extra)
    _shift_drawings(sheet, top, extra)


def _shift_cell(cell: Any, sheet: Worksheet, top: int, extra: int, *, here: bool) -> None:
    """A cell's formula (an array formula's too, and the cells it spans) and its hyperlink moved with the rows of
    SHEET; HERE: the cell is on SHEET."""
    # the table row's own formulas (`=SUM(C5:D5)`) are carried to each filled row by _copy_row
    grow = not (here and cell.row == top)
    if isinstance(cell.value, str) and cell.data_type == "f":
        cell.value = shift_formula(cell.value, top, extra, sheet=sheet.title, here=here, grow=grow)
    elif isinstance(cell.value, ArrayFormula):  # {=SUM(C5:C5*D5:D5)}: openpyxl moves the cell, not what it holds
        formula = cell.value
        formula.text = shift_formula(formula.text or "", top, extra, sheet=sheet.title, here=here, grow=grow)
        if here:
            formula.ref = shift_formula(formula.ref, top, extra, grow=False)
    link = cell.hyperlink
    if link is not None:  # openpyxl writes a link where it was read, not where its cell now is
        link.ref = cell.coordinate
        if link.location:  # a link within the workbook (`明细!A7`)
            link.location = shift_formula(link.location, top, extra, sheet=sheet.title, here=here)


def _shift_rules(other: Worksheet, table_sheet: str, top: int, extra: int, *, here: bool) -> None:
    """The formulas of OTHER's conditional formats (`$C$7>100`) and data validations (a list from `$F$9:$F$12`)
    moved with the rows of TABLE_SHEET; their ranges move in _shift_areas."""
    for target in other.conditional_formatting:
        for rule in target.rules:
            rule.formula = [shift_formula(f, top, extra, sheet=table_sheet, here=here) for f in rule.formula or []]
    for validation in other.data_validations.dataValidation:
        for attribute in ("formula1", "formula2"):
            if value := getattr(validation, attribute):
                setattr(validation, attribute, shift_formula(value, top, extra, sheet=table_sheet, here=here))


def _move_row_dimensions(sheet: Worksheet, top: int, extra: int) -> None:
    """Heights, hidden rows and outline levels below row `top` moved down with their rows (openpyxl's insert_rows
    leaves them where they were: a footer would lose its height to the data row taking its place)."""
    dimensions = sheet.row_dimensions
    for row in sorted((r for r in dimensions if r > top), reverse=True):  # the lowest last: none overwritten
        moved = copy(dimensions[row])
        moved.index = row + extra
        dimensions[row + extra] = moved
        del dimensions[row]


def _shift_charts(sheet: Worksheet | Chartsheet, table_sheet: str, top: int, extra: int) -> None:
    """The references of SHEET's charts into TABLE_SHEET moved with its rows; a series over the table row (a
    single cell `'明细'!$C$5` or a range ending on it) grown to every row filled."""
    for chart in sheet._charts:
        for series in chart.series:
            if series.tx is not None and series.tx.strRef is not None:  # its title: moved, never grown
                series.tx.strRef.f = shift_formula(series.tx.strRef.f, top, extra, sheet=table_sheet, here=False)
            for ref in _data_refs(series):
                if ref.f:
                    grown = shift_formula(_as_range(ref.f), top, extra, sheet=table_sheet, here=False)
                    ref.f = re.sub(rf"!({_CELL}):\1$", r"!\1", grown)  # a lone cell that did not grow stays one


def _data_refs(series: Any) -> list[Any]:
    """The formula holders of a chart series' data: categories (or x values) and values (or y values)."""
    refs = []
    for data in (series.cat, series.val, series.xVal, series.yVal):
        if data is not None:
            refs += [data.numRef, data.strRef] if hasattr(data, "strRef") else [data.numRef]
    return [ref for ref in refs if ref is not None]


def _as_range(formula: str) -> str:
    """A lone cell reference (`'明细'!$C$5`) as a one-cell range (`'明细'!$C$5:$C$5`), so it can grow."""
    return re.sub(rf"^((?:{_SHEET})!)({_CELL})$", r"\1\2:\2", formula)


def _shift_drawings(sheet: Worksheet, top: int, extra: int) -> None:
    """Charts and pictures anchored below row `top` moved down with the rows (openpyxl leaves them in place, over
    the rows filled)."""
    for drawing in [*sheet._charts, *sheet._images]:
        anchor = drawing.anchor
        if isinstance(anchor, str):  # a cell (`H12`): a drawing added but not saved yet
            drawing.anchor = shift_formula(anchor, top, extra)
            continue
        for marker in (getattr(anchor, "_from", None), getattr(anchor, "to", None)):
            if marker is not None and marker.row + 1 > top:  # a marker's row counts from 0
                marker.row += extra


def _shift_areas(sheet: Worksheet, top: int, extra: int) -> None:
    """The print area, Excel tables, filters, conditional formats and data validations of SHEET moved with its rows
    (a total printed or coloured where it now is)."""
    if sheet.print_area:
        areas = [re.sub(r"^.*!", "", part) for part in sheet.print_area.split(",")]
        sheet.print_area = [shift_formula(area, top, extra) for area in areas]
    for table in sheet.tables.values():  # an Excel table (套用表格格式) holding the table row takes every row filled
        table.ref = _shift_cells(table.ref, top, extra)
        if table.autoFilter is not None:
            table.autoFilter.ref = table.ref
    for brk in sheet.row_breaks.brk:  # a page break set below the table (before the signature block)
        if brk.id >= top:
            brk.id += extra
    if sheet.auto_filter.ref:
        sheet.auto_filter.ref = _shift_cells(sheet.auto_filter.ref, top, extra)
    formats = sheet.conditional_formatting
    moved = ConditionalFormattingList()
    for target in formats:
        for rule in target.rules:
            moved.add(_shift_cells(str(target.sqref), top, extra), rule)
    sheet.conditional_formatting = moved
    for validation in sheet.data_validations.dataValidation:
        validation.sqref = MultiCellRange(_shift_cells(str(validation.sqref), top, extra))


def _shift_cells(ranges: str, top: int, extra: int) -> str:
    """Space-separated ranges (`D7 A5:A9`), each moved, and grown to the filled rows when it ends on the table row
    (a validation of the one template cell `D5` holds for every row filled)."""
    spans = (part if ":" in part else f"{part}:{part}" for part in ranges.split())
    moved = (shift_formula(span, top, extra).split(":") for span in spans)
    return " ".join(start if start == end else f"{start}:{end}" for start, end in moved)


def shift_formula(
    formula: str, top: int, extra: int, *, sheet: str | None = None, here: bool = True, grow: bool = True
) -> str:
    """References to SHEET below row `top` moved down `extra` rows; a range ending on row `top` grown to hold them.

    Args:
        sheet: the sheet whose rows moved; references naming another sheet stay.
        here: whether FORMULA is on that sheet, so that references naming no sheet are to it.
        grow: whether a range ending on row `top` grows; not for a formula of the table row itself, which is
            copied to each filled row instead.
    """

    def move(match: re.Match[str]) -> str:
        named = match["sheet"]
        if (named is None and not here) or (named is not None and _unquote(named) != sheet):
            return match.group(0)
        prefix = f"{named}!" if named else ""
        start = _moved(match["a"], top, extra, ends_range=False)
        end = f":{_moved(match['b'], top, extra, ends_range=grow)}" if match["b"] else ""
        return prefix + start + end

    return _REF.sub(move, formula)


def _moved(cell: str, top: int, extra: int, *, ends_range: bool) -> str:
    parts = _PARTS.fullmatch(cell)
    assert parts is not None
    number = int(parts[2])
    if number > top or (number == top and ends_range):
        number += extra
    return f"{parts[1]}{number}"


def _unquote(name: str) -> str:
    return name[1:-1].replace("''", "'") if name.startswith("'") else name

