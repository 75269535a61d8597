"""Entity identifiers: the unified social credit code (GB 32100-2015) and the older business registration number.

We do not use `stdnum.cn.uscc` for the credit code: it requires positions 1-8 to be digits, so it rejects every
valid code whose registration authority is a letter (A military units, N rural collectives, Y other), and it
checks neither the authority/type pair nor the embedded organisation identifier. Its ISO 7064 helpers are correct
and are used for the registration number here and the resident identity number in `resident_id`.
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources
from typing import NamedTuple

import polars as pl
from stdnum.iso7064 import mod_11_10

from zhizhi.ingest.validate.results import Checked, Finding, finding

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 symbols of GB 32100: digits and capital letters without I, O, S, V, Z."""

_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
# Full-width ASCII (U+FF01-U+FF5E) and the ideographic space map to half-width; zero-width marks that spreadsheet
# exports carry are dropped.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_CLEAN = _HALF_WIDTH | dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


class Authority(NamedTuple):
    """A registration authority (登记管理部门) and the organisation types (机构类别) it issues codes for."""

    name: str
    types: dict[str, str]


def compact(value: str) -> str:
    """The identifier as stored: half-width, upper case, with no whitespace anywhere."""
    return "".join(value.translate(_CLEAN).split()).upper()


def is_digits(text: str) -> bool:
    """True for a non-empty run of ASCII digits (str.isdigit alone also accepts other scripts' digits)."""
    return text.isascii() and text.isdigit()


@cache
def authorities() -> dict[str, Authority]:
    """The registration authorities of GB 32100 by code, read from the shipped copy of the standard's tables."""
    data = resources.files("zhizhi.ingest.validate").joinpath("data/uscc_registration_codes.csv")
    found: dict[str, Authority] = {}
    for row in csv.DictReader(io.StringIO(data.read_text(encoding="utf-8"))):
        authority = found.setdefault(row["authority_code"], Authority(row["authority_name"], {}))
        authority.types[row["type_code"]] = row["type_name"]
    return found


