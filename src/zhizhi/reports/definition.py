"""Reports as files: `reports/NAME.yaml` in the workspace says what one report counts, for whom, and how often.

```yaml
name: entities-by-county
title: 市场主体发展情况月报
requester: 市政府办公室               # the office that asks for it
department: LZ-DJ                     # the issuing department: the report sees what it may see
frequency: monthly                    # daily, weekly, monthly, quarterly or on_demand
minutes: 90                           # what filling it by hand took someone, per run
query:
  from: records                       # records, entities, deliveries, quarantine, audit, cases or workload
  record_type: entity                 # records only
  period: founded_on                  # the date field that places a row in a period
  where: {entity_type: {prefix: 有限}}  # equals (a bare value), in (a list), between, before, not_before, prefix,
                                      # empty
  group_by: [county]                  # department, county, division, section (industry) or a field
measures:
  - {name: new, label: 新设, kind: count}
  - {name: active, label: 在业, kind: count, where: {status: active}, period: false}
  - {name: change, label: 新设增减, kind: change, of: new}
```
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from zhizhi.config.files import NAME_PATTERN, NamedFiles
from zhizhi.privacy.catalogue import FREE_TEXT, personal_columns
from zhizhi.records import record_types
from zhizhi.reports.origins import (
    CLOCK_STATES,
    GROUPINGS,
    PYTHON_FIELDS,
    division_field,
    fields_of,
    has_department,
    industry_field,
)

REPORTS_FOLDER = "reports"
Scalar = str | int | float | bool | date
CELL_VALUES = ("title", "requester", "department", "period", "period_first", "period_last", "snapshot_at",
               "run_id", "content_hash", "frequency")  # fmt: skip


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class FilterConfig(_Strict):
    """One condition on a field; a bare value means `equals`, a list means `in`."""

    equals: Scalar | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in")
    between: tuple[Scalar, Scalar] | None = None
    prefix: str | None = None
    empty: bool | None = None
    before: Scalar | None = None
    not_before: Scalar | None = None  # on or after the day, or empty (not closed yet)

    # Dates may be written `$period_first` / `$period_last`: the run's period's first or last day.

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, list):
            return {"in": value}
        return value if isinstance(value, dict) else {"equals": value}

    @model_validator(mode="after")
    def _one(self) -> FilterConfig:
        if len(self.model_fields_set) != 1:
            raise ValueError(
                "give exactly one of `equals`, `in`, `between`, `before`, `not_before`, `prefix` or `empty`"
            )
        return self

    @property
    def op(self) -> tuple[str, Any]:
        name = next(iter(self.model_fields_set))
        return ("in" if name == "in_" else name), getattr(self, name)


class QueryConfig(_Strict):
    """The data a report reads: where from, which rows, grouped how, placed in periods by which date."""

    from_: Literal["records", "entities", "deliveries", "quarantine", "audit", "cases", "workload"] = Field(
        alias="from"
    )
    record_type: str | None = Field(default=None, description="records: the record type (see docs/model.md)")
    period: str | None = Field(default=None, description="the date field that places a row in a period")
    where: dict[str, FilterConfig] = Field(default_factory=dict, description="field -> condition, all must hold")
    group_by: list[str] = Field(default_factory=list, max_length=3, description="department, county, ... or fields")


class MeasureConfig(_Strict):
    """One figure per group: a count, a sum, distinct values or entities, a share, a change on the period before, or
    a ratio of two measures in percent."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,40}$")
    label: str = Field(min_length=1, max_length=60)
    kind: Literal["count", "sum", "distinct", "share", "change", "ratio"] = "count"
    field: str | None = Field(default=None, description="sum: the number field; distinct: the field (default: entity)")
    of: str | None = Field(
        default=None, description="share: the measure it is a share of; change, ratio: the measure"
    )
    per: str | None = Field(default=None, description="ratio: the measure `of` is divided by (in percent)")
    percent: bool = Field(default=False, description="change: in percent of the period before")
    where: dict[str, FilterConfig] = Field(default_factory=dict, description="this measure's own conditions")
    period: bool | str = Field(
        default=True, description="false: every row at the snapshot; a date field: rows whose date is in the period"
    )


class TemplateConfig(_Strict):
    """The requester's own Excel workbook: named cells filled with the run's facts, a named row repeated per group."""

    file: str = Field(description="the workbook, relative to reports/ (e.g. templates/entities.xlsx)")
    cells: dict[str, str] = Field(default_factory=dict, description="defined name -> title, period, total.MEASURE ...")
    table: str | None = Field(default=None, description="defined name of the table's first data row")
    columns: list[str] = Field(default_factory=list, description="what each column of the table row holds")


