"""A JPEG's location taken out byte by byte: the GPS directory of its EXIF and its XMP segments go; the image data
and every other segment stay exactly as the camera wrote them (decoding and encoding again would lose quality)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NoReturn

from zhizhi.errors import InputError

EOI, SOS, APP1, APP2 = 0xD9, 0xDA, 0xE1, 0xE2
GPS_IFD = 0x8825
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


def _exif_without_gps(segment: bytes) -> bytes:
    """The EXIF segment written again without its GPS directory, nor anything Pillow cannot read (a damaged part
    could hold the location); left off when it cannot be read at all."""
    from PIL import Image

    exif = Image.Exif()
    try:
        exif.load(segment[4:])
    except SyntaxError:  # not a TIFF structure
        return b""
    exif.pop(GPS_IFD, None)
    body = exif.tobytes()
    return b"\xff\xe1" + (len(body) + 2).to_bytes(2, "big") + body if len(body) <= 0xFFFF - 2 else b""


def _damaged(why: str) -> NoReturn:
    raise InputError(
        f"The JPEG photo is damaged: {why}. Send the camera's photo as it is.",
        zh="JPEG 照片已损坏，请直接上传相机拍摄的原始照片。",
    )
