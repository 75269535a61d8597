"""Adding a record type is adding a model: a package that registers one is ingested with no change to zhizhi."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR, Outbox
from zhizhi.ingest.pipeline import ingest_file
from zhizhi.ingest.quarantine import list_items
from zhizhi.records.history import find_records
from zhizhi.records.registry import record_types
from zhizhi.sources import parse_source

PLUGIN = """
from zhizhi.records.fields import Field, RecordType

VEHICLE = RecordType(
    name="vehicle",
    label_zh="营运车辆",
    label="Vehicle",
    fields=(
        Field("plate", "text", "车牌号", "Plate", required=True, max_length=10),
        Field("owner", "name", "所有人", "Owner", required=True),
        Field("inspected_on", "date", "年检日期", "Inspected on"),
        Field("licensed_from", "datetime", "营运起始时间", "Licensed from", max_future_days=None),
        Field("licensed_until", "datetime", "营运截止时间", "Licensed until", max_future_days=None),
        Field("remark", "text", "备注", "Remark", max_length=50, prose=True),
    ),
    keys=(("plate",),),
    periods=(("licensed_from", "licensed_until"),),
)
"""


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A package installed the way pip would leave it: a module and a dist-info naming its entry point."""
    site = tmp_path / "site"
    (site / "zhizhi_vehicles-0.1.dist-info").mkdir(parents=True)
    (site / "zhizhi_vehicles.py").write_text(PLUGIN, encoding="utf-8")
    info = site / "zhizhi_vehicles-0.1.dist-info"
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: zhizhi-vehicles\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        "[zhizhi.record_types]\nvehicle = zhizhi_vehicles:VEHICLE\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(site))
    record_types.cache_clear()
    yield
    record_types.cache_clear()


def test_a_record_type_from_a_plugin_is_ingested(plugin: None, city: sessionmaker[Session], tmp_path: Path) -> None:
    assert "vehicle" in record_types() and "entity" in record_types()
    source = parse_source(
        "name: cheliang\ndepartment: LZ-DJ\nrecord_type: vehicle\nfields:\n  plate: 车牌\n  owner: 所有人\n"
        "  inspected_on: 年检\n",
        "sources/cheliang.yaml",
    )
    path = tmp_path / "cheliang.csv"
    path.write_text(
        "车牌,所有人,年检\n桂B12345,柳州市甲运输有限公司,2026年3月1日\n桂B99999,,2026-02-30\n", encoding="utf-8"
    )
    with city() as session, session.begin():
        batch = ingest_file(session, OPERATOR, source, path, today=date(2026, 11, 28), outbox=Outbox()).batch
        assert (batch.rows_read, batch.rows_accepted, batch.rows_quarantined) == (2, 1, 1)
        (record,) = find_records(session, OPERATOR, record_type="vehicle")
        assert record["key"] == "plate=桂B12345" and record["data"]["inspected_on"] == "2026-03-01"
        (item,) = list_items(session, OPERATOR)
        assert item["reasons"] == ["date.invalid", "field.missing"]


def test_a_plugins_period_is_checked_as_the_built_in_ones(
    plugin: None, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """A span the plugin declares, of moments: an end a minute before its start is quarantined; an end written as a
    day alone on the start's day is not."""
    source = parse_source(
        "name: cheliang\ndepartment: LZ-DJ\nrecord_type: vehicle\nfields:\n  plate: 车牌\n  owner: 所有人\n"
        "  licensed_from: 起\n  licensed_until: 止\n",
        "sources/cheliang.yaml",
    )
    path = tmp_path / "cheliang.csv"
    path.write_text(
        "车牌,所有人,起,止\n"
        "桂B12345,柳州市甲运输有限公司,2026-03-01 08:00,2026-03-01 07:59\n"
        "桂B22222,柳州市乙运输有限公司,2026-03-01 08:00,2026-03-01\n"
        "桂B33333,柳州市丙运输有限公司,2026-03-01 08:00,2029-02-28 23:59\n",
        encoding="utf-8",
    )
    with city() as session, session.begin():
        batch = ingest_file(session, OPERATOR, source, path, today=date(2026, 11, 28), outbox=Outbox()).batch
        assert (batch.rows_read, batch.rows_accepted, batch.rows_quarantined) == (3, 2, 1)
        (item,) = list_items(session, OPERATOR)
        assert item["reasons"] == ["date.end_before_start"]


def test_a_plugins_free_text_is_kept_as_written(plugin: None, city: sessionmaker[Session], tmp_path: Path) -> None:
    """A plugin declares a field prose as the built-in types do: its words kept, the plate beside it cleaned."""
    source = parse_source(
        "name: cheliang\ndepartment: LZ-DJ\nrecord_type: vehicle\nfields:\n  plate: 车牌\n  owner: 所有人\n"
        "  remark: 备注\n",
        "sources/cheliang.yaml",
    )
    path = tmp_path / "cheliang.csv"
    row = '桂Ｂ１２３４５,柳州市甲运输有限公司,"车况良好，\n灯光（左）待修！"'
    path.write_text(f"车牌,所有人,备注\n{row}\n", encoding="utf-8")
    with city() as session, session.begin():
        ingest_file(session, OPERATOR, source, path, today=date(2026, 11, 28), outbox=Outbox())
        (record,) = find_records(session, OPERATOR, record_type="vehicle")
    assert record["data"]["plate"] == "桂B12345" and record["data"]["remark"] == "车况良好，\n灯光（左）待修！"
