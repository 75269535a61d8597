"""Headers of days: which date field a header of a day may name. A header naming another event's day
(处罚决定日期, 录入时间 for a firm's 成立日期), a span's other end (有效期起 for 有效期至), or only a field's bare day
word (巡查日期 for an inspection's 日期) weakens the pair, whatever days the column holds; a header of an amount holds
no days at all.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from zhizhi.records import Field

if TYPE_CHECKING:
    from zhizhi.sources.suggest.evidence import HeaderMatch

OTHER_DAY = 0.7  # a header naming another event's day (处罚决定日期, 录入时间) against a date field's own names
BARE_DAY = 0.25  # one holding only a field's bare name 日期 (巡查日期 for an inspection's): kept, to be checked

# A header naming an amount, a count or a measure: its numbers are never days (a five-digit one reads as a serial).
_QUANTITY = re.compile(
    r"资本|资金|金额|万元|[（(]元[）)]|数量|人数|面积|价格|单价|总额|营业额|收入|平方米|吨|台数|件数|个数|费用"
)
_DAY_WORD = re.compile(r"日期|时间|年月|日$")  # 价格调整日期 is a date, whatever money it names


# A span's two ends: 有效期起 (起始日期, 开始时间) is never 有效期至 (截止日期, 结束时间), however alike written.
_SPAN_START = re.compile(r"期[起自始]$|起始|开始|^起")
_SPAN_END = re.compile(r"期[至止满]$|截止|结束|到期|终止|^止")
_BARE_DAY = ("日期", "时间", "日", "年月", "date", "time")


def opposite_ends(variant: str, name: str) -> bool:
    """Whether two headers name a span's two ends (有效期起 and 有效期至)."""
    starts = bool(_SPAN_START.search(variant)), bool(_SPAN_START.search(name))
    ends = bool(_SPAN_END.search(variant)), bool(_SPAN_END.search(name))
    return (starts[0] and ends[1] and not ends[0]) or (ends[0] and starts[1] and not starts[0])


def names_a_quantity(header: str) -> bool:
    """Whether a header names an amount, a count or a measure and no day (注册资本（万元）: 20000 is money, not the
    Excel serial of a day in 1954)."""
    return bool(_QUANTITY.search(header)) and not _DAY_WORD.search(header)


def day_doubt(header: str, item: Field, match: HeaderMatch) -> float:
    """How much a header's words take from a date field's pair: another event's day, else a bare day word, else
    nothing."""
    return OTHER_DAY if another_day(header, item, match) else BARE_DAY if _bare_day(item, match) else 0.0


def another_day(header: str, item: Field, match: HeaderMatch) -> bool:
    """Whether `header` names the day of something else than the date field `item`: a day word (日期, 时间) or a
    span's end and no name of the field in it but that word (处罚决定日期, 录入时间 are no 成立日期, 有效期起 is no
    有效期至, whatever days they hold)."""
    if item.kind not in ("date", "datetime") or not (_DAY_WORD.search(header) or _SPAN_START.search(header)
                                                     or _SPAN_END.search(header)):
        return False
    return match.kind in ("none", "overlap")


def _bare_day(item: Field, match: HeaderMatch) -> bool:
    """Whether the header matched only a field's bare day word (an inspection's 日期 inside 处罚决定日期 or 巡查日期):
    perhaps the field's day, perhaps another event's, so the pair is kept below the mark to check."""
    return item.kind in ("date", "datetime") and match.kind == "contains" and match.synonym in _BARE_DAY
