"""The workspace's Ed25519 signing key, made once at init and kept in `data/keys/`."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

PRIVATE_KEY = "workspace.ed25519.pem"
PUBLIC_KEY = "workspace.ed25519.pub.pem"


def ensure_signing_key(keys_dir: Path) -> Path:
    """Create the key pair if it does not exist; the private key is readable by its owner only."""
    private_path = keys_dir / PRIVATE_KEY
    if private_path.exists():
        return private_path
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    (keys_dir / PUBLIC_KEY).write_bytes(public)
    return private_path


def public_key_fingerprint(keys_dir: Path) -> str | None:
    """`SHA256:...` of the public key, as people compare it; None when there is no key yet."""
    path = keys_dir / PUBLIC_KEY
    if not path.exists():
        return None
    public = serialization.load_pem_public_key(path.read_bytes())
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "SHA256:" + base64.b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")
