"""Inspection (检查): one visit to an entity by the bureau's inspectors, and what came of it."""

from zhizhi.records.fields import Field, RecordType

RESULTS = {
    "pass": "未发现问题",
    "rectify": "发现问题，责令整改",
    "fail": "不合格",
    "not_found": "未找到检查对象",
}
RESULT_ALIASES = {
    "合格": "pass",
    "符合": "pass",
    "正常": "pass",
    "通过": "pass",
    "未发现问题": "pass",
    "责令整改": "rectify",
    "限期整改": "rectify",
    "发现问题": "rectify",
    "已责令整改": "rectify",
    "基本符合": "rectify",
    "不符合": "fail",
    "不合格": "fail",
    "不通过": "fail",
    "查无下落": "not_found",
    "未找到": "not_found",
    "无法联系": "not_found",
    "通过登记的住所无法联系": "not_found",
}

INSPECTION = RecordType(
    name="inspection",
    label_zh="检查记录",
    label="Inspection",
    description="One inspection of an entity: date, inspectors, items checked, the result and the follow-up.",
    fields=(
        Field(
            "number",
            "text",
            "检查编号",
            "Inspection number",
            identifier=True,
            max_length=64,
            synonyms=("检查编号", "文书编号", "检查记录编号", "编号"),
            secondary=("任务编号",),  # one task's number is shared by all of its inspections
        ),
        Field(
            "entity_name",
            "name",
            "被检查单位",
            "Entity inspected",
            required=True,
            synonyms=("被检查单位", "被检查对象", "检查对象", "企业名称", "单位名称", "市场主体名称", "名称"),
        ),
        Field(
            "entity_uscc",
            "uscc",
            "统一社会信用代码",
            "Entity's credit code",
            synonyms=("统一社会信用代码", "社会信用代码", "信用代码"),
        ),
        Field("address", "address", "地址", "Address", synonyms=("地址", "检查地点", "经营地址", "住所", "经营场所")),
        Field(
            "inspected_on",
            "date",
            "检查日期",
            "Date",
            required=True,
            synonyms=("检查日期", "检查时间", "日期", "执法日期"),
        ),
        Field(
            "inspectors", "list", "检查人员", "Inspectors", synonyms=("检查人员", "执法人员", "检查人", "执法检查人员")
        ),
        Field(
            "items",
            "list",
            "检查事项",
            "Items checked",
            max_length=500,
            synonyms=("检查事项", "检查内容", "检查项目", "抽查事项"),
        ),
        Field(
            "result",
            "enum",
            "检查结果",
            "Result",
            required=True,
            values=RESULTS,
            aliases=RESULT_ALIASES,
            synonyms=("检查结果", "结果", "检查结论", "结论"),
        ),
        Field(
            "follow_up",
            "text",
            "后续处理",
            "Follow-up",
            max_length=1000,
            prose=True,  # the inspectors' notes as they wrote them
            synonyms=("后续处理", "处理措施", "处理意见", "处置情况", "整改情况"),
        ),
    ),
    keys=(("number",), ("entity_uscc", "inspected_on"), ("entity_name", "inspected_on")),
)
