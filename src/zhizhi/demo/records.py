"""Invented market entities of the demo city: credit code, name, operator, address, status.

Names and people are made up from common parts; the credit codes carry correct check characters (GB 32100,
with a GB 11714 organisation code inside) so that later checks have something real to check.
"""

from __future__ import annotations

import random
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
    person = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
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
