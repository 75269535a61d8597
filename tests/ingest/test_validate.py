"""Validators: table-driven, one row per case (value in -> normalised value and reason codes out)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from stdnum.cn import uscc as stdnum_uscc
from stdnum.iso7064 import mod_11_2

from tests.ingest.test_kinds import COLUMN_LEVEL
from zhizhi.ingest.validate import (
    REASONS,
    Finding,
    must_quarantine,
    validate_date,
    validate_email,
    validate_landline,
    validate_max_length,
    validate_mobile,
    validate_phone,
    validate_registration_number,
    validate_required,
    validate_resident_id,
    validate_uscc,
)
from zhizhi.ingest.validate.credit_column import validate_credit_column
from zhizhi.ingest.validate.identifiers import authorities
from zhizhi.ingest.validate.results import UnknownReasonError, finding

TODAY = date(2025, 6, 1)
CJK = re.compile(r"[\u4e00-\u9fff]")


def credit_code(body: str) -> str:
    """A credit code with its 18th character computed by an independent implementation (python-stdnum's)."""
    return body + stdnum_uscc.calc_check_digit(body)


def resident_id(body: str) -> str:
    """A resident identity number with its check digit computed."""
    return body + mod_11_2.calc_check_digit(body)


# input -> (normalised value, reason codes)
USCC_ROWS: list[tuple[str, str, list[str]]] = [
    # the examples of the standards notes
    ("91110000600037341L", "91110000600037341L", []),
    ("121200004013590816", "121200004013590816", []),
    ("92340602MA2PBQAH7E", "92340602MA2PBQAH7E", []),
    ("91310115MA1K3BTP2B", "91310115MA1K3BTP2B", []),
    ("9144030071526726XG", "9144030071526726XG", []),
    # letter authorities, which python-stdnum refuses
    (credit_code("A1110000600037341"), "A1110000600037341K", []),
    (credit_code("N2110000600037341"), "N21100006000373414", []),
    (credit_code("Y1110000600037341"), "Y1110000600037341Y", []),
    # written the way exports write them
    ("  91110000600037341L ", "91110000600037341L", []),
    ("9111 0000 6000 3734 1L", "91110000600037341L", []),
    ("91110000600037341l", "91110000600037341L", []),
    ("９１１１００００６０００３７３４１Ｌ", "91110000600037341L", []),
    ("９１１１００００\u3000６０００３７３４１ｌ", "91110000600037341L", []),
    ("\ufeff92340602ma2pbqah7e\u200b", "92340602MA2PBQAH7E", []),
    # wrong check characters
    ("91110000600037341M", "91110000600037341M", ["uscc.check_char"]),
    ("91110000600037314L", "91110000600037314L", ["uscc.check_char", "uscc.org_check"]),
    (credit_code("91110000600037342"), credit_code("91110000600037342"), ["uscc.org_check"]),
    (credit_code("92340602MA2PBQAH8"), credit_code("92340602MA2PBQAH8"), ["uscc.org_check"]),
    # letters the alphabet leaves out, within the body and as the check character
    ("91110000600O37341L", "91110000600O37341L", ["uscc.char"]),
    ("9111000060003734IL", "9111000060003734IL", ["uscc.char", "uscc.org_check"]),
    ("92340602MA2PBQSH7E", "92340602MA2PBQSH7E", ["uscc.char"]),
    ("92340602MA2PBVAH7E", "92340602MA2PBVAH7E", ["uscc.char"]),
    ("9144030071526726ZG", "9144030071526726ZG", ["uscc.char", "uscc.org_check"]),
    ("91110000600037341O", "91110000600037341O", ["uscc.char", "uscc.check_char"]),
    ("9111000060003734-1L", "9111000060003734-1L", ["uscc.char", "uscc.length"]),
    # wrong length
    ("91110000600037341", "91110000600037341", ["uscc.length"]),
    ("91110000600037341LL", "91110000600037341LL", ["uscc.length"]),
    ("", "", ["uscc.length"]),
    # authority and organisation type
    (credit_code("B1110000600037341"), credit_code("B1110000600037341"), ["uscc.authority"]),
    (credit_code("01110000600037341"), credit_code("01110000600037341"), ["uscc.authority"]),
    (credit_code("94110000600037341"), credit_code("94110000600037341"), ["uscc.org_type"]),
    (credit_code("A2110000600037341"), credit_code("A2110000600037341"), ["uscc.org_type"]),
    (credit_code("Y9110000600037341"), credit_code("Y9110000600037341"), ["uscc.org_type"]),
    # division: six digits, old codes welcome
    (credit_code("9111A000600037341"), credit_code("9111A000600037341"), ["uscc.division"]),
    (credit_code("91999999600037341"), credit_code("91999999600037341"), []),
]

REG_NO_ROWS: list[tuple[str, str, list[str]]] = [
    ("110108000000016", "110108000000016", []),
    (" １１０１０８０００００００１６ ", "110108000000016", []),
    ("110108000000017", "110108000000017", ["reg_no.check_digit"]),
    ("11010800000001", "11010800000001", ["reg_no.length"]),
    ("11010800000001A", "11010800000001A", ["reg_no.format"]),
    ("1101080000000016", "1101080000000016", ["reg_no.length"]),
    ("", "", ["reg_no.length"]),
]

RESIDENT_ID_ROWS: list[tuple[str, str, list[str]]] = [
    ("11010519491231002X", "11010519491231002X", []),
    ("360426199101010071", "360426199101010071", []),
    ("11010519491231002x", "11010519491231002X", []),
    ("１１０１０５１９４９１２３１００２ｘ", "11010519491231002X", []),
    ("440300 19900101 1238", "440300199001011238", []),
    # legacy 15-digit numbers come back in 18-digit form
    ("110105491231002", "11010519491231002X", []),
    ("360426910101007", "360426199101010071", []),
    ("110105490230002", "110105194902300020", ["resident_id.birth_date"]),
    # check digit
    ("110105194912310021", "110105194912310021", ["resident_id.check_digit"]),
    ("360426199101010072", "360426199101010072", ["resident_id.check_digit"]),
    # birth date: Feb 30, after today, before 1900, month 13
    ("110105194902300020", "110105194902300020", ["resident_id.birth_date"]),
    ("110105209901010020", "110105209901010020", ["resident_id.birth_future"]),
    ("110105189912310023", "110105189912310023", ["resident_id.birth_early"]),
    ("110105194913010022", "110105194913010022", ["resident_id.birth_date", "resident_id.check_digit"]),
    # shape
    ("11010519491231002", "11010519491231002", ["resident_id.length"]),
    ("11010519491231002XX", "11010519491231002XX", ["resident_id.length"]),
    ("1101051949123100XX", "1101051949123100XX", ["resident_id.format"]),
    ("11010519491231002Y", "11010519491231002Y", ["resident_id.format"]),
    ("11010549123100X", "11010549123100X", ["resident_id.length"]),
]

# validator -> (input, findings' codes); the contact validators take the already normalised value
CONTACT_ROWS: list[tuple[str, str, list[str]]] = [
    ("mobile", "13812345678", []),
    ("mobile", "19912345678", []),
    ("mobile", "12812345678", ["phone.mobile"]),
    ("mobile", "1381234567", ["phone.mobile"]),
    ("mobile", "138123456789", ["phone.mobile"]),
    ("mobile", "+8613812345678", ["phone.mobile"]),
    ("mobile", "138-1234-5678", ["phone.mobile"]),
    ("mobile", "１３８１２３４５６７８", ["phone.mobile"]),
    ("landline", "010-62345678", []),
    ("landline", "01062345678", []),
    ("landline", "021-62345678", []),
    ("landline", "0755-82345678", []),
    ("landline", "0912-2345678", []),
    ("landline", "0755-82345678-123", []),
    ("landline", "010-12345678", ["phone.landline"]),
    ("landline", "12345678", ["phone.landline"]),
    ("landline", "010-02345678", ["phone.landline"]),
    ("landline", "010-123456", ["phone.landline"]),
    ("landline", "0755-123456789", ["phone.landline"]),
    ("landline", "13812345678", ["phone.landline"]),
    ("phone", "13812345678", []),
    ("phone", "0755-82345678", []),
    ("phone", "8613812345678", ["phone.format"]),
    ("phone", "", ["phone.format"]),
    ("email", "wang.li@scjg.example.gov.cn", []),
    ("email", "a+b@example.com", []),
    ("email", "wang.li@example", ["email.format"]),
    ("email", "wang li@example.com", ["email.format"]),
    ("email", "wang@@example.com", ["email.format"]),
    ("email", "@example.com", ["email.format"]),
    ("email", "x" * 250 + "@a.cn", ["email.format"]),
]

CONTACT: dict[str, Callable[[str], list[Finding]]] = {
    "mobile": validate_mobile,
    "landline": validate_landline,
    "phone": validate_phone,
    "email": validate_email,
}

# (input, max_future_days) -> (parsed date, codes); today is TODAY
DATE_ROWS: list[tuple[date | str, int | None, date | None, list[str]]] = [
    ("2020-01-01", 0, date(2020, 1, 1), []),
    (date(2020, 1, 1), 0, date(2020, 1, 1), []),
    (datetime(2020, 1, 1, 9, 30), 0, date(2020, 1, 1), []),
    ("1949-10-01", 0, date(1949, 10, 1), []),
    ("1949-09-30", 0, date(1949, 9, 30), ["date.too_early"]),
    ("2025-06-01", 0, TODAY, []),
    ("2025-06-02", 0, date(2025, 6, 2), ["date.too_late"]),
    ("2024-02-29", 0, date(2024, 2, 29), []),
    ("2023-02-29", 0, None, ["date.invalid"]),
    ("2020-02-30", 0, None, ["date.invalid"]),
    ("2020-13-01", 0, None, ["date.invalid"]),
    ("20200101", 0, None, ["date.invalid"]),
    ("2020/01/01", 0, None, ["date.invalid"]),
    ("", 0, None, ["date.invalid"]),
    # a next-inspection date may lie ahead
    ("2025-12-01", 365, date(2025, 12, 1), []),
    (TODAY + timedelta(days=366), 365, TODAY + timedelta(days=366), ["date.too_late"]),
    ("2099-01-01", None, date(2099, 1, 1), []),
]

# (validator, input) -> codes
PRESENCE_ROWS: list[tuple[str, object, list[str]]] = [
    ("required", "市场监督管理局", []),
    ("required", 0, []),
    ("required", None, ["field.missing"]),
    ("required", "", ["field.missing"]),
    ("required", " \t", ["field.missing"]),
    ("required", "\u3000", ["field.missing"]),
    ("required", float("nan"), ["field.missing"]),
    ("max_length", "深圳市某某科技有限公司", []),
    ("max_length", "深圳市某某某某某科技有限公司", ["field.too_long"]),
    ("max_length", None, []),
]
NAME_LIMIT = 12


def presence(kind: str, value: object) -> list[Finding]:
    """Run one presence helper on `value` for a field named `name`."""
    if kind == "required":
        return validate_required(value, "name")
    assert value is None or isinstance(value, str)
    return validate_max_length(value, "name", NAME_LIMIT)


def codes(findings: list[Finding]) -> list[str]:
    """The reason codes of `findings`, in order."""
    return [item.code for item in findings]


# A credit-code column that holds what a business without a code on file has instead (test_credit_column)
CREDIT_COLUMN_ROWS: list[tuple[str, None, list[str]]] = [
    ("110101199003070011", None, ["uscc.resident_id"]),
    ("110108000000016", None, ["uscc.reg_no"]),
    ("60003734-1", None, ["uscc.org_code"]),
]


@pytest.mark.parametrize(("raw", "value", "expected"), CREDIT_COLUMN_ROWS)
def test_credit_column(raw: str, value: None, expected: list[str]) -> None:
    checked = validate_credit_column(raw)
    assert (checked.value, codes(checked.findings)) == (value, expected)


@pytest.mark.parametrize(("raw", "value", "expected"), USCC_ROWS)
def test_uscc(raw: str, value: str, expected: list[str]) -> None:
    checked = validate_uscc(raw)
    assert (checked.value, codes(checked.findings)) == (value, expected)


@pytest.mark.parametrize(("authority", "kind"), [(a, t) for a, auth in authorities().items() for t in auth.types])
def test_uscc_every_registered_authority_and_type(authority: str, kind: str) -> None:
    code = credit_code(f"{authority}{kind}110000600037341")
    assert validate_uscc(code) == (code, [])


def test_uscc_authorities_are_those_of_gb_32100() -> None:
    assert sorted(authorities()) == sorted("123456789ANY")
    assert authorities()["9"].types == {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}


def test_uscc_check_character_message_names_the_expected_character() -> None:
    (problem,) = validate_uscc("91110000600037341M", "统一社会信用代码").findings
    assert (problem.field, problem.severity, problem.expected) == ("统一社会信用代码", "hard", "L")
    assert problem.message == "`91110000600037341M` fails the check character (expected `L`)"
    assert "应为 `L`" in problem.message_zh


def test_uscc_organisation_check_is_only_a_warning() -> None:
    checked = validate_uscc(credit_code("91110000600037342"))
    assert [(item.code, item.severity, item.expected) for item in checked.findings] == [("uscc.org_check", "soft", "1")]
    assert not must_quarantine(checked.findings)


def test_uscc_forbidden_letters_are_named() -> None:
    (problem,) = validate_uscc("91110000600O37341L").findings
    assert "`O`" in problem.message and "`O`" in problem.message_zh


@pytest.mark.parametrize(("raw", "value", "expected"), REG_NO_ROWS)
def test_registration_number(raw: str, value: str, expected: list[str]) -> None:
    checked = validate_registration_number(raw)
    assert (checked.value, codes(checked.findings)) == (value, expected)


@pytest.mark.parametrize(("raw", "value", "expected"), RESIDENT_ID_ROWS)
def test_resident_id(raw: str, value: str, expected: list[str]) -> None:
    checked = validate_resident_id(raw, today=TODAY)
    assert (checked.value, codes(checked.findings)) == (value, expected)


def test_resident_id_birth_date_may_be_today_but_not_tomorrow() -> None:
    born_today, born_tomorrow = (resident_id(f"110105{day:%Y%m%d}002") for day in (TODAY, TODAY + timedelta(days=1)))
    assert validate_resident_id(born_today, today=TODAY).findings == []
    assert codes(validate_resident_id(born_tomorrow, today=TODAY).findings) == ["resident_id.birth_future"]


def test_resident_id_check_digit_names_the_expected_digit() -> None:
    (problem,) = validate_resident_id("110105194912310021").findings
    assert problem.expected == "X" and "(expected `X`)" in problem.message


@pytest.mark.parametrize(("kind", "value", "expected"), CONTACT_ROWS)
def test_contact(kind: str, value: str, expected: list[str]) -> None:
    assert codes(CONTACT[kind](value)) == expected


@pytest.mark.parametrize(("value", "future_days", "parsed", "expected"), DATE_ROWS)
def test_date(value: date | str, future_days: int | None, parsed: date | None, expected: list[str]) -> None:
    checked = validate_date(value, "founded_on", max_future_days=future_days, today=TODAY)
    assert (checked.value, codes(checked.findings)) == (parsed, expected)


def test_date_earliest_is_configurable() -> None:
    assert validate_date("1900-01-01", "founded_on", earliest=date(1900, 1, 1)).findings == []


@pytest.mark.parametrize(("kind", "value", "expected"), PRESENCE_ROWS)
def test_presence(kind: str, value: object, expected: list[str]) -> None:
    assert codes(presence(kind, value)) == expected


def all_findings() -> list[Finding]:
    """Every finding the tables above produce."""
    found = [item for raw, _, _ in USCC_ROWS for item in validate_uscc(raw).findings]
    found += [item for raw, _, _ in CREDIT_COLUMN_ROWS for item in validate_credit_column(raw).findings]
    found += [item for raw, _, _ in REG_NO_ROWS for item in validate_registration_number(raw).findings]
    found += [item for raw, _, _ in RESIDENT_ID_ROWS for item in validate_resident_id(raw, today=TODAY).findings]
    found += [item for kind, value, _ in CONTACT_ROWS for item in CONTACT[kind](value)]
    found += [
        item
        for value, days, _, _ in DATE_ROWS
        for item in validate_date(value, "d", max_future_days=days, today=TODAY).findings
    ]
    return found + [item for kind, value, _ in PRESENCE_ROWS for item in presence(kind, value)]


def test_every_reason_code_is_registered_and_exercised() -> None:
    expected = {code for rows in (USCC_ROWS, REG_NO_ROWS, RESIDENT_ID_ROWS) for _, _, found in rows for code in found}
    expected |= {code for _, _, found in CREDIT_COLUMN_ROWS for code in found}
    expected |= {code for rows in (CONTACT_ROWS, PRESENCE_ROWS) for _, _, found in rows for code in found}
    expected |= {code for _, _, _, found in DATE_ROWS for code in found}
    # The rest are raised by whole columns and the mapping, exercised in test_kinds.
    assert expected | COLUMN_LEVEL == set(REASONS) and not expected & COLUMN_LEVEL
    assert {item.code for item in all_findings()} | COLUMN_LEVEL == set(REASONS)


def test_every_finding_carries_its_registered_severity_and_both_messages() -> None:
    for item in all_findings():
        assert item.severity == REASONS[item.code][0], item
        assert CJK.search(item.message_zh) and item.message and not CJK.search(item.message.replace(item.value, "")), (
            item
        )


def test_reason_codes_are_dotted_and_titled_in_chinese() -> None:
    for code, (severity, title) in REASONS.items():
        assert re.fullmatch(r"[a-z_]+\.[a-z_]+", code) and severity in ("hard", "soft") and CJK.search(title), code


def test_an_unregistered_code_is_refused() -> None:
    with pytest.raises(UnknownReasonError, match="uscc.nonsense"):
        finding("uscc.nonsense", "uscc", "x", "错", "wrong")


def test_must_quarantine_only_on_hard_findings() -> None:
    soft = validate_mobile("123")
    hard = validate_required(None, "name")
    assert (must_quarantine([]), must_quarantine(soft), must_quarantine(soft + hard)) == (False, False, True)
