"""A column name written twice (电话 and 电话 again, sheets pasted together): read as 电话 and 电话_2; copies holding
the same values are harmless, differing ones are never picked silently. `sources suggest` names the copy it maps and
says so in a comment, and what it writes ingests the file, as CSV and as a workbook."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR, Outbox
from tests.sources.exports import write_csv
from zhizhi.config import init_workspace
from zhizhi.demo.records import credit_code
from zhizhi.errors import InputError
from zhizhi.ingest.columns import check_columns
from zhizhi.ingest.pipeline import ingest_file
from zhizhi.ingest.read.base import repeated_columns, unique_header
from zhizhi.sources import load_source, parse_source
from zhizhi.sources.suggest import suggest_source, write_suggestion
from zhizhi.store.tables import RecordVersion

TODAY = date(2026, 3, 2)
HEADER = ["统一社会信用代码", "企业名称", "住所", "电话", "电话", "成立日期"]


def _rows(differ: bool) -> list[list[str]]:
    rng = random.Random(5)
    rows = []
    for n in range(24):
        mobile = f"1387721{n:04d}"
        other = f"0772-28{n:05d}" if differ and n % 3 == 0 else mobile
        rows.append([credit_code(rng, "91", "450202"), f"柳州市{n}号商贸有限公司", f"柳州市城中区文昌路{n}号"])
        rows[-1] += [mobile, other, "2019-03-08"]
    return rows


def _export(folder: Path, kind: str, differ: bool) -> Path:
    rows = [HEADER, *_rows(differ)]
    if kind == "csv":
        return write_csv(folder / "登记导出.csv", rows, "utf-8")
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "导出"
    for row in rows:
        sheet.append(row)
    path = folder / "登记导出.xlsx"
    book.save(path)
    return path


def _ingest(city: sessionmaker[Session], path: Path, root: Path) -> dict[str, str]:
    source = load_source(root, "dengji")
    with city() as session, session.begin():
        batch = ingest_file(session, OPERATOR, source, path, today=TODAY, outbox=Outbox()).batch
        assert (batch.rows_read, batch.rows_accepted) == (24, 24)
        found = [json.loads(data) for data in session.scalars(select(RecordVersion.data))]
    return {record["name"]: record["phone"] for record in found}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_suggest_names_the_copy_of_a_repeated_column_whose_copies_differ_and_the_file_ingests(
    city: sessionmaker[Session], tmp_path: Path, kind: str
) -> None:
    root = init_workspace(tmp_path / "ws", name="测试市").root
    path = _export(tmp_path, kind, differ=True)
    suggestion = suggest_source(path, name="dengji", department="LZ-DJ", today=TODAY)
    text = write_suggestion(root, suggestion).read_text(encoding="utf-8")
    assert load_source(root, "dengji").fields["phone"].column == "电话_1"
    assert (
        "#   电话: written 2 times in the header (read as 电话, 电话_2), the copies differ in 8 of 24 rows sampled: "
        "a field names the copy it takes (电话_1 the first, 电话_2 the second)" in text
    )
    assert suggestion.as_dict()["repeated_columns"] == {
        "电话": {"copies": ["电话", "电话_2"], "rows_differing": 8, "rows": 24}
    }
    assert _ingest(city, path, root)["柳州市0号商贸有限公司"] == "13877210000"  # the first copy's, a mobile


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_copies_holding_the_same_values_are_mapped_by_their_name(
    city: sessionmaker[Session], tmp_path: Path, kind: str
) -> None:
    root = init_workspace(tmp_path / "ws", name="测试市").root
    path = _export(tmp_path, kind, differ=False)
    suggestion = suggest_source(path, name="dengji", department="LZ-DJ", today=TODAY)
    text = write_suggestion(root, suggestion).read_text(encoding="utf-8")
    assert load_source(root, "dengji").fields["phone"].column == "电话"
    assert "#   电话: written 2 times in the header (read as 电话, 电话_2), the same in every row sampled" in text
    assert _ingest(city, path, root)["柳州市0号商贸有限公司"] == "13877210000"


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_source_mapping_the_bare_name_of_differing_copies_stops_the_ingest_naming_the_fix(
    city: sessionmaker[Session], tmp_path: Path, kind: str
) -> None:
    root = init_workspace(tmp_path / "ws", name="测试市").root
    (root / "sources" / "dengji.yaml").write_text(
        "name: dengji\ndepartment: LZ-DJ\nrecord_type: entity\nfields:\n  uscc: 统一社会信用代码\n  name: 企业名称\n"
        "  phone: 电话\n",
        encoding="utf-8",
    )
    path = _export(tmp_path, kind, differ=True)
    with pytest.raises(InputError) as raised:
        _ingest(city, path, root)
    where = "`登记导出.csv`" if kind == "csv" else "`登记导出.xlsx`, sheet `导出`"
    assert raised.value.message.startswith(
        f"{where}: the header writes column `电话` 2 times (read as `电话`, `电话_2`) and the copies differ (row 2: "
        "`13877210000`, `0772-2800000`), so field `phone` of source `dengji` could be either. Name the copy it takes "
        "in the source file's `fields`: `phone: 电话_1` for the first, `phone: 电话_2` for the second"
    )
    assert raised.value.message.endswith("Nothing was ingested.")
    assert "表头中列「电话」出现 2 次" in (raised.value.message_zh or "")
    assert "第一列写 `phone: 电话_1`；第二列写 `phone: 电话_2`" in (raised.value.message_zh or "")
    with city() as session:
        assert session.scalars(select(RecordVersion)).first() is None


SOURCE = "name: s\ndepartment: D\nrecord_type: entity\nfields:\n  uscc: 信用代码\n  name: {name}\n  phone: {phone}\n"


@pytest.mark.parametrize(
    ("header", "name", "phone", "columns", "compared"),
    [
        # (header as read, the source's `name:` and `phone:`, the columns they take, the fields whose copies are
        # compared)
        (["信用代码", "名称", "电话", "电话_2"], "名称", "电话", ("名称", "电话"), {"phone": ("电话", "电话_2")}),
        (["信用代码", "名称", "电话", "电话_2"], "名称", "电话_1", ("名称", "电话"), {}),
        (["信用代码", "名称", "电话", "电话_2"], "名称", "电话_2", ("名称", "电话_2"), {}),
        (["信用代码", "名称", "电话", "电话_2"], "电话", "电话_2", ("电话", "电话_2"), {}),  # each copy taken
        (["信用代码", "名称", "联系 电话", "联系 电话_2"], "名称", "联系电话_1", ("名称", "联系 电话"), {}),
        (["信用代码", "名称", "电话_1", "电话", "电话_2"], "名称", "电话_1", ("名称", "电话_1"), {}),  # its own
    ],
)
def test_which_column_a_source_takes_from_a_repeated_header(
    header: list[str], name: str, phone: str, columns: tuple[str, str], compared: dict[str, tuple[str, ...]]
) -> None:
    source = parse_source(SOURCE.format(name=name, phone=phone), "sources/s.yaml")
    checked = check_columns(source, header, "x.csv", None)
    assert (checked.fields["name"].column, checked.fields["phone"].column) == columns
    assert checked.repeated == compared


def test_repeated_names_are_numbered_without_clashing_with_a_real_column() -> None:
    assert unique_header(["电话", "电话", "电话"]) == ["电话", "电话_2", "电话_3"]
    assert unique_header(["名称", "名称", "名称_2"]) == ["名称", "名称_3", "名称_2"]
    assert repeated_columns(["名称", "名称_3", "名称_2", "x_2", "column_5"]) == {"名称": ["名称_3", "名称_2"]}
