"""Spreadsheet artefacts in identifiers: what office software adds to keep a long number as text, or does to the
number when nothing stops it, recognised and undone where that needs no guess.

| artefact | looks like | undone to |
| --- | --- | --- |
| `apostrophe` | `'91450200MA5K...` (Excel's mark for "this number is text") | the value after it |
| `tab` | a tab before or after the value (exports add one so Excel keeps the digits) | the value without it |
| `text_formula` | `="0772-2812345"` (Excel's text formula) | what the quotes hold |
| `nbsp` | a non-breaking or full-width space | an ordinary space |
| `zero_width` | a zero-width space or joiner, a word joiner, a byte-order mark | nothing |
| `decimal` | `450202.0`: digits with a trailing `.0` (the value was a floating-point number) | the digits |
| `scientific` | `1.23456789012345E+14`, `9.14502E+17` | the digits, only when all of them are there |
| `thousands` | `13,877,212,345`: a number shown with thousands separators (a `#,##0` cell saved as text) | the digits |

Decisions:
- Only identifier fields (`Field.is_identifier`), dates and listed words (`enum`) are looked at: an export that
  marks cells as text marks those too (`'2021-07-08`, `="存续"`); in a name or an address these characters are text.
- A value is repaired only when the repair is certain. A number in scientific notation whose mantissa does not
  show every digit (`9.14502E+17` is 914502 followed by twelve digits nobody knows) has lost digits, and so has a
  number of 16 or more digits that passed through a spreadsheet's number (`4.50202199001011E+17`,
  `450202199001011000.0`, `450,202,199,001,111,000`, `1450202000000061.0`): a spreadsheet keeps 15 significant
  digits (and past 2^53 a float cannot hold every integer), so its last digits may be wrong even when shown. Those
  values are refused (`lost`), never rounded back into something that looks valid.
- Leading zeros that a spreadsheet dropped (`772-2812345` for `0772-2812345`) are not put back: which zeros were
  there is a guess. The field's own checks report the value. (A workbook's number cell under a format of zeros,
  `0000`, is read with the zeros it shows: see `read.excel_reader.padding`.)
- A value that is nothing but artefacts (a lone `'`) is blank, with no artefact to report.
- Thousands separators are undone only with two or more of them (seven digits and more): `450,202` may be a division
  code shown as a number or two codes in a list, and is left to the field's checks. Code fields are not looked at
  for them (`101,102,103` there is a list of codes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

import polars as pl

Artefact = Literal["apostrophe", "tab", "text_formula", "nbsp", "zero_width", "decimal", "scientific", "thousands"]
ARTEFACTS: dict[Artefact, tuple[str, str]] = {
    "apostrophe": ("a leading apostrophe", "前导撇号 '"),
    "tab": ("a tab before or after it", "首尾的制表符"),
    "text_formula": ('Excel\'s text formula ="…"', 'Excel 文本公式 ="…"'),
    "nbsp": ("a non-breaking or full-width space", "不换行空格或全角空格"),
    "zero_width": ("a zero-width character", "零宽字符"),
    "decimal": ("a trailing .0", "末尾的 .0"),
    "scientific": ("scientific notation", "科学计数法"),
    "thousands": ("thousands separators", "千位分隔符"),
}
"""Each artefact's name in English and in Chinese, as messages and the batch page show it."""

EXACT_DIGITS = 15
"""The significant digits a spreadsheet keeps of a number (Excel, WPS: 15): a number of 16 digits or more that passed
through one may have changed in its last digits, whatever a float could hold."""
# A column filter that keeps every value that may hold an artefact (the per-value function decides); the same
# explicit character classes in both engines, as in `text`.
SUSPECT = (
    r"['\uFF07=\t\xA0\u2007\u202F\u3000\u200B-\u200D\u2060\uFEFF]"
    r"|[0-9]\.0+ *$|[0-9][eE]\+?[0-9]|[0-9],[0-9]{3},[0-9]{3}"
)
_ZERO_WIDTH = re.compile(r"[\u200B-\u200D\u2060\uFEFF]")
_NBSP = re.compile(r"[\xA0\u2007\u202F\u3000]")
_TEXT_FORMULA = re.compile(r'=\s*"(.*)"', re.DOTALL)
_DECIMAL = re.compile(r"([0-9]+)\.0+")
_THOUSANDS = re.compile(r"[0-9]{1,3}(?:,[0-9]{3}){2,}(?:\.0+)?")
# As spreadsheets write it: a mantissa with a decimal point or an exponent with its sign (`9.14502E+17`, `1E+15`),
# and an exponent of at most three digits. A credit code may hold an `E` between digits (`91450202438E990360`): it has
# neither, and is not a number.
_SCIENTIFIC = re.compile(r"([0-9]{1,16})(?:\.([0-9]*))?[eE]([+-]?)([0-9]{1,3})")


