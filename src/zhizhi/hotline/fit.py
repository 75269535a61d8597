"""Fit the desk's pair weights on a bureau's own labelled month, and judge them on cases the fit never saw.

Every earlier ticket a new one is compared with (the shortlist, in the order received) makes a pair, labelled by
the month's cases (one case or not) and described by the facts `zhizhi.hotline.evidence` reads; a logistic
regression (Newton's method, an L2 penalty of 1) gives each fact its log-odds. Each fact's direction is known
beforehand (`AGAINST` count against, the others for): a fact whose weight comes out the wrong way only stands in for
another, correlated one, and is left at 0. `long_apart` keeps its weight (a month cannot teach what two months apart
means).

`fit` first fits on the tickets of half the month's cases (chosen by a hash of the case's label) and replays the
other half with the workspace's weights and with the new ones (`zhizhi.hotline.measure`), so the figures compare
the two on cases the fit never saw; then it fits on the whole month: those are the weights to use.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from zhizhi.config.models import HotlineConfig, HotlineWeights
from zhizhi.errors import InputError
from zhizhi.hotline.evidence import FEATURES, Weights, weights_of
from zhizhi.hotline.labelled import LabelledTicket
from zhizhi.hotline.measure import Measure, evaluate
from zhizhi.hotline.similar import TicketIndex
from zhizhi.hotline.topics import words_of
from zhizhi.progress import SilentTask, Task

AGAINST = frozenset({"different_respondent", "different_figures", "text_x_different_respondent", "different_word",
                     "other_caller_x_days_apart", "one_respondent", "different_problem", "different_goods",
                     "different_place", "different_topic", "different_product", "long_apart"})  # fmt: skip
"""The facts that count against a pair being one case; the others count for it."""
BY_HAND = ("long_apart",)
"""Facts a month cannot teach, kept at the workspace's weight."""
MAX_PAIRS = 2_000_000
"""The most pairs a fit keeps (about 460 MB of facts): beyond, the pairs of other cases are sampled, each kept one
counting for those left out (`_Pairs`), which gives the same weights in bounded memory."""
MIN_PAIRS = 300
"""The fewest pairs of one case a month must give before weights are fitted on it (fewer teach nothing: the
penalty shrinks every weight toward 0)."""


@dataclass(frozen=True)
class Fitted:
    """Weights fitted on a month: the weights, the pairs they were fitted on (and how many of one case), the facts
    left at 0 for taking the wrong direction, and the held-out comparison (the workspace's weights, then the new,
    on the half of the cases the half-fit never saw)."""

    weights: Weights
    pairs: int
    same_case: int
    dropped: tuple[str, ...]
    held_out: tuple[Measure, Measure] | None

    def as_config(self) -> HotlineWeights:
        """As `hotline.weights` in `zhizhi.yaml` (every fact named, rounded to 0.01)."""
        return HotlineWeights(
            bias=round(self.weights.bias, 2),
            pairs={name: round(weight, 2) for name, weight in zip(FEATURES, self.weights.pairs, strict=True)},
        )


def fit(month: Sequence[LabelledTicket], settings: HotlineConfig, task: Task | None = None) -> Fitted:
    """Fit the pair weights on `month` (in the order received) with the desk's `settings` (its words; its weights for
    the facts set by hand), after judging a half-month fit on the other half's cases. `task` advances a ticket at a
    time. Refused when the month gives fewer than `MIN_PAIRS` pairs of one case."""
    task = task or SilentTask()
    first = [t for t in month if _half(t.case)]
    second = [t for t in month if not _half(t.case)]
    task.update(0, total=len(first) + 2 * len(second) + len(month))  # the half-fit, its two replays, the whole fit
    held_out = None
    if first and second:
        half = _fit(first, settings, task, required=False)
        if half is not None:
            mine = settings.model_copy(update={"weights": half.as_config()})
            judged = evaluate(second, [settings, mine], task).measures
            held_out = (judged[0], judged[1])
    whole = _fit(month, settings, task, required=True)
    assert whole is not None
    return Fitted(whole.weights, whole.pairs, whole.same_case, whole.dropped, held_out)


def _half(case: str) -> bool:
    return hashlib.blake2b(case.encode("utf-8"), digest_size=1).digest()[0] % 2 == 0


