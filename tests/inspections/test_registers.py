"""一单两库: the target register built from a real register (records ingested and resolved, hotline cases), each
class with its reasons; the item list, the target register and the inspector register in and out of Excel, with
every problem of a file named by row, column and value."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR, outbox
from tests.ingest.test_pipeline import _codes, _write
from zhizhi.config import Workspace
from zhizhi.errors import InputError
from zhizhi.ingest.pipeline import ingest_file
from zhizhi.inspections import (
    export_inspectors,
    export_items,
    export_targets,
    get_target,
    import_inspectors,
    import_items,
    import_targets,
    list_inspectors,
    list_items,
    refresh_targets,
)
from zhizhi.resolve import register
from zhizhi.resolve.run import resolve
from zhizhi.sources import parse_source
from zhizhi.store.tables import Case, Department, Entity

TODAY = date(2026, 11, 28)
CODES = _codes(3, seed=18)
HUAXIN, LONGCHENG, GONE = "柳州市华信食品有限公司", "柳州市龙城餐饮有限公司", "柳州市已注销商贸有限公司"
SOURCES = {
    "dengji": (
        "name: dengji\ndepartment: LZ-DJ\nrecord_type: entity\ndefault_prefecture: '450200'\nfields:\n"
        "  uscc: 统一社会信用代码\n  name: 企业名称\n  address: 住所\n  status: 登记状态\n",
        ["统一社会信用代码", "企业名称", "住所", "登记状态"],
        [
            [CODES[0], HUAXIN, "柳州市城中区文昌路12号", "存续"],
            [CODES[1], LONGCHENG, "柳州市鱼峰区箭盘路8号", "存续"],
            [CODES[2], GONE, "柳州市柳南区航银路3号", "注销"],
        ],
    ),
    "licences": (
        "name: licences\ndepartment: LZ-SP\nrecord_type: licence\nfields:\n  number: 许可证编号\n"
        "  kind: {value: 食品经营许可证}\n  holder_name: 经营者名称\n  holder_uscc: 统一社会信用代码\n",
        ["许可证编号", "经营者名称", "统一社会信用代码"],
        [["JY14502020001234", HUAXIN, CODES[0]]],
    ),
    "equipment": (
        "name: equipment\ndepartment: LZ-TS\nrecord_type: equipment\nfields:\n  equipment_code: 设备代码\n"
        "  kind: {value: 电梯}\n  user_name: 使用单位\n  user_uscc: 统一社会信用代码\n",
        ["设备代码", "使用单位", "统一社会信用代码"],
        [[f"3110450200202{n:05d}", HUAXIN, CODES[0]] for n in range(5)],
    ),
    "checks": (
        "name: checks\ndepartment: LZ-CZ-ZN\nrecord_type: inspection\nfields:\n  number: 检查编号\n"
        "  entity_name: 被检查对象\n  entity_uscc: 统一社会信用代码\n  inspected_on: 检查日期\n  result: 检查结论\n",
        ["检查编号", "被检查对象", "统一社会信用代码", "检查日期", "检查结论"],
        [
            ["JC2026-001", HUAXIN, CODES[0], "2026-06-01", "不合格"],
            ["JC2023-002", LONGCHENG, CODES[1], "2023-05-10", "责令整改"],
        ],  # older than 24 months: no points
    ),
}


def _register(sessions: sessionmaker[Session], folder: Path, workspace: Workspace) -> dict[str, int]:
    for name, (text, header, rows) in SOURCES.items():
        path = _write(folder / f"{name}.csv", rows, header=header)
        with sessions() as session, session.begin():
            ingest_file(
                session, OPERATOR, parse_source(text, f"sources/{name}.yaml"), path, today=TODAY, outbox=outbox()
            )
    with sessions() as session, session.begin():
        resolve(session, OPERATOR, workspace.config.resolve)
    with sessions() as session:
        return {
            name: int(register.search(session, OPERATOR, code)[0]["id"])
            for name, code in zip((HUAXIN, LONGCHENG, GONE), CODES, strict=True)
        }


def _complaints(session: Session, entity_id: int, days: list[date]) -> None:
    desk = session.scalar(select(Department.id).where(Department.code == "LZ-TSJB"))
    at = datetime(2026, 1, 1, tzinfo=UTC)
    for n, day in enumerate(days):
        session.add(
            Case(
                number=f"C{entity_id}-{n}",
                kind="complaint",
                stage="accepted",
                desk_id=desk,
                received_at=at,
                received_on=day,
                entity_id=entity_id,
                created_at=at,
                updated_at=at,
            )
        )


def test_the_target_register_scores_each_entity_and_shows_why(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    ids = _register(city, tmp_path, workspace)
    with city() as session, session.begin():
        _complaints(session, ids[LONGCHENG], [date(2026, 3, 2), date(2026, 9, 9), date(2025, 6, 1)])  # one too old
        report = refresh_targets(session, OPERATOR, today=TODAY)
    assert report.targets == 3 and report.inactive == 1
    with city() as session:
        huaxin, longcheng, gone = (get_target(session, OPERATOR, ids[n]) for n in (HUAXIN, LONGCHENG, GONE))
    # 华信: a licence (1), five lifts (3), failed in June (3): 7, high.
    assert huaxin["risk_class"] == "high" and huaxin["risk_score"] == 7
    assert [(r["code"], r["points"]) for r in huaxin["reasons"]] == [("licences", 1), ("equipment", 3), ("findings", 3)]
    assert "登记特种设备 5 台" in [r["zh"] for r in huaxin["reasons"]]
    assert huaxin["record_types"] == ["entity", "equipment", "inspection", "licence"]
    assert huaxin["last_inspected_on"] == "2026-06-01"
    # 城中区 has two grassroots offices: the county office stands for them; 鱼峰区 has one: 天马所.
    assert huaxin["office"] == "LZ-CZ" and longcheng["office"] == "LZ-YF-TZ"
    # 龙城: two complaints in the last 12 months (2); its 2023 finding is too old: medium.
    assert (longcheng["risk_class"], longcheng["risk_score"]) == ("medium", 2)
    assert longcheng["reasons"][0]["zh"] == "近12个月被投诉举报 2 件"
    assert gone["active"] is False and gone["risk_class"] == "low" and gone["reasons"][0]["code"] == "none"
    # Exported, a class set by hand, imported back: it wins over the score and survives a rebuild.
    with city() as session:
        book = load_workbook(io.BytesIO(export_targets(session, OPERATOR)), read_only=True)
        rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:6] == ("主体编号", "统一社会信用代码", "名称", "属地监管所", "风险等级", "调整原因")
    assert {r[0]: r[4] for r in rows[1:]} == {ids[HUAXIN]: "高风险", ids[LONGCHENG]: "一般风险", ids[GONE]: "低风险"}
    upload = _book(["统一社会信用代码", "风险等级", "调整原因"], [[CODES[1], "高", "列入经营异常名录"]])
    with city() as session, session.begin():
        assert import_targets(session, OPERATOR, upload, "adjust.xlsx") == 1
        refresh_targets(session, OPERATOR, today=TODAY)
        longcheng = get_target(session, OPERATOR, ids[LONGCHENG])
    assert longcheng["risk_class"] == "high" and longcheng["reasons"][-1]["zh"] == "人工调整为高风险：列入经营异常名录"
    bad = _book(
        ["统一社会信用代码", "风险等级", "调整原因", "属地监管所"],
        [
            ["91450200MA5K00000X", "高", "x"],
            [CODES[1], "极高", "x"],
            [CODES[0], "低", ""],
            [CODES[2], "", "", "LZ-NOPE"],
        ],
    )
    with city() as session, session.begin(), pytest.raises(InputError) as refused:
        import_targets(session, OPERATOR, bad, "bad.xlsx")
    assert refused.value.details == [
        "row 2, column `统一社会信用代码` (Credit code) = `91450200MA5K00000X`: no such target in the register "
        "(refresh it first)",
        "row 3, column `风险等级` (Risk class) = `极高`: write 高, 一般 or 低 (or 自动)",
        "row 4, column `调整原因` (Reason set by hand) = ``: give the reason (at most 200 characters)",
        "row 5, column `属地监管所` (Office) = `LZ-NOPE`: No department with code `LZ-NOPE` in your scope. See "
        "`zhizhi dept list` for the codes.",
    ]
    assert "第 3 行「风险等级」`极高`" in (refused.value.message_zh or "")


def _book(header: list[str], rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_item_list_goes_out_and_in_through_excel_and_refuses_a_bad_file_whole(city: sessionmaker[Session]) -> None:
    good = _book(
        ["事项编码", "抽查事项", "检查依据", "实施部门", "适用对象", "所需资格"],
        [
            ["SP-01", "食品经营许可情况", "《食品安全法》第三十五条", "LZ-SP", "许可证", "食品"],
            ["DJ-01", "登记事项与实际是否一致", "《市场主体登记管理条例》第三条", "LZ-DJ", "", ""],
        ],
    )
    with city() as session, session.begin():
        assert import_items(session, OPERATOR, good, "items.xlsx").as_dict() == {
            "created": 2,
            "updated": 0,
            "unchanged": 0,
        }
        assert import_items(session, OPERATOR, good, "items.xlsx").unchanged == 2
        items = list_items(session, OPERATOR)
        exported = export_items(session, OPERATOR)
    assert [(i["code"], i["record_types"], i["qualification"]) for i in items] == [
        ("DJ-01", ["entity"], None),
        ("SP-01", ["licence"], "食品"),
    ]
    with city() as session, session.begin():
        assert import_items(session, OPERATOR, exported, "again.xlsx").unchanged == 2  # what goes out comes back in
    bad = _book(
        ["事项编码", "抽查事项", "检查依据", "实施部门", "适用对象", "是否启用"],
        [
            ["SP-02", "x", "依据", "LZ-NOPE", "", ""],
            ["SP-03", "y", "依据", "LZ-SP", "飞机", ""],
            ["SP-03", "y", "依据", "LZ-SP", "", ""],
            ["SP-04", "z", "依据", "LZ-SP", "", "也许"],
            ["SP-05", "w", "依据", "LZ-SP", "", "否"],
        ],
    )
    with city() as session, session.begin(), pytest.raises(InputError) as refused:
        import_items(session, OPERATOR, bad, "bad.xlsx")
    assert [d.split(":")[0] for d in refused.value.details] == [
        "row 2, column `实施部门` (Department) = `LZ-NOPE`",
        "row 3, column `适用对象` (Applies to) = `飞机`",
        "row 4, column `事项编码` (Item code) = `SP-03`",
        "row 5, column `是否启用` (Active) = `也许`",
    ]
    with city() as session:
        assert len(list_items(session, OPERATOR)) == 2  # nothing of the bad file, not even its good row
    with city() as session, pytest.raises(InputError, match="lacks the column"):
        import_items(session, OPERATOR, _book(["抽查事项"], [["x"]]), "short.xlsx")
    with city() as session, pytest.raises(InputError, match="cannot be read as an Excel workbook"):
        import_items(session, OPERATOR, b"not a workbook", "items.xlsx")


def test_the_inspector_register_goes_out_and_in_through_excel(city: sessionmaker[Session]) -> None:
    upload = _book(
        ["用户名", "所属单位", "执法资格", "执法证号", "是否可派", "不可派至"],
        [
            ["zhongnan", "LZ-CZ-ZN", "食品、特种设备", "45020012345", "是", ""],
            ["yufeng", "", "价格", "", "否", "2027-01-31"],
        ],
    )
    with city() as session, session.begin():
        assert import_inspectors(session, OPERATOR, upload, "people.xlsx").created == 2
        found = {i["username"]: i for i in list_inspectors(session, OPERATOR)}
        exported = export_inspectors(session, OPERATOR)
    assert found["zhongnan"]["qualifications"] == ["特种设备", "食品"] and found["zhongnan"]["certificate"]
    assert found["yufeng"]["available"] is False and found["yufeng"]["unavailable_until"] == "2027-01-31"
    assert found["yufeng"]["office"] == "LZ-YF"  # their own department when the file leaves it empty
    with city() as session, session.begin():
        assert import_inspectors(session, OPERATOR, exported, "again.xlsx").unchanged == 2
    bad = _book(
        ["用户名", "所属单位", "是否可派", "不可派至"],
        [["nobody", "", "", ""], ["zhongnan", "LZ-NOPE", "", ""], ["yufeng", "", "否", "明年"]],
    )
    with city() as session, pytest.raises(InputError) as refused:
        import_inspectors(session, OPERATOR, bad, "bad.xlsx")
    assert [d.split(":")[0] for d in refused.value.details] == [
        "row 2, column `用户名` (Username) = `nobody`",
        "row 3, column `所属单位` (Office) = `LZ-NOPE`",
        "row 4, column `不可派至` (Unavailable until) = `明年`",
    ]


def test_a_complaint_about_a_firm_the_register_merged_since_counts_for_the_firm_it_is_now(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """A case names its respondent as the register knew it then: after a merge, the kept firm lost those complaints
    and its visits from its risk (and its last inspection)."""
    ids = _register(city, tmp_path, workspace)
    with city() as session, session.begin():
        _complaints(session, ids[LONGCHENG], [date(2026, 3, 2), date(2026, 9, 9)])
        _complaints(session, ids[GONE], [date(2026, 10, 1)])
        gone = session.get_one(Entity, ids[GONE])
        gone.status, gone.merged_into = "merged", ids[LONGCHENG]  # as a steward's merge leaves it
        refresh_targets(session, OPERATOR, today=TODAY)
        longcheng = get_target(session, OPERATOR, ids[LONGCHENG])
    assert longcheng["reasons"][0]["zh"] == "近12个月被投诉举报 3 件"
