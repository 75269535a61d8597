"""Register files as offices really keep them: a CSV saved from Excel in GBK, a title row merged above the header,
a header marked `*` as required; and a row repeating the key of an earlier one refused, naming both rows, rather
than the last one silently winning."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.inspections import register
from zhizhi.errors import InputError
from zhizhi.inspections import import_inspectors, import_targets, list_inspectors


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
