"""Retention of a random inspection's own copies beyond its visit's text (SQLite and PostgreSQL): a visit's photos keep
their image as evidence and lose, at the visit's expiry, their location (even one kept on purpose) and every metadata
that names a person, their files changed with the run's transaction; why a member left the team is masked like the
remark; and a file an earlier run erased is not opened again unless it changed. Each counted, a dry run changes
nothing and a second run changes nothing."""

from __future__ import annotations

import hashlib
import io
import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, PngImagePlugin
from sqlalchemy import select

from tests.conftest import OPERATOR, Web
from tests.inspections.test_retention import LEGAL, PHONE, SIGNER, _expire, _files, _recorded
from zhizhi.inspections import add_photo, photo_file
from zhizhi.privacy.retention import expire
from zhizhi.store.tables import InspectionPhoto, InspectionVisit, VisitInspector
from zhizhi.store.types import utcnow

OWNER, SERIAL = "韦小宝", "SN-88231"
GPS = {1: "N", 2: (24.0, 19.0, 30.0), 3: "E", 4: (109.0, 24.0, 0.0)}


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + (len(payload) + 2).to_bytes(2, "big") + payload


def _jpeg() -> bytes:
    """A phone's JPEG: its location, its owner in the EXIF, a comment and an IPTC byline naming people."""
    image = Image.new("RGB", (64, 48))
    image.putdata([(x * 7 % 256, y * 3, (x + y) * 5 % 256) for y in range(48) for x in range(64)])
    exif = image.getexif()
    exif.update({0x010F: "ZhizhiCam", 0x013B: OWNER})  # Make, Artist
    exif.get_ifd(0x8769).update({0x9003: "2026:03:01 10:20:30", 0xA430: OWNER, 0xA431: SERIAL})  # taken, owner, body
    exif.get_ifd(0x8825).update(GPS)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif, quality=90)
    data = buffer.getvalue()
    comment = _segment(0xFE, f"{SIGNER} {PHONE}".encode())
    iptc = _segment(0xED, b"Photoshop 3.0\x00" + f"By-line {OWNER}".encode())
    return data[:2] + comment + iptc + data[2:]


def _png() -> bytes:
    """A PNG with its author in a text chunk and its location in its EXIF."""
    image = Image.new("RGB", (20, 10), (10, 200, 30))
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", OWNER)
    exif = image.getexif()
    exif.get_ifd(0x8825).update(GPS)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", pnginfo=info, exif=exif)
    return buffer.getvalue()


def _photos(web: Web, number: str) -> dict[int, tuple[dict[str, Any], bytes]]:
    """A visit's photos: each row's columns and its file as a reader gets it."""
    with web.sessions() as session:
        visit = session.scalars(select(InspectionVisit).where(InspectionVisit.number == number)).one()
        photos = session.scalars(select(InspectionPhoto).where(InspectionPhoto.visit_id == visit.id)).all()
        return {
            p.id: (
                {c.key: getattr(p, c.key) for c in InspectionPhoto.__table__.columns},
                photo_file(session, OPERATOR, web.workspace, number, p.id)[0],
            )
            for p in photos
        }


def _personal(data: bytes) -> bool:
    return any(word.encode() in data for word in (OWNER, SERIAL, SIGNER, PHONE)) or b"GPS" in data


