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

import re
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
_FLOORS = rf"第?{_FLOOR_NUMBER}(?:[-~至到]{_FLOOR_NUMBER})?"  # 第一层, 1-2楼, 一至二层
_ROOM = r"[0-9]{1,4}(?:室|房|号房|号)?"
# one floor or room written after the street number: 首层, 1楼, 二层, 3楼301室, 3楼302, B1, F2, 1203室, 5栋3号, A座,
# 之一, 地下室, 门面
_UNIT_PIECE = (
    rf"{_FLOORS}(?:层|楼|F)(?:{_ROOM})?|[BFLbfl][0-9]{{1,2}}(?:{_ROOM})?|[0-9]{{1,5}}(?:室|房|号房)"
    r"|[0-9A-Za-z]{1,3}(?:栋|幢|座)(?:[0-9]{1,4}(?:号|室))?|[0-9一二三四五六七八九十]{1,2}单元"
    r"|之[0-9一二三四五六七八九十]{1,2}|地下室|门面|铺面|商铺|门市|门店"
)
# one or more of them, bare or in brackets: (首层), （1楼）
UNIT = rf"(?:{_UNIT_PIECE}|[(（](?:{_UNIT_PIECE})+[)）])+"


class AddressKey(NamedTuple):
    """One address as resolution reads it (see the module docstring)."""

    division_code: str | None
    full: str | None
    address_key: str | None
    unit: str | None
    road: str | None
    road_no: str | None


_CHINESE_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_CHINESE_NUMBER = rf"(?:[{''.join(_CHINESE_DIGITS)}十百]+)"
_CHINESE_HOUSE = rf"({ROAD})({_CHINESE_NUMBER})号"


def address_exprs(rest: pl.Expr) -> list[pl.Expr]:
    """`address_key` and `unit` of the street part of addresses (ingest's `address_rest`, or the whole address)."""
    text = _house_numbers(simplified_expr(clean_name_expr(rest)).str.replace(TOWN, ""))
    parts = text.str.extract_groups(rf"^(.+?)({UNIT})$")
    key = pl.coalesce(parts.struct.field("1"), text).replace("", None)
    return [key.alias("address_key"), parts.struct.field("2").alias("unit")]


def _house_numbers(text: pl.Expr) -> pl.Expr:
    """A house number after the road written as the register writes it: 龙城路六号, 龙城路6#, 龙城路6 (nothing after it)
    and 屏山大道十八号 are 龙城路6号 and 屏山大道18号 (one list types the number in words, another leaves out 号)."""
    text = text.str.replace(rf"^(.*?{ROAD}[0-9]+(?:-[0-9]+)?)(?:#|＃)", "${1}号")
    text = text.str.replace(rf"^(.*?{ROAD}[0-9]+(?:-[0-9]+)?)$", "${1}号")
    return text.map_batches(_in_digits, return_dtype=pl.String)


def _in_digits(texts: pl.Series) -> pl.Series:
    """The house numbers written in Chinese numerals (after a road, before 号) in digits; only those texts touched."""
    written = texts.str.contains(_CHINESE_HOUSE).fill_null(False)
    if not written.any():
        return texts
    at = written.arg_true()
    pattern = re.compile(_CHINESE_HOUSE)
    changed = [pattern.sub(lambda m: f"{m[1]}{_number(m[2])}号", text, count=1) for text in texts.gather(at).to_list()]
    return texts.scatter(at, changed)


def _number(words: str) -> int:
    """A number in Chinese numerals: 六 6, 十八 18, 二十 20, 一百零五 105, 一八 18 (digit by digit)."""
    if "十" not in words and "百" not in words:
        return int("".join(str(_CHINESE_DIGITS[c]) for c in words))
    total = current = 0
    for character in words:
        if character in _CHINESE_DIGITS:
            current = _CHINESE_DIGITS[character]
        else:
            total += (current or 1) * (10 if character == "十" else 100)
            current = 0
    return total + current


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
