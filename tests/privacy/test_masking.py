"""Personal data is masked for everyone by default, in every read path the review found it in; unmasking takes the
permission, a declared purpose and the hourly limit, and each record so read is audited."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from tests.conftest import OPERATOR, Web
from tests.ingest.test_pipeline import HEADER, SOURCE, _codes, _ingest, _row, _source, _write
from zhizhi.access import create_token, create_user
from zhizhi.cli.main import app
from zhizhi.errors import InputError
from zhizhi.ingest.batches import batch_rows
from zhizhi.privacy.masking import check_purpose, mask, pseudonym
from zhizhi.resolve.run import resolve
from zhizhi.store.tables import AuditEvent, Record

PERSON_ID = "11010519491231002X"
MASKED_ID = "110105********002X"
BAD_ID = "110105194912310021"  # the check character should be X
PHONE = "13977201234"
LEGAL_REP = "彭丽华"
ID_SOURCE = SOURCE + "  legal_representative_id: 身份证号\n  legal_representative: 法定代表人\n"
ID_HEADER = [*HEADER, "身份证号", "法定代表人", "安全管理员电话"]


def _load(web: Web, tmp_path: Path) -> int:
    """Two firms with a legal representative's ID number, one of them wrong; returns the batch id."""
    first, second = _codes(2)
    rows = [
        [*_row(first, "柳州市甲有限公司", 联系电话=PHONE), PERSON_ID, LEGAL_REP, "13977205678"],
        [*_row(second, "柳州市乙有限公司"), BAD_ID, "王五", ""],
    ]
    path = _write(tmp_path / "ids.csv", rows, header=ID_HEADER)
    return _ingest(web.sessions, path, _source(ID_SOURCE)).batch.id


def _bearer(web: Web, username: str, roles: list[str], department: str = "LZ") -> dict[str, str]:
    with web.sessions() as session, session.begin():
        create_user(
            session,
            OPERATOR,
            username=username,
            display_name=username,
            department_code=department,
            roles=roles,
            password="correct-horse-battery-staple",
            password_min_length=12,
        )
        _, secret = create_token(session, OPERATOR, name="test", username=username)
    return {"Authorization": f"Bearer {secret}"}


def _reads(web: Web) -> list[tuple[str | None, str | None, str | None]]:
    with web.sessions() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "personal.read").order_by(AuditEvent.seq)
        )
        return [(e.actor, e.object_id, e.purpose) for e in events]


def _record_id(web: Web) -> int:
    with web.sessions() as session:
        return int(session.scalar(select(Record.id).order_by(Record.id).limit(1)) or 0)


def test_every_read_path_masks_for_an_admin_and_handler_and_audits_nothing(web: Web, tmp_path: Path) -> None:
    batch = _load(web, tmp_path)
    headers = _bearer(web, "both", ["admin", "handler"])
    record = _record_id(web)
    texts = [
        web.client.get(f"/api/batches/{batch}/rows", headers=headers).text,
        web.client.get(f"/api/batches/{batch}", headers=headers).text,
        web.client.get("/api/quarantine", headers=headers).text,
        web.client.get("/api/records", headers=headers).text,
        web.client.get(f"/api/records/{record}", headers=headers).text,
    ]
    (item,) = web.client.get("/api/quarantine", headers=headers).json()
    texts.append(web.client.get(f"/api/quarantine/{item['id']}", headers=headers).text)
    for text in texts:
        assert PERSON_ID not in text and BAD_ID not in text and PHONE not in text and LEGAL_REP not in text, text
    assert "13977205678" not in texts[0]  # an unmapped column, classified by its header
    rows = web.client.get(f"/api/batches/{batch}/rows", headers=headers).json()
    assert rows[0]["cells"]["身份证号"] == MASKED_ID and rows[0]["cells"]["法定代表人"] == "彭**"
    assert rows[0]["cells"]["企业名称"] == "柳州市甲有限公司"  # not personal: as read
    example = [r for r in web.client.get(f"/api/batches/{batch}", headers=headers).json()["report"]["reasons"]]
    assert any(r["example"] and r["example"]["value"] == "110105********0021" for r in example)
    assert _reads(web) == []


