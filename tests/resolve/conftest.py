"""Small subjects frames for the engine tests: a few firms written the way three departments write them."""

from __future__ import annotations

import polars as pl
import pytest

from zhizhi.resolve.engine import Model, prepare
from zhizhi.resolve.model import prior_model

COLUMNS = (
    "source", "uscc", "reg_no", "name", "address", "address_division_code", "address_rest", "legal_representative",
    "phone",
)  # fmt: skip
CODES = ("91110000600037341L", "121200004013590816", "92340602MA2PBQAH7E", "91310115MA1K3BTP2B", "9144030071526726XG")
TRADES = ("华信", "恒达", "鸿运", "金桂", "龙城", "百盛", "嘉禾", "顺丰", "宏图", "福满")
INDUSTRIES = ("科技", "商贸", "食品", "建材", "物流")
DISTRICTS = (("450202", "城中区"), ("450203", "鱼峰区"), ("450204", "柳南区"))


def subjects(*rows: dict[str, str | None]) -> pl.DataFrame:
    """A subjects frame from partial rows (record_id from 1 in order; missing columns null)."""
    data = {"record_id": list(range(1, len(rows) + 1))} | {c: [row.get(c) for row in rows] for c in COLUMNS}
    return pl.DataFrame(data, schema={"record_id": pl.Int64} | dict.fromkeys(COLUMNS, pl.String))


def firm(name: str, district: int = 0, road: str = "潭中东路18号", **fields: str | None) -> dict[str, str | None]:
    """One record of a firm at `road` in one of the test districts."""
    code, county = DISTRICTS[district]
    row: dict[str, str | None] = {
        "source": "registration",
        "name": name,
        "address": f"柳州市{county}{road}",
        "address_division_code": code,
        "address_rest": road,
    }
    return row | fields


def small_city() -> pl.DataFrame:
    """30 firms, each registered (with a credit code), most licensed and inspected with dirt and without codes."""
    rows: list[dict[str, str | None]] = []
    for index in range(30):
        trade, industry = TRADES[index % 10], INDUSTRIES[index // 10 % 5]
        district = index % 3
        road = f"{['文昌', '东环', '五一', '屏山'][index % 4]}路{index + 1}号"
        phone = f"1397720{index:04d}"
        rep = "张黄李王陈"[index % 5] + "建国小梅志勇"[index % 6]
        code = _code(index)
        rows.append(firm(f"柳州市{trade}{industry}有限公司", district, road, uscc=code, phone=phone,
                         legal_representative=rep))  # fmt: skip
        if index % 3 != 2:
            rows.append(firm(f"{trade}{industry}有限责任公司", district, road, source="licences",
                             uscc=code if index % 2 else None, phone=phone))  # fmt: skip
        if index % 4 != 3:
            typo = trade[1] + trade[0] if index % 5 == 0 else trade
            rows.append(firm(f"{typo}{industry}", district, road, source="inspections", legal_representative=rep,
                             phone=phone if index % 2 else None))  # fmt: skip
    return subjects(*rows)


def _code(index: int) -> str:
    """A valid credit code per index (the check character computed as GB 32100 says)."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = f"914502{index:04d}MA5K0000"[:17]
    total = sum(alphabet.index(c) * pow(3, i, 31) for i, c in enumerate(body))
    return body + alphabet[(31 - total % 31) % 31]


@pytest.fixture
def model() -> Model:
    """The priors alone, with the prior of a register of about ten thousand records."""
    return prior_model(1e-4)


@pytest.fixture
def city_features() -> pl.DataFrame:
    return prepare(small_city())
