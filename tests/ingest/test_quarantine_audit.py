"""A quarantine fix is audited without the personal data it typed: the append-only trail cannot be erased, so the
values before and after are masked by the column's category and by detection (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from stdnum.iso7064 import mod_11_2

from tests.conftest import OPERATOR
from tests.ingest.test_pipeline import HEADER, _codes, _ingest, _row, _source, _write
from zhizhi.ingest.quarantine import fix_item, list_items
from zhizhi.store.tables import AuditEvent

RESIDENT_ID = "45020219900101123"
RESIDENT_ID += mod_11_2.calc_check_digit(RESIDENT_ID)
PHONE = "13812345678"


def test_a_fix_keeps_no_personal_value_in_the_audit_trail(city: sessionmaker[Session], tmp_path: Path) -> None:
    code = _codes(1)[0]
    broken = code[:-1] + ("0" if code[-1] != "0" else "1")
    path = _write(tmp_path / "a.csv", [[*_row(broken, "柳州市乙有限公司"), "无"]], header=[*HEADER, "备注"])
    _ingest(city, path)
    fixes = [
        ("uscc", RESIDENT_ID),  # a credit-code column holding an operator's ID number
        ("住所", f"柳州市城中区文昌路12号，联系人{PHONE}"),  # a field not personal, a phone typed in it
        ("备注", f"法人身份证{RESIDENT_ID}，手机{PHONE}"),  # a column no field reads: free text
        ("phone", PHONE),  # a personal field: left out
    ]
    with city() as session, session.begin():
        (item,) = list_items(session, OPERATOR, reason="uscc.check_char")
        for target, value in fixes:
            fix_item(session, OPERATOR, item["id"], target, value, source=_source())
    with city() as session:
        events = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "quarantine.fix")).all()
    details = [json.loads(d) for d in events]
    assert len(details) == 4
    kept = json.dumps(details, ensure_ascii=False)
    assert RESIDENT_ID not in kept and PHONE not in kept
    by_column = {d["column"]: d for d in details}
    assert by_column["统一社会信用代码"]["before"] == broken  # a credit code is no one's: kept as typed
    assert by_column["统一社会信用代码"]["after"] == "450202********" + RESIDENT_ID[-4:]
    assert by_column["住所"]["after"] == "柳州市城中区文昌路12号，联系人138****5678"
    assert by_column["联系电话"]["after"] == "(personal data)"
