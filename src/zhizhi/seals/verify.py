"""Check a sealed PDF offline: who sealed it, when, whether it is intact, trusted, not revoked, and what changed since.

Trust comes from the workspace's root certificate and its CRL (or ones the verifier was given), never from the
network; pyHanko's difference analysis judges every revision added after each seal.
"""

from __future__ import annotations

import io
import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel, SuspiciousModification
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext

from zhizhi.errors import InputError, ZhizhiError
from zhizhi.seals.authority import ROOT_CERT, Authority
from zhizhi.seals.certificates import CRL_FILE, current_crl, revocation_words
from zhizhi.seals.loops import off_the_loop
from zhizhi.seals.problems import UNVOUCHED, Problem, integrity_problems, time_problems, trust_problems

ALTERED = ("altered", "the sealed bytes themselves were altered", "盖章范围内的内容本身被改动")
# pyHanko logs a suspicious change, an expired or untrusted certificate, with its traceback before it returns it;
# the verdict names each of them: no traceback.
for _logger in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_logger).setLevel(logging.CRITICAL)
APPENDED = ("bytes follow the sealed file that are no revision of it (appended after it was sealed)",
            "盖章文件之后附加了不属于该文件任何修订版本的内容")  # fmt: skip
CHANGES = {
    ModificationLevel.NONE: ("none", "nothing changed since it was sealed", "盖章后未作任何改动"),
    ModificationLevel.LTA_UPDATES: (
        "validation_data",
        "validation data was added (allowed)",
        "仅追加了验证数据（允许）",
    ),
    ModificationLevel.FORM_FILLING: (
        "form_filling",
        "later seals or form fields were added",
        "其后加盖了其他印章或填写了表单",
    ),
    ModificationLevel.ANNOTATIONS: ("annotations", "annotations were added after sealing", "盖章后添加了批注"),
    ModificationLevel.OTHER: ("other", "the content was changed after sealing", "盖章后内容被修改"),
}
MAX_SEALS, MAX_REVISIONS = 10, 30
MAX_PDF_BYTES = 20 * 1024 * 1024  # what the public page and API take: a report is far smaller


class PdfTooLargeError(ZhizhiError):
    """An uploaded PDF is larger than the verification page takes."""

    code = "too_large"
    status = 413


def check_pdf_size(size: int) -> None:
    """Refuse a PDF over MAX_PDF_BYTES, saying the limit."""
    if size > MAX_PDF_BYTES:
        mb = MAX_PDF_BYTES // (1024 * 1024)
        message = f"The file is larger than {mb} MB; a sealed report is far smaller."
        raise PdfTooLargeError(message, zh=f"文件超过 {mb} MB。")


DAMAGED = (PdfError, SignatureValidationError, ValueError, TypeError, AttributeError, LookupError, ArithmeticError,
           NotImplementedError, RecursionError)
"""What pyHanko raises on a file or a signature it cannot read. Beyond its own errors it lets Python's through (a
`/ByteRange` of `1.5`: TypeError; a digest named by an OID it does not know: AttributeError); on the public page a
crafted file must get a verdict (damaged), never a server error."""
SEAL_USAGE = KeyUsageConstraints(key_usage={"non_repudiation"})
ALLOWED = {ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING}


@dataclass(frozen=True)
class Trust:
    """What a verifier trusts: root certificates and the CRLs that say which seals are revoked (DER or PEM)."""

    roots: list[bytes]
    crls: list[bytes]

    @classmethod
    def of_workspace(cls, keys_dir: Path) -> Trust:
        """The workspace's own root and its current CRL."""
        folder = Authority.of(keys_dir).folder
        Authority.of(keys_dir).root_certificate()  # says how to create it when missing
        # A damaged CRL is named with what to do (by `current_crl`), not left to fail inside a verification.
        crls = [current_crl(keys_dir).public_bytes(Encoding.DER)] if (folder / CRL_FILE).exists() else []
        return cls(roots=[(folder / ROOT_CERT).read_bytes()], crls=crls)

    def revocation(self, serial: int, issuer: asn1_x509.Name) -> tuple[datetime, str] | None:
        """When and why (a name of `x509.ReasonFlags`: `key_compromise`) a trusted root's CRL revoked the certificate
        SERIAL of ISSUER, if it did."""
        for root_data in self.roots:
            if asn1_x509.Certificate.load(_der(root_data)).subject != issuer:
                continue
            root = x509.load_der_x509_certificate(_der(root_data))
            for crl_data in self.crls:
                crl = x509.load_der_x509_crl(_der(crl_data))
                if crl.issuer != root.subject or not crl.is_signature_valid(root.public_key()):  # type: ignore[arg-type]
                    continue
                entry = crl.get_revoked_certificate_by_serial_number(serial)
                if entry is not None:
                    reason = next((e.value for e in entry.extensions if isinstance(e.value, x509.CRLReason)), None)
                    return entry.revocation_date_utc, reason.reason.name if reason else "unspecified"
        return None

    def context(self, moment: datetime | None = None) -> ValidationContext:
        """A context that validates now, or at MOMENT (a trusted timestamp's time) with today's CRLs."""
        return ValidationContext(
            trust_roots=[asn1_x509.Certificate.load(_der(root)) for root in self.roots],
            crls=[_der(crl) for crl in self.crls],
            allow_fetching=False,
            revocation_mode="hard-fail",
            moment=moment,
            retroactive_revinfo=moment is not None,
        )


