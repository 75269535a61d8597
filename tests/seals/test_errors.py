"""Every refusal of the seals package, triggered for real, says in English and in Chinese which value is wrong and
what to do next: a missing or damaged CRL, a key the passphrase does not open, a token's settings."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.seals.conftest import Sealed
from zhizhi.errors import ZhizhiError
from zhizhi.seals import Pkcs11Config, Pkcs11Signer, Trust, current_crl, sign_pdf, signer_for, verify_pdf
from zhizhi.seals.authority import TSA_KEY, Authority


def _chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def _refusal(action: Callable[[], object], value: str) -> ZhizhiError:
    """The zhizhi error ACTION raises, checked to name VALUE in both languages and to have Chinese text."""
    with pytest.raises(ZhizhiError) as caught:
        action()
    error = caught.value
    assert error.message_zh and _chinese(error.message_zh), error.message
    assert not _chinese(error.message), error.message
    assert value in error.message and value in error.message_zh, (error.message, error.message_zh)
    return error


@pytest.fixture
def keys(sealed: Sealed, tmp_path: Path) -> Path:
    """A copy of the sealed workspace's keys folder, free to damage."""
    return Path(shutil.copytree(sealed.keys_dir, tmp_path / "keys"))


def test_a_workspace_without_a_crl_says_how_to_publish_one(tmp_path: Path) -> None:
    error = _refusal(lambda: current_crl(tmp_path), "crl.pem")
    assert "zhizhi seal issue" in error.message_zh


def test_a_damaged_crl_is_named_before_any_verification(keys: Path, sealed: Sealed) -> None:
    (Authority.of(keys).folder / "crl.pem").write_text("not a CRL")
    _refusal(lambda: current_crl(keys), "crl.pem")
    _refusal(lambda: Trust.of_workspace(keys), "crl.pem")


def test_a_key_that_is_not_ecdsa_is_named(keys: Path) -> None:
    authority = Authority.of(keys)
    _refusal(lambda: authority.load_key(authority.folder / TSA_KEY), TSA_KEY)  # the timestamping key is RSA


def test_a_key_the_passphrase_does_not_open_is_named(keys: Path, sealed: Sealed) -> None:
    authority = Authority.of(keys)
    (authority.folder / "passphrase").write_text("another passphrase\n")
    _refusal(authority.root_key, "root.key.pem")
    _refusal(lambda: sign_pdf(sealed.report, keys, "LZ"), ".key.pem")


def test_a_missing_key_or_passphrase_says_to_restore_it(keys: Path, sealed: Sealed) -> None:
    authority = Authority.of(keys)
    (authority.issued_dir / f"{sealed.bureau.serial}.key.pem").unlink()
    _refusal(lambda: sign_pdf(sealed.report, keys, "LZ"), f"{sealed.bureau.serial}.key.pem")
    (authority.folder / "passphrase").unlink()
    _refusal(authority.root_key, "passphrase")


@pytest.mark.parametrize(
    ("content", "value"),
    [
        ("module: [unclosed\n", "LZ.pkcs11.yaml"),
        ("- a list\n", "LZ.pkcs11.yaml"),
        ("module: m\ntoken_label: t\npin: '1234'\n", "key_label"),
    ],
)
def test_a_bad_token_file_is_named(keys: Path, content: str, value: str) -> None:
    (Authority.of(keys).folder / "LZ.pkcs11.yaml").write_text(content, "utf-8")
    error = _refusal(lambda: signer_for(keys, "LZ"), value)
    assert "LZ.pkcs11.yaml" in error.message_zh  # type: ignore[operator]


def test_a_token_without_its_pin_or_its_library_says_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    signer = Pkcs11Signer(Pkcs11Config.parse({"module": "m", "token_label": "LZ-SEAL", "key_label": "k"}, "x"))
    monkeypatch.delenv("ZHIZHI_SEAL_PIN", raising=False)
    _refusal(signer.pyhanko_signer, "ZHIZHI_SEAL_PIN")
    monkeypatch.setenv("ZHIZHI_SEAL_PIN", "123456")
    monkeypatch.setitem(sys.modules, "pkcs11", None)  # as on a machine without python-pkcs11
    monkeypatch.delitem(sys.modules, "pyhanko.sign.pkcs11", raising=False)
    _refusal(signer.pyhanko_signer, "python-pkcs11")


def test_a_seal_picture_that_is_not_the_pdf_drawn_is_named_and_a_missing_one_is_drawn_again(
    keys: Path, sealed: Sealed
) -> None:
    import io

    from PIL import Image

    picture = Authority.of(keys).issued_dir / f"{sealed.bureau.serial}.seal.pdf"
    drawn = picture.read_bytes()
    scan = io.BytesIO()
    Image.new("RGB", (64, 64), (214, 24, 32)).save(scan, format="PNG")  # the bureau's scanned seal put in its place
    for damaged in (scan.getvalue(), b"", b"%PDF-1.7\n"):
        picture.write_bytes(damaged)
        _refusal(lambda: sign_pdf(sealed.report, keys, "LZ"), picture.name)
    picture.unlink()
    report = verify_pdf(sign_pdf(sealed.report, keys, "LZ"), Trust.of_workspace(keys))
    assert report.ok and picture.read_bytes()[:5] == drawn[:5] == b"%PDF-"  # drawn again (its own creation date)


@pytest.mark.parametrize("content", ['{"serial": "5F3A"', "", '{"serial": "5F3A", "colour": "red"}', "[1, 2]"])
def test_a_damaged_seal_record_is_named_wherever_the_seals_are_read(keys: Path, sealed: Sealed, content: str) -> None:
    from zhizhi.seals import list_seals

    record = Authority.of(keys).issued_dir / f"{sealed.section.serial}.json"
    record.write_text(content, "utf-8")
    _refusal(lambda: list_seals(keys), record.name)
    _refusal(lambda: sign_pdf(sealed.report, keys, "LZ"), record.name)  # another department's seal: all are read


@pytest.mark.parametrize("content", [b"garbage\n", b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"])
def test_a_damaged_certificate_file_is_named_when_sealing_and_checking(
    keys: Path, sealed: Sealed, content: bytes
) -> None:
    authority = Authority.of(keys)
    seal = authority.issued_dir / f"{sealed.bureau.serial}.pem"
    for damaged in (authority.folder / "tsa.pem", seal):
        kept = damaged.read_bytes()
        damaged.write_bytes(content)
        _refusal(lambda: sign_pdf(sealed.report, keys, "LZ"), damaged.name)
        damaged.unlink()
        _refusal(lambda: sign_pdf(sealed.report, keys, "LZ"), damaged.name)
        damaged.write_bytes(kept)
    (authority.folder / "root.pem").write_bytes(content)  # the public page checks with it: never a server error
    _refusal(lambda: Trust.of_workspace(keys), "root.pem")
    _refusal(lambda: sign_pdf(sealed.report, keys, "LZ"), "root.pem")
