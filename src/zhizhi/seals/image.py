"""The picture of a department's seal: a red ring, its Chinese name around the top edge and a star, as vector PDF.

Drawn with the font zhizhi ships, so no image file or system font is needed; the signed PDF shows it as the
visible appearance of the seal.
"""

from __future__ import annotations

import math

from fpdf import FPDF

from zhizhi.pdf import FONT_FAMILY, add_font, printable

SIZE_MM = 42.0
RED = (214, 24, 32)
LABEL = "电子印章"


def seal_image_pdf(name: str, label: str = LABEL) -> bytes:
    """A one-page PDF, SIZE_MM square, with the seal of NAME (e.g. 柳州市市场监督管理局)."""
    pdf = FPDF(unit="mm", format=(SIZE_MM, SIZE_MM))
    pdf.set_margins(0, 0, 0)
    pdf.set_auto_page_break(False)
    pdf.set_creator("zhizhi")
    add_font(pdf)
    pdf.add_page()
    centre = SIZE_MM / 2
    pdf.set_draw_color(*RED)
    pdf.set_fill_color(*RED)
    pdf.set_text_color(*RED)
    pdf.set_line_width(1.3)
    pdf.circle(centre, centre, centre - 1.2)
    _star(pdf, centre, centre, 6.2)
    _ring_text(pdf, name, centre, radius=centre - 6.4)
    pdf.set_font(FONT_FAMILY, size=7)
    pdf.set_xy(0, centre + 8.5)
    pdf.cell(SIZE_MM, 3, label, align="C")
    return bytes(pdf.output())


def _star(pdf: FPDF, x: float, y: float, outer: float) -> None:
    inner = outer * 0.382
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = math.radians(90 + i * 36)
        points.append((x + radius * math.cos(angle), y - radius * math.sin(angle)))
    pdf.polygon(points, style="F")


def _ring_text(pdf: FPDF, text: str, centre: float, radius: float) -> None:
    """Each character upright towards the rim, spread clockwise over the top of the ring."""
    chars = [c for c in printable(text) if not c.isspace()] or ["?"]
    count = len(chars)
    size_pt = 11.0 if count <= 10 else max(6.5, 11.0 * 10 / count)
    span = min(250.0, 27.0 * (count - 1)) if count > 1 else 0.0
    step = span / (count - 1) if count > 1 else 0.0
    pdf.set_font(FONT_FAMILY, size=size_pt)
    height_mm = size_pt * 25.4 / 72
    for index, char in enumerate(chars):
        theta = 90 + span / 2 - index * step
        x = centre + radius * math.cos(math.radians(theta))
        y = centre - radius * math.sin(math.radians(theta))
        with pdf.rotation(theta - 90, x, y):
            pdf.text(x - pdf.get_string_width(char) / 2, y + height_mm * 0.36, char)
