"""What a ticket's text is about, read from its words: the problem it raises in 12315's categories (问题类别), and
the goods it names.

12315 exports carry a problem category on most tickets; 12345 work orders often carry none, or their own catalogue's
words, and two callers about one incident rarely use the same words (强制消费，不消费299元不让离开 and 存在强买强卖行为
share nothing but the shop's name). Both still name the matter in the words people use for it, and those words are
few for each matter: this module reads the topics a text raises from a list of such terms, each under the category
12315 files it in. A text may raise several (维修乱收费: after-sales service and price); two texts that both raise a
topic raise the same matter when they have one in common, and different matters when they have none. The goods a
text names (洗衣机, 牛奶) are read the same way, grouped where one word is often said for another (牛奶 and 酸奶): two
callers who each bought a broken appliance at one shop that week raise the same matter about two purchases, told
apart by the goods.

The terms are written from how complaints and reports are worded on both hotlines, not learnt from any month of
tickets; a term is a string of two characters or more, matched anywhere in the normalised text (the respondent's
name taken out first: a 汽车维修厂 is not a repair complaint). A text that raises or names none says nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from zhizhi.hotline.texts import normalise_text, respondent_key, without_respondent

if TYPE_CHECKING:
    from zhizhi.config.models import HotlineConfig

Terms = tuple[tuple[str, tuple[str, ...]], ...]
"""Named lists of terms: each name, and the terms (two characters or more) that stand for it in a text."""

TOPICS: Terms = (
    ("质量", ("质量问题", "质量差", "质量不行", "质量有问题", "质量不好", "坏了", "损坏", "故障", "破损", "开裂",
            "掉色", "起球", "脱胶", "漏水", "漏电", "不能用", "无法使用", "用不了", "不合格", "次品", "瑕疵",
            "做工差", "有质量", "质量缺陷", "性能不符")),
    ("安全", ("安全隐患", "困人", "电梯", "气瓶", "液化气", "液化石油气", "起火", "触电", "锅炉", "压力容器",
            "燃气泄漏", "特种设备", "游乐设施", "爆炸", "自燃")),
    ("食品安全", ("过期", "保质期", "变质", "发霉", "霉变", "异物", "吃出", "头发", "苍蝇", "虫子", "腹泻",
              "呕吐", "拉肚子", "上吐下泻", "食物中毒", "肠胃不适", "不卫生", "卫生差", "卫生很差",
              "卫生条件差", "卫生脏乱", "脏乱", "老鼠", "蟑螂", "健康证", "生熟", "三无", "地沟油", "添加剂",
              "农药残留", "有异味", "馊了", "不新鲜")),
    ("无照经营", ("无证", "无照", "营业执照", "许可证", "没有办证", "没办证", "未办证", "证照", "未取得",
              "未经许可", "黑作坊", "无资质", "没有资质")),
    ("价格", ("标价", "明码标价", "价签", "价格标签", "收银价格", "结账价格", "结算价格", "多收", "乱收费",
            "收费不透明", "收费标准", "收费随意", "价格欺诈", "哄抬", "涨价", "差价", "价格不一致", "天价",
            "宰客", "加收", "乱涨价", "没有公示", "未公示", "价格不", "报价", "比说好的贵", "贵很多", "收费高",
            "收费过高", "要价", "漫天要价", "多要钱", "多付")),
    ("计量", ("缺斤短两", "短斤少两", "缺斤", "短秤", "少称", "电子秤", "秤不准", "秤有问题", "计量", "一称",
            "复称", "称重", "加油机", "水表", "电表", "燃气表", "分量不足")),
    ("强制交易", ("强制消费", "强买强卖", "强行推销", "强迫", "不让离开", "捆绑销售", "最低消费", "强制",
              "强卖", "硬性消费", "被迫消费", "一直推销", "强行")),
    ("虚假宣传", ("虚假宣传", "虚假广告", "夸大", "宣传", "广告", "功效", "包治百病", "效果显著", "没有效果",
              "没有任何效果", "无任何效果", "效果与", "引人误解", "虚构", "误导")),
    ("预付式消费", ("预付卡", "会员卡", "储值卡", "充值", "办卡", "办了卡", "办的卡", "余额", "跑路", "关门",
               "停业", "闭店", "倒闭", "退卡", "次卡", "卡里", "卡内", "课时费", "预存", "联系不上老板",
               "联系不上经营者", "健身卡", "美容卡")),
    ("售后服务", ("三包", "保修", "维修", "修理", "送修", "返修", "修完", "修好", "售后", "换货", "退换货")),
    ("合同", ("定金", "订金", "违约", "合同", "退订", "押金", "格式条款")),
    ("人格尊严", ("辱骂", "搜身", "殴打", "侮辱", "威胁")),
    ("假冒", ("假冒", "假货", "仿冒", "山寨", "冒牌", "高仿", "冒充", "商标侵权", "以假充真")),
    ("个人信息", ("个人信息", "泄露", "骚扰电话", "推销电话", "隐私")),
    ("网络购物", ("七天无理由", "7天无理由", "无理由退货", "网购", "网店", "直播带货", "网上买")),
    ("服务质量", ("服务态度", "态度恶劣", "态度差", "床单", "霉斑")),
)  # fmt: skip
"""Each topic, named as 12315 files it (问题类别), and the terms that raise it."""


PRODUCTS: Terms = (
    ("乳品", ("牛奶", "纯奶", "酸奶", "乳制品", "奶制品")),
    ("奶粉", ("奶粉", "婴幼儿配方")),
    ("糕点", ("面包", "蛋糕", "糕点", "蛋挞")),
    ("月饼", ("月饼",)),
    ("零食", ("饼干", "零食", "薯片", "糖果", "巧克力", "辣条", "火腿肠")),
    ("粮油", ("大米", "面粉", "食用油", "花生油", "挂面", "米粉")),
    ("调味品", ("酱油", "食醋", "调味品", "味精", "鸡精", "食盐")),
    ("肉蛋", ("猪肉", "牛肉", "羊肉", "鸡肉", "鸭肉", "冻肉", "鸡蛋", "海鲜", "水产")),
    ("果蔬", ("水果", "蔬菜", "苹果", "香蕉", "西瓜", "榴莲")),
    ("饮料酒水", ("饮料", "矿泉水", "白酒", "啤酒", "红酒", "果汁", "茶叶")),
    ("速冻食品", ("速冻", "水饺", "汤圆", "冷冻食品")),
    ("保健品", ("保健品", "保健食品", "营养品", "减肥药")),
    ("药品", ("药品", "药物", "感冒药", "处方药", "医疗器械", "口罩")),
    ("化妆品", ("化妆品", "护肤品", "面膜", "口红", "洗发水", "染发")),
    ("手机", ("手机",)),
    ("电脑", ("电脑", "笔记本", "平板")),
    ("数码配件", ("充电宝", "充电器", "耳机", "数据线", "手表")),
    ("小家电", ("电饭煲", "电水壶", "电磁炉", "微波炉", "吹风机", "电风扇", "台灯", "电热水壶", "榨汁机", "空气炸锅")),
    ("洗衣机", ("洗衣机",)),
    ("空调", ("空调",)),
    ("冰箱", ("冰箱", "冰柜")),
    ("电视", ("电视",)),
    ("厨卫电器", ("热水器", "燃气灶", "油烟机", "消毒柜")),
    ("家具", ("家具", "沙发", "床垫", "衣柜", "餐桌", "橱柜")),
    ("服装", ("衣服", "羽绒服", "外套", "裤子", "裙子", "童装", "服装")),
    ("鞋", ("运动鞋", "皮鞋", "鞋子", "靴子")),
    ("眼镜", ("眼镜", "镜片", "隐形眼镜")),
    ("首饰", ("黄金", "首饰", "金饰", "项链", "戒指", "珠宝", "玉石")),
    ("电动车", ("电动车", "电瓶车", "电动自行车", "自行车", "电池")),
    ("汽车", ("汽车", "轮胎", "机油", "车辆")),
    ("建材", ("瓷砖", "门窗", "地板", "涂料", "装修")),
    ("燃气", ("液化气", "燃气", "气瓶", "煤气")),
    ("玩具", ("玩具", "文具")),
)  # fmt: skip
"""Goods people name in a grievance, grouped where one is often said for another (牛奶, 酸奶); a grievance about one
shop's washing machine and another's about its air conditioner are two purchases."""


BUSINESS_MATTERS: Terms = (
    ("停业", ("跑路", "关门", "停业", "闭店", "倒闭", "人去楼空", "联系不上老板", "联系不上经营者", "卷款")),
    ("无证照", ("无证", "无照", "没有营业执照", "没有办证", "没办证", "未办证", "未取得", "未经许可", "黑作坊",
             "无资质", "没有资质")),
    ("计量器具", ("缺斤短两", "短斤少两", "缺斤", "短秤", "少称", "电子秤", "秤不准", "秤有问题", "鬼秤", "作弊秤",
              "加油机", "分量不足")),
    ("环境卫生", ("不卫生", "卫生差", "卫生很差", "卫生条件差", "卫生脏乱", "脏乱", "老鼠", "蟑螂", "后厨", "地沟油",
              "健康证")),
)  # fmt: skip
"""Matters of the business itself, not of one purchase: it closed with its customers' prepaid cards, it trades
without a licence, its scale is wrong, its premises are dirty. Several people raising one of these about one
business are one lead to verify (and, for a closing, consumers of one dispute, Art 11), whatever goods or sums each
names."""


@dataclass(frozen=True)
class Words:
    """The lists a text is read with: the built-in ones, and a bureau's own terms added to them (`hotline.words` in
    `zhizhi.yaml`, `words_of`)."""

    topics: Terms = TOPICS
    products: Terms = PRODUCTS
    business_matters: Terms = BUSINESS_MATTERS

    def read_topics(self, text: str) -> int:
        """The topics a normalised text raises, as bits (bit i: `topics[i]`); 0 when it raises none."""
        return _read(self.topics, text)

    def read_products(self, text: str) -> int:
        """The groups of goods a normalised text names, as bits (bit i: `products[i]`); 0 when it names none."""
        return _read(self.products, text)

    def read_business_matters(self, text: str) -> int:
        """The matters of the business itself a normalised text raises (bit i: `business_matters[i]`); 0 for none."""
        return _read(self.business_matters, text)

    def main_topic(self, text: str, respondent: str | None = None) -> str | None:
        """The matter a ticket's text raises first (the topic of its first term), read as the desk reads it:
        normalised, the respondent's own name taken out; None when it raises none."""
        pattern, bits = _matcher(self.topics)
        first = pattern.search(without_respondent(normalise_text(text), respondent_key(respondent) or None))
        return _names(self.topics, bits[first.group()] & -bits[first.group()])[0] if first else None

    @classmethod
    def adding(
        cls,
        topics: Mapping[str, Sequence[str]] | None = None,
        products: Mapping[str, Sequence[str]] | None = None,
        business_matters: Mapping[str, Sequence[str]] | None = None,
    ) -> Words:
        """The built-in lists with more terms: under a topic or matter of the built-in lists (their names are the
        categories the desk files under), and under a group of goods, built in or new (a city's own goods)."""
        return cls(_adding(TOPICS, topics or {}), _adding(PRODUCTS, products or {}),
                   _adding(BUSINESS_MATTERS, business_matters or {}))  # fmt: skip


