"""Ticket (工单): one submission on one hotline channel (12315, 12345, the web form), as the channel recorded it.

A grievance that arrives on two channels is two tickets; the hotline desk (`zhizhi.hotline`) merges tickets into
cases. The kind comes from each channel's own words (12315 says 投诉/举报/咨询, 12345 says 投诉/举报/求助/咨询/建议
/表扬 ...), mapped by the aliases below; a channel's other words are mapped in its source file (`map`).

The problem category (问题类别: 质量, 价格, 预付式消费 ...) and the goods or service category
(商品或服务类别: 食品, 家用电器, 美容美发服务 ...) are the channel's own classification, as the caller or
the operator chose it; 12315 exports carry both, 12345 work orders often a classification of the matter only, and
either may be empty. The desk compares them between tickets (`zhizhi.hotline.evidence`): a source maps a channel's
own words to the words of the other with a `map` transform.

The respondent's name is a `text` field, not a `name` one, on purpose: a record type with a `name` field joins the
register (`zhizhi.resolve.subjects`), and a ticket names shops that may not exist or be registered at all. The
desk links a case's respondent to the register itself, without making entities of hearsay.
"""

from zhizhi.records.fields import Field, RecordType

CHANNELS = {
    "12315": "全国12315平台",
    "12345": "12345政务服务便民热线",
    "web": "网上投诉举报",
    "other": "其他渠道（来信、来访、传真）",
}
CHANNEL_ALIASES = {
    "全国12315平台": "12315",
    "12315平台": "12315",
    "12315热线": "12315",
    "12345热线": "12345",
    "12345政务服务热线": "12345",
    "市民热线": "12345",
    "网站": "web",
    "网络": "web",
    "网上": "web",
    "微信": "web",
    "来信": "other",
    "来访": "other",
    "传真": "other",
}

KINDS = {
    "complaint": "投诉",
    "report": "举报",
    "consultation": "咨询",
    "suggestion": "建议",
    "other": "其他",
}
KIND_ALIASES = {
    "消费投诉": "complaint",
    "投诉类": "complaint",
    "举报类": "report",
    "违法举报": "report",
    "咨询类": "consultation",
    "政策咨询": "consultation",
    "查询": "consultation",
    "意见建议": "suggestion",
    "意见": "suggestion",
    "建议类": "suggestion",
    "求助": "other",
    "表扬": "other",
    "感谢": "other",
    "其它": "other",
}
"""A submission that is both (投诉举报) is not guessed: Art 7 splits it, so its source maps it or it waits in
quarantine (`value.not_allowed`) for a steward."""

