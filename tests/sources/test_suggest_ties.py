"""`sources suggest` where two columns name one field (or one column two fields) about equally: the primary name wins
over a secondary one whatever the columns' order, and what came close behind is listed to be checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tests.sources.exports import TODAY, Faker, write_csv
from zhizhi.cli.main import app
from zhizhi.config import init_workspace
from zhizhi.records import record_type as get_record_type
from zhizhi.sources.suggest import suggest_source, write_suggestion

runner = CliRunner()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return init_workspace(tmp_path / "ws", name="测试市市场监督管理局").root


def _tickets(folder: Path, header: list[str]) -> Path:
    """A 12345 export: each ticket received at nine and dispatched to an office at three."""
    fake = Faker(31)
    values = {
        "工单编号": lambda n: f"2026030{5000 + n}",
        "派单时间": lambda n: f"2026-02-{n % 28 + 1:02d} 15:00:00",
        "来电时间": lambda n: f"2026-02-{n % 28 + 1:02d} 09:00:00",
        "来电人": lambda n: fake.person(),
        "来电号码": lambda n: fake.phone(),
        "被反映单位": lambda n: fake.company(),
        "来电内容": lambda n: "要求退款",
    }
    rows = [header, *([values[column](n) for column in header] for n in range(30))]
    return write_csv(folder / "12345工单.csv", rows, "utf-8")


def _equipment(folder: Path, header: list[str]) -> Path:
    fake = Faker(32)
    values = {
        "使用单位名称": lambda n: fake.company(),
        "使用登记证编号": lambda n: f"梯11桂B{n:05d}(19)",
        "设备注册代码": lambda n: f"31104502022019{n:06d}",
        "设备类别": lambda n: "电梯",
        "使用地点": lambda n: fake.address("城中区"),
        "下次检验日期": lambda n: "2026-09-01",
    }
    rows = [header, *([values[column](n) for column in header] for n in range(30))]
    return write_csv(folder / "电梯台账.csv", rows, "utf-8")


TICKET_HEADER = ["工单编号", "派单时间", "来电时间", "来电人", "来电号码", "被反映单位", "来电内容"]
EQUIPMENT_HEADER = ["使用单位名称", "使用登记证编号", "设备注册代码", "设备类别", "使用地点", "下次检验日期"]


@pytest.mark.parametrize("reverse", [False, True])
def test_the_primary_name_wins_over_a_secondary_one_in_any_order(root: Path, reverse: bool) -> None:
    """派单时间 (the dispatch, hours later) was the moment received, at 1.0, and 来电时间 left unmapped: the legal
    clocks counted from the wrong day; 使用登记证编号 was taken for the 20-digit 设备注册代码. Column order decided."""
    order = (lambda header: header[::-1]) if reverse else (lambda header: header)
    tickets = suggest_source(_tickets(root, order(TICKET_HEADER)), name="t", today=TODAY)
    by_field = {item.field: item for item in tickets.fields}
    assert by_field["received_at"].column == "来电时间" and "派单时间" in tickets.unmapped_columns
    equipment = suggest_source(_equipment(root, order(EQUIPMENT_HEADER)), name="e", today=TODAY)
    by_field = {item.field: item for item in equipment.fields}
    assert by_field["equipment_code"].column == "设备注册代码", by_field["equipment_code"]
    assert "使用登记证编号" in equipment.unmapped_columns


def test_a_runner_up_close_behind_is_listed_to_check(root: Path) -> None:
    suggestion = suggest_source(_tickets(root, TICKET_HEADER), name="t", department="TSJB", today=TODAY)
    received = next(item for item in suggestion.fields if item.field == "received_at")
    assert [(r.field, r.column) for r in received.runners_up] == [("received_at", "派单时间")]
    assert received.confidence == 1.0 and received in suggestion.to_check
    assert "runner-up received_at <- 派单时间 (0.9" in received.describe()
    assert "(a secondary name)" not in received.describe()
    text = write_suggestion(root, suggestion).read_text("utf-8")
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert "#   fields with confidence < 0.8: none" in comments
    line = next(line for line in comments if line.startswith("#   received_at <- 来电时间 (1.00)"))
    assert "runner-up within 0.05: received_at <- 派单时间 (0.9" in line and "check which is meant" in line
    assert yaml.safe_load(text)["fields"]["received_at"] == {"column": "来电时间", "confidence": 1.0}


def test_the_cli_marks_a_field_with_a_close_runner_up(root: Path) -> None:
    path = str(_tickets(root, TICKET_HEADER))
    result = runner.invoke(app, ["-w", str(root), "sources", "suggest", path, "--name", "t", "--department", "TSJB"])
    assert result.exit_code == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if "received_at" in line)
    assert "1.00 check" in line and "runner-up" in result.stdout and "派单时间" in result.stdout
    result = runner.invoke(app, ["-w", str(root), "sources", "suggest", path, "--name", "t", "--force", "--json"])
    data = json.loads(result.stdout)
    received = next(item for item in data["fields"] if item["field"] == "received_at")
    assert received["runners_up"] == [{"field": "received_at", "column": "派单时间", "confidence": 0.98}]
    assert "received_at" in data["to_check"]


def test_a_secondary_name_alone_still_maps(root: Path) -> None:
    header = [column for column in TICKET_HEADER if column != "来电时间"]
    suggestion = suggest_source(_tickets(root, header), name="t", today=TODAY)
    received = next(item for item in suggestion.fields if item.field == "received_at")
    assert received.column == "派单时间" and (received.confidence or 0) >= 0.95 and not received.runners_up
    assert received.header.secondary and "header = 派单时间 (a secondary name)" in received.describe()


def test_an_exact_header_is_contested_only_by_another_exact_header(root: Path) -> None:
    """Two phone columns: 来电号码 is the caller's by name; 手机 (inside 手机号码) and its phones come within 0.05."""
    fake = Faker(33)
    rows = [["工单编号", "来电时间", "来电号码", "手机", "来电内容"]]
    rows += [[f"A{n}", "2026-02-03 09:00", fake.phone(), fake.phone(), "退款"] for n in range(30)]
    suggestion = suggest_source(write_csv(root / "t.csv", rows, "utf-8"), name="t", record_type="ticket", today=TODAY)
    phone = next(item for item in suggestion.fields if item.field == "caller_phone")
    assert phone.column == "来电号码" and not phone.runners_up
    assert suggestion.fields and all(item.field != "caller_phone" for item in suggestion.to_check)


