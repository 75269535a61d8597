"""Seal certificates: issued to departments by the workspace's authority, listed, revoked, and published as a CRL.

Each certificate is four files in `data/keys/seals/issued/`, named by its serial number in hex: `SERIAL.pem` (the
certificate), `SERIAL.key.pem` (its encrypted key), `SERIAL.seal.pdf` (the seal's picture) and `SERIAL.json` (who it
is for, and whether it is revoked). `crl.pem` and `crl.json` (its number) are the published revocation list.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy.orm import Session

from zhizhi.access import Actor, audit, get_department_by_code, require
from zhizhi.errors import ConfigError, ConflictError, InputError, NotFoundError
from zhizhi.i18n import MESSAGES
from zhizhi.seals.authority import Authority, seal_name
from zhizhi.seals.image import seal_image_pdf
from zhizhi.store import when_settled

CRL_FILE, CRL_META = "crl.pem", "crl.json"
SEAL_YEARS = 3
CRL_DAYS = 365
REASONS = {
    "unspecified": x509.ReasonFlags.unspecified,
    "key_compromise": x509.ReasonFlags.key_compromise,
    "affiliation_changed": x509.ReasonFlags.affiliation_changed,
    "superseded": x509.ReasonFlags.superseded,
    "cessation_of_operation": x509.ReasonFlags.cessation_of_operation,
}


def revocation_words(reason: str) -> tuple[str, str]:
    """A revocation REASON (a name of `x509.ReasonFlags`: `key_compromise`) in English and in Chinese words."""
    key = f"seal.revocation.{reason}"
    return MESSAGES["en"].get(key, reason), MESSAGES["zh-CN"].get(key, reason)


@dataclass(frozen=True)
class SealCertificate:
    """What zhizhi keeps about one issued seal certificate."""

    serial: str
    department_code: str
    department_name: str
    subject: str
    not_before: str
    not_after: str
    fingerprint_sha256: str
    revoked_at: str | None = None
    revocation_reason: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None and dt.datetime.fromisoformat(self.not_after) > dt.datetime.now(dt.UTC)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "active": self.active}


def issue_seal(
    session: Session, actor: Actor, keys_dir: Path, department_code: str, *, bureau: str, now: dt.datetime | None = None
) -> SealCertificate:
    """Issue DEPARTMENT a seal certificate (creating the authority on first use); audited as `seal.issue`."""
    require(actor, "departments.write")
    department = get_department_by_code(session, actor, department_code)
    now = now or dt.datetime.now(dt.UTC)
    authority = Authority.of(keys_dir)
    if authority.ensure(bureau, now):
        publish_crl(authority, now)
    current = [c for c in list_seals(keys_dir) if c.department_code == department.code and c.active]
    if current:
        raise ConflictError(
            f"Department `{department.code}` already holds seal certificate `{current[0].serial}`. Revoke it first "
            f"(`zhizhi seal revoke {current[0].serial} --reason superseded`), then issue a new one.",
            zh=f"部门 `{department.code}` 已持有印章证书 `{current[0].serial}`，请先吊销再签发新证书。",
        )
    key = ec.generate_private_key(ec.SECP256R1())
    subject = seal_name(department.name, department.code, organization=bureau)
    cert = authority.issuer_builder(subject, key, now, SEAL_YEARS).sign(authority.root_key(), hashes.SHA256())
    serial = f"{cert.serial_number:X}"
    base = authority.issued_dir / serial
    authority.write_key(base.with_suffix(".key.pem"), key)
    base.with_suffix(".pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    base.with_suffix(".seal.pdf").write_bytes(seal_image_pdf(department.name))
    record = SealCertificate(
        serial=serial,
        department_code=department.code,
        department_name=department.name,
        subject=cert.subject.rfc4514_string(),
        not_before=cert.not_valid_before_utc.isoformat(),
        not_after=cert.not_valid_after_utc.isoformat(),
        fingerprint_sha256=cert.fingerprint(hashes.SHA256()).hex(),
    )
    _write_meta(authority, record)
    _removed_if_rolled_back(session, [base.with_suffix(s) for s in (".key.pem", ".pem", ".seal.pdf", ".json")])
    audit.record(
        session,
        actor,
        "seal.issue",
        object_type="seal",
        object_id=serial,
        detail={"department": department.code, "not_after": record.not_after},
    )
    return record


def revoke_seal(
    session: Session, actor: Actor, keys_dir: Path, serial: str, *, reason: str, now: dt.datetime | None = None
) -> SealCertificate:
    """Revoke a seal certificate and publish a new CRL; audited as `seal.revoke`."""
    require(actor, "departments.write")
    if reason not in REASONS:
        raise InputError(
            f"Revocation reason `{reason}` is not one of {', '.join(REASONS)}.",
            zh=f"吊销原因 `{reason}` 无效，可选：{'、'.join(f'{r}（{revocation_words(r)[1]}）' for r in REASONS)}。",
        )
    authority = Authority.of(keys_dir)
    record = get_seal(keys_dir, serial)
    if record.revoked_at:
        raise ConflictError(
            f"Seal certificate `{record.serial}` was already revoked at {record.revoked_at}.",
            zh=f"印章证书 `{record.serial}` 已于 {record.revoked_at} 吊销。",
        )
    now = now or dt.datetime.now(dt.UTC)
    record = replace(record, revoked_at=now.isoformat(), revocation_reason=reason)
    _write_meta(authority, record)
    number = publish_crl(authority, now)
    audit.record(
        session,
        actor,
        "seal.revoke",
        object_type="seal",
        object_id=record.serial,
        detail={"department": record.department_code, "reason": reason, "crl_number": number},
    )
    return record


def list_seals(keys_dir: Path) -> list[SealCertificate]:
    """Every seal certificate issued in this workspace, oldest first."""
    issued = Authority.of(keys_dir).issued_dir
    if not issued.exists():
        return []
    records = [read_record(path) for path in issued.glob("*.json")]
    return sorted(records, key=lambda c: (c.not_before, c.serial))


def get_seal(keys_dir: Path, serial: str) -> SealCertificate:
    """One seal certificate by its serial number (hex, any case)."""
    path = Authority.of(keys_dir).issued_dir / f"{serial.strip().upper()}.json"
    if not path.exists() or not serial.strip().isalnum():
        raise NotFoundError(
            f"No seal certificate with serial `{serial}`. See `zhizhi seal list`.",
            zh=f"没有序列号为 `{serial}` 的印章证书，请查看 `zhizhi seal list`。",
        )
    return read_record(path)


def read_record(path: Path) -> SealCertificate:
    """What `issued/SERIAL.json` says of a seal, or an error naming the file and what to do."""
    try:
        record = SealCertificate(**json.loads(path.read_text("utf-8")))
        record.as_dict()  # its dates are dates
        return record
    except (ValueError, TypeError) as exc:  # not JSON (cut short, edited by hand), or not the fields of a seal
        raise ConfigError(
            f"The seal record `{path.name}` in `{path.parent}` is damaged ({exc}). Restore the keys folder from its "
            "backup (the record and its certificate `.pem` together).",
            zh=f"`{path.parent}` 中的印章记录 `{path.name}` 已损坏。请从备份恢复密钥目录"
            "（该记录与其证书 `.pem` 一并恢复）。",
        ) from exc


def active_seal(keys_dir: Path, department_code: str) -> SealCertificate:
    """The department's current seal certificate, or an error saying how to issue one."""
    for record in reversed(list_seals(keys_dir)):
        if record.department_code == department_code and record.active:
            return record
    raise NotFoundError(
        f"Department `{department_code}` has no active seal certificate. Issue one: `zhizhi seal issue "
        f"{department_code}`.",
        zh=f"部门 `{department_code}` 没有有效的印章证书，请先运行 `zhizhi seal issue {department_code}`。",
    )


