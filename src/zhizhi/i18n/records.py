"""The record types' words, a section of the catalogue (`zhizhi.i18n`): each registered type's name, its fields'
labels and its enum fields' values, read from the types themselves (`zhizhi.records`), so a plugin's record type
brings its words with it and the pages, the API and the CLI find them under one key:

`record_type.TYPE`, `field.TYPE.FIELD` and `value.TYPE.FIELD.VALUE`; and the kinds of field (`field_kind.KIND`).
The columns a field's kind keeps beside its value (an address's province, a code as given) are fields too:
`field.entity.address_province` is 住所（经营场所）（省）.

An enum's values are labelled in Chinese by the type; in English a value reads as itself with its underscores as
spaces (`moved_out` -> "Moved out").
"""

from __future__ import annotations

from zhizhi.ingest.kinds import output_columns
from zhizhi.records import record_types

_PARTS = {
    "others": ("其他号码", "other numbers"),
    "division_code": ("行政区划代码", "division code"),
    "province": ("省", "province"),
    "city": ("市", "city"),
    "county": ("县（区）", "county"),
    "rest": ("详细地址", "street address"),
    "source": ("原代码", "code as given"),
}

_KINDS = {
    "text": ("文本", "Text"),
    "name": ("名称", "Name"),
    "person": ("人名", "Person's name"),
    "uscc": ("统一社会信用代码", "Credit code"),
    "reg_no": ("注册号", "Registration number"),
    "resident_id": ("身份证号码", "ID number"),
    "date": ("日期", "Date"),
    "datetime": ("日期时间", "Date and time"),
    "phone": ("电话号码", "Phone number"),
    "address": ("地址", "Address"),
    "code": ("代码", "Code"),
    "enum": ("限定取值", "One of set values"),
    "list": ("列表", "List"),
}


def messages() -> dict[str, dict[str, str]]:
    """Every registered record type's words, per locale."""
    zh = {f"field_kind.{kind}": words[0] for kind, words in _KINDS.items()}
    en = {f"field_kind.{kind}": words[1] for kind, words in _KINDS.items()}
    for kind in record_types().values():
        zh[f"record_type.{kind.name}"] = kind.label_zh
        en[f"record_type.{kind.name}"] = kind.label
        for field in kind.fields:
            zh[f"field.{kind.name}.{field.name}"] = field.label_zh
            en[f"field.{kind.name}.{field.name}"] = field.label
            for column in output_columns(field)[1:]:
                part_zh, part_en = _PARTS[column.removeprefix(f"{field.name}_")]
                zh[f"field.{kind.name}.{column}"] = f"{field.label_zh}（{part_zh}）"
                en[f"field.{kind.name}.{column}"] = f"{field.label} ({part_en})"
            for value, word in field.values.items():
                zh[f"value.{kind.name}.{field.name}.{value}"] = word
                en[f"value.{kind.name}.{field.name}.{value}"] = value.replace("_", " ").capitalize()
    return {"zh-CN": zh, "en": en}
