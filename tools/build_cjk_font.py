"""Rebuild the CJK font zhizhi ships for its PDFs: a subset of Noto Sans CJK SC (SIL Open Font License 1.1).

    python tools/build_cjk_font.py [SOURCE] [--out src/zhizhi/pdf/fonts/NotoSansSC-zhizhi.ttf]

SOURCE defaults to Debian's fonts-noto-cjk file `/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc`, whose
Simplified Chinese face is taken; a single-face `NotoSansCJKsc-Regular.otf` from the Noto CJK releases works too.
The subset keeps every character of GBK (GB 2312's 6,763 hanzi and symbols, and the 14,240 more hanzi of GBK that
names of people, firms and places use: 喆, 堃, 昇 ...), printable ASCII, Latin-1, the CJK punctuation block and the
full-width forms, so report text and seal names render on a machine with no fonts. Characters outside it (the CJK
extensions, such as 𠀀) print as blanks: add them to EXTRA below and rerun.

The outlines are converted from CFF to TrueType (quadratic, within 1 unit of 1,000 per em): PDF writers then embed
the font as CIDFontType2 with Identity-H encoding, which every text extractor (pdfminer, pdftotext, viewers' copy
and search) reads back; a CFF font would be embedded with a custom CMap that some extractors cannot read.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

DEFAULT_SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "src/zhizhi/pdf/fonts/NotoSansSC-zhizhi.ttf"
FACE = "Noto Sans CJK SC"
# Characters outside GBK that zhizhi's own texts use (names of places and firms, marks in reports).
EXTRA = "〇㎡℃№·—‘’“”…※★☆●○■□▲△◆◇→←↑↓√×÷±≤≥≠∶・﹏￥"


def gbk_characters() -> set[str]:
    """Every character GBK encodes (lead bytes 0x81-0xFE, trail bytes 0x40-0xFE); GB 2312 is a part of it."""
    chars: set[str] = set()
    for high in range(0x81, 0xFF):
        for low in range(0x40, 0xFF):
            try:
                chars.add(bytes([high, low]).decode("gbk"))
            except UnicodeDecodeError:
                continue
    return chars


def wanted_codepoints() -> set[int]:
    """The code points the subset covers."""
    points = {ord(c) for c in gbk_characters() | set(EXTRA)}
    points |= set(range(0x20, 0x7F)) | set(range(0xA0, 0x100))  # ASCII, Latin-1
    points |= set(range(0x2010, 0x2070))  # general punctuation
    points |= set(range(0x3000, 0x3040))  # CJK symbols and punctuation
    points |= set(range(0xFF01, 0xFF5F)) | set(range(0xFFE0, 0xFFE7))  # full-width forms
    return points


def open_face(source: Path) -> TTFont:
    """The Simplified Chinese face of a collection, or the font itself."""
    if source.suffix.lower() != ".ttc":
        return TTFont(source)
    for font in TTCollection(source).fonts:
        if font["name"].getDebugName(4) == FACE:
            return font
    raise SystemExit(f"no face `{FACE}` in {source}")


def build(source: Path, out: Path) -> int:
    """Write the subset to OUT and return its size in bytes."""
    font = open_face(source)
    options = subset.Options()
    options.layout_features = []  # zhizhi's PDFs are set horizontally from the cmap; alternates would double the size
    options.name_IDs = ["*"]  # keeps the copyright and licence records the OFL asks for
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False  # PDF viewers don't use CFF hints for on-screen text at this size
    options.desubroutinize = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted_codepoints())
    subsetter.subset(font)
    to_truetype(font)
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(out)
    return out.stat().st_size


def to_truetype(font: TTFont, max_error: float = 1.0) -> None:
    """Replace the CFF outlines of FONT by TrueType ones (cubic curves approximated by quadratic ones)."""
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, max_error, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"], font["loca"] = glyf, newTable("loca")
    font["head"].glyphDataFormat = 0
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1  # the other maxp fields are recomputed from the glyphs when the font is saved
    for field in (
        "maxPoints maxContours maxCompositePoints maxCompositeContours maxTwilightPoints maxStorage "
        "maxFunctionDefs maxInstructionDefs maxStackElements maxSizeOfInstructions maxComponentElements "
        "maxComponentDepth"
    ).split():
        setattr(maxp, field, 0)
    font["post"].formatType = 3.0  # no glyph names: they are not needed in a PDF and cost 150 kB
    for table in ("CFF ", "VORG"):
        if table in font:
            del font[table]
    font.sfntVersion = "\000\001\000\000"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", default=DEFAULT_SOURCE, type=Path)
    parser.add_argument("--out", default=DEFAULT_OUT, type=Path)
    args = parser.parse_args()
    size = build(args.source, args.out)
    print(f"wrote {args.out} ({size / 1e6:.2f} MB, {len(wanted_codepoints())} code points)")


if __name__ == "__main__":
    main()
