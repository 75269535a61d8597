"""The matter a ticket's words raise (`zhizhi.hotline.topics`), and how two tickets' matters weigh."""

from __future__ import annotations

from datetime import date

import pytest

from zhizhi.hotline.candidate import TicketText
from zhizhi.hotline.similar import TicketIndex
from zhizhi.hotline.texts import normalise_text
from zhizhi.hotline.topics import (
    BUSINESS_MATTERS,
    TOPICS,
    main_topic,
    product_names,
    read_business_matters,
    read_products,
    read_topics,
    topic_names,
)

SHOP = "柳州市城中区金山便利店"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("金山便利店强制消费，不消费299元不让离开", ("强制交易",)),
        ("来电人称：店员强行推销，存在强买强卖行为", ("强制交易",)),
        ("发现货架上的牛奶已经过期5天还在卖", ("食品安全",)),
        ("结账时标价和收银价格不一样，多收了钱", ("价格",)),
        ("在店里办了会员卡充值2000元，现在突然关门", ("预付式消费",)),
        ("把手机送去修，修完乱收费", ("价格", "售后服务")),  # two matters at once
        ("称重少了二两，怀疑电子秤不准", ("计量",)),
        ("网上买的东西七天无理由退货被拒", ("网络购物",)),
        ("要求尽快处理", ()),  # nothing said about the matter
    ],
)
def test_the_matter_is_read_from_the_words_people_use(text: str, expected: tuple[str, ...]) -> None:
    assert topic_names(read_topics(normalise_text(text))) == expected


def test_every_topic_is_named_as_12315_files_it_and_every_term_is_two_characters_or_more() -> None:
    names = [name for name, _ in TOPICS]
    assert len(names) == len(set(names)) <= 63  # bits of a 64-bit key
    assert all(len(term) >= 2 for _, terms in TOPICS for term in terms)


def ticket(i: int, text: str, phone: str, respondent: str | None = SHOP, day: int = 2) -> TicketText:
    return TicketText(i, text, phone, None, respondent, received=date(2026, 3, day))


def best(earlier: str, new: str, respondent: str | None = SHOP) -> tuple[float, tuple[str, ...]]:
    index = TicketIndex.build([ticket(1, earlier, "13700002222", respondent)])
    (found,) = index.candidates(ticket(2, new, "15000001111", respondent, day=3), floor=0)
    return found.score, found.reasons


def test_other_callers_about_one_shop_weigh_more_when_their_words_raise_the_same_matter() -> None:
    same, same_reasons = best("金山便利店存在强买强卖行为", "金山便利店强制消费，不消费500元不让离开")
    other, other_reasons = best("金山便利店存在强买强卖行为", "金山便利店卖的牛奶过期了还在卖")
    assert "same_topic" in same_reasons and "different_topic" not in same_reasons
    assert "different_topic" in other_reasons and "same_topic" not in other_reasons
    assert same > 0.5 > other  # the same shop's other matter is another grievance


def test_the_respondents_own_name_raises_no_matter() -> None:
    """A repair shop's name holds 维修: a price complaint about it is not an after-sales one because of that."""
    garage = "柳州市城中区金山汽车维修厂"
    _, reasons = best("金山汽车维修厂明码标价不实，多收了钱", "金山汽车维修厂强制消费，不做保养不让离开", garage)
    assert "different_topic" in reasons and "same_topic" not in reasons
    assert read_topics(normalise_text("金山汽车维修厂")) != 0  # the name alone would have raised one


def test_a_text_that_raises_no_matter_says_nothing_either_way() -> None:
    _, reasons = best("金山便利店的问题要求尽快处理", "金山便利店卖的牛奶过期了还在卖")
    assert not {"same_topic", "different_topic"} & set(reasons)


def test_a_cases_main_matter_is_the_first_its_words_raise_the_respondents_name_left_out() -> None:
    assert main_topic("消费者称金山健身房突然关门，要求退还会费，店员态度恶劣") == "预付式消费"
    assert main_topic("金山汽车维修厂明码标价不实", "柳州市城中区金山汽车维修厂") == "价格"  # not 维修
    assert main_topic("请尽快处理") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("在店里买的洗衣机用了三天就坏了", ("洗衣机",)),
        ("买的酸奶过期了，同一批牛奶也是", ("乳品",)),  # one group: often said for one another
        ("充值2000元办了会员卡，现在关门了", ()),  # a shop's matter names no goods
    ],
)
def test_the_goods_are_read_from_the_words(text: str, expected: tuple[str, ...]) -> None:
    assert product_names(read_products(normalise_text(text))) == expected


def test_two_callers_about_one_shops_broken_goods_weigh_less_when_the_goods_differ() -> None:
    """The same shop, the same matter (a quality complaint), two days apart, other callers: the same goods are
    likelier one incident (a bad batch) than a washing machine and an air conditioner."""
    same, same_reasons = best("在金山便利店买的洗衣机用了没几天就坏了", "金山便利店卖的洗衣机质量不行")
    other, other_reasons = best("在金山便利店买的洗衣机用了没几天就坏了", "金山便利店卖的空调质量不行")
    assert "same_product" in same_reasons and "different_product" in other_reasons
    assert same > other


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("在店里充值2000元办了会员卡，现在突然关门联系不上老板", ("停业",)),
        ("反映该店没有营业执照，环境脏乱", ("无证照", "环境卫生")),
        ("在店里买大米回家一称少了二两，怀疑秤有问题", ("计量器具",)),
        ("买的洗衣机用了三天就坏了，商家不给退", ()),  # a purchase of one consumer: no matter of the shop
        ("结账时标价和收银价格不一样，多收了钱", ()),
    ],
)
def test_a_matter_of_the_business_itself_is_read_apart_from_one_purchase(text: str, expected: tuple[str, ...]) -> None:
    found = read_business_matters(normalise_text(text))
    assert tuple(name for at, (name, _) in enumerate(BUSINESS_MATTERS) if found >> at & 1) == expected


@pytest.mark.parametrize(
    ("earlier", "new"),
    [
        ("金山便利店缺斤短两，称重大米少了5两", "在金山便利店买酱油回家一称少了9两，怀疑秤有问题"),  # one scale
        ("金山便利店办卡后关门跑路，预付卡余额299元无法退还", "金山便利店停业，会员卡里还有880元，要求退款"),
    ],
)
def test_other_callers_raising_one_matter_of_the_shop_itself_are_one_lead_whatever_goods_or_sums_they_name(
    earlier: str, new: str
) -> None:
    """A wrong scale or a closing is the shop's, not one purchase's: two callers naming other goods or other sums
    still raise one lead (the sums and goods count against a purchase, not against this)."""
    score, reasons = best(earlier, new)
    assert "same_business_matter" in reasons
    assert score >= 0.9
    other, other_reasons = best(earlier, new, respondent=None)  # no business named: no matter of one
    assert "same_business_matter" not in other_reasons and other < score


def test_the_same_matter_of_two_businesses_is_no_lead_in_common() -> None:
    index = TicketIndex.build([ticket(1, "金山便利店缺斤短两，称重大米少了5两", "13700002222")])
    (found,) = index.candidates(
        ticket(2, "银河超市缺斤短两，称重大米少了5两", "15000001111", "柳州市城中区银河超市", day=3), floor=0
    )
    assert "same_business_matter" not in found.reasons and "different_respondent" in found.reasons
