"""The evidence that two tickets are one grievance, and how it is weighed.

Each candidate pair is described by a few plain facts (`Evidence`): how alike the texts are once the respondent's
name is taken out of both (the name is weighed as the respondent, and counted once), whether the caller's phone or
name is the same, whether both name the same business, two different ones, or only one of them names one (a question
about no business beside a complaint about a shop), whether the figures the texts give (an amount in 元, a date, a
number of days, jin or liang) agree or contradict, whether the texts are alike but for one word (another product),
whether the new ticket says it is a repeat call (再次反映) from the same caller, and how many days apart the two were
received. The words two texts share count with the same business or the same caller (two callers' questions about no
business, or two businesses, alike in words are still two grievances); the days apart count between other callers
(other consumers of one incident call within days of each other; the same caller's repeat may come weeks later).

A case is weighed as its best ticket, and then by what its tickets together add (`CaseEvidence`): whether other
callers have already raised it about the same business (an incident: a shop that closed, a bad batch), the words its
tickets share with the new one together, the days since its latest ticket, and how many other callers raised
something about the same business in the last week.

They are weighed as a logistic model (a Fellegi-Sunter-style sum of log-odds): score = 1 / (1 + exp(-z)) with
z = BIAS + sum of weight x fact, so a score estimates the chance that the pair is one case; a case's score adds
CASE_WEIGHTS x its facts to its best pair's z. The weights were fitted (`python bench/hotline.py --fit 3`: every
shortlisted pair of a generated month, seed 3, labelled by its truth; then every candidate case of each ticket, the
cases as the index makes them merging at 0.9; each fact's sign fixed beforehand, a fact that takes the wrong sign
dropped) and are judged on other months (seeds 7 and 21) the fit never saw. The `long_apart` weight is set by
hand, as a 30-day month cannot teach it: a pair received more than `WINDOW_DAYS` apart loses 3 in log-odds (a
grievance that comes back after two months is more often a new one), and a repeat call counts only within the
window. The weights, the days apart above all, are learnt from a generated month: a month of real tickets labelled
by a handler must refit them before the thresholds are trusted.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

REPEAT = re.compile(
    r"再次(?:反映|来电|投诉|举报)|又一次反映|第[二三四五2-5]次(?:来电|反映|投诉)|此前已(?:经)?反映|已(?:经)?反映过|"
    r"上次反映|多次反映|重复(?:来电|反映)|至今未(?:处理|解决|答复)|仍未(?:处理|解决)"
)
"""A caller saying this ticket repeats an earlier one (再次反映, 此前已反映, 第二次来电, 至今未处理 ...)."""

FIGURE = re.compile(r"([0-9]+(?:\.[0-9]+)?)(元|块|天|日|月|年|斤|两|公斤|千克|克|个|件|次|小时|瓶|盒|箱|台)")
DATE = re.compile(r"([0-9]{1,2})月([0-9]{1,2})[日号]")
UNIT = {"块": "元", "千克": "公斤"}
DIGIT = re.compile(r"[0-9]")
RECENT_DAYS = 7
"""Other callers about the same business within this many days of a new ticket count as a burst."""
WINDOW_DAYS = 60
"""A repeat call joins an open case received at most this many days before; pairs further apart lose weight."""


def repeats(text: str) -> bool:
    """The text says it repeats an earlier ticket."""
    return bool(REPEAT.search(text))


def figures(text: str) -> frozenset[tuple[str, str]]:
    """The figures a normalised text gives, as (unit, value): ("元", "2000"), ("date", "3-12"), ("天", "5"). Phone and
    ID numbers are gone before this (`normalise_text`)."""
    found = {("date", f"{int(m)}-{int(d)}") for m, d in DATE.findall(text)}
    rest = DATE.sub(" ", text)
    found |= {(UNIT.get(unit, unit), value.rstrip("0").rstrip(".") if "." in value else value)
              for value, unit in FIGURE.findall(rest)}  # fmt: skip
    return frozenset(found)


def different_word(one: str, other: str) -> bool:
    """Two texts alike but for one word in the middle (2 to 4 characters each, no digits, at least 3 equal characters
    on both sides): 美螺美容院明码标价不实，羽绒服实际收费比标签贵 and ...，空调实际收费比标签贵 are two purchases.
    The figures are compared on their own (`compare_figures`)."""
    blocks = SequenceMatcher(None, one, other, autojunk=False).get_opcodes()
    for at, (op, i1, i2, j1, j2) in enumerate(blocks):
        if op != "replace" or not (2 <= i2 - i1 <= 4 and 2 <= j2 - j1 <= 4) or at == 0 or at == len(blocks) - 1:
            continue
        before, after = blocks[at - 1], blocks[at + 1]
        flanked = before[0] == after[0] == "equal" and min(before[2] - before[1], after[2] - after[1]) >= 3
        if flanked and not DIGIT.search(one[i1:i2] + other[j1:j2]):
            return True
    return False


def compare_figures(one: frozenset[tuple[str, str]], other: frozenset[tuple[str, str]]) -> tuple[int, int]:
    """(units on which the two agree, units on which they contradict): a unit both give, with a value in common or
    none in common."""
    units = {u for u, _ in one} & {u for u, _ in other}
    agree = sum(1 for u in units if {v for w, v in one if w == u} & {v for w, v in other if w == u})
    return agree, len(units) - agree


@dataclass(frozen=True)
class Evidence:
    """The facts of one pair (a new ticket and an earlier one): `text` the cosine of the two texts, `shared` the
    summed weight of the n-grams they share (each gram's IDF squared, over the largest IDF squared: about the number
    of rare grams shared, whatever the size of the history), both without the respondents' names."""

    text: float
    shared: float = 0.0
    same_phone: bool = False
    same_caller: bool = False
    same_respondent: bool = False
    different_respondent: bool = False
    same_figures: int = 0
    different_figures: int = 0
    repeat_call: bool = False
    days_apart: int | None = None
    different_word: bool = False
    one_respondent: bool = False

    def vector(self) -> tuple[float, ...]:
        """The facts as the model reads them (`FEATURES`, in order)."""
        long_apart = self.days_apart is not None and self.days_apart > WINDOW_DAYS
        return (self.text, math.log1p(self.shared), float(self.same_phone), float(self.same_caller),
                float(self.same_respondent), float(self.different_respondent), float(min(self.same_figures, 2)),
                float(min(self.different_figures, 2)), float(self.repeat_call and not long_apart), float(long_apart),
                self.text * float(self.different_respondent), float(self.different_word),
                float(not (self.same_phone or self.same_caller)) * math.log1p(min(self.days_apart or 0, WINDOW_DAYS)),
                float(self.same_respondent) * math.log1p(self.shared), float(self.one_respondent),
                float(self.same_phone or self.same_caller) * math.log1p(self.shared))  # fmt: skip

    def logit(self) -> float:
        """The log-odds that the pair is one case."""
        return BIAS + sum(w * x for w, x in zip(WEIGHTS, self.vector(), strict=True))

    def score(self) -> float:
        return 1 / (1 + math.exp(-self.logit()))


