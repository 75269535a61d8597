"""The demo's department exports: written the same every time, read by the ingest readers, dirty in known ways."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
import yaml
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from zhizhi.codes import load_hierarchy
from zhizhi.demo import equipment, inspections, licences
from zhizhi.demo.codes import NATIONAL, Format, local_formats
from zhizhi.demo.export import export_path, export_records, old_codes_by_class, write_export
from zhizhi.demo.formats import RETIRED_FORMATS
from zhizhi.demo.records import Record
from zhizhi.demo.sources import SOURCE_FILES, write_demo_exports
from zhizhi.ingest.normalize import parse_dates
from zhizhi.ingest.read import ERROR, ROW, Reading, ReadOptions, open_file
from zhizhi.ingest.validate import validate_uscc
from zhizhi.ingest.validate.identifiers import compact
from zhizhi.records.entity import ENTITY
from zhizhi.records.inspection import RESULT_ALIASES
from zhizhi.sources import load_source
from zhizhi.sources.transforms import apply_transforms
from zhizhi.store import make_engine, make_sessionmaker

pytestmark = pytest.mark.sqlite

FULL_WIDTH = re.compile("[\uff01-\uff5e]")
SOURCES = {"dengji": None, "food_licences": 0, "equipment": 1, "inspections": 2}  # source -> index in paths


@dataclass
class Demo:
    """What `write_demo_exports` wrote (with the registration export beside it) and what it was made from."""

    sessions: sessionmaker[Session]
    root: Path
    paths: list[Path]
    records: list[Record]
    formats: list[Format]

    def export(self, source: str) -> Path:
        index = SOURCES[source]
        return export_path(self.root) if index is None else self.paths[index]


@dataclass
class Read:
    """A file as the readers give it: the reading, every data row, and the data rows by sheet."""

    reading: Reading
    frame: pl.DataFrame
    sheets: dict[str | None, pl.DataFrame]

    def skipped(self, sheet: str | None = None) -> list[tuple[int, str]]:
        return [(s.row, s.reason) for s in self.reading.skipped if s.sheet == sheet]


@pytest.fixture(scope="module")
def demo(sqlite_templates: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    root = tmp_path_factory.mktemp("exports")
    shutil.copyfile(sqlite_templates["city"], root / "zhizhi.db")
    engine = make_engine(f"sqlite:///{root / 'zhizhi.db'}")
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        paths = write_demo_exports(session, OPERATOR, root)
        formats = local_formats(load_hierarchy(session, NATIONAL))
        old_codes = old_codes_by_class(session)
    write_export(export_path(root), formats, old_codes)
    yield Demo(sessions, root, paths, export_records(formats, old_codes), formats)
    engine.dispose()


def _read(path: Path, options: ReadOptions | None = None, reader: str | None = None) -> Read:
    reading = open_file(path, options, reader=reader)
    parts: dict[str | None, list[pl.DataFrame]] = {}
    for chunk in reading.chunks:
        parts.setdefault(chunk.sheet, []).append(chunk.frame)
    sheets = {sheet: pl.concat(frames) for sheet, frames in parts.items()}
    return Read(reading, pl.concat(list(sheets.values()), how="diagonal"), sheets)


def _count(values: pl.Series, predicate: Callable[[str], bool]) -> int:
    return sum(1 for value in values.fill_null("").to_list() if predicate(value))


def _full_width(value: str) -> bool:
    return FULL_WIDTH.search(value) is not None


def _bad_check_char(value: str) -> bool:
    return bool(value) and any(f.code == "uscc.check_char" for f in validate_uscc(value).findings)


def _unparsed(values: pl.Series) -> int:
    """Filled cells that are not a date the normalizer accepts."""
    filled = values.filter(values.fill_null("").str.strip_chars() != "")
    return int(parse_dates(filled).null_count())


def _core(name: str) -> str:
    """A name as every department writes it, give or take 柳州市, 有限公司 and the （个体工商户） mark."""
    name = name.removesuffix("（个体工商户）").removesuffix("(个体工商户)")
    return name.removeprefix("柳州市").removeprefix("柳州").removesuffix("有限公司")


def test_every_file_is_written_where_the_demo_keeps_its_sources(demo: Demo) -> None:
    exports = demo.root / "sources" / "exports"
    assert demo.paths == [
        exports / "food_licences.xlsx",
        exports / "equipment.xls",
        exports / "inspections.csv",
        *(demo.root / "sources" / f"{name}.yaml" for name in ("dengji", "food_licences", "equipment", "inspections")),
    ]
    assert all(path.is_file() and path.stat().st_size > 0 for path in demo.paths)


def test_the_files_are_the_same_every_time(demo: Demo, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    with demo.sessions() as session:
        again = write_demo_exports(session, OPERATOR, tmp_path)
    for first, second in zip(demo.paths, again, strict=True):
        if first.suffix != ".xlsx":  # an .xlsx carries the time it was saved: its cells are compared below
            assert first.read_bytes() == second.read_bytes(), first.name
    books = [load_workbook(path) for path in (demo.paths[0], again[0])]
    assert books[0].sheetnames == books[1].sheetnames == list(licences.SHEETS)
    for name in licences.SHEETS:
        sheet, again_sheet = (book[name] for book in books)
        assert list(sheet.iter_rows(values_only=True)) == list(again_sheet.iter_rows(values_only=True))
        assert {str(m) for m in sheet.merged_cells.ranges} == {str(m) for m in again_sheet.merged_cells.ranges}


# --- the food-licence ledger -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ledger(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> tuple[Read, Counter[str], pl.DataFrame]:
    """The ledger read, its tally, and its licences (the rows of the header repeated mid-sheet left out)."""
    tally = licences.write_licences(tmp_path_factory.mktemp("ledger") / "ledger.xlsx", demo.records, demo.formats)
    read = _read(demo.export("food_licences"))
    return read, tally, read.frame.filter(pl.col("序号") != "序号")


def test_the_ledger_has_a_title_a_merged_header_two_sheets_and_totals(
    ledger: tuple[Read, Counter[str], pl.DataFrame],
) -> None:
    read, tally, rows = ledger
    assert read.reading.headers == {sheet: licences.COLUMNS for sheet in licences.SHEETS}
    city, county = (tally[f"rows:{sheet}"] for sheet in licences.SHEETS)
    assert city + county == licences.ROWS == rows.height
    assert 900 < city < 1_200 and 350 < county < 600
    # 市本级: title, header (2 rows), data with the header repeated (2 rows) after the first half, total
    repeat = 3 + city // 2 + 1
    city_skipped = read.skipped(licences.CITY_SHEET)
    assert city_skipped[:2] == [(1, "title_row"), (3, "header_row")]
    assert city_skipped[-1] == (3 + city + 2 + 1, "total_row")
    # The reader knows the repeated header's second row (the one right above the data) as a header; the first
    # (序号 | 许可证 | 经营者 ...) it keeps as a data row for now, which its 序号 of 序号 gives away.
    leaked = read.sheets[licences.CITY_SHEET].filter(pl.col("序号") == "序号")
    assert leaked[ROW].to_list() in ([repeat], [])
    assert (repeat + 1, "repeated_header") in city_skipped and len(city_skipped) == 5 - leaked.height
    assert read.sheets[licences.CITY_SHEET].height == city + leaked.height
    assert read.skipped(licences.COUNTY_SHEET) == [
        (1, "title_row"),
        (3, "header_row"),
        (3 + county + 1, "blank"),
        (3 + county + 2, "total_row"),
    ]
    assert read.reading.skipped[-1].text == f"合计 共{county}户"
    first = read.sheets[licences.CITY_SHEET].row(0, named=True)
    assert first[ROW] == 4 and first["序号"] == "1" and first[ERROR] is None


def test_the_ledger_dirt_is_there_in_the_numbers_given(
    demo: Demo, ledger: tuple[Read, Counter[str], pl.DataFrame]
) -> None:
    _, tally, rows = ledger
    dirt = licences.DIRT
    assert {kind: tally[kind] for kind in dirt} == dirt
    uscc = rows["经营者/统一社会信用代码"]
    assert _count(uscc, _bad_check_char) == dirt["bad_check_char"]
    assert _count(uscc, _full_width) == dirt["full_width_uscc"]
    assert _count(uscc, lambda v: not v) == dirt["blank_uscc"]
    numbers = rows["许可证/编号"]
    assert _count(numbers, lambda v: not v) == dirt["blank_number"]
    assert _count(numbers, _full_width) == dirt["full_width_number"]
    clean = numbers.filter(numbers.fill_null("").str.starts_with("JY"))
    assert clean.len() == licences.ROWS - dirt["blank_number"] - dirt["full_width_number"]
    assert clean.str.contains(r"^JY[123]4502(00|06|22)\d{7}$").all() and clean.n_unique() == clean.len()
    assert all(licences.licence_number(n[2], n[3:9], int(n[9:15])) == n for n in clean.to_list())
    valid_from = rows["许可证/有效期起"]
    assert _unparsed(valid_from) == dirt["impossible_date"]
    assert _count(valid_from, _full_width) == dirt["full_width_date"]
    assert _unparsed(rows["许可证/有效期至"]) == 0
    for pattern in (
        r"\d{4}-\d{2}-\d{2}",
        r"\d{4}年\d{1,2}月\d{1,2}日",
        r"\d{4}\.\d{1,2}\.\d{1,2}",
        r"\d{4}/\d{1,2}/\d{1,2}",
    ):
        assert sum(1 for v in valid_from.to_list() if re.fullmatch(pattern, v)) > 20, pattern
    known = {f.code for f in demo.formats} | {f.class_code for f in demo.formats}
    codes = rows["经营项目/业态代码"].fill_null("")
    assert _count(codes, lambda v: not v) == dirt["blank_format"]
    assert _count(codes, lambda v: v in RETIRED_FORMATS) == dirt["retired_format"]
    assert _count(codes, lambda v: bool(v) and v not in known and v not in RETIRED_FORMATS) == dirt["unknown_format"]
    assert _count(rows["主体业态"], lambda v: v in ("食品销售", "餐饮服务", "食堂")) == dirt["short_kind"]
    assert _count(rows["发证机关"], lambda v: v == licences.SHORT_ISSUER) == dirt["short_issuer"]


def test_most_licence_holders_are_registered_entities_written_differently(
    demo: Demo, ledger: tuple[Read, Counter[str], pl.DataFrame]
) -> None:
    _, tally, rows = ledger
    registered = {r.credit_code: r for r in demo.records}
    pairs = rows.select("经营者/名称", "经营者/统一社会信用代码").rows()
    matched = [(name, registered[compact(code)]) for name, code in pairs if code and compact(code) in registered]
    assert licences.REGISTERED - 60 < len(matched) <= licences.REGISTERED  # some codes blank or typed wrong
    assert all(_core(name) == _core(record.name) for name, record in matched)
    differently = sum(1 for name, record in matched if name != record.name)
    assert 0.35 < differently / len(matched) < 0.65
    assert tally["name:marked"] > 50 and tally["name:marked_ascii"] > 20 and tally["name:short"] > 10
    assert any(name.endswith("(个体工商户)") for name, _ in matched)


# --- the special-equipment list ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def devices(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> tuple[Read, Counter[str], pl.DataFrame]:
    """The list read, its tally, and its devices (each row listed twice counted once)."""
    tally = equipment.write_equipment(tmp_path_factory.mktemp("equipment") / "list.xls", demo.records)
    read = _read(demo.export("equipment"))
    return read, tally, read.frame.unique(subset=equipment.HEADER[1:], keep="first", maintain_order=True)


def test_the_equipment_list_is_a_legacy_workbook_without_credit_codes(
    devices: tuple[Read, Counter[str], pl.DataFrame],
) -> None:
    read, tally, unique = devices
    assert read.reading.path.read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1")  # an OLE2 (BIFF8) workbook
    assert read.reading.headers == {equipment.SHEET: equipment.HEADER}
    assert not any("信用代码" in name for name in read.reading.headers[equipment.SHEET])
    assert read.frame.height == tally["rows"] == equipment.ROWS + equipment.DIRT["duplicate_row"]
    assert unique.height == equipment.ROWS
    assert read.skipped(equipment.SHEET) == [(1, "title_row"), (2 + tally["rows"] + 1, "total_row")]
    assert read.frame[ROW].to_list() == list(range(3, 3 + tally["rows"]))
    codes = unique["设备注册代码"].str.replace_all(" ", "")
    variety = "(" + "|".join(equipment.VARIETIES) + ")"
    assert codes.str.contains(f"^{variety}4502\\d\\d20[0-2]\\d[01]\\d\\d{{4}}$").all()
    assert codes.n_unique() == equipment.ROWS
    assert set(unique["设备类别"]) == {*equipment.INTERVALS, "叉车", "厂内机动车辆", "起重机"}
    assert unique["设备类别"].value_counts(sort=True)["设备类别"][0] == equipment.LIFT


def test_the_equipment_dirt_is_there_in_the_numbers_given(
    demo: Demo, devices: tuple[Read, Counter[str], pl.DataFrame]
) -> None:
    import xlrd

    _, tally, unique = devices
    dirt = equipment.DIRT
    assert {kind: tally[kind] for kind in dirt} == dirt
    # how each next-inspection date is stored: a date cell, a bare number or text (rows listed twice counted once)
    sheet = xlrd.open_workbook(str(demo.export("equipment"))).sheet_by_name(equipment.SHEET)
    column = equipment.HEADER.index("下次检验日期")
    rows = [tuple(sheet.row_values(r)[1:]) + (sheet.cell_type(r, column),) for r in range(2, 2 + tally["rows"])]
    stored = Counter(row[-1] for row in dict.fromkeys(rows))
    typed = dirt["text_date"] + dirt["pending"] + dirt["stopped"] + dirt["slash"]
    assert stored == {
        xlrd.XL_CELL_DATE: equipment.ROWS - dirt["serial_date"] - typed - dirt["blank_date"],
        xlrd.XL_CELL_NUMBER: dirt["serial_date"],
        xlrd.XL_CELL_TEXT: typed,
        xlrd.XL_CELL_EMPTY: dirt["blank_date"],
    }
    when = unique["下次检验日期"].fill_null("")
    assert _count(when, lambda v: re.fullmatch(r"\d{5}", v) is not None) == dirt["serial_date"]
    assert _count(when, lambda v: v == "待定") == dirt["pending"]
    assert _count(when, lambda v: v == "停用") == dirt["stopped"]
    assert _count(when, lambda v: v == "/") == dirt["slash"]
    assert _count(when, lambda v: not v) == dirt["blank_date"]
    assert _unparsed(when) == dirt["pending"] + dirt["stopped"] + dirt["slash"]
    parsed = parse_dates(when.filter(when != ""))
    assert int((parsed < equipment.LEDGER_DATE).sum()) == equipment.OVERDUE == tally["overdue"]
    kinds = unique["设备类别"]
    assert _count(kinds, lambda v: v == "叉车") == dirt["forklift_kind"]
    assert _count(kinds, lambda v: v == "厂内机动车辆") == dirt["old_vehicle_kind"]
    assert _count(kinds, lambda v: v == "起重机") == dirt["crane_kind"]
    assert _count(unique["设备注册代码"], lambda v: " " in v) == dirt["code_space"]


def test_equipment_users_are_named_and_placed_as_people_write_them(
    demo: Demo, devices: tuple[Read, Counter[str], pl.DataFrame]
) -> None:
    _, tally, unique = devices
    names = unique["使用单位名称"].to_list()
    registered = {r.name for r in demo.records}
    cores = {_core(r.name) for r in demo.records if r.credit_code.startswith("91")}
    others = {name for name, _ in equipment.UNREGISTERED_USERS}
    assert all(name in others or _core(name) in cores for name in names)
    assert 0.3 < sum(1 for name in names if name in registered) / len(names) < 0.6
    assert tally["registered_users"] > 150 and tally["unregistered_users"] == len(others)
    bare = _count(unique["设备使用地点"], lambda v: not v.startswith(("柳州市", "广西")))  # 城中区文昌路12号
    assert 0.4 < bare / unique.height < 0.75


# --- the inspection log ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def log(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> tuple[Read, Counter[str], pl.DataFrame]:
    """The log read, its tally, and its inspections (each row exported twice counted once)."""
    tally = inspections.write_inspections(tmp_path_factory.mktemp("log") / "log.csv", demo.records)
    read = _read(demo.export("inspections"))
    return read, tally, read.frame.unique(subset=inspections.HEADER, keep="first", maintain_order=True)


def test_the_inspection_log_is_utf8_with_a_bom(log: tuple[Read, Counter[str], pl.DataFrame]) -> None:
    read, tally, unique = log
    raw = read.reading.path.read_bytes()
    assert raw.startswith("\ufeff检查编号,被检查对象,".encode()) and raw.count(b"\r\n") == inspections.ROWS + 1
    assert read.reading.encoding == "utf-8-sig" and read.reading.skipped == []
    assert read.reading.headers == {None: inspections.HEADER}
    assert read.frame.height == tally["rows"] == inspections.ROWS
    assert unique.height == inspections.ROWS - inspections.DIRT["duplicate_row"]
    assert read.frame[ERROR].null_count() == inspections.ROWS


def test_the_inspection_dirt_is_there_in_the_numbers_given(
    demo: Demo, log: tuple[Read, Counter[str], pl.DataFrame]
) -> None:
    _, tally, unique = log
    dirt = inspections.DIRT
    assert {kind: tally[kind] for kind in dirt} == dirt
    codes = unique["统一社会信用代码"].fill_null("")
    assert _count(codes, _bad_check_char) == dirt["bad_check_char"]
    assert _count(codes, _full_width) == dirt["full_width_uscc"]
    assert 0.3 < _count(codes, lambda v: not v) / unique.height < 0.6  # often blank
    days = unique["检查日期"].fill_null("")
    assert _count(days, lambda v: not v) == dirt["blank_date"]
    assert _unparsed(days) == dirt["impossible_date"] + dirt["two_digit_year"]
    assert _count(days, lambda v: re.fullmatch(r"\d{2}-\d{1,2}-\d{1,2}", v) is not None) == dirt["two_digit_year"]
    people = unique["执法人员"].fill_null("")
    assert _count(people, lambda v: "，" in v) == dirt["comma_inspectors"]
    assert _count(people, lambda v: " " in v) == dirt["space_inspectors"]
    assert _count(people, lambda v: v in inspections.INSPECTORS) == dirt["one_inspector"]
    assert _count(people, lambda v: re.fullmatch(r"\S{2,3}、\S{2,3}", v) is not None) == unique.height - sum(
        dirt[k] for k in ("comma_inspectors", "space_inspectors", "one_inspector")
    )
    assert _count(unique["检查结论"], lambda v: not v) == dirt["blank_result"]
    assert _count(unique["被检查对象"], lambda v: not v) == dirt["blank_name"]
    registered = {r.credit_code for r in demo.records}
    assert all(compact(code) in registered for code in codes.to_list() if code and not _bad_check_char(code))


def test_every_result_word_is_known_to_the_record_type_or_mapped_by_the_source(
    demo: Demo, log: tuple[Read, Counter[str], pl.DataFrame]
) -> None:
    _, tally, unique = log
    source = load_source(demo.root, "inspections")
    mapping = source.fields["result"]
    mapped = unique.select(apply_transforms(pl.col("检查结论"), mapping.transforms)).to_series()
    words = set(mapped.drop_nulls().to_list()) - {""}
    assert words <= set(RESULT_ALIASES)
    unknown = {w for w in unique["检查结论"].drop_nulls().to_list() if w and w not in RESULT_ALIASES}
    assert unknown == {"责令限期整改", "发现问题，已责令整改", "查无此户", "整改到位", "复查合格"}
    assert tally["rechecks"] > 30 and tally["stalls"] == inspections.STALLS


# --- the source files --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(SOURCES))
def test_each_source_loads_and_names_only_columns_its_file_has(demo: Demo, name: str) -> None:
    source = load_source(demo.root, name)
    assert source.name == name and source.title
    assert (source.default_prefecture, source.default_area_code) == ("450200", "0772")
    read = _read(demo.export(name), ReadOptions(encoding=source.encoding), reader=source.reader)
    for sheet, header in read.reading.headers.items():
        missing = sorted(set(source.columns().values()) - set(header))
        assert not missing, f"{name}: sheet {sheet} has no column {missing}"
    assert (demo.root / "sources" / f"{name}.yaml").read_text(encoding="utf-8") == SOURCE_FILES[name]


def test_the_sources_belong_to_their_departments(demo: Demo) -> None:
    loaded = {name: load_source(demo.root, name) for name in SOURCES}
    assert {n: (s.department, s.record_type) for n, s in loaded.items()} == {
        "dengji": ("LZ-DJ", "entity"),
        "food_licences": ("LZ-SP", "licence"),
        "equipment": ("LZ-TS", "equipment"),
        "inspections": ("LZ-CZ-ZN", "inspection"),
    }
    assert loaded["dengji"].encoding == "gbk"
    for name in ("dengji", "food_licences"):
        assert loaded[name].fields["industry_code"].code_list == "liuzhou-business-format"
    assert "user_uscc" not in loaded["equipment"].fields
    assert yaml.safe_load(SOURCE_FILES["dengji"])["fields"]["industry_code"]["column"] == "经营业态代码"
    assert "行业代码 mixes two editions" in SOURCE_FILES["dengji"]


def test_the_source_transforms_clean_what_they_are_for(
    demo: Demo, ledger: tuple[Read, Counter[str], pl.DataFrame], devices: tuple[Read, Counter[str], pl.DataFrame]
) -> None:
    def mapped(source: str, field: str, frame: pl.DataFrame) -> set[str]:
        mapping = load_source(demo.root, source).fields[field]
        assert mapping.column is not None
        return set(frame.select(apply_transforms(pl.col(mapping.column), mapping.transforms)).to_series().to_list())

    _, _, rows = ledger
    assert mapped("food_licences", "business_format", rows) == set(licences.KINDS.values())
    issuers = {licences.CITY_ISSUER[0], *(issuer for issuer, _ in licences.COUNTY_ISSUERS.values())}
    assert mapped("food_licences", "issuer", rows) == issuers
    holders = mapped("food_licences", "holder_name", rows)
    assert not any("个体工商户" in name for name in holders)
    assert mapped("equipment", "kind", devices[2]) == set(equipment.INTERVALS)
    registration = _read(export_path(demo.root), ReadOptions(encoding="gbk")).frame
    status = ENTITY.field("status")
    assert set(registration["登记状态"]) <= set(status.values.values()) | set(status.aliases)


def test_sources_suggest_maps_the_demo_exports_as_a_steward_did(demo: Demo) -> None:
    """The suggester was written without these files: compare what it proposes with the hand-written sources."""
    from zhizhi.sources import load_source
    from zhizhi.sources.suggest import suggest_source

    files = {
        "dengji": export_path(demo.root),
        "food_licences": demo.root / "sources" / "exports" / "food_licences.xlsx",
        "equipment": demo.root / "sources" / "exports" / "equipment.xls",
        "inspections": demo.root / "sources" / "exports" / "inspections.csv",
    }
    right = total = 0
    for name, path in files.items():
        truth = load_source(demo.root, name)
        suggested = suggest_source(path, name=f"{name}-suggested").source
        assert suggested.record_type == truth.record_type, name
        expected = {field: m.column for field, m in truth.fields.items() if m.column}
        found = {field: m.column for field, m in suggested.fields.items() if m.column}
        right += sum(1 for field, column in expected.items() if found.get(field) == column)
        total += len(expected)
    assert right / total >= 0.9, f"{right} of {total} fields mapped as the steward did"
