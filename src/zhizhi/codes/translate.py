"""Translate codes from one list to another: one engine for a single code and for a whole column.

Every result says how it was reached (exact, roll-up, rule, decision, chained) or why there is no answer
(unmapped, ambiguous, blank): nothing is dropped or defaulted.
"""

from __future__ import annotations

import json
from collections import defaultdict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.codes.crosswalks import Pair, list_crosswalks, pairs_in_force
from zhizhi.codes.hierarchy import Hierarchy
from zhizhi.codes.lists import get_code_list, load_hierarchy
from zhizhi.errors import NotFoundError
from zhizhi.ingest.normalize.text import clean_identifier_value
from zhizhi.store.tables import CodeDecision

if TYPE_CHECKING:
    import polars as pl

MAX_LEGS = 3
# Per code, the decisions in force: the record fields each holds for (most first), and the code decided (None: none).
Decisions = dict[str, list[tuple[dict[str, str], str | None]]]


class Method(StrEnum):
    """How a translation was reached, or why it was not."""

    EXACT = "exact"
    ROLL_UP = "roll-up"
    RULE = "rule"
    DECISION = "decision"
    CHAINED = "chained"
    UNMAPPED = "unmapped"
    AMBIGUOUS = "ambiguous"
    BLANK = "blank"


FAILURES = frozenset({Method.UNMAPPED, Method.AMBIGUOUS, Method.BLANK})


@dataclass(frozen=True)
class Translation:
    """The answer for one code: the code in the target list (None when there is none), and how."""

    code: str | None
    to_code: str | None
    method: Method
    detail: str = ""
    candidates: tuple[str, ...] = ()
    via: tuple[str, ...] = ()
    # The record fields the answer depended on (a rule's field): a steward's decision is kept for them.
    context_fields: tuple[str, ...] = ()
    decided: bool = False

    @property
    def ok(self) -> bool:
        return self.method not in FAILURES


def context_key(fields: Mapping[str, str | None]) -> str:
    """The canonical text of the record fields a decision depends on."""
    return json.dumps({k: (v or "") for k, v in sorted(fields.items())}, ensure_ascii=False, separators=(",", ":"))


@dataclass
class Leg:
    """One crosswalk (or the identity) from list to list, with the from-list's tree for roll-ups and the to-list's
    version in force on the day (`target`): a code it does not have, or has retired, is no answer."""

    from_list: str
    to_list: str
    hierarchy: Hierarchy
    pairs: dict[str, list[Pair]]
    identity: bool = False
    target: Hierarchy | None = None
    day: date | None = None
    # The stewards' decisions for this step, when it is one step of a longer route: they come before its crosswalk.
    decisions: Decisions = field(default_factory=dict)

    @property
    def rule_fields(self) -> set[str]:
        return {p.rule_field for group in self.pairs.values() for p in group if p.rule_field}

    def translate(self, code: str, context: Mapping[str, str | None]) -> Translation:
        """The answer of this step (a decision, else its crosswalk), kept only when its code is in force in the to-list
        on the day."""
        decided = decided_answer(self.decisions, code, context)
        return decided if decided is not None else self._in_force(self._translate(code, context))

    def _translate(self, code: str, context: Mapping[str, str | None]) -> Translation:
        if self.identity:
            if code in self.hierarchy:
                return Translation(code, code, Method.EXACT)
            return Translation(code, None, Method.UNMAPPED, f"`{code}` is not in `{self.from_list}`")
        direct = self._resolve(code, code, context)
        if direct is not None:
            return direct
        if code in self.hierarchy:
            for ancestor in self.hierarchy.ancestors(code):
                found = self._resolve(code, ancestor, context)
                if found is not None:
                    if not found.ok:
                        return found
                    return Translation(
                        code,
                        found.to_code,
                        Method.ROLL_UP,
                        f"rolled up to `{ancestor}`, then {found.method}",
                        found.candidates,
                        context_fields=found.context_fields,
                    )
        if code not in self.hierarchy:
            return Translation(
                code,
                None,
                Method.UNMAPPED,
                f"`{code}` is not a code of `{self.from_list}` (version {self.hierarchy.version})",
            )
        return Translation(
            code,
            None,
            Method.UNMAPPED,
            f"neither `{code}` nor its parents have a row in `{self.from_list}` -> `{self.to_list}`",
        )

    def _in_force(self, answer: Translation) -> Translation:
        # A crosswalk row (or a code of the list itself) may name a code the to-list has retired since, or not yet
        # brought in: delivered, it would be a code the list does not have on that day.
        if self.target is None:
            return answer
        if answer.candidates and answer.to_code is None:
            kept = tuple(c for c in answer.candidates if self._why_not(c) is None)
            if kept != answer.candidates:
                left = f"; {len(answer.candidates) - len(kept)} candidate(s) not in force left out"
                method = answer.method if kept else Method.UNMAPPED
                return replace(answer, method=method, detail=answer.detail + left, candidates=kept)
            return answer
        why = self._why_not(answer.to_code) if answer.to_code is not None else None
        if why is None:
            return answer
        return Translation(
            answer.code,
            None,
            Method.UNMAPPED,
            f"`{answer.to_code}` ({answer.method}) {why}",
            context_fields=answer.context_fields,
        )

    def _why_not(self, code: str) -> str | None:
        """Why a code of the to-list is no answer on the day, or None when it is in force."""
        assert self.target is not None
        info = self.target.codes.get(code)
        if info is None:
            return f"is not in `{self.to_list}` version {self.target.version}, in force on {self.day}"
        if not info.valid_on(self.day):
            return f"of `{self.to_list}` is not in force on {self.day} (valid {info.valid_from or '…'} to " + (
                f"{info.valid_to or '…'})"
            )
        return None

    def _resolve(self, code: str, key: str, context: Mapping[str, str | None]) -> Translation | None:
        group = self.pairs.get(key)
        if not group:
            return None
        targets = sorted({p.to_code for p in group})
        if len(targets) == 1:
            return Translation(code, targets[0], Method.EXACT)
        rule_field = group[0].rule_field
        if rule_field is None:
            return Translation(
                code, None, Method.AMBIGUOUS, f"`{key}` splits into {len(targets)} codes", tuple(targets)
            )
        value = (context.get(rule_field) or "").strip()
        chosen = sorted({p.to_code for p in group if p.rule_value == value})
        if len(chosen) == 1:
            return Translation(
                code, chosen[0], Method.RULE, f"`{rule_field}` = `{value}`", context_fields=(rule_field,)
            )
        return Translation(
            code,
            None,
            Method.AMBIGUOUS,
            f"no rule for `{rule_field}` = `{value}`",
            tuple(targets),
            context_fields=(rule_field,),
        )


