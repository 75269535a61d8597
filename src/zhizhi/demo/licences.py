"""The food-licence ledger (食品经营许可证发放台账) of the demo city's 食品经营安全监督管理科 (LZ-SP), as .xlsx.

It is what the section keeps by hand in Excel: a title row; a two-row header whose groups are merged cells (许可证
over 编号 | 有效期起 | 有效期至, 经营者 over 名称 | 统一社会信用代码 | 法定代表人（负责人）, 经营项目 over 项目名称 |
业态代码); one sheet for the licences the city bureau issued (市本级: the four urban districts) and one for those of
the county-level bureaus (县区: 柳江区, 柳城县); a 合计 row under each. Most holders are entities of the registration
export (the same credit code, the name written a little differently); the others are canteens of schools,
hospitals, offices and building sites, and chain-store branches, none of which the registration export holds.

A licence number is JY, the 主体业态 digit (1 食品销售经营者, 2 餐饮服务经营者, 3 单位食堂), the issuing bureau's
division code, a six-digit sequence and a check digit, as the 食品经营许可管理办法 lays the number out (the demo's
check digit is ISO 7064 MOD 11,10: the real rule is not published). A licence is valid for five years, so the
ledger still lists licences that have run out.

Dirt, each kind in the exact number `DIRT` gives (no cell gets two kinds): credit codes with a wrong check
character, typed in full width, or left blank; licence numbers left blank or typed in full width; a 有效期起 that
does not exist (2023年2月29日) or typed in full-width digits; business-format codes the local list dropped, typed
wrong, or left blank; 主体业态 and 发证机关 written short. Besides: dates as Excel date cells and as text in
several forms, the header repeated (both rows) in the middle of 市本级, a blank row above the total of 县区. What
was done is tallied by `write_licences`.

`MOVED` of the holders whose code was left blank trade a few doors from their registered address (经营场所与住所
不一致: a shop that moved along the street). Name and person agree with the registration, the address does not
quite: the register is not sure, and puts each pair in its review queue for a steward.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from stdnum.iso7064 import mod_11_10

from zhizhi.demo.codes import Format
from zhizhi.demo.formats import RETIRED_FORMATS
from zhizhi.demo.records import (
    DISTRICTS,
    ROADS,
    Record,
    assign,
    broken_check_char,
    credit_code,
    district_of,
    full_width,
    impossible_date,
    is_individual,
    person_name,
    street_address,
    written_date,
    written_name,
)

SEED = 20261121
FILE_NAME = "food_licences.xlsx"
TITLE = "柳州市食品经营许可证发放台账（截至2026年11月）"
CITY_SHEET, COUNTY_SHEET = "市本级", "县区"
SHEETS = (CITY_SHEET, COUNTY_SHEET)
ISSUED_FROM, ISSUED_TO = date(2020, 7, 1), date(2026, 11, 13)
REGISTERED = 1_320  # holders taken from the registration export
CANTEENS = 105  # schools, hospitals, offices, building sites: not in the registration export
BRANCHES = 75  # branches of chain stores registered elsewhere
ROWS = REGISTERED + CANTEENS + BRANCHES
MOVED = 8  # registered holders without a code, found a few doors along the street

# The header as the two rows show it (None: part of a merged cell) and as the readers join it.
TOP = ["序号", "许可证", None, None, "经营者", None, None, "经营场所", "主体业态", "经营项目", None, "发证机关"]
SUB = [None, "编号", "有效期起", "有效期至", "名称", "统一社会信用代码", "法定代表人（负责人）", None, None]
SUB += ["项目名称", "业态代码", None]
COLUMNS = [
    "序号",
    "许可证/编号",
    "许可证/有效期起",
    "许可证/有效期至",
    "经营者/名称",
    "经营者/统一社会信用代码",
    "经营者/法定代表人（负责人）",
    "经营场所",
    "主体业态",
    "经营项目/项目名称",
    "经营项目/业态代码",
    "发证机关",
]
MERGES = ("B{r}:D{r}", "E{r}:G{r}", "J{r}:K{r}", "A{r}:A{s}", "H{r}:H{s}", "I{r}:I{s}", "L{r}:L{s}")
WIDTHS = (6, 20, 12, 12, 32, 22, 12, 44, 16, 36, 10, 28)

# formats whose entities hold a food business licence
FOOD_FORMATS = ("62", "512", "5211", "5212", "5213", "5219", "522", "5294", "6110")
KINDS = {"1": "食品销售经营者", "2": "餐饮服务经营者", "3": "单位食堂"}
SHORT_KINDS = {"食品销售经营者": "食品销售", "餐饮服务经营者": "餐饮服务", "单位食堂": "食堂"}
ITEMS = {
    "1": (
        "预包装食品（含冷藏冷冻食品）销售",
        "散装食品（含冷藏冷冻食品）销售",
        "散装食品（含熟食）销售",
        "保健食品销售",
        "婴幼儿配方乳粉销售",
    ),
    "2": ("热食类食品制售", "冷食类食品制售", "生食类食品制售", "糕点类食品（含裱花蛋糕）制售", "自制饮品制售"),
    "3": ("热食类食品制售", "冷食类食品制售"),
}
CITY_ISSUER = ("柳州市市场监督管理局", "450200")
COUNTY_ISSUERS = {"柳江区": ("柳州市柳江区市场监督管理局", "450206"), "柳城县": ("柳城县市场监督管理局", "450222")}
SHORT_ISSUER = "柳州市市场监管局"

DIRT = {
    # 经营者/统一社会信用代码
    "bad_check_char": 8,
    "full_width_uscc": 12,
    "blank_uscc": 20,
    # 许可证/编号
    "blank_number": 5,
    "full_width_number": 10,
    # 许可证/有效期起 (written as text)
    "impossible_date": 4,
    "full_width_date": 6,
    # 经营项目/业态代码
    "retired_format": 15,
    "unknown_format": 10,
    "blank_format": 20,
    # 主体业态, 发证机关
    "short_kind": 25,
    "short_issuer": 12,
}
COMPANY_NAMES = {"registered": 50, "no_city": 20, "short_city": 10, "no_suffix": 12, "short": 8}
INDIVIDUAL_NAMES = {"registered": 50, "marked": 20, "marked_ascii": 10, "no_city": 20}
DATE_FORMS = {"cell": 70, "cn": 12, "dot": 10, "iso": 5, "slash": 3}


@dataclass
class Licence:
    """One licence as the ledger holds it, before any dirt."""

    sheet: str
    issuer: str
    division: str
    kind: str  # 主体业态 digit
    valid_from: date
    holder: str
    uscc: str
    person: str
    address: str
    format_code: str
    items: str
    registered: Record | None = None
    number: str = ""

    @property
    def valid_to(self) -> date:
        return _plus_years(self.valid_from, 5) - timedelta(days=1)


def write_licences(path: Path, records: list[Record], formats: list[Format]) -> Counter[str]:
    """Write the ledger (seeded) for the registration export's `records`; returns a tally of what was done.

    The tally counts data rows per sheet (`rows:市本级`), each kind of dirt, and the name, address and date forms.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    rng = random.Random(SEED)
    tally: Counter[str] = Counter()
    licences = _licences(rng, records, formats)
    cells = _cells(rng, licences, {f.code for f in formats} | {f.class_code for f in formats}, tally)
    workbook = Workbook()
    workbook.remove(workbook.active)
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for sheet_name in SHEETS:
        sheet = workbook.create_sheet(sheet_name)
        rows = [row for licence, row in zip(licences, cells, strict=True) if licence.sheet == sheet_name]
        tally[f"rows:{sheet_name}"] = len(rows)
        sheet.append([TITLE])
        sheet.merge_cells(f"A1:{chr(ord('A') + len(COLUMNS) - 1)}1")
        sheet["A1"].font = Font(bold=True, size=14)
        sheet["A1"].alignment = centred
        _header(sheet, 2, centred, Font(bold=True))
        repeat_after = len(rows) // 2 if sheet_name == CITY_SHEET else -1
        for number, row in enumerate(rows, start=1):
            sheet.append([number, *row])
            if number == repeat_after:  # a second export pasted below the first, its header and all
                _header(sheet, sheet.max_row + 1, centred, Font(bold=True))
                tally["repeated_header"] += 1
        if sheet_name == COUNTY_SHEET:
            sheet.append([])
            tally["blank_row"] += 1
        sheet.append(["合计", f"共{len(rows)}户"])
        for index, width in enumerate(WIDTHS):
            sheet.column_dimensions[chr(ord("A") + index)].width = width
        sheet.freeze_panes = "B4"
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return tally