FEATURES = (
    "text",
    "shared_weight",
    "same_phone",
    "same_caller",
    "same_respondent",
    "different_respondent",
    "same_figures",
    "different_figures",
    "repeat_call",
    "long_apart",
    "text_x_different_respondent",
    "different_word",
    "other_caller_x_days_apart",
    "same_respondent_x_shared_weight",
    "one_respondent",
    "same_caller_x_shared_weight",
)
BIAS = -5.34
WEIGHTS = (0.00, 0.00, 3.03, 3.06, 5.07, -5.83, 0.00, 0.00, 0.41, -3.0, -0.87, -3.73, -1.37, 2.82, -4.31, 1.48)
"""Log-odds per fact, in the order of `FEATURES`; fitted (see the module's docstring) except `long_apart`, set by
hand. A weight of 0 is a fact the fit found nothing in beyond the others (the texts' cosine and their shared weight
alone once the shared weight with the same business or caller is known; figures once the days apart are known: each
consumer of one incident has their own sum and date)."""


@dataclass(frozen=True)
class CaseEvidence:
    """The facts of a new ticket against a case, all its tickets together: `best` the pair with the case's
    best-scoring ticket; `shared` the weight the new text shares with the case's texts together (at least the best
    ticket's: several consumers of one incident each say part of it); `callers` how many callers the case has
    (distinct names, else phones); `own_caller` whether the new ticket's phone or name is already among them;
    `same_respondent` whether a ticket of the case names the same business; `days_since_last` the days between the
    new ticket and the case's latest one; `recent_callers` how many other callers raised something about the same
    business within `RECENT_DAYS` of the new ticket, in this case or any (a burst of callers about one shop is
    usually one incident: it closed, it sold a bad batch)."""

    best: Evidence
    shared: float = 0.0
    callers: int = 1
    own_caller: bool = False
    same_respondent: bool = False
    days_since_last: int | None = None
    recent_callers: int = 0

    def other_caller(self) -> bool:
        """Another caller about the same business."""
        return self.same_respondent and not self.own_caller

    def several_callers(self) -> bool:
        """Another caller about the same business, and the case already has several."""
        return self.other_caller() and self.callers >= 2

    def vector(self) -> tuple[float, ...]:
        """The case's facts as the model reads them (`CASE_FEATURES`, in order), beside the best pair's log-odds."""
        other = float(self.other_caller())
        gain = max(math.log1p(self.shared) - math.log1p(self.best.shared), 0.0)
        days = math.log1p(min(self.days_since_last, WINDOW_DAYS)) if self.days_since_last is not None else 0.0
        return (gain, other * gain, float(self.several_callers()), other, other * days,
                other * math.log1p(self.recent_callers))  # fmt: skip

    def score(self) -> float:
        z = min(max(self.best.logit(), -30.0), 30.0)
        z += sum(w * x for w, x in zip(CASE_WEIGHTS, self.vector(), strict=True))
        return 1 / (1 + math.exp(-z))


CASE_FEATURES = ("case_shared_gain", "other_caller_x_case_shared_gain", "several_callers", "other_caller_same_business",
                 "other_caller_x_days_since_last", "other_caller_x_recent_callers")  # fmt: skip
CASE_WEIGHTS = (0.00, 0.00, 0.77, 0.00, 0.00, 0.00)
"""Log-odds added to the best pair's, per fact of the case, in the order of `CASE_FEATURES` (fitted: see the
module's docstring). Only `several_callers` carries weight: the words of the case's tickets together, the days since
its latest and a burst of callers in the week added nothing the fit could find beyond the best pair and it."""
