"""The evidence that two tickets are one grievance, and how it is weighed.

Each candidate pair is described by a few plain facts (`Evidence`): how alike the texts are once the respondent's
name is taken out of both (the name is weighed as the respondent, and counted once), whether the caller's phone or
name is the same, whether both name the same business, two different ones, or only one of them names one (a question
about no business beside a complaint about a shop), whether the figures the texts give (an amount in 元, a date, a
number of days, jin or liang) agree or contradict, whether the texts are alike but for one word (another product),
whether the new ticket says it is a repeat call (再次反映) from the same caller, how many days apart the two were
received, and, when both give one, whether the channels' problem categories (问题类别), goods or service categories
(商品或服务类别) and places agree: consumers of one incident pick the same categories whatever their words; and
whether the matters their words raise and the goods they name (`zhizhi.hotline.topics`: 强制消费 and 强买强卖 are one
matter, 洗衣机 and 空调 two purchases) are the same or others, the same matter counting with the same business; and
whether, about the same business, both raise a matter of the business itself (it closed, trades without a licence,
has a wrong scale or dirty premises: one lead whoever raised it, whatever goods or sums each names). The
words two texts share count with the same business or the same caller (two callers' questions about no business,
or two businesses, alike in words are still two grievances); the days apart count between other callers (other
consumers of one incident call within days of each other; the same caller's repeat may come weeks later).

A case is weighed as its best ticket, and then by what its tickets together add (`CaseEvidence`): whether other
callers have already raised it about the same business (an incident: a shop that closed, a bad batch), the words its
tickets share with the new one together, the days since its latest ticket, and how many other callers raised
something about the same business in the last week.

They are weighed as a logistic model (a Fellegi-Sunter-style sum of log-odds): score = 1 / (1 + exp(-z)) with
z = BIAS + sum of weight x fact, so a score estimates the chance that the pair is one case; a case's score adds
CASE_WEIGHTS x its facts to its best pair's z. The weights were fitted (`python bench/hotline.py --fit 3 --unread 0.2`:
a fifth of the texts read as raising no matter and naming no goods, as when a caller's words are missing from the
lists of `zhizhi.hotline.topics`, so that a pair with nothing read is weighed for what it is; every
shortlisted pair of a generated month, seed 3, labelled by its truth; then every candidate case of each ticket, the
cases as the index makes them merging at 0.85; each fact's sign fixed beforehand, a fact that takes the wrong sign
dropped) and are judged on other months (seeds 7 and 21) the fit never saw. The `long_apart` weight is set by
hand, as a 30-day month cannot teach it: a pair received more than `WINDOW_DAYS` apart loses 3 in log-odds (a
grievance that comes back after two months is more often a new one), and a repeat call counts only within the
window. The weights, the days apart above all, are learnt from a generated month: a month of real tickets labelled
by a handler must refit them before the thresholds are trusted: `zhizhi hotline fit` (`zhizhi.hotline.fit`) fits a
bureau's own on such a month, and `hotline.weights` in `zhizhi.yaml` gives them to the desk (`Weights`, `weights_of`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, fields
from difflib import SequenceMatcher
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from zhizhi.config.models import HotlineConfig

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
    return compare_to(figure_units(one), other)


def figure_units(found: frozenset[tuple[str, str]]) -> dict[str, set[str]]:
    """Figures by unit: the values given in each."""
    units: dict[str, set[str]] = {}
    for unit, value in found:
        units.setdefault(unit, set()).add(value)
    return units


def compare_to(units: dict[str, set[str]], other: frozenset[tuple[str, str]]) -> tuple[int, int]:
    """`compare_figures` with the first side's figures by unit (`figure_units`), to compare it with many."""
    both: set[str] = set()
    agree: set[str] = set()
    for unit, value in other:
        if unit in units:
            both.add(unit)
            if value in units[unit]:
                agree.add(unit)
    return len(agree), len(both) - len(agree)


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
    same_problem: bool = False
    different_problem: bool = False
    same_goods: bool = False
    different_goods: bool = False
    same_place: bool = False
    different_place: bool = False
    same_topic: bool = False
    different_topic: bool = False
    same_product: bool = False
    different_product: bool = False
    same_business_matter: bool = False

    def long_apart(self) -> bool:
        """Received more than `WINDOW_DAYS` apart."""
        return self.days_apart is not None and self.days_apart > WINDOW_DAYS

    def vector(self) -> tuple[float, ...]:
        """The facts as the model reads them (`FEATURES`, in order)."""
        return tuple(PairFacts.of([self]).vectors()[0].tolist())

    def logit(self, weights: Weights | None = None) -> float:
        """The log-odds that the pair is one case (under `weights`, the fitted ones by default)."""
        return float(PairFacts.of([self]).logits(weights)[0])

    def score(self, weights: Weights | None = None) -> float:
        return 1 / (1 + math.exp(-self.logit(weights)))


