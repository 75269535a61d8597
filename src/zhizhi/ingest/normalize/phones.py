"""Phone numbers to one form: mobiles as 11 digits, landlines as area code, hyphen, local number.

Decisions:
- Output forms, the ones the validators check: mobile `13812345678`; landline `0772-1234567` / `010-12345678`
  (010 and 02x are the three-digit area codes, every other one has four); an extension is kept after a second
  hyphen, `0772-1234567-123`, whether written `转123`, `分机123`, `ext 123`, `x123`, `#123` or `-123`;
  service numbers `400-123-4567` / `800-123-4567` (the validators do not know these: expect a soft warning).
- Country code: `+86`, `0086` and a bare `86` before 10-11 further digits are dropped; a landline written
  without its trunk 0 after the country code (`+86 772 1234567`) gets it back. Any other `+` or `00` prefix is a
  foreign number and is refused.
- A local number without area code (7-8 digits) becomes a landline only when the caller gives the area code
  (`default_area_code="0772"`); otherwise it is refused.
- Several numbers in one cell, separated by `/ 、 ; , ，；` or a line break: the first is the phone, the others
  go to `others`, normalised where possible and otherwise kept as cleaned text, joined with `;`. Spaces do not
  separate numbers (they appear inside them). A mobile with an extension is refused.
- A piece longer than 100 characters is not a phone number (this also keeps a huge cell cheap).
- Refused numbers are null in `phone`; the caller keeps the original and quarantines or warns.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import polars as pl

from zhizhi.errors import InputError
from zhizhi.ingest.normalize.columns import apply_expr, blank_as_null
from zhizhi.ingest.normalize.text import clean_text_expr, clean_text_value

LINE_BREAKS = r"[\r\n\u2028\u2029]+"
SEPARATORS = r" ?[/、;,] ?"
MAX_PIECE = 100
EXTENSION = r"^(.*?[0-9]{7,8}) ?(?:-|转|分机|[Ee][Xx][Tt]\.?|[Xx]|#) ?([0-9]{1,6})$"
COUNTRY_CODE = r"^\(?(?:\+|00) ?\(?86"
FOREIGN = r"^\(?(?:\+|00)"
MOBILE = r"^1[3-9][0-9]{9}$"
LANDLINE = r"^(010|02[0-9]|0[3-9][0-9]{2})([0-9]{7,8})$"
SERVICE = r"^([48]00)([0-9]{3})([0-9]{4})$"
LOCAL = r"^[2-9][0-9]{6,7}$"
AREA_CODE = re.compile(r"0[1-9][0-9]{1,2}")
_R = {kind: re.compile(pattern) for kind, pattern in (("mobile", MOBILE), ("landline", LANDLINE), ("service", SERVICE))}
_VALUE = "value"


class PhoneValue(NamedTuple):
    """One cell's numbers: the first as `phone`, the rest joined with `;` as `others`."""

    phone: str | None
    others: str | None


def normalize_phones(values: pl.Series, *, default_area_code: str | None = None) -> pl.Series:
    """Normalise a column of phone cells to a struct column with fields `phone` and `others`."""
    _check_area_code(default_area_code)
    if values.dtype.is_numeric():
        values = _whole_numbers(values)
    split = apply_expr(values, _cell_expr).str.splitn(";", 2)
    first, rest = split.struct.field("field_0"), split.struct.field("field_1")
    frame = pl.DataFrame({"phone": _numbers(first, default_area_code), "others": _others(rest, default_area_code)})
    return frame.select(pl.struct("phone", "others").alias(values.name)).to_series()


def normalize_phone_value(value: object, *, default_area_code: str | None = None) -> PhoneValue:
    """Normalise one cell exactly as `normalize_phones` normalises a column."""
    _check_area_code(default_area_code)
    if isinstance(value, float):
        value = int(value) if value.is_integer() else None
    if value is None or isinstance(value, bool):
        return PhoneValue(None, None)
    cell = clean_text_value(re.sub(LINE_BREAKS, ";", str(value))) or ""
    pieces = [piece for piece in re.sub(SEPARATORS, ";", cell).split(";") if piece]
    if not pieces:
        return PhoneValue(None, None)
    others = [_number_value(piece, default_area_code) or piece for piece in pieces[1:]]
    return PhoneValue(_number_value(pieces[0], default_area_code), ";".join(others) or None)


def _cell_expr(expr: pl.Expr) -> pl.Expr:
    """A cell cleaned, its numbers separated by `;` (empty pieces between them are dropped later)."""
    cell = clean_text_expr(expr.cast(pl.String).str.replace_all(LINE_BREAKS, ";"))
    return blank_as_null(cell.str.replace_all(SEPARATORS, ";").str.strip_chars(";"))


