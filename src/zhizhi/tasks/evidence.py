"""Evidence that a part was done: files (bounded in size and number) and texts, kept in the store with their hash."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from zhizhi.errors import InputError
from zhizhi.store.tables import TaskEvidence, TaskPart
from zhizhi.store.types import utcnow

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_PART_BYTES = 50 * 1024 * 1024
MAX_FILES = 20
MAX_TEXT = 4000
MAX_NAME = 200
NEEDS = {"files": ("file",), "text": ("text",), "both": ("file", "text"), "either": ()}


@dataclass(frozen=True)
class Upload:
    """A file given as evidence: its name as sent, its media type and its bytes."""

    name: str
    media_type: str
    data: bytes


def too_big(name: str, size: int) -> InputError:
    """The refusal of a file over MAX_FILE_BYTES."""
    return InputError(
        f"File `{name}` is {size:,} bytes; evidence files may have at most {MAX_FILE_BYTES:,} (10 MiB). Send a "
        "smaller scan or split it.",
        zh=f"文件 `{name}` 有 {size:,} 字节，证明材料每个文件最多 10 MiB，请压缩或拆分后上传。",
    )


def add(
    session: Session, part: TaskPart, by: str, *, text: str = "", files: Sequence[Upload] = ()
) -> list[TaskEvidence]:
    """Keep a text and files as the part's evidence, within the limits; returns what was added."""
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise InputError(f"The text is {len(text):,} characters; at most {MAX_TEXT:,}. Attach a file instead.",
                         zh=f"文字说明 {len(text):,} 字，最多 {MAX_TEXT:,} 字；更长的请以附件上传。")  # fmt: skip
    count, total = session.execute(
        select(func.count(), func.coalesce(func.sum(TaskEvidence.size), 0)).where(
            TaskEvidence.part_id == part.id, TaskEvidence.kind == "file"
        )
    ).one()
    if count + len(files) > MAX_FILES:
        raise InputError(
            f"A part keeps at most {MAX_FILES} files; it has {count} and {len(files)} were sent.",
            zh=f"每项分工最多 {MAX_FILES} 个附件，已有 {count} 个，本次上传 {len(files)} 个。",
        )
    for upload in files:
        if len(upload.data) > MAX_FILE_BYTES:
            raise too_big(upload.name, len(upload.data))
    if total + sum(len(u.data) for u in files) > MAX_PART_BYTES:
        raise InputError(f"A part's files may total at most {MAX_PART_BYTES:,} bytes (50 MiB).",
                         zh="每项分工的附件合计最多 50 MiB。")  # fmt: skip
    now, added = utcnow(), []
    for upload in files:
        if not upload.data:
            raise InputError(f"File `{upload.name}` is empty.", zh=f"文件 `{upload.name}` 是空的。")
        added.append(TaskEvidence(part_id=part.id, kind="file", name=clean_name(upload.name),
                                  media_type=(upload.media_type or "application/octet-stream")[:100],
                                  size=len(upload.data), sha256=hashlib.sha256(upload.data).hexdigest(),
                                  content=upload.data, added_by=by, added_at=now))  # fmt: skip
    if text:
        data = text.encode("utf-8")
        added.append(TaskEvidence(part_id=part.id, kind="text", size=len(data), text=text,
                                  sha256=hashlib.sha256(data).hexdigest(), added_by=by, added_at=now))  # fmt: skip
    session.add_all(added)
    session.flush()
    return added


def clean_name(name: str) -> str:
    """A file name without the folders a browser or a script may send, bounded; `file` when nothing is left."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name.strip().replace("\x00", "")
    return base[-MAX_NAME:] or "file"


def missing(session: Session, part: TaskPart, adding: AbstractSet[str] = frozenset()) -> list[str]:
    """The kinds of evidence (`file`, `text`) the part lacks for its requirement, counting those being `adding`."""
    kinds = set(session.scalars(select(TaskEvidence.kind).where(TaskEvidence.part_id == part.id).distinct()))
    kinds |= adding
    if part.evidence == "either":
        return [] if kinds else ["file", "text"]
    return [kind for kind in NEEDS[part.evidence] if kind not in kinds]


def listed(session: Session, part_ids: list[int]) -> dict[int, list[TaskEvidence]]:
    """The evidence of several parts (without loading the files' bytes), oldest first."""
    found: dict[int, list[TaskEvidence]] = {i: [] for i in part_ids}
    query = (
        select(TaskEvidence).options(defer(TaskEvidence.content))
        .where(TaskEvidence.part_id.in_(part_ids)).order_by(TaskEvidence.id)
    )  # fmt: skip
    for item in session.scalars(query):
        found[item.part_id].append(item)
    return found