def current_crl(keys_dir: Path) -> x509.CertificateRevocationList:
    """The CRL the workspace last published."""
    path = Authority.of(keys_dir).folder / CRL_FILE
    if not path.exists():
        raise NotFoundError(
            f"This workspace has published no CRL yet (`{path.name}`): it publishes one with its first seal. Run "
            "`zhizhi seal issue DEPT`.",
            zh=f"本工作区尚未发布证书吊销列表（`{path.name}`），签发第一枚印章时会一并发布。请运行 "
            "`zhizhi seal issue 部门编码`。",
        )
    try:
        return x509.load_pem_x509_crl(path.read_bytes())
    except ValueError as exc:
        raise ConfigError(
            f"The CRL `{path}` is damaged ({exc}). Restore it from the backup of the keys folder; revoking a seal "
            "also publishes it anew.",
            zh=f"证书吊销列表 `{path}` 已损坏。请从密钥目录的备份中恢复；吊销任一印章时也会重新发布。",
        ) from exc


def publish_crl(authority: Authority, now: dt.datetime) -> int:
    """Sign and write a new CRL listing every revoked seal; returns its number."""
    meta_path = authority.folder / CRL_META
    number = (json.loads(meta_path.read_text("utf-8"))["number"] + 1) if meta_path.exists() else 1
    root = authority.root_certificate()
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(root.subject)
        .last_update(now - dt.timedelta(minutes=5))
        .next_update(now + dt.timedelta(days=CRL_DAYS))
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
    )
    for record in list_seals(authority.folder.parent):
        if record.revoked_at:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(int(record.serial, 16))
                .revocation_date(dt.datetime.fromisoformat(record.revoked_at))
                .add_extension(x509.CRLReason(REASONS[record.revocation_reason or "unspecified"]), critical=False)
                .build()
            )
    crl = builder.sign(authority.root_key(), hashes.SHA256())
    (authority.folder / CRL_FILE).write_bytes(crl.public_bytes(serialization.Encoding.PEM))
    meta_path.write_text(json.dumps({"number": number, "this_update": now.isoformat()}), "utf-8")
    return number


def _removed_if_rolled_back(session: Session, paths: list[Path]) -> None:
    """Remove a seal's files if the transaction that audits its issue rolls back: no seal exists that the trail does
    not show issued (and a second `seal issue` is not refused for a seal that was never recorded)."""

    def remove() -> None:
        for path in paths:
            path.unlink(missing_ok=True)

    when_settled(session, rolled_back=remove)


def _write_meta(authority: Authority, record: SealCertificate) -> None:
    path = authority.issued_dir / f"{record.serial}.json"
    path.write_text(json.dumps(asdict(record), ensure_ascii=False, indent=2), "utf-8")
