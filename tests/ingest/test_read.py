"""Readers: every encoding and layout departments export, row numbers as a person sees them, nothing lost."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import polars as pl
import pytest

from zhizhi.errors import InputError
from zhizhi.ingest.read import ERROR, ROW, Reading, ReadOptions, open_file
from zhizhi.ingest.read.base import LANGUAGES

ROWS = [
    ["统一社会信用代码", "企业名称", "成立日期"],
    ["91450200MA5K000001", "柳州市螺蛳粉有限公司", "2021-07-08"],
    ["92450202MA5K000002", "城中区老友粉店", "2019-01-02"],
]


def _read(path: Path, **options: str) -> tuple[Reading, pl.DataFrame]:
    reading = open_file(path, ReadOptions(**options))  # type: ignore[arg-type]
    frames = [chunk.frame for chunk in reading.chunks]
    return reading, (pl.concat(frames, how="diagonal") if frames else pl.DataFrame())


def _csv(path: Path, rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ",") -> Path:
    text = "\n".join(delimiter.join(r) for r in rows) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030")],
)
def test_csv_encodings_are_detected(tmp_path: Path, encoding: str, detected: str) -> None:
    rows = [*ROWS, ["93450200MA5K000003", "鱼峰区𠮷祥合作社" if encoding == "gb18030" else "鱼峰区合作社", ""]]
    reading, frame = _read(_csv(tmp_path / "a.csv", rows, encoding))
    assert reading.encoding == detected
    assert reading.headers[None] == ROWS[0]
    assert frame[ROW].to_list() == [2, 3, 4]
    assert frame["企业名称"].to_list()[:2] == ["柳州市螺蛳粉有限公司", "城中区老友粉店"]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("named", [False, True])
def test_utf16_without_its_byte_order_mark_is_read(tmp_path: Path, encoding: str, named: bool) -> None:
    """SQL Server's `bcp -w` and .NET's Encoding.Unicode write UTF-16 with no BOM: the file was refused as `binary
    data`, even by a source naming `encoding: utf-16-le` as readers.md says it may. Both byte orders are read."""
    path = _csv(tmp_path / "bcp.csv", [*ROWS, ["93450200MA5K000003", "鱼峰区合作社", ""]], encoding, "\t")
    reading, frame = _read(path, **({"encoding": encoding} if named else {}))
    assert reading.encoding == encoding and reading.headers[None] == ROWS[0]
    assert frame[ROW].to_list() == [2, 3, 4]
    assert frame["企业名称"].to_list() == ["柳州市螺蛳粉有限公司", "城中区老友粉店", "鱼峰区合作社"]
    cut = tmp_path / "cut.csv"
    cut.write_bytes(path.read_bytes()[:-1])
    if not named:
        with pytest.raises(InputError, match="cut short"):
            _read(cut)


def test_a_forced_wrong_encoding_names_the_row(tmp_path: Path) -> None:
    path = _csv(tmp_path / "gbk.csv", ROWS, "gbk")
    with pytest.raises(InputError, match=r"`gbk.csv` row 1: bytes are not `utf-8`"):
        _read(path, encoding="utf-8")


def test_titles_blanks_repeated_headers_totals_and_ragged_rows(tmp_path: Path) -> None:
    rows = [
        ["柳州市城中区市场主体名录（2021年）"],
        [""],
        *ROWS,
        [""],
        ROWS[0],
        ["91450200MA5K000004", "多一列公司", "2020-01-01", "多出来的值"],
        ["合计", "3 户", ""],
    ]
    reading, frame = _read(_csv(tmp_path / "t.csv", rows))
    assert [(s.row, s.reason) for s in reading.skipped] == [
        (1, "title_row"),
        (2, "blank"),
        (6, "blank"),
        (7, "repeated_header"),
        (9, "total_row"),
    ]
    assert frame[ROW].to_list() == [4, 5, 8]
    assert frame[ERROR].to_list()[:2] == [None, None]
    zh, en = frame[ERROR][2].split(LANGUAGES)  # the cell past the header kept in the reason, in both languages
    assert "有 4 个字段，表头只有 3 列" in zh and "「多出来的值」" in zh
    assert en.startswith("row has 4 fields but the header has 3; past the header: 「多出来的值」")
    assert len(rows) == frame.height + len(reading.skipped) + 1  # every row is data, skipped, or the header


def test_tabs_are_sniffed_and_quoted_newlines_keep_row_numbers(tmp_path: Path) -> None:
    reading, frame = _read(_csv(tmp_path / "t.tsv", ROWS, delimiter="\t"))
    assert frame.columns[2:] == ROWS[0]
    quoted = tmp_path / "q.csv"
    quoted.write_text('名称,地址\n"甲公司","第一行\n第二行"\n乙公司,中山路\n', encoding="utf-8")
    _, frame = _read(quoted)
    assert frame[ROW].to_list() == [2, 3] and frame["地址"][0] == "第一行\n第二行"


def test_a_huge_cell_and_hostile_strings_are_plain_data(tmp_path: Path) -> None:
    big = "好" * (10 * 1024 * 1024 // 3)
    rows = [["名称", "备注"], ["=cmd|' /C calc'!A0", big], ["<script>alert(1)</script>", "'; DROP TABLE records; --"]]
    _, frame = _read(_csv(tmp_path / "h.csv", rows))
    assert frame["名称"].to_list() == ["=cmd|' /C calc'!A0", "<script>alert(1)</script>"]
    assert len(frame["备注"][0]) == len(big)


def test_binary_junk_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.csv"
    junk.write_bytes(bytes(range(256)) * 100)
    with pytest.raises(InputError, match="appears to be binary data"):
        _read(junk)


def _xlsx(path: Path, sheets: dict[str, list[list[object]]], merges: dict[str, list[str]] | None = None) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cells in (merges or {}).get(name, []):
            sheet.merge_cells(cells)
    workbook.save(path)
    return path


def test_an_xlsx_ledger_with_a_title_merged_headers_a_total_and_two_sheets(tmp_path: Path) -> None:
    from datetime import datetime

    ledger = [
        ["柳州市食品经营许可台账"],
        ["经营者名称", "许可证", None, "经营场所"],
        [None, "编号", "有效期至", None],
        ["柳州市螺蛳粉有限公司", "JY14502020000001", datetime(2026, 7, 8), "城中区中山中路1号"],
        ["城中区老友粉店", "JY24502020000002", datetime(2025, 1, 2), "城中区文惠路2号"],
        ["合计", "2 户", None, None],
    ]
    second = [["经营者名称", "许可证/编号"], ["鱼峰区合作社", 4502030000003]]
    path = _xlsx(tmp_path / "ledger.xlsx", {"2021": ledger, "2022": second}, {"2021": ["A1:D1", "B2:C2", "A2:A3"]})
    reading, frame = _read(path)
    assert reading.headers["2021"] == ["经营者名称", "许可证/编号", "许可证/有效期至", "经营场所"]
    assert [(s.sheet, s.row, s.reason) for s in reading.skipped] == [
        ("2021", 1, "title_row"),
        ("2021", 3, "header_row"),
        ("2021", 6, "total_row"),
    ]
    first = frame.filter(pl.col(ROW) == 4)
    assert first["许可证/有效期至"][0] == "2026-07-08" and first["许可证/编号"][0] == "JY14502020000001"
    assert frame.height == 3 and frame["许可证/编号"].to_list()[-1] == "4502030000003"


def test_only_the_named_sheets_are_read(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "w.xlsx", {"a": ROWS, "b": ROWS})
    reading, frame = _read(path, sheets=("b",))  # type: ignore[arg-type]
    assert list(reading.headers) == ["b"] and frame.height == 2
    with pytest.raises(InputError, match="has no sheet `c`; it has `a`, `b`"):
        open_file(path, ReadOptions(sheets=("c",)))


def test_a_number_formatted_with_zeros_is_read_as_it_shows(tmp_path: Path) -> None:
    """A code column typed as numbers keeps its leading zeros on screen through a `0000` format: 169 shows 0169,
    and 0169 (茶及其他饮料作物种植) is what the clerk typed, not group 169 (其他烟草制品制造). General numbers stay
    as they are."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["企业名称", "行业代码", "邮政编码", "注册资本", "件数"])
    sheet.append(["柳州某农场", 169, 10010, 12.5, 169])
    sheet.append(["柳州某卷烟厂", 1690, 545001, -3, 7.0])
    for row in sheet.iter_rows(min_row=2):
        row[1].number_format, row[2].number_format, row[3].number_format = "0000", "000000", "0000"
    workbook.save(tmp_path / "codes.xlsx")
    _, frame = _read(tmp_path / "codes.xlsx")
    assert frame["行业代码"].to_list() == ["0169", "1690"]
    assert frame["邮政编码"].to_list() == ["010010", "545001"]
    assert frame["注册资本"].to_list() == ["12.5", "-3"]  # not a whole number, or negative: shown as it is
    assert frame["件数"].to_list() == ["169", "7"]


