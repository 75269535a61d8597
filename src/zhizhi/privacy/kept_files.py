"""What retention erases in files under the workspace's data folder, beside the store's rows: the record files the
desk and the inspections wrote, each read again only when it changed since a run erased it (`ErasedFiles`), and the
photos of visits, whose metadata goes and whose image stays (`erase_photos`)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from zhizhi.errors import InputError
from zhizhi.inspections.files import PHOTOS_FOLDER, keep_unless_rolled_back, remove_once_committed
from zhizhi.inspections.photos import without_metadata
from zhizhi.store.tables import ErasedFile, InspectionPhoto, InspectionVisit

SLICE = 2_000  # paths looked up at once


class ErasedFiles:
    """The files a run erased before (or found holding nothing to erase), as it left them, among `paths`: a file of
    the same size and modification time is passed over unopened; one that differs is read, and passed over only if
    its SHA-256 is still the one the run left (a copy restored with a new time)."""

    def __init__(self, session: Session, data: Path, paths: Sequence[Path], now: datetime, dry_run: bool) -> None:
        self.session, self.data, self.now, self.dry_run = session, data, now, dry_run
        self.noted: list[dict[str, Any]] = []
        keys = [self._key(p) for p in paths]
        self.known: dict[str, tuple[int, int, int, str]] = {}
        columns = (ErasedFile.path, ErasedFile.id, ErasedFile.size, ErasedFile.mtime_ns, ErasedFile.sha256)
        for start in range(0, len(keys), SLICE):
            listed = ErasedFile.path.in_(keys[start : start + SLICE])
            for path, *state in session.execute(select(*columns).where(listed)):
                self.known[path] = tuple(state)  # type: ignore[assignment]

    def unchanged(self, path: Path) -> bool:
        """Whether `path` is still as a run left it (read only when its size or time changed)."""
        seen = self.known.get(self._key(path))
        if seen is None:
            return False
        status = path.stat()
        if (status.st_size, status.st_mtime_ns) == seen[1:3]:
            return True
        if hashlib.sha256(path.read_bytes()).hexdigest() != seen[3]:
            return False
        self.note(path, None)
        return True

    def note(self, path: Path, body: bytes | None) -> None:
        """Note `path` as this run leaves it (`body`, else its content as it is), to be saved by `save`."""
        if self.dry_run:
            return
        status = path.stat()
        digest = hashlib.sha256(path.read_bytes() if body is None else body).hexdigest()
        self.noted.append(
            {"path": self._key(path), "size": status.st_size, "mtime_ns": status.st_mtime_ns, "sha256": digest}
        )

    def save(self) -> None:
        """Write the files noted: those known updated, the others added."""
        rows = [{**n, "erased_at": self.now} for n in self.noted]
        known = [{"id": self.known[r["path"]][0], **r} for r in rows if r["path"] in self.known]
        added = [r for r in rows if r["path"] not in self.known]
        if known:
            self.session.execute(update(ErasedFile), known)
        if added:
            self.session.execute(insert(ErasedFile), added)
        self.noted = []

    def _key(self, path: Path) -> str:
        return path.relative_to(self.data).as_posix()


def erase_photos(
    session: Session, data: Path, ids: Sequence[int], dry_run: bool, notes: list[str]
) -> list[tuple[int, str, str, int]]:
    """Erase the metadata of these photos' files (the image kept byte for byte, the file named by its new SHA-256, the
    old one removed once the transaction commits); returns (id, file name, sha256, size) of each photo erased. A file
    that cannot be read as its type is left, with a note, and its photo left to the next run."""
    query = (
        select(
            InspectionPhoto.id,
            InspectionVisit.number,
            InspectionPhoto.file_name,
            InspectionPhoto.content_type,
            InspectionPhoto.sha256,
            InspectionPhoto.size,
        )
        .join(InspectionVisit, InspectionVisit.id == InspectionPhoto.visit_id)
        .where(InspectionPhoto.id.in_(ids))
        .order_by(InspectionPhoto.id)
    )
    done: dict[Path, tuple[str, str, int] | None] = {}  # a file two photos name (the same photo sent twice): once
    erased = []
    for photo_id, number, name, kind, digest, size in session.execute(query):
        path = data / PHOTOS_FOLDER / number / name
        which = f"Photo `{photo_id}` of visit `{number}`"
        if not path.is_file():
            notes.append(f"{which} has no file: nothing of it was left to erase.")
            done[path] = name, digest, size
        elif path not in done:
            done[path] = _erase_photo(session, path, kind, dry_run, notes, which)
        if (kept := done[path]) is not None:
            erased.append((photo_id, *kept))
    return erased


def _erase_photo(
    session: Session, path: Path, kind: str, dry_run: bool, notes: list[str], which: str
) -> tuple[str, str, int] | None:
    body = path.read_bytes()
    try:
        kept = without_metadata(body, kind)
    except InputError as exc:
        notes.append(f"{which} could not be read ({exc.message}): its metadata was not erased. Replace or remove it.")
        return None
    digest = hashlib.sha256(kept).hexdigest()
    target = path.with_name(f"{digest[:24]}{path.suffix}")
    if target != path and not dry_run:
        if not target.exists():  # named by its SHA-256: one there already is the same photo
            keep_unless_rolled_back(session, target, kept)
        remove_once_committed(session, [path])
    return target.name, digest, len(kept)
