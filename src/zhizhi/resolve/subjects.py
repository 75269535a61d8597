"""Subjects: every record's business, as the register resolves it.

A market entity record is its own subject; a licence names its holder, an equipment record its user, an inspection
the inspected firm. Which field is which is read from the record type's field kinds (the first `uscc`, `reg_no`,
`name`, `address` and `phone` field, and the first `person` field whose role is the legal representative), so a
record type added by a plugin joins the register without a line here. A person of another role (a safety manager,
a contact person) is not compared: two lists naming different people of different roles say nothing about
whether they are about one firm.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache

import polars as pl
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from zhizhi.records import RecordType, record_types
from zhizhi.sources.suggest.roles import LEGAL_REPRESENTATIVE, field_role
from zhizhi.store.frames import among, frame, frame_among
from zhizhi.store.tables import Batch, EntityLink, RawRow, Record, RecordVersion

SUBJECT_COLUMNS = (
    "uscc",
    "reg_no",
    "name",
    "address",
    "address_division_code",
    "address_rest",
    "legal_representative",
    "phone",
    "industry_code",
)
SCHEMA = {
    "record_id": pl.Int64,
    "record_version_id": pl.Int64,
    "source": pl.String,
    "record_type": pl.String,
    **dict.fromkeys(SUBJECT_COLUMNS, pl.String),
}
KINDS = {"uscc": "uscc", "reg_no": "reg_no", "name": "name", "address": "address", "phone": "phone"}
PAGE = 50_000


@cache
def subject_fields(kind: str) -> dict[str, str]:
    """Subject column -> the record field (or column beside it) that holds it, for one record type."""
    return fields_of(record_types()[kind])


def fields_of(spec: RecordType) -> dict[str, str]:
    """Subject column -> the field of `spec` (or column beside it) that holds it."""
    found: dict[str, str] = {}
    for column, field_kind in KINDS.items():
        first = next((f.name for f in spec.fields if f.kind == field_kind), None)
        if first is not None:
            found[column] = first
    persons = (f.name for f in spec.fields if f.kind == "person" and field_role(f) == LEGAL_REPRESENTATIVE)
    representative = next(persons, None)
    if representative is not None:
        found["legal_representative"] = representative
    industry = next((f.name for f in spec.fields if f.kind == "code" and (f.code_list or "").startswith("gbt4754")),
                    None)  # fmt: skip
    if industry is not None:  # not compared: carried to the golden record (the desk's figures by industry)
        found["industry_code"] = industry
    if "address" in found:
        found["address_division_code"] = f"{found['address']}_division_code"
        found["address_rest"] = f"{found['address']}_rest"
    return found


def resolvable_types() -> list[str]:
    """Record types with a name to resolve on."""
    return sorted(kind for kind in record_types() if "name" in subject_fields(kind))


def current_versions(session: Session) -> pl.DataFrame:
    """Every record with a subject: record_id and record_version_id (its current version). No record data is read."""
    query = select(Record.id, Record.version_id).where(Record.record_type.in_(resolvable_types())).order_by(Record.id)
    return frame(session, query, {"record_id": pl.Int64, "record_version_id": pl.Int64})


def fresh_records(session: Session) -> pl.Series:
    """The records with a subject that are new or changed since they were linked: no link, or a link from another
    version (the store compares, one pass: nothing else is read)."""
    query = (
        select(Record.id)
        .outerjoin(EntityLink, EntityLink.record_id == Record.id)
        .where(Record.record_type.in_(resolvable_types()))
        .where(EntityLink.record_id.is_(None) | (EntityLink.record_version_id != Record.version_id))
        .order_by(Record.id)
    )
    return frame(session, query, {"record_id": pl.Int64})["record_id"]


def load_subjects(session: Session, ids: Sequence[int] | None = None) -> pl.DataFrame:
    """Every record's subject (or only those of `ids`) from its current version, in record id order."""
    kinds = resolvable_types()
    if ids is None:
        frames = [_frame(kind, rows) for kind in kinds for rows in _pages(session, kind)]
    else:
        query = _query().add_columns(Record.record_type).where(Record.record_type.in_(kinds))
        by_kind: dict[str, list[tuple[int, int, str, str]]] = {}
        for condition in among(session, Record.id, ids):
            for record_id, version_id, source, data, kind in session.execute(query.where(condition)):
                by_kind.setdefault(kind, []).append((record_id, version_id, source, data))
        frames = [_frame(kind, rows) for kind, rows in by_kind.items()]
    if not frames:
        return pl.DataFrame(schema=SCHEMA)
    return pl.concat(frames).sort("record_id")


def _query() -> Select[int, int, str, str]:
    return select(Record.id, Record.version_id, Record.source, RecordVersion.data).join(
        RecordVersion, RecordVersion.id == Record.version_id
    )


def _pages(session: Session, kind: str) -> Iterator[list[tuple[int, int, str, str]]]:
    """Every record of a kind, in pages by record id."""
    query = _query().where(Record.record_type == kind).order_by(Record.id)
    after = 0
    while True:
        rows = session.execute(query.where(Record.id > after).limit(PAGE)).all()
        if not rows:
            return
        yield [tuple(row) for row in rows]  # type: ignore[misc]
        after = rows[-1][0]


def _frame(kind: str, rows: list[tuple[int, int, str, str]]) -> pl.DataFrame:
    fields = subject_fields(kind)
    raw = pl.DataFrame(rows, schema=["record_id", "record_version_id", "source", "data"], orient="row")
    decoded = raw["data"].str.json_decode(pl.Struct({name: pl.String for name in fields.values()}))
    return raw.select(
        pl.col("record_id").cast(pl.Int64),
        pl.col("record_version_id").cast(pl.Int64),
        "source",
        pl.lit(kind).alias("record_type"),
        *(
            (decoded.struct.field(fields[column]) if column in fields else pl.lit(None, pl.String)).alias(column)
            for column in SUBJECT_COLUMNS
        ),
    )


def provenance(session: Session, version_ids: list[int]) -> pl.DataFrame:
    """Where each version's row was read: batch, file, sheet, row and when (for golden fields' provenance)."""
    schema: dict[str, pl.DataType] = {
        "record_version_id": pl.Int64(),
        "batch_id": pl.Int64(),
        "file": pl.String(),
        "sheet": pl.String(),
        "row": pl.Int64(),
        "at": pl.Datetime("us"),
    }
    query = (
        select(RecordVersion.id, Batch.id, Batch.file_name, RawRow.sheet, RawRow.row_number, RecordVersion.created_at)
        .join(Batch, Batch.id == RecordVersion.batch_id)
        .outerjoin(RawRow, RawRow.id == RecordVersion.raw_row_id)
    )
    return frame_among(session, query, RecordVersion.id, version_ids, schema)
