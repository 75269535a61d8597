"""Photos taken at a visit: JPEG or PNG, at most `MAX_BYTES` each and `MAX_PER_VISIT` a visit, kept under the
workspace's data folder by their SHA-256. The location a phone writes into a photo (EXIF GPS, and XMP, which can
repeat it) is taken out before the photo is kept, unless the inspector keeps it on purpose (the place of a finding
is evidence); the image data of a JPEG is kept as it was (no second compression). Once the visit's retention has
passed, `without_metadata` is what is left of a photo: its image, byte for byte, and only the metadata that shows
and dates it (see zhizhi.privacy.retention)."""

from __future__ import annotations

import hashlib
from io import BytesIO
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhizhi.access import audit
from zhizhi.access.roles import Actor
from zhizhi.config import Workspace
from zhizhi.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from zhizhi.inspections import jpeg
from zhizhi.inspections.files import PHOTOS_FOLDER, keep_unless_rolled_back
from zhizhi.inspections.visits import get_visit, may_record
from zhizhi.store.tables import InspectionItem, InspectionPhoto, VisitItem
from zhizhi.store.types import utcnow

MAX_BYTES = 8 * 1024 * 1024
MAX_PER_VISIT = 30
MAX_PIXELS = 50_000_000
PNG = b"\x89PNG\r\n\x1a\n"
# The chunks a PNG keeps once its retention has passed: its image and how to show it (text, EXIF, XMP and private
# chunks go).
PNG_KEPT = frozenset(
    {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT", b"pHYs", b"bKGD"}
)
KINDS = {"JPEG": ("image/jpeg", "jpg"), "MPO": ("image/jpeg", "jpg"), "PNG": ("image/png", "png")}  # MPO: phones' JPEG
HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif")  # an iPhone's or Android's own


def not_a_photo(data: bytes, found: str = "") -> InputError:
    """The refusal of a file that is not a JPEG or PNG, naming what it is (a phone's HEIC, a WebP, ...) and what to
    send instead."""
    kind = "HEIC" if data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS else found
    what, what_zh = (f"is a {kind} image", f"是 {kind} 格式") if kind else ("is not an image", "不是图片")
    if kind == "HEIC":
        fix = "Export it as JPEG, or set the phone's camera to take JPEG (iPhone: Settings > Camera > Formats > Most "
        fix += "Compatible) and take it again."
        fix_zh = "请导出为 JPEG，或将手机相机设为拍摄 JPEG（iPhone：设置 > 相机 > 格式 > 兼容性最佳）后重拍。"
    else:
        fix, fix_zh = "Send the camera's JPEG (or a PNG) as it is.", "请直接上传相机拍摄的 JPEG（或 PNG）照片。"
    return InputError(
        f"The file {what}, not a JPEG or PNG photo. {fix}", zh=f"文件{what_zh}，不是 JPEG 或 PNG 照片。{fix_zh}"
    )


def without_location(data: bytes) -> tuple[bytes, str]:
    """The photo with its GPS data and XMP taken out (a JPEG's image data kept byte for byte), and its content type;
    anything but a JPEG or PNG within the limits is refused."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > MAX_BYTES:
        raise InputError(
            f"The photo is {len(data):,} bytes; at most {MAX_BYTES:,}. Take it at a lower resolution.",
            zh=f"照片超过 {MAX_BYTES // 1024 // 1024} MB，请降低分辨率后重拍。",
        )
    try:
        with Image.open(BytesIO(data)) as image:
            kind = image.format or ""
            if kind not in KINDS:
                raise not_a_photo(data, kind)
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise InputError(
                    f"The photo has {width}x{height} pixels; at most {MAX_PIXELS:,} in all.",
                    zh="照片像素过多，请降低分辨率。",
                )
            if kind in ("JPEG", "MPO"):  # MPO: a phone's multi-picture JPEG keeps its first picture
                return jpeg.without_location(data), KINDS[kind][0]
            exif = image.getexif()
            exif.pop(jpeg.GPS_IFD, None)
            out = BytesIO()
            image.save(out, format="PNG", exif=exif.tobytes())  # lossless: the same pixels, without XMP
    except UnidentifiedImageError:
        raise not_a_photo(data) from None
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InputError(
            f"The photo cannot be read as a JPEG or PNG ({type(exc).__name__}). Send the camera's photo as it is.",
            zh="照片无法作为 JPEG 或 PNG 读取，请直接上传相机拍摄的原始照片。",
        ) from None
    return out.getvalue(), KINDS[kind][0]


def without_metadata(data: bytes, kind: str) -> bytes:
    """A kept photo (of content type `kind`) with its image data byte for byte and only the metadata that shows and
    dates it: no location, owner, author, serial number or comment."""
    if kind == "image/jpeg":
        return jpeg.without_metadata(data)
    if not data.startswith(PNG):
        raise InputError("The PNG photo is damaged: no PNG signature.", zh="PNG 照片已损坏。")
    kept, at = [PNG], len(PNG)
    while at < len(data):
        length, chunk = int.from_bytes(data[at : at + 4], "big"), data[at + 4 : at + 8]
        end = at + 12 + length  # length, type, data, CRC
        if end > len(data):
            why = f"a chunk at byte {at:,} runs past its end"
            raise InputError(f"The PNG photo is damaged: {why}.", zh="PNG 照片已损坏。")
        if chunk in PNG_KEPT:
            kept.append(data[at:end])
        at = end
        if chunk == b"IEND":
            break
    return b"".join(kept)


def content_type(data: bytes) -> str:
    """The type of a photo kept as it came (the location kept): JPEG or PNG, else refused."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > MAX_BYTES:
        return without_location(data)[1]  # refused there, with the size
    try:
        with Image.open(BytesIO(data)) as image:
            kind = image.format or ""
    except (UnidentifiedImageError, OSError):
        kind = ""
    if kind not in KINDS:
        raise not_a_photo(data, kind)
    return KINDS[kind][0]


def add_photo(
    session: Session,
    actor: Actor,
    workspace: Workspace,
    number: str,
    data: bytes,
    *,
    item_code: str | None = None,
    keep_location: bool = False,
) -> dict[str, Any]:
    """Keep a photo of a visit (by its team, before publication), its location taken out unless kept on purpose."""
    visit = get_visit(session, actor, number)
    if not may_record(session, actor, visit):
        raise PermissionDeniedError(
            f"Only the team of visit `{number}` adds its photos.",
            zh=f"只有检查任务 `{number}` 的检查人员可以上传照片。",
        )
    if visit.status == "merged" or visit.published_at is not None:
        raise ConflictError(f"Visit `{number}` no longer takes photos.", zh=f"检查任务 `{number}` 已不能上传照片。")
    count = session.scalar(select(func.count()).where(InspectionPhoto.visit_id == visit.id)) or 0
    if count >= MAX_PER_VISIT:
        raise InputError(
            f"Visit `{number}` has {count} photos already, the most a visit keeps.",
            zh=f"检查任务 `{number}` 已有 {count} 张照片，已达上限。",
        )
    item_id = None
    if item_code:
        item_id = session.scalar(
            select(InspectionItem.id)
            .join(VisitItem, VisitItem.item_id == InspectionItem.id)
            .where(VisitItem.visit_id == visit.id, InspectionItem.code == item_code)
        )
        if item_id is None:
            raise NotFoundError(
                f"Item `{item_code}` is not on visit `{number}`.", zh=f"事项 `{item_code}` 不属于检查任务 `{number}`。"
            )
    kept, kind = (data, content_type(data)) if keep_location else without_location(data)
    digest = hashlib.sha256(kept).hexdigest()
    name = f"{digest[:24]}.{'jpg' if kind == 'image/jpeg' else 'png'}"
    path = workspace.data_dir / PHOTOS_FOLDER / visit.number / name
    if not path.is_file():  # the same photo sent again: the file its first row names stays, whatever becomes of this
        keep_unless_rolled_back(session, path, kept)  # no file (with its location) outside a row that retention erases
    photo = InspectionPhoto(
        visit_id=visit.id,
        item_id=item_id,
        file_name=name,
        sha256=digest,
        size=len(kept),
        content_type=kind,
        location_kept=keep_location,
        uploaded_by=actor.name,
        uploaded_at=utcnow(),
    )
    session.add(photo)
    session.flush()
    audit.record(
        session,
        actor,
        "inspection_visit.photo",
        object_type="inspection_visit",
        object_id=number,
        detail={"photo": photo.id, "sha256": digest, "location_kept": keep_location},
    )
    return {"id": photo.id, "sha256": digest, "size": len(kept), "content_type": kind, "location_kept": keep_location}


def photo_file(session: Session, actor: Actor, workspace: Workspace, number: str, photo_id: int) -> tuple[bytes, str]:
    """A visit's photo (for one who may see the visit) and its content type."""
    visit = get_visit(session, actor, number)
    photo = session.get(InspectionPhoto, photo_id)
    if photo is None or photo.visit_id != visit.id:
        raise NotFoundError(f"Visit `{number}` has no photo `{photo_id}`.", zh="该检查任务没有这张照片。")
    return (workspace.data_dir / PHOTOS_FOLDER / visit.number / photo.file_name).read_bytes(), photo.content_type
