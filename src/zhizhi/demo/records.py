"""Invented market entities of the demo city: credit code, name, operator, address, status.

Names and people are made up from common parts; the credit codes carry correct check characters (GB 32100,
with a GB 11714 organisation code inside) so that later checks have something real to check.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from zhizhi.demo.codes import Format

# county-level divisions of 柳州 that have a bureau in the demo city (see city.DEPARTMENTS)
DISTRICTS = (
    ("城中区", "450202"),
    ("鱼峰区", "450203"),
    ("柳南区", "450204"),
    ("柳北区", "450205"),
    ("柳江区", "450206"),
    ("柳城县", "450222"),
)
ROADS = (
    "文昌路",
    "五一路",
    "弯塘路",
    "东环大道",
    "桂中大道",
    "飞鹅路",
    "柳石路",
    "屏山大道",
    "驾鹤路",
    "潭中西路",
    "解放北路",
    "龙城路",
    "三中路",
    "革新路",
    "航生路",
    "跃进路",
)
SURNAMES = "黄韦覃莫陆蓝梁李陈张王刘周吴廖潘谭蒙罗何"
GIVEN = "芳丽华强军伟敏静秀英明志勇玲海燕红霞斌杰婷平桂兰福生"
BRAND = "桂龙柳壶鑫顺福旺嘉宏盛恒金华祥丰润源鸿荣聚百万新"
SHOP_WORDS = {
    "6291": ("螺蛳粉店", "粉店", "小吃店"),
    "62": ("餐馆", "饭店", "食府", "大排档"),
    "61": ("旅馆", "宾馆", "酒店"),
    "52": ("商行", "便利店", "食品店", "经营部"),
    "51": ("商行", "经营部"),
}
COMPANY_WORDS = {
    "13": "食品",
    "14": "食品",
    "15": "饮品",
    "45": "燃气",
    "51": "商贸",
    "52": "商贸",
    "61": "酒店管理",
    "62": "餐饮管理",
    "70": "物业服务",
    "80": "健康管理",
    "90": "文化旅游",
}
STATUSES = (("存续（在营、开业、在册）", 88), ("注销", 10), ("吊销，未注销", 2))
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class Record:
    """One row of the registration export."""

    credit_code: str
    name: str
    kind: str
    person: str
    founded: date
    authority: str
    address: str
    format_code: str
    format_name: str
    industry_code: str
    status: str

    def with_codes(self, format_code: str, format_name: str, industry_code: str) -> Record:
        return replace(self, format_code=format_code, format_name=format_name, industry_code=industry_code)

    def cells(self) -> list[str]:
        return [
            self.credit_code,
            self.name,
            self.kind,
            self.person,
            self.founded.isoformat(),
            self.authority,
            self.address,
            self.format_code,
            self.format_name,
            self.industry_code,
            self.status,
        ]


def company_record(rng: random.Random, fmt: Format, founded: date) -> Record:
    """An invented entity carrying business format `fmt`, registered on `founded`."""
    district, division = rng.choice(DISTRICTS)
    person = person_name(rng)
    individual = fmt.code[:2] in ("52", "62", "61", "80") and rng.random() < 0.65
    if individual:
        brand = rng.choice((f"{person[0]}记", f"阿{person[-1]}", "".join(rng.sample(BRAND, 2))))
        words = SHOP_WORDS.get(fmt.class_code) or SHOP_WORDS.get(fmt.code[:2], ("经营部",))
        name, kind = f"柳州市{district}{brand}{rng.choice(words)}", "个体工商户"
    else:
        word = COMPANY_WORDS.get(fmt.code[:2], "商贸")
        name = f"柳州市{''.join(rng.sample(BRAND, 2))}{word}有限公司"
        kind = rng.choice(("有限责任公司（自然人投资或控股）", "有限责任公司（自然人独资）"))
    address = f"广西壮族自治区柳州市{district}{rng.choice(ROADS)}{rng.randint(1, 399)}号"
    if rng.random() < 0.4:
        address += f"{rng.randint(1, 30)}栋{rng.randint(1, 3)}层{rng.randint(1, 20):02d}号门面"
    return Record(
        credit_code=credit_code(rng, "92" if individual else "91", division),
        name=name,
        kind=kind,
        person=person,
        founded=founded,
        authority=f"柳州市{district}市场监督管理局",
        address=address,
        format_code=fmt.code,
        format_name=fmt.name,
        industry_code=fmt.class_code,
        status=rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])[0],
    )


def credit_code(rng: random.Random, prefix: str, division: str) -> str:
    """A unified social credit code with valid check characters: prefix, division, organisation code, check."""
    body = "".join(rng.choices("0123456789ABCDEFGHJKLMNPQRTUWXY", k=8))
    organisation = body + _organisation_check(body)
    code = prefix + division + organisation
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(code, USCC_WEIGHTS, strict=True))
    return code + USCC_ALPHABET[(31 - total % 31) % 31]


def _organisation_check(body: str) -> str:
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


# How other departments write the same entity: the licence ledger, the equipment list and the inspection log name
# the registration export's entities, but seldom exactly as registered.
CITY_PREFIX = "柳州市"
PROVINCE_PREFIX = "广西壮族自治区"
COMPANY_SUFFIX = "有限公司"
INDIVIDUAL_MARK = "（个体工商户）"


def district_of(record: Record) -> tuple[str, str]:
    """The county-level division (name, code) an entity was registered in: positions 3-8 of its credit code."""
    division = record.credit_code[2:8]
    return next((name, code) for name, code in DISTRICTS if code == division)


def is_individual(record: Record) -> bool:
    return record.kind == "个体工商户"


def written_name(record: Record, style: str) -> str:
    """The entity's name as another ledger writes it.

    Styles: `registered` (as registered), `no_city` (without 柳州市), `short_city` (柳州 without 市),
    `no_suffix` (a company without 有限公司), `short` (a company's brand and trade only: 鑫顺物业服务),
    `marked` (an individual business with （个体工商户）), `marked_ascii` (the same with half-width brackets).
    """
    name = record.name
    rest = name.removeprefix(CITY_PREFIX)
    if style == "registered":
        return name
    if style == "no_city":
        return rest
    if style == "short_city":
        return "柳州" + rest
    if style == "no_suffix":
        return name.removesuffix(COMPANY_SUFFIX)
    if style == "short":
        return rest.removesuffix(COMPANY_SUFFIX)
    if style == "marked":
        return name + INDIVIDUAL_MARK
    if style == "marked_ascii":
        return name + "(个体工商户)"
    raise ValueError(f"unknown name style `{style}`")


def street_address(record: Record) -> str:
    """The address without province and city, as a district's own staff write it: 城中区文昌路12号."""
    return record.address.removeprefix(PROVINCE_PREFIX).removeprefix(CITY_PREFIX)


def full_width(text: str) -> str:
    """Text with its ASCII letters and digits typed in full width, as a Chinese input method leaves them."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def broken_check_char(code: str) -> str:
    """A credit code with a wrong 18th character (the next symbol of the alphabet): a typo the check catches."""
    return code[:17] + USCC_ALPHABET[(USCC_ALPHABET.index(code[17]) + 1) % len(USCC_ALPHABET)]


def person_name(rng: random.Random) -> str:
    """An invented person's name: one surname, one or two given characters."""
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))


