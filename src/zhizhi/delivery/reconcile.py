"""Reconciliation: for a period, what each department's sources brought in and what became of it at each target.

One line per (department, source, target):

- **intake**, from the batches stored in the period: `produced` (rows read) = `accepted` + `quarantined` +
  `skipped`; `versions` (new and changed records) and `unchanged` (accepted rows that confirmed the current
  version) split `accepted`; `replayed` counts quarantined rows a steward later replayed into records.
- **deliveries** to the line's target of the versions those batches (and their replays) made: `owed` =
  `delivered` + `pending` + `withheld` + `dead` + `unknown` + `superseded`, and `delivered` (reached the platform)
  = `acknowledged` + `rejected` (the platform refused) + `sent` (awaiting the platform's receipt); `withheld` were
  never sent (a code waits for a steward's decision in the code review queue); `superseded` were never sent and
  never will be (a newer version of the record reached the platform first).

A source delivered to two targets has two lines, its intake repeated on each; the totals count each source's
intake once and each delivery once. A target that takes a source (by its target file) has its line even when it
was owed nothing. Every figure is of the departments in the actor's scope, like `delivery_counts`. One
`ReconcileFilter` says what is covered, here, in the drill-down (`zhizhi.delivery.drilldown`) and in the export.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from zhizhi.access.departments import get_department_by_code, within_scope
from zhizhi.access.roles import Actor, require
from zhizhi.delivery.figures import Intake, Line, Outcome, ReconcileFilter, Reconciliation, assemble
from zhizhi.delivery.outbox import STATUSES
from zhizhi.delivery.period import Period, parse_period
from zhizhi.delivery.targets import TargetConfig
from zhizhi.errors import NotFoundError
from zhizhi.store.tables import Batch, Delivery, Department, QuarantineItem

ALL = ReconcileFilter()


@dataclass(frozen=True)
class Scope:
    """The checked filter: which batches count (the actor's, of the department, source and period), which target."""

    target: str | None
    clauses: list[ColumnElement[bool]]
    period: Period | None
    chosen: ReconcileFilter


def reconcile(
    session: Session,
    actor: Actor,
    chosen: ReconcileFilter = ALL,
    *,
    targets: Sequence[TargetConfig] = (),
) -> Reconciliation:
    """The figures of the batches `chosen` covers (stored in its period; all time when None) and their deliveries.

    `targets` are the workspace's target files: a target that takes a source has its line even when owed nothing.
    The filter's department is a department's code (its own batches, not its subtree's); an unknown target
    (neither a file nor in the outbox) is refused with the known ones.
    """
    scope = resolve(session, actor, chosen, targets=targets)
    intake, record_types = _intake(session, scope)
    owed = _deliveries(session, scope)
    names = _departments(session, {dept for dept, _ in intake})
    lines: list[Line] = []
    for key in sorted(intake, key=lambda k: (names[k[0]].path_key, k[1])):
        dept_id, source_name = key
        code, title = names[dept_id].code, names[dept_id].name
        taking = {t.name for t in targets if _takes(t, source_name, record_types[key], code)}
        chosen_targets = sorted(taking | set(owed.get(key, {})))
        if scope.target is not None:
            chosen_targets = [name for name in chosen_targets if name == scope.target]
            if not chosen_targets:
                continue
        if not chosen_targets:
            lines.append(Line(code, title, source_name, None, intake[key], Outcome()))
        for name in chosen_targets:
            lines.append(Line(code, title, source_name, name, intake[key], owed.get(key, {}).get(name, Outcome())))
    return assemble(scope.period, scope.chosen, lines)


def resolve(
    session: Session, actor: Actor, chosen: ReconcileFilter = ALL, *, targets: Sequence[TargetConfig] = ()
) -> Scope:
    """Check the filter (the period's form, the department in scope, the target known) into batch clauses."""
    require(actor, "data.read")
    parsed = parse_period(chosen.period) if chosen.period else None
    clauses: list[ColumnElement[bool]] = [within_scope(actor, Batch.department_id)]
    if chosen.department:
        clauses.append(Batch.department_id == get_department_by_code(session, actor, chosen.department).id)
    if chosen.source:
        clauses.append(Batch.source == chosen.source)
    if parsed is not None:
        clauses += [Batch.finished_at >= parsed.start, Batch.finished_at < parsed.end]
    if chosen.target:
        known = known_targets(session, targets)
        if chosen.target not in known:
            raise NotFoundError(
                f"No target `{chosen.target}`: it has no file in targets/ and nothing was ever owed to it. "
                f"Known targets: {', '.join(known) or 'none'}.",
                zh=f"没有交付目标「{chosen.target}」。已知目标：{'、'.join(known) or '无'}。",
            )
    return Scope(chosen.target, clauses, parsed, chosen.but(period=parsed.text if parsed else None))


def known_targets(session: Session, targets: Iterable[TargetConfig] = ()) -> list[str]:
    """Targets with a file, and targets something was ever owed to (a file since removed)."""
    owed = session.scalars(select(Delivery.target).distinct())
    return sorted({t.name for t in targets} | set(owed))


@dataclass(frozen=True)
class _Dept:
    code: str
    name: str
    path_key: tuple[int, ...]


def _intake(session: Session, scope: Scope) -> tuple[dict[tuple[int, str], Intake], dict[tuple[int, str], set[str]]]:
    """Per (department, source): the batches' counts; and the record types its batches held."""
    query = (
        select(
            Batch.department_id,
            Batch.source,
            Batch.record_type,
            func.count(),
            func.sum(Batch.rows_read),
            func.sum(Batch.rows_accepted),
            func.sum(Batch.rows_quarantined),
            func.sum(Batch.rows_skipped),
            func.sum(Batch.records_new + Batch.records_changed),
            func.sum(Batch.records_unchanged),
        )
        .where(*scope.clauses)
        .group_by(Batch.department_id, Batch.source, Batch.record_type)
    )
    replayed = _replayed(session, scope)
    found: dict[tuple[int, str], Intake] = {}
    kinds: dict[tuple[int, str], set[str]] = defaultdict(set)
    for dept_id, source, record_type, *counts in session.execute(query):
        key = (int(dept_id), str(source))
        found[key] = found.get(key, Intake()) + Intake(*(int(c or 0) for c in counts))
        kinds[key].add(str(record_type))
    for key, count in replayed.items():
        found[key] = found[key] + Intake(replayed=count)
    return found, kinds


def _replayed(session: Session, scope: Scope) -> dict[tuple[int, str], int]:
    query = (
        select(Batch.department_id, Batch.source, func.count())
        .select_from(QuarantineItem)
        .join(Batch, Batch.id == QuarantineItem.batch_id)
        .where(*scope.clauses, QuarantineItem.status == "replayed")
        .group_by(Batch.department_id, Batch.source)
    )
    return {(int(d), str(s)): int(n) for d, s, n in session.execute(query)}


def _deliveries(session: Session, scope: Scope) -> dict[tuple[int, str], dict[str, Outcome]]:
    """Per (department, source) and target: the deliveries of the batches' versions by status."""
    query = (
        select(Batch.department_id, Batch.source, Delivery.target, Delivery.status, func.count())
        .select_from(Delivery)
        .join(Batch, Batch.id == Delivery.batch_id)
        .where(*scope.clauses)
        .group_by(Batch.department_id, Batch.source, Delivery.target, Delivery.status)
    )
    if scope.target is not None:
        query = query.where(Delivery.target == scope.target)
    found: dict[tuple[int, str], dict[str, Outcome]] = defaultdict(dict)
    for dept_id, source, target, status, count in session.execute(query):
        if status not in STATUSES:
            continue
        per_target = found[(int(dept_id), str(source))]
        per_target[target] = per_target.get(target, Outcome()) + Outcome(**{status: int(count)})
    return found


def _departments(session: Session, ids: set[int]) -> dict[int, _Dept]:
    if not ids:
        return {}
    query = select(Department.id, Department.code, Department.name, Department.path).where(Department.id.in_(ids))
    return {
        int(i): _Dept(code, name, tuple(int(p) for p in path.strip("/").split("/") if p))
        for i, code, name, path in session.execute(query)
    }


def _takes(target: TargetConfig, source: str, record_types: set[str], department: str) -> bool:
    """Whether the target's file takes a source's records (as `TargetConfig.takes`, from what the batches say)."""
    return (
        bool(record_types.intersection(target.record_types))
        and (not target.filter.sources or source in target.filter.sources)
        and (not target.filter.departments or department in target.filter.departments)
    )
