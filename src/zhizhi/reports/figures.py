"""A report's figures: its query compiled to SQLAlchemy Core per measure, grouped, scoped, and put together as rows.

Each count, sum or distinct measure is one GROUP BY query on the origin, limited to the period (unless the measure
says `period: false`) and to what the issuing department may see; shares and changes are worked out from those.
The hotline's `clock` (breached, warning, ...) needs the working-day calendar, so rows filtered on it are fetched
and counted here rather than in SQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session

from zhizhi.access.roles import Actor
from zhizhi.privacy.catalogue import FREE_TEXT
from zhizhi.privacy.masking import mask
from zhizhi.reports.definition import FilterConfig, MeasureConfig, ReportConfig, free_text_groups
from zhizhi.reports.labels import Labels, field_label
from zhizhi.reports.origins import PYTHON_FIELDS, Frame
from zhizhi.reports.periods import Period
from zhizhi.store.types import LOCAL_TZ

Key = tuple[Any, ...]


@dataclass(frozen=True)
class Figures:
    """The rows (one per group, keys with their names) and the totals of one run."""

    columns: list[dict[str, str]]
    rows: list[dict[str, Any]]
    totals: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"columns": self.columns, "rows": self.rows, "totals": self.totals}


def compute(session: Session, report: ReportConfig, actor: Actor, period: Period, *, root: Any = None) -> Figures:
    """The figures of `report` for `period`, as `actor` (the issuing department) may see them."""
    labels = Labels.of(session, root)
    frame = Frame(report.query.from_, report.query.record_type, dialect(session), sections=labels.sections)
    groups = report.query.group_by
    by_group: dict[Key, dict[str, Any]] = defaultdict(dict)
    totals: dict[str, Any] = {}
    previous = period.previous()
    wanted_before = {m.of for m in report.measures if m.kind == "change"}
    before: dict[str, dict[Key, Any]] = {}
    for measure in report.measures:
        if measure.kind in ("share", "change", "ratio"):
            continue
        for key, value in _aggregate(session, frame, report, measure, actor, period, groups, root).items():
            by_group[key][measure.name] = value
        totals[measure.name] = _aggregate(session, frame, report, measure, actor, period, [], root).get((), 0)
        if measure.name in wanted_before:
            before[measure.name] = _aggregate(session, frame, report, measure, actor, previous, groups, root)
            before[measure.name][("__total__",)] = _aggregate(
                session, frame, report, measure, actor, previous, [], root
            ).get((), 0)
    shares = _shares(session, frame, report, actor, period, groups, root)
    keys = sorted(set(by_group) | {k for values in before.values() for k in values if k != ("__total__",)}, key=_order)
    rows, free_text = [], free_text_groups(report.query)
    for key in keys:
        row = {**labels.describe(groups, key, frame.origin, report.query.record_type)}
        for group in free_text:  # a free-text label may hold a person's numbers: they leave the hub masked
            row[group], row[f"{group}_name"] = mask(FREE_TEXT, row[group]), mask(FREE_TEXT, row[f"{group}_name"])
        for measure in report.measures:
            row[measure.name] = _value(measure, by_group[key], before, shares, key)
        rows.append(row)
    total_row = {m.name: _value(m, totals, before, shares, ("__total__",)) for m in report.measures}
    return Figures(_columns(report), rows, total_row)


def _value(
    measure: MeasureConfig, values: dict[str, Any], before: dict[str, dict[Key, Any]],
    shares: dict[str, dict[Key, float | None]], key: Key,
) -> Any:  # fmt: skip
    if measure.kind == "share":
        return shares.get(measure.name, {}).get(key)
    if measure.kind == "ratio":
        part, whole = values.get(measure.of or "", 0) or 0, values.get(measure.per or "", 0) or 0
        return round(part * 100 / whole, 1) if whole else None
    if measure.kind == "change":
        now = values.get(measure.of or "", 0) or 0
        then = before.get(measure.of or "", {}).get(key, 0) or 0
        if measure.percent:
            return None if not then else round((now - then) * 100 / then, 1)
        return round(now - then, 2) if isinstance(now - then, float) else now - then  # sums are in cents: so is this
    return values.get(measure.name, 0)


def _shares(
    session: Session, frame: Frame, report: ReportConfig, actor: Actor, period: Period, groups: list[str], root: Any
) -> dict[str, dict[Key, float | None]]:
    found: dict[str, dict[Key, float | None]] = {}
    for measure in (m for m in report.measures if m.kind == "share"):
        base = report.measure(measure.of) if measure.of else MeasureConfig(name="all", label="all")
        values: dict[Key, float | None] = {}
        for keys in (groups, []):
            whole = _aggregate(session, frame, report, base, actor, period, keys, root)
            some = _aggregate(session, frame, report, base, actor, period, keys, root, also=measure.where)
            for key, count in whole.items():
                values[key if keys else ("__total__",)] = round(some.get(key, 0) * 100 / count, 1) if count else None
        found[measure.name] = values
    return found


def _aggregate(
    session: Session, frame: Frame, report: ReportConfig, measure: MeasureConfig, actor: Actor, period: Period,
    groups: list[str], root: Any, also: dict[str, FilterConfig] | None = None,
) -> dict[Key, Any]:  # fmt: skip
    """One measure per group: {group key: value}. The report's conditions, the measure's and ALSO (a share's part)
    all hold, even when two of them name the same field (a county report's measure stays in the county)."""
    conditions = [*report.query.where.items(), *measure.where.items(), *(also or {}).items()]
    in_python = [(k, v) for k, v in conditions if (frame.origin, k) in PYTHON_FIELDS]
    in_sql = [(k, v) for k, v in conditions if (frame.origin, k) not in PYTHON_FIELDS]
    clauses = where_clauses(frame, in_sql, actor, period)
    by = measure.period if isinstance(measure.period, str) else report.query.period if measure.period else None
    if by is not None:
        clauses += frame.within(by, period.first, period.last)
    keys = [frame.grouping(g).label(f"g{n}") for n, g in enumerate(groups)]
    if in_python:
        return _count_in_python(session, frame, keys, clauses, in_python, period, root)
    value: Any = func.count()
    if measure.kind == "sum":
        value = func.coalesce(func.sum(frame.number(measure.field or "")), 0)
    elif measure.kind == "distinct":
        value = func.count(func.distinct(frame.field(measure.field) if measure.field else frame.entity()))
    query: Select[Any] = select(*keys, value).select_from(frame.source()).where(and_(*clauses))
    if keys:
        query = query.group_by(*keys)
    found = {}
    for row in session.execute(query):
        number = row[-1]
        found[tuple(_plain(v) for v in row[:-1])] = round(float(number), 2) if measure.kind == "sum" else int(number)
    return found


def where_clauses(
    frame: Frame, conditions: Iterable[tuple[str, FilterConfig]], actor: Actor, period: Period
) -> list[ColumnElement[bool]]:
    """The origin's own filter, the issuing department's scope and the conditions (field, condition), as SQL."""
    clauses = [frame.base_filter(), frame.scope(actor)]
    for name, condition in conditions:
        op, value = condition.op
        clauses.append(frame.condition(name, op, resolve(value, period)))
    return clauses


def resolve(value: Any, period: Period) -> Any:
    """`$period_first` and `$period_last` as the period's days."""
    if isinstance(value, list | tuple):
        return [resolve(v, period) for v in value]
    return (
        {"$period_first": period.first, "$period_last": period.last}.get(value, value)
        if isinstance(value, str)
        else value
    )


def _count_in_python(
    session: Session, frame: Frame, keys: list[Any], clauses: list[ColumnElement[bool]],
    conditions: list[tuple[str, FilterConfig]], period: Period, root: Any,
) -> dict[Key, Any]:  # fmt: skip
    """Cases counted by their clocks' state on the period's last day (or today, if sooner), when every condition
    on it holds."""
    from zhizhi.hotline.case_clocks import clock_states, worst
    from zhizhi.hotline.workdays import load_calendar
    from zhizhi.store.tables import Case

    calendar = load_calendar(root)
    at = min(period.last, datetime.now(LOCAL_TZ).date())
    wanted = []
    for _, condition in conditions:
        op, value = condition.op
        wanted.append(set(value) if op == "in" else {value})
    found: dict[Key, int] = defaultdict(int)
    query = select(Case, *keys).select_from(frame.source()).where(and_(*clauses))
    for row in session.execute(query):
        states = [state for _, state, _ in clock_states(session, row[0], calendar, at, 2)]
        if all(worst(states) in allowed for allowed in wanted):
            found[tuple(_plain(v) for v in row[1:])] += 1
    return dict(found)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _order(key: Key) -> tuple[Any, ...]:
    """Rows by their keys: blanks last, numbers (a department's id: the tree's order) as numbers, not as text
    (`11` before `4`), the rest as text."""
    return tuple(
        (v is None, (0, v, "") if isinstance(v, int | float) and not isinstance(v, bool) else (1, 0, str(v)))
        for v in key
    )


def _columns(report: ReportConfig) -> list[dict[str, str]]:
    """The columns of the figures: each group key and its name under the field's Chinese label, then each measure."""
    columns = []
    for key in report.query.group_by:
        label = field_label(report.query.from_, report.query.record_type, key)
        columns.append({"name": key, "label": label, "kind": "key"})
        columns.append({"name": f"{key}_name", "label": label + "名称", "kind": "name"})
    columns += [{"name": m.name, "label": m.label, "kind": m.kind} for m in report.measures]
    return columns


def dialect(session: Session) -> str:
    bind = session.get_bind()
    return bind.dialect.name
