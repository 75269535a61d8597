"""The role a person plays for a business, read from a header or a field: the legal representative, a safety
manager, a contact person ...

A column of people's names says whose names they are only in its header: 安全管理员 and 法定代表人 hold the same
kind of value. A person column is mapped to a person field only when their roles agree (or the header names no
role at all, e.g. `字段3` or `姓名`, when the values decide and the field is to be checked; or the field lists the
header among its synonyms: a ticket's caller takes 联系人, the person a work order calls back); the register compares
a person only against the same role (`zhizhi.resolve.subjects`).

The role word that ends last in a header decides (a compound's head comes last: 经营者联系人 is a contact), the
longest of those first, so 安全负责人 and 财务负责人 are not 负责人 (the legal representative of a branch or an
individual business). 负责人 with another word before it (安全生产负责人, 设备管理负责人, 项目负责人) is someone
responsible for that only, not the business's: another role, unless the word is the business itself (主要, 门店,
企业 ...).
"""

from __future__ import annotations

import re
from functools import cache

from zhizhi.records import Field

LEGAL_REPRESENTATIVE = "legal_representative"
ROLES: dict[str, tuple[str, ...]] = {
    LEGAL_REPRESENTATIVE: (
        "法定代表人", "法人代表", "法人", "负责人", "经营者", "投资人", "业主", "户主", "执行事务合伙人", "主要负责人",
        "店主", "老板", "个体户主", "摊主", "业户", "经营户",
    ),
    "safety_manager": (
        "安全管理员", "安全管理人员", "安全员", "安全负责人", "安全管理负责人", "设备管理员", "设备管理人员",
        "特种设备安全管理员", "食品安全管理员", "食品安全员", "安全责任人", "安全总监", "食品安全总监",
    ),
    "contact": ("联系人", "联络人", "对接人"),
    "handler": (
        "经办人", "办理人", "代理人", "委托代理人", "受托人", "授权代表", "授权代表人", "授权委托人", "被授权人",
        "被委托人", "代办人", "办事人",
    ),
    "reporter": ("填报人", "填表人", "录入人", "登记人", "统计人", "制表人"),
    "inspector": (
        "检查人员", "检查人", "执法人员", "执法人", "检验员", "检验人员", "监管人员", "监管员", "监督管理人员",
        "日常监督管理人员", "签发人",  # the bureau's own: who supervises the business, who signed its licence
        "检查员", "巡查人员", "巡查员", "稽查人员", "抽样人员", "抽检人员", "网格员", "监管责任人",
        "办案人员", "办案人", "承办人", "主办人", "协办人",  # who handled a case against it (a penalty list)
        "受理人", "审核人", "审批人", "核查人", "发证人", "记录人",  # who processed its file
    ),
    "operator": ("作业人员", "操作人员", "司机", "维保人员", "维修人员", "从业人员", "营业员", "员工", "健康证持有人"),
    "member": ("股东", "监事", "出资人"),  # a company's members and officers, not who represents it
    "other_person": ("见证人", "收件人", "送达人", "出租人", "房东", "监护人"),
    "finance": ("财务负责人", "财务人员", "会计", "出纳"),
    "quality": ("质量负责人", "质量管理人员", "质量安全负责人", "技术负责人"),
    "complainant": ("投诉人", "举报人", "投诉举报人", "来电人", "诉求人", "反映人"),
    "respondent_person": ("被投诉人", "被举报人", "被投诉举报人", "被反映人", "被检查人", "被检查方", "被检查对象"),
}  # fmt: skip
ROLE_LABELS = {
    LEGAL_REPRESENTATIVE: "法定代表人/负责人/经营者",
    "safety_manager": "安全管理员",
    "contact": "联系人",
    "handler": "经办人",
    "reporter": "填报人",
    "inspector": "检查、监管人员",
    "operator": "作业人员",
    "finance": "财务人员",
    "quality": "质量、技术负责人",
    "complainant": "投诉举报人",
    "respondent_person": "被投诉举报人、被检查人",
    "member": "股东、监事",
    "other_person": "见证人、收件人、出租人等",
    "other_responsible": "其他事项的负责人",
}
OTHER_RESPONSIBLE = "other_responsible"
# What may stand before 负责人 when the person answers for the business itself.
THE_BUSINESS = ("主要", "企业", "单位", "公司", "分公司", "门店", "店铺", "机构", "分支机构", "个体", "经营", "场所",
                "市场", "摊位", "商户", "总", "法定", "法人", "现任")  # fmt: skip
_HAN_BEFORE = re.compile(r"[\u4e00-\u9fff]*$")


@cache
def _words() -> tuple[tuple[str, str], ...]:
    """(word, role), longest word first (ties in code-point order, so the result is stable)."""
    pairs = {(word, role) for role, words in ROLES.items() for word in words}
    return tuple(sorted(pairs, key=lambda pair: (-len(pair[0]), pair[0])))


def person_role(header: str) -> str | None:
    """The role a header names (its role word ending last, the longest of those), or None when it names none
    (`姓名`, `字段3`)."""
    found = [(header.rfind(word) + len(word), len(word), word, role) for word, role in _words() if word in header]
    if not found:
        return None
    end, length, word, role = max(found, key=lambda item: item[:2])
    if word == "负责人":
        before = _HAN_BEFORE.search(header[: end - length])
        if before is not None and before.group() and not before.group().endswith(THE_BUSINESS):
            return OTHER_RESPONSIBLE
    return role


def field_role(item: Field) -> str | None:
    """The role of a person field: that of its Chinese label, else of its first synonym naming one."""
    for text in (item.label_zh, *item.synonyms, item.name):
        role = person_role(text)
        if role is not None:
            return role
    return LEGAL_REPRESENTATIVE if item.name == LEGAL_REPRESENTATIVE else None


def roles_disagree(header: str, item: Field) -> bool:
    """Whether a column under `header` holds people of another role than the person field `item`."""
    if item.kind != "person" or header in item.synonyms:  # a field names the headers it takes whatever their role
        return False
    column, own = person_role(header), field_role(item)
    return column is not None and own is not None and column != own
