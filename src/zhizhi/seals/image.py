"""The picture of a department's seal: a red ring, its Chinese name around the top edge and a star, as vector PDF.

Drawn with the font zhizhi ships, so no image file or system font is needed; the signed PDF shows it as the
visible appearance of the seal.
"""

from __future__ import annotations

import math

from fpdf import FPDF

from zhizhi.pdf import FONT_FAMILY, add_font, printable

SIZE_MM = 42.0
RING_RADIUS_MM = SIZE_MM / 2 - 6.4
"""Where the name's characters stand, from the centre."""
RED = (214, 24, 32)
LABEL = "电子印章"
MOST_SPAN = 280.0
"""The most of the ring, in degrees, a long name is spread over (its ends stay above the label)."""
SMALLEST_PT = 6.5
"""Under this size a name's characters are narrowed instead of made smaller."""


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
    _ring_text(pdf, name, centre, radius=RING_RADIUS_MM)
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


def ring_layout(count: int, radius: float) -> tuple[float, float, float, float]:
    """How `count` characters go round a ring of `radius` mm: (span and step in degrees, size in pt, stretching in
    percent). Up to 280 degrees, each character as large as its share of the arc allows (11 pt at most), narrowed
    (长体, as seal engravers do) when a long name would otherwise go under 6.5 pt: no two characters overlap."""
    if count < 2:
        return 0.0, 0.0, 11.0, 100.0
    span = min(MOST_SPAN, 27.0 * (count - 1))
    step = span / (count - 1)
    fits_pt = radius * math.radians(step) * 0.8 * 72 / 25.4  # a Chinese character is as wide as its size
    size_pt = min(11.0, max(SMALLEST_PT, fits_pt))
    return span, step, size_pt, min(100.0, 100.0 * fits_pt / size_pt)


def _ring_text(pdf: FPDF, text: str, centre: float, radius: float) -> None:
    """Each character upright towards the rim, spread clockwise over the top of the ring (`ring_layout`)."""
    chars = [c for c in printable(text) if not c.isspace()] or ["?"]
    span, step, size_pt, stretching = ring_layout(len(chars), radius)
    pdf.set_font(FONT_FAMILY, size=size_pt)
    pdf.set_stretching(stretching)
    height_mm = size_pt * 25.4 / 72
    for index, char in enumerate(chars):
        theta = 90 + span / 2 - index * step
        x = centre + radius * math.cos(math.radians(theta))
        y = centre - radius * math.sin(math.radians(theta))
        with pdf.rotation(theta - 90, x, y):
            pdf.text(x - pdf.get_string_width(char) / 2, y + height_mm * 0.36, char)
    pdf.set_stretching(100.0)
