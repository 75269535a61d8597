"""What the batch, quarantine and record pages and their JSON twins show: domain results shaped into plain dicts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.access.roles import Actor
from zhizhi.errors import ZhizhiError
from zhizhi.i18n import MESSAGES, translate
from zhizhi.ingest.batches import batch_as_dict, get_batch, list_batches, open_quarantine
from zhizhi.ingest.quarantine import count_items, get_item
from zhizhi.ingest.validate.results import REASONS
from zhizhi.records import record_types
from zhizhi.records.history import record_history
from zhizhi.sources.config import SourceConfig, list_source_names, load_source
from zhizhi.store.tables import RecordVersion


def batches(session: Session, actor: Actor, *, source: str = "", limit: int, offset: int) -> list[dict[str, Any]]:
    """Batches newest first, each with its counts and the quarantined rows still open."""
    found = list_batches(session, actor, source=source or None, limit=limit, offset=offset)
    waiting = open_quarantine(session, [b.id for b in found])
    return [batch_as_dict(session, b) | {"quarantine_open": waiting.get(b.id, 0)} for b in found]


def batch_detail(session: Session, actor: Actor, batch_id: int) -> dict[str, Any]:
    """One batch with its report; each reason and skip carries what the page shows of it."""
    data = batch_as_dict(session, get_batch(session, actor, batch_id), report=True)
    report = data["report"]
    for reason in report.get("reasons", []):
        reason.update(reason_titles(reason["code"]))
    report["skipped"] = [
        {"reason": reason, "rows": rows, "known": f"ingest.skip.{reason}" in MESSAGES["en"]}  # a reader's own: its code
        for reason, rows in report.get("skipped_by_reason", {}).items()
    ]
    return data


def reason_counts(session: Session, actor: Actor, *, status: str = "open") -> list[dict[str, Any]]:
    """Items of each reason code with the status, most first, each with its severity and titles."""
    return [
        {"code": code, "severity": severity_of(code), **reason_titles(code), "items": n}
        for code, n in count_items(session, actor, status=status).items()
    ]


def item_detail(session: Session, actor: Actor, root: Path, item_id: int) -> dict[str, Any]:
    """One item: where its row is, its findings, the cells with the field each feeds, the record it became.

    `source_problem` says why the source file could not be read: fixing and replaying need it.
    """
    item = get_item(session, actor, item_id)
    fields: dict[str, dict[str, str]] = {}
    problem: dict[str, str] | None = None
    try:
        fields = _fields_by_column(load_source(root, item["source"]))
    except ZhizhiError as exc:
        problem = {"message": exc.message, "message_zh": exc.message_zh or exc.message}
    flagged = {f["column"] for f in item["findings"] if f.get("column")}
    cells = [
        {
            "column": column,
            "value": value,
            "fixed": item["fixes"].get(column),
            "field": fields.get(column, {}).get("name"),
            "flagged": column in flagged,
        }
        for column, value in item["cells"].items()
    ]
    return {
        **item,
        "rows": cells,
        "record_id": record_of(session, item["record_version_id"]),
        "source_problem": problem,
    }


def record_of(session: Session, version_id: int | None) -> int | None:
    """The record a version belongs to."""
    if version_id is None:
        return None
    return session.scalar(select(RecordVersion.record_id).where(RecordVersion.id == version_id))


def history(
    session: Session, actor: Actor, record_id: int, *, purpose: str | None = None, per_hour: int = 200
) -> dict[str, Any]:
    """A record's versions oldest first; per version the fields that hold a value in any version, changes marked.

    Personal values masked, unless a `purpose` is declared (see `record_history`).
    """
    data = record_history(session, actor, record_id, purpose=purpose, per_hour=per_hour)
    kind = record_types().get(data["record_type"])
    enums = {f.name for f in kind.fields if f.kind == "enum"} if kind else set()
    names: dict[str, None] = {}
    for version in data["versions"]:
        names.update(dict.fromkeys(k for k, v in version["data"].items() if v not in (None, "")))
    previous: dict[str, Any] | None = None
    shaped = []
    for version in data["versions"]:
        values = version["data"]
        rows = [
            {
                "field": name,
                "enum": name in enums,
                "value": values.get(name),
                "before": previous.get(name) if previous is not None else None,
                "changed": previous is not None and previous.get(name) != values.get(name),
            }
            for name in names
        ]
        changed = [row["field"] for row in rows if row["changed"]]
        shaped.append({**version, "rows": rows, "changed": changed})
        previous = values
    return {**data, "versions": shaped}


def source_names(root: Path) -> list[str]:
    """The sources the workspace defines, for the filters' suggestions."""
    return list_source_names(root)


def reason_titles(code: str) -> dict[str, str]:
    """A reason code's titles in the catalogue's words (`reason.CODE`), Chinese and English."""
    key = f"reason.{code}"
    if key not in MESSAGES["zh-CN"]:
        return {"title_zh": code, "title": code}
    return {"title_zh": translate("zh-CN", key), "title": translate("en", key)}


def severity_of(code: str) -> str:
    return str(REASONS[code][0]) if code in REASONS else ""


def _fields_by_column(source: SourceConfig) -> dict[str, dict[str, str]]:
    kind = source.kind
    shaped = {}
    for name, column in source.columns().items():
        spec = kind.field(name)
        shaped[column] = {"name": name, "label_zh": spec.label_zh, "label": spec.label}
    return shaped


def sources_overview(db: Session, actor: Actor, root: Path) -> list[dict[str, Any]]:
    """Each source file of the workspace with its latest batch; a file that does not load shows its error."""
    rows: list[dict[str, Any]] = []
    for name in list_source_names(root):
        try:
            source = load_source(root, name)
        except ZhizhiError as exc:
            rows.append({"name": name, "error": exc.message})
            continue
        latest = list_batches(db, actor, source=name, limit=1)
        rows.append(
            {
                "name": name,
                "title": source.title,
                "department": source.department,
                "record_type": source.record_type,
                "record_type_label": source.kind.label_zh,
                "reader": source.reader or "",
                "fields": len(source.fields),
                "latest": batch_as_dict(db, latest[0]) if latest else None,
            }
        )
    return rows


def source_detail(db: Session, actor: Actor, root: Path, name: str) -> dict[str, Any]:
    """A source's mapping, field by field, and its batches."""
    source = load_source(root, name)
    kind = source.kind
    fields = []
    for spec in kind.fields:
        mapping = source.fields.get(spec.name)
        fields.append(
            {
                "field": spec.name,
                "label_zh": spec.label_zh,
                "kind": spec.kind,
                "required": spec.required,
                "column": mapping.column if mapping else None,
                "value": mapping.value if mapping else None,
                "code_list": (mapping.code_list or spec.code_list) if mapping and spec.kind == "code" else None,
                "transforms": json.dumps(mapping.transforms, ensure_ascii=False)
                if mapping and mapping.transforms
                else "",
                "confidence": mapping.confidence if mapping else None,
            }
        )
    batches = [batch_as_dict(db, b) for b in list_batches(db, actor, source=name, limit=50)]
    return {
        "source": source.model_dump(exclude={"fields"}),
        "record_type_label": kind.label_zh,
        "fields": fields,
        "batches": batches,
    }
