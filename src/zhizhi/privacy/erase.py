"""Erasing personal data from what the store keeps, one value at a time: a record's data, a raw row's cells, the
findings that quote a value, and a golden record's fields. Pure functions, no database work.

Erased means gone: a personal value becomes null. Free text keeps its words and loses the numbers found in it
(resident numbers, phones, bank cards, e-mail, see `zhizhi.privacy.detect`), as masking shows it to everyone.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from functools import cache
from typing import Any

from zhizhi.privacy.catalogue import FREE_TEXT, NOT_PERSONAL, personal_columns
from zhizhi.privacy.detect import mask_text
from zhizhi.privacy.masking import mask_cells, mask_known

ERASED = "[已删除]"  # stands where a finding's message quoted an erased value


def erased(category: str | None, value: Any, people: Iterable[str | None] = ()) -> Any:
    """`value` of a column of this category once erased: kept (not personal), masked (free text, with the names of
    `people` its context knows) or null."""
    if category is None or category == NOT_PERSONAL:
        return value
    return mask_known(value, people) if category == FREE_TEXT else None


def erase_data(
    data: Mapping[str, Any], columns: Mapping[str, str], people: Iterable[str | None] = ()
) -> dict[str, Any]:
    """A record's data with its personal `columns` (column -> category) erased; the names of `people` the data's
    context knows are masked in its free text too."""
    people = tuple(people)
    return {name: erased(columns.get(name), value, people) for name, value in data.items()}


def erase_cells(cells: Mapping[str, Any], categories: Mapping[str, str]) -> dict[str, Any]:
    """A raw row's cells: a column feeding a personal field erased, one feeding a non-personal field kept, every
    other text (free text and columns no field reads) masked by detection. `categories`: column -> category."""
    gone = {c for c, category in categories.items() if category not in (NOT_PERSONAL, FREE_TEXT)}
    masked = mask_cells({c: v for c, v in cells.items() if c not in gone}, categories)
    return {c: None if c in gone else masked[c] for c in cells}


def erase_findings(text: str | None, fields: Mapping[str, str], columns: Mapping[str, str]) -> str | None:
    """Findings (JSON, as versions' warnings and quarantine items keep them) with the personal values they quote
    erased, in their value and their messages; every message also masked by detection."""
    if not text:
        return text
    found = json.loads(text)
    for finding in found:
        category = fields.get(finding.get("field") or "") or columns.get(finding.get("column") or "")
        value = finding.get("value")
        if category is not None and category != NOT_PERSONAL:
            finding["value"] = erased(category, value)
        elif isinstance(value, str):  # an identity number in a credit-code column (`uscc.resident_id`)
            finding["value"] = mask_text(value, ("resident_id",))
        for key in ("message", "message_zh"):
            message = finding.get(key)
            if not isinstance(message, str):
                continue
            if category not in (None, NOT_PERSONAL, FREE_TEXT) and isinstance(value, str) and value.strip():
                message = message.replace(value, ERASED)
            finding[key] = mask_text(message)
    return json.dumps(found, ensure_ascii=False)


def source_categories(fields: Mapping[str, str | None], record_type: str) -> dict[str, str]:
    """Raw column -> category, from a source's mapping (field -> column): a column feeding several fields takes
    the most personal of their categories (erased before masked before kept)."""
    personal = personal_columns(record_type)
    rank = {NOT_PERSONAL: 0, FREE_TEXT: 1}
    found: dict[str, str] = {}
    for field, column in fields.items():
        if column is None:
            continue
        category = personal.get(field, NOT_PERSONAL)
        if rank.get(category, 2) >= rank.get(found.get(column, NOT_PERSONAL), 2):
            found[column] = category
    return found


@cache
def golden_personal_fields() -> frozenset[str]:
    """The golden fields that hold a person's data in some record type (a legal representative, a phone)."""
    from zhizhi.config.models import GOLDEN_FIELDS
    from zhizhi.resolve.subjects import resolvable_types, subject_fields

    found = set()
    for kind in resolvable_types():
        personal = personal_columns(kind)
        for golden, field in subject_fields(kind).items():
            if golden in GOLDEN_FIELDS and personal.get(field, NOT_PERSONAL) not in (NOT_PERSONAL, FREE_TEXT):
                found.add(golden)
    return frozenset(found)


def erase_golden(golden: dict[str, Any], expired: Collection[int]) -> list[str]:
    """Drop the personal fields of a golden record (in place) whose value came from an expired record, as a
    register run over the erased data would leave them; returns the fields dropped."""
    dropped = []
    for name in sorted(golden_personal_fields()):
        entry = golden.get(name)
        if isinstance(entry, dict) and entry.get("record_id") in expired:
            del golden[name]
            dropped.append(name)
    return dropped

