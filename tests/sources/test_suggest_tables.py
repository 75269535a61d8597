"""`sources suggest` on workbooks and ledgers as offices fill them in: which rows are the header, which sheets are
the table."""

from __future__ import annotations

from pathlib import Path

from tests.sources.exports import TODAY, Faker
from zhizhi.sources.suggest import render_suggestion, suggest_source

LICENCES = ["序号", "许可证编号", "经营者名称", "统一社会信用代码", "经营场所", "有效期至", "发证机关", "备注"]


def _xlsx(path: Path, sheets: dict[str, list[list[str]]]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def _licences(count: int, seed: int = 5) -> list[list[str]]:
    fake = Faker(seed)
    return [[str(n), f"JY1450202{n:07d}", fake.company("城中区"), fake.uscc("450202"), fake.address("城中区"),
             "2031-03-04", "柳州市城中区市场监督管理局", ""] for n in range(1, count + 1)]  # fmt: skip


def test_a_sign_off_row_names_no_column_and_is_no_title(tmp_path: Path) -> None:
    """填报单位：… 填报人：王芳 … 联系电话：… above the header became the top of a two-row header: the source file
    named its columns `填报人：王芳/统一社会信用代码`, a staff member's name and phone written into it."""
    signed = ["填报单位：城中区局", "", "", "填报人：王芳", "联系电话：13877210000", "", "填报日期：2026年3月31日"]
    path = _xlsx(tmp_path / "食品经营许可台账.xlsx", {"台账": [signed + [""], LICENCES, *_licences(12)]})
    suggestion = suggest_source(path, name="spxk", department="SPJY", today=TODAY)
    assert suggestion.columns == LICENCES and suggestion.source.record_type == "licence"
    assert suggestion.title_row is None and suggestion.source.title == "食品经营许可台账"
    written = render_suggestion(suggestion)
    assert "王芳" not in written and "13877210000" not in written


INSPECTIONS = ["序号", "检查日期", "被检查单位", "统一社会信用代码", "检查结果", "执法人员"]


def _inspections(count: int, seed: int, remark: bool = False) -> list[list[str]]:
    fake = Faker(seed)
    return [[str(n), f"2026-02-{n:02d}", fake.company("城中区"), fake.uscc("450202"), "合格",
             f"{fake.person()}、{fake.person()}"] + ([""] if remark else []) for n in range(1, count + 1)]  # fmt: skip


def test_a_sheet_holding_every_mapped_column_is_part_of_the_main_table(tmp_path: Path) -> None:
    """A sheet per district, 鱼峰区 with a 备注 column more: compared as exact headers, 鱼峰区 was another table, the
    source named `sheets: [城中区]` and its 15 rows were never read."""
    districts = {"城中区": [INSPECTIONS, *_inspections(20, 1)],
                 "鱼峰区": [[*INSPECTIONS, "备注"], *_inspections(15, 2, True)]}  # fmt: skip
    path = _xlsx(tmp_path / "日常检查_分区.xlsx", districts)
    suggestion = suggest_source(path, name="fenqu", department="ZFJC", today=TODAY)
    assert suggestion.source.record_type == "inspection" and suggestion.rows_sampled == 35
    assert list(suggestion.source.sheets) == [] and suggestion.columns == [*INSPECTIONS, "备注"]
    assert not any("another table" in warning for warning in suggestion.warnings)
    # beside a summary sharing a column, the source names both districts' sheets, not the first alone
    summary = [["被检查单位", "检查次数"], ["柳州市城中区某店", "2"]]
    path = _xlsx(tmp_path / "日常检查_汇总.xlsx", districts | {"汇总": summary})
    suggestion = suggest_source(path, name="fenqu", department="ZFJC", today=TODAY)
    assert list(suggestion.source.sheets) == ["城中区", "鱼峰区"] and suggestion.rows_sampled == 35


NOTES = [["栏目", "填写说明"], *[[name, f"{name}：按实际情况填写，与营业执照一致"] for name in LICENCES],
         ["许可证种类", "食品经营许可证"], ["主体业态", "食品销售经营者、餐饮服务经营者、单位食堂"],
         ["发证日期", "yyyy-mm-dd"], ["其他", "无"]]  # fmt: skip


def test_a_notes_sheet_longer_than_the_data_is_not_the_main_table(tmp_path: Path) -> None:
    """8 licences beside a 12-row 填表说明: the sheet with the most rows sampled was the main table, so the
    suggestion was `entity` with a score of -1 and no column mapped, and warned that the data's sheet held another
    table. The main table is the one a record type fits best, a sheet of notes only when nothing else is."""
    for notes in ("填表说明", "Sheet2"):  # named so, or two columns of text whatever its name
        path = _xlsx(tmp_path / f"许可台账_{notes}.xlsx", {"3月": [LICENCES, *_licences(8)], notes: NOTES})
        suggestion = suggest_source(path, name="xuke", department="SPJY", today=TODAY)
        assert suggestion.source.record_type == "licence" and suggestion.columns == LICENCES, notes
        assert suggestion.rows_sampled == 8 and suggestion.record_types[0].score > 5
        assert any(f"`{notes}` hold another table (notes, codes)" in warning for warning in suggestion.warnings)
    alone = suggest_source(_xlsx(tmp_path / "说明.xlsx", {"填表说明": NOTES}), name="notes", today=TODAY)
    assert alone.columns == ["栏目", "填写说明"]  # a file of notes alone is still read as what it holds
