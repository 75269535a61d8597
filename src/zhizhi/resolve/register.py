"""The register as people use it: find an entity, open its file (一企一档), export it and its links.

An entity's file holds its golden fields with their provenance, every record of every department linked to it
(with how it was linked), a timeline of every dated fact in those records (founded, licensed, inspected, equipment
due), and what was delivered about it to each platform. An id that was merged into another leads to the one kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from zhizhi.access.roles import Actor, require
from zhizhi.errors import NotFoundError
from zhizhi.records import record_types
from zhizhi.records.history import masked
from zhizhi.store.tables import Batch, Delivery, Entity, EntityLink, RawRow, Record, RecordVersion
from zhizhi.store.types import iso_utc

CODE = re.compile(r"^[0-9A-Za-z]{15,18}$")


def current_id(session: Session, entity_id: int) -> int:
    """The entity an id stands for now: itself, or the one it was merged into."""
    seen: set[int] = set()
    while entity_id not in seen:
        seen.add(entity_id)
        entity = session.get(Entity, entity_id)
        if entity is None:
            raise NotFoundError(
                f"No entity {entity_id}. Search with `zhizhi entities search`.", zh=f"没有主体 {entity_id}。"
            )
        if entity.status != "merged" or entity.merged_into is None:
            return entity_id
        entity_id = entity.merged_into
    return entity_id


def search(session: Session, actor: Actor, query: str, *, limit: int = 50) -> list[dict[str, Any]]:
    """Entities whose credit code, name (or part), pinyin initials, address or phone match, best first."""
    require(actor, "data.read")
    words = query.strip().lower().split()
    if not words:
        return []
    condition = select(Entity).where(Entity.status == "active")
    for word in words:
        condition = condition.where(Entity.search.contains(word, autoescape=True))
    exact = query.strip().upper() if CODE.match(query.strip()) else None
    if exact:
        condition = (
            select(Entity)
            .where(Entity.status == "active")
            .where(or_(Entity.uscc == exact, Entity.search.contains(exact.lower(), autoescape=True)))
        )
    found = session.scalars(condition.order_by(func.length(Entity.name), Entity.id).limit(limit))
    return [_summary(e) for e in found]


def _summary(entity: Entity) -> dict[str, Any]:
    return {
        "id": entity.id,
        "name": entity.name,
        "uscc": entity.uscc,
        "phone": entity.phone,
        "address": entity.address,
        "records": entity.records,
        "updated_at": iso_utc(entity.updated_at),
    }


def entity_file(session: Session, actor: Actor, entity_id: int) -> dict[str, Any]:
    """Everything the bureau knows about one entity (see the module docstring); the JSON twin of its page."""
    require(actor, "data.read")
    kept = current_id(session, entity_id)
    entity = session.get(Entity, kept)
    assert entity is not None
    rows = session.execute(
        select(EntityLink, Record, RecordVersion, Batch, RawRow)
        .join(Record, Record.id == EntityLink.record_id)
        .join(RecordVersion, RecordVersion.id == Record.version_id)
        .join(Batch, Batch.id == RecordVersion.batch_id)
        .outerjoin(RawRow, RawRow.id == RecordVersion.raw_row_id)
        .where(EntityLink.entity_id == kept)
        .order_by(Record.record_type, Record.id)
    ).all()
    records = [_record(actor, link, record, version, batch, raw) for link, record, version, batch, raw in rows]
    return {
        **_summary(entity),
        "asked_for": entity_id,
        "golden": json.loads(entity.golden or "{}"),
        "records": records,
        "timeline": _timeline(records),
        "deliveries": _deliveries(session, [r["record_id"] for r in records]),
    }


def _record(
    actor: Actor, link: EntityLink, record: Record, version: RecordVersion, batch: Batch, raw: Any
) -> dict[str, Any]:
    return {
        "record_id": record.id,
        "record_type": record.record_type,
        "source": record.source,
        "key": record.key,
        "version": record.version,
        "how": link.how,
        "score": link.score,
        "data": masked(actor, record.record_type, json.loads(version.data)),
        "file": batch.file_name,
        "sheet": raw.sheet if raw is not None else None,
        "row": raw.row_number if raw is not None else None,
        "batch_id": batch.id,
        "read_at": iso_utc(version.created_at),
    }


def _timeline(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every dated fact in the entity's records, oldest first: the field's label says what happened."""
    events = []
    for record in records:
        spec = record_types().get(record["record_type"])
        if spec is None:
            continue
        for field in spec.fields:
            day = record["data"].get(field.name)
            if field.kind == "date" and day:
                events.append(
                    {
                        "date": str(day),
                        "what_zh": f"{spec.label_zh}：{field.label_zh}",
                        "what": f"{spec.label}: {field.label}",
                        "record_id": record["record_id"],
                        "source": record["source"],
                    }
                )
    return sorted(events, key=lambda e: (e["date"], e["record_id"]))


def _deliveries(session: Session, record_ids: list[int]) -> list[dict[str, Any]]:
    """Per target, the entity's deliveries by status."""
    if not record_ids:
        return []
    rows = session.execute(
        select(Delivery.target, Delivery.status, func.count())
        .where(Delivery.record_id.in_(record_ids))
        .group_by(Delivery.target, Delivery.status)
        .order_by(Delivery.target, Delivery.status)
    ).all()
    return [{"target": t, "status": s, "count": int(n)} for t, s, n in rows]


def links(session: Session, actor: Actor) -> Iterator[tuple[int, str, str, str | None, int]]:
    """One line per accepted source row: entity, source, file, sheet, row (the row identity ingest uses)."""
    require(actor, "data.read")
    query = (
        select(EntityLink.entity_id, Batch.source, Batch.file_name, RawRow.sheet, RawRow.row_number)
        .join(RecordVersion, RecordVersion.record_id == EntityLink.record_id)
        .join(RawRow, RawRow.record_version_id == RecordVersion.id)
        .join(Batch, Batch.id == RawRow.batch_id)
        .where(RawRow.status == "accepted")
        .order_by(Batch.id, RawRow.sheet, RawRow.row_number)
        .execution_options(yield_per=10_000)
    )
    for row in session.execute(query):
        yield (int(row[0]), row[1], row[2], row[3], int(row[4]))


def entities(session: Session, actor: Actor) -> Iterator[dict[str, Any]]:
    """Every active entity with its golden fields' values, for export."""
    require(actor, "data.read")
    query = select(Entity).where(Entity.status == "active").order_by(Entity.id).execution_options(yield_per=5_000)
    for entity in session.scalars(query):
        golden = json.loads(entity.golden or "{}")
        yield {"id": entity.id, "records": entity.records, **{k: v["value"] for k, v in golden.items()}}
