"""The public check of a sealed report: the page and `POST /api/seals/verify`, without signing in."""

from __future__ import annotations

from tests.conftest import OPERATOR, Web
from zhizhi.pdf import report_pdf
from zhizhi.seals import MAX_PDF_BYTES, issue_seal, sign_pdf


def sealed_pdf(web: Web) -> bytes:
    keys = web.workspace.keys_dir
    with web.sessions() as session, session.begin():
        issue_seal(session, OPERATOR, keys, "LZ", bureau=web.workspace.config.name)
    return sign_pdf(report_pdf("市场主体统计月报", ["2026年11月"], [], "智治"), keys, "LZ")


def test_the_api_says_who_sealed_and_that_nothing_changed(web: Web) -> None:
    data = sealed_pdf(web)
    response = web.client.post("/api/seals/verify", files={"file": ("r.pdf", data, "application/pdf")})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["sealed"] and body["ok"]
    assert body["seals"][0]["department"] == "柳州市市场监督管理局" and body["seals"][0]["change"] == "none"

    changed = bytearray(data)
    changed[len(changed) // 3] ^= 1
    body = web.client.post("/api/seals/verify", files={"file": ("r.pdf", bytes(changed), "application/pdf")}).json()
    assert body["ok"] is False and body["seals"][0]["intact"] is False


def test_the_api_refuses_a_file_too_large_or_not_a_pdf(web: Web) -> None:
    sealed_pdf(web)
    big = b"%PDF-1.7\n" + b"0" * MAX_PDF_BYTES
    response = web.client.post("/api/seals/verify", files={"file": ("big.pdf", big, "application/pdf")})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    response = web.client.post("/api/seals/verify", files={"file": ("月报.pdf", b"hello", "application/pdf")})
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_input"
    assert "`月报.pdf` is not a readable PDF" in response.json()["error"]["message"]


def test_the_page_shows_the_verdict_in_both_languages(web: Web) -> None:
    data = sealed_pdf(web)
    token = web.page_csrf("/seals/verify")
    page = web.client.post(
        "/seals/verify", data={"csrf_token": token}, files={"file": ("r.pdf", data, "application/pdf")}
    )
    assert page.status_code == 200
    assert 'id="seal-ok"' in page.text and "柳州市市场监督管理局" in page.text and "nothing changed" in page.text
    unsealed = web.client.post(
        "/seals/verify", data={"csrf_token": token}, files={"file": ("r.pdf", report_pdf("x", [], [], ""), "x")}
    )
    assert 'id="seal-none"' in unsealed.text
    changed = bytearray(data)
    changed[len(changed) // 3] ^= 1
    tampered = web.client.post(
        "/seals/verify", data={"csrf_token": token}, files={"file": ("r.pdf", bytes(changed), "application/pdf")}
    )
    assert "盖章范围内的内容已被改动" in tampered.text and "the sealed bytes were changed" in tampered.text
    forged = web.client.post("/seals/verify", data={"csrf_token": "nope"}, files={"file": ("r.pdf", data, "x")})
    assert forged.status_code == 403


def test_the_root_and_the_crl_are_published_for_recipients(web: Web) -> None:
    from cryptography import x509

    from zhizhi.seals import revoke_seal

    assert web.client.get("/seals/crl.pem").status_code == 404  # no seal issued yet: nothing to publish
    sealed_pdf(web)
    root = x509.load_pem_x509_certificate(web.client.get("/seals/root.pem").content)
    assert root.subject == root.issuer  # the workspace's own root
    before = x509.load_pem_x509_crl(web.client.get("/seals/crl.pem").content)
    assert len(list(before)) == 0 and before.is_signature_valid(root.public_key())  # type: ignore[arg-type]

    from zhizhi.seals import list_seals

    serial = list_seals(web.workspace.keys_dir)[0].serial
    with web.sessions() as session, session.begin():
        revoke_seal(session, OPERATOR, web.workspace.keys_dir, serial, reason="key_compromise")
    after = x509.load_pem_x509_crl(web.client.get("/seals/crl.pem").content)
    assert len(list(after)) == 1 and after.is_signature_valid(root.public_key())  # type: ignore[arg-type]


def test_the_page_says_why_a_seal_was_revoked_in_words(web: Web) -> None:
    from zhizhi.seals import list_seals, revoke_seal

    data = sealed_pdf(web)
    serial = list_seals(web.workspace.keys_dir)[0].serial
    with web.sessions() as session, session.begin():
        revoke_seal(session, OPERATOR, web.workspace.keys_dir, serial, reason="cessation_of_operation")
    token = web.page_csrf("/seals/verify")
    page = web.client.post(
        "/seals/verify", data={"csrf_token": token}, files={"file": ("r.pdf", data, "application/pdf")}
    )
    assert 'id="seal-bad"' in page.text
    assert "（停止使用 / ceased operation）" in page.text and "吊销（停止使用）" in page.text
    assert "cessationOfOperation" not in page.text
    body = web.client.post("/api/seals/verify", files={"file": ("r.pdf", data, "application/pdf")}).json()
    assert body["seals"][0]["revocation_reason_zh"] == "停止使用"


def _crafted(data: bytes) -> dict[str, bytes]:
    """The sealed DATA with its signature made unreadable in ways pyHanko answers with Python's own errors: a
    `/ByteRange` of fractions (TypeError) and the digest named by an OID nobody knows (AttributeError)."""
    import re

    byte_range = re.search(rb"/ByteRange\s*\[([^\]]*)\]", data)
    contents = re.search(rb"/Contents\s*<([0-9a-fA-F]+)>", data)
    assert byte_range and contents
    fractions = b"1.5 2 3 4".ljust(len(byte_range[1]))
    sha256, unknown = b"0609608648016503040201", b"060960864801650304027F"  # 2.16.840.1.101.3.4.2.1 -> .127
    assert sha256 in contents[1].upper()
    return {
        "fractions": data[: byte_range.start(1)] + fractions + data[byte_range.end(1) :],
        "unknown_digest": data[: contents.start(1)] + contents[1].upper().replace(sha256, unknown)
        + data[contents.end(1) :],
    }  # fmt: skip


def test_a_crafted_signature_gets_a_verdict_not_a_server_error(web: Web) -> None:
    for name, crafted in _crafted(sealed_pdf(web)).items():
        response = web.client.post("/api/seals/verify", files={"file": (f"{name}.pdf", crafted, "application/pdf")})
        assert response.status_code == 200, (name, response.text)
        body = response.json()
        assert body["sealed"] and body["ok"] is False, name
        assert body["seals"][0]["intact"] is False and body["seals"][0]["problems"], name
        token = web.page_csrf("/seals/verify")
        page = web.client.post("/seals/verify", data={"csrf_token": token},
                               files={"file": (f"{name}.pdf", crafted, "application/pdf")})  # fmt: skip
        assert page.status_code == 200 and "印章无法校验" in page.text, (name, page.status_code)