def licence_number(kind: str, division: str, sequence: int) -> str:
    """JY, the 主体业态 digit, the issuer's division, a six-digit sequence and a check digit (ISO 7064 MOD 11,10)."""
    digits = f"{kind}{division}{sequence:06d}"
    return f"JY{digits}{mod_11_10.calc_check_digit(digits)}"


def _licences(rng: random.Random, records: list[Record], formats: list[Format]) -> list[Licence]:
    codes = {f.code for f in formats}
    food = [r for r in records if r.format_code.strip() in codes and r.format_code.startswith(FOOD_FORMATS)]
    licences = [_registered(rng, r) for r in rng.sample(food, REGISTERED)]
    licences += [_canteen(rng, index) for index in range(CANTEENS)]
    licences += [_branch(rng) for _ in range(BRANCHES)]
    licences.sort(key=lambda item: (SHEETS.index(item.sheet), item.valid_from, item.uscc))
    sequences: dict[str, int] = {}
    for licence in licences:
        sequence = sequences.get(licence.division, rng.randint(1_000, 6_000)) + rng.randint(1, 3)
        sequences[licence.division] = sequence
        licence.number = licence_number(licence.kind, licence.division, sequence)
    return licences


def _issuer(district: str) -> tuple[str, str, str]:
    """The sheet, issuing bureau and its division for an entity in `district`."""
    if district in COUNTY_ISSUERS:
        return (COUNTY_SHEET, *COUNTY_ISSUERS[district])
    return (CITY_SHEET, *CITY_ISSUER)