class ReportConfig(_Strict):
    """The whole of `reports/NAME.yaml`."""

    name: str = Field(pattern=NAME_PATTERN, description="the report's name, the same as its file name")
    title: str = Field(min_length=1, max_length=100)
    requester: str = Field(min_length=1, max_length=100, description="the office that asks for the report")
    department: str = Field(min_length=1, max_length=32, description="code of the issuing department")
    frequency: Literal["daily", "weekly", "monthly", "quarterly", "on_demand"]
    minutes: int = Field(default=0, ge=0, le=10_000, description="minutes a person spent filling it by hand, per run")
    description: str | None = Field(default=None, max_length=1000)
    query: QueryConfig
    measures: list[MeasureConfig] = Field(min_length=1, max_length=30)
    template: TemplateConfig | None = None
    deliver: bool = Field(default=False, description="each run owed to the targets that take `report_run` records")
    retire_after: int = Field(default=3, ge=1, le=36, description="flag it when no run of this many periods was read")

    @field_validator("requester", "title")
    @classmethod
    def _trimmed(cls, value: str) -> str:
        return value.strip()

    @model_validator(mode="after")
    def _consistent(self) -> ReportConfig:
        problems = query_problems(self.query) + measure_problems(self) + template_problems(self)
        if problems:
            # One error per problem, so that the file's message counts and names each of them.
            raise ValidationError.from_exception_data(
                type(self).__name__,
                [
                    InitErrorDetails(
                        type=PydanticCustomError("report", "{problem}", {"problem": p}), loc=(), input=None
                    )
                    for p in problems
                ],
            )
        return self

    def measure(self, name: str) -> MeasureConfig:
        return next(m for m in self.measures if m.name == name)


def query_problems(query: QueryConfig) -> list[str]:
    """What is wrong with a query, each problem naming its key."""
    origin, kind = query.from_, query.record_type
    if origin == "records" and kind not in record_types():
        known = ", ".join(sorted(record_types()))
        return [f"`query.record_type` = `{kind}` is not a record type; give one of {known}"]
    if origin != "records" and kind is not None:
        return [f"`query.record_type` is for `from: records` only; remove it for `from: {origin}`"]
    names = fields_of(origin, kind)
    problems = field_problems("query.where", list(query.where), origin, kind)
    for key, condition in query.where.items():
        problems += value_problems(f"query.where.{key}", key, origin, condition)
    if query.period is not None:
        if query.period not in names:
            problems += field_problems("query.period", [query.period], origin, kind)
        elif names[query.period] not in ("date", "datetime"):
            problems.append(f"`query.period` = `{query.period}` is not a date field; name one that holds a date")
    for key in query.group_by:
        if key == "department" and not has_department(origin):
            problems.append(f"`query.group_by`: `{origin}` rows belong to no department; group them otherwise")
        elif key in ("county", "division") and division_field(origin, kind) is None:
            problems.append(f"`query.group_by`: `{origin}` rows have no division code to group by `{key}`")
        elif key == "section" and industry_field(origin, kind) is None:
            problems.append(f"`query.group_by`: `{origin}` rows have no industry code to group by `section`")
        elif key not in GROUPINGS:
            problems += field_problems("query.group_by", [key], origin, kind, filters_only=False)
            problems += personal_problems(key, origin, kind)
    if len(set(query.group_by)) != len(query.group_by):
        problems.append("`query.group_by` names a key twice; name each once")
    return problems


def personal_problems(name: str, origin: str, kind: str | None) -> list[str]:
    """A group named by a field of personal data (not free text): its values would be the labels of the report's
    tables, files and delivered figures, so a report is never grouped by one."""
    record_type = kind if origin == "records" else "entity" if origin == "entities" else None
    category = personal_columns(record_type).get(name) if record_type else None
    if category is None or category == FREE_TEXT:
        return []
    return [
        f"`query.group_by`: `{name}` ({category}) is personal data; a report lists no person's {category}: group by "
        "a department, county, division, section or a field that is not personal, or count it with a `distinct` "
        "measure instead"
    ]


def free_text_groups(query: QueryConfig) -> list[str]:
    """The group keys that are free text (which may hold a person's numbers): their labels are shown masked."""
    record_type = query.record_type if query.from_ == "records" else "entity" if query.from_ == "entities" else None
    columns = personal_columns(record_type) if record_type else {}
    return [key for key in query.group_by if columns.get(key) == FREE_TEXT]


def field_problems(
    where: str, names: list[str], origin: str, kind: str | None, *, filters_only: bool = True
) -> list[str]:
    """Unknown fields, each with the fields there are."""
    known = fields_of(origin, kind)
    what = f"`{kind}` records" if origin == "records" else f"`{origin}`"
    problems = []
    for name in names:
        if name not in known or (not filters_only and (origin, name) in PYTHON_FIELDS):
            problems.append(f"`{where}`: `{name}` is not a field of {what}; its fields: {', '.join(sorted(known))}")
    return problems


