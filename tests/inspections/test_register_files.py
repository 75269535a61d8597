"""Register files as offices really keep them: a CSV saved from Excel in GBK, a title row merged above the header,
a header marked `*` as required; and a row repeating the key of an earlier one refused, naming both rows, rather
than the last one silently winning."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.inspections import register
from zhizhi.errors import InputError
from zhizhi.inspections import (
    export_targets,
    get_target,
    import_inspectors,
    import_items,
    import_targets,
    list_inspectors,
)
from zhizhi.store.tables import InspectionTarget


def _book(rows: list[list[str]], *, merge: str | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _qualifications(session: Session, username: str) -> list[str]:
    return next(i["qualifications"] for i in list_inspectors(session, OPERATOR) if i["username"] == username)


def test_a_gbk_csv_with_a_title_row_is_read(city: sessionmaker[Session]) -> None:
    text = "柳州市执法检查人员名录（2026年）,,\n用户名,执法资格,执法证号\nzhongnan,食品、特种设备,45020012345\n"
    with city() as session, session.begin():
        report = import_inspectors(session, OPERATOR, text.encode("gbk"), "人员名录.csv")
        assert report.created + report.updated == 1
        assert _qualifications(session, "zhongnan") == ["特种设备", "食品"]


def test_a_workbook_with_a_merged_title_and_starred_headers_is_read(city: sessionmaker[Session]) -> None:
    data = _book(
        [["执法检查人员名录", "", ""], ["用户名*", "执法资格", "是否可派"], ["yufeng", "价格", "是"]], merge="A1:C1"
    )
    with city() as session, session.begin():
        assert import_inspectors(session, OPERATOR, data, "人员.xlsx").created == 1
        assert _qualifications(session, "yufeng") == ["价格"]


def test_a_row_repeating_an_inspector_or_a_target_is_refused_naming_both_rows(city: sessionmaker[Session]) -> None:
    people = _book([["用户名", "是否可派"], ["zhongnan", "是"], ["yufeng", "是"], ["zhongnan", "否"]])
    with city() as session, pytest.raises(InputError) as refused:
        import_inspectors(session, OPERATOR, people, "people.xlsx")
    assert refused.value.details == ["row 4, column `用户名` (Username) = `zhongnan`: already on row 2"]
    with city() as session, session.begin():
        register.build(session, entities=6, inspectors=2)
    targets = _book([["主体编号", "风险等级", "调整原因"], ["1", "高", "列入经营异常名录"], ["1", "低", "核查后调整"]])
    with city() as session, pytest.raises(InputError) as refused:
        import_targets(session, OPERATOR, targets, "targets.xlsx")
    assert refused.value.details == ["row 3, column `主体编号` (Entity id) = `1`: already on row 2"]


def test_a_class_set_by_an_import_is_the_targets_class_at_once(city: sessionmaker[Session]) -> None:
    # A draw frozen before the next rebuild reads the class: an entity put on the abnormal list is high risk now.
    with city() as session, session.begin():
        register.build(session, entities=6, inspectors=2)
        session.get_one(InspectionTarget, 3).risk_class = "low"
    with city() as session, session.begin():
        adjust = _book([["主体编号", "风险等级", "调整原因"], ["3", "高", "列入经营异常名录"]])
        assert import_targets(session, OPERATOR, adjust, "adjust.xlsx") == 1
    with city() as session:
        target = get_target(session, OPERATOR, 3)
    assert (target["risk_class"], target["manual_class"]) == ("high", "high")
    assert target["reasons"][-1]["zh"] == "人工调整为高风险：列入经营异常名录"
    with city() as session, session.begin():
        assert import_targets(session, OPERATOR, _book([["主体编号", "风险等级"], ["3", "自动"]]), "auto.xlsx") == 1
    with city() as session:
        target = get_target(session, OPERATOR, 3)
    assert (target["risk_class"], target["manual_class"]) == ("low", None)
    assert [r["code"] for r in target["reasons"]] == ["none"]


def test_the_register_exported_and_imported_back_changes_only_what_was_edited(city: sessionmaker[Session]) -> None:
    with city() as session, session.begin():
        register.build(session, entities=12, inspectors=2)
        before = {t.entity_id: (t.risk_class, t.office_id, t.office_source) for t in session.scalars(
            select(InspectionTarget))}  # fmt: skip
        steward = register.actor_of(session, "yufeng")  # steward of 鱼峰区局: the export holds every district's firms
        exported = load_workbook(io.BytesIO(export_targets(session, OPERATOR)), read_only=True)
        rows = [list(r) for r in exported.worksheets[0].iter_rows(values_only=True)]
    assert len(rows) == 13
    with city() as session, session.begin():
        assert import_targets(session, OPERATOR, _book(rows), "as-exported.xlsx") == 0
        assert import_targets(session, steward, _book(rows), "as-exported.xlsx") == 0
    ours = next(r for r in rows[1:] if r[3] == "LZ-YF-TZ" and r[4] != "高风险")
    ours[4:6] = ["高", "列入严重违法失信名单"]
    with city() as session, session.begin():
        assert import_targets(session, steward, _book(rows), "edited.xlsx") == 1
    with city() as session:
        after = {t.entity_id: (t.risk_class, t.office_id, t.office_source) for t in session.scalars(
            select(InspectionTarget))}  # fmt: skip
    assert after[ours[0]][0] == "high"
    assert {k: v for k, v in after.items() if k != ours[0]} == {k: v for k, v in before.items() if k != ours[0]}
    assert all(source != "import" for _, _, source in after.values())  # the offices found were not pinned


def test_a_day_unavailable_until_keeps_the_inspector_off_the_draw_and_nothing_is_cut_short(
    city: sessionmaker[Session],
) -> None:
    # An office's sheet often has the day alone: the inspector on leave is not drawable, not silently available.
    leave = "用户名,执法证号,不可派至\nzhongnan,45020012345,2099-03-31\n"
    with city() as session, session.begin():
        assert import_inspectors(session, OPERATOR, leave.encode("gbk"), "请假.csv").created == 1
    with city() as session:
        found = next(i for i in list_inspectors(session, OPERATOR) if i["username"] == "zhongnan")
    assert (found["available"], found["unavailable_until"]) == (False, "2099-03-31")
    assert found["not_drawable"] == "unavailable"
    contradictory = _book([["用户名", "是否可派", "不可派至", "执法证号", "备注"], ["zhongnan", "是", "2099-03-31"],
                           ["yufeng", "", "", "4502" * 20, ""], ["chengzhong", "", "", "", "长" * 201]])  # fmt: skip
    with city() as session, pytest.raises(InputError) as refused:
        import_inspectors(session, OPERATOR, contradictory, "人员.xlsx")
    assert [d.split(":")[0] for d in refused.value.details] == [
        "row 2, column `不可派至` (Unavailable until) = `2099-03-31`",
        f"row 3, column `执法证号` (Certificate) = `{'4502' * 20}`",
        f"row 4, column `备注` (Note) = `{'长' * 201}`",
    ]
    assert "既标为可派又填写了不可派至" in (refused.value.message_zh or "")


@pytest.mark.parametrize(
    ("text", "encoding", "name"),
    [
        ("人员名录\n用户名\t执法资格\nzhongnan\t食品;特种设备\n", "utf-16", "人员.txt"),  # Excel's `Unicode text`
        ("用户名\t执法资格\nzhongnan\t食品、特种设备\n", "gbk", "人员.txt"),  # text (tab-separated), or a copied sheet
        ("用户名;执法资格\nzhongnan;\"食品,特种设备\"\n", "utf-8", "人员.csv"),  # a semicolon-separated CSV
    ],
    ids=["utf-16", "tabs", "semicolons"],
)
def test_a_register_saved_as_unicode_or_tab_separated_text_is_read(
    city: sessionmaker[Session], text: str, encoding: str, name: str
) -> None:
    """Excel's `Unicode text` was refused as a damaged workbook, and a tab- or semicolon-separated file as lacking
    `用户名` while its first row showed it."""
    with city() as session, session.begin():
        assert import_inspectors(session, OPERATOR, text.encode(encoding), name).created == 1
        assert _qualifications(session, "zhongnan") == ["特种设备", "食品"]


def test_a_row_whose_credit_code_is_not_one_firms_is_refused_not_applied_to_another(
    city: sessionmaker[Session],
) -> None:
    """A credit code two targets hold (a pair not merged yet) set the class of whichever came first, and an id beside
    another firm's credit code (a row pasted wrong) set the id's: both are refused, naming the ids."""
    twice, other = "91450200MA5K00001X", "91450200MA5K00002X"
    with city() as session, session.begin():
        register.build(session, entities=6, inspectors=2)
        for entity_id, uscc in ((1, twice), (4, twice), (3, other)):
            session.get_one(InspectionTarget, entity_id).uscc = uscc
    rows = [["主体编号", "统一社会信用代码", "风险等级", "调整原因"], ["", twice, "高", "列入经营异常名录"],
            ["3", twice, "高", "列入经营异常名录"], ["3", other.lower(), "高", "列入经营异常名录"]]  # fmt: skip
    with city() as session, pytest.raises(InputError) as refused:
        import_targets(session, OPERATOR, _book(rows), "adjust.xlsx")
    assert refused.value.details == [
        f"row 2, column `统一社会信用代码` (Credit code) = `{twice}`: targets 1, 4 hold this credit code (a pair the "
        "register has not merged yet): name the row by its 主体编号",
        f"row 3, column `统一社会信用代码` (Credit code) = `{twice}`: target 3 holds credit code `{other}`: correct "
        "the id or the code",
    ]
    with city() as session, session.begin():
        assert import_targets(session, OPERATOR, _book([rows[0], rows[3]]), "adjust.xlsx") == 1
        assert session.get_one(InspectionTarget, 3).manual_class == "high"


def test_a_template_whose_first_sheet_holds_its_instructions_is_read_from_the_sheet_with_the_columns(
    city: sessionmaker[Session],
) -> None:
    """A province's template puts 填表说明 first: the register was looked for there only, and refused."""
    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "填表说明"
    notes.append(["1. 用户名为系统登录账号；2. 执法资格用顿号分隔"])
    register_sheet = book.create_sheet("人员名录")
    register_sheet.append(["用户名", "执法资格", "执法证号"])
    register_sheet.append(["zhongnan", "食品", "45020012345"])
    data = io.BytesIO()
    book.save(data)
    with city() as session, session.begin():
        assert import_inspectors(session, OPERATOR, data.getvalue(), "模板.xlsx").created == 1
        assert _qualifications(session, "zhongnan") == ["食品"]
    del book["人员名录"]
    book.create_sheet("汇总").append(["单位", "人数"])
    data = io.BytesIO()
    book.save(data)
    with city() as session, pytest.raises(InputError, match="No sheet of it names them: `填表说明`, `汇总`") as refused:
        import_inspectors(session, OPERATOR, data.getvalue(), "模板.xlsx")
    assert "各工作表（填表说明、汇总）均未找到" in (refused.value.message_zh or "")


