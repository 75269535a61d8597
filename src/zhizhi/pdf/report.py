"""A simple A4 report as PDF: a title, subtitle lines, captioned tables and a footer, in Chinese or English.

A table too wide for portrait A4 goes on landscape pages, in a smaller font if it must: each number column is as
wide as its widest figure, so a figure is never broken across lines; a table too wide even then is refused. A text
too long for a row of ROW_SHARE of a page (a complaint's text as a group's label) is cut there and ends in `…`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from fpdf import FPDF, FontFace
from fpdf.enums import Align, MethodReturnValue, TableCellFillMode

from zhizhi.errors import ConfigError
from zhizhi.pdf.fonts import FONT_FAMILY, add_font, printable

Cell = str | int | float | Decimal | None
Table = tuple[str, Sequence[str], Sequence[Sequence[Cell]]]

# The last page keeps this much room (mm) above the footer for a seal (zhizhi.seals places it there).
SEAL_ROOM_MM = 62.0
MARGIN_MM = 18.0
HEADER_FILL = (232, 236, 242)
STRIPE_FILL = (247, 248, 250)
# Page and font tried in turn until every table fits: A4 width (mm), side margins (mm) and font size (pt).
LAYOUTS = (("portrait", 210.0, MARGIN_MM, 9.0), ("landscape", 297.0, 12.0, 9.0), ("landscape", 297.0, 12.0, 8.0),
           ("landscape", 297.0, 12.0, 7.0), ("landscape", 297.0, 12.0, 6.0))  # fmt: skip
TEXT_MIN = "三个字"  # a text column keeps room for this much on a line
NUMBER_MIN = "户数"  # a number column, for this much of its heading
BORDER_MM = 0.4  # a cell's borders, and a little to spare for rounding
ROW_SHARE = 0.4  # a row takes at most this share of a page: a longer text is cut (fpdf cannot split a row)
CUT_MARK = "…"


def _padding(font_size: float) -> float:
    """A cell's padding left and right (mm), smaller in a smaller font."""
    return font_size / 12


@dataclass(frozen=True)
class Layout:
    """How the tables are printed: the pages' orientation, the font size, and each table's column widths (mm)."""

    orientation: str
    margin: float
    font_size: float
    widths: list[list[float]]


class _ReportPdf(FPDF):
    """FPDF with the report's footer on every page: the footer text and 第 n 页 / 共 N 页."""

    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT_FAMILY, size=8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, printable(self.footer_text), align=Align.L)
        self.set_x(self.l_margin)
        self.cell(0, 5, f"第 {self.page_no()} 页 / 共 {{nb}} 页", align=Align.R)


