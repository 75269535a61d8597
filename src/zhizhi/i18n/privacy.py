"""The personal-data catalogue's categories in words, a section of the catalogue (`zhizhi.i18n`):
`privacy.category.CATEGORY`, read from the categories themselves (`zhizhi.privacy.catalogue.CATEGORIES`), and what
masking does to the two categories it shows no example of (`privacy.masked.CATEGORY`)."""

from __future__ import annotations

from zhizhi.privacy.catalogue import BIOMETRIC, CATEGORIES, FREE_TEXT, NOT_PERSONAL


def messages() -> dict[str, dict[str, str]]:
    """The categories' words, per locale."""
    zh = {f"privacy.category.{c}": words[0] for c, words in CATEGORIES.items()}
    en = {f"privacy.category.{c}": words[1].capitalize() for c, words in CATEGORIES.items()}
    zh[f"privacy.category.{NOT_PERSONAL}"], en[f"privacy.category.{NOT_PERSONAL}"] = "非个人信息", "Not personal"
    zh[f"privacy.masked.{BIOMETRIC}"], en[f"privacy.masked.{BIOMETRIC}"] = "导入时拒收", "Refused at ingest"
    zh[f"privacy.masked.{FREE_TEXT}"] = "其中的证件号码、电话号码等被遮盖"
    en[f"privacy.masked.{FREE_TEXT}"] = "Numbers found in it masked"
    return {"zh-CN": zh, "en": en}
