"""Files kept under the workspace's data folder beside the rows that name them, written and removed with the
session's transaction: one rolled back leaves no file behind, and removes none."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy.orm import Session

from zhizhi.store import when_settled

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

    when_settled(session, rolled_back=lambda: path.unlink(missing_ok=True))


def remove_once_committed(session: Session, paths: Iterable[Path]) -> None:
    """Remove the files (and their folders left empty) once the session's transaction commits; none if it rolls
    back."""
    paths = list(paths)

    def remove() -> None:
        for path in paths:
            path.unlink(missing_ok=True)
        for folder in {p.parent for p in paths}:
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()

    when_settled(session, committed=remove)