@dataclass(frozen=True)
class PairFacts:
    """The facts of many pairs at once, one array per fact of `Evidence` (one row per pair; `days_apart` -1 where a
    day is unknown): a new ticket's shortlist is weighed in one go, and one pair is weighed the same way."""

    text: npt.NDArray[np.float64]
    shared: npt.NDArray[np.float64]
    same_phone: npt.NDArray[np.bool_]
    same_caller: npt.NDArray[np.bool_]
    same_respondent: npt.NDArray[np.bool_]
    different_respondent: npt.NDArray[np.bool_]
    same_figures: npt.NDArray[np.int64]
    different_figures: npt.NDArray[np.int64]
    repeat_call: npt.NDArray[np.bool_]
    days_apart: npt.NDArray[np.int64]
    different_word: npt.NDArray[np.bool_]
    one_respondent: npt.NDArray[np.bool_]
    same_problem: npt.NDArray[np.bool_]
    different_problem: npt.NDArray[np.bool_]
    same_goods: npt.NDArray[np.bool_]
    different_goods: npt.NDArray[np.bool_]
    same_place: npt.NDArray[np.bool_]
    different_place: npt.NDArray[np.bool_]
    same_topic: npt.NDArray[np.bool_]
    different_topic: npt.NDArray[np.bool_]
    same_product: npt.NDArray[np.bool_]
    different_product: npt.NDArray[np.bool_]
    same_business_matter: npt.NDArray[np.bool_]

    @classmethod
    def of(cls, pairs: Sequence[Evidence]) -> PairFacts:
        """The facts of `pairs`, as arrays."""
        columns = {f.name: [getattr(e, f.name) for e in pairs] for f in fields(Evidence)}
        columns["days_apart"] = [-1 if d is None else d for d in columns["days_apart"]]
        arrays: dict[str, Any] = {f.name: np.asarray(columns[f.name], dtype=_DTYPES[f.name]) for f in fields(cls)}
        return cls(**arrays)

    def __len__(self) -> int:
        return int(self.text.size)

    def evidence(self, row: int) -> Evidence:
        """One pair's facts."""
        values = {name: getattr(self, name)[row].item() for name in _PAIR_FACTS}
        return Evidence(**{**values, "days_apart": None if values["days_apart"] < 0 else values["days_apart"]})

    def vectors(self) -> npt.NDArray[np.float64]:
        """The facts as the model reads them: one row per pair, one column per name of `FEATURES`."""
        columns = [np.asarray(c, dtype=np.float64) for c in self._columns()]
        return np.column_stack(columns).reshape(len(self), len(FEATURES))

    def logits(self, weights: Weights | None = None) -> npt.NDArray[np.float64]:
        """Each pair's log-odds of being one case under `weights` (the fitted ones by default): the weighted facts
        added one after the other, in the order of `FEATURES`, those of weight 0 left out (adding 0 changes none of
        the sum's bits); a few pairs summed in Python, with the same operations in the same order (the same bits,
        without numpy's cost per call)."""
        weights = weights or FITTED
        columns = self._columns()
        weighed = [np.asarray(columns[at], dtype=np.float64) for at in weights.weighed_at]
        if len(self) <= FEW:
            sums = []
            for values in zip(*(column.tolist() for column in weighed), strict=True):
                z = 0.0
                for weight, value in zip(weights.weighed, values, strict=True):
                    z = z + weight * value
                sums.append(weights.bias + z)
            return np.array(sums, dtype=np.float64)
        total = np.zeros(len(self))
        for weight, column in zip(weights.weighed, weighed, strict=True):
            total = total + weight * column
        logits: npt.NDArray[np.float64] = weights.bias + total
        return logits

    def _columns(self) -> list[npt.NDArray[Any]]:
        """The columns of `FEATURES`, in that order."""
        long_apart = self.days_apart > WINDOW_DAYS
        caller = self.same_phone | self.same_caller
        weight = np.log1p(self.shared)
        days = np.log1p(np.minimum(np.maximum(self.days_apart, 0), WINDOW_DAYS).astype(np.float64))
        return [self.text, weight, self.same_phone, self.same_caller, self.same_respondent, self.different_respondent,
                np.minimum(self.same_figures, 2), np.minimum(self.different_figures, 2), self.repeat_call & ~long_apart,
                long_apart, self.text * self.different_respondent, self.different_word, ~caller * days,
                self.same_respondent * weight, self.one_respondent, caller * weight, self.same_problem,
                self.different_problem, self.same_goods, self.different_goods, self.same_place,
                self.different_place, self.same_topic, self.different_topic, self.same_product,
                self.different_product, self.same_business_matter,
                self.same_respondent & self.same_topic]  # fmt: skip

    def scores(self, weights: Weights | None = None) -> list[float]:
        """Each pair's score (as `Evidence.score`)."""
        return [1 / (1 + math.exp(-z)) for z in self.logits(weights).tolist()]


