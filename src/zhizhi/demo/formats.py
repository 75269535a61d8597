"""The demo's business formats (经营业态) and the provincial platform's splits, as a city and a province keep them.

Only the choices a person would make are written here; `zhizhi.demo.codes` turns them into code lists and
crosswalks over the real GB/T 4754-2017 classes. A local format code is its national class followed by a
two-digit suffix numbered in the order given (01, 02, ...); a provincial code is its national class followed by
four digits (0100 for an unsplit class, 0100, 0200, ... for the parts of a split).
"""

from __future__ import annotations

from dataclasses import dataclass

# Formats the city names one by one: national class -> the formats' names, numbered 01, 02, ...
NAMED_FORMATS: dict[str, tuple[str, ...]] = {
    "5212": ("大型超市（营业面积6000平方米以上）", "中型超市", "小型超市", "社区生鲜超市", "无人值守超市"),
    "5213": ("连锁便利店", "单体便利店"),
    "5221": ("粮油零售（超市内）", "粮油零售（农贸市场摊位）", "粮油零售（独立门店）"),
    "5224": (
        "鲜肉零售（农贸市场摊位）",
        "冷鲜肉零售（专卖店）",
        "活禽零售（定点市场）",
        "水产品零售",
        "鲜蛋、乳品零售",
    ),
    "5234": ("化妆品专营店", "化妆品专柜（商场内）"),
    "5251": ("药品零售连锁门店", "单体药店", "药品零售（医疗机构内）"),
    "5252": ("中药饮片零售",),
    "5254": ("第二类医疗器械零售", "第三类医疗器械零售"),
    "5265": ("加油站", "加油加气合建站"),
    "5266": ("压缩天然气加气站", "液化天然气加气站", "液化石油气加气站"),
    "5294": ("食品自动售货机", "现制饮品自动售卖设备"),
    "6110": ("旅游饭店（五星级）", "旅游饭店（四星级）", "旅游饭店（三星级及以下）", "旅游饭店（未评星级）"),
    "6121": ("经济型连锁酒店（直营）", "经济型连锁酒店（加盟）"),
    "6129": ("招待所", "家庭旅馆", "青年旅舍"),
    "6130": ("城镇民宿", "乡村民宿"),
    "6210": ("特大型餐馆", "大型餐馆", "中型餐馆", "小型餐馆", "农家乐"),
    "6220": ("中式快餐", "西式快餐"),
    "6241": ("集体用餐配送单位", "中央厨房"),
    "6242": ("网络订餐（仅外卖）",),
    "6291": ("螺蛳粉店", "米粉店", "早餐店", "烧烤店", "糖水甜品店", "小吃摊点（固定经营场所）"),
    "6299": ("机关企事业单位食堂", "学校食堂", "托幼机构食堂", "建筑工地食堂"),
    "1431": ("米粉制造（获证企业）", "米粉制造（食品小作坊）", "面条及其他面制品制造"),
    "1432": ("速冻面米食品制造", "速冻调制食品制造", "预制菜制造（速冻类）"),
    "1439": ("预包装螺蛳粉生产", "其他方便食品制造"),
    "4512": ("液化石油气充装站（气瓶充装单位）", "瓶装液化石油气供应站"),
    "7020": ("住宅小区物业服务（电梯使用单位）", "商业楼宇物业服务（电梯使用单位）"),
    "9020": ("游乐园（大型游乐设施运营）", "室内儿童游乐场"),
}

# Formats added in 2025: in the local list, but not yet in the city's crosswalk to GB/T 4754, so a record
# carrying one translates by rolling up to its class.
NEW_FORMATS: frozenset[str] = frozenset({"521205", "143203", "621005"})


@dataclass(frozen=True)
class FormatPool:
    """Classes whose formats are picked (seeded) from a pool of qualifiers: `class name（qualifier）`."""

    classes: tuple[str, ...]
    qualifiers: tuple[str, ...]
    fewest: int
    most: int


