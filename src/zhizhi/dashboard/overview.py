"""Counts and facts about a workspace, scoped to the viewer's department subtree."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from zhizhi.access import Actor, audit, require
from zhizhi.config import Workspace
from zhizhi.config.keys import public_key_fingerprint
from zhizhi.store import current_revision, display_url, head_revision
from zhizhi.store.tables import ApiToken, AuditEvent, Department, User
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
                session, select(ApiToken.id).where(ApiToken.revoked_at.is_(None), ApiToken.user_id.in_(people))
            ),
            "audit_events": _count(session, select(AuditEvent.seq).where(audit.in_scope(actor))),
        },
        "last_audit_event_at": iso_utc(session.scalar(select(func.max(AuditEvent.at)).where(audit.in_scope(actor)))),
        "files": {folder: _count_files(workspace, folder) for folder in CONFIG_FOLDERS},
    }


def _count(session: Session, ids: Select[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(ids.subquery())) or 0)


def _count_files(workspace: Workspace, folder: str) -> int:
    path = workspace.root / folder
    if not path.is_dir():
        return 0
    return sum(1 for p in path.iterdir() if p.suffix in {".yaml", ".yml", ".csv", ".xlsx"})
