"""The register as people use it: find an entity, open its file (一企一档), export it and its links.

An entity's file holds its golden fields with their provenance, every record of every department linked to it
(with how it was linked), a timeline of every dated fact in those records (founded, licensed, inspected, equipment
due) and of every delivery of them to a platform, and those deliveries per target and status and one by one (the
latest `DELIVERIES_LISTED`). An id that was merged into another leads to the one kept.

The register shows every department's records and deliveries; a record's own page (`/records/ID`), its batch's and
a delivery's (`/deliveries/ID`) stay with the departments that brought the record in, so each record, golden value,
timeline event and delivery names the department it came from and says whether the reader may open it (`in_scope`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from zhizhi.access.departments import within_scope
from zhizhi.access.roles import Actor, require
from zhizhi.config.models import GOLDEN_FIELDS
from zhizhi.delivery.outbox import STATUS_WORDS
from zhizhi.errors import InputError, NotFoundError
from zhizhi.ingest.normalize.phones import normalize_phone_value
from zhizhi.privacy.catalogue import personal_columns
from zhizhi.privacy.detect import mask_text
from zhizhi.privacy.masking import disclose, disclose_export, look_up, mask, mask_data, pseudonym, pseudonym_key
from zhizhi.records import record_types
from zhizhi.resolve.golden import search_form
from zhizhi.store.frames import among
from zhizhi.store.tables import Batch, Delivery, Department, Entity, EntityLink, RawRow, Record, RecordVersion
from zhizhi.store.types import iso_utc, local_text, utcnow

CODE = re.compile(r"^[0-9A-Za-z]{15,18}$")
PHONE_WRITING = re.compile(r"[0-9+()\- ]+")  # what a phone is written with: anything else is text matched by part
SEARCH_WORDS = 20  # each word is one more condition on the search column
SEARCH_WORD_CHARS = 100  # a name, an address, a code is shorter; SQLite refuses a LIKE pattern far longer
DELIVERIES_LISTED = 200  # the latest deliveries listed one by one: a big firm's file stays quick to open
_NOT_LINKED = {"department": None, "in_scope": False}  # a golden value whose record has left the entity since
# A delivery's state in words on the timeline (the delivery page's words).


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


def current_ids(session: Session, ids: Collection[int]) -> dict[int, int]:
    """The entity each id stands for now (itself, or the one it was merged into, through every merge), many at once."""
    into: dict[int, int] = {}  # a merged entity -> the one it was merged into
    seen: set[int] = set()
    frontier = sorted(set(ids))
    while frontier:
        seen.update(frontier)
        query = select(Entity.id, Entity.merged_into).where(Entity.status == "merged", Entity.merged_into.is_not(None))
        for condition in among(session, Entity.id, frontier):
            into.update((old, kept) for old, kept in session.execute(query.where(condition)) if kept is not None)
        frontier = sorted(set(into.values()) - seen)

    def current(entity_id: int) -> int:
        passed: set[int] = set()
        while entity_id in into and entity_id not in passed:  # a cycle, never written, would stop at its start
            passed.add(entity_id)
            entity_id = into[entity_id]
        return entity_id

    return {i: current(i) for i in ids}


def merged_ids(session: Session, entity_id: int) -> set[int]:
    """The entity and every entity merged into it, directly or through another merge: one firm's ids."""
    found = {entity_id}
    frontier = [entity_id]
    query = select(Entity.id).where(Entity.status == "merged")
    while frontier:  # a firm's ids are few: a plain IN
        frontier = [i for i in session.scalars(query.where(Entity.merged_into.in_(frontier))) if i not in found]
        found.update(frontier)
    return found