def test_an_item_needing_a_qualification_no_inspector_can_hold_is_refused(city: sessionmaker[Session]) -> None:
    """An item's `食品、特种设备` was kept as one word no inspector holds (theirs are split at 、): every firm of the
    item went unstaffed. And an inspector's `食品/特种设备` was one word, matching no item."""
    items = _book([["事项编码", "抽查事项", "检查依据", "实施部门", "所需资格"],
                   ["SP-09", "食品与电梯", "食品安全法", "LZ-SP", "食品、特种设备"],
                   ["SP-10", "食品", "食品安全法", "LZ-SP", "食" * 33]])  # fmt: skip
    with city() as session, pytest.raises(InputError) as refused:
        import_items(session, OPERATOR, items, "事项.xlsx")
    assert [d.split(":")[0] for d in refused.value.details] == [
        "row 2, column `所需资格` (Qualification) = `食品、特种设备`",
        f"row 3, column `所需资格` (Qualification) = `{'食' * 33}`",
    ]
    assert "拆分为两个事项" in (refused.value.message_zh or "")
    with city() as session, session.begin():
        import_inspectors(session, OPERATOR, "用户名,执法资格\nzhongnan,食品/特种设备\n".encode(), "人员.csv")
        assert _qualifications(session, "zhongnan") == ["特种设备", "食品"]
