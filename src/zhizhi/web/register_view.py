"""What the register, entity and review pages show: the register's results shaped for reading side by side.

The queries are the register's own (`zhizhi.resolve.register` and `.review`); this module only arranges them: a
record's fields in its type's order with their labels, the two records of a review pair subject field by subject
field, the decisions of one act (a split is one `apart` per pair of records) together, and the entity's QR code.
"""

from __future__ import annotations

import io
from itertools import groupby
from typing import Any

import segno
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhizhi.access.roles import Actor, require
from zhizhi.config import Workspace
from zhizhi.records import record_types
from zhizhi.resolve import review
from zhizhi.resolve.cache import features_cache
from zhizhi.resolve.comparisons import COMPARISONS
from zhizhi.resolve.run import resolve
from zhizhi.resolve.subjects import SUBJECT_COLUMNS, subject_fields
from zhizhi.store.tables import Entity, EntityLink, ResolveRun
from zhizhi.store.types import iso_utc

TYPE_ORDER = ("entity", "licence", "equipment", "inspection")  # registration first, then what hangs on it
COMPARED = tuple(c for c in SUBJECT_COLUMNS if c not in ("address_division_code", "address_rest"))
# (comparison, the level's label as the engine wrote it into `why`) -> the level's key
LEVEL_KEYS = {(c.name, level.label): level.key for c in COMPARISONS for level in c.scored_levels()}


def overview(session: Session, actor: Actor) -> dict[str, Any]:
    """The register in figures: active entities, records linked, pairs waiting for a steward, the last run."""
    require(actor, "data.read")
    last = session.scalars(select(ResolveRun).order_by(ResolveRun.id.desc()).limit(1)).first()
    return {
        "entities": session.scalar(select(func.count()).select_from(Entity).where(Entity.status == "active")) or 0,
        "records_linked": session.scalar(select(func.count()).select_from(EntityLink)) or 0,
        "review_open": review.count_pairs(session, actor),  # as the review page lists them for the actor
        "last_run": None
        if last is None
        else {"id": last.id, "started_by": last.started_by, "finished_at": iso_utc(last.finished_at)},
    }


def entity_of(session: Session, record_id: int) -> int | None:
    """The entity a record is linked to now."""
    return session.scalar(select(EntityLink.entity_id).where(EntityLink.record_id == record_id))


def records_of(session: Session, entity_id: int) -> list[int]:
    """The records linked to an entity now."""
    return list(session.scalars(select(EntityLink.record_id).where(EntityLink.entity_id == entity_id)))


def fields_of(record_type: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The record's filled fields in its type's order (a type no longer registered: as stored); `enum` says the
    value is one of the field's words (the page shows it as `words.value`), any other value is data."""
    spec = record_types().get(record_type)
    if spec is None:
        return [{"name": k, "value": v, "enum": False} for k, v in data.items() if v not in (None, "", [])]
    return [
        {"name": f.name, "value": data[f.name], "enum": f.kind == "enum"}
        for f in spec.fields
        if data.get(f.name) not in (None, "", [])
    ]


def record_groups(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An entity's records by type (registration, licences, equipment, inspections, then the rest), with fields."""

    def rank(kind: str) -> tuple[int, str]:
        return (TYPE_ORDER.index(kind) if kind in TYPE_ORDER else len(TYPE_ORDER), kind)

    ordered = sorted(records, key=lambda r: (rank(r["record_type"]), r["record_id"]))
    return [
        {"record_type": kind, "records": [{**r, "fields": fields_of(kind, r["data"])} for r in members]}
        for kind, members in groupby(ordered, key=lambda r: str(r["record_type"]))
    ]


def side_by_side(pair: dict[str, Any]) -> dict[str, Any]:
    """The pair's two records: their subject fields (name, credit code, address, ...) row by row, each row `same`,
    `differs` or `one_side` (only one record has it), and each record's type and every field."""
    rows = []
    for column in COMPARED:
        left = _subject_value(pair["left"], column)
        right = _subject_value(pair["right"], column)
        if left is None and right is None:
            continue
        state = "one_side" if left is None or right is None else "same" if left == right else "differs"
        rows.append({"column": column, "left": left, "right": right, "state": state})
    sides = {
        name: {**pair[name], "fields": fields_of(pair[name]["record_type"], pair[name]["data"])}
        for name in ("left", "right")
    }
    return {"rows": rows, **sides}


def _subject_value(side: dict[str, Any], column: str) -> Any:
    kind = side["record_type"]
    field = subject_fields(kind).get(column) if kind in record_types() else None
    value = side["data"].get(field) if field else None
    return value if value not in ("", []) else None


def why_lines(why: Any) -> list[dict[str, str]]:
    """The engine's reasons for a score as lines: each comparison, the level it reached (its key, for the page to say
    it in the reader's language: `review.level.COMPARISON.LEVEL`), its weight, and the engine's own text; a plain
    text is one line."""
    if not isinstance(why, dict):
        return [{"comparison": "", "level": "", "weight": "", "text": str(why)}] if why else []
    lines = []
    for comparison, text in why.items():
        label, _, weight = str(text).partition("（")
        level = LEVEL_KEYS.get((str(comparison), label), "")
        lines.append({"comparison": str(comparison), "level": level, "weight": weight.rstrip("）"), "text": str(text)})
    return lines


def decision_acts(decisions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Decisions taken together (a split is an `apart` per pair, made at once) as one act, newest first."""

    def act(d: dict[str, Any]) -> tuple[Any, ...]:
        return (d["kind"], d["decided_by"], d["decided_at"], d["reason"], d["undone_at"])

    acts = []
    for _, members in groupby(decisions, key=act):
        items = list(members)
        first = items[0]
        acts.append(
            {
                "ids": [d["id"] for d in items],
                "kind": first["kind"],
                "records": sorted({r for d in items for r in d["records"]}),
                "reason": first["reason"],
                "decided_by": first["decided_by"],
                "decided_at": first["decided_at"],
                "undone_at": first["undone_at"],
            }
        )
    return acts


def qr_svg(url: str, *, inline: bool) -> str:
    """A QR code of `url` as SVG: inline (sized by CSS) for the page, or a standalone file to print on a form."""
    code = segno.make(url, error="m")
    if inline:
        return str(code.svg_inline(scale=1, omitsize=True, svgclass="qr", title=url))
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", scale=8, title=url)
    return buffer.getvalue().decode("utf-8")


def resolve_now(session: Session, actor: Actor, workspace: Workspace) -> dict[str, int]:
    """Run resolution in the caller's transaction, so the register shows a steward's decision at once."""
    return resolve(session, actor, workspace.config.resolve, cache=features_cache(workspace.root)).as_dict()
