"""Presence and size: a required field that is empty, or a value too long for its field."""

from __future__ import annotations

import math

from zhizhi.ingest.validate.results import Finding, finding


def is_blank(value: object) -> bool:
    """True for None, NaN and text that is empty or only whitespace (full-width spaces included)."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and not value.strip()


def validate_required(value: object, field: str) -> list[Finding]:
    """Check a required field has a value."""
    if not is_blank(value):
        return []
    shown = "" if value is None else str(value)
    return [finding("field.missing", field, shown, f"必填字段 `{field}` 为空", f"`{field}` is required but empty")]


def validate_max_length(value: str | None, field: str, limit: int) -> list[Finding]:
    """Check a text value has at most `limit` characters (a Chinese character counts as one)."""
    if value is None or len(value) <= limit:
        return []
    message_zh = f"`{field}` 有 {len(value)} 个字符，最多 {limit} 个"
    message = f"`{field}` has {len(value)} characters; it holds at most {limit}"
    return [finding("field.too_long", field, value, message_zh, message, str(limit))]