def _fit(month: Sequence[LabelledTicket], settings: HotlineConfig, task: Task, required: bool) -> Fitted | None:
    """The weights fitted on `month` (None, or refused when `required`, if too few pairs of one case)."""
    base = weights_of(settings)
    index = TicketIndex(words=words_of(settings), weights=base)
    index.prepare([t.ticket for t in month])
    case_of: dict[int, str] = {}
    pairs = _Pairs()
    for t in month:
        others, facts = index.evidence(t.ticket)
        if others.size:
            pairs.add(facts.vectors(), np.array([case_of[int(other)] == t.case for other in others.tolist()]))
        index.add(t.ticket)
        case_of[t.ticket.id] = t.case
        task.advance()
    vectors, labels = pairs.rows()
    same = int(labels.sum())
    if same < MIN_PAIRS:
        if not required:
            return None
        raise InputError(
            f"The month gives {same} pairs of one case among {pairs.seen} compared; at least {MIN_PAIRS} are needed "
            "to fit weights on it (fewer teach nothing). Label a longer period (a few thousand tickets).",
            zh=f"该标注文件只有 {same} 对同案工单（共比较 {pairs.seen} 对），拟合权重至少需要 {MIN_PAIRS} 对。"
            "请导出更长时段（数千张工单）。",
        )
    x = np.column_stack([np.ones(len(labels)), vectors])
    names = ["bias", *FEATURES]
    hand = {names.index(name) for name in BY_HAND}
    offset = sum((x[:, at] * base.pairs[at - 1] for at in hand), np.zeros(len(labels)))
    counts = np.where(labels, 1.0, 1.0 / pairs.rate)  # a kept pair of other cases stands for 1/rate of them
    fitted = logistic(x, labels.astype(np.float64), names, AGAINST, hand, offset, counts)
    weights = tuple(base.pairs[at - 1] if at in hand else fitted.get(at, 0.0) for at in range(1, len(names)))
    dropped = tuple(names[at] for at in range(1, len(names)) if at not in hand and at not in fitted)
    return Fitted(Weights(fitted[0], weights, base.cases), pairs.seen, same, dropped, None)


class _Pairs:
    """The pairs a fit learns from, at most `MAX_PAIRS` kept: every pair of one case, and the pairs of other cases at a
    rate halved each time the kept ones would exceed the bound (each dropped at random, the same way each run), so
    that a large month fits in bounded memory; `rate` says how many of those are kept."""

    def __init__(self) -> None:
        self.vectors: list[npt.NDArray[np.float64]] = []
        self.labels: list[npt.NDArray[np.bool_]] = []
        self.kept = self.seen = 0
        self.rate = 1.0
        self.random = np.random.default_rng(20261206)

    def add(self, vectors: npt.NDArray[np.float64], same: npt.NDArray[np.bool_]) -> None:
        self.seen += len(same)
        keep = same | (self.random.random(len(same)) < self.rate)
        self.vectors.append(vectors[keep])
        self.labels.append(same[keep])
        self.kept += int(keep.sum())
        while self.kept > MAX_PAIRS:
            self.rate /= 2
            for at, (rows, labels) in enumerate(zip(self.vectors, self.labels, strict=True)):
                keep = labels | (self.random.random(len(labels)) < 0.5)
                self.vectors[at], self.labels[at] = rows[keep], labels[keep]
            self.kept = sum(len(labels) for labels in self.labels)

    def rows(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
        width = len(FEATURES)
        if not self.vectors:
            return np.empty((0, width)), np.empty(0, dtype=bool)
        return np.vstack(self.vectors).reshape(-1, width), np.concatenate(self.labels)


def logistic(
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    names: Sequence[str],
    against: frozenset[str] | set[str],
    fixed: set[int],
    offset: npt.NDArray[np.float64] | None = None,
    counts: npt.NDArray[np.float64] | None = None,
) -> dict[int, float]:
    """Logistic regression (Newton's method, L2 of 1) of `y` on the columns of `x` (the first the bias) beside
    `offset` (log-odds already known), each row standing for `counts` rows (1 each by default: a sample's rows stand
    for those left out). Each fact's sign is known beforehand (those named in `against` count against, the others
    for); a fact whose fitted weight takes the wrong sign (it only stands in for another, correlated one) is dropped
    (weight 0) and the rest refitted. Returns the weights by column; `fixed` columns are left out."""
    known = np.zeros(len(y)) if offset is None else offset
    many = np.ones(len(y)) if counts is None else counts
    while True:
        free = [i for i in range(x.shape[1]) if i not in fixed]
        part = x[:, free]
        w = np.zeros(part.shape[1])
        for _ in range(50):
            p = 1 / (1 + np.exp(-(part @ w + known)))
            gradient = part.T @ (many * (y - p)) - 1.0 * w
            hessian = (part * (many * p * (1 - p))[:, None]).T @ part + 1.0 * np.eye(part.shape[1])
            w += np.linalg.solve(hessian, gradient)
        wrong = {i for i, v in zip(free, w.tolist(), strict=True) if i and v * (-1 if names[i] in against else 1) < 0}
        if not wrong:
            return dict(zip(free, w.tolist(), strict=True))
        fixed = fixed | wrong
