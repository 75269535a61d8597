"""Licence (许可证): a permit the bureau issued, such as a food business licence (食品经营许可证)."""

from zhizhi.records.fields import Field, RecordType

LICENCE = RecordType(
    name="licence",
    label_zh="许可证",
    label="Licence",
    description="A permit issued to a holder: its number, kind, business format and validity.",
    fields=(
        Field(
            "number",
            "text",
            "许可证编号",
            "Licence number",
            identifier=True,
            capitals=True,
            required=True,
            max_length=64,
            synonyms=("许可证编号", "许可证号", "证书编号", "许可证书编号", "证号", "编号"),
        ),
        Field(
            "kind",
            "text",
            "许可证种类",
            "Kind",
            required=True,
            synonyms=("许可证种类", "许可类别", "许可证类别", "证照类型", "许可种类", "证书类型"),
        ),
        Field(
            "holder_name",
            "name",
            "经营者名称",
            "Holder",
            required=True,
            synonyms=("经营者名称", "持证单位", "持证主体", "单位名称", "企业名称", "名称", "商户名称"),
        ),
        Field(
            "holder_uscc",
            "uscc",
            "统一社会信用代码",
            "Holder's credit code",
            synonyms=("统一社会信用代码", "社会信用代码", "信用代码", "统一社会信用代码（身份证号码）"),
        ),
        Field(
            "legal_representative",
            "person",
            "法定代表人（负责人）",
            "Legal representative",
            synonyms=("法定代表人", "负责人", "法定代表人（负责人）", "经营者", "法人"),
        ),
        Field(
            "address",
            "address",
            "经营场所",
            "Business premises",
            synonyms=("经营场所", "经营地址", "住所", "地址", "生产地址"),
        ),
        Field(
            "business_format",
            "text",
            "主体业态",
            "Business format",
            synonyms=("主体业态", "经营业态", "业态", "经营业态名称"),
            secondary=("经营项目",),  # the items (预包装食品销售 ...) of a business of the format
        ),
        Field(
            "industry_code",
            "code",
            "行业代码",
            "Industry code",
            code_list="gbt4754-2017",
            synonyms=("经营业态代码", "业态代码", "行业代码"),
        ),
        Field(
            "valid_from",
            "date",
            "有效期起",
            "Valid from",
            synonyms=("有效期起", "有效期自", "起始日期"),
            secondary=("发证日期", "批准日期"),  # the day issued: a licence changed later is issued again
        ),
        Field(
            "valid_to",
            "date",
            "有效期至",
            "Valid to",
            max_future_days=3660,
            synonyms=("有效期至", "有效期止", "截止日期", "到期日期", "有效期限"),
        ),
        Field("issuer", "text", "发证机关", "Issued by", synonyms=("发证机关", "发证单位", "许可机关", "签发机关")),
    ),
    keys=(("number",),),
    periods=(("valid_from", "valid_to"),),
)
