"""A row under the header that numbers the columns, as Chinese government forms print one: 甲 乙 丙 丁, 1 2 3 4,
（1）（2）（3）, A B C, ①②③, 一 二 三, after a label such as 栏次 in the first column, or 甲 乙 then 1 2 3 (the
description columns lettered, the figures numbered). It is no record: the readers skip it as `column_numbers`.

A data row of small numbers is not taken for one: every filled cell must be an ordinal, in sequence from the first
(1, or the column's own place), across at least three cells and more than half of the header's columns; stems then
numbers need two stems or three numbers (甲 1 2 may be a record).
"""

from __future__ import annotations

import re
import unicodedata

MIN_CELLS = 3
LABELS = frozenset({"栏次", "栏号", "栏目", "列次", "列号", "列序", "行次", "行号", "序号", "编号"})
STEMS = "甲乙丙丁戊己庚辛壬癸"  # the heavenly stems, the forms' letters for their description columns
_DIGITS = {c: n for n, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "两": 2}
_WORDS = frozenset(STEMS) | set(_DIGITS) | {"十"}  # read below as stems and Chinese numbers, not as symbols
_WRAPPED = re.compile(r"^[(\[<{（【〔《「]?(?:第)?(.+?)(?:栏|列)?[)\]>}）】〕》」]?[.、．]?$")


def ordinal(cell: str) -> tuple[str, int] | None:
    """The family (`arabic`, `stem`, `letter`, `chinese`, `symbol`) and number of a cell that is a column's
    ordinal (`3`, `（3）`, `第3栏`, `丙`, `C`, `三`, `③`), else None."""
    text = "".join(cell.split())
    if len(text) == 1 and not text.isascii() and not "０" <= text <= "９" and text not in _WORDS:
        value = unicodedata.numeric(text, None)  # ① ⑴ ⒈ Ⅲ: one character each, whatever their form
        if value is not None and value.is_integer() and value > 0:
            return "symbol", int(value)
    match = _WRAPPED.match(unicodedata.normalize("NFKC", text))
    if match is None:
        return None
    core = match.group(1)
    if core.isascii() and core.isdigit() and len(core) <= 3:
        return "arabic", int(core)
    if len(core) == 1 and core in STEMS:
        return "stem", STEMS.index(core) + 1
    if core.isascii() and core.isalpha() and len(core) <= 2 and (core.isupper() or core.islower()):
        number = 0
        for letter in core.upper():  # A .. Z, AA, AB as a spreadsheet names its columns
            number = number * 26 + ord(letter) - 64
        return "letter", number
    counted = _chinese(core)
    return ("chinese", counted) if counted else None


def _chinese(text: str) -> int | None:
    """一 .. 九十九 written as forms write them (十, 十二, 二十, 二十三), else None."""
    if not text or len(text) > 3 or any(c not in _DIGITS and c != "十" for c in text):
        return None
    if "十" not in text:
        return _DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return None
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)


def is_column_numbers(cells: list[str], width: int) -> bool:
    """Whether a row is the header's column numbers: see the module's docstring."""
    filled = [(place, cell.strip()) for place, cell in enumerate(cells) if cell.strip()]
    label = 1 if filled and filled[0][0] == 0 and "".join(filled[0][1].split()) in LABELS else 0
    numbered = []
    for place, cell in filled[label:]:
        found = ordinal(cell)
        if found is None:
            return False
        numbered.append((place, *found))
    if len(numbered) < MIN_CELLS or 2 * (len(numbered) + label) <= width:
        return False
    runs: list[list[tuple[int, str, int]]] = []
    for item in numbered:
        if runs and runs[-1][-1][1] == item[1]:
            runs[-1].append(item)
        else:
            runs.append([item])
    if len(runs) > 2 or (len(runs) == 2 and runs[0][0][1] != "stem"):
        return False  # one family, or the stems of the description columns and then the figures' numbers
    if len(runs) == 2 and len(runs[0]) < 2 and len(runs[1]) < MIN_CELLS:
        return False  # 甲 1 2 is as likely a record (a firm called 甲, two counts) as the numbers of three columns
    return all(_in_sequence(run) for run in runs)


def _in_sequence(run: list[tuple[int, str, int]]) -> bool:
    first_place, _, first = run[0]
    if first not in (1, first_place + 1):
        return False
    # the next number, or the number of the next column when blank cells between them hold none
    return all(b[2] - a[2] in (1, b[0] - a[0]) for a, b in zip(run, run[1:], strict=False))
