"""The reasons a seal certificate is revoked (RFC 5280, section 5.3.1) in words, a section of the catalogue
(`zhizhi.i18n`): `seal.revocation.REASON`, REASON being the name of `cryptography.x509.ReasonFlags`.

A failed verification, `zhizhi seal list` and the verification page say why a seal was revoked in these words,
never by the CRL's code (`keyCompromise`). Every reason has words, even those zhizhi never writes itself
(`ca_compromise`, `certificate_hold` ...): a CRL given to the verifier may carry them.
"""

from __future__ import annotations

_REASONS = {
    "unspecified": ("未说明", "no reason given"),
    "key_compromise": ("密钥泄露", "key compromised"),
    "ca_compromise": ("签发机构密钥泄露", "issuing authority's key compromised"),
    "affiliation_changed": ("隶属关系变更", "affiliation changed"),
    "superseded": ("已被取代", "superseded"),
    "cessation_of_operation": ("停止使用", "ceased operation"),
    "certificate_hold": ("暂停使用", "on hold"),
    "remove_from_crl": ("解除暂停", "removed from the revocation list"),
    "privilege_withdrawn": ("权限撤销", "privilege withdrawn"),
    "aa_compromise": ("属性机构密钥泄露", "attribute authority's key compromised"),
}


def messages() -> dict[str, dict[str, str]]:
    """The revocation reasons' words, per locale."""
    return {
        "zh-CN": {f"seal.revocation.{k}": v[0] for k, v in _REASONS.items()},
        "en": {f"seal.revocation.{k}": v[1] for k, v in _REASONS.items()},
    }
