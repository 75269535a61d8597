"""PDF rendering with Chinese text: the shipped CJK font and a simple A4 report layout.

`report_pdf(title, subtitle, tables, footer)` returns the bytes of a report; `zhizhi.seals.sign_pdf` seals them.
"""

from __future__ import annotations

from zhizhi.pdf.fonts import FONT_FAMILY, MISSING_MARK, add_font, covers, font_path, missing_characters, printable
from zhizhi.pdf.report import SEAL_ROOM_MM, Table, report_pdf

__all__ = [
    "FONT_FAMILY",
    "MISSING_MARK",
    "SEAL_ROOM_MM",
    "Table",
    "add_font",
    "covers",
    "font_path",
    "missing_characters",
    "printable",
    "report_pdf",
]
