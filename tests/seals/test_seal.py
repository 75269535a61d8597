"""Sealing a report and every way a sealed PDF can go wrong: each one is caught, and a good seal passes."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from tests.seals.conftest import Sealed
from zhizhi.seals import Trust, sign_pdf, verify_pdf
from zhizhi.seals.authority import Authority


@pytest.fixture(scope="module")
def good(sealed: Sealed) -> bytes:
    return sign_pdf(sealed.report, sealed.keys_dir, "LZ")


def test_a_good_seal_says_who_and_when_and_that_nothing_changed(sealed: Sealed, good: bytes) -> None:
    report = verify_pdf(good, Trust.of_workspace(sealed.keys_dir))
    assert report.sealed and report.ok, report
    (seal,) = report.seals
    assert seal.department == "柳州市市场监督管理局" and seal.department_code == "LZ"
    assert seal.serial == sealed.bureau.serial
    assert seal.intact and seal.trusted and seal.timestamped and seal.covers_whole_file
    assert seal.change == "none" and seal.problems == []
    sealed_at = dt.datetime.fromisoformat(seal.sealed_at or "")
    assert abs(sealed_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)


def test_sealing_and_checking_work_where_an_event_loop_runs_already(sealed: Sealed) -> None:
    import asyncio

    async def inside_a_loop() -> bool:  # an async web handler, a browser driver's session
        pdf = sign_pdf(sealed.report, sealed.keys_dir, "LZ")
        return verify_pdf(pdf, Trust.of_workspace(sealed.keys_dir)).ok

    import threading

    results: list[bool] = []  # in a thread of its own: this one may hold a loop already (a browser test's)
    runner = threading.Thread(target=lambda: results.append(asyncio.run(inside_a_loop())))
    runner.start()
    runner.join()
    assert results == [True]


def test_an_unsealed_pdf_is_not_ok(sealed: Sealed) -> None:
    report = verify_pdf(sealed.report, Trust.of_workspace(sealed.keys_dir))
    assert not report.sealed and not report.ok and report.seals == []


def test_one_byte_changed_is_caught(sealed: Sealed, good: bytes) -> None:
    data = bytearray(good)
    position = len(data) // 3  # inside the embedded font stream: the file still parses
    data[position] ^= 0x01
    report = verify_pdf(bytes(data), Trust.of_workspace(sealed.keys_dir))
    assert not report.ok
    assert not report.seals[0].intact
    assert any("changed" in p for p in report.seals[0].problems)
    # said as what it is: not "nothing changed since it was sealed", nor a root it "does not chain to (None)"
    assert report.seals[0].change == "altered" and "altered" in report.seals[0].change_en
    assert not any("trusted root" in p or "None" in p for p in report.seals[0].problems)


def test_bytes_appended_after_the_sealed_file_are_caught(sealed: Sealed, good: bytes) -> None:
    """Bytes after the last %%EOF that no revision explains (a payload riding with a sealed report) passed as
    "nothing changed"."""
    report = verify_pdf(good + b"\n% appended after sealing\n" + b"x" * 64, Trust.of_workspace(sealed.keys_dir))
    (seal,) = report.seals
    assert not report.ok and seal.intact and not seal.covers_whole_file
    assert any("appended" in p for p in seal.problems)
    assert verify_pdf(good, Trust.of_workspace(sealed.keys_dir)).ok


def test_content_added_after_sealing_is_caught(sealed: Sealed, good: bytes) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(good))
    page = writer.root["/Pages"]["/Kids"][0]
    from pyhanko.pdf_utils import generic

    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 700 Td (PAID) Tj ET")
    contents = page["/Contents"]
    page["/Contents"] = generic.ArrayObject([contents, writer.add_object(stream)])
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    report = verify_pdf(out.getvalue(), Trust.of_workspace(sealed.keys_dir))
    (seal,) = report.seals
    assert not report.ok
    assert seal.intact and not seal.covers_whole_file  # the seal's own bytes are fine: the change came after
    assert seal.change == "other" and seal.problems


def test_an_impostor_root_of_the_same_name_is_caught(sealed: Sealed, good: bytes, tmp_path: Path) -> None:
    real = Authority.of(sealed.keys_dir).root_certificate()
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    impostor = (
        x509.CertificateBuilder()
        .subject_name(real.subject)
        .issuer_name(real.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    trust = Trust(
        roots=[impostor.public_bytes(serialization.Encoding.DER)], crls=Trust.of_workspace(sealed.keys_dir).crls
    )
    report = verify_pdf(good, trust)
    (seal,) = report.seals
    assert not report.ok and seal.intact and not seal.trusted and not seal.revoked
    assert any("trusted root" in p for p in seal.problems)


def test_each_department_seals_with_its_own_name(sealed: Sealed) -> None:
    other = sign_pdf(sealed.report, sealed.keys_dir, "LZ-DJ")
    report = verify_pdf(other, Trust.of_workspace(sealed.keys_dir))
    assert report.ok and report.seals[0].department == "登记注册科"


def test_two_departments_seal_one_report_and_both_stay_valid(sealed: Sealed, good: bytes) -> None:
    twice = sign_pdf(good, sealed.keys_dir, "LZ-DJ")
    report = verify_pdf(twice, Trust.of_workspace(sealed.keys_dir))
    assert report.ok, report
    assert [s.department_code for s in report.seals] == ["LZ", "LZ-DJ"]
    assert report.seals[0].change == "form_filling" and report.seals[1].change == "none"


def test_the_seal_picture_is_on_the_last_page(sealed: Sealed, good: bytes, tmp_path: Path) -> None:
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "`pdftoppm` is not installed: apt-get install poppler-utils (.ci/run does)"
    (tmp_path / "s.pdf").write_bytes(good)
    subprocess.run(
        [pdftoppm, "-r", "72", "-png", "-singlefile", str(tmp_path / "s.pdf"), str(tmp_path / "p")], check=True
    )
    from PIL import Image

    image = Image.open(tmp_path / "p.png").convert("RGB")
    height = image.size[1]
    box = image.crop((400, height - 180, 520, height - 60))  # SEAL_BOX, y flipped
    red = sum(1 for r, g, b in box.get_flattened_data() if r > 180 and g < 90 and b < 90)  # type: ignore[misc]
    assert red > 800, "the red seal is not drawn where the seal box is"


def test_reader_sees_one_signature_field(good: bytes) -> None:
    reader = PdfFileReader(io.BytesIO(good))
    assert [s.field_name for s in reader.embedded_signatures] == ["zhizhi-seal-1"]
