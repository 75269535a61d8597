"""Findings: what a validator says about one value, and the registry of the reason codes they carry."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, Literal, NamedTuple, TypeVar

Severity = Literal["hard", "soft"]
"""`hard` sends the row to quarantine; `soft` is a warning kept on the accepted record."""

HARD: Severity = "hard"
SOFT: Severity = "soft"

# Reason codes are stable: stewards filter quarantine by them and reports count them, so a code is never renamed,
# reused or given another severity; a new rule gets a new code. Each maps to (severity, Chinese title).
REASONS: dict[str, tuple[Severity, str]] = {
    "field.missing": (HARD, "必填字段为空"),
    "field.too_long": (HARD, "超过字段长度"),
    "uscc.length": (HARD, "统一社会信用代码不是18位"),
    "uscc.char": (HARD, "统一社会信用代码含非法字符"),
    "uscc.authority": (HARD, "登记管理部门代码无效"),
    "uscc.org_type": (HARD, "机构类别代码与登记管理部门不符"),
    "uscc.division": (HARD, "登记管理机关行政区划码不是6位数字"),
    "uscc.check_char": (HARD, "统一社会信用代码校验码错误"),
    "uscc.org_check": (SOFT, "统一社会信用代码中的组织机构代码校验码不符"),
    "uscc.reg_no": (SOFT, "信用代码栏填的是15位注册号，记为注册号"),
    "uscc.org_code": (SOFT, "信用代码栏填的是9位组织机构代码，信用代码留空"),
    "uscc.resident_id": (SOFT, "信用代码栏填的是居民身份证号码，未作为信用代码保存"),
    "reg_no.length": (HARD, "注册号不是15位"),
    "reg_no.format": (HARD, "注册号含非数字字符"),
    "reg_no.check_digit": (SOFT, "注册号校验位不符"),
    "resident_id.length": (HARD, "身份证号码不是18位或15位"),
    "resident_id.format": (HARD, "身份证号码含非法字符"),
    "resident_id.birth_date": (HARD, "身份证号码中的出生日期不存在"),
    "resident_id.birth_future": (HARD, "身份证号码中的出生日期晚于今天"),
    "resident_id.birth_early": (HARD, "身份证号码中的出生日期早于1900年"),
    "resident_id.check_digit": (HARD, "身份证号码校验码错误"),
    "phone.mobile": (SOFT, "手机号码格式错误"),
    "phone.landline": (SOFT, "固定电话格式错误"),
    "phone.format": (SOFT, "电话号码既不是手机号码也不是固定电话"),
    "email.format": (SOFT, "电子邮箱格式错误"),
    "date.invalid": (HARD, "日期无效"),
    "date.too_early": (HARD, "日期早于允许范围"),
    "date.too_late": (HARD, "日期晚于允许范围"),
    "datetime.date_only": (SOFT, "只有日期，没有时刻"),
    "date.end_before_start": (HARD, "结束日期早于开始日期"),
    "row.malformed": (HARD, "行无法按表头读取（字段数不符或格式损坏）"),
    "record.no_key": (HARD, "缺少识别记录的字段（如编号、信用代码）"),
    "code.unknown": (HARD, "代码不在所用代码表的现行版本中"),
    "code.unmapped": (SOFT, "代码无法转换为标准代码"),
    "code.ambiguous": (SOFT, "代码对应多个标准代码，待人工确认"),
    "value.not_allowed": (HARD, "取值不在允许的范围内"),
    "address.division": (SOFT, "地址中未识别出行政区划"),
    "text.formula": (SOFT, "内容以公式符号开头，按文本保存"),
    "value.spreadsheet_artefact": (SOFT, "标识、代码、日期或选项值带有表格软件留下的痕迹，已还原"),
    "value.scientific_notation": (HARD, "标识或代码被写成科学计数法，数字已丢失"),
    "value.float_precision": (HARD, "标识或代码曾被当作数字，超出浮点数精度"),
    "code.leading_zero": (HARD, "代码在表格软件中是数字（数字单元格，或写成 111.0），前导零可能已丢失"),
}

T = TypeVar("T")


@dataclass(frozen=True)
class Finding:
    """One problem with one value, under a registered reason code, worded for stewards (Chinese) and logs."""

    code: str
    severity: Severity
    field: str
    value: str
    message_zh: str
    message: str
    expected: str | None = None


class Checked(NamedTuple, Generic[T]):
    """A validator's answer: the value as it should be stored, and its findings (empty when valid)."""

    value: T
    findings: list[Finding]


class UnknownReasonError(KeyError):
    """A validator used a reason code that REASONS does not register: a bug in the validator."""


def finding(code: str, field: str, value: str, message_zh: str, message: str, expected: str | None = None) -> Finding:
    """A Finding whose severity comes from the registry, so a code always carries the same severity."""
    if code not in REASONS:
        raise UnknownReasonError(f"Reason code `{code}` is not registered in REASONS: register it before using it.")
    return Finding(code, REASONS[code][0], field, value, message_zh, message, expected)


def must_quarantine(findings: Iterable[Finding]) -> bool:
    """True when any finding is hard, i.e. the row goes to quarantine."""
    return any(item.severity == HARD for item in findings)
