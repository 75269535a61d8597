"""Department exports as offices really produce them, through `ingest_file` on a real store (both backends).

Each case is a file built the way a clerk's spreadsheet or a department's system writes it. It is either ingested
with every row accounted for (accepted + quarantined + skipped = rows read, each skip with its reason, one raw row
per row read) or refused with a message that names the file and where, in English and Chinese, leaving nothing.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.conftest import OPERATOR, Outbox, Web
from zhizhi.config import Workspace
from zhizhi.demo.records import credit_code
from zhizhi.errors import InputError
from zhizhi.ingest.batches import source_mapping
from zhizhi.ingest.pipeline import IngestResult, ingest_file
from zhizhi.ingest.quarantine import fix_item, replay
from zhizhi.ingest.read import csv_reader
from zhizhi.sources import SourceConfig, parse_source
from zhizhi.store.tables import Batch, QuarantineItem, RawRow, RecordVersion

TODAY = date(2026, 11, 28)
CODES = [credit_code(random.Random(11), "92", "450202") for _ in range(4)]
HEADER = [
    "序号",
    "许可证编号",
    "经营者名称",
    "统一社会信用代码",
    "法定代表人（负责人）",
    "经营场所",
    "发证日期",
    "有效期至",
]
DATA = [
    [
        "1",
        "JY14502020000011",
        "柳州市城中区老友粉店",
        CODES[0],
        "韦𠀾",
        "柳州市城中区文昌路12号",
        "2026-03-08",
        "2031-03-07",
    ],
    [
        "2",
        "JY14502020000022",
        "柳州市鱼峰区螺蛳粉馆",
        CODES[1],
        "刘䶮",
        "柳州市鱼峰区驾鹤路1号",
        "2026-04-01",
        "2031-03-31",
    ],
    [
        "3",
        "JY14502020000033",
        "柳州市柳南区酸嘢铺",
        CODES[2],
        "覃丽",
        "柳州市柳南区航鹰大道5号",
        "2026-05-20",
        "2031-05-19",
    ],
]
TITLE = ["2026年11月食品经营许可台账"] + [""] * 7
LAST = "2031-05-19"  # the last row's licence is valid until this day
NOTES = [
    ["填表说明："] + [""] * 7,
    ["1. 许可证编号以JY开头，共14位；"] + [""] * 7,
    ["2. 日期格式为YYYY-MM-DD。"] + [""] * 7,
]
SIGN_OFF = ["制表人：张三", "", "", "审核人：李四", "", "", "制表日期：2026年11月30日", ""]
SOURCE = """\
name: xuke
department: LZ-DJ
record_type: licence
fields:
  number: 许可证编号
  kind: {value: 食品经营许可证}
  holder_name: 经营者名称
  holder_uscc: 统一社会信用代码
  legal_representative: 法定代表人（负责人）
  address: 经营场所
  valid_from: 发证日期
  valid_to: 有效期至
"""

ENTITY_SOURCE = """\
name: xuke
department: LZ-DJ
record_type: entity
default_prefecture: "450200"
default_area_code: "0772"
fields:
  uscc: 统一社会信用代码
  name: 企业名称
  address: 住所
  phone: 联系电话（手机）
  founded_on: 成立日期
"""
ENTITIES = [
    ["统一社会信用代码", "企业名称", "住所", "联系电话(手机)", "成立日期"],
    [CODES[0], "柳州市甲有限公司", "柳州市城中区文昌路12号", "13,877,212,345", "2019/3/8 星期五"],
    [CODES[1], "柳州市乙有限公司", "柳州市城中区文昌路13号", "１３８７７２１２３４５", "20190308"],
    [CODES[2], "柳州市丙有限公司", "柳州市城中区文昌路14号", "138 7721 2345", "43532"],
    [CODES[3], "柳州市丁有限公司", "柳州市城中区文昌路15号", "'13877212345", "２０１９年３月８日"],
]

Build = Callable[[Path], Path]


def _html_page() -> bytes:
    """What web systems export as "Excel": an HTML table in GBK named .xls, a title spanning the columns, a two-row
    header (序号 spanning both rows, 许可证信息 both columns), a holder's cells spanning its two licences' rows."""
    cells = "".join

    def row(values: list[str], spans: dict[int, str] | None = None) -> str:
        return "<tr>" + cells(f"<td{(spans or {}).get(i, '')}>{v}</td>" for i, v in enumerate(values)) + "</tr>\n"

    data = [row([*r[:5], r[5].replace("区", "区<br>", 1), *r[6:]]) for r in DATA[:2]]
    data.append(row(DATA[2], {2: ' rowspan="2"', 3: ' rowspan="2"'}))
    data.append(row(["4", "JY14502020000044", "黄", "柳州市柳南区航鹰大道7号", "2026-06-01", "2031-05-31"]))
    page = (
        '<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head>'
        '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        '<style>td {mso-number-format:"\\@";}</style></head><body><table border="1">\n'
        '<tr><td colspan="8" align="center"><b>2026年11月食品经营许可台账</b></td></tr>\n'
        '<tr><th rowspan="2">序号</th><th colspan="2">许可证信息</th><th rowspan="2">统一社会信用代码</th>'
        '<th rowspan="2">法定代表人（负责人）</th><th rowspan="2">经营场所</th><th colspan="2">有效期</th></tr>\n'
        "<tr><th>许可证编号</th><th>经营者名称</th><th>发证日期</th><th>有效期至</th></tr>\n"
        + cells(data)
        + '<tr><td colspan="4">制表人：张&nbsp;三</td><td colspan="4">制表日期：2026年11月30日</td></tr>\n'
        "</table></body></html>\n"
    )
    return page.encode("gb18030")


def _csv(name: str, rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ",") -> Build:
    def build(folder: Path) -> Path:
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
        path = folder / name
        path.write_bytes(buffer.getvalue().encode(encoding))
        return path

    return build


SPREADSHEET_ML = (
    '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
    '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
    'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">\n<Worksheet ss:Name="Sheet1"><Table>\n'
    '<Row><Cell><Data ss:Type="String">许可证编号</Data></Cell>'
    '<Cell><Data ss:Type="String">经营者名称</Data></Cell></Row>\n'
    '<Row><Cell><Data ss:Type="String">JY1</Data></Cell><Cell><Data ss:Type="String">甲店</Data></Cell></Row>\n'
    "</Table></Worksheet></Workbook>\n"
)


def _bytes(name: str, content: bytes) -> Build:
    def build(folder: Path) -> Path:
        (folder / name).write_bytes(content)
        return folder / name

    return build


@dataclass
class Sheet:
    """A sheet to write: its rows, the ranges merged, whether hidden."""

    rows: list[list[Any]]
    merged: list[str] = field(default_factory=list)
    hidden: bool = False


def _xlsx(name: str, sheets: dict[str, Sheet], patch: dict[str, str] | None = None) -> Build:
    """A workbook as openpyxl writes it; `patch` replaces text in the sheets' XML (a value Excel would have saved)."""

    def build(folder: Path) -> Path:
        from openpyxl import Workbook

        book = Workbook()
        book.remove(book.active)  # type: ignore[arg-type]
        for title, sheet in sheets.items():
            made = book.create_sheet(title)
            for row in sheet.rows:
                made.append(row)
            for cells in sheet.merged:
                made.merge_cells(cells)
            if sheet.hidden:
                made.sheet_state = "hidden"
        path = folder / name
        book.save(path)
        if patch:
            _patch_sheets(path, patch)
        return path

    return build


