"""Validate: check one value at a time and say what is wrong with it under a stable reason code.

Identifier and date validators normalise and return `Checked(value, findings)`; contact and presence validators
take the value as it is and return the findings. No findings means valid; a hard finding quarantines the row.
"""

from zhizhi.ingest.validate.contact import validate_email, validate_landline, validate_mobile, validate_phone
from zhizhi.ingest.validate.dates import validate_date
from zhizhi.ingest.validate.identifiers import validate_registration_number, validate_uscc
from zhizhi.ingest.validate.presence import validate_max_length, validate_required
from zhizhi.ingest.validate.resident_id import validate_resident_id
from zhizhi.ingest.validate.results import HARD, REASONS, SOFT, Checked, Finding, Severity, must_quarantine

__all__ = [
    "HARD",
    "REASONS",
    "SOFT",
    "Checked",
    "Finding",
    "Severity",
    "must_quarantine",
    "validate_date",
    "validate_email",
    "validate_landline",
    "validate_max_length",
    "validate_mobile",
    "validate_phone",
    "validate_registration_number",
    "validate_required",
    "validate_resident_id",
    "validate_uscc",
]
