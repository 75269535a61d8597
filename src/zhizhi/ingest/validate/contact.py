"""Contact details: mobile and landline numbers and e-mail addresses, already normalised by the normalize stage.

These take the clean value (`13812345678`, `0755-12345678`): turning `+86 138-1234-5678` into that is the
normalizer's job. Their findings are soft: a bad phone number is worth a warning, not a quarantined record.
"""

from __future__ import annotations

import re

from zhizhi.ingest.validate.results import Finding, finding

# [0-9] rather than \d, which also matches other scripts' digits.
MOBILE = re.compile(r"1[3-9][0-9]{9}")
# Area codes: 010 and 02x have three digits, all others four (0xxx); local numbers have 7 or 8 digits and never
# start with 0 or 1; an extension follows a hyphen.
LANDLINE = re.compile(r"(?:010|02[0-9]|0[3-9][0-9]{2})-?[2-9][0-9]{6,7}(?:-[0-9]{1,6})?")
EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
EMAIL_MAX = 254


def validate_mobile(value: str, field: str = "mobile") -> list[Finding]:
    """Check a mobile number: 11 digits starting 13-19."""
    if MOBILE.fullmatch(value):
        return []
    message_zh = f"`{value}` 不是手机号码（11位数字，以 13-19 开头）"
    return [
        finding("phone.mobile", field, value, message_zh, f"`{value}` is not a mobile number (11 digits, 13-19...)")
    ]


def validate_landline(value: str, field: str = "phone") -> list[Finding]:
    """Check a landline number: area code, 7-8 digit local number, optional extension."""
    if LANDLINE.fullmatch(value):
        return []
    message_zh = f"`{value}` 不是固定电话（区号 + 7-8位号码，可带分机号，如 0755-12345678-123）"
    message = f"`{value}` is not a landline number (area code + 7-8 digits, optional extension: 0755-12345678-123)"
    return [finding("phone.landline", field, value, message_zh, message)]


def validate_phone(value: str, field: str = "phone") -> list[Finding]:
    """Check a number that may be either a mobile or a landline number."""
    if MOBILE.fullmatch(value) or LANDLINE.fullmatch(value):
        return []
    message_zh = f"`{value}` 既不是手机号码也不是固定电话"
    message = f"`{value}` is neither a mobile number (13812345678) nor a landline number (0755-12345678)"
    return [finding("phone.format", field, value, message_zh, message)]


def validate_email(value: str, field: str = "email") -> list[Finding]:
    """Check an e-mail address: one `@`, a dotted domain, no spaces, at most 254 characters."""
    if len(value) <= EMAIL_MAX and EMAIL.fullmatch(value):
        return []
    message_zh = f"`{value}` 不是有效的电子邮箱地址"
    return [finding("email.format", field, value, message_zh, f"`{value}` is not an e-mail address")]
