"""Files kept under the workspace's data folder beside the rows that name them, written and removed with the
session's transaction: one rolled back leaves no file behind, and removes none."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

PHOTOS_FOLDER = Path("inspections") / "photos"  # a folder per visit, named by its number


def keep_unless_rolled_back(session: Session, path: Path, body: bytes) -> None:
    """Write `path` whole (a part file moved into place) in the session's transaction, and remove it if the
    transaction rolls back: a file (an export, a photo) is kept only beside the rows that name it, and is there to
    read as soon as they are committed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f".{path.name}.part")
    try:
        part.write_bytes(body)
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)

    def forget(_: Session) -> None:
        event.remove(session, "after_commit", keep)
        path.unlink(missing_ok=True)

    def keep(_: Session) -> None:
        event.remove(session, "after_rollback", forget)

    event.listen(session, "after_commit", keep, once=True)
    event.listen(session, "after_rollback", forget, once=True)


def remove_once_committed(session: Session, paths: Iterable[Path]) -> None:
    """Remove the files (and their folders left empty) once the session's transaction commits; none if it rolls
    back."""
    paths = list(paths)

    def remove(_: Session) -> None:
        event.remove(session, "after_rollback", forget)
        for path in paths:
            path.unlink(missing_ok=True)
        for folder in {p.parent for p in paths}:
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()

    def forget(_: Session) -> None:
        event.remove(session, "after_commit", remove)

    event.listen(session, "after_commit", remove, once=True)
    event.listen(session, "after_rollback", forget, once=True)