def test_a_legacy_xls_number_formatted_with_zeros_is_read_as_it_shows(tmp_path: Path) -> None:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("主体")
    padded = xlwt.easyxf(num_format_str="0000")
    sheet.write(0, 0, "行业代码")
    sheet.write(0, 1, "件数")
    sheet.write(1, 0, 169, padded)
    sheet.write(1, 1, 169)
    book.save(str(tmp_path / "codes.xls"))
    _, frame = _read(tmp_path / "codes.xls")
    assert frame["行业代码"].to_list() == ["0169"] and frame["件数"].to_list() == ["169"]


def test_a_legacy_xls_is_read(tmp_path: Path) -> None:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("设备")
    for r, row in enumerate([["设备代码", "使用单位", "下次检验日期"], ["3110450200001", "柳州某厂", 44385.0]]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(tmp_path / "equipment.xls"))
    reading, frame = _read(tmp_path / "equipment.xls")
    assert reading.headers["设备"] == ["设备代码", "使用单位", "下次检验日期"]
    assert frame["设备代码"][0] == "3110450200001" and frame[ROW][0] == 2


def test_broken_workbooks_are_refused_clearly(tmp_path: Path) -> None:
    good = _xlsx(tmp_path / "good.xlsx", {"a": ROWS})
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(good.read_bytes()[:2000])
    with pytest.raises(InputError, match="`truncated.xlsx` is not a readable .xlsx workbook"):
        _read(truncated)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (300 * 1024 * 1024))
    with pytest.raises(InputError, match="zip bomb"):
        _read(bomb)