def written_date(day: date, form: str) -> str:
    """A date as a clerk types it: `iso` 2021-07-08, `slash` 2021/7/8, `dot` 2021.7.8, `cn` 2021年7月8日."""
    return _date_text(day.year, day.month, day.day, form)


def impossible_date(day: date, form: str) -> str:
    """A date that does not exist, in `form`, in the year of `day`: the 31st of a 30-day month, or 29/30 February."""
    if day.month == 2:
        return _date_text(day.year, 2, 30 if day.year % 4 == 0 else 29, form)
    return _date_text(day.year, (4, 6, 9, 11)[day.month % 4], 31, form)


def _date_text(year: int, month: int, day: int, form: str) -> str:
    if form == "iso":
        return f"{year}-{month:02d}-{day:02d}"
    if form == "slash":
        return f"{year}/{month}/{day}"
    if form == "dot":
        return f"{year}.{month}.{day}"
    if form == "cn":
        return f"{year}年{month}月{day}日"
    raise ValueError(f"unknown date form `{form}`")


def assign(rng: random.Random, size: int, counts: Mapping[str, int]) -> dict[int, str]:
    """Give exactly `counts[kind]` of the positions 0 .. size-1 each kind, no position two kinds (seeded)."""
    if sum(counts.values()) > size:
        raise ValueError(f"{sum(counts.values())} changes do not fit {size} rows")
    picked = rng.sample(range(size), sum(counts.values()))
    kinds = [kind for kind, count in counts.items() for _ in range(count)]
    return dict(zip(picked, kinds, strict=True))