WORDS = Words()
"""The built-in lists."""


def words_of(settings: HotlineConfig) -> Words:
    """The lists of a workspace's desk: the built-in ones with its `hotline.words` added."""
    said = settings.words
    return _words(*(tuple((name, tuple(terms)) for name, terms in lists.items())
                    for lists in (said.topics, said.products, said.business_matters)))  # fmt: skip


@cache
def _words(topics: Terms, products: Terms, business_matters: Terms) -> Words:
    return Words.adding(dict(topics), dict(products), dict(business_matters))


def _adding(lists: Terms, more: Mapping[str, Sequence[str]]) -> Terms:
    """`lists` with the terms of `more` added: to the list of the same name, else as a new one (at the end)."""
    added = [(name, tuple(dict.fromkeys((*terms, *more.get(name, ()))))) for name, terms in lists]
    known = {name for name, _ in lists}
    return (*added, *((name, tuple(dict.fromkeys(terms))) for name, terms in more.items() if name not in known))


def read_topics(text: str) -> int:
    """The topics a normalised text raises with the built-in lists, as bits (bit i: `TOPICS[i]`)."""
    return WORDS.read_topics(text)


def read_products(text: str) -> int:
    """The groups of goods a normalised text names with the built-in lists, as bits (bit i: `PRODUCTS[i]`)."""
    return WORDS.read_products(text)