def _kind(format_code: str) -> str:
    if format_code.startswith("6299"):
        return "3"
    return "2" if format_code.startswith(("62", "61")) else "1"


def _items(rng: random.Random, kind: str) -> str:
    pool = ITEMS[kind]
    return "；".join(sorted(rng.sample(pool, rng.randint(1, min(3, len(pool)))), key=pool.index))


def _issued(rng: random.Random, earliest: date) -> date:
    start = max(earliest, ISSUED_FROM)
    return start + timedelta(days=rng.randrange((ISSUED_TO - start).days + 1))


def _registered(rng: random.Random, record: Record) -> Licence:
    district, _ = district_of(record)
    sheet, issuer, division = _issuer(district)
    kind = _kind(record.format_code)
    return Licence(
        sheet=sheet,
        issuer=issuer,
        division=division,
        kind=kind,
        valid_from=_issued(rng, record.founded),
        holder=record.name,
        uscc=record.credit_code,
        person=record.person,
        address=record.address,
        format_code=record.format_code.strip(),
        items=_items(rng, kind),
        registered=record,
    )


def _canteen(rng: random.Random, index: int) -> Licence:
    district, division = rng.choice(DISTRICTS)
    road = rng.choice(ROADS)
    number = index + 1
    if index % 7 == 6:  # a building site's canteen, run by the contractor's project office
        holder = f"广西{rng.choice('建桂华宏')}{rng.choice('工程安鑫')}建设工程有限公司（柳州{road}项目部）"
        prefix, format_code = "91", "629904"
    elif index % 3 == 0:
        holder = f"柳州市{district}{road}{'小学' if number % 2 else '幼儿园'}"
        prefix, format_code = "12", "629902" if number % 2 else "629903"
    elif index % 3 == 1:
        holder = f"柳州市第{_chinese_number(number // 3 + 1)}中学"
        prefix, format_code = "12", "629902"
    else:
        holder = f"柳州市{district}{rng.choice(('人民医院', '中医医院', '卫生健康局', '机关事务服务中心'))}"
        prefix, format_code = "12", "629901"
    sheet, issuer, issuer_division = _issuer(district)
    return Licence(
        sheet=sheet,
        issuer=issuer,
        division=issuer_division,
        kind="3",
        valid_from=_issued(rng, ISSUED_FROM),
        holder=holder,
        uscc=credit_code(rng, prefix, division),
        person=person_name(rng),
        address=f"柳州市{district}{road}{rng.randint(1, 399)}号",
        format_code=format_code,
        items=_items(rng, "3"),
    )


def _branch(rng: random.Random) -> Licence:
    district, division = rng.choice(DISTRICTS)
    road = rng.choice(ROADS)
    chain = rng.choice(("桂福隆超市连锁有限公司", "鑫万家便利连锁有限公司", "嘉润生鲜超市有限公司"))
    holder = f"广西{chain}柳州{road}{rng.choice(('店', '分店', '便利店'))}"
    sheet, issuer, issuer_division = _issuer(district)
    return Licence(
        sheet=sheet,
        issuer=issuer,
        division=issuer_division,
        kind="1",
        valid_from=_issued(rng, ISSUED_FROM),
        holder=holder,
        uscc=credit_code(rng, "91", division),
        person=person_name(rng),
        address=f"柳州市{district}{road}{rng.randint(1, 399)}号",
        format_code=rng.choice(("521301", "521203", "521204")),
        items=_items(rng, "1"),
    )


