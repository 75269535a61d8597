"""The workspace's seal authority: a root CA, a timestamping key and the issued seal certificates, as files.

Everything lives in `data/keys/seals/` of the workspace (mode 0700): the private keys are PEM files encrypted with
the passphrase in `passphrase` (mode 0600), so a copy of the key files alone does not seal anything.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.keys import load_private_key_from_pemder_data

from zhizhi.errors import ConfigError

FOLDER = "seals"
ROOT_CERT, ROOT_KEY = "root.pem", "root.key.pem"
TSA_CERT, TSA_KEY = "tsa.pem", "tsa.key.pem"
PASSPHRASE = "passphrase"
ROOT_YEARS, TSA_YEARS = 20, 10


@dataclass(frozen=True)
class Authority:
    """The seal files of one workspace, and the passphrase that opens their keys."""

    folder: Path

    @classmethod
    def of(cls, keys_dir: Path) -> Authority:
        """The authority kept under a workspace's keys folder (not created: see `ensure`)."""
        return cls(keys_dir / FOLDER)

    @property
    def issued_dir(self) -> Path:
        return self.folder / "issued"

    @property
    def exists(self) -> bool:
        return (self.folder / ROOT_CERT).exists()

    def passphrase(self) -> bytes:
        """The passphrase of the private keys; only the workspace's owner can read it."""
        path = self.folder / PASSPHRASE
        if not path.exists():
            raise ConfigError(
                f"The seal keys' passphrase file `{path}` is missing, so no seal key can be opened. Restore it from "
                "the backup of the keys folder (it was backed up with the key files).",
                zh=f"印章私钥的口令文件 `{path}` 缺失，无法打开任何印章私钥。请从密钥目录的备份中恢复该文件。",
            )
        return path.read_bytes().strip()

    def root_certificate(self) -> x509.Certificate:
        """The workspace's root certificate, which verifiers trust."""
        self._require()
        with certificate_file(self.folder / ROOT_CERT):
            return x509.load_pem_x509_certificate((self.folder / ROOT_CERT).read_bytes())

    def root_key(self) -> ec.EllipticCurvePrivateKey:
        return self.load_key(self.folder / ROOT_KEY)

    def tsa_certificate(self) -> x509.Certificate:
        self._require()
        with certificate_file(self.folder / TSA_CERT):
            return x509.load_pem_x509_certificate((self.folder / TSA_CERT).read_bytes())

    def load_key(self, path: Path) -> ec.EllipticCurvePrivateKey:
        """An encrypted ECDSA private key of this authority, opened with its passphrase."""
        self._require()
        with self._opening(path):
            key = serialization.load_pem_private_key(path.read_bytes(), password=self.passphrase())
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ConfigError(
                f"`{path.name}` in `{self.folder}` is not an ECDSA key ({type(key).__name__}); the seal files were "
                "edited by hand. Restore the folder from its backup.",
                zh=f"`{self.folder}` 中的 `{path.name}` 不是 ECDSA 私钥（{type(key).__name__}），印章文件被手工改动过。"
                "请从备份恢复该目录。",
            )
        return key

    def pyhanko_key(self, path: Path) -> asn1_keys.PrivateKeyInfo:
        """An encrypted private key of this authority, opened with its passphrase, as pyHanko takes it."""
        self._require()
        with self._opening(path):
            return load_private_key_from_pemder_data(path.read_bytes(), passphrase=self.passphrase())

    @contextmanager
    def _opening(self, path: Path) -> Iterator[None]:
        """Name the key file and the next step when it is missing, damaged or not opened by the passphrase."""
        try:
            yield
        except FileNotFoundError as exc:
            raise ConfigError(
                f"The seal key file `{path.name}` is missing from `{path.parent}`. Restore the keys folder from its "
                "backup, or revoke the seal and issue a new one (`zhizhi seal revoke SERIAL --reason superseded`).",
                zh=f"`{path.parent}` 中缺少印章私钥文件 `{path.name}`。请从备份恢复密钥目录，或吊销该印章后重新签发"
                "（`zhizhi seal revoke 序列号 --reason superseded`）。",
            ) from exc
        except (ValueError, TypeError) as exc:
            raise ConfigError(
                f"The seal key file `{path.name}` in `{path.parent}` cannot be opened with the workspace's passphrase "
                f"({exc}): the key or `passphrase` was replaced or damaged. Restore both from the same backup.",
                zh=f"无法用本工作区的口令打开 `{path.parent}` 中的印章私钥文件 `{path.name}`，私钥或口令文件 "
                "`passphrase` 已被替换或损坏。请从同一份备份中同时恢复两者。",
            ) from exc

    def write_key(self, path: Path, key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> None:
        """Write KEY encrypted with the passphrase, readable by its owner only."""
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(self.passphrase()),
        )
        write_private(path, pem)

    def ensure(self, name: str, now: dt.datetime | None = None) -> bool:
        """Create the root CA (named after the bureau NAME) and the timestamping key once; True if created."""
        if self.exists:
            return False
        now = now or dt.datetime.now(dt.UTC)
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.issued_dir.mkdir(mode=0o700, exist_ok=True)
        if not (self.folder / PASSPHRASE).exists():
            write_private(self.folder / PASSPHRASE, secrets.token_urlsafe(32).encode() + b"\n")
        root_key = ec.generate_private_key(ec.SECP256R1())
        subject = seal_name(f"{name} 电子印章根证书", "zhizhi seal root")
        root = (
            _builder(subject, subject, root_key.public_key(), now, years=ROOT_YEARS)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_usage(cert_sign=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
            .sign(root_key, hashes.SHA256())
        )
        self.write_key(self.folder / ROOT_KEY, root_key)
        (self.folder / ROOT_CERT).write_bytes(root.public_bytes(serialization.Encoding.PEM))
        # pyHanko's offline timestamper signs with RSA only; the seals themselves are ECDSA P-256.
        tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
        tsa = (
            self.issuer_builder(seal_name(f"{name} 时间戳服务", "zhizhi timestamping"), tsa_key, now, TSA_YEARS)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            .sign(root_key, hashes.SHA256())
        )
        self.write_key(self.folder / TSA_KEY, tsa_key)
        (self.folder / TSA_CERT).write_bytes(tsa.public_bytes(serialization.Encoding.PEM))
        return True

    def issuer_builder(
        self, subject: x509.Name, key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey, now: dt.datetime, years: int
    ) -> x509.CertificateBuilder:
        """A builder for an end-entity certificate issued by the root, for KEY's public half."""
        root = self.root_certificate()
        return (
            _builder(subject, root.subject, key.public_key(), now, years=years)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(cert_sign=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(root.public_key()),  # type: ignore[arg-type]
                critical=False,
            )
        )

    def _require(self) -> None:
        if not self.exists:
            raise ConfigError(
                "This workspace has no seal authority yet. Run `zhizhi seal issue DEPT` to create it with the first "
                "seal.",
                zh="本工作区尚未建立电子印章根证书。请运行 `zhizhi seal issue 部门编码` 签发第一枚印章时一并创建。",
            )


def load_certificate(path: Path) -> asn1_x509.Certificate:
    """A PEM or DER certificate file as pyHanko takes it (asn1crypto), or an error naming the file."""
    with certificate_file(path):
        data = path.read_bytes()
        if pem.detect(data):
            _, _, data = pem.unarmor(data)
        x509.load_der_x509_certificate(data)  # asn1crypto reads lazily: a damaged file would fail deep in pyHanko
        return asn1_x509.Certificate.load(data)


@contextmanager
def certificate_file(path: Path) -> Iterator[None]:
    """Name the certificate file and the next step when it is missing or damaged (edited by hand, cut short)."""
    try:
        yield
    except FileNotFoundError as exc:
        raise ConfigError(
            f"The certificate file `{path.name}` is missing from `{path.parent}`. Restore the keys folder from its "
            "backup.",
            zh=f"`{path.parent}` 中缺少证书文件 `{path.name}`。请从备份恢复密钥目录。",
        ) from exc
    except ValueError as exc:
        raise ConfigError(
            f"The certificate file `{path.name}` in `{path.parent}` is damaged or not a certificate ({exc}). Restore "
            "the keys folder from its backup.",
            zh=f"`{path.parent}` 中的证书文件 `{path.name}` 已损坏或不是证书。请从备份恢复密钥目录。",
        ) from exc


def seal_name(common_name: str, organization_unit: str, organization: str | None = None) -> x509.Name:
    """An X.509 name with the Chinese common name, as CN, O (when given) and OU."""
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "CN")]
    if organization:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    parts.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, organization_unit))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(parts)


def write_private(path: Path, data: bytes) -> None:
    """Write a secret file readable and writable by its owner only (replacing an older one)."""
    tmp = path.with_name(path.name + ".tmp")
    descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _builder(
    subject: x509.Name,
    issuer: x509.Name,
    public: ec.EllipticCurvePublicKey | rsa.RSAPublicKey,
    now: dt.datetime,
    *,
    years: int,
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365 * years))
    )


def _usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=not cert_sign,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )
