"""Seal a PDF: a PAdES signature with the department's visible seal and a timestamp from the workspace's TSA key."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.stamp import StaticStampStyle

from zhizhi.errors import ConfigError
from zhizhi.seals.authority import ROOT_CERT, TSA_CERT, TSA_KEY, Authority, load_certificate
from zhizhi.seals.loops import off_the_loop
from zhizhi.seals.signers import SealSigner, signer_for

FIELD_PREFIX = "zhizhi-seal"
# Where the seal goes on the last page (PDF points from the lower left): right of centre, above the footer,
# inside the room zhizhi.pdf.report_pdf keeps free (SEAL_ROOM_MM).
SEAL_BOX = (400, 60, 520, 180)


def sign_pdf(
    pdf: bytes,
    keys_dir: Path,
    department_code: str,
    *,
    reason: str = "报表盖章 Report sealed",
    location: str | None = None,
    signer: SealSigner | None = None,
    box: tuple[int, int, int, int] = SEAL_BOX,
    now: dt.datetime | None = None,
) -> bytes:
    """Return PDF sealed by the department (PAdES B-T: signature, visible seal on the last page, timestamp).

    Args:
        keys_dir: the workspace's keys folder (`workspace.keys_dir`), which holds the seal authority.
        department_code: whose seal; its active certificate (or its PKCS#11 token, when configured) signs.
        signer: another signer to use instead (a token, a future SM2 signer).
        now: the timestamp's time (tests); the workspace's clock otherwise.
    """
    seal = signer or signer_for(keys_dir, department_code)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    field_name = _free_field_name(pdf)
    fields.append_signature_field(writer, fields.SigFieldSpec(sig_field_name=field_name, on_page=-1, box=box))
    image = seal.seal_image()
    style = stamp_style(image) if image else None
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        name=seal.department_name or None,
    )
    pdf_signer = signers.PdfSigner(
        meta, signer=seal.pyhanko_signer(), timestamper=workspace_timestamper(keys_dir, now), stamp_style=style
    )
    out = io.BytesIO()
    off_the_loop(pdf_signer.sign_pdf, writer, output=out)
    return out.getvalue()


def stamp_style(image: Path) -> StaticStampStyle:
    """The seal's picture IMAGE (a one-page PDF) as the signature's appearance, or an error naming the file: pyHanko
    reads it only while signing, and then says no more than "Illegal PDF header"."""
    try:
        PdfFileReader(io.BytesIO(image.read_bytes()), strict=False).find_page_for_modification(0)  # type: ignore[no-untyped-call]
    except (PdfError, OSError, IndexError, KeyError, ValueError) as exc:
        raise ConfigError(
            f"The seal's picture `{image.name}` in `{image.parent}` is not a PDF zhizhi can read ({exc}). It must be "
            "the picture zhizhi drew when the seal was issued, not an image file (PNG, JPEG) put in its place: delete "
            "the file and seal again, and zhizhi draws it again from the department's name.",
            zh=f"`{image.parent}` 中的印章图样 `{image.name}` 不是可读取的 PDF。印章图样须是签发印章时 zhizhi 绘制的"
            "文件，不能用图片文件（PNG、JPEG）替换：请删除该文件后重新盖章，zhizhi 会按部门名称重新绘制。",
        ) from exc
    return StaticStampStyle.from_pdf_file(str(image), border_width=0)


def workspace_timestamper(keys_dir: Path, now: dt.datetime | None = None) -> DummyTimeStamper:
    """An RFC 3161 timestamper that signs with the workspace's TSA key, offline (see docs/seals.md)."""
    authority = Authority.of(keys_dir)
    root = load_certificate(authority.folder / ROOT_CERT)
    return DummyTimeStamper(
        tsa_cert=load_certificate(authority.folder / TSA_CERT),
        tsa_key=authority.pyhanko_key(authority.folder / TSA_KEY),
        certs_to_embed=[root],  # type: ignore[arg-type]
        fixed_dt=now,
    )


def _free_field_name(pdf: bytes) -> str:
    """`zhizhi-seal-N` with the first N not taken, so a PDF can carry the seals of several departments."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    taken = {name for name, _, _ in fields.enumerate_sig_fields(reader)}
    n = 1
    while f"{FIELD_PREFIX}-{n}" in taken:
        n += 1
    return f"{FIELD_PREFIX}-{n}"
