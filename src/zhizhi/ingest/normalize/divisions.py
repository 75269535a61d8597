"""The administrative divisions an address can start with, indexed by every way an address writes them.

Read once from the GB/T 2260 list the code-lists capability ships (package `zhizhi.codes`, data/gbt2260.csv).
Rows flagged `nbs_only` (development zones the statistics bureau numbers, not GB/T 2260 divisions) are left out,
so an address in such a zone resolves to its prefecture.

Ways of writing a division:
- a province by its full name (广西壮族自治区, 北京市) or its short name (广西, 北京) when a prefecture or county
  follows: a short name alone is too often a street (北京路, 江西路);
- a prefecture by its full name (柳州市), or without 市 (柳州) when a province comes before or a county after;
  other short forms (延边州, 阿里) are not recognised;
- a county by its full name only (城中区, 融水苗族自治县): short county names are common words.
A chain is a province form, a prefecture form and a county name, any of them missing but in that order:
广西壮族自治区柳州市城中区, 广西柳州市, 柳州城中区, 城中区, 北京市东城区, 湖北省仙桃市.

A county's former name (`DivisionIndex.former`): a county made a district or a county-level city keeps its name
before the suffix (柳江县 is 柳江区 since 2016, 平果县 is 平果市, 临安市 is 杭州市临安区), and records and licences
from before still write it. A district `X区` was `X县` or `X市`, a county-level city `X市` was `X县` (X of two
characters or more), unless that name is a division's today. Addresses use these only where the chain found no
county, and a `X市` only after a chain: not where what follows may start a word (柳南市场, 南山市民中心,
柳北市政: `FORMER_STOP`) or names a road (长安县路: `FORMER_ROAD`), unless a town, street or road follows
(富阳市场口镇, 从化市街口镇, 临安市民主路: `FORMER_UNIT`); see addresses.py.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

DATA_PACKAGE = "zhizhi.codes"
DATA_FILE = "data/gbt2260.csv"
# prefectures that are only a grouping in the list: never written in an address
PSEUDO_PREFECTURES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
# chains per regular expression: about 6,400 keeps each well under polars' 10 MB compiled-size limit
SHARD_SIZE = 6_500
FORMER_STOP = frozenset("场民政集区容貌委级长属直辖管中内外郊")
"""What follows 市 where it may start a word, not a former county-level city: 市场, 市民, 市政, 市集, 市区, 市容 ..."""
FORMER_ROAD = frozenset("路街道巷")
"""What follows a former name that names a road after it (长安县路, 柳江县道), not the county."""
FORMER_UNIT = re.compile(r"^[^\s,，]{1,4}?(?:镇|乡|街道|社区|村|开发区|工业园|路|街|大道|巷)")
"""A town, street or road named right after a former name (从化市街口镇, 富阳市场口镇, 临安市民主路): the name is
the county of old, whatever word its first character may start."""
REGEX_META = set("\\.+*?()|[]{}^$")
SHORT_PROVINCES = {
    "内蒙古自治区": "内蒙古",
    "广西壮族自治区": "广西",
    "西藏自治区": "西藏",
    "宁夏回族自治区": "宁夏",
    "新疆维吾尔自治区": "新疆",
    "香港特别行政区": "香港",
    "澳门特别行政区": "澳门",
}


@dataclass(frozen=True)
class Division:
    """One division with the names an address shows for it; `city` of a municipality is the municipality."""

    code: str
    level: str
    province: str
    city: str | None
    county: str | None
    province_code: str
    prefecture_code: str | None


@dataclass(frozen=True)
class DivisionIndex:
    """Every chain of division names an address can start with, and the divisions each may mean."""

    divisions: dict[str, Division]
    chains: dict[str, tuple[str, ...]]
    longest: int
    former: dict[str, tuple[str, ...]] = field(default_factory=dict)  # a county's former name -> its codes

    def former_pattern(self) -> str:
        """A regular expression whose first group is the former county name a text starts with (longest first)."""
        names = sorted(self.former, key=lambda name: (-len(name), name))
        return "^(" + "|".join(_escape(n) for n in names) + ")" if names else "^([^\\s\\S])"

    def former_at(self, text: str) -> str | None:
        """The former county name `text` starts with, as `former_pattern` finds it."""
        for length in range(min(len(text), 20), 1, -1):  # no former name is longer (11 characters today)
            if text[:length] in self.former:
                return text[:length]
        return None

    def patterns(self) -> list[str]:
        """Regular expressions that together find the longest chain at the start of a text.

        One expression for every chain would exceed polars' regex size limit, so the chains are sharded by their
        first character: a text can only match the shard of its own first character, and within a shard the
        longer alternatives come first, so the first alternative that matches is the longest.
        """
        count = Counter(chain[0] for chain in self.chains)
        shards: list[set[str]] = [set() for _ in range(-(-len(self.chains) // SHARD_SIZE))]
        loads = [0] * len(shards)
        for first in sorted(count, key=lambda char: (-count[char], char)):
            lightest = loads.index(min(loads))
            shards[lightest].add(first)
            loads[lightest] += count[first]
        ordered = sorted(self.chains, key=lambda chain: (-len(chain), chain))
        return ["^(?:" + "|".join(_escape(c) for c in ordered if c[0] in shard) + ")" for shard in shards]

    def longest_chain(self, text: str) -> str | None:
        """The longest chain that `text` starts with, if any."""
        for length in range(min(len(text), self.longest), 0, -1):
            if text[:length] in self.chains:
                return text[:length]
        return None


@cache
def division_index() -> DivisionIndex:
    """The index over the shipped GB/T 2260 list (built once per process)."""
    text = resources.files(DATA_PACKAGE).joinpath(DATA_FILE).read_text(encoding="utf-8")
    return build_index([row for row in csv.DictReader(io.StringIO(text)) if row["flag"] != "nbs_only"])


@cache
def division_patterns() -> tuple[str, ...]:
    """The index's regular expressions, built once."""
    return tuple(division_index().patterns())