def _numbers(pieces: pl.Series, default_area_code: str | None) -> pl.Series:
    """Each piece (one number, cleaned) in its normal form, or null; built step by step to keep expressions small."""
    piece = pl.col("piece")
    frame = pl.DataFrame({"piece": pieces}).select(
        pl.when(piece.str.len_chars() <= MAX_PIECE).then(piece).alias("piece")
    )
    parts = frame["piece"].str.extract_groups(EXTENSION)
    frame = frame.select(
        pl.coalesce(parts.struct.field("1"), piece).alias("main"), parts.struct.field("2").alias("extension")
    )
    main, digits = pl.col("main"), pl.col("digits")
    frame = frame.with_columns(
        main.str.replace_all("[^0-9]", "").alias("digits"),
        main.str.contains(FOREIGN).alias("foreign"),
        main.str.contains(COUNTRY_CODE).alias("has_cc"),
    )
    cc = (
        pl.when("has_cc")
        .then(pl.when(digits.str.starts_with("0086")).then(4).otherwise(2))
        .when(digits.str.starts_with("86") & digits.str.len_chars().is_between(12, 13) & ~pl.col("foreign"))
        .then(2)
        .otherwise(0)
    )
    frame = frame.with_columns(cc.alias("cc")).with_columns(digits.str.slice(pl.col("cc")).alias("bare"))
    bare = pl.col("bare")
    trunk_missing = (pl.col("cc") > 0) & ~bare.str.contains(MOBILE) & ~bare.str.starts_with("0")
    frame = frame.with_columns(pl.when(trunk_missing).then("0" + bare).otherwise(bare).alias("national"))
    return frame.select(_format_expr(default_area_code)).to_series().alias(pieces.name)


def _format_expr(default_area_code: str | None) -> pl.Expr:
    """The normal form from the columns national, extension, cc and foreign."""
    national, extension, cc = pl.col("national"), pl.col("extension"), pl.col("cc")
    suffix = pl.when(extension.is_null()).then(pl.lit("")).otherwise("-" + extension)
    local = None if default_area_code is None else pl.lit(default_area_code + "-") + national + suffix
    formatted = (
        pl.when(pl.col("foreign") & (cc == 0))
        .then(None)
        .when(national.str.contains(MOBILE))
        .then(pl.when(extension.is_null()).then(national))
        .when(national.str.contains(LANDLINE))
        .then(national.str.replace(LANDLINE, "${1}-${2}") + suffix)
        .when(national.str.contains(SERVICE))
        .then(national.str.replace(SERVICE, "${1}-${2}-${3}") + suffix)
        .when(national.str.contains(LOCAL) & (cc == 0))
        .then(local)
    )
    return blank_as_null(formatted)


def _others(rest: pl.Series, default_area_code: str | None) -> pl.Series:
    """The numbers after the first, each normalised or else kept as cleaned text, joined with `;`."""
    rows = pl.DataFrame({"rest": rest}).with_row_index("row")
    pieces = rows.filter(pl.col("rest").is_not_null()).with_columns(pl.col("rest").str.split(";")).explode("rest")
    pieces = pieces.filter(pl.col("rest") != "")
    numbers = pl.coalesce(_numbers(pieces["rest"], default_area_code), pieces["rest"])
    joined = pieces.with_columns(numbers.alias("rest")).group_by("row").agg(pl.col("rest").str.join(";"))
    return rows.select("row").join(joined, on="row", how="left", maintain_order="left")["rest"]


def _number_value(piece: str, default_area_code: str | None) -> str | None:
    if len(piece) > MAX_PIECE:
        return None
    match = re.match(EXTENSION, piece)
    main, extension = (match.group(1), match.group(2)) if match else (piece, None)
    digits = re.sub("[^0-9]", "", main)
    foreign = re.match(FOREIGN, main) is not None
    cc = 0
    if re.match(COUNTRY_CODE, main):
        cc = 4 if digits.startswith("0086") else 2
    elif digits.startswith("86") and len(digits) in (12, 13) and not foreign:
        cc = 2
    national = digits[cc:]
    if cc and not _R["mobile"].match(national) and not national.startswith("0"):
        national = "0" + national
    suffix = "" if extension is None else "-" + extension
    if foreign and not cc:
        return None
    if _R["mobile"].match(national):
        return national if extension is None else None
    for kind, replacement in (("landline", r"\1-\2"), ("service", r"\1-\2-\3")):
        if _R[kind].match(national):
            return _R[kind].sub(replacement, national) + suffix
    if default_area_code and not cc and re.match(LOCAL, national):
        return f"{default_area_code}-{national}{suffix}"
    return None


def _whole_numbers(values: pl.Series) -> pl.Series:
    """Numbers as integers (Excel stores 13812345678 as 13812345678.0); fractions and non-finite values as null."""
    whole = pl.col(_VALUE)
    if values.dtype.is_float():
        whole = pl.when(whole.is_finite() & (whole == whole.floor())).then(whole)
    return pl.DataFrame({_VALUE: values}).select(whole.cast(pl.Int64, strict=False)).to_series().alias(values.name)


def _check_area_code(default_area_code: str | None) -> None:
    if default_area_code is not None and not AREA_CODE.fullmatch(default_area_code):
        raise InputError(
            f"Default area code `{default_area_code}` is not an area code: give 0 and 2-3 digits, e.g. `0772`.",
            zh=f"默认区号 `{default_area_code}` 不是区号：应为 0 加 2-3 位数字，如 `0772`。",
        )
