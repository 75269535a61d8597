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