@dataclass
class SealCheck:
    """The verdict on one seal of a PDF."""

    field_name: str
    department: str | None
    department_code: str | None
    organization: str | None
    serial: str
    sealed_at: str | None
    timestamped: bool
    intact: bool
    valid: bool
    trusted: bool
    revoked: bool
    revoked_at: str | None
    covers_whole_file: bool
    change: str
    change_en: str
    change_zh: str
    ok: bool
    problems: list[str] = field(default_factory=list)
    problems_zh: list[str] = field(default_factory=list)
    revocation_reason: str | None = None  # RFC 5280's reason, by the name of `x509.ReasonFlags`: `key_compromise`
    revocation_reason_en: str | None = None
    revocation_reason_zh: str | None = None


@dataclass
class VerifyReport:
    """Every seal found in a PDF and the overall verdict: ok only when there is a seal and every seal is ok."""

    sealed: bool
    ok: bool
    seals: list[SealCheck]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def verify_pdf(pdf: bytes, trust: Trust, *, name: str = "") -> VerifyReport:
    """Validate every seal of PDF against TRUST (roots and CRLs), offline, with difference analysis; NAME (the file's
    name) is what refusals call it."""
    shown = f"`{name}`" if name else "The file"
    shown_zh = f"文件 `{name}`" if name else "该文件"
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = sorted(reader.embedded_signatures, key=lambda embedded: embedded.signed_revision)
        revisions = reader.xrefs.total_revisions
    except DAMAGED as exc:
        raise InputError(
            f"{shown} is not a readable PDF ({exc}); it may be damaged or not a PDF at all. Ask the sender for the "
            "sealed PDF as it was sent.",
            zh=f"{shown_zh} 不是可读取的 PDF，可能已损坏或并非 PDF 文件。请向发送方索取原始的盖章 PDF。",
        ) from exc
    check_workload(len(signatures), revisions, shown, shown_zh)
    checks = _vouch([off_the_loop(_check, embedded, trust) for embedded in signatures])
    if _appended(pdf):  # after a later revision too (validation data added, then a payload): no seal covers them
        for check in checks:
            if APPENDED[0] not in check.problems:
                check.problems.append(APPENDED[0])
                check.problems_zh.append(APPENDED[1])
            check.ok = False
    return VerifyReport(sealed=bool(checks), ok=bool(checks) and all(c.ok for c in checks), seals=checks)


def _appended(pdf: bytes) -> bool:
    """Whether anything but white space follows the file's last end-of-file marker (its last revision's end)."""
    end = pdf.rfind(b"%%EOF")
    return end >= 0 and bool(pdf[end + 5 :].strip(b" \t\r\n\f\x00"))


def check_workload(seals: int, revisions: int, shown: str = "The PDF", shown_zh: str = "该 PDF") -> None:
    """Refuse a PDF whose seals or revisions are far more than any report carries: each seal's difference analysis
    reads every revision after it, so a crafted file would hold the (public) verifier for hours."""
    if seals > MAX_SEALS or revisions > MAX_REVISIONS:
        raise InputError(
            f"{shown} holds {seals} signatures in {revisions} revisions; zhizhi checks at most {MAX_SEALS} seals and "
            f"{MAX_REVISIONS} revisions (a report carries one seal per department that sealed it). Check this file "
            "with another PAdES validator.",
            zh=f"{shown_zh} 含 {seals} 个签名、{revisions} 个修订版本；本系统最多校验 {MAX_SEALS} 个印章、"
            f"{MAX_REVISIONS} 个修订版本（一份报表每个盖章部门只有一枚印章）。请使用其他 PAdES 验证工具校验该文件。",
        )


def _vouch(checks: list[SealCheck]) -> list[SealCheck]:
    """Refuse form fields added after a seal that no later good seal covers.

    A field added after sealing (even an empty signature field) may carry an appearance that draws over the
    report's figures; pyHanko counts it as form filling. It is accepted only when a later seal that holds was made
    over it, so the department sealing later vouched for what it saw. CHECKS are in the order they were sealed.
    """
    vouched = False
    for check in reversed(checks):
        if check.change == "form_filling" and not vouched:
            check.problems.append(UNVOUCHED[0])
            check.problems_zh.append(UNVOUCHED[1])
            check.ok = False
        vouched = vouched or check.ok
    return checks


