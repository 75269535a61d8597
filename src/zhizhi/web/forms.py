"""Values typed into forms and query strings, checked the same way on every page."""

from __future__ import annotations

from datetime import date

from zhizhi.errors import InputError


def optional_date(text: str) -> date | None:
    """`2026-07-08`, or None for an empty field; anything else is a clear error in the UI's language."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise InputError(
            f"Date `{text}` is not a date; write it as 2026-07-08.",
            zh=f"日期 `{text}` 格式不对，请写成 2026-07-08。",
        ) from None