def _bordered(name: str, rows: int) -> Build:
    """A template whose borders run over `rows` rows, of which only the first few are filled."""

    def build(folder: Path) -> Path:
        from openpyxl import Workbook
        from openpyxl.styles import Border, Side

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "台账"
        for row in [HEADER, *_typed(DATA)]:
            sheet.append(row)
        border = Border(left=Side(style="thin"), bottom=Side(style="thin"))
        for row_number in range(1, rows + 1):
            for column in range(1, len(HEADER) + 1):
                sheet.cell(row=row_number, column=column).border = border
        book.save(folder / name)
        return folder / name

    return build


def _patch_sheets(path: Path, patch: dict[str, str]) -> None:
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member, content in members.items():
            if member.startswith("xl/worksheets/"):
                text = content.decode("utf-8")
                for old, new in patch.items():
                    text = text.replace(old, new)
                content = text.encode("utf-8")
            archive.writestr(member, content)


def _xls(name: str, second_licence: bool = False) -> Build:
    """A legacy .xls as old office software saves it: a merged title, dates as date cells, a hidden sheet; with
    `second_licence`, a fourth licence of the third holder, whose name and code are merged down over both rows."""

    def build(folder: Path) -> Path:
        import xlwt

        book = xlwt.Workbook()
        sheet = book.add_sheet("许可台账")
        as_date = xlwt.easyxf(num_format_str="yyyy-mm-dd")
        sheet.write_merge(0, 0, 0, 7, TITLE[0])
        for column, text in enumerate(HEADER):
            sheet.write(1, column, text)
        for row, values in enumerate(DATA, start=2):
            for column, value in enumerate(values):
                if second_licence and row == 4 and column in (2, 3):
                    continue  # written merged below
                if column == 6:
                    sheet.write(row, column, datetime.fromisoformat(value), as_date)
                else:
                    sheet.write(row, column, int(value) if column == 0 else value)
        if second_licence:
            for column, value in ((0, 4), (1, "JY14502020000044"), (4, "黄"), (5, "柳州市柳南区航鹰大道7号")):
                sheet.write(5, column, value)
            for column in (2, 3):
                sheet.write_merge(4, 5, column, column, DATA[2][column])
        hidden = book.add_sheet("下拉选项")
        for row, choice in enumerate(["餐饮服务", "食品销售"]):
            hidden.write(row, 0, choice)
        hidden.visibility = 1
        book.save(str(folder / name))
        return folder / name

    return build


def _typed(rows: list[list[str]]) -> list[list[Any]]:
    """Data rows as a spreadsheet holds them: the number a number, the issue date a date."""
    return [[int(r[0]), *r[1:6], datetime.fromisoformat(r[6]), r[7]] for r in rows]


def _with(rows: list[list[str]], row: int, column: int, value: str) -> list[list[str]]:
    changed = [list(r) for r in rows]
    changed[row][column] = value
    return changed


@dataclass(frozen=True)
class Accepted:
    """What an ingested file must come to: rows by status, skips by reason, and clean values by licence number."""

    read: int
    accepted: int
    quarantined: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Refused:
    """What a refused file's message must say, in English and in Chinese (regular expressions)."""

    en: tuple[str, ...]
    zh: tuple[str, ...]


@dataclass(frozen=True)
class Case:
    name: str
    build: Build
    expect: Accepted | Refused
    source: str = SOURCE


PAGED = [
    TITLE,
    HEADER,
    DATA[0],
    DATA[1],
    ["注：本页共2户"] + [""] * 7,
    SIGN_OFF,
    HEADER,
    DATA[2],
    SIGN_OFF,
]
TWO_ROW_HEADER = [
    TITLE,
    ["序号", "许可证信息", "", "统一社会信用代码", "法定代表人（负责人）", "经营场所", "有效期", ""],
    ["", "许可证编号", "经营者名称", "", "", "", "发证日期", "有效期至"],
    *DATA,
]
HALF_WIDTH = [
    "序号 ",
    "*许可证编号 ",
    "经营者 名称",
    " 统一社会信用代码",
    "法定代表人(负责人)",
    "经营场所※",
    "发证日期（必填）",
    "有效期至",
]
WIDE = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})  # ASCII as full-width forms
FULL_WIDTH_DIGITS = _with(
    _with(_with(DATA, 0, 3, CODES[0].translate(WIDE)), 1, 1, DATA[1][1].translate(WIDE)),
    2,
    7,
    "47987",  # an Excel date serial that came out as text (2031-05-19, its licence's end)
)
FORMULAS = [
    HEADER,
    *_typed(DATA),
    [
        "=ROW()-1",
        '="JY1450202000004"&"4"',
        "柳州市公式店",
        CODES[3],
        "黄",
        "柳州市城中区文昌路9号",
        "=DATE(2026,6,1)",
        "2031-05-31",
    ],
]

# the holder's name written again in a last column, left blank in the first row only
SECOND_NAME_BLANK_FIRST = [[*r, r[2] if n else ""] for n, r in enumerate(_typed(DATA))]