def _check(embedded: Any, trust: Trust) -> SealCheck:
    try:
        status = _validate(embedded, trust.context())
        if _expired_since(status):
            # The timestamp proves the seal was made while its certificate was valid: judge it at that time.
            status = _validate(embedded, trust.context(status.timestamp_validity.timestamp))  # type: ignore[union-attr]
    except DAMAGED as exc:
        return _broken(embedded, str(exc) or type(exc).__name__)
    cert = status.signing_cert
    # pyHanko judges a timestamped seal at the time of its timestamp, so a seal made before its certificate was
    # revoked would pass; a recipient must hear of the revocation all the same, so it is checked here too.
    revocation = trust.revocation(cert.serial_number, cert.issuer)
    return _verdict(embedded.field_name, status, revocation)


def _validate(embedded: Any, context: ValidationContext) -> PdfSignatureStatus:
    return validate_pdf_signature(
        embedded, signer_validation_context=context, ts_validation_context=context, key_usage_settings=SEAL_USAGE
    )


def _expired_since(status: PdfSignatureStatus) -> bool:
    """Whether the seal certificate has expired since a trusted timestamp that falls within its validity."""
    ts = status.timestamp_validity
    cert = status.signing_cert
    if status.trusted or ts is None or not ts.trusted:
        return False
    return bool(cert.not_valid_before <= ts.timestamp <= cert.not_valid_after < datetime.now(UTC))


def _verdict(field_name: str, status: PdfSignatureStatus, revocation: tuple[datetime, str] | None) -> SealCheck:
    subject = status.signing_cert.subject.native
    level = status.modification_level
    problems: list[Problem] = []
    if isinstance(status.diff_result, SuspiciousModification):
        level = ModificationLevel.OTHER
        first = str(status.diff_result).splitlines()[0][:200]  # pyHanko's first line; the rest is its object graph
        problems.append((f"a change after sealing that no allowed update explains ({first})", "盖章后有无法解释的改动"))
    change = CHANGES[level or ModificationLevel.OTHER] if status.intact else ALTERED
    whole = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
    if status.intact and not whole and level == ModificationLevel.NONE:  # no later revision accounts for them
        problems.append(APPENDED)
    ts = status.timestamp_validity
    problems += integrity_problems(status)
    if status.intact and status.valid:  # of altered bytes, trust and time are not judged: say only what broke
        problems += trust_problems(status, revocation) + time_problems(status)
    if level not in ALLOWED or status.docmdp_ok is False:
        problems.append((change[1], change[2]))
    revoked = status.revoked or revocation is not None
    revoked_at = revocation[0] if revocation else None
    if revoked_at is None and status.revocation_details:
        revoked_at = status.revocation_details.revocation_date
    return SealCheck(
        field_name=field_name,
        department=subject.get("common_name"),
        department_code=subject.get("organizational_unit_name"),
        organization=subject.get("organization_name"),
        serial=f"{status.signing_cert.serial_number:X}",
        sealed_at=_iso(ts.timestamp if ts else status.signer_reported_dt),
        timestamped=bool(ts and ts.trusted),
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted and not revoked,
        revoked=revoked,
        revoked_at=_iso(revoked_at),
        covers_whole_file=status.coverage is not None and status.coverage.name == "ENTIRE_FILE",
        change=change[0],
        change_en=change[1],
        change_zh=change[2],
        ok=not problems and status.bottom_line,
        problems=[en for en, _ in problems],
        problems_zh=[zh for _, zh in problems],
        **_reason(revocation[1] if revocation else None),
    )


def _reason(reason: str | None) -> dict[str, str | None]:
    """A revocation's reason by its code and in words, as `SealCheck` carries it."""
    en, zh = revocation_words(reason) if reason else (None, None)
    return {"revocation_reason": reason, "revocation_reason_en": en, "revocation_reason_zh": zh}


def _broken(embedded: Any, reason: str) -> SealCheck:
    return SealCheck(
        field_name=str(embedded.field_name),
        department=None,
        department_code=None,
        organization=None,
        serial="",
        sealed_at=None,
        timestamped=False,
        intact=False,
        valid=False,
        trusted=False,
        revoked=False,
        revoked_at=None,
        covers_whole_file=False,
        change="other",
        change_en="the seal cannot be checked: the file was damaged",
        change_zh="印章无法校验：文件已损坏",
        ok=False,
        problems=[reason],
        problems_zh=[f"印章无法校验：{reason}"],
    )


def _der(data: bytes) -> bytes:
    """DER bytes from DER or PEM input."""
    if data.lstrip().startswith(b"-----BEGIN"):
        _, _, der = pem.unarmor(data)
        return bytes(der)
    return data


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
