"""Addresses split into province, city, county with the GB/T 2260 division code, and the rest (the street part).

The longest chain of division names at the start of the address decides (see divisions.py for the forms
recognised). The result's fields:
- `division_code`: the code of the finest division found (a county's; a prefecture's or province's when the
  address names nothing finer); null when there is none or it is ambiguous.
- `province`, `city`, `county`: official names. `city` of a municipality (北京市东城区) is the municipality;
  a county-level city directly under a province (湖北省仙桃市) has no city.
- `level`: province, prefecture or county: how far down the address goes.
- `match`: `exact` (one division has this name chain), `default_prefecture` / `default_province` (several
  have it; the one under the caller's default prefecture, or in its province, was taken), `ambiguous` (several
  and the default does not decide: only the names they share are filled), `none` (no division at the start).
- `rest`: the address after the division names, with the separators right after them dropped; the whole
  address when no division was found. Traditional address characters are simplified first (柳州市城中區 is
  柳州市城中区; see variants.py).
柳州城中区 is read as 柳州市城中区: a prefecture's short name pins the county, so it is not ambiguous. 城中区
alone is (柳州 and 西宁 both have one): with `default_prefecture="450200"` it resolves to 450202.
Where the chain names no county, a county's former name right after it (or at the start) is read as that county
today, `match` `former_name`: 柳州市柳江县拉堡镇 is 柳江区 (450206), rest 拉堡镇; the former name must lie in the
province or prefecture the chain named (or, with none named, the default prefecture decides as above).
Only distinct chains are resolved in Python; everything else runs as column expressions.
"""

from __future__ import annotations

from typing import NamedTuple

import polars as pl

from zhizhi.errors import InputError
from zhizhi.ingest.normalize.columns import apply_expr, blank_as_null, map_distinct
from zhizhi.ingest.normalize.divisions import (
    FORMER_ROAD,
    FORMER_STOP,
    FORMER_UNIT,
    Division,
    DivisionIndex,
    division_index,
    division_patterns,
    former_pattern,
)
from zhizhi.ingest.normalize.text import clean_text_expr, clean_text_value, join_han_expr, join_han_value
from zhizhi.ingest.normalize.variants import simplified_expr, simplified_value

LEADING_SEPARATORS = " ,;:、-"
_FIELDS = ("division_code", "province", "city", "county", "level", "match")
_FOUND_DTYPE = pl.Struct({field: pl.String for field in _FIELDS} | {"former_used": pl.Boolean})


class AddressParts(NamedTuple):
    """One address split up (see the module docstring for the fields)."""

    division_code: str | None
    province: str | None
    city: str | None
    county: str | None
    level: str | None
    match: str | None
    rest: str | None


def split_addresses(values: pl.Series, *, default_prefecture: str | None = None) -> pl.Series:
    """Split a column of addresses into a struct column of AddressParts' fields."""
    index = division_index()
    _check_default(index, default_prefecture)
    text = apply_expr(values, address_text_expr)
    head = apply_expr(text, lambda expr: pl.coalesce([expr.str.extract(p, 0) for p in division_patterns()]))
    frame = pl.DataFrame({"text": text, "head": head})
    after = pl.col("text").str.slice(pl.col("head").str.len_chars()).str.strip_chars_start(LEADING_SEPARATORS)
    after = pl.when(pl.col("head").is_null()).then(pl.col("text")).otherwise(after)
    frame = frame.with_columns(after.alias("after")).with_columns(
        pl.col("after").str.extract(former_pattern(), 1).alias("former")
    )
    following = pl.col("after").str.slice(pl.col("former").str.len_chars(), 8)
    frame = frame.with_columns(pl.when(pl.col("former").is_not_null()).then(following).alias("next"))
    keys = frame.select(pl.struct("head", "former", "next")).to_series()

    def resolve(key: dict[str, str | None]) -> dict[str, object]:
        parts, used = _resolve_with_former(index, key["head"], key["former"], key["next"], default_prefecture)
        return {name: getattr(parts, name) for name in _FIELDS} | {"former_used": used}

    found = map_distinct(keys, resolve, _FOUND_DTYPE)
    frame = frame.with_columns(found.alias("found"))
    used = pl.col("found").struct.field("former_used")
    rest = (
        pl.when(used)
        .then(pl.col("after").str.slice(pl.col("former").str.len_chars()).str.strip_chars_start(LEADING_SEPARATORS))
        .otherwise(pl.col("after"))
    )
    match = pl.when(pl.col("text").is_not_null()).then(pl.col("found").struct.field("match"))
    columns = [pl.col("found").struct.field(field) for field in _FIELDS if field != "match"]
    parts = [*columns, match.alias("match"), blank_as_null(rest).alias("rest")]
    return frame.select(pl.struct(parts).alias(values.name)).to_series()


