"""Why a seal does not hold, each reason in English and in Chinese: the signature's integrity, the certificate's
trust, revocation and purpose, and the timestamp's place within the certificate's validity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pyhanko.sign.validation.status import PdfSignatureStatus

from zhizhi.seals.certificates import revocation_words

Problem = tuple[str, str]
"""A reason in English and in Chinese."""

CLOCK_SKEW = timedelta(minutes=5)
# A seal certificate signs documents: one whose extended key usage names another purpose (the workspace's
# timestamping certificate, a TLS certificate) is not a seal, even when it chains to the root.
SEAL_PURPOSES = {"any_extended_key_usage", "email_protection", "1.3.6.1.5.5.7.3.36", "1.2.840.113583.1.1.5"}
UNVOUCHED: Problem = (
    "fields were added after sealing and no later seal covers them (a field's appearance can draw over the figures)",
    "盖章后添加了表单域，且其后没有有效印章覆盖（表单域的外观可以遮盖报表数字）",
)


def integrity_problems(status: PdfSignatureStatus) -> list[Problem]:
    """The sealed bytes changed, or the signature does not verify."""
    if not status.intact:
        return [("the sealed bytes were changed (digest mismatch)", "盖章范围内的内容已被改动（摘要不符）")]
    return [] if status.valid else [("the signature does not verify", "签名校验失败")]


def trust_problems(status: PdfSignatureStatus, revocation: tuple[datetime, str] | None) -> list[Problem]:
    """Revoked, not chaining to a trusted root, outside its validity, or not a seal certificate at all."""
    cert = status.signing_cert
    start, end = cert.not_valid_before.isoformat(), cert.not_valid_after.isoformat()
    problems: list[Problem] = []
    if revocation is not None:
        at = revocation[0].isoformat()
        en, zh = revocation_words(revocation[1])
        problems.append((f"the seal certificate was revoked at {at} ({en})", f"印章证书已于 {at} 吊销（{zh}）"))
    elif status.revoked:
        problems.append(("the seal certificate is revoked", "印章证书已吊销"))
    elif not status.trusted and not cert.not_valid_before <= datetime.now(UTC) <= cert.not_valid_after:
        problems.append((
            f"the seal certificate is valid from {start} to {end} only, and no trusted timestamp within those dates "
            "proves it sealed while valid",
            f"印章证书有效期仅为 {start} 至 {end}，且没有该期间内的可信时间戳证明盖章时证书有效",
        ))  # fmt: skip
    elif not status.trusted:
        indication = status.trust_problem_indic
        problems.append((
            f"the seal certificate does not chain to a trusted root ({indication})",
            f"印章证书不能追溯到受信任的根证书（{indication}）",
        ))  # fmt: skip
    return problems + purpose_problems(status)


def purpose_problems(status: PdfSignatureStatus) -> list[Problem]:
    """A certificate whose extended key usage names purposes other than signing documents."""
    purposes = status.signing_cert.extended_key_usage_value
    if purposes is None or SEAL_PURPOSES & ({p.native for p in purposes} | {p.dotted for p in purposes}):
        return []
    names = ", ".join(str(p.native) for p in purposes)
    english = f"the certificate is not a seal certificate: it is for {names} only"
    return [(english, f"该证书不是印章证书，仅用于：{names}")]


def time_problems(status: PdfSignatureStatus) -> list[Problem]:
    """No trusted timestamp, or one that puts the seal outside its certificate's validity or in the future."""
    ts = status.timestamp_validity
    cert = status.signing_cert
    if ts is None or not ts.trusted:
        return [("no trusted timestamp", "没有可信时间戳")]
    at = ts.timestamp.isoformat()
    if ts.timestamp > datetime.now(UTC) + CLOCK_SKEW:
        return [(f"the timestamp {at} is in the future", f"时间戳 {at} 晚于当前时间")]
    if not cert.not_valid_before <= ts.timestamp <= cert.not_valid_after:
        start, end = cert.not_valid_before.isoformat(), cert.not_valid_after.isoformat()
        return [(
            f"the timestamp {at} lies outside the seal certificate's validity ({start} to {end})",
            f"时间戳 {at} 不在印章证书有效期（{start} 至 {end}）之内",
        )]  # fmt: skip
    return []