class Undone(NamedTuple):
    """One value with its artefacts undone: the clean value (None when refused or blank), the artefacts found, and
    why the value cannot be restored (`scientific` or `float`), with the significant digits it still shows."""

    value: str | None
    artefacts: tuple[Artefact, ...]
    lost: Literal["scientific", "float"] | None = None
    digits: int = 0


def undo_artefacts_value(value: str, thousands: bool = True) -> Undone:
    """Undo the spreadsheet artefacts of one identifier value (see the module docstring); `thousands`: whether
    thousands separators are looked for (not in code fields)."""
    found: list[Artefact] = []
    text = value
    if _ZERO_WIDTH.search(text):
        found.append("zero_width")
        text = _ZERO_WIDTH.sub("", text)
    if _NBSP.search(text):
        found.append("nbsp")
        text = _NBSP.sub(" ", text)
    text = _strip_marks(text, found)
    if not text:
        return Undone(None, ())
    if thousands and _THOUSANDS.fullmatch(text):
        found.append("thousands")
        text = text.replace(",", "")
        if _DECIMAL.fullmatch(text) is None and len(text.lstrip("0")) > EXACT_DIGITS:
            return Undone(None, tuple(found), "float", len(text.lstrip("0")))
    if match := _DECIMAL.fullmatch(text):
        found.append("decimal")
        digits = match.group(1)
        if len(digits.lstrip("0")) > EXACT_DIGITS:
            return Undone(None, tuple(found), "float", len(digits.lstrip("0")))
        return Undone(digits, tuple(found))
    if (match := _SCIENTIFIC.fullmatch(text)) and (match[2] is not None or match[3]):
        found.append("scientific")
        return _from_scientific(match, tuple(found))
    return Undone(text, tuple(found))


def _strip_marks(text: str, found: list[Artefact]) -> str:
    """Take off tabs, apostrophes and `="…"` around the value, in whatever order they were put on."""
    while True:
        before = text
        text = text.strip(" \r\n")
        if text.startswith("\t") or text.endswith("\t"):
            _note(found, "tab")
            text = text.strip("\t")
        if match := _TEXT_FORMULA.fullmatch(text):
            _note(found, "text_formula")
            text = match.group(1).replace('""', '"')
        if text.startswith(("'", "\uff07")):  # Excel's mark, or its full-width twin typed by hand
            _note(found, "apostrophe")
            text = text[1:]
        if text == before:
            return text


def _note(found: list[Artefact], artefact: Artefact) -> None:
    if artefact not in found:
        found.append(artefact)


def _from_scientific(match: re.Match[str], found: tuple[Artefact, ...]) -> Undone:
    whole, fraction, sign, exponent = match.group(1), match.group(2) or "", match.group(3), int(match.group(4))
    digits = whole + fraction
    shift = (-exponent if sign == "-" else exponent) - len(fraction)
    if shift < 0 and set(digits[shift:]) <= {"0"}:  # 1.2300E+2 is 123
        digits, shift = digits[:shift], 0
    mantissa = digits.lstrip("0")
    # Restorable only when no digit has to be made up (no zeros padded on, no fraction left) and a spreadsheet
    # could have held every digit.
    if shift != 0 or not mantissa:
        return Undone(None, found, "scientific", len(mantissa))
    if len(mantissa) > EXACT_DIGITS:
        return Undone(None, found, "float", len(mantissa))
    return Undone(mantissa, found)


@dataclass
class UndoneColumn:
    """A column with its artefacts undone, and what was undone for each distinct value that held any."""

    values: pl.Series
    by_value: dict[str, Undone] = field(default_factory=dict)


def undo_artefacts(values: pl.Series, thousands: bool = True) -> UndoneColumn:
    """Undo the artefacts of a column of identifiers; only distinct values the column filter suspects go through
    Python. `thousands`: whether thousands separators are looked for (not in code fields)."""
    text = values.cast(pl.String)
    distinct = text.drop_nulls().unique()
    suspects = distinct.filter(distinct.str.contains(SUSPECT)).to_list()
    answers = {value: undo_artefacts_value(value, thousands) for value in suspects}
    changed = {value: answer for value, answer in answers.items() if answer.artefacts or answer.value is None}
    if not changed:
        return UndoneColumn(text)
    clean = text.replace(list(changed), pl.Series([answer.value for answer in changed.values()], dtype=pl.String))
    return UndoneColumn(clean, {value: answer for value, answer in changed.items() if answer.artefacts})