def split_address_value(value: str | None, *, default_prefecture: str | None = None) -> AddressParts:
    """Split one address exactly as `split_addresses` splits a column."""
    index = division_index()
    _check_default(index, default_prefecture)
    text = clean_text_value(value)
    if text is None:
        return AddressParts(None, None, None, None, None, None, None)
    text = simplified_value(join_han_value(text))
    head = index.longest_chain(text)
    after = text if head is None else text[len(head) :].lstrip(LEADING_SEPARATORS)
    former = index.former_at(after)
    following = after[len(former) : len(former) + 8] if former else None
    found, used = _resolve_with_former(index, head, former, following, default_prefecture)
    if used:
        after = after[len(former or "") :].lstrip(LEADING_SEPARATORS)
    return found._replace(rest=after or None)


def address_text_expr(expr: pl.Expr) -> pl.Expr:
    """An address cleaned for matching: `clean_text`, no spaces next to Chinese characters, traditional address
    characters simplified (variants.py)."""
    return simplified_expr(join_han_expr(clean_text_expr(expr)))


def _resolve_with_former(
    index: DivisionIndex, chain: str | None, former: str | None, following: str | None, default_prefecture: str | None
) -> tuple[AddressParts, bool]:
    """The division a chain names; where it names no county, the county a former name after it (`following`: what
    comes after that) is today: within what the chain named, else in the default prefecture (or its province); a
    `X市` only after a chain; neither where what follows may start a word (柳南市民中心) or names a road (长安县路),
    unless a town, street or road follows (富阳市场口镇). Also whether the former name was used."""
    found = _resolve(index, chain, default_prefecture)
    if former is None or found.level == "county" or found.match == "ambiguous":
        return found, False
    following = following or ""
    if former.endswith("市") and chain is None:
        return found, False
    stops = FORMER_ROAD | (FORMER_STOP if former.endswith("市") else frozenset())
    if following[:1] in stops and not FORMER_UNIT.match(following):
        return found, False
    candidates = [index.divisions[code] for code in index.former[former]]
    if found.division_code is not None:
        candidates = [d for d in candidates if found.division_code in (d.prefecture_code, d.province_code)]
    elif default_prefecture is not None:
        candidates = [d for d in candidates if d.prefecture_code == default_prefecture] or [
            d for d in candidates if d.province_code == default_prefecture[:2] + "0000"
        ]
    if len(candidates) != 1:
        return found, False
    return _parts(candidates[0], "former_name"), True


def _resolve(index: DivisionIndex, chain: str | None, default_prefecture: str | None) -> AddressParts:
    """The division a chain names, choosing among several by the default prefecture."""
    if chain is None:
        return AddressParts(None, None, None, None, None, "none", None)
    candidates = [index.divisions[code] for code in index.chains[chain]]
    if len(candidates) == 1:
        return _parts(candidates[0], "exact")
    if default_prefecture is not None:
        in_prefecture = [d for d in candidates if d.prefecture_code == default_prefecture]
        if len(in_prefecture) == 1:
            return _parts(in_prefecture[0], "default_prefecture")
        in_province = [d for d in candidates if d.province_code == default_prefecture[:2] + "0000"]
        if len(in_province) == 1:
            return _parts(in_province[0], "default_province")
    return _shared(candidates)


def _parts(division: Division, match: str) -> AddressParts:
    return AddressParts(division.code, division.province, division.city, division.county, division.level, match, None)


def _shared(candidates: list[Division]) -> AddressParts:
    """What all candidates agree on, with no code."""

    def common(values: list[str | None]) -> str | None:
        return values[0] if len(set(values)) == 1 else None

    return AddressParts(
        None,
        common([d.province for d in candidates]),
        common([d.city for d in candidates]),
        common([d.county for d in candidates]),
        common([d.level for d in candidates]),
        "ambiguous",
        None,
    )


def _check_default(index: DivisionIndex, default_prefecture: str | None) -> None:
    if default_prefecture is None:
        return
    division = index.divisions.get(default_prefecture)
    if division is None or division.level != "prefecture":
        raise InputError(
            f"Default prefecture `{default_prefecture}` is not a prefecture code in GB/T 2260: "
            "give the six-digit code of a prefecture, e.g. `450200` for 柳州市.",
            zh=f"默认地市 `{default_prefecture}` 不是 GB/T 2260 中的地级区划代码："
            "请填六位地级代码，如柳州市 `450200`。",
        )