_PAIR_FACTS = tuple(f.name for f in fields(PairFacts))

IDENTITY = ("same_phone", "same_caller", "same_respondent", "different_respondent", "one_respondent")
"""The facts of a pair that say who: the same phone, caller, business; another business; a business on one side."""


def identity_ceiling(
    identity: Sequence[npt.NDArray[np.bool_]], most_shared: float, weights: Weights | None = None
) -> npt.NDArray[np.float64]:
    """The highest log-odds each pair could have under `weights` with its facts `IDENTITY` (in that order) whatever
    its other facts: its texts (a shared weight up to `most_shared`), days apart, figures, categories and place. A
    pair about another business by another caller is far under any floor here, before anything else of it is
    compared."""
    code = np.zeros(identity[0].size, dtype=np.intp)
    for bit, fact in enumerate(identity):
        code |= fact.astype(np.intp) << bit
    base, gain = _identity_ceilings(weights or FITTED)
    ceiling: npt.NDArray[np.float64] = base[code] + gain[code] * math.log1p(most_shared)
    return ceiling


@cache
def _identity_ceilings(weights: Weights) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """For each pattern of `IDENTITY` (bit i: its fact i), the highest log-odds over every other fact with no shared
    weight, and the most one unit of log(1 + shared weight) adds. The log-odds is linear in the similarity, in the
    figures counted up to 2 and in log(1 + shared weight), and monotone in the days within and beyond `WINDOW_DAYS`:
    the ends of each range are enough (tests/hotline/test_intake_speed_equivalence.py samples between them). The
    categories, place, matter and goods (`LABEL_FACTS`) each add their own weight and meet no other fact but the same
    business: their most is the sum of their weights above 0, added once instead of enumerated (a grid of them would
    hold millions of rows), those `OF_ONE_BUSINESS` only where the pair is about the same business."""
    axes: list[Any] = [np.arange(2 ** len(IDENTITY)), [False, True], [-1, 0, WINDOW_DAYS, WINDOW_DAYS + 1], [0, 2],
                       [0, 2], [0.0, 1.0], [False, True]]  # fmt: skip
    grids: list[npt.NDArray[Any]] = [np.ravel(grid) for grid in np.meshgrid(*axes, indexing="ij")]
    code, repeat_call, days, same_figures, different_figures, text, word = grids
    identity = {name: (code >> bit) & 1 == 1 for bit, name in enumerate(IDENTITY)}
    none_said = np.zeros(code.size, dtype=bool)
    given: dict[str, Any] = {**identity, **dict.fromkeys(LABEL_FACTS, none_said), "repeat_call": repeat_call,
                             "days_apart": days, "same_figures": same_figures, "different_figures": different_figures,
                             "text": text, "different_word": word}  # fmt: skip
    none = PairFacts(shared=np.zeros(code.size), **given).logits(weights).reshape(2 ** len(IDENTITY), -1)
    unit = PairFacts(shared=np.full(code.size, math.e - 1), **given).logits(weights).reshape(2 ** len(IDENTITY), -1)
    gain = np.maximum((unit - none).max(axis=1) / math.log1p(math.e - 1), 0.0)
    labels = sum(max(weights.of(name), 0.0) for name in LABEL_FACTS if name not in OF_ONE_BUSINESS)
    one_business = sum(max(weights.of(name), 0.0) for name in OF_ONE_BUSINESS)
    same = (np.arange(2 ** len(IDENTITY)) >> IDENTITY.index("same_respondent")) & 1
    return none.max(axis=1) + labels + one_business * same + 1e-9, gain


LABEL_FACTS = ("same_problem", "different_problem", "same_goods", "different_goods", "same_place", "different_place",
               "same_topic", "different_topic", "same_product", "different_product",
               "same_business_matter")  # fmt: skip
"""The facts of a pair that each add their own weight and meet no other but the same business: the channels'
categories, the place, the matter the words raise and the goods they name, the matter of the business itself."""
OF_ONE_BUSINESS = ("same_business_matter", "same_respondent_x_same_topic")
"""The columns that count only for a pair about the same business (the identity ceiling adds them only there)."""


