"""The CJK font zhizhi ships, so its PDFs render Chinese on a machine with no fonts installed."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fpdf import FPDF

FONT_FAMILY = "NotoSansSC"
FONT_FILE = "NotoSansSC-zhizhi.ttf"
LICENSE_FILE = "OFL.txt"


def font_path() -> Path:
    """The path of the shipped subset of Noto Sans CJK SC (GBK, ASCII, CJK punctuation; OFL 1.1)."""
    return Path(str(resources.files("zhizhi.pdf") / "fonts" / FONT_FILE))


def covers(text: str) -> bool:
    """Whether every character of TEXT has a glyph in the shipped font (whitespace aside)."""
    return not missing_characters(text)


def missing_characters(text: str) -> list[str]:
    """The characters of TEXT the shipped font has no glyph for, in order of first appearance."""
    cmap = _cmap()
    seen: dict[str, None] = {}
    for char in text:
        if not char.isspace() and ord(char) not in cmap:
            seen.setdefault(char)
    return list(seen)


MISSING_MARK = "〓"  # the typesetter's mark for a character the font lacks (a geta), in place of a silent blank


def printable(text: str) -> str:
    """TEXT with each character the shipped font lacks replaced by MISSING_MARK, so none vanishes unseen."""
    missing = set(missing_characters(text))
    return "".join(MISSING_MARK if char in missing else char for char in text) if missing else text


def add_font(pdf: FPDF) -> None:
    """Register the shipped font on PDF under FONT_FAMILY (once per document)."""
    if FONT_FAMILY.lower() not in pdf.fonts:
        pdf.add_font(FONT_FAMILY, fname=str(font_path()))


_CMAP: set[int] = set()


def _cmap() -> set[int]:
    if not _CMAP:
        from fontTools.ttLib import TTFont

        with TTFont(font_path(), lazy=True) as font:
            _CMAP.update(font.getBestCmap())
    return _CMAP
