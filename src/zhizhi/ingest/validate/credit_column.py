"""A credit-code column as departments fill it: a business's unified social credit code, or, where the business has
none on file, its 15-digit registration number (统一社会信用代码/注册号), its 9-character organisation code
(组织机构代码, MA5KHD01-0) or the holder's resident identity number (an individual business's operator:
统一社会信用代码（身份证号码）).

Such a value is no credit code, and no wrong one: it is told for what it is (`uscc.reg_no`, `uscc.org_code`,
`uscc.resident_id`, all soft) and left out of the credit code, so the record stands on its other keys and nothing
downstream takes it for a credit code. A registration number goes to the record's own registration-number field
where it has one (`zhizhi.ingest.mapping`); an identity number, personal data, is kept nowhere but the raw row,
masked there wherever it is shown (`zhizhi.privacy.masking.mask_cells`).
"""

from __future__ import annotations

from zhizhi.ingest.validate.identifiers import (
    ALPHABET,
    compact,
    is_digits,
    org_check_char,
    validate_registration_number,
    validate_uscc,
)
from zhizhi.ingest.validate.resident_id import validate_resident_id
from zhizhi.ingest.validate.results import Checked, finding, must_quarantine

LEFT_OUT = ("uscc.reg_no", "uscc.resident_id", "uscc.org_code")
"""Reasons for which a credit-code field's value is left out of the record (the row is not held back for them)."""


def validate_credit_column(value: str, field: str = "uscc") -> Checked[str | None]:
    """A credit code checked as `validate_uscc` does; a value that fails it but is a whole registration number or
    resident identity number comes back as None with the one finding that says so."""
    checked = validate_uscc(value, field)
    if not must_quarantine(checked.findings):
        return Checked(checked.value, checked.findings)
    code = compact(value)
    if len(code) == 15 and is_digits(code) and not validate_registration_number(code, field).findings:
        message_zh = (
            f"`{code}` 是15位工商注册号，不是统一社会信用代码：记为注册号（记录有该字段时），信用代码留空；"
            "该主体已换发营业执照的，请填写18位信用代码"
        )
        message = (
            f"`{code}` is a 15-digit registration number, not a credit code: kept as the registration number where "
            "the record has one, the credit code left empty; give the 18-character code if the business has one"
        )
        return Checked(None, [finding("uscc.reg_no", field, code, message_zh, message)])
    bare = code.replace("-", "")
    if len(bare) == 9 and code.count("-") <= 1 and all(c in ALPHABET for c in bare[:8]) and (
        org_check_char(bare[:8]) == bare[8]
    ):
        message_zh = (
            f"`{code}` 是9位组织机构代码，不是统一社会信用代码：信用代码留空；请填写18位信用代码（其第9-17位即此代码）"
        )
        message = (
            f"`{code}` is a 9-character organisation code, not a credit code: the credit code left empty; give the "
            "18-character code (its characters 9-17 are this code)"
        )
        return Checked(None, [finding("uscc.org_code", field, code, message_zh, message)])
    if len(code) in (15, 18) and not validate_resident_id(code, field).findings:
        message_zh = (
            f"`{code}` 是居民身份证号码（个人信息），不是统一社会信用代码：未作为信用代码保存，只留在原始行中；"
            "个体工商户有信用代码的，请填写信用代码"
        )
        message = (
            f"`{code}` is a resident identity number (personal data), not a credit code: not stored as one, kept only "
            "in the raw row; give the business's credit code if it has one"
        )
        return Checked(None, [finding("uscc.resident_id", field, code, message_zh, message)])
    return Checked(checked.value, checked.findings)