def test_an_unmask_takes_the_permission_a_purpose_and_is_audited_per_record(web: Web, tmp_path: Path) -> None:
    batch = _load(web, tmp_path)
    record = _record_id(web)
    leader = _bearer(web, "boss", ["leader"])
    steward = _bearer(web, "fixer", ["steward"], "LZ-DJ")
    purpose = {"purpose": "数据核实：更正身份证号"}
    assert web.client.get(f"/api/records/{record}", params=purpose, headers=leader).status_code == 403
    assert web.client.get(f"/api/records/{record}", params={"purpose": " "}, headers=steward).status_code == 422
    shown = web.client.get(f"/api/records/{record}", params=purpose, headers=steward)
    assert shown.status_code == 200 and shown.json()["versions"][0]["data"]["legal_representative_id"] == PERSON_ID
    rows = web.client.get(f"/api/batches/{batch}/rows", params=purpose, headers=steward).json()
    assert rows[0]["cells"]["身份证号"] == PERSON_ID
    (item,) = web.client.get("/api/quarantine", headers=steward).json()
    cells = web.client.get(f"/api/quarantine/{item['id']}", params=purpose, headers=steward).json()["cells"]
    assert cells["身份证号"] == BAD_ID
    reads = _reads(web)
    assert reads[0] == ("fixer", str(record), "数据核实：更正身份证号")
    assert [r[1] for r in reads[1:]] == [f"raw_row:{row['id']}" for row in rows] + [f"quarantine_item:{item['id']}"]


def test_unmasking_is_limited_per_hour(web: Web, tmp_path: Path) -> None:
    _load(web, tmp_path)
    web.workspace.config.privacy.unmask_per_hour = 2
    record = _record_id(web)
    handler = _bearer(web, "caller", ["handler"], "LZ-DJ")
    for _ in range(2):
        answer = web.client.get(f"/api/records/{record}", params={"purpose": "回访"}, headers=handler)
        assert answer.status_code == 200
    refused = web.client.get(f"/api/records/{record}", params={"purpose": "回访"}, headers=handler)
    assert refused.status_code == 429 and PERSON_ID not in refused.text
    assert len(_reads(web)) == 2


def test_the_entity_file_masks_golden_fields_and_unmasks_with_a_purpose(web: Web, tmp_path: Path) -> None:
    _load(web, tmp_path)
    with web.sessions() as session, session.begin():
        resolve(session, OPERATOR, web.workspace.config.resolve)
    handler = _bearer(web, "caller", ["handler"], "LZ-DJ")
    (found,) = web.client.get("/api/entities", params={"q": "甲有限公司"}, headers=handler).json()
    assert PHONE not in json.dumps(found, ensure_ascii=False)
    masked = web.client.get(f"/api/entities/{found['id']}", headers=handler).json()
    assert masked["golden"]["legal_representative"]["value"] == "彭**" and masked["phone"] == "139****1234"
    assert PERSON_ID not in json.dumps(masked, ensure_ascii=False)
    shown = web.client.get(f"/api/entities/{found['id']}", params={"purpose": "投诉处理：回访"}, headers=handler).json()
    assert shown["golden"]["legal_representative"]["value"] == LEGAL_REP
    assert shown["records"][0]["data"]["legal_representative_id"] == PERSON_ID
    assert {o for _, o, _ in _reads(web)} == {f"entity:{found['id']}", str(shown["records"][0]["record_id"])}


def test_a_purpose_opens_on_the_entity_file_only_records_of_the_readers_scope(web: Web, tmp_path: Path) -> None:
    """A register entity is one file for the bureau, but a purpose does not reach past the reader's departments: the
    registration record of LZ-DJ stays masked, with the golden values taken from it, for a handler of LZ-SP."""
    _load(web, tmp_path)
    with web.sessions() as session, session.begin():
        resolve(session, OPERATOR, web.workspace.config.resolve)
    other = _bearer(web, "elsewhere", ["handler"], "LZ-SP")
    (found,) = web.client.get("/api/entities", params={"q": "甲有限公司"}, headers=other).json()
    shown = web.client.get(f"/api/entities/{found['id']}", params={"purpose": "投诉处理：回访"}, headers=other)
    assert shown.status_code == 200
    file = shown.json()
    assert file["records"] and not any(r["in_scope"] for r in file["records"])
    assert PERSON_ID not in shown.text and PHONE not in shown.text and LEGAL_REP not in shown.text
    assert file["golden"]["legal_representative"]["value"] == "彭**" and file["phone"] == "139****1234"
    assert {o for _, o, _ in _reads(web)} == {f"entity:{found['id']}"}  # nothing of a record was opened


def test_the_quarantine_workbook_masks_for_a_leader(web: Web, tmp_path: Path) -> None:
    _load(web, tmp_path)
    web.login_form("leader")
    answer = web.client.get("/quarantine/export.xlsx", params={"status": "all"})
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    values = {str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None}
    assert BAD_ID not in values and "110105********0021" in values


def test_the_record_page_offers_an_audited_unmask_to_those_who_may(web: Web, tmp_path: Path) -> None:
    _load(web, tmp_path)
    record = _record_id(web)
    web.login_form("leader")
    page = web.client.get(f"/records/{record}").text
    assert MASKED_ID in page and PERSON_ID not in page and 'id="unmask-form"' not in page
    web.client.post("/logout", data={"csrf_token": web.page_csrf("/")})
    web.login_form("steward")
    page = web.client.get(f"/records/{record}").text
    assert 'id="unmask-form"' in page and PERSON_ID not in page
    form = {"csrf_token": web.page_csrf(f"/records/{record}"), "purpose": "数据核实：更正登记信息"}
    shown = web.client.post(f"/records/{record}/unmask", data=form)
    assert shown.status_code == 200 and PERSON_ID in shown.text and 'id="unmasked-notice"' in shown.text
    assert shown.headers["cache-control"] == "no-store"
    assert _reads(web) == [("steward", str(record), "数据核实：更正登记信息")]


