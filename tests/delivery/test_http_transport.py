"""The HTTP transport against real servers: an answer in the platform's own shape, mutual TLS with the bureau's
client certificate and an intranet CA, and settings that are wrong named before anything is sent."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from zhizhi.delivery.targets import TargetConfig
from zhizhi.delivery.transports import TransientError
from zhizhi.delivery.transports.http import HttpTransport
from zhizhi.errors import ConfigError


def _target(url: str, **settings: Any) -> TargetConfig:
    return TargetConfig.model_validate(
        {
            "name": "province",
            "owner": "LZ-XY",
            "record_types": ["entity"],
            "fields": {"QYMC": "name"},
            "transport": {"kind": "http", "url": url, "timeout": 5, **settings},
        }
    )


class _Handler(BaseHTTPRequestHandler):
    """Answers in a shape of its own: `{"code": 0, "data": {"items": [{"id", "result", "msg"}]}}`."""

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        items = []
        for item in body["records"]:
            bad = "个体" in item["record"]["QYMC"]
            items.append({"id": item["idempotency_key"], "result": "9" if bad else "0", "msg": "E1021" if bad else ""})
        data = json.dumps({"code": 0, "data": {"items": items}}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    running = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=running.serve_forever, daemon=True).start()
    yield running
    running.shutdown()
    running.server_close()


def test_an_answer_in_the_platforms_own_shape_is_read(server: ThreadingHTTPServer) -> None:
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    answer = {
        "results": "data.items",
        "key": "id",
        "status": "result",
        "reason": "msg",
        "accepted": ["0"],
        "rejected": "9",
    }
    outcomes = HttpTransport().send(
        _target(url, answer=answer), [("1-province", {"QYMC": "甲公司"}), ("2-province", {"QYMC": "个体户乙"})]
    )
    assert [(o.key, o.accepted, o.reason) for o in outcomes] == [
        ("1-province", True, ""),
        ("2-province", False, "E1021"),
    ]
    with pytest.raises(TransientError, match="no list at `results`"):
        HttpTransport().send(_target(url), [("1-province", {"QYMC": "甲公司"})])  # the default shape is not there


def test_wrong_settings_are_named_when_the_target_file_loads() -> None:
    from pydantic import ValidationError

    for settings, message in [
        ({"urll": "x"}, "`transport.urll`: Extra inputs are not permitted"),
        ({"answer": {"list": "x"}}, "`transport.answer.list`: Extra inputs are not permitted"),
        ({"timeout": 0, "batch_size": "many"}, "`transport.timeout`.*; `transport.batch_size`"),  # every problem
    ]:
        with pytest.raises(ValidationError, match=message):
            _target("http://127.0.0.1:9/", **settings)
    with pytest.raises(ValidationError, match="`transport.url`: String should match"):
        _target("ftp://x")


def test_files_the_settings_name_are_checked_when_sending(server: ThreadingHTTPServer, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    for settings, message in [
        ({"client_cert": str(tmp_path / "none.pem")}, "`transport.client_cert` file"),
        ({"ca_file": str(tmp_path / "none.pem")}, "`transport.ca_file` file"),
    ]:
        with pytest.raises(ConfigError, match=message):
            HttpTransport().send(_target(url, **settings), [("1-province", {"QYMC": "甲公司"})])


def _pair(
    name: str, issuer: tuple[x509.Name, ec.EllipticCurvePrivateKey] | None, folder: Path
) -> tuple[x509.Name, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    signer_name, signer_key = issuer or (subject, key)
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(signer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
        )
    cert = builder.sign(signer_key, hashes.SHA256())
    (folder / f"{name}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / f"{name}.key").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return subject, key


def test_mutual_tls_with_the_bureaus_certificate(tmp_path: Path) -> None:
    ca = _pair("ca", None, tmp_path)
    _pair("platform", ca, tmp_path)
    _pair("bureau", ca, tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "platform.pem", tmp_path / "platform.key")
    context.load_verify_locations(tmp_path / "ca.pem")
    context.verify_mode = ssl.CERT_REQUIRED  # the platform takes only clients its CA signed
    running = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    running.socket = context.wrap_socket(running.socket, server_side=True)
    threading.Thread(target=running.serve_forever, daemon=True).start()
    try:
        url = f"https://127.0.0.1:{running.server_address[1]}/"
        answer = {"results": "data.items", "key": "id", "status": "result", "accepted": "0"}
        records = [("1-province", {"QYMC": "甲公司"})]
        with pytest.raises(TransientError):  # no client certificate: the handshake fails
            HttpTransport().send(_target(url, answer=answer, ca_file=str(tmp_path / "ca.pem")), records)
        with pytest.raises(TransientError):  # the platform's CA is not trusted without `ca_file`
            HttpTransport().send(
                _target(
                    url,
                    answer=answer,
                    client_cert=str(tmp_path / "bureau.pem"),
                    client_key=str(tmp_path / "bureau.key"),
                ),
                records,
            )
        mutual = _target(
            url,
            answer=answer,
            ca_file=str(tmp_path / "ca.pem"),
            client_cert=str(tmp_path / "bureau.pem"),
            client_key=str(tmp_path / "bureau.key"),
        )
        (outcome,) = HttpTransport().send(mutual, records)
        assert outcome.accepted is True
    finally:
        running.shutdown()
        running.server_close()
