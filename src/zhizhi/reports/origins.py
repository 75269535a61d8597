"""What a report may read (`from:`): records of a type, the register's entities, deliveries, quarantine, the audit
trail, hotline cases and the workload's work items (`zhizhi.workload.work_items`: cases, task parts and office
capacities as rows); for each, its fields, the department that owns a row, and SQL for both backends.

A field is a column or a value inside a JSON column (a record version's `data`, an entity's `golden`); JSON is read
with `json_extract` on SQLite and `jsonb_extract_path_text` on PostgreSQL, so one definition runs on either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, Float, FromClause, String, and_, case, cast, func, literal, null, or_, true
from sqlalchemy.dialects.postgresql import JSONB

from zhizhi.access.departments import within_scope
from zhizhi.access.roles import Actor
from zhizhi.config.models import GOLDEN_FIELDS
from zhizhi.ingest.kinds import output_columns
from zhizhi.records import record_types
from zhizhi.store.tables import (
    AuditEvent,
    Batch,
    Case,
    Delivery,
    Entity,
    EntityLink,
    QuarantineItem,
    Record,
    RecordVersion,
)
from zhizhi.store.types import LOCAL_TZ

ORIGINS = ("records", "entities", "deliveries", "quarantine", "audit", "cases", "workload")
GROUPINGS = ("department", "county", "division", "section")  # the rest of group_by are fields
FieldKind = Literal["text", "date", "datetime", "number"]

# Columns of each origin: field -> kind (JSON fields of records and entities come from their record type).
COLUMNS: dict[str, dict[str, FieldKind]] = {
    "records": {"source": "text", "created_at": "datetime", "updated_at": "datetime"},
    "entities": {
        "status": "text", "name": "text", "uscc": "text", "records": "number",
        "created_at": "datetime", "updated_at": "datetime",
    },
    "deliveries": {
        "target": "text", "status": "text", "attempts": "number", "record_type": "text", "source": "text",
        "created_at": "datetime", "sent_at": "datetime", "acknowledged_at": "datetime",
    },
    "quarantine": {
        "source": "text", "status": "text", "reasons": "text", "record_type": "text",
        "created_at": "datetime", "updated_at": "datetime",
    },
    "audit": {"action": "text", "actor": "text", "object_type": "text", "at": "datetime"},
    "cases": {
        "number": "text", "kind": "text", "stage": "text", "decision": "text", "decision_reason": "text",
        "respondent_division": "text", "received_on": "date", "accepted_on": "date", "decided_at": "datetime",
        "created_at": "datetime", "clock": "text",
    },
    "workload": {
        "kind": "text", "opened_at": "datetime", "closed_at": "datetime", "closed_as": "text", "due_on": "date",
        "capacity": "number",
    },
}  # fmt: skip
# Fields a record type's rows have beside its data, from its domain's tables: an inspection record's visit.
RECORD_COLUMNS: dict[str, dict[str, FieldKind]] = {"inspection": {"visit": "text"}}
PYTHON_FIELDS = {("cases", "clock")}  # worked out from the working-day calendar, not in SQL: filters only
CLOCK_STATES = ("breached", "warning", "unknown", "paused", "running", "met")


def fields_of(origin: str, record_type: str | None) -> dict[str, FieldKind]:
    """Every field a definition may name for `origin` (and record type), with its kind."""
    found = dict(COLUMNS.get(origin, {}))
    if origin == "entities":  # the register keeps these of an entity's records (its golden fields)
        return found | {name: "text" for name in GOLDEN_FIELDS if name not in found}
    kind = record_types().get(record_type or "") if origin == "records" else None
    if kind is not None:
        for spec in kind.fields:
            kind_of: FieldKind = "date" if spec.kind == "date" else "datetime" if spec.kind == "datetime" else "text"
            for column in output_columns(spec):
                found.setdefault(column, kind_of if column == spec.name else "text")
        found |= RECORD_COLUMNS.get(kind.name, {})
    return found


def _is_number(text: Any, dialect: str) -> ColumnElement[bool]:
    """Whether TEXT is a decimal number: an optional sign, digits, at most one point followed by digits."""
    if dialect == "postgresql":
        return text.op("~")(r"^[-+]?[0-9]+(\.[0-9]+)?$")  # type: ignore[no-any-return]
    unsigned = func.ltrim(text, "+-")
    return and_(  # SQLite has no regular expressions: GLOB says the same in three steps
        func.length(text) - func.length(unsigned) <= 1,
        unsigned.op("GLOB")("[0-9]*"),
        ~unsigned.op("GLOB")("*[^0-9.]*"),
        ~unsigned.op("GLOB")("*.*.*"),
        ~unsigned.op("GLOB")("*."),
    )


def division_field(origin: str, record_type: str | None) -> str | None:
    """The field holding a row's division code (for `county` and `division`), if the origin has one."""
    if origin == "cases":
        return "respondent_division"
    if origin == "entities":
        return "address_division_code"
    kind = record_types().get(record_type or "") if origin == "records" else None
    if kind is None:
        return None
    address = next((f.name for f in kind.fields if f.kind == "address"), None)
    return f"{address}_division_code" if address else None


