"""Columns to fields, one to one: greedily by confidence, then improved by swaps; and what came close behind."""

from __future__ import annotations

from collections.abc import Sequence

from zhizhi.sources.suggest.evidence import FLOOR


def assign(scores: dict[tuple[str, str], float], fields: Sequence[str], columns: Sequence[str]) -> dict[str, str]:
    """Field -> column, one to one, no pair below FLOOR: greedy by confidence, then swaps that raise the total."""
    field_order = {name: i for i, name in enumerate(fields)}
    column_order = {name: i for i, name in enumerate(columns)}
    pairs = sorted(
        (pair for pair, score in scores.items() if score >= FLOOR),
        key=lambda pair: (-scores[pair], field_order[pair[0]], column_order[pair[1]]),
    )
    chosen: dict[str, str] = {}
    taken: set[str] = set()
    for name, column in pairs:
        if name not in chosen and column not in taken:
            chosen[name] = column
            taken.add(column)

    def score(name: str, column: str) -> float:
        value = scores.get((name, column), 0.0)
        return value if value >= FLOOR else float("-inf")

    improved = True
    while improved:
        improved = False
        for first, second in [(a, b) for a in list(chosen) for b in list(chosen) if a != b]:
            now = score(first, chosen[first]) + score(second, chosen[second])
            if score(first, chosen[second]) + score(second, chosen[first]) > now + 1e-9:
                chosen[first], chosen[second] = chosen[second], chosen[first]
                improved = True
        free_fields = [name for name in fields if name not in chosen]
        free_columns = [column for column in columns if column not in taken]
        for name in list(chosen):
            for other in free_fields:
                for column in free_columns:
                    current = chosen[name]
                    gain = score(name, column) + score(other, current) - score(name, current)
                    if other not in chosen and column not in taken and gain > 1e-9:
                        chosen[name], chosen[other] = column, current
                        taken.add(column)
                        improved = True
    return chosen


CLOSE = 0.05
"""A pair this close below a chosen pair is its runner-up: listed, so that the steward checks which is meant."""


def runners_up(
    scores: dict[tuple[str, str], float], chosen: dict[str, str], pair: tuple[str, str], exact: set[tuple[str, str]]
) -> list[tuple[str, str, float]]:
    """The pairs close behind a chosen `pair` (field, column), not placed as well where the assignment put them: the
    field from another column within CLOSE below it (a column headed exactly as the field is named is contested only
    by another exact header), or the column for another field as surely (a tie the field order broke). Two fields of
    one kind differ on a column by their headers only, which the values' evidence shrinks: 0.98 and 0.94 for a
    `投诉举报人电话` are the caller's phone and, far behind, the respondent's."""
    name, column = pair
    placed = {field: scores[(field, taken)] for field, taken in chosen.items()}
    held = {taken: placed[field] for field, taken in chosen.items()}
    found = []
    for (other, col), score in scores.items():
        floor = max(FLOOR, scores[pair] - (CLOSE if other == name else 1e-9))
        if (other == name) == (col == column) or score < floor or (pair in exact and (other, col) not in exact):
            continue
        better = placed.get(other, 0.0) if other != name else held.get(col, 0.0)
        if better < score:
            found.append((other, col, score))
    return sorted(found, key=lambda found: -found[2])