CASES = [
    *[
        Case(
            f"a sheet whose dimension tag says {ref} (an export library's, wrong): every row and column read",
            _xlsx("台账.xlsx", {"台账": Sheet([HEADER, *_typed(DATA)])}, {'ref="A1:H4"': f'ref="{ref}"'}),
            Accepted(3, 3, values={"JY14502020000033": {"holder_name": "柳州市柳南区酸嘢铺", "valid_to": LAST}}),
        )
        for ref in ("A1", "A1:C2")
    ],
    Case(
        "a merged title, a blank row, a notes block and sign-off lines below the data (xlsx)",
        _xlsx(
            "许可台账.xlsx",
            {"许可台账": Sheet([TITLE, HEADER, *_typed(DATA), [], *NOTES, SIGN_OFF], merged=["A1:H1", "A6:H6"])},
        ),
        Accepted(9, 3, skipped={"title_row": 1, "blank": 1, "note_row": 4}),
    ),
    Case(
        "the same as CSV: title, notes block, sign-off line",
        _csv("许可台账.csv", [TITLE, HEADER, *DATA, [""] * 8, *NOTES, SIGN_OFF]),
        Accepted(9, 3, skipped={"title_row": 1, "blank": 1, "note_row": 4}),
    ),
    Case(
        "a paged export: a note and a sign-off at each page's end, the header again on the next page",
        _csv("分页导出.csv", PAGED),
        Accepted(8, 3, skipped={"title_row": 1, "note_row": 3, "repeated_header": 1}),
    ),
    Case(
        "以下空白 and a filled-in unit line",
        _csv(
            "以下空白.csv",
            [HEADER, *DATA, ["以下空白"] + [""] * 7, ["填报单位（盖章）：柳州市城中区市场监督管理局"] + [""] * 7],
        ),
        Accepted(5, 3, skipped={"note_row": 2}),
    ),
    Case(
        "a long notes block above the header (more lines than the header window)",
        _csv(
            "说明在上.csv",
            [TITLE, *[[f"{n}. 本表按月报送，第{n}条说明"] + [""] * 7 for n in range(1, 15)], HEADER, *DATA],
        ),
        Accepted(18, 3, skipped={"title_row": 15}),
    ),
    Case(
        "two header rows under a merged group, mapped by the single names",
        _csv("两行表头.csv", TWO_ROW_HEADER),
        Accepted(5, 3, skipped={"title_row": 1, "header_row": 1}),
    ),
    Case(
        "a form's row of column numbers under its header (甲 乙 then 1 2 3 ...), on each page of a paged export",
        _csv(
            "栏次.csv",
            [TITLE, HEADER, ["甲", "乙", *map(str, range(1, 7))], *DATA[:2], SIGN_OFF, HEADER]
            + [["甲", "乙", *map(str, range(1, 7))], DATA[2]],
        ),
        Accepted(8, 3, skipped={"title_row": 1, "column_numbers": 2, "note_row": 1, "repeated_header": 1}),
    ),
    Case(
        "the same in a workbook: 栏次 and the numbers as number cells, under a two-row header",
        _xlsx("栏次.xlsx", {"台账": Sheet([*TWO_ROW_HEADER[:3], ["栏次", *range(1, 8)], *_typed(DATA)])}),
        Accepted(6, 3, skipped={"title_row": 1, "header_row": 1, "column_numbers": 1}),
    ),
    Case(
        "circled numbers (①②③) under the header of a legacy-looking .xlsx named .xls",
        _xlsx("圈号.xls", {"台账": Sheet([HEADER, [chr(0x2460 + i) for i in range(8)], *_typed(DATA)])}),
        Accepted(4, 3, skipped={"column_numbers": 1}),
    ),
    Case(
        "half-width parentheses, inner and trailing spaces, required marks (*, ※, （必填）) in the header",
        _csv("表头空格.csv", [HALF_WIDTH, *DATA]),
        Accepted(3, 3),
    ),
    Case(
        "a notes sheet first, an empty sheet, a hidden sheet of the same shape, then the data",
        _xlsx(
            "多工作表.xlsx",
            {
                "填表说明": Sheet([["填表说明"], ["1. 本表由系统导出"], ["2. 请勿修改表头"]]),
                "Sheet2": Sheet([]),
                "已注销（隐藏）": Sheet(
                    [HEADER, ["9", "JY14502020000099", "已注销店", CODES[3], "黄", "柳州", "", ""]], hidden=True
                ),
                "许可台账": Sheet([HEADER, *_typed(DATA)]),
                "代码表": Sheet([["代码", "名称"], ["1", "餐饮服务"], ["2", "食品销售"]]),
            },
        ),
        Accepted(9, 3, skipped={"other_table": 4, "hidden_sheet": 2}),
    ),
    Case(
        "a legacy .xls: merged title, date cells, a hidden sheet of drop-down choices",
        _xls("许可台账.xls"),
        Accepted(
            6, 3, skipped={"title_row": 1, "hidden_sheet": 2}, values={"JY14502020000011": {"valid_from": "2026-03-08"}}
        ),
    ),
    Case(
        "a holder's name and code merged down over the rows of its two licences (xlsx)",
        _xlsx(
            "合并单元格.xlsx",
            {
                "台账": Sheet(
                    [
                        TITLE,
                        HEADER,
                        *_typed(DATA),
                        [4, "JY14502020000044", None, None, "黄", "柳州市柳南区航鹰大道7号", None, None],
                        ["填表说明：同一经营者的多张许可证合并单元格填写"],
                    ],
                    merged=["A1:H1", "C5:C6", "D5:D6", "A7:H8"],
                )
            },
        ),
        Accepted(
            6,
            4,
            skipped={"title_row": 1, "note_row": 1},  # the merged note's second row is blank, and the last
            values={
                "JY14502020000044": {
                    "holder_name": "柳州市柳南区酸嘢铺",
                    "holder_uscc": CODES[2],
                    "legal_representative": "黄",
                }
            },
        ),
    ),
    Case(
        "the same in a legacy .xls",
        _xls("合并单元格.xls", second_licence=True),
        Accepted(
            7,
            4,
            skipped={"title_row": 1, "hidden_sheet": 2},
            values={"JY14502020000044": {"holder_name": "柳州市柳南区酸嘢铺", "holder_uscc": CODES[2]}},
        ),
    ),
    Case(
        "formulas saved with their values (as Excel saves them), one with an empty text result",
        _xlsx(
            "公式已计算.xlsx",
            {"台账": Sheet([*FORMULAS, ["=A5+1", "JY14502020000055", *DATA[0][2:6], "2026-03-08", '=""']])},
            patch={
                "<f>ROW()-1</f><v></v>": "<f>ROW()-1</f><v>4</v>",
                '<f>"JY1450202000004"&amp;"4"</f><v></v>': '<f>"JY1450202000004"&amp;"4"</f><v>JY14502020000044</v>',
                "<f>DATE(2026,6,1)</f><v></v>": "<f>DATE(2026,6,1)</f><v>46174</v>",
                "<f>A5+1</f><v></v>": "<f>A5+1</f><v>5</v>",
                '<c r="H6"><f>""</f><v></v>': '<c r="H6" t="str"><f>""</f><v></v>',
                '<c r="B5">': '<c r="B5" t="str">',
            },
        ),
        Accepted(5, 5, values={"JY14502020000044": {"holder_name": "柳州市公式店"}}),
    ),
    Case(
        "GB18030-only name characters in a file whose source says gbk",
        _csv("gbk.csv", [HEADER, *DATA], encoding="gb18030"),
        Accepted(
            3,
            3,
            values={
                "JY14502020000011": {"legal_representative": "韦𠀾"},
                "JY14502020000022": {"legal_representative": "刘䶮"},
            },
        ),
        source=SOURCE + "encoding: gbk\n",
    ),
    Case(
        "Excel's Unicode text: UTF-16, tab-delimited, a line break inside a quoted cell",
        _csv(
            "unicode.txt", [HEADER, *_with(DATA, 1, 5, "柳州市鱼峰区\r\n驾鹤路1号")], encoding="utf-16", delimiter="\t"
        ),
        Accepted(3, 3),
    ),
    Case(
        "full-width digits in identifiers and a date serial as text",
        _csv("全角.csv", [HEADER, *FULL_WIDTH_DIGITS]),
        Accepted(
            3,
            3,
            values={
                "JY14502020000011": {"holder_uscc": CODES[0]},
                "JY14502020000022": {"holder_name": "柳州市鱼峰区螺蛳粉馆"},
                "JY14502020000033": {"valid_to": "2031-05-19"},
            },
        ),
    ),
    Case(
        "a column name written twice, the copies holding other values: the source must say which it maps",
        _csv("重复列名.csv", [[*HEADER, "经营者名称"], *[[*r, "另一个名称"] for r in DATA]]),
        Refused(
            (
                r"`重复列名.csv`: the header writes column `经营者名称` 2 times",
                r"\(read as `经营者名称`, `经营者名称_2`\)",
                r"row 2: `柳州市城中区老友粉店`, `另一个名称`",
                r"field `holder_name` of source `xuke`",
                r"`holder_name: 经营者名称_1` for the first, `holder_name: 经营者名称_2` for the second",
            ),
            (r"列「经营者名称」出现 2 次", "第 2 行", "第一列写 `holder_name: 经营者名称_1`", "第二列写"),
        ),
    ),
    Case(
        "the same in a workbook, the copies differing in one row only (one blank)",
        _xlsx(
            "重复列名.xlsx",
            {"台账": Sheet([[*HEADER, "经营者名称"], *SECOND_NAME_BLANK_FIRST])},
        ),
        Refused(
            (r"`重复列名.xlsx`, sheet `台账`: the header writes column `经营者名称` 2 times", "row 2: "), ("工作表",)
        ),
    ),
    Case(
        "a column name written twice with the same values in every row (sheets pasted together): harmless",
        _xlsx("重复同值.xlsx", {"台账": Sheet([[*HEADER, " 经营者名称"], *[[*r, f"{r[2]} "] for r in _typed(DATA)]])}),
        Accepted(3, 3, values={"JY14502020000011": {"holder_name": "柳州市城中区老友粉店"}}),
    ),
    Case(
        "the source names the first copy (经营者名称_1)",
        _csv("重复列名一.csv", [[*HEADER, "经营者名称"], *[[*r, "另一个名称"] for r in DATA]]),
        Accepted(3, 3, values={"JY14502020000011": {"holder_name": "柳州市城中区老友粉店"}}),
        source=SOURCE.replace("holder_name: 经营者名称", "holder_name: 经营者名称_1"),
    ),
    Case(
        "the source names the second copy (经营者名称_2), in a workbook",
        _xlsx("重复列名二.xlsx", {"台账": Sheet([[*HEADER, "经营者名称"], *[[*r, "另一名称"] for r in _typed(DATA)]])}),
        Accepted(3, 3, values={"JY14502020000011": {"holder_name": "另一名称"}}),
        source=SOURCE.replace("holder_name: 经营者名称", "holder_name: 经营者名称_2"),
    ),
    Case(
        "a licence valid until a day before it was issued (有效期至 before 发证日期), as CSV and as a workbook",
        _csv("有效期倒置.csv", [HEADER, *_with(DATA, 1, 7, "2021-03-31")]),
        Accepted(3, 2, quarantined=1),
    ),
    Case(
        "the same in a workbook, the issue date a date cell",
        _xlsx("有效期倒置.xlsx", {"台账": Sheet([HEADER, *_typed(_with(DATA, 2, 7, "2026-05-19"))])}),
        Accepted(3, 2, quarantined=1),  # a day short: 2026-05-20 .. 2026-05-19
    ),
    *[
        Case(
            f'the same page saved as "Unicode" (UTF-16, {order}), named {name}: its byte-order mark decides over the '
            "charset its <meta> names",
            _bytes(name, bom + _html_page().decode("gb18030").encode(codec)),
            Accepted(7, 4, skipped={"title_row": 1, "header_row": 1, "note_row": 1}),
        )
        for name, order, bom, codec in (
            ("导出.xls", "little-endian", b"\xff\xfe", "utf-16-le"),
            ("导出.xlsx", "big-endian", b"\xfe\xff", "utf-16-be"),
        )
    ],
    Case(
        'a UTF-16 HTML page given to a CSV source: said as a page, not read as rows of markup',
        _bytes("导出.csv", b"\xff\xfe" + _html_page().decode("gb18030").encode("utf-16-le")),
        Refused((r"`导出.csv` holds no table: it appears to be an HTML page",), (r"`导出.csv`",)),
    ),
    Case(
        "phones with thousands separators, full-width digits, spaces; dates four ways (one with its weekday)",
        _csv("登记.csv", ENTITIES),
        Accepted(4, 4, values={code: {"phone": "13877212345", "founded_on": "2019-03-08"} for code in CODES}),
        source=ENTITY_SOURCE,
    ),
    Case(
        'an HTML page in GBK named .xls (a web system\'s "Excel" export), spans laid out as a person reads them',
        _bytes("导出.xls", _html_page()),
        Accepted(
            7,
            4,
            skipped={"title_row": 1, "header_row": 1, "note_row": 1},
            values={
                "JY14502020000011": {"legal_representative": "韦𠀾", "address": "柳州市城中区 文昌路12号"},
                "JY14502020000044": {"holder_name": "柳州市柳南区酸嘢铺", "holder_uscc": CODES[2]},
            },
        ),
    ),
    Case(
        "a template with borders over 3,000 rows and three filled: the empty rows are formatting, not rows",
        _bordered("带边框模板.xlsx", 3000),
        Accepted(3, 3),
    ),
    Case(
        "an .xlsx workbook named .xls",
        _xlsx("台账.xls", {"许可台账": Sheet([TITLE, HEADER, *_typed(DATA)])}),
        Accepted(4, 3, skipped={"title_row": 1}),
    ),
    Case(
        "an old .xls named .xlsx",
        lambda folder: _xls("old.xls")(folder).rename(folder / "old.xlsx"),
        Accepted(6, 3, skipped={"title_row": 1, "hidden_sheet": 2}),
    ),
    Case(
        "a header and no data: a batch of 0 rows",
        _csv("只有表头.csv", [TITLE, HEADER]),
        Accepted(1, 0, skipped={"title_row": 1}),
    ),
    Case(
        "an empty file",
        _bytes("空.csv", b""),
        Refused((r"`空.csv` holds no table", "empty file"), (r"`空.csv`", "空文件")),
    ),
    Case(
        "a UTF-16 file holding only its byte-order mark",
        _bytes("空.txt", b"\xff\xfe"),
        Refused((r"`空.txt` holds no table", "blank"), (r"`空.txt`", "空白文件")),
    ),
    Case(
        "an HTML page named .xls with no table in it",
        _bytes("无表格.xls", "<html><head><meta charset='gbk'></head><body><p>无数据</p></body></html>".encode("gbk")),
        Refused((r"`无表格.xls` holds no table: it appears to be an HTML page with no table",), ("其中没有表格",)),
    ),
    *[
        Case(
            f"an Excel 2003 XML spreadsheet named {name}: said as what it is (it has a <Table>: not an HTML page)",
            _bytes(name, SPREADSHEET_ML.encode("utf-8")),
            Refused((rf"`{name}`", "an Excel 2003 XML spreadsheet", "save it as .xlsx"), ("Excel 2003 XML", "另存为")),
        )
        for name in ("导出.xls", "导出.xml.csv")
    ],
    Case(
        "blank lines only",
        _csv("空行.csv", [["", "", ""], ["", "", ""]]),
        Refused((r"`空行.csv` holds no table: no header row was found",), (r"`空行.csv`", "未找到表头行")),
    ),
    Case(
        "a header-only file of another table",
        _csv("别的表.csv", [["检查编号", "检查日期", "检查结果"]]),
        Refused(
            (r"`别的表.csv` has no column\(s\) `许可证编号`", "Its columns are: `检查编号`", "Fix the source file"),
            (r"`别的表.csv`", "缺少数据源 `xuke` 需要的列：许可证编号", "文件中的列为", "请修改数据源文件"),
        ),
    ),
    Case(
        "a workbook none of whose sheets has the source's columns",
        _xlsx(
            "别的工作簿.xlsx",
            {"说明": Sheet([["说明"], ["无"]]), "检查": Sheet([["检查编号", "检查结果"], ["1", "合格"]])},
        ),
        Refused((r"`别的工作簿.xlsx`, sheet `说明` has no column\(s\)",), ("工作表 `说明`", "缺少数据源")),
    ),
    Case(
        "the only data sheet hidden",
        _xlsx("隐藏.xlsx", {"台账": Sheet([HEADER, *_typed(DATA)], hidden=True), "空": Sheet([])}),
        Refused(
            (r"`隐藏.xlsx` holds no table", "hidden sheet\\(s\\) `台账`", "`sheets:`"),
            ("隐藏的工作表 `台账`", "sheets"),
        ),
    ),
    Case(
        "formulas written by a program that never calculated them (openpyxl leaves an empty value)",
        _xlsx("公式.xlsx", {"台账": Sheet(FORMULAS)}),
        Refused(
            (r"`公式.xlsx`, sheet `台账` cell A5 holds `=ROW\(\)-1` with no value", r"\(3 such cell", "Excel or WPS"),
            ("工作表 `台账` 的单元格 A5", "没有保存其计算结果", "WPS"),
        ),
    ),
    Case(
        "formulas with no value element at all (as some export libraries write them)",
        _xlsx("公式无值.xlsx", {"台账": Sheet(FORMULAS)}, patch={"<v></v>": ""}),
        Refused((r"cell A5 holds `=ROW\(\)-1`", r"\(3 such cell"), ("单元格 A5",)),
    ),
    Case(
        "a mapped column matching two columns under different groups",
        _csv(
            "两个名称.csv",
            [
                [
                    "序号",
                    "许可证编号",
                    "持证人",
                    "",
                    "原持证人",
                    "",
                    "法定代表人（负责人）",
                    "经营场所",
                    "发证日期",
                    "有效期至",
                ],
                ["", "", "经营者名称", "统一社会信用代码", "经营者名称", "统一社会信用代码", "", "", "", ""],
                [*DATA[0][:4], "旧名称", *DATA[0][3:]],
            ],
        ),
        Refused(
            (r"`经营者名称` \(`持证人/经营者名称` or `原持证人/经营者名称`\)", "match more than one column"),
            ("对应多个列", "准确填写列名"),
        ),
    ),
]


