"""Exports as office software writes them: spreadsheet artefacts in identifiers repaired or refused, files that
hold no table refused by what they are, and the BOMs and delimiters people type."""

from __future__ import annotations

import random
import re
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.cli.test_commands import zz
from tests.conftest import OPERATOR, Web
from tests.ingest.test_pipeline import HEADER, SOURCE, _codes, _ingest, _row, _source, _totals, _write
from tests.ingest.test_validate import resident_id
from zhizhi.config import Workspace
from zhizhi.errors import InputError
from zhizhi.ingest.kinds import Context, clean_column
from zhizhi.ingest.normalize.artefacts import undo_artefacts_value
from zhizhi.ingest.quarantine import list_items
from zhizhi.ingest.read.base import ReadOptions
from zhizhi.ingest.read.registry import open_file
from zhizhi.records.entity import ENTITY
from zhizhi.records.fields import Field
from zhizhi.records.history import find_records
from zhizhi.records.licence import LICENCE
from zhizhi.records.ticket import TICKET

TODAY = date(2026, 11, 28)
USCC = _codes(1, seed=11)[0]
ID = resident_id("45020219900101123")
if not ID.isdigit():  # an ID ending in X is never a number in a spreadsheet
    ID = resident_id("45020219900101124")
REG = "110108000000016"
REPAIRED, SCIENTIFIC, FLOAT = "value.spreadsheet_artefact", "value.scientific_notation", "value.float_precision"

# one value -> its clean value, the artefacts found, why it cannot be restored
VALUE_ROWS: list[tuple[str, str | None, tuple[str, ...], str | None]] = [
    ("'91450200MA5K", "91450200MA5K", ("apostrophe",), None),
    ("\uff0791450200MA5K", "91450200MA5K", ("apostrophe",), None),  # the full-width apostrophe, typed by hand
    ("\t91450200MA5K\t", "91450200MA5K", ("tab",), None),
    ('="0772-2812345"', "0772-2812345", ("text_formula",), None),
    ('\t="\'0123"', "0123", ("tab", "text_formula", "apostrophe"), None),
    ("9145\xa00200", "9145 0200", ("nbsp",), None),
    ("91450200\u3000", "91450200", ("nbsp",), None),
    ("\u200b9145\ufeff", "9145", ("zero_width",), None),
    ("450202.0", "450202", ("decimal",), None),
    ("13877212345.00", "13877212345", ("decimal",), None),
    ("450202199001011000.0", None, ("decimal",), "float"),  # 18 digits were a float: the last ones may be wrong
    ("1.23456789012345E+14", "123456789012345", ("scientific",), None),  # every digit shown, and exact
    ("1.2300E+2", "123", ("scientific",), None),
    ("9.14502E+17", None, ("scientific",), "scientific"),  # six digits of eighteen
    ("4.50202199001011E+17", None, ("scientific",), "scientific"),  # fifteen of eighteen
    ("9.007199254740993E+15", None, ("scientific",), "float"),  # every digit shown, but 16: past what Excel keeps
    ("1.450202000000061E+15", None, ("scientific",), "float"),  # below 2^53, yet 16 digits: not certain either
    ("1450202000000061.0", None, ("decimal",), "float"),
    ("450,202,199,001,111,000", None, ("thousands",), "float"),  # a #,##0 cell of an 18-digit ID: padded zeros
    ("13,877,212,345", "13877212345", ("thousands",), None),
    ("1.5E-3", None, ("scientific",), "scientific"),
    ("91450202438E990360", "91450202438E990360", (), None),  # a credit code with an E between digits: not a number
    ("914502024E5FJ1XD6H", "914502024E5FJ1XD6H", (), None),
    ("91450200MA5E3", "91450200MA5E3", (), None),  # an E in a credit code is no exponent
    ("'", None, (), None),  # nothing but an artefact: blank
    ("JY14502020012345", "JY14502020012345", (), None),
]