def value_problems(where: str, name: str, origin: str, condition: FilterConfig) -> list[str]:
    op, value = condition.op
    if (origin, name) in PYTHON_FIELDS:
        values = value if isinstance(value, list) else [value]
        if op not in ("equals", "in") or any(v not in CLOCK_STATES for v in values):
            return [f"`{where}`: `{name}` takes `equals` or `in` of {', '.join(CLOCK_STATES)}"]
    return []


def measure_problems(report: ReportConfig) -> list[str]:
    """What is wrong with the measures: unknown fields, references to measures not defined before."""
    problems: list[str] = []
    origin, kind = report.query.from_, report.query.record_type
    names = fields_of(origin, kind)
    seen: dict[str, MeasureConfig] = {}
    for number, measure in enumerate(report.measures, 1):
        at = f"measures.{number} ({measure.name})"
        if measure.name in seen:
            problems.append(f"`{at}`: the name `{measure.name}` is used twice; give each measure its own name")
        problems += field_problems(f"{at}.where", list(measure.where), origin, kind)
        for key, condition in measure.where.items():
            problems += value_problems(f"{at}.where.{key}", key, origin, condition)
        if measure.kind == "sum" and (measure.field is None or names.get(measure.field) not in ("number", "text")):
            problems.append(f"`{at}.field`: a sum needs a number field of `{origin}`")
        if measure.kind == "distinct" and measure.field is not None:
            problems += field_problems(f"{at}.field", [measure.field], origin, kind, filters_only=False)
        if measure.kind == "ratio":
            problems += ratio_problems(at, measure, seen)
        elif measure.per is not None:
            problems.append(f"`{at}.per` is for a ratio only; remove it")
        if measure.kind in ("share", "change"):
            ref = seen.get(measure.of or "")
            if measure.of is not None and ref is None:
                problems.append(f"`{at}.of` = `{measure.of}` names no measure defined above it; list that one first")
            elif measure.kind == "change" and (ref is None or ref.kind in ("share", "change")):
                problems.append(f"`{at}.of`: a change needs a count, sum or distinct measure above it")
            elif measure.kind == "share" and ref is not None and ref.kind not in ("count", "distinct"):
                problems.append(f"`{at}.of`: a share is of a count or distinct measure")
        if measure.kind in ("count", "share", "change", "ratio") and measure.field is not None:
            problems.append(f"`{at}.field`: a {measure.kind} takes no field; remove it")
        if measure.period is False and report.query.period is None:
            problems.append(f"`{at}.period`: the query has no `period` field, so every row counts already")
        if isinstance(measure.period, str) and names.get(measure.period) not in ("date", "datetime"):
            problems.append(f"`{at}.period` = `{measure.period}` is not a date field of `{origin}`; name one")
        seen[measure.name] = measure
    return problems


def ratio_problems(at: str, measure: MeasureConfig, seen: dict[str, MeasureConfig]) -> list[str]:
    """A ratio divides one count, sum or distinct measure defined above it by another."""
    problems = []
    for key in ("of", "per"):
        name = getattr(measure, key)
        ref = seen.get(name or "")
        if ref is None or ref.kind not in ("count", "sum", "distinct"):
            problems.append(f"`{at}.{key}` = `{name}`: a ratio needs a count, sum or distinct measure above it")
    return problems


def template_problems(report: ReportConfig) -> list[str]:
    template = report.template
    if template is None:
        return []
    known = set(CELL_VALUES) | {f"total.{m.name}" for m in report.measures}
    columns = set(report.query.group_by) | {f"{g}_name" for g in report.query.group_by}
    columns |= {m.name for m in report.measures}
    problems = [
        f"`template.cells.{cell}` = `{value}` is not a value a cell can hold; use one of {', '.join(sorted(known))}"
        for cell, value in template.cells.items()
        if value not in known
    ]
    problems += [
        f"`template.columns`: `{c}` is neither a group key, a group's `_name` nor a measure of this report"
        for c in template.columns
        if c not in columns
    ]
    if template.columns and template.table is None:
        problems.append("`template.columns` needs `template.table`, the defined name of the table's first data row")
    if ".." in template.file.replace("\\", "/").split("/") or template.file.startswith("/"):
        problems.append(f"`template.file` = `{template.file}` must be a path inside reports/")
    return problems


FILES = NamedFiles(
    REPORTS_FOLDER,
    ReportConfig,
    "report",
    "报表",
    "Install the built-in ones with `zhizhi reports install`, or write one by the example in docs/reports.md.",
)