def _ingest(city: sessionmaker[Session], path: Path, source: SourceConfig) -> IngestResult:
    with city() as session, session.begin():
        result = ingest_file(session, OPERATOR, source, path, today=TODAY, outbox=Outbox())
        session.expunge(result.batch)
    return result


def _count(city: sessionmaker[Session], table: Any) -> int:
    with city() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def _values(city: sessionmaker[Session]) -> dict[str, dict[str, str]]:
    with city() as session:
        found = [json.loads(data) for data in session.scalars(select(RecordVersion.data))]
    return {record.get("number") or record["uscc"]: record for record in found}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_an_unseen_export_is_ingested_whole_or_refused_by_name(
    city: sessionmaker[Session], tmp_path: Path, case: Case
) -> None:
    path = case.build(tmp_path)
    source = parse_source(case.source, "sources/xuke.yaml")
    if isinstance(case.expect, Refused):
        with pytest.raises(InputError) as raised:
            _ingest(city, path, source)
        for pattern in case.expect.en:
            assert re.search(pattern, raised.value.message), (pattern, raised.value.message)
        for pattern in case.expect.zh:
            assert re.search(pattern, raised.value.message_zh or ""), (pattern, raised.value.message_zh)
        assert "Nothing was ingested" in raised.value.message
        assert [_count(city, table) for table in (Batch, RawRow, RecordVersion, QuarantineItem)] == [0, 0, 0, 0]
        return
    expect = case.expect
    batch = _ingest(city, path, source).batch
    report = json.loads(batch.report)
    assert report["rows"] == {
        "read": expect.read,
        "accepted": expect.accepted,
        "quarantined": expect.quarantined,
        "skipped": sum(expect.skipped.values()),
    }, report["reasons"]
    assert report["skipped_by_reason"] == expect.skipped
    assert batch.rows_read == batch.rows_accepted + batch.rows_quarantined + batch.rows_skipped
    assert _count(city, RawRow) == expect.read  # every row read kept, each skip with its reason
    values = _values(city)
    for number, fields in expect.values.items():
        assert {name: values[number].get(name) for name in fields} == fields