@pytest.mark.parametrize(("raw", "clean", "artefacts", "lost"), VALUE_ROWS)
def test_artefacts_are_undone_only_when_certain(
    raw: str, clean: str | None, artefacts: tuple[str, ...], lost: str | None
) -> None:
    undone = undo_artefacts_value(raw)
    assert (undone.value, undone.artefacts, undone.lost) == (clean, artefacts, lost)


ENTITY_FIELD = ENTITY.field
# field -> raw value -> clean value, reason codes
FIELD_ROWS: list[tuple[Field, str, str | None, list[str]]] = [
    (ENTITY_FIELD("uscc"), f"'{USCC}", USCC, [REPAIRED]),
    (ENTITY_FIELD("uscc"), f"\t{USCC}", USCC, [REPAIRED]),
    (ENTITY_FIELD("uscc"), f'="{USCC}"', USCC, [REPAIRED]),
    (ENTITY_FIELD("uscc"), f"{USCC[:6]}\xa0{USCC[6:]}", USCC, [REPAIRED]),
    (ENTITY_FIELD("uscc"), f"\u200b{USCC}", USCC, [REPAIRED]),
    (ENTITY_FIELD("uscc"), USCC, USCC, []),
    (ENTITY_FIELD("uscc"), "9.14502E+17", None, [SCIENTIFIC]),
    (ENTITY_FIELD("legal_representative_id"), f"'{ID}", ID, [REPAIRED]),
    (ENTITY_FIELD("legal_representative_id"), f"{ID[0]}.{ID[1:15]}E+17", None, [SCIENTIFIC]),
    (ENTITY_FIELD("legal_representative_id"), f"{ID}.0", None, [FLOAT]),
    (ENTITY_FIELD("reg_no"), f"{REG}.0", REG, [REPAIRED]),
    (ENTITY_FIELD("reg_no"), f"{REG[0]}.{REG[1:]}E+14", REG, [REPAIRED]),  # 15 digits, all shown: exact
    (ENTITY_FIELD("phone"), "13877212345.0", "13877212345", [REPAIRED]),
    (ENTITY_FIELD("phone"), "1.38772E+10", None, [SCIENTIFIC]),
    (LICENCE.field("number"), '="JY14502020012345"', "JY14502020012345", [REPAIRED]),
    (LICENCE.field("number"), "'JY14502020012345", "JY14502020012345", [REPAIRED]),
    # dates: an export that marks every cell as text marks its dates too
    (ENTITY_FIELD("founded_on"), "'2021-07-08", "2021-07-08", [REPAIRED]),
    (ENTITY_FIELD("founded_on"), '="2021/7/8"', "2021-07-08", [REPAIRED]),
    (ENTITY_FIELD("founded_on"), "\uff072021年7月8日", "2021-07-08", [REPAIRED]),
    (ENTITY_FIELD("founded_on"), "20210708.0", "2021-07-08", [REPAIRED]),
    (ENTITY_FIELD("founded_on"), "'2021-13-08", None, ["date.invalid", REPAIRED]),  # undone, still no day
    (TICKET.field("received_at"), "'2026-11-02 09:15", "2026-11-02T09:15:00", [REPAIRED]),
    # not identifiers: the characters are text, kept as they are
    (ENTITY_FIELD("entity_type"), "'有限责任公司", "'有限责任公司", []),
    (LICENCE.field("kind"), "'食品经营许可证", "'食品经营许可证", []),
]


@pytest.mark.parametrize(("spec", "raw", "clean", "codes"), FIELD_ROWS, ids=lambda v: getattr(v, "name", None))
def test_identifier_and_date_fields_repair_or_refuse_artefacts(
    spec: Field, raw: str, clean: str | None, codes: list[str]
) -> None:
    cleaned = clean_column(spec, pl.Series([raw]), Context(TODAY))
    found = pl.concat(cleaned.findings)
    assert cleaned.columns[spec.name][0] == clean
    assert found["code"].to_list() == codes
    repaired = found.filter(pl.col("code") != "date.invalid")  # a date still invalid is named as undone
    assert repaired["value"].to_list() == [raw] * repaired.height  # the original, as read