@cache
def former_pattern() -> str:
    """The index's expression for former county names, built once."""
    return division_index().former_pattern()


def build_index(rows: list[dict[str, str]]) -> DivisionIndex:
    """Index rows with the columns code, name, parent, level (province, prefecture, county)."""
    by_code = {row["code"]: row for row in rows}
    divisions: dict[str, Division] = {}
    chains: dict[str, set[str]] = {}
    for row in rows:
        division, texts = _describe(row, by_code)
        divisions[division.code] = division
        for chain in texts:
            chains.setdefault(chain, set()).add(division.code)
    frozen = {chain: tuple(sorted(codes)) for chain, codes in chains.items()}
    names = {row["name"] for row in rows}
    former: dict[str, set[str]] = {}
    for division in divisions.values():
        for name in _former_names(division.county or "") if division.level == "county" else []:
            if name not in names:  # 广西平果县, 柳州柳江县: a short name is no chain alone, so it is written here
                shorts = _province_forms(division.province)[1:] + _prefecture_forms(division.city or "")[1:]
                for prefix in ["", *shorts]:
                    former.setdefault(prefix + name, set()).add(division.code)
    return DivisionIndex(
        divisions,
        frozen,
        max(map(len, frozen), default=0),
        {name: tuple(sorted(codes)) for name, codes in former.items()},
    )


def _former_names(county: str) -> list[str]:
    """What a county was called before it became a district (`X区`: `X县`, `X市`) or a county-level city (`X市`:
    `X县`)."""
    stem, suffix = county[:-1], county[-1:]
    if len(stem) < 2:
        return []
    return {"区": [stem + "县", stem + "市"], "市": [stem + "县"]}.get(suffix, [])


def _describe(row: dict[str, str], by_code: dict[str, dict[str, str]]) -> tuple[Division, list[str]]:
    """A row as a Division, with the chains that name it."""
    name, level = row["name"], row["level"]
    if level == "province":
        city = name if _is_municipality(name) else None
        return Division(row["code"], level, name, city, None, row["code"], None), [name]
    parent = by_code[row["parent"]]
    if level == "prefecture":
        province = parent
        prefixes = ["", *_province_forms(province["name"])]
        texts = [prefix + form for prefix in prefixes for form in _prefecture_forms(name) if prefix or form == name]
        division = Division(row["code"], level, province["name"], name, None, province["code"], row["code"])
        return division, texts
    province = by_code[parent["parent"]]
    city = _city_of(parent["name"], province["name"])
    prefixes = [
        p + c for p in ["", *_province_forms(province["name"])] for c in ["", *_prefecture_forms(parent["name"])]
    ]
    division = Division(row["code"], level, province["name"], city, name, province["code"], parent["code"])
    return division, [prefix + name for prefix in prefixes]


def _province_forms(name: str) -> list[str]:
    short = SHORT_PROVINCES.get(name) or (name[:-1] if name[-1] in "省市" else None)
    return [name, short] if short else [name]


def _prefecture_forms(name: str) -> list[str]:
    if name in PSEUDO_PREFECTURES:
        return []
    return [name, name[:-1]] if name.endswith("市") and len(name) > 2 else [name]


def _city_of(prefecture: str, province: str) -> str | None:
    """The city an address shows for a county: its prefecture, the municipality, or none (县级 under a province)."""
    if prefecture not in PSEUDO_PREFECTURES:
        return prefecture
    return province if _is_municipality(province) else None


def _is_municipality(province: str) -> bool:
    return province.endswith("市")


def _escape(text: str) -> str:
    """Escape what both Python's and polars' regular expressions treat as special."""
    return "".join("\\" + char if char in REGEX_META else char for char in text)
