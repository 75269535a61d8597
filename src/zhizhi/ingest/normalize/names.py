"""Names of firms and other organisations, written the way registration authorities write them.

Decisions:
- Brackets of every style ((), （）, [], ［］, 【】, 〔〕) become the full-width Chinese （）, the form in registered
  names such as 某某有限公司（柳州分公司）.
- Spaces next to a Chinese character or a Chinese bracket are removed (柳州 某某 公司 -> 柳州某某公司); spaces
  between Latin words stay (ABC Trading 有限公司 -> ABC Trading有限公司), since registered names have none
  around Chinese text but foreign words keep theirs.
- Punctuation and spaces at either end are stripped (, . ; : ! ? ' ` * # ~ | / \\ - _ and their Chinese forms
  ，。；：！？、·…—), but never brackets or quotes, which belong to the name. `=` and `+` are kept too: a
  formula-looking value is text like any other; exports must guard against formula injection.
- Letters keep their case; everything `clean_text` does applies first (half-width ASCII, invisible characters).
"""

from __future__ import annotations

import polars as pl

from zhizhi.ingest.normalize.columns import apply_expr, blank_as_null
from zhizhi.ingest.normalize.text import clean_text_expr, clean_text_value, join_han_expr, join_han_value

BRACKETS = {"(": "（", ")": "）", "[": "（", "]": "）", "【": "（", "】": "）", "〔": "（", "〕": "）"}
_BRACKETS = str.maketrans(BRACKETS)
EDGE_PUNCTUATION = " ,.;:!?'`*#~|/\\-_，。；：！？、·…—"


def normalize_names_expr(expr: pl.Expr) -> pl.Expr:
    """Normalise a text expression of names (see the module docstring)."""
    text = clean_text_expr(expr).str.replace_many(BRACKETS)
    return blank_as_null(join_han_expr(text, also="（）").str.strip_chars(EDGE_PUNCTUATION))


def normalize_names(values: pl.Series) -> pl.Series:
    """Normalise a column of names."""
    return apply_expr(values, normalize_names_expr)


def normalize_name_value(value: str | None) -> str | None:
    """Normalise one name exactly as `normalize_names` normalises a column."""
    text = clean_text_value(value)
    if text is None:
        return None
    return join_han_value(text.translate(_BRACKETS), also="（）").strip(EDGE_PUNCTUATION) or None