def test_the_register_export_is_masked_with_pseudonyms_and_an_unmasked_one_is_watermarked(
    web: Web, tmp_path: Path
) -> None:
    _load(web, tmp_path)
    with web.sessions() as session, session.begin():
        resolve(session, OPERATOR, web.workspace.config.resolve)
    ws = ["-w", str(web.workspace.root)]
    out = tmp_path / "register.csv"
    assert CliRunner().invoke(app, [*ws, "entities", "export", "-o", str(out)]).exit_code == 0
    lines = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    (firm,) = [line for line in lines if line["name"] == "柳州市甲有限公司"]
    assert firm["legal_representative"] == "彭**" and firm["phone"] == "139****1234"
    key = (web.workspace.keys_dir / "pseudonym.key").read_bytes()
    assert firm["legal_representative_pseudonym"] == pseudonym(key, LEGAL_REP) and PHONE not in out.read_text(
        "utf-8-sig"
    )
    refused = CliRunner().invoke(app, [*ws, "entities", "export", "-o", str(out), "--unmasked"])
    assert refused.exit_code == 1 and "--purpose" in refused.output
    done = CliRunner().invoke(app, [*ws, "entities", "export", "-o", str(out), "--unmasked", "--purpose", "依法协查"])
    assert done.exit_code == 0, done.output
    lines = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    (firm,) = [line for line in lines if line["name"] == "柳州市甲有限公司"]
    assert firm["legal_representative"] == LEGAL_REP and "依法协查" in firm["导出水印 watermark"]
    with web.sessions() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "personal.export"))
    assert event is not None and event.purpose == "依法协查" and json.loads(event.detail)["rows"] == len(lines)


@pytest.mark.parametrize(
    ("category", "value", "shown"),
    [
        ("identity_number", "450202199001011232", "450202********1232"),
        ("phone", "13512344297", "135****4297"),
        ("phone", "0772-2812345", "0772-****345"),
        ("person_name", "彭丽华", "彭**"),
        ("person_name", "彭", "彭*"),
        ("person_address", "柳州市城中区文昌路12号3栋", "柳州市城中区****"),
        ("free_text", "投诉人电话13512344297，请回电", "投诉人电话135****4297，请回电"),
        ("biometric", "base64...", "[已隐去]"),
        ("phone", None, None),
        ("person_name", ["张三", "李四"], ["张*", "李*"]),
    ],
)
def test_masks_by_category(category: str, value: object, shown: object) -> None:
    assert mask(category, value) == shown
    assert mask(category, shown) == shown  # masking a masked value changes nothing


def test_a_file_with_face_images_is_refused_without_a_legal_basis(web: Web, tmp_path: Path) -> None:
    header = [*HEADER, "人脸照片"]
    face = "data:image/jpeg;base64,AAAA"
    path = _write(tmp_path / "faces.csv", [[*_row(_codes(1)[0], "柳州市甲有限公司"), face]], header=header)
    with pytest.raises(InputError, match="`人脸照片`") as refused:
        _ingest(web.sessions, path, _source())
    assert "legal_basis" in str(refused.value) and "Nothing was ingested" in str(refused.value)
    with web.sessions() as session:
        assert session.scalar(select(Record.id)) is None
    allowed = _source(SOURCE + "legal_basis: 《某某条例》第十条；当事人单独同意\n")
    batch = _ingest(web.sessions, path, allowed).batch
    assert batch.rows_accepted == 1
    with web.sessions() as session:
        (raw,) = batch_rows(session, OPERATOR, batch.id)
    assert raw["cells"]["人脸照片"] == "[已隐去]"  # held lawfully, never shown


@pytest.mark.parametrize("said", ["\x00\x00\x00", "\u200b\u200b\u200b", "...", " ， ", "a", "\ufeff\u202e"])
def test_a_purpose_that_says_nothing_is_refused(said: str) -> None:
    """Two characters were enough, invisible ones included: NUL bytes (which PostgreSQL refuses in the audit
    event), zero-width spaces, punctuation alone."""
    with pytest.raises(InputError, match="purpose"):
        check_purpose(said)


def test_a_purpose_is_kept_as_said_without_its_invisible_characters() -> None:
    assert check_purpose("  投诉处理\u200b：回访\x00投诉人 ") == "投诉处理：回访投诉人"
    assert check_purpose("回访") == "回访" and check_purpose("QA") == "QA"
