"""The inspection log (双随机检查记录) of the demo city's 中南市场监督管理所 (LZ-CZ-ZN), as UTF-8 CSV with a BOM.

The grassroots office keeps its random inspections (双随机、一公开) in a sheet it saves as CSV the way Excel does:
UTF-8 with a BOM, CRLF line ends. The inspected are entities of its district (城中区) from the registration export,
named as the inspectors wrote them, with the credit code filled in only when someone copied it; a few are
unlicensed stalls the register does not hold. A result of 责令整改 is often followed by a second visit (复查) some
weeks later. Two inspectors sign each inspection.

Dirt, in the exact numbers `DIRT` gives: credit codes with a wrong check character or in full width; inspection
dates that do not exist, with a two-digit year, or blank; inspectors joined by a comma or only a space, or one
inspector alone; a blank result, a blank name; rows exported twice. Besides, dates in four forms, and results in
the words the inspectors used (`RESULT_WORDS`), some of which the inspection record type does not know (the source
file maps them). What was done is tallied by `write_inspections`.
"""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from zhizhi.demo.records import (
    ROADS,
    Record,
    assign,
    broken_check_char,
    district_of,
    full_width,
    impossible_date,
    is_individual,
    street_address,
    written_date,
    written_name,
)

SEED = 20261123
FILE_NAME = "inspections.csv"
DISTRICT = "450202"  # 城中区, where 中南所 inspects
HEADER = [
    "检查编号",
    "被检查对象",
    "统一社会信用代码",
    "检查地点",
    "检查日期",
    "执法人员",
    "检查事项",
    "检查结论",
    "处理措施",
]
FIRST_DAY, LAST_DAY = date(2025, 1, 6), date(2026, 11, 20)
ROWS = 800  # rows in the file, the rows exported twice included
STALLS = 40  # inspections of unlicensed stalls and shops the register does not hold
INSPECTORS = ("周建华", "覃小梅", "韦国强", "黄丽娟", "莫志勇", "蓝海燕")

# result -> the words inspectors write for it, with weights; words outside the inspection record type's aliases
# are mapped by the source file (`sources.py`)
RESULT_WORDS = {
    "pass": {"合格": 60, "未发现问题": 25, "符合": 15},
    "rectify": {"责令整改": 50, "责令限期整改": 25, "发现问题，已责令整改": 15, "限期整改": 10},
    "fail": {"不合格": 70, "不符合": 30},
    "not_found": {"查无下落": 50, "通过登记的住所无法联系": 25, "查无此户": 25},
    "recheck": {"整改到位": 60, "复查合格": 40},
}
FOLLOW_UP = {
    "pass": ("无", "", "无"),
    "rectify": ("当场责令改正", "下达《责令改正通知书》，限期7日内整改", "责令限期整改，择日复查"),
    "fail": ("已立案调查", "移交执法稽查大队处理"),
    "not_found": ("已提请列入经营异常名录", "通过登记的住所无法联系，拟列入经营异常名录"),
    "recheck": ("复查已整改，结案", "无"),
}
ITEMS = {
    "food": ("食品经营许可情况", "从业人员健康管理", "食品原料进货查验记录", "餐饮具清洗消毒", "食品添加剂使用"),
    "shop": ("营业执照公示情况", "价格公示情况", "计量器具使用情况", "预包装食品标签", "商品质量"),
    "other": ("营业执照公示情况", "登记事项与实际是否一致", "年度报告公示情况", "广告发布情况"),
}
STALL_NAMES = ("无名米粉摊", "流动烧烤摊", "无证小吃店", "水果摊", "无照杂货店", "早餐推车")
DATE_FORMS = {"iso": 60, "slash": 20, "cn": 15, "dot": 5}
NAMES = {"registered": 40, "no_city": 45, "short": 15}

DIRT = {
    # 统一社会信用代码 (filled in for about half of the inspections)
    "bad_check_char": 5,
    "full_width_uscc": 4,
    # 检查日期
    "impossible_date": 3,
    "two_digit_year": 2,
    "blank_date": 2,
    # 执法人员
    "comma_inspectors": 30,
    "space_inspectors": 4,
    "one_inspector": 6,
    # 检查结论, 被检查对象
    "blank_result": 2,
    "blank_name": 1,
    # rows
    "duplicate_row": 3,
}
WITH_CODE = 0.55  # share of inspections whose credit code was copied in


@dataclass(frozen=True)
class Inspection:
    """One inspection, before any dirt."""

    day: date
    name: str
    uscc: str
    address: str
    inspectors: tuple[str, str]
    items: str
    result: str  # a key of RESULT_WORDS
    registered: Record | None = None
    number: str = ""


