"""Another validator agrees: poppler's pdfsig, given only the workspace's root, trusts a sealed PDF and catches a
changed byte. CI installs poppler-utils and libnss3-tools, so a missing tool fails here instead of skipping."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.seals.conftest import Sealed
from zhizhi.seals import sign_pdf
from zhizhi.seals.authority import ROOT_CERT, Authority


def tool(name: str, package: str) -> str:
    path = shutil.which(name)
    assert path, f"`{name}` is not installed: apt-get install {package} (.ci/run does)"
    return path


@pytest.fixture(scope="module")
def nssdir(sealed: Sealed, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An NSS database trusting only the workspace's root, for signing (the `C,C,C` trust flags)."""
    folder = tmp_path_factory.mktemp("nss")
    certutil = tool("certutil", "libnss3-tools")
    subprocess.run([certutil, "-N", "-d", f"sql:{folder}", "--empty-password"], check=True)
    root = Authority.of(sealed.keys_dir).folder / ROOT_CERT
    subprocess.run(
        [certutil, "-A", "-n", "zhizhi-seal-root", "-t", "C,C,C", "-i", str(root), "-d", f"sql:{folder}"], check=True
    )
    return folder


def pdfsig(path: Path, nssdir: Path) -> str:
    result = subprocess.run(
        [tool("pdfsig", "poppler-utils"), "-nssdir", f"sql:{nssdir}", str(path)], capture_output=True, text=True
    )
    return result.stdout + result.stderr


def test_pdfsig_trusts_a_sealed_report_given_the_root(sealed: Sealed, nssdir: Path, tmp_path: Path) -> None:
    path = tmp_path / "sealed.pdf"
    path.write_bytes(sign_pdf(sealed.report, sealed.keys_dir, "LZ"))
    out = pdfsig(path, nssdir)
    assert "Signature Validation: Signature is Valid." in out, out
    assert "Certificate Validation: Certificate is Trusted." in out, out
    assert "柳州市市场监督管理局" in out and "Total document signed" in out


def test_pdfsig_catches_a_changed_byte(sealed: Sealed, nssdir: Path, tmp_path: Path) -> None:
    data = bytearray(sign_pdf(sealed.report, sealed.keys_dir, "LZ"))
    data[len(data) // 3] ^= 0x01
    path = tmp_path / "changed.pdf"
    path.write_bytes(bytes(data))
    out = pdfsig(path, nssdir)
    assert "Signature is Valid." not in out, out