SECONDARY_NAMES = [
    # record type, field, its primary name, a secondary name written first
    ("ticket", "received_at", "受理时间", "派单时间"),
    ("ticket", "number", "工单编号", "流水号"),
    ("equipment", "equipment_code", "设备注册代码", "设备编号"),
    ("equipment", "address", "使用地点", "单位地址"),
    ("inspection", "number", "检查编号", "任务编号"),
    ("licence", "business_format", "主体业态", "经营项目"),
    ("licence", "valid_from", "有效期起", "发证日期"),
    ("entity", "phone", "联系电话", "联系人电话"),
]


@pytest.mark.parametrize(("record_type", "field", "primary", "secondary"), SECONDARY_NAMES)
def test_each_secondary_name_gives_way_to_the_primary(
    root: Path, record_type: str, field: str, primary: str, secondary: str
) -> None:
    fake = Faker(34)
    kind = get_record_type(record_type).field(field)
    value = {
        "date": lambda n: f"2024-05-{n % 28 + 1:02d}",
        "datetime": lambda n: f"2024-05-{n % 28 + 1:02d} 09:00",
        "address": lambda n: fake.address("城中区"),
        "phone": lambda n: fake.phone(),
    }.get(kind.kind, lambda n: f"{secondary}{n}")
    rows = [[secondary, primary], *([value(n), value(n + 1)] for n in range(30))]
    path = write_csv(root / f"{field}.csv", rows, "utf-8")
    suggestion = suggest_source(path, name="s", record_type=record_type, today=TODAY)
    chosen = next(item for item in suggestion.fields if item.field == field)
    assert chosen.column == primary, chosen


def _complaints(folder: Path, header: list[str]) -> Path:
    fake = Faker(35)
    values = {
        "登记编号": lambda n: f"14502002026030{n:05d}",
        "登记时间": lambda n: f"2026-02-{n % 28 + 1:02d} 10:00:00",
        "投诉人": lambda n: fake.person(),
        "来电人": lambda n: fake.person(),
        "被投诉方": lambda n: fake.company(),
        "电话": lambda n: fake.phone(),
        "地址": lambda n: fake.address("城中区"),
        "诉求内容": lambda n: "要求退款",
    }
    rows = [header, *([values[column](n) for column in header] for n in range(30))]
    return write_csv(folder / "12315投诉.csv", rows, "utf-8")


@pytest.mark.parametrize(
    ("header", "field", "read_as"),
    [
        (["登记编号", "登记时间", "投诉人", "电话", "被投诉方", "诉求内容"], "caller_phone", "投诉人电话"),
        (["登记编号", "登记时间", "来电人", "电话", "被投诉方", "诉求内容"], "caller_phone", "来电人电话"),
        (["登记编号", "登记时间", "投诉人", "被投诉方", "电话", "诉求内容"], "respondent_phone", "被投诉方电话"),
        (["登记编号", "登记时间", "投诉人", "被投诉方", "地址", "诉求内容"], "respondent_address", "被投诉方地址"),
    ],
)
def test_a_bare_header_is_read_after_the_column_before_it(
    root: Path, header: list[str], field: str, read_as: str
) -> None:
    """A bare 电话 right after 投诉人 went to the respondent's phone (0.96): 商家电话 and 联系电话 both held it, and
    respondent_phone comes first among the fields."""
    bare = header[header.index(read_as[-2:])]
    suggestion = suggest_source(_complaints(root, header), name="c", today=TODAY)
    chosen = next(item for item in suggestion.fields if item.field == field)
    assert chosen.column == bare, {item.field: item.column for item in suggestion.mapped}
    assert (chosen.header.kind, chosen.header.synonym) == ("neighbour", read_as)
    assert f"header read after the column before it = {read_as}" in chosen.describe()


def test_a_bare_header_no_neighbour_names_is_a_tie_listed_to_check(root: Path) -> None:
    suggestion = suggest_source(_complaints(root, ["电话", "登记编号", "登记时间", "投诉人", "被投诉方", "诉求内容"]),
                                name="c", today=TODAY)  # fmt: skip
    chosen = next(item for item in suggestion.mapped if item.column == "电话")
    other = {"caller_phone": "respondent_phone", "respondent_phone": "caller_phone"}[chosen.field]
    assert [(r.field, r.column, r.confidence) for r in chosen.runners_up] == [(other, "电话", chosen.confidence)]
    assert chosen in suggestion.to_check