def test_identifiers_are_known_by_kind_or_by_flag() -> None:
    known = {f.name for f in ENTITY.fields if f.is_identifier}
    assert known == {"uscc", "reg_no", "legal_representative_id", "phone", "industry_code"}
    assert LICENCE.field("number").is_identifier and not LICENCE.field("kind").is_identifier


def test_a_refusal_names_the_value_and_the_fix_in_both_languages() -> None:
    spec = ENTITY_FIELD("legal_representative_id")
    cleaned = clean_column(spec, pl.Series(["4.50202199001011E+17"]), Context(TODAY))
    (found,) = pl.concat(cleaned.findings).iter_rows(named=True)
    assert "`4.50202199001011E+17`" in found["message_zh"] and "15 位有效数字" in found["message_zh"]
    assert "设为文本格式后重新导出" in found["message_zh"]
    assert "`4.50202199001011E+17`" in found["message"] and "export it again" in found["message"]
    repaired = clean_column(spec, pl.Series([f"\t{ID}"]), Context(TODAY))
    (note,) = pl.concat(repaired.findings).iter_rows(named=True)
    assert "`\\t" in note["message"] and f"read as `{ID}`" in note["message"] and "制表符" in note["message_zh"]


@pytest.mark.parametrize(("encoding", "space"), [("utf-8", "\xa0"), ("gbk", "\u3000")])
def test_a_csv_export_with_artefacts_end_to_end(
    city: sessionmaker[Session], tmp_path: Path, encoding: str, space: str
) -> None:
    codes = _codes(6, seed=3)
    rows = [
        _row(f"'{codes[0]}", "柳州市甲有限公司"),
        _row(f"\t{codes[1]}", "柳州市乙有限公司"),
        _row(f'="{codes[2]}"', "柳州市丙有限公司"),
        _row("9.14502E+17", "柳州市丁有限公司"),  # digits lost: quarantined
        _row(codes[4], "柳州市戊有限公司", 联系电话="13877212345.0", 行业代码="5221.0"),  # one row, two fields
        _row(codes[5] + space, "柳州市己有限公司"),
        [""] * len(HEADER),
    ]
    result = _ingest(city, _write(tmp_path / f"{encoding}.csv", rows, encoding=encoding))
    batch, report = result.batch, result.report
    counts = (batch.rows_read, batch.rows_accepted, batch.rows_quarantined, batch.rows_skipped)
    assert counts == (7, 5, 1, 1) and batch.rows_read == sum(counts[1:])
    assert report["artefacts"] == {
        "apostrophe": 1,
        "tab": 1,
        "text_formula": 1,
        "nbsp": 1,
        "decimal": 1,
        "scientific": 1,
    }
    reasons = {r["code"]: r["rows"] for r in report["reasons"]}  # type: ignore[union-attr]
    assert reasons == {REPAIRED: 5, SCIENTIFIC: 1}
    uscc = next(f for f in report["fields"] if f["field"] == "uscc")  # type: ignore[union-attr]
    assert (uscc["filled"], uscc["valid"]) == (6, 5)  # a repaired value is valid; the lost one is not
    with city() as session:
        (item,) = list_items(session, OPERATOR, batch_id=batch.id)
        assert item["reasons"] == [SCIENTIFIC] and item["findings"][0]["value"] == "9.14502E+17"
        kept = {r["key"] for r in find_records(session, OPERATOR, source="dengji")}
    assert kept == {f"uscc={code}" for i, code in enumerate(codes) if i != 3}


