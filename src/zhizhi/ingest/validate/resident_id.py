"""The resident identity number (居民身份证号码, GB 11643-1999), including legacy 15-digit numbers.

`stdnum.cn.ric` is not used whole: it refuses 15-digit numbers, accepts birth dates in the future or before 1900,
and refuses any number whose address code is missing from its bundled division list, which is not this module's
call to make (address codes are checked for format only). Its ISO 7064 MOD 11-2 helper is correct and is used.
"""

from __future__ import annotations

from datetime import date

from stdnum.iso7064 import mod_11_2

from zhizhi.ingest.validate.identifiers import compact, is_digits
from zhizhi.ingest.validate.results import Checked, Finding, finding
from zhizhi.store.types import local_today

EARLIEST_BIRTH = date(1900, 1, 1)


def upgrade_legacy(number: str) -> str:
    """The 18-digit form of a legacy 15-digit number: "19" before the two-digit year, then the check digit."""
    body = number[:6] + "19" + number[6:]
    return body + mod_11_2.calc_check_digit(body)


def validate_resident_id(value: str, field: str = "resident_id", *, today: date | None = None) -> Checked[str]:
    """Check a resident identity number; a valid legacy 15-digit number comes back in its 18-digit form."""
    number = compact(value)
    if len(number) == 15 and is_digits(number):
        number = upgrade_legacy(number)
    if len(number) != 18:
        return Checked(
            number,
            [
                finding(
                    "resident_id.length",
                    field,
                    number,
                    f"`{number}` 有 {len(number)} 位，身份证号码应为18位（或旧的15位）",
                    f"`{number}` has {len(number)} characters; a resident identity number has 18 (legacy: 15)",
                )
            ],
        )
    if not is_digits(number[:17]) or number[17] not in "0123456789X":
        message_zh = f"`{number}` 含非法字符：身份证号码前17位为数字，第18位为数字或 X"
        message = f"`{number}` is not 17 digits followed by a digit or `X`"
        return Checked(number, [finding("resident_id.format", field, number, message_zh, message)])
    return Checked(number, _birth_date(field, number, today or local_today()) + _check_digit(field, number))


def _birth_date(field: str, number: str, today: date) -> list[Finding]:
    """Positions 7-14 must be a real date from 1900 up to today."""
    text = number[6:14]
    try:
        born = date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        message_zh = f"`{number}` 中的出生日期 `{text}` 不存在"
        return [
            finding("resident_id.birth_date", field, number, message_zh, f"`{number}` has no real birth date `{text}`")
        ]
    if born > today:
        message_zh = f"`{number}` 中的出生日期 `{born}` 晚于今天"
        return [
            finding(
                "resident_id.birth_future",
                field,
                number,
                message_zh,
                f"`{number}` has birth date `{born}` in the future",
            )
        ]
    if born < EARLIEST_BIRTH:
        message_zh = f"`{number}` 中的出生日期 `{born}` 早于1900年"
        return [
            finding(
                "resident_id.birth_early", field, number, message_zh, f"`{number}` has birth date `{born}` before 1900"
            )
        ]
    return []


def _check_digit(field: str, number: str) -> list[Finding]:
    """The 18th character must be the MOD 11-2 check digit of the first 17."""
    expected = mod_11_2.calc_check_digit(number[:17])
    if number[17] == expected:
        return []
    message_zh = f"`{number}` 校验码错误（第18位应为 `{expected}`）"
    message = f"`{number}` fails the check digit (expected `{expected}`)"
    return [finding("resident_id.check_digit", field, number, message_zh, message, expected)]
