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
_REPEATING = {"phone": ("others",), "address": ("rest",)}  # `ingest.kinds.output_columns`

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


# Header words that name personal data whatever the record type: a raw column no field is mapped from (a contact,
# a safety officer, a complainant) is classified by its header, and its text is masked by detection otherwise.
HEADER_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (BIOMETRIC, ("人脸", "面部", "指纹", "虹膜", "声纹", "照片", "头像", "face", "photo", "fingerprint")),
    ("identity_number", ("身份证", "证件号", "身份号码", "公民身份")),
    ("bank_card", ("银行卡", "银行账号", "卡号")),
    ("email", ("邮箱", "电子邮件", "email", "e-mail")),
    ("phone", ("电话", "手机", "联系方式", "移动号码", "phone", "mobile", "tel")),
    ("person_address", ("住址", "家庭地址", "居住地", "户籍")),
    (
        "person_name",
        (
            "姓名",
            "联系人",
            "负责人",
            "经办人",
            "法定代表人",
            "法人代表",
            "经营者",
            "投诉人",
            "举报人",
            "安全管理员",
            "作业人员",
            "申请人",
            "当事人",
        ),
    ),
)


def header_category(header: str) -> str | None:
    """The category a column's header names, if any (`身份证号码` -> identity_number)."""
    text = header.strip().lower()
    for category, words in HEADER_WORDS:
        if any(word in text for word in words):
            return category
    return None


def classify_columns(record_type: str, columns: list[str], mapped: dict[str, str]) -> dict[str, str]:
    """A source's raw columns classified: a column mapped to a field takes the field's category (`mapped` is
    column -> field), any other its header's, else free text (masked by detection)."""
    kind = record_types().get(record_type)
    by_field = {e.field: e.category for e in entries(kind)} if kind is not None else {}
    found = {}
    for column in columns:
        field = mapped.get(column)
        if field is not None and field in by_field:
            found[column] = by_field[field] if by_field[field] != NOT_PERSONAL else NOT_PERSONAL
        else:
            found[column] = header_category(column) or FREE_TEXT
    return found


def catalogue_markdown(retention: dict[str, int] | None = None) -> str:
    """The catalogue as the Markdown table docs/privacy.md holds (a test keeps the two the same)."""
    lines = [
        "| record type | field | kind | category | basis | masked as | retention (days) |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind in catalogue(retention):
        for f in kind["fields"]:
            masked = f"`{f['masked_as']}`" if f["masked_as"] and f["category"] != BIOMETRIC else f["masked_as"] or "—"
            category = f"{f['category']} ({f['category_zh']})" if f["category"] != NOT_PERSONAL else "not personal"
            lines.append(
                f"| `{kind['record_type']}` | `{f['field']}` {f['label_zh']} | {f['kind']} | {category} "
                f"| {f['basis']} | {masked} | {kind['retention_days'] if f['category'] != NOT_PERSONAL else '—'} |"
            )
    return "\n".join(lines) + "\n"
