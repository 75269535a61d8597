"""A credit-code column as departments fill it: credit codes, and where a business has none on file, its 15-digit
registration number (统一社会信用代码/注册号) or its operator's identity number (统一社会信用代码（身份证号码）).
Those are told for what they are, left out of the credit code (a registration number kept as one where the record
has the field) and the row is accepted; anything else that fails the credit code's checks is quarantined as before."""

from __future__ import annotations

import csv
import json
import random
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from stdnum.iso7064 import mod_11_2, mod_11_10

from tests.conftest import OPERATOR, Outbox
from zhizhi.demo.records import credit_code
from zhizhi.ingest.batches import batch_rows
from zhizhi.ingest.pipeline import ingest_file
from zhizhi.ingest.validate.credit_column import validate_credit_column
from zhizhi.privacy.erase import erase_cells, erase_findings, source_categories
from zhizhi.sources import parse_source
from zhizhi.store.tables import QuarantineItem, Record, RecordVersion

TODAY = date(2026, 11, 28)
ID_NUMBER = "45020219850312123" + mod_11_2.calc_check_digit("45020219850312123")
REG_NO = "45020060000123" + mod_11_10.calc_check_digit("45020060000123")
CODE = credit_code(random.Random(5), "92", "450202")


def test_a_credit_code_passes_and_a_wrong_one_is_still_held_back() -> None:
    assert validate_credit_column(CODE) == (CODE, [])
    wrong = CODE[:17] + ("0" if CODE[17] != "0" else "1")
    checked = validate_credit_column(wrong)
    assert checked.value == wrong and [f.code for f in checked.findings] == ["uscc.check_char"]


def test_an_identity_number_is_named_and_left_out() -> None:
    checked = validate_credit_column(f" {ID_NUMBER[:6]} {ID_NUMBER[6:]}")  # spaced as a clerk types it
    assert checked.value is None
    (found,) = checked.findings
    assert (found.code, found.severity, found.value) == ("uscc.resident_id", "soft", ID_NUMBER)
    assert "居民身份证号码" in found.message_zh and "resident identity number" in found.message


def test_a_registration_number_is_named_and_left_out() -> None:
    checked = validate_credit_column(REG_NO)
    assert checked.value is None and [f.code for f in checked.findings] == ["uscc.reg_no"]


def test_eighteen_digits_that_are_no_identity_number_stay_a_wrong_credit_code() -> None:
    wrong_check = ID_NUMBER[:17] + str((int(ID_NUMBER[17].replace("X", "10")) + 1) % 10)
    for value in (wrong_check, "450202198513121234", "45020060000123" + "7" * 2):
        checked = validate_credit_column(value)
        assert checked.value is not None and any(f.severity == "hard" for f in checked.findings), value


LICENCES = """\
name: xuke
department: LZ-SP
record_type: licence
fields:
  number: 许可证编号
  kind: {value: 食品经营许可证}
  holder_name: 经营者名称
  holder_uscc: 统一社会信用代码（身份证号码）
  address: 经营场所
"""

ENTITIES = """\
name: dengji
department: LZ-DJ
record_type: entity
fields:
  uscc: 统一社会信用代码/注册号
  name: 企业名称
  address: 住所
"""


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="gbk", newline="") as out:
        csv.writer(out).writerows(rows)
    return path


