"""Electronic seals: the workspace's seal authority, department seal certificates, PAdES sealing and verification.

record = issue_seal(session, actor, workspace.keys_dir, "LZ", bureau=workspace.config.name)
sealed = sign_pdf(report_pdf(...), workspace.keys_dir, "LZ")
report = verify_pdf(sealed, Trust.of_workspace(workspace.keys_dir))  # report.ok, report.seals[0].department
"""

from __future__ import annotations

from zhizhi.seals.authority import Authority
from zhizhi.seals.certificates import (
    REASONS,
    SealCertificate,
    active_seal,
    current_crl,
    get_seal,
    issue_seal,
    list_seals,
    revocation_words,
    revoke_seal,
)
from zhizhi.seals.image import seal_image_pdf
from zhizhi.seals.sign import SEAL_BOX, sign_pdf
from zhizhi.seals.signers import FileSigner, Pkcs11Config, Pkcs11Signer, SealSigner, signer_for
from zhizhi.seals.verify import (
    MAX_PDF_BYTES,
    PdfTooLargeError,
    SealCheck,
    Trust,
    VerifyReport,
    check_pdf_size,
    verify_pdf,
)

__all__ = [
    "MAX_PDF_BYTES",
    "PdfTooLargeError",
    "check_pdf_size",
    "REASONS",
    "SEAL_BOX",
    "Authority",
    "FileSigner",
    "Pkcs11Config",
    "Pkcs11Signer",
    "SealCertificate",
    "SealCheck",
    "SealSigner",
    "Trust",
    "VerifyReport",
    "active_seal",
    "current_crl",
    "get_seal",
    "issue_seal",
    "list_seals",
    "revocation_words",
    "revoke_seal",
    "seal_image_pdf",
    "sign_pdf",
    "signer_for",
    "verify_pdf",
]
