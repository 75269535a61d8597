"""Forgeries that pass for a good seal unless the verifier looks further than the signature's hash, and the
archive case: a seal made while its certificate was valid still holds after it expires."""

from __future__ import annotations

import datetime as dt
import io
import logging
import shutil
from pathlib import Path

import pytest
from pyhanko.keys import load_private_key_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from tests.conftest import OPERATOR
from tests.seals.conftest import BUREAU, Sealed
from zhizhi.errors import InputError
from zhizhi.seals import Trust, issue_seal, sign_pdf, verify_pdf
from zhizhi.seals.authority import ROOT_CERT, TSA_CERT, TSA_KEY, Authority, load_certificate
from zhizhi.seals.certificates import list_seals
from zhizhi.seals.signers import FileSigner
from zhizhi.store import make_engine, make_sessionmaker

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture(scope="module")
def good(sealed: Sealed) -> bytes:
    return sign_pdf(sealed.report, sealed.keys_dir, "LZ")


def _overlay_field(pdf: bytes) -> bytes:
    """An empty signature field added after sealing whose appearance paints over the report's table."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    spec = fields.SigFieldSpec(sig_field_name="overlay", on_page=0, box=(40, 400, 560, 800))
    fields.append_signature_field(writer, spec)
    appearance = generic.StreamObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/XObject"),
            generic.NameObject("/Subtype"): generic.NameObject("/Form"),
            generic.NameObject("/BBox"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 520, 400)]),
        },
        stream_data=b"1 1 1 rg 0 0 520 400 re f 0 0 0 rg BT /Helv 40 Tf 20 200 Td (999) Tj ET",
    )
    for ref in writer.root["/AcroForm"]["/Fields"]:
        widget = ref.get_object()
        if widget["/T"] == "overlay":
            normal = {generic.NameObject("/N"): writer.add_object(appearance)}
            widget[generic.NameObject("/AP")] = generic.DictionaryObject(normal)
            writer.update_container(widget)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_field_painted_over_the_figures_after_sealing_is_caught(sealed: Sealed, good: bytes) -> None:
    report = verify_pdf(_overlay_field(good), Trust.of_workspace(sealed.keys_dir))
    (seal,) = report.seals
    assert not report.ok and not seal.ok and seal.intact and seal.change == "form_filling"
    assert any("no later seal covers them" in p for p in seal.problems)
    assert any("其后没有有效印章覆盖" in p for p in seal.problems_zh)


def test_a_field_added_then_sealed_by_another_department_is_vouched_for(sealed: Sealed, good: bytes) -> None:
    twice = sign_pdf(_overlay_field(good), sealed.keys_dir, "LZ-DJ")
    report = verify_pdf(twice, Trust.of_workspace(sealed.keys_dir))
    assert report.ok, report
    assert [s.change for s in report.seals] == ["form_filling", "none"]


class _TsaSigner:
    """The workspace's timestamping certificate, which chains to the root but is not a seal."""

    department_name = "冒充"

    def __init__(self, keys_dir: Path) -> None:
        self.folder = Authority.of(keys_dir).folder
        self.passphrase = Authority.of(keys_dir).passphrase()

    def pyhanko_signer(self) -> signers.Signer:
        return signers.SimpleSigner(
            signing_cert=load_certificate(self.folder / TSA_CERT),
            signing_key=load_private_key_from_pemder(str(self.folder / TSA_KEY), self.passphrase),
            cert_registry=SimpleCertificateStore.from_certs([load_certificate(self.folder / ROOT_CERT)]),  # type: ignore[no-untyped-call]
        )

    def seal_image(self) -> Path | None:
        return None


def test_a_certificate_for_another_purpose_is_not_a_seal(sealed: Sealed) -> None:
    pdf = sign_pdf(sealed.report, sealed.keys_dir, "LZ", signer=_TsaSigner(sealed.keys_dir))
    (seal,) = verify_pdf(pdf, Trust.of_workspace(sealed.keys_dir)).seals
    assert not seal.ok and any("not a seal certificate" in p and "time_stamping" in p for p in seal.problems)


@pytest.mark.parametrize(
    ("moment", "words"),
    [(NOW + dt.timedelta(days=400), "in the future"), (NOW - dt.timedelta(days=400), "outside the seal certificate")],
)
def test_a_timestamp_outside_the_seal_certificate_is_caught(sealed: Sealed, moment: dt.datetime, words: str) -> None:
    pdf = sign_pdf(sealed.report, sealed.keys_dir, "LZ", now=moment)
    (seal,) = verify_pdf(pdf, Trust.of_workspace(sealed.keys_dir)).seals
    assert not seal.ok and any(words in p for p in seal.problems), seal.problems


