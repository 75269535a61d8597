"""Special equipment (特种设备): a lift, boiler, pressure vessel or crane in use, and when it is next inspected."""

from zhizhi.records.fields import Field, RecordType

EQUIPMENT = RecordType(
    name="equipment",
    label_zh="特种设备",
    label="Special equipment",
    description="A piece of special equipment: its code and kind, the entity using it, where, and its next inspection.",
    fields=(
        Field(
            "equipment_code",
            "text",
            "设备代码",
            "Equipment code",
            identifier=True,
            capitals=True,
            required=True,
            max_length=64,
            synonyms=("设备代码", "设备注册代码", "注册代码"),
            # the 使用登记证 is the user's certificate (梯11桂B00012(19)), a 设备编号 often the user's own numbering
            secondary=("使用登记证编号", "设备编号", "设备号"),
        ),
        Field(
            "kind",
            "text",
            "设备种类",
            "Kind",
            required=True,
            synonyms=("设备种类", "设备类别", "设备类型", "种类", "类别"),
        ),
        Field(
            "user_name",
            "name",
            "使用单位",
            "Using entity",
            required=True,
            synonyms=("使用单位", "使用单位名称", "单位名称", "企业名称", "名称"),
        ),
        Field(
            "user_uscc",
            "uscc",
            "使用单位统一社会信用代码",
            "Using entity's credit code",
            synonyms=("统一社会信用代码", "使用单位统一社会信用代码", "社会信用代码", "信用代码"),
        ),
        Field(
            "address",
            "address",
            "设备使用地点",
            "Where it is used",
            synonyms=("设备使用地点", "使用地点", "使用地址", "安装地点", "地址"),
            secondary=("单位地址",),  # the user's own address, not where the device stands
        ),
        Field(
            "next_inspection_on",
            "date",
            "下次检验日期",
            "Next inspection",
            max_future_days=3660,
            synonyms=("下次检验日期", "下次检验时间", "下检日期", "下次定期检验日期"),
        ),
    ),
    keys=(("equipment_code",),),
)
