"""Retention on a real store (SQLite and PostgreSQL): expired personal data erased everywhere it is kept, the rest
untouched, one ledger entry, one audit event and a report per run, and a second run changes nothing."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from stdnum.iso7064 import mod_11_2
from typer.testing import CliRunner

from tests.conftest import OPERATOR, Outbox
from tests.ingest.test_pipeline import _codes, _write
from zhizhi import ledger
from zhizhi.access import audit
from zhizhi.cli.main import app
from zhizhi.config import Workspace
from zhizhi.ingest.pipeline import ingest_file
from zhizhi.privacy.retention import KIND, expire, last_run
from zhizhi.privacy.schedule import retain_if_due
from zhizhi.resolve import register
from zhizhi.resolve.run import resolve
from zhizhi.sources import load_source
from zhizhi.store.tables import AuditEvent, Entity, QuarantineItem, RawRow, Record, RecordVersion
from zhizhi.store.types import utcnow

TODAY = date(2026, 11, 28)
OLD_ID = "45020219700101" + "123"
OLD_ID += mod_11_2.calc_check_digit(OLD_ID)
NEW_ID = "45020219800202" + "456"
NEW_ID += mod_11_2.calc_check_digit(NEW_ID)
BAD_ID = "45020219900303" + "789"
BAD_ID += mod_11_2.calc_check_digit(BAD_ID)
OLD_PHONE, NEW_PHONE, BAD_PHONE = "13512344297", "13912345678", "13712340000"
HEADER = ["统一社会信用代码", "企业名称", "住所", "法定代表人", "身份证号", "联系电话", "备注"]
SOURCE = """\
name: dengji
department: LZ-DJ
record_type: entity
default_prefecture: "450200"
fields:
  uscc: 统一社会信用代码
  name: 企业名称
  address: 住所
  legal_representative: 法定代表人
  legal_representative_id: 身份证号
  phone: 联系电话
