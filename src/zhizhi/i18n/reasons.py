"""The quarantine's reason codes in words, a section of the catalogue (`zhizhi.i18n`): `reason.CODE`.

The Chinese titles are the registry's own (`zhizhi.ingest.validate.results.REASONS`, where each code is defined
once); the English ones are here, and the catalogue's test fails when a registered code has none.
"""

from __future__ import annotations

from zhizhi.ingest.validate.results import REASONS

_EN = {
    "field.missing": "Required field is empty",
    "field.too_long": "Longer than the field allows",
    "uscc.length": "Credit code is not 18 characters",
    "uscc.char": "Credit code has characters it may not have",
    "uscc.authority": "Credit code's registering authority is unknown",
    "uscc.org_type": "Credit code's kind of body does not fit its authority",
    "uscc.division": "Credit code's division is not 6 digits",
    "uscc.check_char": "Credit code's check character is wrong",
    "uscc.org_check": "Credit code's organisation code has a wrong check character",
    "uscc.reg_no": "A registration number in the credit code's column, kept as the registration number",
    "uscc.org_code": "An organisation code in the credit code's column, the credit code left empty",
    "uscc.resident_id": "An identity number in the credit code's column, not kept as a credit code",
    "reg_no.length": "Registration number is not 15 digits",
    "reg_no.format": "Registration number has characters other than digits",
    "reg_no.check_digit": "Registration number's check digit is wrong",
    "resident_id.length": "ID number is not 18 or 15 characters",
    "resident_id.format": "ID number has characters it may not have",
    "resident_id.birth_date": "ID number's date of birth does not exist",
    "resident_id.birth_future": "ID number's date of birth is after today",
    "resident_id.birth_early": "ID number's date of birth is before 1900",
    "resident_id.check_digit": "ID number's check character is wrong",
    "phone.mobile": "Mobile number is malformed",
    "phone.landline": "Landline number is malformed",
    "phone.format": "Neither a mobile nor a landline number",
    "email.format": "E-mail address is malformed",
    "date.invalid": "Not a date",
    "date.too_early": "Date earlier than allowed",
    "date.too_late": "Date later than allowed",
    "datetime.date_only": "A day without a time of day",
    "date.end_before_start": "End date before the start date",
    "row.malformed": "Row cannot be read against the header",
    "record.no_key": "No field that identifies the record (a number, a credit code)",
    "code.unknown": "Code not in the code list in force",
    "code.unmapped": "Code has no standard equivalent",
    "code.ambiguous": "Code has several standard equivalents, waiting for review",
    "value.not_allowed": "Value not among those allowed",
    "address.division": "No division found in the address",
    "text.formula": "Starts like a formula, kept as text",
    "value.spreadsheet_artefact": "Spreadsheet artefact in an identifier, code, date or listed word, undone",
    "value.scientific_notation": "Identifier written in scientific notation, digits lost",
    "value.float_precision": "Identifier once read as a number, digits lost",
    "code.leading_zero": "Code held as a number in the workbook, leading zeros may be lost",
}


def messages() -> dict[str, dict[str, str]]:
    """Every reason code's title, per locale."""
    return {
        "zh-CN": {f"reason.{code}": title for code, (_, title) in REASONS.items()},
        "en": {f"reason.{code}": title for code, title in _EN.items() if code in REASONS},
    }
