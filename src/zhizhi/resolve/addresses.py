"""Addresses as resolution compares them: the street part as a key, its floor or room apart, the road and number.

Ingest has split each address into the division code of the finest division it names and the rest (and written
traditional address characters simplified). Here the rest becomes:
- `address_key`: cleaned like a name (half-width, no whitespace), traditional characters simplified (for records
  stored before ingest did that), a street office or town before the road dropped (城中街道), and a floor or
  room at the end split off: 潭中东路18号首层, 18号1楼, 18号3楼301室 and 18号5栋3号 are all 潭中东路18号 (one
  department's lists add the floor or room, another's do not);
- `unit`: that floor or room (首层, 1楼, 3楼301室), kept for reading, not compared: lists write it so unevenly
  that its absence or difference says little;
- `road` (…路, 大道, 街, 巷 …) and `road_no` (the road and its number, 潭中东路18号).

`normalize_address` gives the same for one address, and the whole address written out with the province, city
and county its division code names, so an address without its province (柳州市城中区…) reads in full.
"""

from __future__ import annotations

from typing import NamedTuple

import polars as pl

from zhizhi.ingest.normalize import split_address_value
from zhizhi.ingest.normalize.divisions import division_index
from zhizhi.ingest.normalize.variants import simplified_expr, simplified_value
from zhizhi.resolve.names import clean_name_expr

ROAD = r"(?:大道|大街|路|街|巷|弄|胡同)"
# a street office, town or township written before the road: one record has it, another does not
TOWN = r"^.{2,8}?(?:街道办事处|街道|镇|乡)"
_FLOOR_NUMBER = r"(?:首|底|负[一二三1-3]|地下[一二三1-3]?|[0-9]{1,2}|[一二三四五六七八九十]{1,3})"
# floors and rooms written after the street number: 首层, 1楼, 二层, 3楼301室, 1203室, 门面; one or more of them
UNIT = (
    rf"(?:{_FLOOR_NUMBER}(?:层|楼|F)(?:[0-9]{{1,4}}(?:室|房|号房|号))?|[0-9]{{1,5}}(?:室|房|号房)"
    r"|[0-9]{1,3}(?:栋|幢|座)(?:[0-9]{1,4}(?:号|室))?|[0-9一二三四五六七八九十]{1,2}单元|门面|铺面|商铺|门市|门店)+"
)


class AddressKey(NamedTuple):
    """One address as resolution reads it (see the module docstring)."""

    division_code: str | None
    full: str | None
    address_key: str | None
    unit: str | None
    road: str | None
    road_no: str | None


def address_exprs(rest: pl.Expr) -> list[pl.Expr]:
    """`address_key` and `unit` of the street part of addresses (ingest's `address_rest`, or the whole address)."""
    text = simplified_expr(clean_name_expr(rest)).str.replace(TOWN, "")
    parts = text.str.extract_groups(rf"^(.+?)({UNIT})$")
    key = pl.coalesce(parts.struct.field("1"), text).replace("", None)
    return [key.alias("address_key"), parts.struct.field("2").alias("unit")]


def road_exprs(key: pl.Expr) -> list[pl.Expr]:
    """`road` and `road_no` (the road and its number) at the start of address keys."""
    return [
        key.str.extract(rf"^(.*?{ROAD})", 1).alias("road"),
        key.str.extract(rf"^(.*?{ROAD}[0-9]+(?:-[0-9]+)?号)", 1).alias("road_no"),
    ]


def normalize_address(address: str | None, division_code: str | None = None) -> AddressKey:
    """One address as resolution reads it; `division_code` (ingest's, when known) overrides what the text names."""
    parts = split_address_value(address)
    code = division_code or parts.division_code
    frame = pl.DataFrame({"rest": [parts.rest]}, schema={"rest": pl.String})
    keys = frame.select(*address_exprs(pl.col("rest"))).with_columns(*road_exprs(pl.col("address_key")))
    row = keys.row(0, named=True)
    return AddressKey(code, full_address(code, row["address_key"], row["unit"]), **row)


def full_address(division_code: str | None, key: str | None, unit: str | None = None) -> str | None:
    """The address written out: the province, city and county the division code names, then the street and unit."""
    division = division_index().divisions.get(division_code or "")
    names = [] if division is None else [division.province, division.city, division.county]
    head = "".join(dict.fromkeys(name for name in names if name))  # a municipality is its own city
    text = head + simplified_value(key or "") + (unit or "")
    return text or None