def search(session: Session, actor: Actor, query: str, *, limit: int = 50, per_hour: int = 200) -> list[dict[str, Any]]:
    """Entities whose credit code, name (or part), pinyin initials or address match, or whose phone is the one
    searched for, best first.

    A phone is matched whole (as `13877201234`, `0772-2831234` or any writing of it), never by a part: a part would
    read a masked number digit by digit. A search by a phone is counted and audited (`look_up`, `per_hour`).
    """
    require(actor, "data.read")
    terms = _terms(search_form(query))
    if not terms:
        return []
    if len(terms) > SEARCH_WORDS:
        raise InputError(
            f"The search has {len(terms)} words; it takes at most {SEARCH_WORDS}: search with fewer words "
            "(a credit code, part of the name, an address or a phone).",
            zh=f"搜索词有 {len(terms)} 个，最多 {SEARCH_WORDS} 个：请用更少的词搜索"
            "（信用代码、名称的一部分、地址或电话）。",
        )
    if (longest := max(len(word) for word, _ in terms)) > SEARCH_WORD_CHARS:
        raise InputError(
            f"A search word has {longest} characters; at most {SEARCH_WORD_CHARS}: search with part of the name, "
            "the credit code, an address or a phone.",
            zh=f"搜索词有 {longest} 个字符，最多 {SEARCH_WORD_CHARS} 个：请用名称的一部分、信用代码、地址或电话搜索。",
        )
    condition = select(Entity).where(Entity.status == "active", *(_matches(word, phone) for word, phone in terms))
    found = list(session.scalars(condition.order_by(func.length(Entity.name), Entity.id).limit(limit)))
    if phones := [phone for _, phone in terms if phone is not None]:
        found_ids = [e.id for e in found]
        look_up(session, actor, category="phone", values=phones, found=found_ids, per_hour=per_hour)
    return [_summary(e) for e in found]


def phones_searched(query: str) -> list[str]:
    """The whole phones a search is by (`search` audits and counts such a search); none for a search by a name, a
    code or an address. The web runs one only when posted with its CSRF token (an audit event is a write)."""
    return [phone for _, phone in _terms(search_form(query)) if phone is not None]


def _terms(text: str) -> list[tuple[str, str | None]]:
    """The query's words, each with the phone it is whole (None: a word matched by part); a phone written with
    spaces (`138 7720 1234`, `(0772) 2831234`) is one word."""
    whole = _whole_phone(text) if " " in text else None
    if whole is not None:
        return [(text, whole)]
    return [(word, _whole_phone(word)) for word in text.split()]


def _whole_phone(text: str) -> str | None:
    """The phone `text` is, in the form the register keeps (ingest's), or None when it is not one whole phone."""
    if not PHONE_WRITING.fullmatch(text):
        return None
    found = normalize_phone_value(text)
    return found.phone if found.others is None else None


def _matches(word: str, phone: str | None) -> ColumnElement[bool]:
    """A word's condition: a phone equal to the register's (its own indexed column); a code also the credit code;
    anything else a part of the search text (which holds no personal value: `SEARCHED_BY_PART`)."""
    if phone is not None:
        return Entity.phone == phone
    by_part = Entity.search.contains(word, autoescape=True)
    return or_(Entity.uscc == word.upper(), by_part) if CODE.match(word) else by_part


def _summary(entity: Entity) -> dict[str, Any]:
    return {
        "id": entity.id,
        "name": entity.name,
        "uscc": entity.uscc,
        "phone": mask("phone", entity.phone),
        "address": entity.address,
        "records": entity.records,
        "updated_at": iso_utc(entity.updated_at),
    }


