"""Header names accepted in code-list and crosswalk files, in English and Chinese, and date parsing."""

from __future__ import annotations

import re
from datetime import date

CODE_LIST_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("code", "代码", "编码", "编号", "行业代码", "区划代码"),
    "name": ("name", "名称", "类别名称", "行业名称", "区划名称"),
    "parent": ("parent", "上级", "上级代码", "父级代码", "上级编码"),
    "valid_from": ("valid_from", "生效日期", "启用日期", "起始日期"),
    "valid_to": ("valid_to", "失效日期", "停用日期", "截止日期"),
    "remark": ("remark", "备注", "说明"),
}

CROSSWALK_COLUMNS: dict[str, tuple[str, ...]] = {
    "from_code": ("from_code", "源代码", "原代码", "本地代码", "gb2011"),
    "to_code": ("to_code", "目标代码", "新代码", "对应代码", "gb2017"),
    "relation": ("relation", "对应关系", "关系"),
    "rule_field": ("rule_field", "条件字段"),
    "rule_value": ("rule_value", "条件值"),
    "valid_from": ("valid_from", "生效日期", "启用日期", "起始日期"),
    "valid_to": ("valid_to", "失效日期", "停用日期", "截止日期"),
}

# The columns that hold codes: a cell typed as a number there is refused (names and remarks may be numbers).
CODE_FIELDS = ("code", "parent", "from_code", "to_code")

_DATE = re.compile(r"^(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?$")


def resolve_columns(header: list[str], known: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Map each known field to the header that carries it."""
    found: dict[str, str] = {}
    for field, aliases in known.items():
        for alias in aliases:
            if alias in header:
                found[field] = alias
                break
    return found


def parse_date(text: str) -> date:
    """2026-07-08, 2026/7/8, 20260708 or 2026年7月8日; raises ValueError otherwise."""
    match = _DATE.match(text.strip())
    if not match:
        raise ValueError(text)
    year, month, day = (int(g) for g in match.groups())
    return date(year, month, day)



def number_problems(where: str, columns: dict[str, str], value: dict[str, str], numbers: set[str]) -> list[str]:
    """A problem for each code column (`code`, `parent`, `from_code`, `to_code`) whose cell on this line a workbook
    held as a number: Excel keeps `0111` typed in a number column as 111, another code, and the text cannot tell."""
    return [
        f"{where}: `{columns[field]}` = `{value[field]}` was a number in the spreadsheet, not text (a code typed "
        f"as a number loses its leading zeros: `0111` becomes `111`, another code); format the `{columns[field]}` "
        "column as text, type its codes again as the list writes them, and save the file again"
        for field in CODE_FIELDS
        if field in columns and columns[field] in numbers and value.get(field)
    ]