@dataclass
class Translator:
    """Translates from one list to another along a route of crosswalks, with the stewards' decisions first."""

    from_list: str
    to_list: str
    legs: list[Leg]
    decisions: Decisions = field(default_factory=dict)

    @property
    def rule_fields(self) -> list[str]:
        """The record fields some rule of the route reads: pass them as context."""
        return sorted(set().union(*(leg.rule_fields for leg in self.legs)))

    @property
    def route(self) -> list[str]:
        return [self.from_list] + [leg.to_list for leg in self.legs]

    def translate(self, code: str | None, context: Mapping[str, str | None] | None = None) -> Translation:
        """Translate one code; `context` holds the record's other fields for rules."""
        cleaned = clean_identifier_value(str(code)) if code is not None else None
        if cleaned is None:
            return Translation(code, None, Method.BLANK, "no code given")
        code = cleaned  # as ingest cleans a code: full-width `０５１１` is 0511
        context = context or {}
        decided = self._decision(code, context)
        if decided is not None:
            return decided
        if len(self.legs) == 1:
            return self.legs[0].translate(code, context)
        current, methods = code, []
        for leg in self.legs:
            step = leg.translate(current, context)
            if not step.ok:
                where = f" (at `{leg.from_list}` -> `{leg.to_list}`)" if leg.to_list not in step.detail else ""
                return Translation(
                    code,
                    None,
                    step.method,
                    step.detail + where,
                    step.candidates,
                    context_fields=step.context_fields,
                    decided=step.decided,
                )
            methods.append(f"{step.method}" + (f" ({step.detail})" if step.detail else ""))
            assert step.to_code is not None
            current = step.to_code
        via = tuple(leg.to_list for leg in self.legs[:-1])
        return Translation(code, current, Method.CHAINED, " -> ".join(methods), via=via)

    def translate_column(
        self, codes: Sequence[str | None] | pl.Series, context: pl.DataFrame | None = None
    ) -> pl.DataFrame:
        """Translate a column: each distinct (code, rule fields) once, then joined back; row order kept.

        Returns `code`, `to_code`, `method`, `detail` for every input row.
        """
        import polars as pl

        frame = pl.DataFrame({"code": pl.Series(codes, dtype=pl.String)})
        fields = [f for f in self.rule_fields if context is not None and f in context.columns]
        if context is not None and fields:
            frame = frame.with_columns(context.select(fields).cast(pl.String))
        keys = frame.unique(subset=["code", *fields], maintain_order=True)
        answers = [self.translate(row["code"], {f: row[f] for f in fields}) for row in keys.iter_rows(named=True)]
        keys = keys.with_columns(
            pl.Series("to_code", [a.to_code for a in answers], dtype=pl.String),
            pl.Series("method", [str(a.method) for a in answers], dtype=pl.String),
            pl.Series("detail", [a.detail for a in answers], dtype=pl.String),
        )
        joined = frame.join(keys, on=["code", *fields], how="left", nulls_equal=True, maintain_order="left")
        return joined.select("code", "to_code", "method", "detail", *fields)

    def _decision(self, code: str, context: Mapping[str, str | None]) -> Translation | None:
        return decided_answer(self.decisions, code, context)


