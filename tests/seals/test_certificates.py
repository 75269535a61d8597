"""Seal certificates on each backend: issued with the department's name, keys encrypted and private, revoked into
the CRL, every change in the audit trail; a revoked seal no longer verifies."""

from __future__ import annotations

import json
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from zhizhi.config import Workspace
from zhizhi.errors import ConflictError, InputError, NotFoundError
from zhizhi.pdf import report_pdf
from zhizhi.seals import Trust, current_crl, issue_seal, list_seals, revoke_seal, sign_pdf, verify_pdf
from zhizhi.seals.authority import Authority
from zhizhi.store.tables import AuditEvent

BUREAU = "测试市市场监督管理局"


def test_issue_sign_revoke_and_the_revoked_seal_is_caught(workspace: Workspace, city: sessionmaker[Session]) -> None:
    keys = workspace.keys_dir
    with city() as session, session.begin():
        record = issue_seal(session, OPERATOR, keys, "LZ-DJ", bureau=BUREAU)
    authority = Authority.of(keys)
    cert = x509.load_pem_x509_certificate((authority.issued_dir / f"{record.serial}.pem").read_bytes())
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "登记注册科"
    assert cert.issuer == authority.root_certificate().subject
    key_file = authority.issued_dir / f"{record.serial}.key.pem"
    assert b"ENCRYPTED PRIVATE KEY" in key_file.read_bytes()
    with pytest.raises(TypeError):  # no passphrase, no key
        serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    for secret in (key_file, authority.folder / "passphrase", authority.folder / "root.key.pem"):
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600, secret
    assert [c.serial for c in list_seals(keys)] == [record.serial]

    sealed = sign_pdf(report_pdf("月报", [], [], ""), keys, "LZ-DJ")
    assert verify_pdf(sealed, Trust.of_workspace(keys)).ok

    with city() as session, session.begin():
        revoked = revoke_seal(session, OPERATOR, keys, record.serial.lower(), reason="key_compromise")
    assert revoked.revoked_at and not revoked.active
    crl = current_crl(keys)
    assert crl.get_revoked_certificate_by_serial_number(int(record.serial, 16)) is not None
    assert json.loads((authority.folder / "crl.json").read_text())["number"] == 2
    report = verify_pdf(sealed, Trust.of_workspace(keys))
    (seal,) = report.seals
    assert not report.ok and seal.intact and seal.revoked and not seal.trusted
    assert seal.revoked_at and any("revoked" in p for p in seal.problems)
    # The reason in words of each language, never the CRL's code (`keyCompromise`).
    assert seal.revocation_reason == "key_compromise"
    assert (seal.revocation_reason_en, seal.revocation_reason_zh) == ("key compromised", "密钥泄露")
    assert any("吊销（密钥泄露）" in p for p in seal.problems_zh), seal.problems_zh
    assert any("(key compromised)" in p for p in seal.problems), seal.problems
    assert "keyCompromise" not in str(report.as_dict())

    with city() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action.like("seal.%")).order_by(AuditEvent.seq))
        assert [(e.action, e.object_id) for e in events] == [
            ("seal.issue", record.serial),
            ("seal.revoke", record.serial),
        ]


def test_refusals_name_the_value_and_the_next_step(workspace: Workspace, city: sessionmaker[Session]) -> None:
    keys = workspace.keys_dir
    with city() as session, session.begin():
        record = issue_seal(session, OPERATOR, keys, "LZ", bureau=BUREAU)
        with pytest.raises(ConflictError, match="Revoke it first"):
            issue_seal(session, OPERATOR, keys, "LZ", bureau=BUREAU)
        with pytest.raises(NotFoundError, match="NOPE"):
            issue_seal(session, OPERATOR, keys, "NOPE", bureau=BUREAU)
        with pytest.raises(InputError, match="`because`"):
            revoke_seal(session, OPERATOR, keys, record.serial, reason="because")
        with pytest.raises(NotFoundError, match="zhizhi seal list"):
            revoke_seal(session, OPERATOR, keys, "ABC", reason="superseded")
    with pytest.raises(NotFoundError, match="zhizhi seal issue LZ-SP"):
        sign_pdf(report_pdf("x", [], [], ""), keys, "LZ-SP")


def test_a_seal_whose_issue_is_not_recorded_is_not_kept(workspace: Workspace, city: sessionmaker[Session]) -> None:
    """The issue is audited in the caller's transaction: if it rolls back (a busy store, a failed commit), the seal's
    key, certificate and picture go with it, so no seal exists that the trail does not show issued, and issuing
    again is not refused for a seal that was never recorded."""
    keys = workspace.root / "keys"
    with pytest.raises(RuntimeError), city() as session, session.begin():
        issue_seal(session, OPERATOR, keys, "LZ-DJ", bureau="柳州市市场监督管理局")
        raise RuntimeError("the transaction fails after the issue")
    assert [s for s in list_seals(keys) if s.department_code == "LZ-DJ"] == []
    assert not any(keys.glob("issued/*.key.pem"))
    with city() as session, session.begin():
        issued = issue_seal(session, OPERATOR, keys, "LZ-DJ", bureau="柳州市市场监督管理局")
    assert [s.serial for s in list_seals(keys) if s.department_code == "LZ-DJ" and s.active] == [issued.serial]
    with city() as session:
        events = session.scalars(select(AuditEvent.object_id).where(AuditEvent.action == "seal.issue")).all()
    assert list(events) == [issued.serial]