def write_inspections(path: Path, records: list[Record]) -> Counter[str]:
    """Write the log (seeded) for the registration export's `records`; returns a tally of what was done.

    The tally counts data rows (`rows`), each kind of dirt, and the name, date and result forms.
    """
    rng = random.Random(SEED)
    tally: Counter[str] = Counter()
    inspections = _inspections(rng, [r for r in records if district_of(r)[1] == DISTRICT], tally)
    rows = _rows(rng, inspections, tally)
    tally["rows"] = len(rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return tally


def _inspections(rng: random.Random, records: list[Record], tally: Counter[str]) -> list[Inspection]:
    wanted = ROWS - DIRT["duplicate_row"]
    found: list[Inspection] = [_stall(rng) for _ in range(STALLS)]
    pool = list(records)
    rng.shuffle(pool)
    for record in pool * 2:  # some entities are drawn twice
        if len(found) >= wanted:
            break
        first = _visit(rng, record)
        found.append(first)
        if first.result == "rectify" and rng.random() < 0.6 and len(found) < wanted:
            later = first.day + timedelta(days=rng.randint(10, 40))
            if later.weekday() >= 5:  # to the Monday
                later += timedelta(days=7 - later.weekday())
            if later <= LAST_DAY:
                found.append(replace(first, day=later, result="recheck", inspectors=_pair(rng)))
                tally["rechecks"] += 1
    found.sort(key=lambda item: (item.day, item.name))
    numbered = []
    per_year: Counter[int] = Counter()
    for item in found:
        per_year[item.day.year] += 1
        numbered.append(replace(item, number=f"中南检〔{item.day.year}〕{per_year[item.day.year]:04d}号"))
    tally["registered"] = sum(1 for item in numbered if item.registered is not None)
    tally["stalls"] = STALLS
    return numbered


def _visit(rng: random.Random, record: Record) -> Inspection:
    active = record.status.startswith("存续")
    weights = {"pass": 70, "rectify": 20, "fail": 4, "not_found": 6} if active else {"pass": 15, "not_found": 85}
    kind = "food" if record.format_code.startswith(("62", "52", "51", "14")) else "other"
    if kind == "food" and record.format_code.startswith(("521", "523")):
        kind = "shop"
    return Inspection(
        day=_weekday(rng),
        name=record.name,
        uscc=record.credit_code,
        address=record.address,
        inspectors=_pair(rng),
        items=_items(rng, kind),
        result=_pick(rng, weights),
        registered=record,
    )


def _stall(rng: random.Random) -> Inspection:
    road = rng.choice(ROADS)
    return Inspection(
        day=_weekday(rng),
        name=f"{road}{rng.choice(STALL_NAMES)}",
        uscc="",
        address=f"城中区{road}{rng.randint(1, 300)}号旁",
        inspectors=_pair(rng),
        items=_items(rng, "food"),
        result=_pick(rng, {"rectify": 60, "not_found": 30, "pass": 10}),
    )


def _rows(rng: random.Random, inspections: list[Inspection], tally: Counter[str]) -> list[list[str]]:
    size = len(inspections)
    with_code = [i for i, item in enumerate(inspections) if item.uscc and rng.random() < WITH_CODE]
    coded = set(with_code)
    tally["with_code"] = len(with_code)
    codes = {
        with_code[i]: k for i, k in assign(rng, len(with_code), _counts("bad_check_char", "full_width_uscc")).items()
    }
    dates = assign(rng, size, _counts("impossible_date", "two_digit_year", "blank_date"))
    people = assign(rng, size, _counts("comma_inspectors", "space_inspectors", "one_inspector"))
    blanks = assign(rng, size, _counts("blank_result", "blank_name"))
    twice = set(rng.sample(range(size), DIRT["duplicate_row"]))
    for dirt in (codes, dates, people, blanks):
        tally.update(dirt.values())
    tally["duplicate_row"] = len(twice)
    rows = []
    for index, item in enumerate(inspections):
        code = item.uscc if index in coded else ""
        if codes.get(index) == "bad_check_char":
            code = broken_check_char(code)
        elif codes.get(index) == "full_width_uscc":
            code = full_width(code)
        word = _pick(rng, RESULT_WORDS[item.result])
        tally[f"result:{word}"] += 1
        row = [
            item.number,
            "" if blanks.get(index) == "blank_name" else _name(rng, item, tally),
            code,
            _address(rng, item),
            _day(rng, item.day, dates.get(index), tally),
            _inspectors(item.inspectors, people.get(index)),
            item.items,
            "" if blanks.get(index) == "blank_result" else word,
            rng.choice(FOLLOW_UP[item.result]),
        ]
        rows.append(row)
        if index in twice:  # the same page exported twice
            rows.append(list(row))
    return rows


def _counts(*kinds: str) -> dict[str, int]:
    return {kind: DIRT[kind] for kind in kinds}


def _name(rng: random.Random, item: Inspection, tally: Counter[str]) -> str:
    if item.registered is None:
        return item.name
    style = _pick(rng, NAMES)
    if style == "short" and is_individual(item.registered):
        style = "no_city"
    tally[f"name:{style}"] += 1
    if style == "no_city" and is_individual(item.registered):
        return item.name.removeprefix("柳州市").removeprefix("城中区")  # the stall's own name: 黄记螺蛳粉店
    return written_name(item.registered, style)


def _address(rng: random.Random, item: Inspection) -> str:
    if item.registered is None:
        return item.address
    street = street_address(item.registered)
    return _pick(rng, {street: 60, f"柳州市{street}": 30, item.address: 10})


def _day(rng: random.Random, day: date, dirt: str | None, tally: Counter[str]) -> str:
    if dirt == "blank_date":
        return ""
    if dirt == "two_digit_year":
        return f"{day.year % 100}-{day.month}-{day.day}"
    form = _pick(rng, DATE_FORMS)
    tally[f"date:{form}"] += 1
    return impossible_date(day, form) if dirt == "impossible_date" else written_date(day, form)


def _inspectors(pair: tuple[str, str], dirt: str | None) -> str:
    if dirt == "comma_inspectors":
        return "，".join(pair)
    if dirt == "space_inspectors":
        return " ".join(pair)
    return pair[0] if dirt == "one_inspector" else "、".join(pair)


def _pair(rng: random.Random) -> tuple[str, str]:
    first, second = rng.sample(INSPECTORS, 2)
    return first, second


def _items(rng: random.Random, kind: str) -> str:
    pool = ITEMS[kind]
    return "；".join(sorted(rng.sample(pool, rng.randint(1, 3)), key=pool.index))


def _weekday(rng: random.Random) -> date:
    while True:
        day = FIRST_DAY + timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1))
        if day.weekday() < 5:
            return day


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]