NOTES_AND_PAGES = (
    "2026年11月食品经营许可台账,,,\r\n"
    "许可证编号,经营者名称,经营场所,发证日期\r\n"
    "JY1,甲店,城中区,2026-03-08\r\n"
    "注：本页共1户,,,\r\n"
    "制表人：张三,,审核人：李四,\r\n"
    "许可证编号,经营者名称,经营场所,发证日期\r\n"
    "JY2,乙店,鱼峰区,2026-04-01\r\n"
    "说明：,,,\r\n"
    "1. 第一条,,,\r\n"
    ",,,\r\n"
    "2. 第二条,,,\r\n"
    "制表日期：2026年11月30日,,,\r\n"
    "注塑厂,仍是数据,柳南区,2026-05-20\r\n"
    "JY3,丙店,柳北区,2026-05-21\r\n"
    "备注：完,,,\r\n"
    "一行,,,\r\n"
)


NARROW = "许可证编号,经营者名称\r\nJY1,甲店\r\n注：以下两户名称待补\r\nJY2,\r\nJY3,\r\n制表人：张三,\r\n"
# an export system's footer: the count, where the data came from, who exported it and when
FOOTER = (
    "许可证编号,经营者名称,经营场所\r\nJY1,甲店,城中区\r\nJY2,乙店,鱼峰区\r\n"
    "共2条记录,,\r\n数据来源：市场监管一体化平台,,\r\n导出人：张三,导出时间：2026-11-30 10:00,\r\n"
)


