"""A JPEG's location taken out byte by byte: the GPS directory of its EXIF and its XMP segments go; the image data
and every other segment stay exactly as the camera wrote them (decoding and encoding again would lose quality).

Once a photo's retention has passed, `without_metadata` keeps only what shows and dates it: of the EXIF, the tags in
`KEPT_TAGS` (no owner, artist, serial number, comment or maker note), and of the other segments only those a decoder
needs (JFIF, the colour profile, Adobe's colour transform); comments and IPTC captions and bylines go."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, NoReturn

from zhizhi.errors import InputError

if TYPE_CHECKING:
    from PIL import Image

EOI, SOS, APP0, APP1, APP2, APP14, APP15, COM = 0xD9, 0xDA, 0xE0, 0xE1, 0xE2, 0xEE, 0xEF, 0xFE
GPS_IFD, EXIF_IFD = 0x8825, 0x8769
# What a photo keeps of its EXIF once its retention has passed: the camera's make and model, orientation,
# resolution, and when it was taken (evidence of the finding); nothing that names or locates a person.
KEPT_TAGS = frozenset(
    {0x010F, 0x0110, 0x0112, 0x011A, 0x011B, 0x0128, 0x0132, 0x0213}  # IFD0
    | {0x9000, 0x9003, 0x9004, 0x9010, 0x9011, 0x9012, 0xA001, 0xA002, 0xA003}  # the Exif directory
)
# The application segments a decoder needs, by their signature: JFIF, the colour profile, Adobe's colour transform.
DECODER_SEGMENTS = {APP0: (b"JFIF\x00", b"JFXX\x00"), APP2: (b"ICC_PROFILE\x00",), APP14: (b"Adobe",)}
EXIF = b"Exif\x00\x00"
XMP = (b"http://ns.adobe.com/xap/1.0/\x00", b"http://ns.adobe.com/xmp/extension/\x00")
MPF = b"MPF\x00"  # a phone's index of the pictures after the first one, which are not kept


def without_location(data: bytes) -> bytes:
    """The JPEG's first picture without the EXIF's GPS directory and XMP; whatever follows its end is left off."""
    kept = [data[:2]]
    for marker, segment in _segments(data):
        payload = segment[4:]
        if marker == APP1 and payload.startswith(EXIF):
            kept.append(_exif_without_gps(segment))
        elif not (marker == APP1 and payload.startswith(XMP)) and not (marker == APP2 and payload.startswith(MPF)):
            kept.append(segment)
    return b"".join(kept)


def without_metadata(data: bytes) -> bytes:
    """The JPEG's first picture with only what shows and dates it (see `KEPT_TAGS`, `DECODER_SEGMENTS`); the image
    data and its tables byte for byte."""
    kept = [data[:2]]
    for marker, segment in _segments(data):
        payload = segment[4:]
        if marker == APP1 and payload.startswith(EXIF):
            kept.append(_exif_without_gps(segment, only=KEPT_TAGS))
        elif APP0 <= marker <= APP15 or marker == COM:
            if payload.startswith(DECODER_SEGMENTS.get(marker, ())):
                kept.append(segment)
        else:
            kept.append(segment)
    return b"".join(kept)


def _segments(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Each segment after the start of image up to its end, with its marker; a scan carries its image data."""
    if not data.startswith(b"\xff\xd8"):
        _damaged("it does not start with a JPEG marker")
    at = 2
    while True:
        while data[at : at + 2] == b"\xff\xff":  # fill bytes before a marker: padding, left off
            at += 1
        if len(data) < at + 2 or data[at] != 0xFF:
            _damaged(f"no marker at byte {at:,}")
        marker = data[at + 1]
        if marker == EOI:
            yield marker, data[at : at + 2]
            return
        end = at + 2 + int.from_bytes(data[at + 2 : at + 4], "big")
        if end < at + 4 or end > len(data):
            _damaged(f"the segment at byte {at:,} runs past the end of the file")
        if marker == SOS:
            end = _scan_end(data, end)
        yield marker, data[at:end]
        at = end


def _scan_end(data: bytes, at: int) -> int:
    """Where the image data that starts at `at` ends: at the first marker that is not a restart (0xFF 0x00 is a
    0xFF byte of the data)."""
    while True:
        at = data.find(b"\xff", at)
        if at < 0 or at + 1 >= len(data):
            _damaged("the image data has no end")
        if data[at + 1] not in (0x00, 0xFF, *range(0xD0, 0xD8)):
            return at
        at += 1


def _exif_without_gps(segment: bytes, *, only: frozenset[int] | None = None) -> bytes:
    """The EXIF segment written again without its GPS directory, nor anything Pillow cannot read (a damaged part
    could hold the location); with `only`, with just those tags of its first and Exif directories. Left off when it
    cannot be read at all."""
    from PIL import Image

    exif = Image.Exif()
    try:
        exif.load(segment[4:])
    except SyntaxError:  # not a TIFF structure
        return b""
    exif.pop(GPS_IFD, None)
    if only is not None:
        exif = _only(exif, only)
    body = exif.tobytes()
    return b"\xff\xe1" + (len(body) + 2).to_bytes(2, "big") + body if len(body) <= 0xFFFF - 2 else b""


def _damaged(why: str) -> NoReturn:
    raise InputError(
        f"The JPEG photo is damaged: {why}. Send the camera's photo as it is.",
        zh="JPEG 照片已损坏，请直接上传相机拍摄的原始照片。",
    )


def _only(exif: Image.Exif, tags: frozenset[int]) -> Image.Exif:
    """A new EXIF with only `tags` of `exif`'s first directory and of its Exif directory (no thumbnail)."""
    from PIL import Image

    kept = Image.Exif()
    kept.update({tag: value for tag, value in exif.items() if tag in tags})
    inner = {tag: value for tag, value in exif.get_ifd(EXIF_IFD).items() if tag in tags}
    if inner:
        kept.get_ifd(EXIF_IFD).update(inner)
    return kept
