"""Counts and facts about a workspace, scoped to the viewer's department subtree."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhizhi.access import Actor, require
from zhizhi.config import Workspace
from zhizhi.config.keys import public_key_fingerprint
from zhizhi.store import current_revision, display_url, head_revision
from zhizhi.store.tables import ApiToken, AuditEvent, Department, User

CONFIG_FOLDERS = ("sources", "targets", "codes", "crosswalks", "reports")


def overview(session: Session, workspace: Workspace, actor: Actor) -> dict[str, Any]:
    """The state of the workspace as the actor may see it."""
    require(actor, "workspace.read")
    in_scope = Department.path.startswith(actor.department_path)
    users = select(func.count()).select_from(User).join(Department).where(in_scope, User.is_active.is_(True))
    last_event = session.scalar(select(func.max(AuditEvent.at)))
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
            "departments": session.scalar(select(func.count()).select_from(Department).where(in_scope)),
            "active_users": session.scalar(users),
            "active_tokens": session.scalar(
                select(func.count()).select_from(ApiToken).where(ApiToken.revoked_at.is_(None))
            ),
            "audit_events": session.scalar(select(func.count()).select_from(AuditEvent)),
        },
        "last_audit_event_at": last_event.isoformat() if last_event else None,
        "files": {folder: _count_files(workspace, folder) for folder in CONFIG_FOLDERS},
    }


def _count_files(workspace: Workspace, folder: str) -> int:
    path = workspace.root / folder
    if not path.is_dir():
        return 0
    return sum(1 for p in path.iterdir() if p.suffix in {".yaml", ".yml", ".csv", ".xlsx"})