# a hand-kept ledger: a note, then the month's new firms with little more than their names and credit codes
APPENDED = (
    "序号,企业名称,统一社会信用代码,住所,法定代表人,成立日期,注册资本,经营范围\r\n"
    "1,甲公司,91450200MA5K000001,城中区,张三,2020-01-01,100,餐饮\r\n"
    "2,乙公司,91450200MA5K000002,鱼峰区,李四,2021-01-01,200,零售\r\n"
    "备注：以下为本月新增，信息待补充,,,,,,,\r\n"
    "3,丙公司,91450202MA5K3C1Q20,,,,,\r\n"
    "4,丁公司, 92450203ma5k7d2r15 ,,,,,\r\n"
    "注：91450202MA5K3C1Q20 的住所待核实,,,,,,,\r\n"
)


@pytest.mark.parametrize(
    ("text", "rows", "skipped"),
    [
        # a row holding a credit code is a firm's: it ends the notes, however little else it fills
        (APPENDED, [2, 3, 5, 6], [(4, "note_row"), (7, "note_row")]),
        (
            NOTES_AND_PAGES,
            [3, 7, 13, 14],  # 注塑厂 is data: it fills more than half the header, which ends the notes
            [(1, "title_row"), (4, "note_row"), (5, "note_row"), (6, "repeated_header"), (8, "note_row")]
            + [(9, "note_row"), (10, "blank"), (11, "note_row"), (12, "note_row"), (15, "note_row"), (16, "note_row")],
        ),
        # two columns: a data row with a cell left empty fills as little as a note's line, so it stays data
        (NARROW, [2, 4, 5], [(3, "note_row"), (6, "note_row")]),
        (FOOTER, [2, 3], [(4, "note_row"), (5, "note_row"), (6, "note_row")]),
    ],
    ids=["appended", "wide", "narrow", "footer"],
)
def test_both_csv_paths_skip_the_same_notes_and_sign_off_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, rows: list[int], skipped: list[tuple[int, str]]
) -> None:
    """The fast path (polars) and the row-by-row path judge notes blocks alike, across pages and blank lines."""
    from zhizhi.ingest.read import open_file

    path = tmp_path / "notes.csv"
    path.write_text(text, encoding="utf-8")

    def read() -> tuple[list[tuple[int, str]], list[int]]:
        reading = open_file(path)
        rows = [n for chunk in reading.chunks for n in chunk.frame["_row"].to_list()]
        return [(s.row, s.reason) for s in reading.skipped], rows

    fast = read()
    monkeypatch.setattr(csv_reader, "fast_chunks", lambda *args: None)
    slow = read()
    assert fast == slow
    assert fast[1] == rows
    assert fast[0] == skipped