"""


def _prepare(city: sessionmaker[Session], workspace: Workspace, tmp_path: Path) -> dict[str, Any]:
    """Two firms and a row held back, all with personal data; the first firm and the held row made old."""
    (workspace.root / "sources" / "dengji.yaml").write_text(SOURCE, encoding="utf-8")
    old, new, bad = _codes(3)
    bad = bad[:-1] + ("0" if bad[-1] != "0" else "1")
    rows = [
        [
            old,
            "柳州市甲有限公司",
            "柳州市城中区文昌路12号",
            "张三",
            OLD_ID,
            OLD_PHONE,
            f"法人身份证{OLD_ID}，手机{OLD_PHONE}",
        ],
        [new, "柳州市乙有限公司", "柳州市鱼峰区驾鹤路1号", "李四", NEW_ID, NEW_PHONE, ""],
        [bad, "柳州市丙有限公司", "柳州市柳南区航银路3号", "王五", BAD_ID, BAD_PHONE, f"电话{BAD_PHONE}"],
    ]
    path = _write(tmp_path / "登记.csv", rows, header=HEADER)
    with city() as session, session.begin():
        ingest_file(session, OPERATOR, load_source(workspace.root, "dengji"), path, today=TODAY, outbox=Outbox())
        resolve(session, OPERATOR, workspace.config.resolve)
    long_ago = utcnow() - timedelta(days=2000)
    with city() as session, session.begin():
        session.execute(update(Record).where(Record.key == f"uscc={old}").values(updated_at=long_ago))
        session.execute(update(QuarantineItem).values(updated_at=long_ago))
    return {"old": old, "new": new, "bad": bad}


def _texts(city: sessionmaker[Session]) -> str:
    """Everything the store keeps of records, raw rows, quarantine items and entities, as one text."""
    with city() as session:
        parts = [
            *session.scalars(select(RecordVersion.data)),
            *(w or "" for w in session.scalars(select(RecordVersion.warnings))),
            *session.scalars(select(RawRow.data)),
            *session.scalars(select(QuarantineItem.findings)),
            *session.scalars(select(Entity.golden)),
            *(s or "" for s in session.scalars(select(Entity.search))),
            *(p or "" for p in session.scalars(select(Entity.phone))),
        ]
    return "\n".join(parts)


def _data(city: sessionmaker[Session], key: str) -> dict[str, Any]:
    with city() as session:
        query = select(RecordVersion.data).join(Record, Record.id == RecordVersion.record_id)
        query = query.where(Record.key == f"uscc={key}")
        return dict(json.loads(session.scalars(query).one()))


def test_expired_personal_data_is_erased_everywhere_and_nothing_else(
    city: sessionmaker[Session], workspace: Workspace, tmp_path: Path
) -> None:
    keys = _prepare(city, workspace, tmp_path)
    before = _texts(city)
    assert all(value in before for value in (OLD_ID, OLD_PHONE, "张三", BAD_ID, BAD_PHONE, "王五"))
    with city() as session, session.begin():
        report = expire(session, OPERATOR, workspace)
    entity = next(f for f in report.types if f.record_type == "entity")
    assert (entity.retention_days, entity.records, entity.versions, entity.raw_rows) == (1825, 1, 1, 2)
    assert (entity.quarantine_items, entity.entities) == (1, 1)

    after = _texts(city)
    for value in (OLD_ID, OLD_PHONE, "张三", BAD_ID, BAD_PHONE):
        assert value not in after, value
    erased = _data(city, keys["old"])
    assert erased["legal_representative"] is None and erased["legal_representative_id"] is None
    assert erased["phone"] is None
    assert erased["name"] == "柳州市甲有限公司" and erased["uscc"] == keys["old"]  # the firm stays
    assert erased["address"] == "柳州市城中区文昌路12号"
    fresh = _data(city, keys["new"])  # a record within its retention is untouched
    assert (fresh["legal_representative"], fresh["legal_representative_id"], fresh["phone"]) == (
        "李四",
        NEW_ID,
        NEW_PHONE,
    )
    assert NEW_ID in after and NEW_PHONE in after
    with city() as session:
        cells = [json.loads(d) for d in session.scalars(select(RawRow.data))]
        (old_cells,) = [c for c in cells if c["统一社会信用代码"] == keys["old"]]
        assert old_cells["法定代表人"] is None and old_cells["企业名称"] == "柳州市甲有限公司"
        assert old_cells["备注"].startswith("法人身份证") and "****" in old_cells["备注"]  # free text masked
        goldens = {e.uscc: json.loads(e.golden) for e in session.scalars(select(Entity))}
        assert "legal_representative" not in goldens[keys["old"]] and "phone" not in goldens[keys["old"]]
        assert goldens[keys["old"]]["name"]["value"] == "柳州市甲有限公司"
        assert goldens[keys["new"]]["legal_representative"]["value"] == "李四"
        assert session.scalars(select(RecordVersion.erased_at).where(RecordVersion.erased_at.is_not(None))).all()
        (entry,) = [e for e in ledger.entries(session) if e.kind == KIND]
        assert json.loads(entry.payload)["types"]["entity"]["records"] == 1
        assert "张三" not in entry.payload and OLD_ID not in entry.payload
        (event,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.retention")).all()
        assert json.loads(event.detail)["records"] == 1
        assert ledger.verify_ledger(session, workspace.keys_dir).ok
        assert audit.verify(session).ok
    body = json.loads(Path(report.file or "").read_text(encoding="utf-8"))
    assert body["types"][0]["record_type"] == "entity" and body["types"][0]["raw_rows"] == 2
    assert OLD_ID not in json.dumps(body, ensure_ascii=False) and report.file.parent.name == "retention"

    with city() as session, session.begin():
        again = expire(session, OPERATOR, workspace)
    assert again.changed == 0 and _texts(city) == after
    with city() as session, session.begin():  # the register still finds the firm, but not by the phone erased
        assert register.search(session, OPERATOR, OLD_PHONE) == []
        assert [e["uscc"] for e in register.search(session, OPERATOR, "甲有限")] == [keys["old"]]
        assert [e["uscc"] for e in register.search(session, OPERATOR, NEW_PHONE)] == [keys["new"]]
    # An erased raw row is changed once: nothing may change it again, nor delete it.
    for sql in ("UPDATE raw_rows SET data = '{}' WHERE erased_at IS NOT NULL", "DELETE FROM raw_rows"):
        with pytest.raises(DBAPIError), city() as session, session.begin():
            session.execute(text(sql))


def test_a_dry_run_counts_and_changes_nothing(
    city: sessionmaker[Session], workspace: Workspace, tmp_path: Path
) -> None:
    _prepare(city, workspace, tmp_path)
    before = _texts(city)
    with city() as session, session.begin():
        report = expire(session, OPERATOR, workspace, dry_run=True)
    assert report.changed > 0 and report.ledger_seq is None and report.file and "dry-run" in report.file.name
    assert _texts(city) == before
    with city() as session:
        assert last_run(session) is None


def test_retention_days_come_from_the_config(city: sessionmaker[Session], workspace: Workspace, tmp_path: Path) -> None:
    _prepare(city, workspace, tmp_path)
    workspace.config.privacy.retention["entity"] = 3000  # longer than the record's age: nothing expires
    with city() as session, session.begin():
        report = expire(session, OPERATOR, workspace)
    entity = next(f for f in report.types if f.record_type == "entity")
    assert (entity.retention_days, entity.records, entity.quarantine_items) == (3000, 0, 0)
    assert OLD_ID in _texts(city)


def test_the_daily_run_runs_once_a_day(city: sessionmaker[Session], workspace: Workspace, tmp_path: Path) -> None:
    _prepare(city, workspace, tmp_path)
    first = retain_if_due(city, workspace)
    assert first is not None and first.changed > 0
    assert retain_if_due(city, workspace) is None  # the same day: another worker or a second check
    tomorrow = retain_if_due(city, workspace, now=utcnow() + timedelta(days=1))
    assert tomorrow is not None and tomorrow.changed == 0


def test_cli_retain_prints_the_report(city: sessionmaker[Session], workspace: Workspace, tmp_path: Path) -> None:
    _prepare(city, workspace, tmp_path)
    runner = CliRunner()
    dry = runner.invoke(app, ["-w", str(workspace.root), "privacy", "retain", "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.output)["dry_run"] is True
    shown = runner.invoke(app, ["-w", str(workspace.root), "privacy", "retain"])
    assert shown.exit_code == 0, shown.output
    assert "entity" in shown.output and "Ledger entry" in shown.output and OLD_ID not in shown.output
    again = runner.invoke(app, ["-w", str(workspace.root), "privacy", "retain", "--json"])
    assert json.loads(again.output)["changed"] == 0