POOLS: tuple[FormatPool, ...] = (
    FormatPool(
        ("5211", "5219", "5222", "5223", "5225", "5226", "5227", "5229", "5297"),
        ("超市内", "便利店内", "农贸市场摊位", "独立门店", "网络销售"),
        2,
        4,
    ),
    FormatPool(
        ("5121", "5122", "5123", "5124", "5125", "5126", "5127", "5129"),
        ("批发市场内", "冷链仓储", "网络批发", "独立门店"),
        1,
        3,
    ),
    FormatPool(
        (
            "1351",
            "1352",
            "1353",
            "1371",
            "1373",
            "1391",
            "1392",
            "1411",
            "1419",
            "1421",
            "1422",
            "1433",
            "1441",
            "1449",
            "1453",
            "1461",
            "1462",
            "1469",
            "1491",
            "1492",
            "1493",
            "1495",
            "1499",
            "1512",
            "1513",
            "1519",
            "1522",
            "1523",
            "1524",
            "1529",
            "1530",
        ),
        ("获证企业", "食品小作坊", "受委托生产企业"),
        1,
        3,
    ),
    FormatPool(("6231", "6232", "6233", "6239"), ("连锁门店", "单店", "商场内门店"), 2, 3),
    FormatPool(("6140", "6190"), ("景区内", "城区"), 1, 2),
    FormatPool(("8040", "8051", "8053", "9011"), ("连锁门店", "单店"), 1, 2),
)

# Codes of the 2019 local edition that the current list dropped, with their old names: old records keep them.
RETIRED_FORMATS: dict[str, str] = {
    "529101": "流动货摊食品零售",
    "529103": "流动货摊日用品零售",
    "622003": "快餐服务（送餐）",
    "611099": "其他旅游饭店",
}


@dataclass(frozen=True)
class Part:
    """One provincial code a national class splits into."""

    qualifier: str
    formats: tuple[str, ...] = ()
    valid_from: str = ""
    valid_to: str = ""


# National classes the province splits by the record's business format: each part lists the local format
# suffixes that choose it. A format left out (a new one) has no rule and goes to the review queue.
RULE_SPLITS: dict[str, tuple[Part, ...]] = {
    "5212": (Part("大型超市", ("01",)), Part("中小型超市", ("02", "03", "04"))),
    "5224": (Part("肉类零售", ("01", "02")), Part("活禽零售", ("03",)), Part("水产品及蛋奶零售", ("04", "05"))),
    "5251": (Part("药品零售连锁", ("01",)), Part("单体药店", ("02", "03"))),
    "6110": (Part("星级饭店", ("01", "02", "03")), Part("非星级饭店", ("04",))),
    "6210": (Part("大型及以上餐馆", ("01", "02")), Part("中型餐馆", ("03",)), Part("小型餐馆", ("04", "05"))),
    "6241": (Part("集体用餐配送", ("01",)), Part("中央厨房", ("02",))),
    "6299": (Part("单位食堂", ("01", "04")), Part("学校及托幼机构食堂", ("02", "03"))),
    "1431": (Part("获证企业", ("01", "03")), Part("小作坊", ("02",))),
}

# National classes the province splits by something the city's records do not say: a steward decides.
OPEN_SPLITS: dict[str, tuple[Part, ...]] = {
    "6291": (Part("含网络订餐"), Part("不含网络订餐")),
    "5229": (Part("预包装食品为主"), Part("含散装熟食")),
    "1499": (Part("食品"), Part("食品相关产品")),
    "8053": (Part("中医养生"), Part("其他养生保健")),
}

# A provincial code retired at the end of 2024 and its successor (here the qualifier is the code's whole name).
DATED_SPLITS: dict[str, tuple[Part, ...]] = {
    "5294": (
        Part("自动售货机零售", valid_to="2024-12-31"),
        Part("自动售货机及无人零售", valid_from="2025-01-01"),
    ),
}