def test_a_visits_photos_keep_their_image_and_lose_location_and_names_at_its_expiry(web: Web) -> None:
    number = _recorded(web)
    jpeg, png = _jpeg(), _png()
    with web.sessions() as session, session.begin():
        sent = [
            add_photo(session, OPERATOR, web.workspace, number, jpeg, keep_location=True)["id"],  # the place: evidence
            add_photo(session, OPERATOR, web.workspace, number, jpeg)["id"],  # its location out, its owner still in
            add_photo(session, OPERATOR, web.workspace, number, png, keep_location=True)["id"],
        ]
    before = _photos(web, number)
    assert all(_personal(data) for _, data in before.values())
    folder = web.workspace.data_dir / "inspections" / "photos" / number
    names = sorted(p.name for p in folder.iterdir())
    assert _expire(web, 1000)["photos"] == 0  # within the retention of inspection records
    assert _expire(web, 2000, dry_run=True)["photos"] == 3
    assert sorted(p.name for p in folder.iterdir()) == names and _photos(web, number) == before
    with pytest.raises(RuntimeError), web.sessions() as session, session.begin():
        expire(session, OPERATOR, web.workspace, now=utcnow() + timedelta(days=2000))
        raise RuntimeError("the transaction fails after the run")
    assert sorted(p.name for p in folder.iterdir()) == names and _photos(web, number) == before  # files as they were
    assert _expire(web, 2000)["photos"] == 3
    after = _photos(web, number)
    for photo_id in sent:
        photo, data = after[photo_id]
        assert not _personal(data) and photo["erased_at"] is not None and not photo["location_kept"]
        assert photo["sha256"] == hashlib.sha256(data).hexdigest() and photo["size"] == len(data)
        suffix = "jpg" if photo["content_type"] == "image/jpeg" else "png"
        assert photo["file_name"] == f"{photo['sha256'][:24]}.{suffix}"
        assert photo["uploaded_by"] == OPERATOR.name  # who took the evidence is the bureau's record, not erased
        image = Image.open(io.BytesIO(data))
        assert image.tobytes() == Image.open(io.BytesIO(before[photo_id][1])).tobytes()  # the same picture
    kept_jpeg = after[sent[0]][1]
    assert kept_jpeg[kept_jpeg.index(b"\xff\xdb") :] == jpeg[jpeg.index(b"\xff\xdb") :]  # image data byte for byte
    exif = Image.open(io.BytesIO(kept_jpeg)).getexif()
    assert exif[0x010F] == "ZhizhiCam" and exif.get_ifd(0x8769) == {0x9003: "2026:03:01 10:20:30"}
    assert "Author" not in Image.open(io.BytesIO(after[sent[2]][1])).info
    assert sorted(p.name for p in folder.iterdir()) == sorted({after[i][0]["file_name"] for i in sent})  # old ones gone
    again = _expire(web, 2000)
    assert again["photos"] == 0 and again["changed"] == 0 and _photos(web, number) == after


def test_why_a_member_left_the_team_is_masked_at_the_visits_expiry(web: Web) -> None:
    number = _recorded(web)
    reason = f"与法定代表人{LEGAL}系亲属，回避；联系电话{PHONE}"
    with web.sessions() as session, session.begin():
        visit = session.scalars(select(InspectionVisit).where(InspectionVisit.number == number)).one()
        member = session.scalars(select(VisitInspector).where(VisitInspector.visit_id == visit.id)).first()
        assert member is not None
        member.removed_reason, key = reason, (member.visit_id, member.user_id)

    def removed_reason() -> str | None:
        with web.sessions() as session:
            return session.get_one(VisitInspector, key).removed_reason

    assert _expire(web, 2000, dry_run=True)["visits"] == 1 and removed_reason() == reason
    assert _expire(web, 2000)["visits"] == 1
    assert removed_reason() == "与法定代表人覃**系亲属，回避；联系电话138****5678"
    assert _expire(web, 2000)["changed"] == 0


def _garbled(path: Path) -> None:
    """Bytes no run could read in place of the file, its size and time kept: a run that opens it fails."""
    status = path.stat()
    path.write_bytes(b"\xff" * status.st_size)
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))


def test_a_file_an_earlier_run_erased_is_not_opened_again_unless_it_changed(web: Web) -> None:
    number = _recorded(web)
    noted, clean = sorted(_files(web, number), key=lambda p: PHONE in p.read_text(encoding="utf-8"), reverse=True)
    assert _expire(web, 2000)["files"] == 1  # the other file held nothing to erase, and is noted as read too
    for path in (noted, clean):
        _garbled(path)
    assert _expire(web, 2000)["changed"] == 0  # neither was opened
    assert set(noted.read_bytes()) == {0xFF}
    line = {"visit": number, "follow_up": f"法定代表人{LEGAL}电话{PHONE}"}  # the signer's name is gone from the visit
    noted.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")  # changed after the erasure
    assert _expire(web, 2000)["files"] == 1
    assert json.loads(noted.read_text(encoding="utf-8"))["follow_up"] == "法定代表人覃**电话138****5678"
    body = noted.read_bytes()
    os.utime(noted, ns=(1, 1))  # a copy restored with another time: read, found as it was left, noted again
    assert _expire(web, 2000)["files"] == 0 and noted.read_bytes() == body
    _garbled(noted)
    assert _expire(web, 2000)["changed"] == 0
