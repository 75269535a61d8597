"""Text cleaning every other normalizer starts from: half-width ASCII, no invisible characters, single spaces; and
the lighter cleaning of prose, which keeps a person's words as written.

Decisions:
- Only the full-width ASCII block (U+FF01-U+FF5E) becomes half-width, and the ideographic space becomes a space.
  This is the part of NFKC that matters for matching; the rest of NFKC (① -> 1, ㎡ -> m2, ℃ -> °C) is not
  applied because it changes what a value says. Chinese punctuation outside that block (。、“”《》【】) is kept.
  Full-width （），：；！？ are in the block, so they become ASCII here; names.py turns brackets back into （）.
- Invisible characters (zero-width space, joiners, word joiner, BOM, soft hyphen, bidirectional marks) and
  control characters are removed; every whitespace character (NBSP, tab, line breaks, U+2000-U+200A, U+3000)
  counts as a space. Runs of spaces become one space and both ends are stripped.
- A value that is blank after cleaning becomes null, so a missing value has one form.
- Both engines use the same explicit character classes (never `\\s` or `\\d`, whose Unicode tables differ between
  Python's `re` and polars' regex engine), so the column and the single-value paths agree.
- Prose (a `text` field declared `prose=True`: what a person wrote, a complaint, a handler's answer, an inspector's
  notes) is kept as written: full-width punctuation, spaces and line breaks stay. Only invisible and control
  characters are removed, every line break (CR LF, CR, VT, FF, NEL, U+2028, U+2029) becomes LF and both ends are
  trimmed of whitespace; blank is null as above. Whoever compares prose reads it their own way
  (`zhizhi.hotline.texts`); the words stored and delivered are the writer's.
"""

from __future__ import annotations

import re
from functools import cache

import polars as pl

from zhizhi.ingest.normalize.columns import apply_expr, blank_as_null

# removed outright: C0/C1 controls except whitespace, soft hyphen, Mongolian vowel separator, zero-width
# space/joiners, LRM/RLM, bidirectional embeddings and isolates, word joiner and invisible operators, BOM
INVISIBLE = (
    r"[\x00-\x08\x0E-\x1F\x7F-\x84\x86-\x9F\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]"
)
# every Unicode White_Space character
WHITESPACE = r"[\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]"
SPACES = "\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
"""The characters of `WHITESPACE`, for trimming."""
# a line break as a file or a form may write it: CR LF, CR, vertical tab, form feed, NEL, line and paragraph separators
LINE_BREAK = r"\r\n|[\r\x0B\x0C\x85\u2028\u2029]"
# Chinese characters: CJK radicals, 々 〇 and Hangzhou numerals, Extension A, the main block, compatibility
# ideographs and the supplementary planes' extensions
HAN = r"\u2E80-\u2FDF\u3005\u3007\u3021-\u3029\u3038-\u303B\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\U00020000-\U0003FFFF"

FULL_WIDTH = {chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}
_TRANSLATION = str.maketrans(FULL_WIDTH)
_INVISIBLE = re.compile(INVISIBLE)
_WHITESPACE_RUN = re.compile(WHITESPACE + "+")
_LINE_BREAK = re.compile(LINE_BREAK)


def clean_text_expr(expr: pl.Expr) -> pl.Expr:
    """Clean a string expression: invisible characters out, half-width ASCII, single spaces, blank as null."""
    text = (
        expr.cast(pl.String)
        .str.replace_all(INVISIBLE, "")
        .str.replace_many(FULL_WIDTH)
        .str.replace_all(WHITESPACE + "+", " ")
        .str.strip_chars(" ")
    )
    return blank_as_null(text)


# what `clean_text_expr` would change: an invisible character, a full-width form, whitespace other than one space
# between words, a blank value
_UNCLEAN = INVISIBLE + r"|[\uFF01-\uFF5E]|" + WHITESPACE.replace(" ", "") + "|  |^ | $|^$"


def clean_text(values: pl.Series) -> pl.Series:
    """Clean a column of text (see the module docstring for what changes). Most values of an export are clean
    already: one scan finds those that are not, and only they go through the cleaning's passes."""
    text = values.cast(pl.String)
    unclean = text.str.contains(_UNCLEAN).fill_null(False)
    count = unclean.sum()
    if count > len(text) // 4:
        return apply_expr(text, clean_text_expr).alias(values.name)
    if count:
        text = text.scatter(unclean.arg_true(), apply_expr(text.filter(unclean), clean_text_expr))
    return text.alias(values.name)


def clean_prose_expr(expr: pl.Expr) -> pl.Expr:
    """Clean a string expression of prose: invisible characters out, line breaks as LF, ends trimmed, blank as
    null; the words, their punctuation and spacing as written."""
    text = expr.cast(pl.String).str.replace_all(INVISIBLE, "").str.replace_all(LINE_BREAK, "\n")
    return blank_as_null(text.str.strip_chars(SPACES))


def clean_prose(values: pl.Series) -> pl.Series:
    """Clean a column of prose (see the module docstring for the little that changes)."""
    return apply_expr(values, clean_prose_expr)


def clean_prose_value(value: str | None) -> str | None:
    """Clean one value of prose exactly as `clean_prose` cleans a column."""
    if value is None:
        return None
    return _LINE_BREAK.sub("\n", _INVISIBLE.sub("", value)).strip(SPACES) or None


QUOTES = "\"'`“”‘’「」『』"


def clean_identifier(values: pl.Series) -> pl.Series:
    """A column of identifiers written as text (a licence, inspection or ticket number): cleaned as text, then no
    space anywhere (a line break or NBSP an export put inside) and no quotes around it (“JY1450...”)."""
    return apply_expr(values, _identifier_expr)


def _identifier_expr(expr: pl.Expr) -> pl.Expr:
    return blank_as_null(clean_text_expr(expr).str.replace_all(" ", "").str.strip_chars(QUOTES))


def clean_identifier_value(value: str | None) -> str | None:
    """One identifier cleaned exactly as `clean_identifier` cleans a column."""
    text = clean_text_value(value)
    return (text.replace(" ", "").strip(QUOTES) or None) if text is not None else None


def clean_text_value(value: str | None) -> str | None:
    """Clean one value exactly as `clean_text` cleans a column."""
    if value is None:
        return None
    text = _INVISIBLE.sub("", value).translate(_TRANSLATION)
    return _WHITESPACE_RUN.sub(" ", text).strip(" ") or None


def join_han_expr(expr: pl.Expr, also: str = "") -> pl.Expr:
    """Remove spaces next to a Chinese character (or a character in `also`) in already cleaned text."""
    chars = HAN + re.escape(also)
    return expr.str.replace_all(f" +([{chars}])", "${1}").str.replace_all(f"([{chars}]) +", "${1}")


def join_han_value(value: str, also: str = "") -> str:
    """Remove spaces next to a Chinese character, as `join_han_expr` does."""
    before, after = _han_spaces(also)
    return after.sub(r"\1", before.sub(r"\1", value))


@cache
def _han_spaces(also: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    chars = HAN + re.escape(also)
    return re.compile(f" +([{chars}])"), re.compile(f"([{chars}]) +")