def test_a_licence_ledger_with_identity_numbers_is_accepted_without_them(
    city: sessionmaker[Session], tmp_path: Path
) -> None:
    path = _write(tmp_path / "许可台账.csv", [
        ["许可证编号", "经营者名称", "统一社会信用代码（身份证号码）", "经营场所"],
        ["JY14502020000001", "柳州市城中区阿明粉店", ID_NUMBER, "柳州市城中区五一路1号"],
        ["JY14502020000002", "柳州螺霸王食品有限公司", CODE, "柳州市柳南区航鹰大道3号"],
        ["JY14502020000003", "柳州市鱼峰区小李便利店", "45020219850312123Z", "柳州市鱼峰区文笔路2号"],
    ])  # fmt: skip
    with city() as session, session.begin():
        batch = ingest_file(session, OPERATOR, parse_source(LICENCES, "sources/xuke.yaml"), path, today=TODAY,
                            outbox=Outbox()).batch  # fmt: skip
        assert (batch.rows_accepted, batch.rows_quarantined) == (2, 1)
    with city() as session:
        stored = {json.loads(d)["number"]: d for d in session.scalars(select(RecordVersion.data))}
        warnings = session.scalars(select(RecordVersion.warnings).where(RecordVersion.warnings.is_not(None))).all()
        (item,) = session.scalars(select(QuarantineItem)).all()
    assert ID_NUMBER not in stored["JY14502020000001"] and "holder_uscc" not in json.loads(stored["JY14502020000001"])
    assert json.loads(stored["JY14502020000002"])["holder_uscc"] == CODE
    assert any("uscc.resident_id" in w for w in warnings)
    assert "uscc.char" in item.reasons.split() and "uscc.resident_id" not in item.reasons  # held back as before


def test_registration_numbers_in_a_credit_code_column_key_the_businesses(
    city: sessionmaker[Session], tmp_path: Path
) -> None:
    path = _write(tmp_path / "登记.csv", [
        ["统一社会信用代码/注册号", "企业名称", "住所"],
        [REG_NO, "柳州市城中区老字号酱料厂", "柳州市城中区东门路8号"],
        [CODE, "柳州市城中区新开粉店", "柳州市城中区东门路9号"],
    ])  # fmt: skip
    with city() as session, session.begin():
        batch = ingest_file(session, OPERATOR, parse_source(ENTITIES, "sources/dengji.yaml"), path, today=TODAY,
                            outbox=Outbox()).batch  # fmt: skip
        assert (batch.rows_accepted, batch.rows_quarantined) == (2, 0)
    with city() as session:
        keys = set(session.scalars(select(Record.key).where(Record.record_type == "entity", Record.key.contains(
            "老字号") | Record.key.in_([f"reg_no={REG_NO}", f"uscc={CODE}"]))))  # fmt: skip
        data = [json.loads(d) for d in session.scalars(select(RecordVersion.data))]
    assert keys == {f"reg_no={REG_NO}", f"uscc={CODE}"}
    old = next(d for d in data if d["name"] == "柳州市城中区老字号酱料厂")
    assert old["reg_no"] == REG_NO and "uscc" not in old


def test_an_identity_number_in_a_credit_code_column_is_masked_wherever_the_row_is_shown_or_kept(
    city: sessionmaker[Session], tmp_path: Path
) -> None:
    """The column feeds a field that is not personal, yet its cell is an operator's identity number: the raw row
    shows it masked, and retention's erasure of the row and of the warnings does not keep it whole."""
    path = _write(tmp_path / "许可台账.csv", [
        ["许可证编号", "经营者名称", "统一社会信用代码（身份证号码）", "经营场所"],
        ["JY14502020000001", "柳州市城中区阿明粉店", ID_NUMBER, "柳州市城中区五一路1号"],
    ])  # fmt: skip
    source = parse_source(LICENCES, "sources/xuke.yaml")
    with city() as session, session.begin():
        batch = ingest_file(session, OPERATOR, source, path, today=TODAY, outbox=Outbox()).batch
        (row,) = batch_rows(session, OPERATOR, batch.id)
        warnings = session.scalar(select(RecordVersion.warnings))
    masked = f"{ID_NUMBER[:6]}********{ID_NUMBER[-4:]}"
    assert row["cells"]["统一社会信用代码（身份证号码）"] == masked
    assert row["cells"]["许可证编号"] == "JY14502020000001"  # a column of no personal field is otherwise as read
    categories = source_categories({f: m.column for f, m in source.fields.items()}, "licence")
    cells = erase_cells({"统一社会信用代码（身份证号码）": ID_NUMBER, "经营场所": "柳州市城中区五一路1号"}, categories)
    assert cells["统一社会信用代码（身份证号码）"] == masked
    assert ID_NUMBER in (warnings or "") and ID_NUMBER not in (erase_findings(warnings, {}, categories) or "")