def report_pdf(
    title: str,
    subtitle: Sequence[str] = (),
    tables: Sequence[Table] = (),
    footer: str = "",
    *,
    created: datetime | None = None,
    author: str = "",
) -> bytes:
    """Render a report as an A4 PDF whose Chinese text is drawn with the shipped font.

    Args:
        title: the heading of the first page (and the PDF's title).
        subtitle: lines under the title (period, issuing department, the data's snapshot time...).
        tables: `(caption, header, rows)` each; numbers are right-aligned, None prints as an empty cell.
        footer: text at the foot of every page, beside the page number.
        created: the creation date written into the PDF; pass the run's time for reproducible bytes.
        author: the PDF's author field (the issuing department).
    """
    pdf = _ReportPdf(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(True, margin=MARGIN_MM)
    add_font(pdf)
    layout = table_layout(pdf, tables)
    pdf.footer_text = footer
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_creator("zhizhi")
    pdf.set_lang("zh-CN")
    if created is not None:
        pdf.set_creation_date(created)
    pdf.set_margins(layout.margin, MARGIN_MM, layout.margin)
    pdf.add_page(orientation=layout.orientation)
    _heading(pdf, title, subtitle)
    for (caption, header, rows), widths in zip(tables, layout.widths, strict=True):
        _table(pdf, caption, header, rows, widths, layout.font_size)
    if pdf.h - pdf.b_margin - pdf.get_y() < SEAL_ROOM_MM:
        pdf.add_page()
    return bytes(pdf.output())


def _heading(pdf: FPDF, title: str, subtitle: Sequence[str]) -> None:
    pdf.set_font(FONT_FAMILY, size=17)
    pdf.multi_cell(0, 9, printable(title), align=Align.C, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(FONT_FAMILY, size=10)
    pdf.set_text_color(70, 70, 70)
    for line in subtitle:
        pdf.multi_cell(0, 6, printable(line), align=Align.C, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(4)


def table_layout(pdf: FPDF, tables: Sequence[Table]) -> Layout:
    """The first of LAYOUTS on which every table fits with each figure on one line, or an error saying how wide."""
    for orientation, page_width, margin, size in LAYOUTS:
        room = page_width - 2 * margin
        pdf.set_font(FONT_FAMILY, size=size)
        least = [_least_widths(pdf, header, rows) for _, header, rows in tables]
        if all(sum(widths) <= room for widths in least):
            return Layout(orientation, margin, size, [_spread(widths, room, rows) for widths, (_, _, rows) in
                                                      zip(least, tables, strict=True)])  # fmt: skip
    columns = max((len(header) for _, header, _ in tables), default=0)
    raise ConfigError(
        f"The report's table has {columns} columns: too wide to print on landscape A4 even in a "
        f"{LAYOUTS[-1][3]:g}-point font. Leave out some measures or group keys, or split it into two reports; the "
        "CSV and Excel outputs hold every column.",
        zh=f"报表的表格有 {columns} 列，即使横向 A4、{LAYOUTS[-1][3]:g} 磅字号也无法打印。请减少指标或分组，或拆成两张"
        "报表；CSV 和 Excel 格式包含全部列。",
    )


def _least_widths(pdf: FPDF, header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> list[float]:
    """Each column's least width (mm): a number column its widest figure, a text column a few characters."""
    widths = []
    for index in range(len(header)):
        texts = [_text(row[index]) for row in rows if index < len(row)]
        widest = max((pdf.get_string_width(text) for text in texts), default=0.0)
        if _numeric(rows, index):
            widest = max(widest, pdf.get_string_width(NUMBER_MIN))
        else:
            widest = max(min(widest, pdf.get_string_width(TEXT_MIN)), pdf.get_string_width(TEXT_MIN[:2]))
        widths.append(widest + 2 * _padding(pdf.font_size_pt) + BORDER_MM)
    return widths


def _spread(least: list[float], room: float, rows: Sequence[Sequence[Cell]]) -> list[float]:
    """The least widths with the room left over shared among the text columns (among all when none is text)."""
    texts = [i for i in range(len(least)) if not _numeric(rows, i)] or list(range(len(least)))
    extra = (room - sum(least)) / len(texts) if texts else 0.0
    return [width + extra if i in texts else width for i, width in enumerate(least)]


def _table(
    pdf: FPDF, caption: str, header: Sequence[str], rows: Sequence[Sequence[Cell]], widths: list[float],
    font_size: float,
) -> None:  # fmt: skip
    if caption:
        pdf.set_font(FONT_FAMILY, size=12)
        pdf.multi_cell(0, 8, printable(caption), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, size=font_size)
    aligns = tuple(Align.R if _numeric(rows, i) else Align.L for i in range(len(header)))
    with pdf.table(
        width=sum(widths),
        col_widths=tuple(widths),
        padding=(0, _padding(font_size)),
        headings_style=FontFace(fill_color=HEADER_FILL),
        cell_fill_color=STRIPE_FILL,
        cell_fill_mode=TableCellFillMode.ROWS,
        text_align=aligns or Align.L,
        line_height=font_size * 2 / 3,
        repeat_headings=1,
    ) as table:
        most = _most_lines(pdf, font_size)
        table.row([_fitted(pdf, printable(str(name)), width, most) for name, width in zip(header, widths, strict=True)])
        for row in rows:
            table.row([_fitted(pdf, _text(value), width, most) for value, width in zip(row, widths, strict=False)])
    pdf.ln(5)


def _most_lines(pdf: FPDF, font_size: float) -> int:
    """How many lines of a cell fit in ROW_SHARE of a page's printable height."""
    return max(1, int(pdf.eph * ROW_SHARE // (font_size * 2 / 3)))


def _fitted(pdf: FPDF, text: str, width: float, most: int) -> str:
    """TEXT, or its longest start that fits MOST lines of a cell WIDTH mm wide, ending in CUT_MARK: fpdf cannot
    break a row across pages and refuses one taller than a page."""

    def fits(candidate: str) -> bool:
        room = width - 2 * _padding(pdf.font_size_pt) - BORDER_MM
        lines = pdf.multi_cell(room, 1, candidate, dry_run=True, output=MethodReturnValue.LINES)
        return isinstance(lines, list) and len(lines) <= most

    if len(text) < most or fits(text):  # a line holds at least one character
        return text
    low, high = 0, len(text)  # the longest start that fits lies in [low, high)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if fits(text[:middle] + CUT_MARK) else (low, middle)
    return text[:low].rstrip() + CUT_MARK


def _numeric(rows: Sequence[Sequence[Cell]], index: int) -> bool:
    """A column is numeric when every value in it is a number or empty, and at least one is a number."""
    values = [row[index] for row in rows if index < len(row) and row[index] is not None]
    return bool(values) and all(isinstance(v, int | float | Decimal) and not isinstance(v, bool) for v in values)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)