def uscc_check_char(body: str) -> str:
    """The 18th character GB 32100 requires after the 17 characters of `body`."""
    total = sum(ALPHABET.index(char) * weight for char, weight in zip(body, _USCC_WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def org_check_char(body: str) -> str:
    """The 9th character GB 11714 requires after the 8 characters of an organisation identifier."""
    total = sum(int(char, 36) * weight for char, weight in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def uscc_valid_mask(codes: pl.Series) -> pl.Series:
    """True where a compacted code passes every check `validate_uscc` makes, computed on the whole column.

    A fast path for large files: only the codes this marks False need `validate_uscc` for their findings.
    """
    pairs = [a + t for a, authority in authorities().items() for t in authority.types]
    values = {char: index for index, char in enumerate(ALPHABET)}
    org_values = {char: int(char, 36) for char in ALPHABET}

    def at(i: int, table: dict[str, int]) -> pl.Expr:
        return pl.col("c").str.slice(i, 1).replace_strict(table, default=0, return_dtype=pl.Int64)

    total = pl.sum_horizontal([at(i, values) * w for i, w in enumerate(_USCC_WEIGHTS)])
    check = ((31 - total % 31) % 31).replace_strict(dict(enumerate(ALPHABET)), return_dtype=pl.String)
    org_total = pl.sum_horizontal([at(8 + i, org_values) * w for i, w in enumerate(_ORG_WEIGHTS)])
    org_check = (11 - org_total % 11).replace_strict(
        {**{n: str(n) for n in range(1, 10)}, 10: "X", 11: "0"}, return_dtype=pl.String
    )
    shaped = pl.col("c").str.contains(f"^[{ALPHABET}]{{18}}$").fill_null(False)
    valid = (
        shaped
        & pl.col("c").str.slice(0, 2).is_in(pairs)
        & pl.col("c").str.slice(2, 6).str.contains("^[0-9]{6}$")
        & (pl.col("c").str.slice(17, 1) == check)
        & (pl.col("c").str.slice(16, 1) == org_check)
    )
    frame = pl.DataFrame({"c": codes.cast(pl.String)})
    return frame.select(pl.when(shaped).then(valid).otherwise(False).fill_null(False).alias("valid"))["valid"]


def validate_uscc(value: str, field: str = "uscc") -> Checked[str]:
    """Check a unified social credit code: symbols, length, authority and type, division, both check characters."""
    code = compact(value)
    bad = list(dict.fromkeys(char for char in code if char not in ALPHABET))
    found = [_bad_chars(field, code, bad)] if bad else []
    if len(code) != 18:
        message_zh = f"`{code}` 有 {len(code)} 位，统一社会信用代码应为18位"
        message = f"`{code}` has {len(code)} characters; a credit code has 18"
        return Checked(code, [*found, finding("uscc.length", field, code, message_zh, message)])
    return Checked(code, found + _registration(field, code) + _check_chars(field, code))


def _bad_chars(field: str, code: str, bad: list[str]) -> Finding:
    """The finding for characters outside the 31-symbol alphabet."""
    listed = ", ".join(f"`{char}`" for char in bad)
    message_zh = f"`{code}` 含非法字符 {listed}（统一社会信用代码只用数字和除 I、O、S、V、Z 外的大写字母）"
    message = f"`{code}` contains {listed}: a credit code uses digits and capital letters except I, O, S, V, Z"
    return finding("uscc.char", field, code, message_zh, message)


def _registration(field: str, code: str) -> list[Finding]:
    """Positions 1-2 (a registered authority and type pair) and 3-8 (six digits of a division code)."""
    found: list[Finding] = []
    authority = authorities().get(code[0])
    if authority is None:
        known = list(authorities())
        message_zh = f"`{code}` 的登记管理部门代码 `{code[0]}` 不存在（应为 {'、'.join(known)} 之一）"
        message = (
            f"`{code}` has registration authority `{code[0]}`, which GB 32100 does not define ({', '.join(known)})"
        )
        found.append(finding("uscc.authority", field, code, message_zh, message))
    elif code[1] not in authority.types:
        known = [f"{key} {name}" for key, name in authority.types.items()]
        message_zh = (
            f"`{code}` 的机构类别代码 `{code[1]}` 不属于登记管理部门 {authority.name}（可用：{'、'.join(known)}）"
        )
        message = f"`{code}` has organisation type `{code[1]}`, which authority `{code[0]}` does not issue"
        found.append(finding("uscc.org_type", field, code, message_zh, f"{message} ({', '.join(authority.types)})"))
    if not is_digits(code[2:8]):
        message_zh = f"`{code}` 的第3-8位 `{code[2:8]}` 不是6位行政区划码"
        message = f"`{code}` has `{code[2:8]}` in positions 3-8, which is not a six-digit division code"
        found.append(finding("uscc.division", field, code, message_zh, message))
    return found


def _check_chars(field: str, code: str) -> list[Finding]:
    """The 18th check character (hard) and the organisation identifier's own check character (soft)."""
    found: list[Finding] = []
    if all(char in ALPHABET for char in code[:17]) and code[17] != (expected := uscc_check_char(code[:17])):
        message_zh = f"`{code}` 校验码错误（第18位应为 `{expected}`）"
        message = f"`{code}` fails the check character (expected `{expected}`)"
        found.append(finding("uscc.check_char", field, code, message_zh, message, expected))
    org = code[8:17]
    if all(char in ALPHABET for char in org[:8]) and org[8] != (expected := org_check_char(org[:8])):
        message_zh = f"`{code}` 中的组织机构代码 `{org}` 校验码不符（应为 `{expected}`）"
        message = (
            f"`{code}` embeds organisation identifier `{org}`, which fails its check character (expected `{expected}`)"
        )
        found.append(finding("uscc.org_check", field, code, message_zh, message, expected))
    return found


def validate_registration_number(value: str, field: str = "reg_no") -> Checked[str]:
    """Check a 15-digit business registration number (注册号, GS 15-2006) and its MOD 11,10 check digit."""
    number = compact(value)
    found: list[Finding] = []
    if number and not is_digits(number):
        message_zh = f"`{number}` 含非数字字符，注册号只由数字组成"
        message = f"`{number}` contains characters other than digits; a registration number is all digits"
        found.append(finding("reg_no.format", field, number, message_zh, message))
    if len(number) != 15:
        message_zh = f"`{number}` 有 {len(number)} 位，注册号应为15位"
        message = f"`{number}` has {len(number)} characters; a registration number has 15"
        found.append(finding("reg_no.length", field, number, message_zh, message))
    if not found and number[14] != (expected := mod_11_10.calc_check_digit(number[:14])):
        # Soft: numbers issued before GS 15-2006 took effect in 2007 may lack a valid check digit yet be real.
        message_zh = f"`{number}` 校验位不符（第15位应为 `{expected}`），可能是2007年以前的旧注册号"
        message = f"`{number}` fails the check digit (expected `{expected}`); it may be a number issued before 2007"
        found.append(finding("reg_no.check_digit", field, number, message_zh, message, expected))
    return Checked(number, found)
