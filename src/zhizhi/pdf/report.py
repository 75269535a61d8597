"""A simple A4 report as PDF: a title, subtitle lines, captioned tables and a footer, in Chinese or English."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from fpdf import FPDF, FontFace
from fpdf.enums import Align, TableCellFillMode

from zhizhi.pdf.fonts import FONT_FAMILY, add_font, printable

Cell = str | int | float | Decimal | None
Table = tuple[str, Sequence[str], Sequence[Sequence[Cell]]]

# The last page keeps this much room (mm) above the footer for a seal (zhizhi.seals places it there).
SEAL_ROOM_MM = 62.0
MARGIN_MM = 18.0
HEADER_FILL = (232, 236, 242)
STRIPE_FILL = (247, 248, 250)


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
    pdf.footer_text = footer
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_creator("zhizhi")
    pdf.set_lang("zh-CN")
    if created is not None:
        pdf.set_creation_date(created)
    pdf.add_page()
    _heading(pdf, title, subtitle)
    for caption, header, rows in tables:
        _table(pdf, caption, header, rows)
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


def _table(pdf: FPDF, caption: str, header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> None:
    if caption:
        pdf.set_font(FONT_FAMILY, size=12)
        pdf.multi_cell(0, 8, printable(caption), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, size=9)
    aligns = tuple(Align.R if _numeric(rows, i) else Align.L for i in range(len(header)))
    with pdf.table(
        headings_style=FontFace(fill_color=HEADER_FILL),
        cell_fill_color=STRIPE_FILL,
        cell_fill_mode=TableCellFillMode.ROWS,
        text_align=aligns or Align.L,
        line_height=6,
        repeat_headings=1,
    ) as table:
        table.row([printable(str(name)) for name in header])
        for row in rows:
            table.row([_text(value) for value in row])
    pdf.ln(5)


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