def entity_file(
    session: Session, actor: Actor, entity_id: int, *, purpose: str | None = None, per_hour: int = 200
) -> dict[str, Any]:
    """Everything the bureau knows about one entity (see the module docstring); the JSON twin of its page.

    Personal values (golden and in the records) are masked; with a `purpose`, a reader holding `personal.read` sees
    them, and the read is audited for the entity and each of its records.
    """
    require(actor, "data.read")
    kept = current_id(session, entity_id)
    entity = session.get(Entity, kept)
    assert entity is not None
    rows = session.execute(
        select(
            EntityLink, Record, RecordVersion, Batch, RawRow, Department.name, within_scope(actor, Batch.department_id)
        )
        .join(Record, Record.id == EntityLink.record_id)
        .join(RecordVersion, RecordVersion.id == Record.version_id)
        .join(Batch, Batch.id == RecordVersion.batch_id)
        .join(Department, Department.id == Batch.department_id)
        .outerjoin(RawRow, RawRow.id == RecordVersion.raw_row_id)
        .where(EntityLink.entity_id == kept)
        .order_by(Record.record_type, Record.id)
    ).all()
    # A purpose opens only what the reader's scope holds: a record of another department's subtree stays masked,
    # and so does a golden value taken from one.
    opened = {record.id for _, record, *_, in_scope in rows if purpose is not None and in_scope}
    if purpose is not None:
        ids = [f"entity:{kept}", *(str(record_id) for record_id in sorted(opened))]
        disclose(session, actor, purpose=purpose, object_type="record", object_ids=ids, fields=[], per_hour=per_hour)
    records = [
        {
            **_record(link, record, version, batch, raw, unmasked=record.id in opened),
            "department": department,
            "in_scope": bool(in_scope),
        }
        for link, record, version, batch, raw, department, in_scope in rows
    ]
    owners = {r["record_id"]: {"department": r["department"], "in_scope": r["in_scope"]} for r in records}
    counts = _deliveries(session, kept)
    listed = _delivery_list(session, actor, kept, {r["record_id"]: r["source"] for r in records})
    personal = personal_columns("entity")
    golden = {
        k: v if k not in personal or v.get("record_id") in opened else {**v, "value": mask(personal[k], v.get("value"))}
        for k, v in json.loads(entity.golden or "{}").items()
    }
    summary = _summary(entity)
    if "phone" in golden and golden["phone"].get("record_id") in opened:
        summary["phone"] = entity.phone
    golden = {k: {**v, **owners.get(v.get("record_id"), _NOT_LINKED)} for k, v in golden.items()}
    return {
        **summary,
        "asked_for": entity_id,
        "golden": golden,
        "records": records,
        "timeline": _timeline(records, listed),
        "deliveries": counts,
        "delivery_total": sum(c["count"] for c in counts),
        "delivery_list": listed,
    }


def _record(
    link: EntityLink, record: Record, version: RecordVersion, batch: Batch, raw: Any, *, unmasked: bool
) -> dict[str, Any]:
    return {
        "record_id": record.id,
        "record_type": record.record_type,
        "source": record.source,
        "key": record.key,
        "version": record.version,
        "how": link.how,
        "score": link.score,
        "data": json.loads(version.data) if unmasked else mask_data(record.record_type, json.loads(version.data)),
        "file": batch.file_name,
        "sheet": raw.sheet if raw is not None else None,
        "row": raw.row_number if raw is not None else None,
        "batch_id": batch.id,
        "read_at": iso_utc(version.created_at),
    }


