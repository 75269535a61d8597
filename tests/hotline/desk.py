"""A small desk for the tests: two channels' sources and a handful of tickets whose truth is known."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from zhizhi.cli.main import app
from zhizhi.config import Workspace

runner = CliRunner()

HEADER_12315 = ["登记编号", "登记时间", "信息类别", "投诉举报人", "投诉举报人电话", "被投诉举报方", "统一社会信用代码",
                "被投诉举报方地址", "诉求内容", "处理状态"]  # fmt: skip
HEADER_12345 = ["工单编号", "来电时间", "诉求类型", "来电人", "来电号码", "被反映单位", "被反映单位地址", "来电内容",
                "办理状态"]  # fmt: skip

SOURCE_12315 = """\
name: rexian-12315
title: 12315投诉举报登记
department: LZ-TSJB
record_type: ticket
fields:
  channel: {value: '12315'}
  number: 登记编号
  received_at: 登记时间
  kind: 信息类别
  caller_name: 投诉举报人
  caller_phone: 投诉举报人电话
  respondent_name: 被投诉举报方
  respondent_uscc: 统一社会信用代码
  respondent_address: 被投诉举报方地址
  text: 诉求内容
  status: 处理状态
"""
SOURCE_12345 = """\
name: rexian-12345
title: 12345热线工单
department: LZ-TSJB
record_type: ticket
fields:
  channel: {value: '12345'}
  number: 工单编号
  received_at: 来电时间
  kind: 诉求类型
  caller_name: 来电人
  caller_phone: 来电号码
  respondent_name: 被反映单位
  respondent_address: 被反映单位地址
  text: 来电内容
  status: 办理状态
"""

GYM = "柳州市城中区金力健身房"
GYM_ADDRESS = "广西壮族自治区柳州市城中区文昌路12号"
TICKETS_12315 = [
    ["T001", "2026-03-02 09:15:00", "投诉", "张三", "13800000001", GYM, "", GYM_ADDRESS,
     "我在金力健身房办理了年卡，交了3000元，现在健身房突然关门停业，老板联系不上，要求退还剩余会费2200元", "待受理"],
    ["T002", "2026-03-03 10:00:00", "举报", "李四", "13800000002", "柳州市鱼峰区好又多超市", "",
     "柳州市鱼峰区柳石路8号",
     "好又多超市销售过期牛奶，生产日期为2025年12月，保质期已过，请求依法查处", "待受理"],
    ["T003", "2026-03-04 11:30:00", "咨询", "王五", "13800000003", "", "", "", "咨询电饭煲三包期限怎么计算", "待受理"],
]  # fmt: skip
TICKETS_12345 = [
    ["G001", "2026-03-02 15:40:00", "投诉", "张三", "13800000001", "金力健身房", "柳州市城中区文昌路12号",
     "市民来电反映：其在城中区金力健身房办年卡3000元，健身房已关门停业，老板失联，要求退还剩余会费2200元", "办理中"],
    ["G002", "2026-03-09 16:00:00", "投诉", "张三", "13800000001", "金力健身房", "柳州市城中区文昌路12号",
     "市民再次反映：金力健身房关门，剩余会费2200元至今未退，要求尽快处理", "办理中"],
]  # fmt: skip


def write_sources(workspace: Workspace) -> None:
    folder = workspace.root / "sources"
    folder.mkdir(exist_ok=True)
    (folder / "rexian-12315.yaml").write_text(SOURCE_12315, encoding="utf-8")
    (folder / "rexian-12345.yaml").write_text(SOURCE_12345, encoding="utf-8")


def write_export(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def zz(workspace: Workspace, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["-w", str(workspace.root), *args])
    return result.exit_code, result.stdout + result.stderr


def ingest_all(workspace: Workspace, folder: Path) -> None:
    """Both channels' exports of the desk, ingested (12315 in GBK, as the platform writes it)."""
    write_sources(workspace)
    a = write_export(folder / "12315.csv", HEADER_12315, TICKETS_12315, "gbk")
    b = write_export(folder / "12345.csv", HEADER_12345, TICKETS_12345)
    for source, path in (("rexian-12315", a), ("rexian-12345", b)):
        code, out = zz(workspace, "ingest", source, str(path), "--json")
        assert code == 0, out
        report = json.loads(out)[0]
        assert report["rows"]["quarantined"] == 0, report


def taken_in(workspace: Workspace, city: sessionmaker[Session], folder: Path) -> None:
    """The desk's exports ingested and their tickets taken into cases."""
    from tests.conftest import OPERATOR
    from zhizhi.hotline import take_in

    ingest_all(workspace, folder)
    with city() as session, session.begin():
        take_in(session, OPERATOR, workspace)