def test_a_quarantined_row_of_a_file_with_its_own_header_spelling_is_fixed_and_replayed(
    city: sessionmaker[Session], tmp_path: Path
) -> None:
    """The file writes 法定代表人(负责人) and 经营者 名称; a fix named by the field lands on the file's column."""
    rows = [HALF_WIDTH, *_with(DATA, 0, 2, "")]  # the first row has no holder's name: quarantined
    path = _csv("表头空格.csv", rows)(tmp_path)
    source = parse_source(SOURCE, "sources/xuke.yaml")
    batch = _ingest(city, path, source).batch
    assert (batch.rows_accepted, batch.rows_quarantined) == (2, 1)
    mapping = source_mapping(batch)  # raw rows are masked by the field each column fed, as the file wrote it
    assert mapping["法定代表人(负责人)"] == mapping["法定代表人（负责人）"] == "legal_representative"
    with city() as session, session.begin():
        item = session.scalars(select(QuarantineItem)).one()
        findings = json.loads(item.findings)
        assert findings[0]["column"] == "经营者 名称" and findings[0]["code"] == "field.missing"
        fixed = fix_item(session, OPERATOR, item.id, "holder_name", "柳州市城中区老友粉店", source=source)
        assert list(fixed["fixes"]) == ["经营者 名称"]
        done = replay(session, OPERATOR, lambda name: source, item_ids=[item.id], today=TODAY, outbox=Outbox())
    assert done["replayed"] == 1
    assert _values(city)["JY14502020000011"]["holder_name"] == "柳州市城中区老友粉店"


def test_a_row_skipped_when_its_file_comes_again_leaves_quarantine(city: sessionmaker[Session], tmp_path: Path) -> None:
    """A row quarantined once (a sign-off line read as data, a row later emptied) waits no more when the same file,
    sent again, has it skipped."""
    source = parse_source(SOURCE, "sources/xuke.yaml")
    first = _csv("台账.csv", [HEADER, DATA[0], _with(DATA, 1, 2, "")[1], DATA[2]])(tmp_path)
    assert _ingest(city, first, source).batch.rows_quarantined == 1
    second = _csv("台账.csv", [HEADER, DATA[0], [""] * 8, DATA[2], DATA[1]])(tmp_path)
    batch = _ingest(city, second, source).batch
    assert (batch.rows_accepted, batch.rows_quarantined, batch.rows_skipped) == (3, 0, 1)
    with city() as session:
        assert session.scalars(select(QuarantineItem.status)).all() == ["superseded"]


def test_excel_error_values_in_mapped_columns_quarantine_their_rows(
    city: sessionmaker[Session], tmp_path: Path
) -> None:
    """#N/A (a VLOOKUP that found nothing) in a name is no name; in a column the source does not map it is no matter."""
    rows = [
        HEADER,
        _with(DATA, 0, 2, "#N/A")[0],
        _with(_with(DATA, 1, 5, "#REF!"), 1, 7, "#VALUE!")[1],
        ["#N/A", *DATA[2][1:]],
    ]
    batch = _ingest(city, _csv("vlookup.csv", rows)(tmp_path), parse_source(SOURCE, "sources/xuke.yaml")).batch
    assert (batch.rows_accepted, batch.rows_quarantined) == (1, 2)
    with city() as session:
        items = [json.loads(i.findings) for i in session.scalars(select(QuarantineItem))]
    found = [f for findings in items for f in findings if f["code"] == "value.not_allowed"]
    assert sorted(f["column"] for f in found) == ["有效期至", "经营场所", "经营者名称"]
    assert any("Excel 的错误值「#N/A」" in f["message_zh"] and "fix the formula" in f["message"] for f in found)
    # said once, as what it is: #VALUE! in 有效期至 is no date "of the wrong form" to write again
    assert [f["code"] for findings in items for f in findings if f["column"] == "有效期至"] == ["value.not_allowed"]


WITH_KIND = [[*HEADER, "许可证种类"], *[[*row, "食品经营许可证"] for row in _typed(DATA)]]


@pytest.mark.parametrize(
    ("beside", "sheets", "skipped"),
    [
        # notes and codes share no column with the ledger: the source names no sheets, ingest skips their rows
        (
            {
                "填表说明": Sheet([["填表说明"], ["1. 本表由系统导出"]]),
                "代码表": Sheet([["代码", "名称"], ["1", "餐饮"]]),
            },
            [],
            2,
        ),
        # a summary shares 经营者名称: the source names the ledger's sheet, so that the summary is not read
        ({"汇总": Sheet([["经营者名称", "许可证数"], ["柳州市城中区老友粉店", "1"]])}, ["许可台账"], 0),
    ],
    ids=["notes-and-codes", "summary"],
)
def test_a_source_suggested_for_a_workbook_of_several_tables_ingests_it(
    city: sessionmaker[Session], tmp_path: Path, beside: dict[str, Sheet], sheets: list[str], skipped: int
) -> None:
    from zhizhi.sources.suggest import suggest_source

    path = _xlsx("多表.xlsx", {"许可台账": Sheet(WITH_KIND), **beside})(tmp_path)
    suggestion = suggest_source(path, name="xuke", department="LZ-DJ", today=TODAY)
    assert suggestion.complete and suggestion.columns == WITH_KIND[0]  # only the ledger's columns are suggested
    assert list(suggestion.source.sheets) == sheets and suggestion.source.record_type == "licence"
    assert any("another table" in warning for warning in suggestion.warnings)
    batch = _ingest(city, path, suggestion.source).batch
    assert (batch.rows_read, batch.rows_accepted, batch.rows_skipped) == (3 + skipped, 3, skipped)


def _two_tables(name: str, tables: dict[str, list[list[str]]]) -> Build:
    """An HTML page named .xls holding a table per district: read as the sheets `table 1`, `table 2`."""

    def build(folder: Path) -> Path:
        def table(rows: list[list[str]]) -> str:
            cells = ("".join(f"<td>{cell}</td>" for cell in row) for row in rows)
            return "<table>" + "".join(f"<tr>{row}</tr>" for row in cells) + "</table>"

        (folder / name).write_text("<html><body>" + "".join(map(table, tables.values())) + "</body></html>", "utf-8")
        return folder / name

    return build


