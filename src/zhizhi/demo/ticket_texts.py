"""What the demo city's callers say: grievances by the kind of business, each in the words of both channels.

12315 writes what a consumer filed (消费者称..., 举报...), naming the business as registered; 12345 writes down a
phone call (市民来电反映：...), naming the business as people say it. A grievance keeps its values (the dish, the
sum, the day) on every ticket about it; placeholders: {shop} the business as the channel names it, {dish} {food}
{goods} {item} {money} {price} {price2} {day} {n}.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    """One kind of grievance: its ticket kind, and its wordings on 12315 and on 12345."""

    name: str
    kind: str  # 投诉 / 举报
    on_12315: tuple[str, ...]
    on_12345: tuple[str, ...]


def _issue(name: str, kind: str, on_12315: tuple[str, ...], on_12345: tuple[str, ...]) -> Issue:
    return Issue(name, kind, on_12315, on_12345)


EATERY = (
    _issue("unwell", "投诉",
           ("消费者称{day}在{shop}用餐，食用{dish}后出现腹泻、呕吐，就医花费{money}元，要求商家赔偿医药费。",
            "投诉人反映{day}在{shop}吃了{dish}，当晚肠胃不适到医院就诊，花去{money}元，商家拒绝承担。"),
           ("市民来电反映：{day}在{shop}吃了{dish}，回家后拉肚子，看病花了{money}元，商家不认账，要求处理。",
            "来电人称：{day}在{shop}吃{dish}后上吐下泻，医药费{money}元，找店家协商无果，请相关部门核实处理。")),
    _issue("foreign", "投诉",
           ("消费者称{day}在{shop}购买的{dish}中吃出{foreign}，要求商家赔偿并道歉。",
            "投诉人反映{shop}出售的{dish}里有{foreign}，与店家协商退款未果。"),
           ("市民来电反映：在{shop}点的{dish}里面吃出{foreign}，店家只同意重做一份，要求赔偿。",
            "来电人称{day}在{shop}吃{dish}发现有{foreign}，请监管部门处理。")),
    _issue("hygiene", "举报",
           ("举报{shop}后厨卫生脏乱，有老鼠出没，生熟食品混放，请求依法查处。",
            "举报{shop}未取得食品经营许可证从事餐饮服务，从业人员无健康证。"),
           ("市民来电举报：{shop}后厨很脏，看到有老鼠，怀疑没有办食品经营许可证，请核实。",
            "来电人举报{shop}厨房油污严重，员工不戴口罩手套，请相关部门检查。")),
    _issue("overcharge", "投诉",
           ("消费者称{day}在{shop}消费，菜单标价{price}元的{dish}结账按{price2}元收取，要求退还差价。",
            "投诉人反映{shop}明码标价不实，{dish}实际收费{price2}元，菜单写的是{price}元。"),
           ("市民来电反映：{shop}的{dish}菜单上写{price}元，结账收了{price2}元，要求退钱。",
            "来电人称{day}在{shop}吃饭被多收钱，{dish}标价{price}元按{price2}元收。")),
)  # fmt: skip
SHOP = (
    _issue("expired", "举报",
           ("举报{shop}销售过期{food}，包装标注的保质期已过{n}天仍在货架销售，请求依法查处。",
            "举报人{day}在{shop}购买的{food}已过保质期{n}天，要求查处并按规定赔偿。"),
           ("市民来电反映：{day}在{shop}买到过期的{food}，过期{n}天了还在卖，要求查处。",
            "来电人举报{shop}货架上的{food}过期{n}天还在销售，请核实处理。")),
    _issue("price_tag", "投诉",
           ("消费者称{day}在{shop}购买{goods}，货架标价{price}元，结账收取{price2}元，要求退还多收款。",
            "投诉人反映{shop}价签与收银价格不一致，{goods}标{price}元实收{price2}元。"),
           ("市民来电反映：在{shop}买{goods}，标价{price}元收银收了{price2}元，要求处理。",
            "来电人称{shop}价格标签和结账价格不一样，{goods}多收了钱。")),
    _issue("short_weight", "投诉",
           ("消费者称{day}在{shop}购买{food}{n}斤，回家复称少了二两，怀疑计量器具不准，要求处理。",
            "投诉人反映{shop}电子秤不准，买{food}缺斤短两。"),
           ("市民来电反映：在{shop}买了{n}斤{food}，回家一称少了二两，怀疑秤有问题。",
            "来电人称{shop}短秤，买{food}{n}斤少了二两，请核实。")),
    _issue("quality", "投诉",
           ("消费者称{day}在{shop}购买的{goods}使用不到一周即损坏，要求退货，商家以已拆封为由拒绝。",
            "投诉人反映在{shop}花{money}元购买{goods}，出现质量问题，商家不履行三包义务。"),
           ("市民来电反映：{day}在{shop}买的{goods}用了几天就坏了，店家不给退，要求处理。",
            "来电人称在{shop}买{goods}花了{money}元，质量有问题找店里退换被推脱。")),
)  # fmt: skip
HOTEL = (
    _issue("deposit", "投诉",
           ("消费者称电话预订{shop}客房，提前三天取消，商家拒绝退还定金{money}元。",
            "投诉人反映在{shop}订房交了{money}元定金，因行程取消要求退订被拒。"),
           ("市民来电反映：在{shop}订房交了{money}元定金，提前取消了店家不退钱。",
            "来电人称{shop}不退订房定金{money}元，要求处理。")),
    _issue("rooms", "举报",
           ("举报{shop}客房床单被套未更换，卫生间有霉斑，请求检查。",
            "举报{shop}客房价格未明码标价，前台口头报价随意。"),
           ("市民来电举报：{shop}房间床单脏，卫生很差，请相关部门检查。",
            "来电人反映{shop}前台没有房价公示，收费随意。")),
)  # fmt: skip
SERVICE = (
    _issue("prepaid", "投诉",
           ("消费者称在{shop}办理会员卡充值{money}元，现门店突然停业，经营者联系不上，要求退还余额。",
            "投诉人反映{shop}关门停业，会员卡内尚有{money}元未消费，要求退款。"),
           ("市民来电反映：在{shop}充值{money}元办了卡，现在店关门了老板联系不上，要求退钱。",
            "来电人称{shop}突然停业，卡里还有{money}元，请帮忙追回。")),
    _issue("upsell", "投诉",
           ("消费者称{day}在{shop}体验项目时被强行推销，消费{money}元，要求退款。",
            "投诉人反映{shop}虚假宣传，声称{item}效果显著，花费{money}元无任何效果。"),
           ("市民来电反映：在{shop}被店员一直推销，办了{money}元的项目，要求退款。",
            "来电人称{shop}宣传{item}效果很好，花了{money}元没有效果，要求退钱。")),
)  # fmt: skip
PROPERTY = (
    _issue("lift", "举报",
           ("举报{shop}管理的小区{n}栋电梯多次困人，电梯检验合格标志已过期，存在安全隐患。",
            "举报{shop}所管小区电梯维保不到位，{n}栋电梯运行异响。"),
           ("市民来电反映：{shop}管的小区{n}栋电梯经常困人，检验标志过期了，请相关部门检查。",
            "来电人称小区{n}栋电梯老是坏，物业{shop}不管，担心安全。")),
    _issue("fees", "投诉",
           ("投诉{shop}擅自上调停车收费，未公示收费标准，多收{money}元。",
            "投诉人反映{shop}收取的费用与公示标准不一致，多收{money}元。"),
           ("市民来电反映：物业{shop}停车费涨价没有公示，多收了{money}元。",
            "来电人称{shop}乱收费，收费标准没有公示。")),
)  # fmt: skip
GAS = (
    _issue("cylinders", "举报",
           ("举报{shop}配送的液化石油气瓶超期未检验，瓶身锈蚀，存在安全隐患。",
            "举报{shop}充装的气瓶没有充装标签，来源不明。"),
           ("市民来电举报：{shop}送来的液化气瓶很旧，检验日期过期了，请检查。",
            "来电人反映{shop}的气瓶没有标签，担心不安全。")),
)  # fmt: skip

# business kind -> words in a registered name that tell it
KINDS_BY_WORD = (
    ("eatery", ("螺蛳粉", "粉店", "小吃", "餐馆", "饭店", "食府", "大排档", "餐饮")),
    ("hotel", ("旅馆", "宾馆", "酒店")),
    ("property", ("物业",)),
    ("gas", ("燃气",)),
    ("service", ("健康管理", "文化旅游")),
    ("shop", ("便利店", "食品店", "商行", "经营部", "商贸", "食品", "饮品")),
)
ISSUES = {"eatery": EATERY, "shop": SHOP, "hotel": HOTEL, "service": SERVICE, "property": PROPERTY, "gas": GAS}

DISHES = ("螺蛳粉", "老友粉", "酸辣粉", "烤鱼", "卤鸭", "炒河粉", "牛腩粉", "烧烤")
FOREIGN = ("头发", "苍蝇", "钢丝球碎屑", "塑料片")
FOODS = ("牛奶", "面包", "月饼", "酸奶", "火腿肠", "饼干", "速冻水饺", "猪肉", "大米", "鸡蛋")
GOODS = ("电饭煲", "电水壶", "充电宝", "吹风机", "运动鞋", "羽绒服", "电风扇", "台灯")
ITEMS = ("减肥", "祛斑", "理疗", "抗衰老")
MONEY = (98, 168, 200, 298, 500, 880, 1000, 1500, 2000, 2680, 3680)

# What each export says beside the text: the problem category (问题类别) and the goods or service category
# (商品或服务类别) in 12315's words; `{goods}` is the category of the goods named.
PROBLEMS = {
    "unwell": "食品安全",
    "foreign": "食品安全",
    "hygiene": "食品安全",
    "overcharge": "价格",
    "expired": "食品安全",
    "price_tag": "价格",
    "short_weight": "计量",
    "quality": "质量",
    "deposit": "合同",
    "rooms": "服务质量",
    "prepaid": "预付式消费",
    "upsell": "虚假宣传",
    "lift": "安全",
    "fees": "价格",
    "cylinders": "安全",
}
GOODS_OF = {
    "unwell": "餐饮服务",
    "foreign": "餐饮服务",
    "hygiene": "餐饮服务",
    "overcharge": "餐饮服务",
    "expired": "食品",
    "price_tag": "{goods}",
    "short_weight": "食品",
    "quality": "{goods}",
    "deposit": "住宿服务",
    "rooms": "住宿服务",
    "prepaid": "美容保健服务",
    "upsell": "美容保健服务",
    "lift": "物业服务",
    "fees": "物业服务",
    "cylinders": "燃气",
}
GOODS_CATEGORY = {
    "电饭煲": "家用电器",
    "电水壶": "家用电器",
    "充电宝": "通讯器材",
    "吹风机": "家用电器",
    "运动鞋": "服装鞋帽",
    "羽绒服": "服装鞋帽",
    "电风扇": "家用电器",
    "台灯": "家用电器",
}
PROBLEMS_12345 = {
    "食品安全": "食品药品安全",
    "价格": "价格收费",
    "计量": "计量器具",
    "质量": "商品质量",
    "合同": "合同纠纷",
    "服务质量": "服务质量",
    "预付式消费": "预付卡消费",
    "虚假宣传": "虚假宣传",
    "安全": "特种设备安全",
}
"""12345's own classification of the same matters (事项分类), which its source file maps to 12315's words."""

REPEAT = ("再次反映：", "此前已反映，至今未处理，", "第二次来电，", "上次反映的问题没有解决，")

CONSULTATIONS = (
    ("咨询网购商品七天无理由退货的规定，定制商品能否退货。", "市民来电咨询：网上买的东西七天无理由退货怎么算。"),
    ("咨询个体工商户年度报告如何填报，逾期未报有何后果。", "市民来电咨询个体户年报在哪里填，过期了怎么办。"),
    ("咨询电动自行车三包期限如何计算，电池是否在三包范围。", "来电人咨询电动车电池坏了还在不在三包期内。"),
    ("咨询办理食品经营许可证需要哪些材料，多久可以办好。", "市民来电咨询开小吃店办食品经营许可证要什么材料。"),
    ("咨询预付卡消费发生纠纷应当如何维权。", "来电人咨询办的健身卡店家不让退，应该找哪个部门。"),
    ("咨询购买的商品房装修材料有甲醛超标问题如何检测。", "市民来电咨询家里装修的板材怎么送检。"),
)
OTHERS_12345 = (
    ("求助", "来电求助：家中老人在保健品店买了{money}元的保健品，家人不知道如何退货，请给予帮助。"),
    ("求助", "来电求助：在菜市场买菜时手机支付多付了{money}元，摊主已离开，请帮忙联系。"),
    ("表扬", "市民来电表扬：城中区市场监管局工作人员处理其投诉及时认真，帮助追回{money}元，表示感谢。"),
    ("表扬", "来电人表扬鱼峰区市场监管局执法人员上门调解耐心细致。"),
    ("意见建议", "市民来电建议：在各农贸市场设置公平秤，方便群众复称。"),
    ("意见建议", "来电人建议加强对校园周边小卖部“三无”食品的检查。"),
)
