"""The record types' words, a section of the catalogue (`zhizhi.i18n`): each registered type's name, its fields'
labels and its enum fields' values, read from the types themselves (`zhizhi.records`), so a plugin's record type
brings its words with it and the pages, the API and the CLI find them under one key:

`record_type.TYPE`, `field.TYPE.FIELD` and `value.TYPE.FIELD.VALUE`.

An enum's values are labelled in Chinese by the type; in English a value reads as itself with its underscores as
spaces (`moved_out` -> "Moved out").
"""

from __future__ import annotations

from zhizhi.records import record_types


def messages() -> dict[str, dict[str, str]]:
    """Every registered record type's words, per locale."""
    zh: dict[str, str] = {}
    en: dict[str, str] = {}
    for kind in record_types().values():
        zh[f"record_type.{kind.name}"] = kind.label_zh
        en[f"record_type.{kind.name}"] = kind.label
        for field in kind.fields:
            zh[f"field.{kind.name}.{field.name}"] = field.label_zh
            en[f"field.{kind.name}.{field.name}"] = field.label
            for value, word in field.values.items():
                zh[f"value.{kind.name}.{field.name}.{value}"] = word
                en[f"value.{kind.name}.{field.name}.{value}"] = value.replace("_", " ").capitalize()
    return {"zh-CN": zh, "en": en}