def industry_field(origin: str, record_type: str | None) -> str | None:
    """The field holding a row's GB/T 4754 industry code (for `section`), if the origin has one."""
    names = fields_of(origin, record_type)
    return "industry_code" if origin in ("records", "entities") and "industry_code" in names else None


def has_department(origin: str) -> bool:
    return origin != "entities"


@dataclass
class Frame:
    """One origin compiled for one dialect: its FROM clause, its fields as SQL, and its scope."""

    origin: str
    record_type: str | None
    dialect: str
    sections: dict[str, str] = field(default_factory=dict)  # two-digit industry division -> section letter
    with_entities: bool = False
    items: Any = None  # the work items' subquery (`from: workload`), made once so every clause names the same one
    visits: Any = None  # the inspection records' visits (`visit`), joined once a clause names them

    def work(self) -> Any:
        """The work items' subquery of this frame."""
        if self.items is None:
            from zhizhi.workload.items import work_items

            self.items = work_items()
        return self.items

    def source(self) -> FromClause:
        """The FROM clause: the origin's table with what its fields and scope need joined."""
        if self.origin == "records":
            joined = Record.__table__.join(RecordVersion, RecordVersion.id == Record.version_id).join(
                Batch, Batch.id == RecordVersion.batch_id
            )
            if self.with_entities:
                joined = joined.outerjoin(EntityLink, EntityLink.record_id == Record.id)
            if self.visits is not None:
                joined = joined.outerjoin(self.visits, self.visits.c.record_id == Record.id)
            return joined
        if self.origin == "deliveries":
            joined = Delivery.__table__.join(Record, Record.id == Delivery.record_id).outerjoin(
                Batch, Batch.id == Delivery.batch_id
            )
            if self.with_entities:
                joined = joined.outerjoin(EntityLink, EntityLink.record_id == Record.id)
            return joined
        if self.origin == "quarantine":
            return QuarantineItem.__table__.join(Batch, Batch.id == QuarantineItem.batch_id)
        if self.origin == "workload":
            return self.work()  # type: ignore[no-any-return]
        table: Any = {"entities": Entity, "audit": AuditEvent, "cases": Case}[self.origin]
        return table.__table__  # type: ignore[no-any-return]

    def base_filter(self) -> ColumnElement[bool]:
        if self.origin == "records":
            return Record.record_type == self.record_type
        if self.origin == "entities":
            return Entity.status != "merged"
        if self.origin == "cases":
            return Case.stage != "merged"
        return true()

    def scope(self, actor: Actor) -> ColumnElement[bool]:
        """The rows the issuing department may see (the register's entities are shared by every department)."""
        if self.origin == "entities":
            return true()
        if self.origin == "cases":
            from zhizhi.hotline.cases import visible

            seen = visible(actor)
            return true() if seen is True else seen  # type: ignore[no-any-return,unused-ignore]
        return within_scope(actor, self.department())

    def department(self) -> Any:
        """The column of the department that owns a row."""
        if self.origin == "workload":
            return self.work().c.department_id
        return {
            "records": Batch.department_id,
            "deliveries": Batch.department_id,
            "quarantine": Batch.department_id,
            "audit": AuditEvent.department_id,
            "cases": func.coalesce(Case.office_id, Case.desk_id),
        }.get(self.origin, null())

    def entity(self) -> Any:
        """The column of the register entity a row concerns, for `distinct` entities."""
        if self.origin == "entities":
            return Entity.id
        if self.origin == "cases":
            return Case.entity_id
        if self.origin == "workload":
            return null()
        self.with_entities = True
        return EntityLink.entity_id

    def visit(self) -> Any:
        """An inspection record's visit: the number of the visit it was made for (a joint visit's records, one per
        department, share it), else the record's own id, so that a record of a department's own export is a visit
        of its own."""
        from zhizhi.inspections.visit_records import record_visits

        if self.visits is None:
            self.visits = record_visits()
        return func.coalesce(self.visits.c.number, literal("record-") + cast(Record.id, String))

    def created(self) -> Any:
        """When a row arrived (for late rows since an earlier run)."""
        if self.origin == "workload":
            return self.work().c.opened_at
        return {
            "records": RecordVersion.created_at,
            "entities": Entity.created_at,
            "deliveries": Delivery.created_at,
            "quarantine": QuarantineItem.created_at,
            "audit": AuditEvent.at,
            "cases": Case.created_at,
        }[self.origin]

    def key(self) -> Any:
        """What names one row in a list of late rows."""
        if self.origin == "workload":
            return self.work().c.kind
        return {
            "records": Record.key,
            "entities": func.coalesce(Entity.uscc, Entity.name),
            "deliveries": Delivery.record_key,
            "quarantine": QuarantineItem.id,
            "audit": AuditEvent.seq,
            "cases": Case.number,
        }[self.origin]

    def field(self, name: str) -> Any:
        """A field as SQL: a column, or text extracted from the origin's JSON."""
        if self.origin == "workload":
            return self.work().c[name]
        every: dict[str, dict[str, Any]] = {
            "records": {"source": Record.source, "created_at": Record.created_at, "updated_at": Record.updated_at},
            "entities": {
                "status": Entity.status, "name": Entity.name, "uscc": Entity.uscc, "records": Entity.records,
                "created_at": Entity.created_at, "updated_at": Entity.updated_at,
            },
            "deliveries": {
                "target": Delivery.target, "status": Delivery.status, "attempts": Delivery.attempts,
                "record_type": Record.record_type, "source": Record.source, "created_at": Delivery.created_at,
                "sent_at": Delivery.sent_at, "acknowledged_at": Delivery.acknowledged_at,
            },
            "quarantine": {
                "source": QuarantineItem.source, "status": QuarantineItem.status,
                "reasons": func.trim(QuarantineItem.reasons), "record_type": Batch.record_type,
                "created_at": QuarantineItem.created_at, "updated_at": QuarantineItem.updated_at,
            },
            "audit": {"action": AuditEvent.action, "actor": AuditEvent.actor,
                      "object_type": AuditEvent.object_type, "at": AuditEvent.at},
            "cases": {name: getattr(Case, name) for name in COLUMNS["cases"] if name != "clock"},
        }  # fmt: skip
        columns = every[self.origin]
        if name in columns:
            return columns[name]
        if self.origin == "records" and name in RECORD_COLUMNS.get(self.record_type or "", {}):
            return self.visit()
        if self.origin == "records":
            return self.json(RecordVersion.data, (name,))
        return self.json(Entity.golden, (name, "value"))

    def json(self, column: Any, path: tuple[str, ...]) -> Any:
        if self.dialect == "postgresql":
            return func.jsonb_extract_path_text(cast(column, JSONB), *(literal(p) for p in path))
        return func.json_extract(column, "$." + ".".join(f'"{p}"' for p in path))

    def kind(self, name: str) -> FieldKind:
        return fields_of(self.origin, self.record_type)[name]

    def is_column(self, name: str) -> bool:
        return name in COLUMNS[self.origin]

    def grouping(self, key: str) -> Any:
        """A group_by key as SQL: the owning department, county, division, industry section, or a field."""
        if key == "department":
            return self.department()
        if key in ("county", "division"):
            code = self.field(division_field(self.origin, self.record_type) or "")
            if key == "division":
                return code
            return case((func.substr(code, 5, 2) != "00", func.substr(code, 1, 6)), else_=null())
        if key == "section":
            two = func.substr(self.field(industry_field(self.origin, self.record_type) or ""), 1, 2)
            whens = [(two == division, section) for division, section in sorted(self.sections.items())]
            return case(*whens, else_=null()) if whens else null()
        return self.field(key)

    def number(self, name: str) -> Any:
        """A field as a number for `sum`: text written as a number (`1,234.5`, ` 12 `, `0012`) counts, and text that
        is not one (empty, a word) counts as nothing, where a plain cast reads `1,234` as 1 (SQLite) or stops the
        run (PostgreSQL)."""
        column = self.field(name)
        if self.is_column(name):
            return column
        plain = func.replace(func.trim(column), ",", "")
        return case((_is_number(plain, self.dialect), cast(plain, Float)), else_=null())

    def condition(self, name: str, op: str, value: Any) -> ColumnElement[bool]:
        """One filter on a field: equals, in, between, prefix or empty."""
        column = self.field(name)
        kind = self.kind(name)
        if op == "empty":
            blank = or_(column.is_(None), column == "") if kind == "text" else column.is_(None)
            return blank if value else ~blank
        if op == "prefix":
            return column.startswith(str(value), autoescape=True)  # type: ignore[no-any-return]
        if op == "in":
            return column.in_([self.value(name, kind, v) for v in value])  # type: ignore[no-any-return]
        if op == "between":
            low, high = value
            return and_(*self.within(name, _as_date(low), _as_date(high)))
        if op == "before":
            return self.within(name, date(1, 1, 1), _as_date(value) - timedelta(days=1))[1]
        if op == "not_before":  # on or after the day, or none at all (an item not closed)
            return or_(column.is_(None), self.within(name, _as_date(value), date(9999, 12, 30))[0])
        return column == self.value(name, kind, value)  # type: ignore[no-any-return]

    def value(self, name: str, kind: FieldKind, value: Any) -> Any:
        if self.is_column(name) and kind == "date":
            return _as_date(value)
        if self.is_column(name) and kind == "datetime":
            return datetime.combine(_as_date(value), time(), LOCAL_TZ)
        if self.is_column(name) and kind == "number":
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        return value.isoformat() if isinstance(value, date) else str(value)

    def within(self, name: str, first: date, last: date) -> list[ColumnElement[bool]]:
        """A date or datetime field from day `first` through day `last` (days in China)."""
        column, kind = self.field(name), self.kind(name)
        if self.is_column(name) and kind == "date":
            return [column >= first, column <= last]
        if self.is_column(name):
            start = datetime.combine(first, time(), LOCAL_TZ)
            return [column >= start, column < start + timedelta(days=(last - first).days + 1)]
        # ISO text in JSON: `2026-11-06` and `2026-11-06T10:33:56` both sort as text.
        return [column >= first.isoformat(), column < (last + timedelta(days=1)).isoformat()]


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