def test_json_lines_keep_bad_lines_as_rows_with_their_error(tmp_path: Path) -> None:
    path = tmp_path / "api.jsonl"
    lines = [
        json.dumps({"name": "甲", "tags": ["a"]}, ensure_ascii=False),
        "",
        "{broken",
        "[1, 2]",
        json.dumps({"name": "乙", "phone": "0772-1234567"}, ensure_ascii=False),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reading, frame = _read(path)
    assert frame[ROW].to_list() == [1, 3, 4, 5]
    assert frame["tags"][0] == '["a"]' and frame["phone"][3] == "0772-1234567"
    assert frame[ERROR][1].startswith("not valid JSON") and frame[ERROR][2] == "a JSON list, not an object"
    assert [(s.row, s.reason) for s in reading.skipped] == [(2, "blank")]


def test_unknown_kinds_of_file_say_what_is_read(tmp_path: Path) -> None:
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    with pytest.raises(InputError, match=r"no reader for `.pdf` files; zhizhi reads .*\.csv"):
        open_file(tmp_path / "x.pdf")
    with pytest.raises(InputError, match="No reader `parquet`"):
        open_file(tmp_path / "x.pdf", reader="parquet")


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_a_csv_whose_lines_end_in_a_carriage_return_alone_is_read_whole(tmp_path: Path, encoding: str) -> None:
    """Old Excel's "CSV (Macintosh)" ends lines in CR alone: every row was lost (read as one line), exit 0."""
    path = tmp_path / "mac.csv"
    path.write_bytes(("\r".join(",".join(r) for r in ROWS) + "\r").encode(encoding))
    reading, frame = _read(path)
    assert reading.headers[None] == ROWS[0]
    assert frame[ROW].to_list() == [2, 3] and frame["企业名称"].to_list() == [ROWS[1][1], ROWS[2][1]]


def test_a_header_with_an_empty_last_column_keeps_its_first_data_row(tmp_path: Path) -> None:
    """A gap at the end of the header and a row below filling it looked like a two-row merged header; the first
    inspection (a credit code with letters, a day written in Chinese: no cell all digits) was skipped as its part."""
    rows = [
        ["被检查单位", "统一社会信用代码", "检查日期", "检查结果", ""],
        ["柳州市城中区第1商行", "92450202MA5K000002", "2026年1月1日", "合格", "已回访"],
        ["柳州市城中区第2商行", "92450202MA5K000003", "2026年1月2日", "合格", ""],
    ]
    reading, frame = _read(_csv(tmp_path / "jiancha.csv", rows))
    assert reading.headers[None][:4] == rows[0][:4]
    assert frame[ROW].to_list() == [2, 3] and frame["被检查单位"].to_list() == [rows[1][0], rows[2][0]]


def test_group_names_over_a_header_less_than_half_full_are_joined_to_it(tmp_path: Path) -> None:
    """A work-order export groups its ten columns under five names (工单信息 | 来电人信息 | ...): the group row was
    skipped as a title and a column under a vertically merged name (诉求内容) lost its name."""
    rows = [
        ["工单信息", "", "", "来电人信息", "", "被反映对象", "", "诉求内容", "办理情况", ""],
        ["工单编号", "登记时间", "工单类型", "姓名", "电话", "名称", "地址", "", "办理状态", "办结时间"],
        ["GD001", "2026-11-03 14:05", "投诉", "张三", "13800138000", "某超市", "某路1号", "牛奶过期", "已办结",
         "2026-11-05"],
    ]  # fmt: skip
    reading, frame = _read(_csv(tmp_path / "gongdan.csv", rows))
    assert reading.headers[None] == [
        "工单信息/工单编号", "工单信息/登记时间", "工单信息/工单类型", "来电人信息/姓名", "来电人信息/电话",
        "被反映对象/名称", "被反映对象/地址", "诉求内容", "办理情况/办理状态", "办理情况/办结时间",
    ]  # fmt: skip
    assert frame[ROW].to_list() == [3] and frame["诉求内容"].to_list() == ["牛奶过期"]


@pytest.mark.parametrize("delimiter", [",", "，"])  # polars' path, and the row-by-row path (a full-width comma)
def test_a_paged_export_keeps_its_data_rows_only(tmp_path: Path, delimiter: str) -> None:
    """Each page repeats its title and header and ends in a subtotal and a footer: none of them is a row of data
    (本页小计 with a count under an address was accepted as an entity; the titles and footers quarantined)."""
    header, title = ROWS[0], ["柳州市市场主体登记信息表", "", ""]
    data = [[f"91450200MA5K00000{i}", f"柳州市第{i}有限公司", "2021-07-08"] for i in range(1, 5)]
    rows = [title, header, *data[:2], ["本页小计", "2户", ""], ["第1页 共2页", "", ""],
            title, header, *data[2:], ["共计4户", "", ""], ["第2页", "共2页", ""], ["Page 2 of 2", "", ""]]  # fmt: skip
    reading, frame = _read(_csv(tmp_path / "paged.csv", rows, delimiter=delimiter))
    assert frame["企业名称"].to_list() == [row[1] for row in data] and frame[ROW].to_list() == [3, 4, 9, 10]
    reasons = {skip.row: skip.reason for skip in reading.skipped}
    assert reasons == {1: "title_row", 5: "total_row", 6: "note_row", 7: "title_row", 8: "repeated_header",
                       11: "total_row", 12: "note_row", 13: "note_row"}  # fmt: skip


@pytest.mark.parametrize("delimiter", [",", "，"])
def test_a_quote_never_closed_marks_the_row_that_swallowed_the_rows_below(tmp_path: Path, delimiter: str) -> None:
    """`"柳州市某商行` opened a quote the cell never closed: the rows below became part of one cell, and only a
    field's length was found. The row is marked (quarantined as malformed, naming the column); an address on two
    lines stays a cell with a line break."""
    rows = [
        delimiter.join(ROWS[0]),
        delimiter.join(ROWS[1]),
        delimiter.join(["92450202MA5K000002", '"城中区老友粉店', "2019-01-02"]),
        delimiter.join(["92450202MA5K000003", "某店", "2019-01-03"]),
        delimiter.join(["92450202MA5K000004", '另一店"', "2019-01-04"]),
        delimiter.join(["92450202MA5K000005", '"两行\n的名字"', "2019-01-05"]),
    ]
    path = tmp_path / "quote.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    _, frame = _read(path)
    errors = dict(zip(frame[ROW].to_list(), frame[ERROR].to_list(), strict=True))
    assert errors[2] is None
    said = errors[3].split(LANGUAGES)[1]
    assert said.startswith("a quote opened in `企业名称` is not closed before the next row: 2 line(s)")
    assert errors[3].startswith("`企业名称` 中的引号在下一行之前没有闭合")
    assert errors[max(errors)] is None  # the two-line name: a cell, not a swallowing


@pytest.mark.parametrize("encoding", ["gbk", "utf-8"])
def test_bytes_not_of_the_encoding_are_named_by_their_own_row(tmp_path: Path, encoding: str) -> None:
    """The readers decode in blocks: a bad byte on row 2,501 was named as row 1 (GBK, re-encoded 4M characters at a
    time) or row 2,473 (UTF-8, read ahead)."""
    rows = [",".join(ROWS[0])] + [f"91450200MA5K{n:06d},柳州市第{n}有限公司,2021-07-08" for n in range(1, 3000)]
    lines = ("\n".join(rows) + "\n").encode(encoding).split(b"\n")
    lines[2500] += b"\xff"
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(InputError, match=r"`bad.csv` row 2501: bytes are not"):
        _read(path, encoding=encoding)


@pytest.mark.parametrize("delimiter", [",", "，"])
def test_a_carriage_return_alone_inside_a_cell_stays_in_its_row(tmp_path: Path, delimiter: str) -> None:
    """In a file whose lines end in CR LF, a cell with a carriage return alone (文昌路2号\\r东门) was cut there on the
    row-by-row path: the row accepted short, and the rest of it quarantined as a row of its own."""
    rows = [ROWS[0], ["91450200MA5K000001", "文昌路2号\r东门商行", "2021-07-08"], ROWS[2]]
    path = tmp_path / "cr.csv"
    path.write_bytes(("\r\n".join(delimiter.join(r) for r in rows) + "\r\n").encode("utf-8"))
    _, frame = _read(path)
    assert frame[ROW].to_list() == [2, 3]
    assert frame["企业名称"].to_list()[0].replace("\r", " ") == "文昌路2号 东门商行"
    assert frame["成立日期"].to_list() == ["2021-07-08", "2019-01-02"]


@pytest.mark.parametrize("delimiter", [",", "，"])
def test_a_file_cut_short_marks_its_last_row_not_its_cells_as_empty(tmp_path: Path, delimiter: str) -> None:
    """A file that ends in the middle of a row (a download broken off) read the cut address as the whole one and the
    missing cells as empty: the row is marked malformed, saying so; a last row complete without a line end, or a
    file ending in a line end, is read as it is."""
    rows = [delimiter.join(ROWS[0]), delimiter.join(ROWS[1]), delimiter.join(["92450202MA5K000002", "城中区老友"])]
    path = tmp_path / "cut.csv"
    path.write_text("\n".join(rows), encoding="utf-8")  # no line end: the third row was cut after its name
    _, frame = _read(path)
    errors = dict(zip(frame[ROW].to_list(), frame[ERROR].to_list(), strict=True))
    assert errors[2] is None and errors[3].split(LANGUAGES)[1].startswith("the file ends in the middle of this row")
    assert "未完整导出" in errors[3]
    whole = tmp_path / "whole.csv"
    whole.write_text("\n".join(rows[:2]), encoding="utf-8")  # complete, no line end
    assert _read(whole)[1][ERROR].to_list() == [None]
    ended = tmp_path / "ended.csv"
    ended.write_text("\n".join(rows) + "\n", encoding="utf-8")  # a short row the file does not end in: as written
    assert _read(ended)[1][ERROR].to_list() == [None, None]


@pytest.mark.parametrize("encoding", ["gbk", "utf-8", "utf-16"])
def test_a_file_cut_in_the_middle_of_a_character_says_so(tmp_path: Path, encoding: str) -> None:
    """A GBK file cut in its last character was refused as neither UTF-8 nor GBK, naming no cause; a UTF-16 one
    ("Unicode text") as not UTF-16, advising GBK."""
    text = "\n".join([",".join(ROWS[0]), ",".join(ROWS[1]), "92450202MA5K000002,城中区老友粉店"])
    path = tmp_path / "cut.csv"
    path.write_bytes(text.encode(encoding)[:-1])
    with pytest.raises(InputError, match="cut short") as refused:
        _read(path)
    assert "未完整" in str(refused.value.message_zh)


COMPLAINT = "本人在该店购买牛奶，\n发现已过期，要求退一赔十。"  # each line holds one full-width comma
TEMPLATED = "消费者反映：\n1、购买的商品有\"质量\"问题，\n2、商家拒绝退货，要求：退款、赔偿。"
SIGNED = ["填报单位：柳州市市场监督管理局", "", "", "", "", "填报日期：2026年4月1日"]


@pytest.mark.parametrize(
    ("text", "above"),
    [(COMPLAINT, []), (TEMPLATED, [["全国12315平台投诉举报导出", "", "", "", "", ""]]), (COMPLAINT, [SIGNED])],
    ids=["multi-line", "title-and-quotes", "sign-off-row"],
)
def test_a_quoted_cell_spanning_lines_does_not_mislead_the_delimiter(
    tmp_path: Path, text: str, above: list[list[str]]
) -> None:
    """Counted per line, the full-width commas of a complaint written on two lines outvoted the header's commas:
    the file was read as two columns, each line a row (10 tickets read as 20 rows, none accepted)."""
    import csv
    import io

    from zhizhi.ingest.read.csv_reader import sniff_delimiter

    header = ["登记编号", "登记时间", "投诉举报人", "联系电话", "被投诉举报方", "诉求内容"]
    rows = [[f"1450200202603{i:06d}", f"2026-03-{i:02d} 09:30:00", "张伟", f"1387721{i:04d}", f"鑫源超市{i}店", text]
            for i in range(1, 11)]  # fmt: skip
    buffer = io.StringIO()
    csv.writer(buffer).writerows([*above, header, *rows])
    path = tmp_path / "12315.csv"
    path.write_bytes(buffer.getvalue().encode("gbk"))
    assert sniff_delimiter(buffer.getvalue()) == ","
    reading, frame = _read(path)
    assert reading.headers[None] == header and frame.height == 10
    assert frame["诉求内容"].to_list() == [text] * 10 and frame[ERROR].null_count() == 10


LEDGER_HEADER = ["序号", "许可证编号", "经营者名称", "统一社会信用代码", "经营场所", "有效期至", "发证机关", "备注"]
LEDGER_ROW = ["1", "JY14502020000001", "柳州市城中区鑫源超市", "92450202MA5K00001X", "城中区文昌路1号", "2031-03-04",
              "城中区局", ""]  # fmt: skip


@pytest.mark.parametrize(
    "signed",
    [
        ["填报单位：城中区市场监管局", "", "", "填报人：王芳", "", "", "填报日期：2026年3月31日", ""],
        ["填报单位：城中区局", "", "", "", "填报人：王芳", "联系电话：0772-2812345", "", "填报日期：2026年3月31日"],
        ["填报单位：", "城中区市场监管局", "", "", "", "", "填报日期：", "2026年3月5日"],  # a value on its own
        ["导出时间：2026-03-31 10:00", "", "", "共2条记录", "", "", "", ""],
    ],
    ids=["three", "phone", "label-then-value", "export"],
)
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_sign_off_row_above_the_header_is_no_part_of_it(tmp_path: Path, signed: list[str], kind: str) -> None:
    """填报单位：… 填报人：王芳 … above the header was taken as the top of a two-row header: the columns became
    `填报人：王芳/统一社会信用代码` (a staff member's name in the source file) and the real header a row of data."""
    title = ["柳州市食品经营许可台账"] + [""] * 7
    rows = [title, signed, LEDGER_HEADER, LEDGER_ROW]
    path = _csv(tmp_path / "xuke.csv", rows) if kind == "csv" else _xlsx(tmp_path / "xuke.xlsx", {"台账": rows})
    reading, frame = _read(path)
    assert list(reading.headers.values()) == [LEDGER_HEADER]
    assert [(s.row, s.reason) for s in reading.skipped] == [(1, "title_row"), (2, "note_row")]
    assert frame[ROW].to_list() == [4] and frame["经营者名称"].to_list() == [LEDGER_ROW[2]]
    # a merged header under it is still joined
    grouped = [["序号", "许可证", "", "经营者名称"], ["", "编号", "有效期至", ""], ["1", "JY1", "2031-03-04", "甲店"]]
    reading, _ = _read(_csv(tmp_path / "grouped.csv", [title[:4], [c for c in signed if c][:4], *grouped]))
    assert reading.headers[None] == ["序号", "许可证/编号", "许可证/有效期至", "经营者名称"]
    assert [s.reason for s in reading.skipped] == ["title_row", "note_row", "header_row"]
