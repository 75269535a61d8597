"""Measure the desk on a bureau's own month: replay a labelled month's tickets, in the order received, through the
desk's own rule (`zhizhi.hotline.take`: the same index, scores, thresholds and `merge_other_callers`), and compare
the cases it would make on its own with the cases the file names.

Figures are pairwise, as for any grouping: of the pairs of tickets the desk put in one case on its own, the share
that are one case in the file (precision); of the pairs that are one case in the file, the share the desk joined on
its own (recall), apart for pairs of the same caller and of other callers; the share of tickets a handler is shown
(a case of its own with closer cases suggested), and how often the first suggestion is right; beside the plain
baseline "the same phone is the same case". Each setting replays the month from an empty index: history before the
month is not read, and only pairs within the file count.

The file's cases are the truth only as far as handlers settled them: tickets that joined on their own (`merged`) and
were never reviewed are the desk's own answer, counted apart (`labels_by_how`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from zhizhi.config.models import HotlineConfig
from zhizhi.hotline.candidate import real_name
from zhizhi.hotline.evidence import weights_of
from zhizhi.hotline.history import kept_apart, procedure_of
from zhizhi.hotline.labelled import LabelledTicket
from zhizhi.hotline.similar import TicketIndex
from zhizhi.hotline.take import joining, suggestions, weigh
from zhizhi.hotline.topics import words_of
from zhizhi.progress import SilentTask, Task


@dataclass(frozen=True)
class Measure:
    """The desk under one setting: precision and recall of its automatic merges (None: no pair to judge), the tickets
    it merged on its own, the share left for a handler and how often the first case shown was right."""

    merge_at: float
    merge_other_callers: bool
    merged: int
    pairs_merged: int
    precision: float | None
    recall: float | None
    recall_same_caller: float | None
    recall_other_callers: float | None
    review_share: float
    review_right: float | None


@dataclass(frozen=True)
class Evaluation:
    """A labelled month measured: its size, where its labels came from, the baseline and each setting's figures."""

    tickets: int
    cases: int
    true_pairs: int
    true_pairs_same_caller: int
    labels_by_how: dict[str, int]
    review_from: float
    baseline_precision: float | None
    baseline_recall: float | None
    measures: list[Measure] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def evaluate(
    month: Sequence[LabelledTicket], settings: Iterable[HotlineConfig], task: Task | None = None
) -> Evaluation:
    """Replay `month` (in the order received) under each of `settings` (its thresholds, rule, words and weights) and
    measure it against its labels; `task` advances a ticket at a time."""
    task = task or SilentTask()
    truth = [t.case for t in month]
    caller = [_caller(t) for t in month]
    true_pairs, same_caller_pairs = _pairs(truth), _pairs(zip(truth, caller, strict=True), skip=_no_caller)
    phones = [t.ticket.phone or f"\0{n}" for n, t in enumerate(month)]  # no phone: a ticket of its own
    settings = list(settings)
    evaluation = Evaluation(
        tickets=len(month),
        cases=len(set(truth)),
        true_pairs=true_pairs,
        true_pairs_same_caller=same_caller_pairs,
        labels_by_how=dict(Counter(t.how or "unknown" for t in month)),
        review_from=settings[0].review_from if settings else 0.0,
        baseline_precision=_share(_pairs(zip(phones, truth, strict=True)), _pairs(phones)),
        baseline_recall=_share(_pairs(zip(phones, truth, strict=True)), true_pairs),
    )
    for setting in settings:
        evaluation.measures.append(_replay(month, setting, evaluation, caller, task))
    return evaluation


def settings_to_measure(
    base: HotlineConfig, thresholds: Iterable[float], other_callers: Iterable[bool]
) -> list[HotlineConfig]:
    """The desk's `base` settings at each merge threshold (default its own; none below its `review_from`) and each
    rule for other callers."""
    chosen = sorted(set(thresholds)) or [base.merge_at]
    return [base.model_copy(update={"merge_at": max(at, base.review_from), "merge_other_callers": others})
            for at in chosen for others in other_callers]  # fmt: skip


def _replay(month: Sequence[LabelledTicket], settings: HotlineConfig, month_figures: Evaluation,
            caller: list[str | None], task: Task) -> Measure:  # fmt: skip
    index = TicketIndex(words=words_of(settings), weights=weights_of(settings))
    texts = [t.ticket for t in month]
    index.prepare(texts)
    case_of: dict[int, int] = {}  # ticket -> the case the desk put it in (its first ticket's id)
    labels: dict[int, set[str]] = {}  # case -> the file's labels of its tickets
    merged = shown = right = 0
    truth = [t.case for t in month]
    kinds: dict[int, str | None] = {}  # case -> its kind: its procedure's once a ticket started one (history)
    for text, label, kind in zip(texts, truth, [t.kind for t in month], strict=True):
        # as the desk: a complaint and a report never share a case (Art 7), nor does either join an answered question
        # (no case is decided in a replay)
        by_case = {c: one for c, one in weigh(index, text, case_of, settings).items()
                   if not kept_apart(kind, kinds.get(c), False)}  # fmt: skip
        joined = joining(by_case, settings)
        if joined is not None:
            case_of[text.id] = joined[0]
            merged += 1
        else:
            case_of[text.id] = text.id
            offered = suggestions(by_case)
            if offered:
                shown += 1
                right += label in labels[offered[0][0]]
        labels.setdefault(case_of[text.id], set()).add(label)
        if case_of[text.id] == text.id or procedure_of(kind):  # a complaint joining a question's case makes it one
            kinds[case_of[text.id]] = kind
        index.add(text)
        task.advance()
    desk = [case_of[t.id] for t in texts]
    both = _pairs(zip(desk, truth, strict=True))
    same = _pairs(zip(desk, truth, caller, strict=True), skip=_no_caller)
    true_pairs, same_caller_pairs = month_figures.true_pairs, month_figures.true_pairs_same_caller
    return Measure(
        merge_at=settings.merge_at,
        merge_other_callers=settings.merge_other_callers,
        merged=merged,
        pairs_merged=_pairs(desk),
        precision=_share(both, _pairs(desk)),
        recall=_share(both, true_pairs),
        recall_same_caller=_share(same, same_caller_pairs),
        recall_other_callers=_share(both - same, true_pairs - same_caller_pairs),
        review_share=shown / len(texts) if texts else 0.0,
        review_right=_share(right, shown),
    )


def _caller(ticket: LabelledTicket) -> str | None:
    """Who called, for telling pairs of the same caller: the phone, else the name (None: not known)."""
    return ticket.ticket.phone or real_name(ticket.ticket.caller_name)


def _no_caller(key: Any) -> bool:
    return key[-1] is None


def _pairs(groups: Iterable[Any], skip: Any = None) -> int:
    """The pairs of items sharing a group key (keys a `skip` test refuses count none)."""
    sizes = Counter(key for key in groups if skip is None or not skip(key))
    return sum(n * (n - 1) // 2 for n in sizes.values())


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None
