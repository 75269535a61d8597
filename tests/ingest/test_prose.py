"""Free text a person wrote (a field declared `prose=True`) is stored as written: full-width punctuation and line
breaks kept, only invisible characters out, the ends trimmed, still bounded in length; identifiers, names and
addresses in the same row are cleaned as ever. Before, every text field was folded to half-width single-spaced
text, so a complaint's or a handler's words reached the record and its platforms changed."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR, Outbox
from zhizhi.ingest.pipeline import ingest_file
from zhizhi.ingest.quarantine import list_items
from zhizhi.records.fields import Field, RecordType
from zhizhi.records.history import find_records
from zhizhi.sources import parse_source

SOURCE = """\
name: rexian-12315
department: LZ-TSJB
record_type: ticket
fields:
  channel: {value: '12315'}
  number: 登记编号
  received_at: 登记时间
  respondent_name: 被投诉举报方
  respondent_address: 被投诉举报方地址
  text: 诉求内容
"""
WRITTEN = "在金力健身房（城中店）办了年卡，交了３０００元：\r\n老板联系不上。\r\n\r\n要求退还剩余会费！"
LONG = "长" * 4001


def _export(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["登记编号", "登记时间", "被投诉举报方", "被投诉举报方地址", "诉求内容"])
        writer.writerows(rows)
    return path


def test_a_complaints_words_are_kept_as_written_and_its_number_name_and_address_cleaned(
    city: sessionmaker[Session], tmp_path: Path
) -> None:
    path = _export(tmp_path / "12315.csv", [
        ["“Ｔ００１ ”", "2026-03-02 09:15:00", "金力健身房（城中店） ", "柳州市城中区文昌路１２号", f" {WRITTEN}\r\n"],
        ["T002", "2026-03-02 10:00:00", "好又多超市", "柳州市鱼峰区柳石路8号", LONG],
    ])  # fmt: skip
    source = parse_source(SOURCE, "sources/rexian-12315.yaml")
    with city() as session, session.begin():
        batch = ingest_file(session, OPERATOR, source, path, today=date(2026, 3, 10), outbox=Outbox()).batch
        assert (batch.rows_accepted, batch.rows_quarantined) == (1, 1)
        (record,) = find_records(session, OPERATOR, record_type="ticket")
        (item,) = list_items(session, OPERATOR)
    data = record["data"]
    assert data["text"] == "在金力健身房（城中店）办了年卡，交了３０００元：\n老板联系不上。\n\n要求退还剩余会费！"
    assert record["key"] == "number=T001" and data["number"] == "T001"  # an identifier: as clean as before
    assert data["respondent_name"] == "金力健身房(城中店)"  # other text: folded for matching as before
    assert data["respondent_address"] == "柳州市城中区文昌路12号"
    assert item["reasons"] == ["field.too_long"]  # prose is still bounded


@pytest.mark.parametrize(
    "spec",
    [
        Field("note", "list", "备注", "Note", prose=True),
        Field("note", "text", "备注", "Note", prose=True, identifier=True),
    ],
)
def test_prose_is_declared_on_text_fields_only(spec: Field) -> None:
    with pytest.raises(ValueError, match="prose field `note`"):
        RecordType(name="x", label_zh="x", label="x", fields=(spec,), keys=(("note",),))
