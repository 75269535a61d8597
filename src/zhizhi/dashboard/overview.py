"""Counts and facts about a workspace, scoped to the viewer's department subtree."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from zhizhi.access import Actor, audit, require
from zhizhi.access.departments import within_scope
from zhizhi.config import Workspace
from zhizhi.config.keys import public_key_fingerprint
from zhizhi.dashboard.deliveries import funnels
from zhizhi.reports import builtin_behind
from zhizhi.store import current_revision, display_url, head_revision
from zhizhi.store.tables import ApiToken, AuditEvent, Batch, Department, QuarantineItem, Record, RecordVersion, User
from zhizhi.store.types import iso_utc

CONFIG_FOLDERS = ("sources", "targets", "codes", "crosswalks", "reports")


def overview(session: Session, workspace: Workspace, actor: Actor) -> dict[str, Any]:
    """The state of the workspace as the actor may see it."""
    require(actor, "workspace.read")
    in_subtree = Department.path.startswith(actor.department_path)
    people = select(User.id).join(Department).where(in_subtree)
    engine = session.get_bind()
    return {
        "workspace": {
            "name": workspace.config.name,
            "root": str(workspace.root),
            "signing_key": public_key_fingerprint(workspace.keys_dir),
        },
        "database": {
            "backend": engine.dialect.name,
            "url": display_url(engine.engine.url.render_as_string(hide_password=False)),
            "schema_revision": current_revision(session.connection()),
            "schema_head": head_revision(),
        },
        "counts": {
            "departments": _count(session, select(Department.id).where(in_subtree)),
            "active_users": _count(session, people.where(User.is_active.is_(True))),
            "active_tokens": _count(
                session,  # a disabled user's tokens open nothing
                select(ApiToken.id).where(
                    ApiToken.revoked_at.is_(None), ApiToken.user_id.in_(people.where(User.is_active.is_(True)))
                ),
            ),
            "audit_events": _count(session, select(AuditEvent.seq).where(audit.in_scope(actor))),
        },
        "last_audit_event_at": iso_utc(session.scalar(select(func.max(AuditEvent.at)).where(audit.in_scope(actor)))),
        "files": {folder: _count_files(workspace, folder) for folder in CONFIG_FOLDERS},
        "builtin_reports_behind": builtin_behind(workspace.root),  # `zhizhi reports install` brings them up
        "data": _data(session, actor, workspace) if actor.can("data.read") else None,
    }


def _data(session: Session, actor: Actor, workspace: Workspace) -> dict[str, Any]:
    """What the actor's departments brought in: rows by how they ended, records by type, quarantine waiting, and
    per target the deliveries owed and what became of them."""
    scope = within_scope(actor, Batch.department_id)
    totals = session.execute(
        select(
            func.count(Batch.id),
            func.coalesce(func.sum(Batch.rows_read), 0),
            func.coalesce(func.sum(Batch.rows_accepted), 0),
            func.coalesce(func.sum(Batch.rows_quarantined), 0),
            func.coalesce(func.sum(Batch.rows_skipped), 0),
        ).where(scope)
    ).one()
    records = session.execute(
        select(Record.record_type, func.count(Record.id))
        .join(RecordVersion, RecordVersion.id == Record.version_id)
        .join(Batch, Batch.id == RecordVersion.batch_id)
        .where(scope)
        .group_by(Record.record_type)
    ).all()
    waiting = select(QuarantineItem.id).join(Batch, Batch.id == QuarantineItem.batch_id)
    return {
        "batches": int(totals[0]),
        "rows": {
            "read": int(totals[1]),
            "accepted": int(totals[2]),
            "quarantined": int(totals[3]),
            "skipped": int(totals[4]),
        },
        "records": {record_type: int(count) for record_type, count in sorted(records)},
        "quarantine_open": _count(session, waiting.where(scope, QuarantineItem.status == "open")),
        "deliveries": funnels(session, actor, workspace.root),
    }


def _count(session: Session, ids: Select[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(ids.subquery())) or 0)


def _count_files(workspace: Workspace, folder: str) -> int:
    path = workspace.root / folder
    if not path.is_dir():
        return 0
    return sum(1 for p in path.iterdir() if p.suffix in {".yaml", ".yml", ".csv", ".xlsx"})
