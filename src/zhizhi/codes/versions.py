"""What importing a code list and importing a crosswalk share: one version per file, stored whole and audited."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Protocol, TypeVar

from sqlalchemy import insert
from sqlalchemy.orm import Session

from zhizhi.access import Actor, audit
from zhizhi.errors import ConflictError


class _Version(Protocol):
    id: int
    file_hash: str


V = TypeVar("V", bound=_Version)


def file_digest(path: Path) -> str:
    """The SHA-256 of a file: the same file imported twice is recognised by it."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def same_file(existing: V | None, digest: str, *, what: str, what_zh: str, version: str) -> V | None:
    """The stored version when it came from the same file; a version name reused for another file is refused."""
    if existing is None or existing.file_hash == digest:
        return existing
    raise ConflictError(
        f"{what} already has a version `{version}` from another file. Give the new file a new version name.",
        zh=f"{what_zh} 已有来自另一文件的版本 `{version}`。请为新文件另取一个版本名。",
    )


def store_version(
    session: Session,
    actor: Actor,
    version: V,
    row_model: type[Any],
    rows: list[dict[str, Any]],
    *,
    action: str,
    object_type: str,
    object_id: str,
    path: Path,
    counted: str,
) -> V:
    """Add the version and all its rows in the caller's transaction, and record the import."""
    session.add(version)
    session.flush()
    session.execute(insert(row_model), [{**row, "version_id": version.id} for row in rows])
    audit.record(
        session,
        actor,
        action,
        object_type=object_type,
        object_id=object_id,
        detail={"file": path.name, "sha256": version.file_hash, counted: len(rows)},
    )
    return version