_DTYPES = {"text": np.float64, "shared": np.float64, "same_figures": np.int64, "different_figures": np.int64,
           "days_apart": np.int64} | {name: np.bool_ for name in ("same_phone", "same_caller", "same_respondent",
           "different_respondent", "repeat_call", "different_word", "one_respondent", "same_problem",
           "different_problem", "same_goods", "different_goods", "same_place", "different_place", "same_topic",
           "different_topic", "same_product", "different_product", "same_business_matter")}  # fmt: skip


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
    "same_problem",
    "different_problem",
    "same_goods",
    "different_goods",
    "same_place",
    "different_place",
    "same_topic",
    "different_topic",
    "same_product",
    "different_product",
    "same_business_matter",
    "same_respondent_x_same_topic",
)
BIAS = -5.62
WEIGHTS = (0.00, 0.00, 2.97, 3.16, 5.73, -4.60, 0.00, 0.00, 0.48, -3.0, -0.97, -2.50, -1.51, 1.97, -3.03, 1.03,
           0.96, -0.65, 1.04, -0.96, 0.00, -1.34, 0.00, -4.55, 2.02, -3.33, 7.09, 1.14)  # fmt: skip
"""Log-odds per fact, in the order of `FEATURES`; fitted (see the module's docstring) except `long_apart`, set by
hand. A weight of 0 is a fact the fit found nothing in beyond the others (the texts' cosine and their shared weight
alone once the shared weight with the same business or caller is known; figures once the days apart are known: each
consumer of one incident has their own sum and date)."""
FEW = 16
"""Pairs up to this many are summed in Python (`PairFacts.logits`)."""


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

    def score(self, weights: Weights | None = None) -> float:
        weights = weights or FITTED
        z = min(max(self.best.logit(weights), -30.0), 30.0)
        z += sum(w * x for w, x in zip(weights.cases, self.vector(), strict=True))
        return 1 / (1 + math.exp(-z))


CASE_FEATURES = ("case_shared_gain", "other_caller_x_case_shared_gain", "several_callers", "other_caller_same_business",
                 "other_caller_x_days_since_last", "other_caller_x_recent_callers")  # fmt: skip
CASE_WEIGHTS = (0.00, 0.00, 0.12, 0.00, 0.00, 0.00)
"""Log-odds added to the best pair's, per fact of the case, in the order of `CASE_FEATURES` (fitted: see the
module's docstring). Only `several_callers` carries weight: the words of the case's tickets together, the days since
its latest and a burst of callers in the week added nothing the fit could find beyond the best pair and it."""


@dataclass(frozen=True)
class Weights:
    """A model's weights: the starting log-odds, one weight per pair fact (`FEATURES`) and one per case fact
    (`CASE_FEATURES`). `FITTED` are the built-in ones; a bureau's own pair weights, fitted on its month, come from
    `zhizhi.yaml` (`hotline.weights`, `weights_of`)."""

    bias: float
    pairs: tuple[float, ...]
    cases: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.pairs) != len(FEATURES) or len(self.cases) != len(CASE_FEATURES):
            raise ValueError(f"{len(FEATURES)} pair weights and {len(CASE_FEATURES)} case weights are needed")

    def of(self, name: str) -> float:
        """The weight of the pair fact `name`."""
        return self.pairs[FEATURES.index(name)]

    @cached_property
    def weighed_at(self) -> tuple[int, ...]:
        """The places of the pair facts that carry weight (the others are left out of the sum)."""
        return tuple(at for at, weight in enumerate(self.pairs) if weight)

    @cached_property
    def weighed(self) -> tuple[float, ...]:
        return tuple(self.pairs[at] for at in self.weighed_at)

    @cached_property
    def figures_weighed(self) -> bool:
        """Whether the figures count in a pair's log-odds (when not, they are compared only for the pairs shown)."""
        return bool(self.of("same_figures") or self.of("different_figures"))

    def as_dict(self) -> dict[str, Any]:
        """The pair weights as `hotline.weights` in `zhizhi.yaml` says them."""
        return {"bias": self.bias, "pairs": dict(zip(FEATURES, self.pairs, strict=True))}


FITTED = Weights(BIAS, WEIGHTS, CASE_WEIGHTS)
"""The built-in weights (see the module's docstring)."""


def weights_of(settings: HotlineConfig) -> Weights:
    """The weights of a workspace's desk: the built-in ones, each replaced where `hotline.weights` gives its own."""
    said = settings.weights
    if said is None:
        return FITTED
    pairs = tuple(said.pairs.get(name, weight) for name, weight in zip(FEATURES, WEIGHTS, strict=True))
    return Weights(BIAS if said.bias is None else said.bias, pairs, CASE_WEIGHTS)