def decided_answer(decisions: Decisions, code: str, context: Mapping[str, str | None]) -> Translation | None:
    """The stewards' answer for a code in a record: the most specific decision whose fields all match the record's."""
    for fields, target in decisions.get(code, []):
        if all((context.get(k) or "").strip() == v for k, v in fields.items()):
            if target is None:
                said = "a steward decided there is no equivalent"
                return Translation(code, None, Method.UNMAPPED, said, decided=True)
            return Translation(code, target, Method.DECISION, "decided by a data steward")
    return None


def build_translator(
    session: Session, from_list: str, to_list: str, *, as_of: date | None = None, from_version: str | None = None
) -> Translator:
    """The translator along the shortest route of crosswalks in force.

    `as_of` (default today) picks the list versions and the crosswalk rows valid on that day.
    """
    get_code_list(session, from_list), get_code_list(session, to_list)
    day = as_of or date.today()
    route = _route(session, from_list, to_list)
    in_force: dict[str, Hierarchy] = {}  # each list's version in force on the day, loaded once

    def tree(name: str) -> Hierarchy:
        if name not in in_force:
            in_force[name] = load_hierarchy(session, name, as_of=day)
        return in_force[name]

    legs = []
    for index, (source, target) in enumerate(route):
        named = index == 0 and from_version is not None
        hierarchy = load_hierarchy(session, source, version=from_version) if named else tree(source)
        if source == target:
            legs.append(Leg(source, target, hierarchy, {}, identity=True, target=tree(target), day=day))
            continue
        crosswalk = next(c for c in list_crosswalks(session) if (c.from_list, c.to_list) == (source, target))
        pairs: dict[str, list[Pair]] = defaultdict(list)
        for pair in pairs_in_force(session, crosswalk):
            if pair.valid_on(day):
                pairs[pair.from_code].append(pair)
        # A step of a longer route uses the decisions made on its own pair of lists, as translating that pair would.
        steps = _decisions(session, source, target, tree(target), day) if len(route) > 1 else {}
        legs.append(Leg(source, target, hierarchy, dict(pairs), target=tree(target), day=day, decisions=steps))
    return Translator(from_list, to_list, legs, _decisions(session, from_list, to_list, tree(to_list), day))


def _route(session: Session, from_list: str, to_list: str) -> list[tuple[str, str]]:
    if from_list == to_list:
        return [(from_list, to_list)]
    edges: dict[str, list[str]] = defaultdict(list)
    for crosswalk in list_crosswalks(session):
        edges[crosswalk.from_list].append(crosswalk.to_list)
    previous: dict[str, str] = {}
    queue, seen = deque([(from_list, 0)]), {from_list}
    while queue:
        current, depth = queue.popleft()
        if current == to_list:
            break
        if depth == MAX_LEGS:
            continue
        for following in sorted(edges[current]):
            if following not in seen:
                seen.add(following)
                previous[following] = current
                queue.append((following, depth + 1))
    if to_list not in previous:
        raise NotFoundError(
            f"No crosswalk leads from `{from_list}` to `{to_list}` (in up to {MAX_LEGS} steps). "
            "Import one with `zhizhi codes import --crosswalk`.",
            zh=f"没有从 `{from_list}` 到 `{to_list}` 的对照表（最多经过 {MAX_LEGS} 步）。",
        )
    hops, current = [], to_list
    while current != from_list:
        hops.append((previous[current], current))
        current = previous[current]
    return list(reversed(hops))


def _decisions(session: Session, from_list: str, to_list: str, in_force: Hierarchy, day: date) -> Decisions:
    """The decisions in force from one list to another; one naming a code the to-list has retired since is not
    applied."""
    stmt = select(CodeDecision.from_code, CodeDecision.context, CodeDecision.to_code).where(
        CodeDecision.from_list == from_list, CodeDecision.to_list == to_list, CodeDecision.active.is_(True)
    )
    found: Decisions = defaultdict(list)
    for row in session.execute(stmt):
        # Keyed as the translator reads codes: a decision made on an item spelled `６２１０` applies to `6210`.
        found[clean_identifier_value(row.from_code) or row.from_code].append((json.loads(row.context), row.to_code))
    return {
        code: sorted(kept, key=lambda item: -len(item[0]))
        for code, items in found.items()
        if (kept := [(f, t) for f, t in items if t is None or (t in in_force and in_force.codes[t].valid_on(day))])
    }
