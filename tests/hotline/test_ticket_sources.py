"""Tickets through the front door: two channels' exports, differing in every column, suggested and ingested."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.conftest import OPERATOR
from tests.hotline.exports import TODAY, TicketExport, export_12315, export_12345
from tests.sources.exports import write_csv
from zhizhi.cli.main import app
from zhizhi.config import Workspace
from zhizhi.ingest.kinds import Context, clean_column
from zhizhi.ingest.quarantine import list_items
from zhizhi.privacy.catalogue import personal_columns
from zhizhi.records import record_type
from zhizhi.records.history import find_records
from zhizhi.sources import load_source
from zhizhi.sources.suggest import render_suggestion, suggest_source
from zhizhi.sources.suggest.core import named_constants
from zhizhi.sources.suggest.roles import person_role
from zhizhi.store.tables import Batch

runner = CliRunner()
EXPORTS = {"12315": export_12315, "12345": export_12345}


def zz(workspace: Workspace, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["-w", str(workspace.root), *args])
    return result.exit_code, result.stdout + result.stderr


@pytest.mark.parametrize("channel", list(EXPORTS))
def test_suggest_maps_every_column_of_each_channel(channel: str, tmp_path: Path) -> None:
    export = EXPORTS[channel](tmp_path)
    suggestion = suggest_source(export.path, name=f"t{channel}", department="LZ-TSJB", today=TODAY)
    got = {item.field: item.column for item in suggestion.fields if item.column is not None}
    assert suggestion.source.record_type == "ticket" and suggestion.complete
    assert got == export.truth
    assert suggestion.constants == {"channel": channel}
    assert suggestion.to_check == []
    assert f"#   channel: the constant `{channel}`, read from the file's name or title" in render_suggestion(suggestion)


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (("12315投诉举报登记.csv",), {"channel": "12315"}),
        (("工单.xlsx", "柳州市12345政务服务便民热线工单明细"), {"channel": "12345"}),
        (("export_20261234567.csv",), {}),  # digits inside a longer number name nothing
        (("12315与12345合并导出.xlsx",), {}),  # two channels: the steward decides
        (("工单导出.csv",), {}),
    ],
)
def test_a_required_channel_is_read_from_the_name_or_title_only_when_one_is_named(
    texts: tuple[str, ...], expected: dict[str, str]
) -> None:
    assert named_constants(record_type("ticket"), ["channel"], texts) == expected


@pytest.mark.parametrize(
    ("header", "role"),
    [("投诉举报人", "complainant"), ("被投诉举报人", "respondent_person"), ("来电人", "complainant")],
)
def test_a_respondent_is_never_taken_for_the_caller(header: str, role: str) -> None:
    assert person_role(header) == role


def test_the_callers_data_is_personal_and_the_respondents_is_not() -> None:
    columns = personal_columns("ticket")
    assert columns["caller_name"] == "person_name" and columns["caller_phone"] == "phone"
    assert columns["caller_address"] == "person_address"
    assert "respondent_uscc" not in columns and "respondent_address" not in columns
    assert "number" not in columns and "received_at" not in columns


def _suggest_and_ingest(workspace: Workspace, export: TicketExport, name: str) -> dict[str, Any]:
    code, out = zz(workspace, "sources", "suggest", str(export.path), "--name", name, "--department", "LZ-TSJB")
    assert code == 0, out
    assert load_source(workspace.root, name).record_type == "ticket"
    code, out = zz(workspace, "ingest", name, str(export.path), "--json")
    assert code == 0, out
    (report,) = json.loads(out)
    return dict(report)


@pytest.mark.parametrize("channel", list(EXPORTS))
def test_both_channels_are_ingested_and_every_row_accounted_for(
    channel: str, workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    export = EXPORTS[channel](tmp_path)
    name = f"rexian-{channel}"
    first = _suggest_and_ingest(workspace, export, name)
    assert first["rows"]["read"] == first["rows"]["accepted"] + first["rows"]["quarantined"] + first["rows"]["skipped"]
    with city() as session:
        (batch,) = session.query(Batch).filter(Batch.source == name).all()
        assert batch.rows_read == export.rows + export.skipped
        assert batch.rows_quarantined == len(export.bad)
        assert batch.rows_skipped == export.skipped
        assert batch.rows_read == batch.rows_accepted + batch.rows_quarantined + batch.rows_skipped
        items = list_items(session, OPERATOR, source=name)
        reasons = {item["row"]: item["reasons"] for item in items}
        first_data_row = 2 if channel == "12315" else 3
        assert reasons == {first_data_row - 1 + row: codes for row, codes in export.bad.items()}
        records = find_records(session, OPERATOR, record_type="ticket", source=name, limit=1000)
        assert len(records) == export.rows - len(export.bad)
        data = [record["data"] for record in records]
        assert {d["channel"] for d in data} == {channel}
        assert {d["kind"] for d in data} <= {"complaint", "report", "consultation", "suggestion", "other"}
        assert all(d["received_at"].startswith("2026-03") for d in data)
        assert all(d["caller_phone"] for d in data)
        if channel == "12345":
            assert {"other", "suggestion"} <= {d["kind"] for d in data}  # 求助, 表扬, 意见建议 read
    code, out = zz(workspace, "ingest", name, str(export.path), "--json")
    assert code == 0 and json.loads(out)[0]["id"] == first["id"]  # the same bytes again: nothing changes


def test_a_ticket_exported_again_with_a_new_status_is_a_new_version(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    export = export_12315(tmp_path)
    _suggest_and_ingest(workspace, export, "rexian-12315")
    rows = list(csv.reader(io.StringIO(export.path.read_bytes().decode("gbk"))))
    rows[1][11] = "已办结（已回访）"
    later = write_csv(tmp_path / "12315投诉举报登记_2026年3月_更新.csv", rows, "gbk")
    code, out = zz(workspace, "ingest", "rexian-12315", str(later), "--json")
    assert code == 0, out
    assert json.loads(out)[0]["records"] == {"new": 0, "changed": 1, "unchanged": 56}


def test_the_demos_12345_source_puts_12345s_classification_in_12315s_words() -> None:
    from zhizhi.demo.desk import SOURCE_12345
    from zhizhi.demo.ticket_texts import PROBLEMS_12345
    from zhizhi.sources import parse_source

    (transform,) = parse_source(SOURCE_12345, "sources/rexian-12345.yaml").fields["problem_category"].transforms
    mapped = {theirs: transform["map"].get(theirs, theirs) for theirs in PROBLEMS_12345.values()}
    assert mapped == {theirs: ours for ours, theirs in PROBLEMS_12345.items()}


def test_suggest_maps_the_headers_other_platforms_use(tmp_path: Path) -> None:
    """Headers of work-order exports not in the first two channels' files: the respondent as 涉事主体 and its address
    (was mapped to the place: routing then found no county), the caller's phone as 联系方式 (was the respondent's:
    no same-phone evidence, no citizen look-up), a moment written 2026年11月3日14时32分 (8 % read as dates)."""
    rows = [
        ["投诉编号", "创建时间", "诉求类型", "诉求人", "联系方式", "涉事主体", "涉事主体地址", "问题描述"],
        ["TS001", "2026年11月3日14时32分", "投诉", "何志强", "13907741111", "梧州市长洲区大润发商业有限公司",
         "广西壮族自治区梧州市长洲区新兴二路1号", "在大润发买的洗衣机坏了商家拒不退货"],
        ["TS002", "2026年11月4日下午3时05分", "举报", "李四", "0774-1234567", "金凤凰KTV", "梧州市万秀区河东路2号",
         "KTV无证经营有老鼠"],
        ["TS003", "46339.6", "咨询", "王五", "13800138000", "某超市", "梧州市长洲区某路3号", "咨询退货规定"],
    ]  # fmt: skip
    path = tmp_path / "工单导出.csv"
    path.write_text("\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")
    suggestion = suggest_source(path, name="other", department="LZ-TSJB", today=date(2026, 12, 1))
    got = {item.field: item.column for item in suggestion.fields if item.column is not None}
    assert got == {"number": "投诉编号", "received_at": "创建时间", "kind": "诉求类型", "caller_name": "诉求人",
                   "caller_phone": "联系方式", "respondent_name": "涉事主体", "respondent_address": "涉事主体地址",
                   "text": "问题描述"}  # fmt: skip
    assert suggestion.to_check == []


def test_a_work_order_exports_contact_is_its_caller(tmp_path: Path) -> None:
    """Many work-order systems head the caller 联系人 (the person to call back), beside 联系电话: in a ticket export
    that column is the caller, while a business's contact (企业联系人, 被投诉方联系人) is still nobody's caller, and
    an entity export's 联系人 is still no legal representative."""
    rows = [
        ["工单编号", "受理时间", "诉求类型", "联系人", "联系电话", "被投诉方联系人", "被投诉单位", "诉求内容"],
        ["GD001", "2026-11-03 14:32", "投诉", "何志强", "13907741111", "周经理", "梧州市长洲区大润发商业有限公司",
         "在大润发买的洗衣机坏了商家拒不退货"],
        ["GD002", "2026-11-04 15:05", "举报", "李四", "13907742222", "陈老板", "金凤凰KTV", "KTV无证经营有老鼠"],
        ["GD003", "2026-11-05 09:10", "咨询", "王五", "13800138000", "", "某超市", "咨询退货规定"],
    ]  # fmt: skip
    path = tmp_path / "工单导出.csv"
    path.write_text("\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")
    suggestion = suggest_source(path, name="contact", department="LZ-TSJB", today=date(2026, 12, 1))
    got = {item.field: item.column for item in suggestion.fields if item.column is not None}
    assert got["caller_name"] == "联系人" and got["caller_phone"] == "联系电话"
    assert "被投诉方联系人" not in got.values()
    entity = tmp_path / "企业名录.csv"
    entity.write_text(
        "统一社会信用代码,企业名称,联系人,联系电话\n91450100MA5KXXXX0A,柳州市某某有限公司,张三,13907743333\n",
        encoding="utf-8",
    )
    listed = suggest_source(entity, name="firms", department="LZ", today=date(2026, 12, 1))
    assert "联系人" not in {item.column for item in listed.fields if item.field == "legal_representative"}


@pytest.mark.parametrize(
    ("word", "kind"),
    [("实名举报", "report"), ("匿名举报", "report"), ("实名投诉", "complaint"), ("消费者投诉", "complaint"),
     ("消费咨询", "consultation"), ("求助类", "other"), ("投诉举报", None)],
)  # fmt: skip
def test_a_channels_kind_words_with_a_qualifier_are_read(word: str, kind: str | None) -> None:
    """How a platform qualifies a kind (实名举报: the reporter gave a name) is still that kind; a submission that is
    both (投诉举报) is still not guessed (Art 7 splits it)."""
    field = next(f for f in record_type("ticket").fields if f.name == "kind")
    cleaned = clean_column(field, pl.Series([word]), Context(TODAY))
    assert cleaned.columns["kind"].to_list() == [kind]