def read_business_matters(text: str) -> int:
    """The matters of the business itself a normalised text raises (bit i: `BUSINESS_MATTERS[i]`); 0 for none."""
    return WORDS.read_business_matters(text)


def main_topic(text: str, respondent: str | None = None) -> str | None:
    """`Words.main_topic` with the built-in lists."""
    return WORDS.main_topic(text, respondent)


def topic_names(found: int) -> tuple[str, ...]:
    """The names of the topics in `found` (bits as `read_topics` gives them), in the order of `TOPICS`."""
    return _names(TOPICS, found)


def product_names(found: int) -> tuple[str, ...]:
    """The names of the groups of goods in `found` (bits as `read_products` gives them), in the order of `PRODUCTS`."""
    return _names(PRODUCTS, found)


def _read(lists: Terms, text: str) -> int:
    pattern, bits = _matcher(lists)
    found = 0
    for term in pattern.findall(text):
        found |= bits[term]
    return found


def _names(lists: Terms, found: int) -> tuple[str, ...]:
    return tuple(name for at, (name, _) in enumerate(lists) if found >> at & 1)


@cache
def _matcher(lists: Terms) -> tuple[re.Pattern[str], dict[str, int]]:
    bits: dict[str, int] = {}
    for at, (_, terms) in enumerate(lists):
        for term in terms:
            bits[term] = bits.get(term, 0) | 1 << at
    alternatives = sorted(bits, key=lambda term: (-len(term), term))  # the longest term at a place first
    return re.compile("|".join(map(re.escape, alternatives))), bits