def test_an_export_that_marks_every_cell_as_text_reads_its_dates(city: sessionmaker[Session], tmp_path: Path) -> None:
    """Some systems write their codes, dates and status words as `="…"`, or with a leading apostrophe, so that Excel
    keeps them as typed: the dates come back as days and the words as words, each repair said; an address is free
    text, kept as written."""
    codes = _codes(2, seed=7)
    marked = {"统一社会信用代码", "联系电话", "成立日期", "登记状态", "行业代码"}
    first = _row(codes[0], "柳州市甲有限公司", 成立日期="2019-03-08")
    second = _row(codes[1], "柳州市乙有限公司", 成立日期="2020/5/6", 住所="'柳州市城中区文昌路12号")
    rows = [
        [f'="{cell}"' if column in marked else cell for column, cell in zip(HEADER, first, strict=True)],
        [f"'{cell}" if column in marked else cell for column, cell in zip(HEADER, second, strict=True)],
    ]
    result = _ingest(city, _write(tmp_path / "text.csv", rows))
    assert (result.batch.rows_read, result.batch.rows_accepted) == (2, 2)
    with city() as session:
        kept = {r["key"]: r["data"] for r in find_records(session, OPERATOR, source="dengji")}
    one, two = kept[f"uscc={codes[0]}"], kept[f"uscc={codes[1]}"]
    assert (one["founded_on"], two["founded_on"]) == ("2019-03-08", "2020-05-06")
    assert one["status"] == two["status"] == "active"
    assert two["address"].startswith("'")
    assert result.report["artefacts"] == {"text_formula": 1, "apostrophe": 1}


XLSX_SOURCE = """\
name: dengji
department: LZ-DJ
record_type: entity
fields:
  uscc: 统一社会信用代码
  reg_no: 注册号
  name: 企业名称
  legal_representative_id: 身份证号码
  phone: 联系电话
"""


def test_an_xlsx_with_numbers_for_identifiers_end_to_end(city: sessionmaker[Session], tmp_path: Path) -> None:
    codes = _codes(4, seed=5)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["统一社会信用代码", "注册号", "企业名称", "身份证号码", "联系电话"])
    sheet.append([codes[0], float(REG), "柳州市甲有限公司", float(ID), "13877212345.0"])  # an 18-digit float
    sheet.append([f"\t{codes[1]}", int(REG), "柳州市乙有限公司", ID, 13877212345.0])
    sheet.append([codes[2], "1.10108E+14", "柳州市丙有限公司", None, None])  # typed as shown: digits lost
    sheet.append([codes[3], None, "柳州市丁有限公司", f"{ID}.0", None])
    for row in sheet.iter_rows(min_row=2, max_col=4):
        for cell in row:
            cell.number_format = "0.00E+00"
    path = tmp_path / "dengji.xlsx"
    book.save(path)
    result = _ingest(city, path, _source(XLSX_SOURCE))
    batch, report = result.batch, result.report
    assert (batch.rows_read, batch.rows_accepted, batch.rows_quarantined, batch.rows_skipped) == (4, 1, 3, 0)
    assert report["artefacts"] == {"tab": 1, "decimal": 2, "scientific": 2}
    with city() as session:
        reasons = sorted(tuple(item["reasons"]) for item in list_items(session, OPERATOR, batch_id=batch.id))
    assert reasons == [(FLOAT,), (SCIENTIFIC,), (SCIENTIFIC,)]