@pytest.mark.parametrize("kind", ["xlsx", "html"])
def test_a_sheet_with_data_the_source_does_not_name_is_said_left_out(
    city: sessionmaker[Session], tmp_path: Path, kind: str
) -> None:
    """A source naming the sheet 城中区 of a workbook whose 鱼峰区 holds two more licences (a 备注 column more): the
    batch said read 3 = 3 + 0 + 0, and the two rows were counted nowhere. Now the report names each sheet left out
    with its rows below the header (a hidden sheet, a drop-down's choices, is not data and not named)."""
    second = [TITLE, [*HEADER, "备注"], *[[*row, ""] for row in DATA[:2]], ["合计", "2户"]]
    sheets = {"城中区": [TITLE, HEADER, *DATA], "鱼峰区": second}
    if kind == "xlsx":
        choices = Sheet([["是"], ["否"]], hidden=True)
        build = _xlsx("分区.xlsx", {name: Sheet(rows) for name, rows in sheets.items()} | {"选项": choices})
        named, left = "城中区", "鱼峰区"
    else:
        build, named, left = _two_tables("分区.xls", sheets), "table 1", "table 2"
    source = parse_source(SOURCE + f"sheets: [{named}]\n", "sources/xuke.yaml")
    batch = _ingest(city, build(tmp_path), source).batch
    assert (batch.rows_read, batch.rows_accepted) == (4, 3)
    assert json.loads(batch.report)["sheets_left_out"] == [{"sheet": left, "rows": 3}]
    every = parse_source(SOURCE.replace("xuke", "fenqu"), "sources/fenqu.yaml")  # every sheet read, none left out
    batch = _ingest(city, build(tmp_path), every).batch
    assert batch.rows_accepted == 5 and json.loads(batch.report)["sheets_left_out"] == []


def test_the_sheets_skipped_as_other_tables_are_named(web: Web, tmp_path: Path) -> None:
    """A district's sheet headed otherwise (使用单位 for 经营者名称 ...) shares no column with the source: its rows were
    skipped as `other_table`, and the batch said only `other_table 2`, not which sheet. The report and the command
    line name each such sheet with its rows."""
    from zhizhi.cli.main import app

    (web.workspace.root / "sources" / "xuke.yaml").write_text(SOURCE, encoding="utf-8")
    other = [["序号", "许可编号", "单位", "信用代码"], *[[str(n), f"JY1450202000009{n}", "某店", ""] for n in (1, 2)]]
    path = _xlsx("分区.xlsx", {"城中区": Sheet([HEADER, *DATA]), "柳南区": Sheet(other)})(tmp_path)
    result = CliRunner().invoke(app, ["-w", str(web.workspace.root), "ingest", "xuke", str(path)],
                                env={"COLUMNS": "400"})  # fmt: skip
    assert result.exit_code == 0, result.stdout
    out = " ".join(result.stdout.split())
    assert "read 5 = accepted 3 + quarantined 0 + skipped 2" in out
    assert "Other tables (sheets sharing no column with the source): `柳南区` (2)" in out and "其他表格" in out
    with web.sessions() as session:
        report = json.loads(session.scalars(select(Batch.report)).one() or "{}")
    assert report["other_tables"] == [{"sheet": "柳南区", "rows": 2}]


def test_the_command_line_and_the_batch_page_warn_of_a_sheet_left_out(web: Web, tmp_path: Path) -> None:
    from zhizhi.cli.main import app

    (web.workspace.root / "sources" / "xuke.yaml").write_text(SOURCE + "sheets: [城中区]\n", encoding="utf-8")
    path = _xlsx("分区.xlsx", {"城中区": Sheet([HEADER, *DATA]), "鱼峰区": Sheet([HEADER, *DATA[:2]])})(tmp_path)
    result = CliRunner().invoke(app, ["-w", str(web.workspace.root), "ingest", "xuke", str(path)],
                                env={"COLUMNS": "400"})  # fmt: skip
    assert result.exit_code == 0, result.stdout
    out = " ".join(result.stdout.split())
    assert "read 3 = accepted 3" in out and "Sheet(s) not read, their rows not counted: `鱼峰区` (2)" in out
    assert "以下工作表有数据但未读取" in out
    with web.sessions() as session:
        batch_id = session.scalars(select(Batch.id)).one()
    web.login_form("leader")
    warning = web.client.get(f"/batches/{batch_id}").text.split('id="sheets-left-out"')[1].split("</div>")[0]
    assert "以下工作表有数据但未读取" in warning and "鱼峰区</span>: 表头以下 2 行" in warning
    web.client.get("/lang/en")
    warning = web.client.get(f"/batches/{batch_id}").text.split('id="sheets-left-out"')[1].split("</div>")[0]
    assert "Sheets holding data were not read" in warning and "2 row(s) below its header" in warning


def test_the_command_line_says_why_a_workbook_is_refused_in_both_languages(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    from zhizhi.cli.main import app

    (workspace.root / "sources" / "xuke.yaml").write_text(SOURCE, encoding="utf-8")
    refused = _xlsx("公式.xlsx", {"台账": Sheet(FORMULAS)})(tmp_path)
    notes = _csv("许可台账.csv", [TITLE, HEADER, *DATA, *NOTES, SIGN_OFF])(tmp_path)
    command = ["-w", str(workspace.root), "ingest", "xuke", str(refused), str(notes)]
    result = CliRunner().invoke(app, command, env={"COLUMNS": "400"})
    assert result.exit_code == 1
    out = " ".join(result.stdout.split())
    assert "`公式.xlsx`: Workbook `公式.xlsx`, sheet `台账` cell A5 holds `=ROW()-1`" in out
    assert "工作表 `台账` 的单元格 A5 是公式" in out and "(nothing from this file was kept)" in out
    assert "read 8 = accepted 3 + quarantined 0 + skipped 5" in out and "note_row 4" in out


@pytest.mark.parametrize("row", [1, 250])
def test_a_stray_nul_in_a_cell_is_read_wherever_it_stands(
    city: sessionmaker[Session], tmp_path: Path, row: int
) -> None:
    """One NUL byte in a name refused the whole file as binary when it stood in the first 8 KB, and was read when it
    stood later: a stray control byte is read wherever it is (the clean value drops it; a file of such bytes is still
    refused as binary by what share of it they are)."""
    rows = [[str(n), f"JY1450202{n:07d}", f"测试{n}商行", "", "", "", "2026-03-08", "2031-03-07"] for n in range(300)]
    rows[row][2] = "测试\x00商行"
    path = tmp_path / "许可.csv"
    path.write_text("\r\n".join(",".join(r) for r in [HEADER, *rows]) + "\r\n", encoding="utf-8")
    batch = _ingest(city, path, parse_source(SOURCE, "sources/xuke.yaml")).batch
    assert batch.rows_read == 300 and batch.rows_read == batch.rows_accepted + batch.rows_quarantined
    assert _values(city)[f"JY1450202{row:07d}"]["holder_name"] == "测试商行"