def _timeline(records: list[dict[str, Any]], deliveries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every dated fact in the entity's records and every listed delivery, oldest first.

    A record's fact is a day (the field's label says what happened); a delivery's is the Beijing time it came to its
    state (its target and state say what happened, a rejection with the platform's reason), so it sorts within its day.
    """
    events: list[dict[str, Any]] = []
    for record in records:
        spec = record_types().get(record["record_type"])
        if spec is None:
            continue
        for field in spec.fields:
            day = record["data"].get(field.name)
            if field.kind == "date" and day:
                events.append(
                    {
                        "kind": "record",
                        "date": str(day),
                        "record_type": record["record_type"],
                        "field": field.name,
                        "what_zh": f"{spec.label_zh}：{field.label_zh}",
                        "what": f"{spec.label}: {field.label}",
                        "record_id": record["record_id"],
                        "source": record["source"],
                        "department": record["department"],
                        "in_scope": record["in_scope"],
                    }
                )
    for delivery in deliveries:
        zh, en = STATUS_WORDS.get(delivery["status"], (delivery["status"], delivery["status"]))
        reason = delivery["reason"] if delivery["status"] in ("rejected", "withheld") and delivery["reason"] else None
        events.append(
            {
                "kind": "delivery",
                "date": local_text(datetime.fromisoformat(delivery["at"])),
                "at": delivery["at"],
                "what_zh": f"交付至 {delivery['target']}：{zh}" + (f"（{reason}）" if reason else ""),
                "what": f"Delivery to {delivery['target']}: {en}" + (f" ({reason})" if reason else ""),
                "record_id": delivery["record_id"],
                "source": delivery["source"],
                "delivery_id": delivery["id"],
                "target": delivery["target"],
                "status": delivery["status"],
                "reason": reason,
                "department": delivery["department"],
                "in_scope": delivery["in_scope"],
            }
        )
    return sorted(events, key=lambda e: (e["date"], e["record_id"], e.get("delivery_id", 0)))


def _of_entity(entity_id: int) -> ColumnElement[bool]:
    """The deliveries of the entity's records (a subquery: any number of records binds one parameter)."""
    return Delivery.record_id.in_(select(EntityLink.record_id).where(EntityLink.entity_id == entity_id))


def _deliveries(session: Session, entity_id: int) -> list[dict[str, Any]]:
    """Per target, the entity's deliveries by status."""
    rows = session.execute(
        select(Delivery.target, Delivery.status, func.count())
        .where(_of_entity(entity_id))
        .group_by(Delivery.target, Delivery.status)
        .order_by(Delivery.target, Delivery.status)
    ).all()
    return [{"target": t, "status": s, "count": int(n)} for t, s, n in rows]


def _delivery_list(session: Session, actor: Actor, entity_id: int, sources: dict[int, str]) -> list[dict[str, Any]]:
    """The entity's latest deliveries one by one, newest first; `in_scope` says whether the actor may open one's page
    (its record came from one of the actor's departments, as `delivery_detail` checks it)."""
    rows = session.execute(
        select(Delivery, Department.name, within_scope(actor, Batch.department_id))
        .join(RecordVersion, RecordVersion.id == Delivery.record_version_id)
        .join(Batch, Batch.id == RecordVersion.batch_id)
        .join(Department, Department.id == Batch.department_id)
        .where(_of_entity(entity_id))
        .order_by(Delivery.id.desc())
        .limit(DELIVERIES_LISTED)
    ).all()
    return [
        {
            "id": d.id,
            "target": d.target,
            "status": d.status,
            "record_id": d.record_id,
            "record_key": d.record_key,
            "source": sources.get(d.record_id),
            "reason": mask_text(d.last_error) if d.last_error else None,  # the target's words, a person's number masked
            "attempts": d.attempts,
            "created_at": iso_utc(d.created_at),
            "sent_at": iso_utc(d.sent_at),
            "acknowledged_at": iso_utc(d.acknowledged_at),
            "at": iso_utc(_state_since(d)),
            "department": department,
            "in_scope": bool(in_scope),
        }
        for d, department, in_scope in rows
    ]


def _state_since(delivery: Delivery) -> datetime:
    """When the delivery came to its state: owed, sent, acknowledged, or the last answer or failure."""
    if delivery.status == "pending":
        return delivery.created_at
    if delivery.status == "sent":
        return delivery.sent_at or delivery.updated_at
    if delivery.status == "acknowledged":
        return delivery.acknowledged_at or delivery.updated_at
    return delivery.updated_at


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


EXPORT_COLUMNS = ("id", "records", *GOLDEN_FIELDS)  # an entity and its golden fields
PERSONAL_EXPORT = ("legal_representative", "phone")


def export_table(
    session: Session, actor: Actor, keys_dir: Path, *, purpose: str | None = None, what: str = "entities"
) -> tuple[list[str], list[list[Any]]]:
    """The register as a table (header, rows): personal values masked, a keyed pseudonym beside each.

    With a `purpose` the values are in full: the export is audited (`personal.export`) and every row carries a
    watermark saying who exported it, when and why.
    """
    items = list(entities(session, actor))
    key = pseudonym_key(keys_dir)
    personal = personal_columns("entity")
    header = [*EXPORT_COLUMNS, *(f"{c}_pseudonym" for c in PERSONAL_EXPORT)]
    masked = {} if purpose is not None else personal
    rows = [
        [mask(masked[c], item.get(c)) if c in masked else item.get(c) for c in EXPORT_COLUMNS]
        + [pseudonym(key, item.get(c)) for c in PERSONAL_EXPORT]
        for item in items
    ]
    if purpose is None:
        return header, rows
    declared = disclose_export(session, actor, purpose=purpose, what=what, count=len(rows))
    mark = f"{actor.name} {utcnow().strftime('%Y-%m-%dT%H:%M:%SZ')} 用途：{declared}"
    return [*header, "导出水印 watermark"], [[*row, mark] for row in rows]