def _zip_of_text(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")


NO_TABLE = [
    ("random.csv", random.Random(4).randbytes(200_000), "binary data"),
    ("junk-without-nul.csv", random.Random(5).randbytes(20_000).replace(b"\x00", b"\x01"), "binary data"),
    ("high-bytes.csv", b"\xa0" * 20_000, "one line of 10,000 characters with no delimiter"),  # GB18030 junk
    ("page.csv", b"<!DOCTYPE html>\n<html><head><title>x</title></head><body><p>a, b</p></body></html>\n", "HTML page"),
    ("page2.csv", b"\n  <html lang='zh'><body><table><tr><td>1</td></tr></table></body></html>", "HTML page"),
    ("report.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n", "PDF document"),
    ("archive.csv", None, "zip archive holding `readme.txt`"),
    ("archive.xlsx", None, "not a readable .xlsx workbook .*zip archive holding `readme.txt`"),
    ("report.xlsx", b"%PDF-1.7\n", "not a readable .xlsx workbook .*PDF document"),
    ("page.xls", b"<html><body><table><tr><td>1</td></tr></table></body></html>", "HTML page"),
    ("empty.csv", b"", "empty file"),
    ("blank.csv", b"\r\n \r\n\t\r\n", "nothing but spaces"),
    ("one-line.csv", b"<" + b"A" * 20_000 + b"\n", "one line of 20,001 characters with no delimiter"),
    ("error.csv", b'{"code":500,"message":"internal error","data":null}', "JSON text"),  # an interface's answer
    ("list.csv", b'[{"a": 1, "b": 2}, {"a": 3, "b": 4}]\n', "JSON text"),
    ("export.xlsx", "统一社会信用代码,企业名称\n91450200MA5K000001,甲公司\n".encode(), "delimited text \\(CSV\\)"),
]


@pytest.mark.parametrize(("name", "content", "message"), NO_TABLE, ids=[n for n, _, _ in NO_TABLE])
def test_a_file_with_no_table_is_refused_by_what_it_is(
    city: sessionmaker[Session], tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    path = tmp_path / name
    if content is None:
        _zip_of_text(path)
    else:
        path.write_bytes(content)
    before = _totals(city)
    with pytest.raises(InputError, match=message) as raised:
        _ingest(city, path)
    assert raised.value.message_zh and re.search(r"[\u4e00-\u9fff]", raised.value.message_zh)
    assert _totals(city) == before


def test_the_cli_refuses_a_file_with_no_table_in_both_languages(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    (workspace.root / "sources").mkdir(exist_ok=True)
    (workspace.root / "sources" / "dengji.yaml").write_text(SOURCE, encoding="utf-8")
    page = tmp_path / "export.csv"
    page.write_bytes(b"<!doctype html><html><body>\xe6\x97\xa0</body></html>")
    code, out, err = zz(workspace, "ingest", "dengji", str(page))
    flat = re.sub(r"\s+", "", out + err)
    assert code == 1
    assert "holdsnotable:itappearstobeanHTMLpage" in flat and "中没有表格：它看起来是网页（HTML）" in flat


def _read(path: Path, options: ReadOptions | None = None) -> tuple[list[str], list[tuple[object, ...]]]:
    reading = open_file(path, options)
    rows = [row for chunk in reading.chunks for row in chunk.frame.drop("_row", "_error").rows()]
    return reading.headers[None], rows


BOM = "\ufeff"
HEADER_ROWS = [
    ("two BOMs", (BOM + BOM + "名称,代码\r\n甲,1\r\n").encode("utf-8"), ["名称", "代码"]),
    ("BOM inside the cell", ("名称" + BOM + ",代码\r\n甲,1\r\n").encode("utf-8"), ["名称", "代码"]),
    ("BOM after a title", ("台账\r\n" + BOM + "名称,代码\r\n甲,1\r\n").encode("utf-8"), ["名称", "代码"]),
    ("UTF-16 (Unicode text)", "名称\t代码\r\n甲\t1\r\n".encode("utf-16"), ["名称", "代码"]),
    ("UTF-16 big-endian", "名称,代码\r\n甲,1\r\n".encode("utf-16-be").join([b"\xfe\xff", b""]), ["名称", "代码"]),
    ("zero-width space", "名称\u200b,代码\r\n甲,1\r\n".encode("utf-8"), ["名称", "代码"]),
]


@pytest.mark.parametrize(("content", "header"), [r[1:] for r in HEADER_ROWS], ids=[r[0] for r in HEADER_ROWS])
def test_byte_order_marks_never_become_part_of_a_column_name(tmp_path: Path, content: bytes, header: list[str]) -> None:
    path = tmp_path / "boms.csv"
    path.write_bytes(content)
    assert _read(path) == (header, [("甲", "1")])


def test_a_forced_utf8_keeps_no_bom_in_the_header_and_a_pasted_file_repeats_its_header(tmp_path: Path) -> None:
    path = tmp_path / "pasted.csv"
    path.write_bytes((BOM + "名称,代码\r\n甲,1\r\n" + BOM + "名称,代码\r\n乙,2\r\n").encode("utf-8"))
    reading = open_file(path, ReadOptions(encoding="utf-8"))
    rows = [row for chunk in reading.chunks for row in chunk.frame.rows()]
    assert reading.headers[None] == ["名称", "代码"]
    assert [r[2:] for r in rows] == [("甲", "1"), ("乙", "2")]
    assert [(s.row, s.reason) for s in reading.skipped] == [(3, "repeated_header")]


TYPED = [("甲", "1", "2"), ("乙", "3", "4")]
DELIMITER_ROWS = [
    ("full-width comma", "名称，代码，电话\n甲，1，2\n乙，3，4\n", TYPED),
    ("full-width semicolon", "名称；代码；电话\n甲；1；2\n乙；3；4\n", TYPED),
    ("pipe", "名称|代码|电话\n甲|1|2\n乙|3|4\n", TYPED),
    ("semicolon", "名称;代码;电话\n甲;1;2\n乙;3;4\n", TYPED),
    ("tab", "名称\t代码\t电话\n甲\t1\t2\n乙\t3\t4\n", TYPED),
    ("a title first", "柳州市台账\n名称，代码，电话\n甲，1，2\n乙，3，4\n", TYPED),
    (
        "commas, and full-width ones in a value",
        "名称,代码,电话\n甲，乙,1,2\n乙,3,4\n",
        [("甲，乙", "1", "2"), TYPED[1]],
    ),
]


@pytest.mark.parametrize(("text", "expected"), [r[1:] for r in DELIMITER_ROWS], ids=[r[0] for r in DELIMITER_ROWS])
def test_the_delimiters_people_type_are_recognised(tmp_path: Path, text: str, expected: list[tuple[str, ...]]) -> None:
    for encoding in ("utf-8", "gbk"):
        path = tmp_path / f"typed-{encoding}.csv"
        path.write_bytes(text.encode(encoding))
        assert _read(path) == (["名称", "代码", "电话"], expected)


def test_the_batch_page_counts_the_artefacts(web: Web, tmp_path: Path) -> None:
    codes = _codes(2, seed=9)
    path = _write(tmp_path / "dengji.csv", [_row(f"'{codes[0]}", "柳州市甲有限公司"), _row("9.14502E+17", "乙公司")])
    batch = _ingest(web.sessions, path).batch
    web.login_form("steward")
    page = web.client.get(f"/batches/{batch.id}").text
    table = page.split('id="report-artefacts"')[1].split("</table>")[0]
    assert "表格软件痕迹" in page and "前导撇号" in table and "科学计数法" in table
    assert re.search(r'id="artefact-apostrophe">.*?<td>1</td>', table) and 'id="artefact-tab"' not in table
    web.client.get("/lang/en")
    english = web.client.get(f"/batches/{batch.id}").text
    assert "Spreadsheet artefacts" in english and "scientific notation" in english


@pytest.mark.parametrize(
    "raw",
    ["JY14502020000004", "“JY14502020000004”", "JY14502\xa0020000004", "JY14502\n020000004", "'JY14502020000004'",
     "jy14502020000004", " Jy14502020000004 "],  # typed by hand in small letters: the same licence
)  # fmt: skip
def test_a_number_written_as_text_is_one_key_however_an_export_wraps_it(raw: str) -> None:
    """A licence number is a record's key: a quote around it or a space, line break or NBSP inside made another
    record of the same licence (`JY14502 020000004`)."""
    cleaned = clean_column(LICENCE.field("number"), pl.Series([raw]), Context(TODAY))
    assert cleaned.columns["number"][0] == "JY14502020000004"