@pytest.fixture(scope="module")
def old_authority(tmp_path_factory: pytest.TempPathFactory, sqlite_templates: dict[str, Path]) -> Path:
    """An authority made four years ago: its first seal certificate (3 years) has expired, its CRL is stale."""
    root = tmp_path_factory.mktemp("old-seals")
    shutil.copyfile(sqlite_templates["city"], root / "city.db")
    engine = make_engine(f"sqlite:///{root / 'city.db'}")
    keys_dir = root / "keys"
    keys_dir.mkdir(mode=0o700)
    with make_sessionmaker(engine)() as session, session.begin():
        issue_seal(session, OPERATOR, keys_dir, "LZ", bureau=BUREAU, now=NOW - dt.timedelta(days=4 * 365))
        issue_seal(session, OPERATOR, keys_dir, "LZ-DJ", bureau=BUREAU, now=NOW - dt.timedelta(days=2 * 365))
    engine.dispose()
    return keys_dir


def test_a_seal_made_while_valid_holds_after_its_certificate_expired(
    old_authority: Path, sealed: Sealed, caplog: pytest.LogCaptureFixture
) -> None:
    (expired,) = [c for c in list_seals(old_authority) if c.department_code == "LZ"]
    signer = FileSigner(old_authority, expired.serial, expired.department_name)
    made = sign_pdf(sealed.report, old_authority, "LZ", signer=signer, now=NOW - dt.timedelta(days=3 * 365))
    caplog.clear()
    report = verify_pdf(made, Trust.of_workspace(old_authority))
    assert report.ok, report.seals[0].problems
    # the library's own log of the expiry, with its traceback, would reach the terminal: the verdict says it
    assert not [r for r in caplog.records if r.name.startswith("pyhanko") and r.levelno >= logging.WARNING]


def test_a_seal_made_after_its_certificate_expired_says_so(old_authority: Path, sealed: Sealed) -> None:
    (expired,) = [c for c in list_seals(old_authority) if c.department_code == "LZ"]
    signer = FileSigner(old_authority, expired.serial, expired.department_name)
    made = sign_pdf(sealed.report, old_authority, "LZ", signer=signer)
    (seal,) = verify_pdf(made, Trust.of_workspace(old_authority)).seals
    assert not seal.ok and any("is valid from" in p and expired.not_after[:10] in p for p in seal.problems)


def test_a_seal_of_a_valid_certificate_holds_when_the_last_crl_was_published_long_ago(
    old_authority: Path, sealed: Sealed
) -> None:
    report = verify_pdf(sign_pdf(sealed.report, old_authority, "LZ-DJ"), Trust.of_workspace(old_authority))
    assert report.ok, report.seals[0].problems


def test_a_file_of_endless_revisions_is_refused_before_the_heavy_work(sealed: Sealed, good: bytes) -> None:
    data = good
    for n in range(31):  # each revision after the seal costs a difference analysis on a public page
        writer = IncrementalPdfFileWriter(io.BytesIO(data))
        writer.root[generic.NameObject("/ZhizhiTest")] = generic.NumberObject(n)
        writer.update_root()
        out = io.BytesIO()
        writer.write(out)
        data = out.getvalue()
    with pytest.raises(InputError) as caught:
        verify_pdf(data, Trust.of_workspace(sealed.keys_dir))
    assert "33 revisions" in caught.value.message and "33 个修订版本" in (caught.value.message_zh or "")


def _validation_data_added(pdf: bytes) -> bytes:
    """A later revision holding only validation data (a /DSS with a certificate): an update a seal allows."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    certificates = generic.ArrayObject([writer.add_object(generic.StreamObject(stream_data=b"0\x03\x02\x01\x00"))])
    writer.root[generic.NameObject("/DSS")] = writer.add_object(
        generic.DictionaryObject({generic.NameObject("/Certs"): certificates})
    )
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_bytes_appended_after_an_allowed_later_revision_are_caught(sealed: Sealed, good: bytes) -> None:
    """Validation data added after sealing is allowed; a payload appended after that revision is no revision at
    all, and no seal covers it (the seal covers its own revision, the difference analysis the later ones)."""
    trust = Trust.of_workspace(sealed.keys_dir)
    updated = _validation_data_added(good)
    (allowed,) = verify_pdf(updated, trust).seals
    assert allowed.change == "validation_data" and not any("appended" in p for p in allowed.problems)
    report = verify_pdf(updated + b"\nPK\x03\x04 a payload riding with the sealed report\n", trust)
    (seal,) = report.seals
    assert not report.ok and not seal.ok and seal.change == "validation_data"
    assert any("appended" in p for p in seal.problems) and any("附加" in p for p in seal.problems_zh)