def _cells(rng: random.Random, licences: list[Licence], known: set[str], tally: Counter[str]) -> list[list[Any]]:
    """Each licence's cells after 序号, dirt put in."""
    size = len(licences)
    uscc = assign(rng, size, {k: DIRT[k] for k in ("bad_check_char", "full_width_uscc", "blank_uscc")})
    number = assign(rng, size, {k: DIRT[k] for k in ("blank_number", "full_width_number")})
    when = assign(rng, size, {k: DIRT[k] for k in ("impossible_date", "full_width_date")})
    code = assign(rng, size, {k: DIRT[k] for k in ("retired_format", "unknown_format", "blank_format")})
    kind = assign(rng, size, {"short_kind": DIRT["short_kind"]})
    issuer = assign(rng, size, {"short_issuer": DIRT["short_issuer"]})
    for dirt in (uscc, number, when, code, kind, issuer):
        tally.update(dirt.values())
    moved = _moved(licences, uscc)
    tally["moved"] = len(moved)
    rows = []
    for index, licence in enumerate(licences):
        form = _pick(rng, DATE_FORMS)
        if index in when:  # dirt is typed, never an Excel date
            form = "cn" if when[index] == "full_width_date" else rng.choice(("cn", "dot", "iso"))
        tally[f"date:{form}"] += 1
        valid_from: Any = licence.valid_from if form == "cell" else written_date(licence.valid_from, form)
        valid_to: Any = licence.valid_to if form == "cell" else written_date(licence.valid_to, form)
        if when.get(index) == "impossible_date":
            valid_from = impossible_date(licence.valid_from, form)
        elif when.get(index) == "full_width_date":
            valid_from = full_width(valid_from)
        rows.append(
            [
                _dirty_number(licence.number, number.get(index)),
                valid_from,
                valid_to,
                _holder(rng, licence, tally),
                _dirty_uscc(licence.uscc, uscc.get(index)),
                licence.person,
                moved.get(index) or _address(rng, licence, tally),
                SHORT_KINDS[KINDS[licence.kind]] if index in kind else KINDS[licence.kind],
                licence.items,
                _dirty_code(rng, licence.format_code, code.get(index), known),
                SHORT_ISSUER if index in issuer else licence.issuer,
            ]
        )
    return rows


def _moved(licences: list[Licence], uscc: dict[int, str]) -> dict[int, str]:
    """The `MOVED` licences whose holders trade a few doors along: index -> the address the ledger gives.

    Drawn from the licences whose code is blank anyway, with a generator of their own, so that the rest of the
    ledger (and its dirt) comes out as it would without them."""
    rng = random.Random(SEED + 1)
    blank = [i for i, licence in enumerate(licences) if uscc.get(i) == "blank_uscc" and licence.registered]
    found = {}
    for index in sorted(rng.sample(blank, min(MOVED, len(blank)))):
        address = licences[index].address.removeprefix("广西壮族自治区")
        number = re.search(r"(\d+)号", address)
        if number is not None:
            doors = int(number.group(1)) + rng.choice((2, 4, 6))
            found[index] = f"{address[: number.start()]}{doors}号"
    return found


def _holder(rng: random.Random, licence: Licence, tally: Counter[str]) -> str:
    if licence.registered is None:
        return licence.holder
    record = licence.registered
    style = _pick(rng, INDIVIDUAL_NAMES if is_individual(record) else COMPANY_NAMES)
    tally[f"name:{style}"] += 1
    return written_name(record, style)


def _address(rng: random.Random, licence: Licence, tally: Counter[str]) -> str:
    if licence.registered is None:
        return licence.address
    style = _pick(rng, {"registered": 30, "no_province": 55, "street": 15})
    tally[f"address:{style}"] += 1
    if style == "street":
        return street_address(licence.registered)
    return licence.address.removeprefix("广西壮族自治区") if style == "no_province" else licence.address


def _dirty_number(number: str, dirt: str | None) -> str:
    if dirt == "blank_number":
        return ""
    return full_width(number) if dirt == "full_width_number" else number


def _dirty_uscc(code: str, dirt: str | None) -> str:
    if dirt == "bad_check_char":
        return broken_check_char(code)
    if dirt == "full_width_uscc":
        return full_width(code)
    return "" if dirt == "blank_uscc" else code


def _dirty_code(rng: random.Random, code: str, dirt: str | None, known: set[str]) -> str:
    if dirt == "blank_format":
        return ""
    if dirt == "retired_format":
        return rng.choice(sorted(RETIRED_FORMATS))
    if dirt == "unknown_format":
        for typed in (f"{code[:4]}{rng.randint(70, 98)}", code[:5], code[:4] + code[5] + code[4]):
            if typed not in known:
                return typed
        return code[:5]
    return code


def _header(sheet: Any, row: int, alignment: Any, font: Any) -> None:
    for column, (top, sub) in enumerate(zip(TOP, SUB, strict=True), start=1):
        for at, value in ((row, top), (row + 1, sub)):
            cell = sheet.cell(row=at, column=column, value=value)
            cell.font, cell.alignment = font, alignment
    for merge in MERGES:
        sheet.merge_cells(merge.format(r=row, s=row + 1))


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def _plus_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _chinese_number(number: int) -> str:
    digits = "零一二三四五六七八九"
    if number < 10:
        return digits[number]
    tens, ones = divmod(number, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")
