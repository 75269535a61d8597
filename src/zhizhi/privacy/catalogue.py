"""The personal-data catalogue: every field of every record type (plugins' too) classified, with its retention.

A field's category comes from its own declaration (`Field.privacy`), else from its kind: a resident ID number is an
identity number, a `person` a person's name, a `phone` a phone number; free text (`text`, `list`) may hold personal
data anywhere and is masked by detection (`zhizhi.privacy.detect`). Everything else is not personal. The columns a
field produces beside its value (`phone_others`, an address's parts) share its category where they repeat it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zhizhi.records import Field, RecordType, record_types

NOT_PERSONAL = "none"
FREE_TEXT = "free_text"
BIOMETRIC = "biometric"

# category -> (Chinese, English, what masking leaves)
CATEGORIES: dict[str, tuple[str, str, str]] = {
    "identity_number": ("身份证件号码", "identity number", "450202********1232"),
    "phone": ("电话号码", "phone number", "135****4297"),
    "person_name": ("自然人姓名", "a person's name", "彭**"),
    "person_address": ("自然人住址", "a natural person's address", "柳州市城中区****"),
    "bank_card": ("银行卡号", "bank card number", "622848******1234"),
    "email": ("电子邮箱", "e-mail address", "z***@example.com"),
    BIOMETRIC: ("生物识别信息（人脸、指纹等）", "biometric data (face, fingerprint)", "refused at ingest"),
    FREE_TEXT: ("自由文本（可能含个人信息）", "free text (may hold personal data)", "numbers found in it masked"),
}
BY_KIND = {"resident_id": "identity_number", "person": "person_name", "phone": "phone", "text": FREE_TEXT}
BY_KIND["list"] = FREE_TEXT
# Columns beside a field that repeat the personal value (an address's street part holds the house number).
_REPEATING = {"phone": ("others",), "address": ("street",)}

# Default retention of personal data, in days after a record's last change, per record type; `privacy.retention`
# in zhizhi.yaml overrides it. Five years: the period most filing rules of market regulation keep case files for.
DEFAULT_RETENTION_DAYS = 5 * 365


@dataclass(frozen=True)
class Entry:
    """One field in the catalogue."""

    record_type: str
    field: str
    label_zh: str
    label: str
    kind: str
    category: str
    declared: bool
    columns: tuple[str, ...]

    @property
    def personal(self) -> bool:
        return self.category != NOT_PERSONAL


def category_of(spec: Field) -> str:
    """The field's category: declared, else by its kind (`none`: not personal)."""
    if spec.privacy:
        if spec.privacy != NOT_PERSONAL and spec.privacy not in CATEGORIES:
            choices = ", ".join([NOT_PERSONAL, *CATEGORIES])
            raise ValueError(f"Field `{spec.name}`: privacy `{spec.privacy}` is not a category; use one of {choices}.")
        return spec.privacy
    if spec.personal:
        return BY_KIND.get(spec.kind, "identity_number")
    return BY_KIND.get(spec.kind, NOT_PERSONAL)


def entries(kind: RecordType) -> list[Entry]:
    """The catalogue of one record type, field by field."""
    from zhizhi.ingest.kinds import output_columns

    found = []
    for spec in kind.fields:
        category = category_of(spec)
        extra = _REPEATING.get(spec.kind, ())
        columns = tuple(c for c in output_columns(spec) if c == spec.name or c.removeprefix(f"{spec.name}_") in extra)
        found.append(
            Entry(kind.name, spec.name, spec.label_zh, spec.label, spec.kind, category, bool(spec.privacy), columns)
        )
    return found


def personal_columns(record_type: str) -> dict[str, str]:
    """A record type's columns that hold personal data, with their category (empty for an unknown type)."""
    kind = record_types().get(record_type)
    if kind is None:
        return {}
    return {c: e.category for e in entries(kind) if e.personal for c in e.columns}


def catalogue(retention: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """Every record type with its fields classified and its retention: the page's and the doc's content."""
    kept = retention or {}
    return [
        {
            "record_type": kind.name,
            "label_zh": kind.label_zh,
            "label": kind.label,
            "retention_days": kept.get(kind.name, DEFAULT_RETENTION_DAYS),
            "fields": [
                {
                    "field": e.field,
                    "label_zh": e.label_zh,
                    "label": e.label,
                    "kind": e.kind,
                    "category": e.category,
                    "category_zh": CATEGORIES[e.category][0] if e.personal else "非个人信息",
                    "basis": "declared" if e.declared else "by kind",
                    "columns": list(e.columns),
                    "masked_as": CATEGORIES[e.category][2] if e.personal else None,
                }
                for e in entries(kind)
            ],
        }
        for kind in sorted(record_types().values(), key=lambda k: k.name)
    ]