TICKET = RecordType(
    name="ticket",
    label_zh="工单",
    label="Hotline ticket",
    description=(
        "One submission on one hotline channel (12315, 12345, the web form): who, about whom, what, when, and the "
        "channel's own status."
    ),
    fields=(
        Field(
            "channel",
            "enum",
            "渠道",
            "Channel",
            required=True,
            values=CHANNELS,
            aliases=CHANNEL_ALIASES,
            synonyms=("渠道", "来源渠道", "受理渠道", "诉求渠道", "工单来源"),
        ),
        Field(
            "number",
            "text",
            "工单编号",
            "Ticket number",
            required=True,
            privacy="none",
            identifier=True,
            max_length=64,
            synonyms=(
                "工单编号",
                "工单号",
                "登记编号",
                "投诉举报编号",
                "诉求编号",
                "受理编号",
                "投诉编号",
                "举报编号",
                "流水号",
                "件号",
            ),
        ),
        Field(
            "received_at",
            "datetime",
            "受理时间",
            "Received at",
            required=True,
            synonyms=(
                "受理时间",
                "来电时间",
                "登记时间",
                "接收时间",
                "收到时间",
                "投诉时间",
                "举报时间",
                "诉求时间",
                "派单时间",
                "受理日期",
                "登记日期",
            ),
        ),
        Field(
            "kind",
            "enum",
            "诉求类型",
            "Kind",
            values=KINDS,
            aliases=KIND_ALIASES,
            synonyms=("诉求类型", "业务类型", "工单类型", "类型", "诉求类别", "信息类别", "来电类型"),
        ),
        Field(
            "respondent_name",
            "text",
            "被投诉举报对象",
            "Respondent",
            synonyms=(
                "被投诉人",
                "被举报人",
                "被投诉对象",
                "被举报对象",
                "被投诉方",
                "被投诉单位",
                "被举报单位",
                "被反映单位",
                "被反映对象",
                "涉及单位",
                "涉事单位",
                "涉及企业",
                "被投诉举报对象",
                "被投诉举报方",
                "被投诉举报人",
            ),
        ),
        Field(
            "respondent_uscc",
            "uscc",
            "被投诉举报对象统一社会信用代码",
            "Respondent's credit code",
            synonyms=("统一社会信用代码", "社会信用代码", "信用代码", "被投诉人信用代码", "被投诉方统一社会信用代码"),
        ),
        Field(
            "respondent_address",
            "address",
            "被投诉举报对象地址",
            "Respondent's address",
            synonyms=(
                "被投诉人地址",
                "被举报人地址",
                "被投诉方地址",
                "被投诉单位地址",
                "被反映单位地址",
                "涉及单位地址",
                "被投诉对象地址",
                "被举报对象地址",
                "被投诉举报方地址",
                "经营地址",
            ),
        ),
        Field(
            "respondent_phone",
            "phone",
            "被投诉举报对象电话",
            "Respondent's phone",
            synonyms=("被投诉人电话", "被投诉方电话", "被投诉人联系电话", "被投诉方联系电话", "被举报人电话"),
        ),
        Field(
            "caller_name",
            "person",
            "投诉人（举报人、来电人）",
            "Complainant or reporter",
            privacy="person_name",
            synonyms=(
                "投诉人",
                "举报人",
                "投诉举报人",
                "来电人",
                "诉求人",
                "投诉人姓名",
                "举报人姓名",
                "来电人姓名",
                "市民姓名",
            ),
        ),
        Field(
            "caller_phone",
            "phone",
            "投诉人电话",
            "Complainant's or reporter's phone",
            privacy="phone",
            synonyms=(
                "投诉人电话",
                "举报人电话",
                "来电号码",
                "来电人电话",
                "联系电话",
                "投诉人联系电话",
                "举报人联系电话",
                "诉求人电话",
                "回复电话",
            ),
        ),
        Field(
            "caller_address",
            "address",
            "投诉人地址",
            "Complainant's or reporter's address",
            privacy="person_address",
            synonyms=("投诉人地址", "举报人地址", "来电人地址", "投诉人通讯地址", "通讯地址", "联系地址", "诉求人地址"),
        ),
        Field(
            "text",
            "text",
            "诉求内容",
            "Text",
            max_length=4000,
            synonyms=(
                "诉求内容",
                "来电内容",
                "投诉内容",
                "举报内容",
                "反映内容",
                "问题描述",
                "投诉举报内容",
                "事项内容",
                "工单内容",
                "诉求描述",
                "具体内容",
            ),
        ),
        Field(
            "place",
            "address",
            "事发地",
            "Place",
            synonyms=("事发地", "事发地点", "事发地址", "发生地点", "问题发生地", "行为发生地", "诉求地址"),
        ),
        Field(
            "problem_category",
            "text",
            "问题类别",
            "Problem category",
            privacy="none",
            max_length=64,
            synonyms=(
                "问题类别",
                "投诉问题类别",
                "举报问题类别",
                "投诉举报问题类别",
                "问题分类",
                "事项分类",
                "诉求事项分类",
            ),
        ),
        Field(
            "goods_category",
            "text",
            "商品或服务类别",
            "Goods or service category",
            privacy="none",
            max_length=64,
            synonyms=(
                "商品或服务类别",
                "商品类别",
                "服务类别",
                "商品服务类别",
                "商品（服务）类别",
                "涉及商品类别",
                "商品分类",
            ),
        ),
        Field(
            "status",
            "text",
            "工单状态",
            "Channel status",
            privacy="none",
            max_length=64,
            synonyms=("工单状态", "办理状态", "处理状态", "状态", "办结状态", "当前状态", "流程状态"),
        ),
    ),
    keys=(("number",),),
)
