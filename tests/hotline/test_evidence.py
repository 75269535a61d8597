"""The evidence two tickets are one grievance: figures, repeat calls, the respondent's name, and how they weigh."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pytest

from zhizhi.hotline.candidate import TicketText
from zhizhi.hotline.evidence import (
    WINDOW_DAYS,
    CaseEvidence,
    Evidence,
    compare_figures,
    different_word,
    figures,
    repeats,
)
from zhizhi.hotline.similar import TicketIndex
from zhizhi.hotline.texts import normalise_text, respondent_core, without_respondent


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("预付卡余额2000元无法退还", {("元", "2000")}),
        ("3月12日买的牛奶过期5天", {("date", "3-12"), ("天", "5")}),
        ("多收了１２块", {("元", "12")}),
        ("称重少了3两，共2斤", {("两", "3"), ("斤", "2")}),
        ("要求退款赔偿", set()),
        ("联系电话13812345678", set()),  # a phone number is gone before figures are read
    ],
)
def test_figures_are_read_with_their_units(text: str, expected: set[tuple[str, str]]) -> None:
    assert figures(normalise_text(text)) == expected


@pytest.mark.parametrize(
    ("one", "other", "expected"),
    [
        ("余额2000元", "还有2000元没退", (1, 0)),
        ("余额2000元", "余额500元", (0, 1)),
        ("3月12日多收30元", "3月12日多收50元", (1, 1)),
        ("多收30元", "过期5天", (0, 0)),  # nothing both give: neither for nor against
        ("", "多收30元", (0, 0)),
    ],
)
def test_figures_agree_or_contradict_on_the_units_both_give(one: str, other: str, expected: tuple[int, int]) -> None:
    assert compare_figures(figures(normalise_text(one)), figures(normalise_text(other))) == expected


@pytest.mark.parametrize(
    ("one", "other", "expected"),
    [
        ("美容院明码标价不实羽绒服实际收费比标签贵", "来电人称美容院明码标价不实空调实际收费比标签贵", True),
        ("发现货架上的化妆品已经过期还在卖", "发现货架上的酱油已经过期还在卖", True),
        ("明码标价不实羽绒服实际收费比标签贵", "明码标价不实羽绒服实际收费比标签贵要求处理", False),  # the same words
        ("在买了酱油用了没几天就坏了", "卖的酱油质量不行找店里退换", False),  # other words altogether
        ("多收了30元要求退款", "多收了50元要求退款", False),  # figures are compared on their own
        ("商家不给退款要求处理", "商家不给退钱要求处理", False),  # one character: a synonym as often as not
        ("羽绒服质量不行", "空调质量不行", False),  # nothing equal before the word
    ],
)
def test_texts_alike_but_for_one_word_are_two_purchases(one: str, other: str, expected: bool) -> None:
    assert different_word(one, other) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("再次反映：龙城螺蛳粉店多收钱", True),
        ("此前已反映，至今未处理，龙城螺蛳粉店多收钱", True),
        ("第二次来电，商家不退款", True),
        ("上次反映的问题没有解决", True),
        ("龙城螺蛳粉店多收钱，要求处理", False),
        ("反映龙城螺蛳粉店再次涨价", False),
    ],
)
def test_a_repeat_call_is_recognised_by_its_words(text: str, expected: bool) -> None:
    assert repeats(text) is expected


@pytest.mark.parametrize(
    ("text", "respondent", "expected"),
    [
        ("消费者称柳州市城中区龙城螺蛳粉店多收钱", "柳州市城中区龙城螺蛳粉店", "消费者称多收钱"),
        ("消费者称柳州市城中区龙城螺蛳粉店多收钱", "龙城螺蛳粉店", "消费者称多收钱"),
        ("市民反映龙城螺蛳粉店多收钱", "柳州市城中区龙城螺蛳粉店", "市民反映多收钱"),
        ("市民反映龙城螺蛳粉店多收钱", None, "市民反映龙城螺蛳粉店多收钱"),
        ("市民反映紫荆便利店多收钱", "龙城螺蛳粉店", "市民反映紫荆便利店多收钱"),
    ],
)
def test_the_respondents_name_is_taken_out_of_the_text(text: str, respondent: str | None, expected: str) -> None:
    assert without_respondent(text, respondent) == expected


def test_a_respondents_core_drops_the_place_but_keeps_a_short_name() -> None:
    assert respondent_core("柳州市城中区龙城螺蛳粉店") == "龙城螺蛳粉店"
    assert respondent_core("柳州市家乐超市") == "家乐超市"
    assert respondent_core("柳州市华联") == "柳州市华联"  # fewer than four characters would be left


BASE = Evidence(text=0.4, shared=0.5, same_respondent=True)


@pytest.mark.parametrize(
    ("change", "direction"),
    [
        ({"same_phone": True}, +1),
        ({"same_caller": True}, +1),
        ({"same_figures": 1}, 0),  # the fit found no weight in it once the same caller is known (docs/hotline.md)
        ({"shared": 2.0}, +1),
        ({"same_respondent": False, "different_respondent": True}, -1),
        ({"same_respondent": False, "one_respondent": True}, -1),  # a question about no business, and a complaint
        ({"different_figures": 1}, 0),  # no weight once the days apart are known: each consumer has their own sum
        ({"days_apart": WINDOW_DAYS + 1}, -1),
        ({"days_apart": 3}, -1),  # other callers about one shop: the nearer in time, the likelier one incident
        ({"days_apart": 3, "same_phone": True, "same_caller": True}, +1),  # the same caller: the days do not count
        ({"different_word": True}, -1),
        ({"same_problem": True}, +1),  # the channel's own categories: the same incident, whatever the words
        ({"same_goods": True}, +1),
        ({"different_problem": True}, -1),
        ({"different_goods": True}, -1),
        ({"different_place": True}, -1),  # one trade name in two places: two shops
        ({"same_topic": True}, +1),  # the words raise the same matter (强制消费, 强买强卖)
        ({"different_topic": True}, -1),  # they raise different matters (过期, 多收)
        ({"same_product": True}, +1),  # the same goods named (牛奶, 酸奶)
        ({"different_product": True}, -1),  # other goods (洗衣机, 空调): two purchases
    ],
)
def test_each_fact_moves_the_score_its_own_way(change: dict[str, object], direction: int) -> None:
    changed = Evidence(**{**BASE.__dict__, **change}).score()
    assert (changed > BASE.score()) - (changed < BASE.score()) == direction
    assert 0.0 < changed < 1.0


@pytest.mark.parametrize(
    ("one", "other", "reasons", "not_reasons"),
    [
        (("预付式消费", "体育健身服务", "柳州市城中区文昌路12号"), ("预付式消费", "体育健身服务", "文昌路12号附近"),
         {"same_problem", "same_goods", "same_place"}, {"different_problem", "different_goods", "different_place"}),
        (("预付式消费", "体育健身服务", None), ("质量", "体育健身服务", "城中区"),  # a county alone says no place
         {"different_problem", "same_goods"}, {"same_problem", "same_place", "different_place"}),
        ((None, None, "文昌路12号"), ("质量", "食品", "五一路8号"), {"different_place"},
         {"same_problem", "different_problem", "same_goods", "different_goods"}),  # an empty category: nothing said
    ],
)  # fmt: skip
def test_the_channels_categories_and_the_place_are_compared_when_both_give_them(
    one: tuple[str | None, ...], other: tuple[str | None, ...], reasons: set[str], not_reasons: set[str]
) -> None:
    def ticket(i: int, said: tuple[str | None, ...], phone: str) -> TicketText:
        return TicketText(i, "金山健身房突然关门，卡里的钱退不了", phone, None, SHOP, received=date(2026, 3, 2),
                          problem_category=said[0], goods_category=said[1], place=said[2])  # fmt: skip

    (found,) = TicketIndex.build([ticket(1, one, "13700002222")]).candidates(ticket(2, other, "15000001111"), floor=0)
    assert reasons <= set(found.reasons) and not (not_reasons & set(found.reasons))


def test_a_repeat_call_counts_only_within_the_window() -> None:
    caller = {"same_phone": True, "same_caller": True}
    near = Evidence(**{**BASE.__dict__, **caller, "repeat_call": True, "days_apart": 10}).score()
    far = Evidence(**{**BASE.__dict__, **caller, "repeat_call": True, "days_apart": 200}).score()
    assert near > Evidence(**{**BASE.__dict__, **caller, "days_apart": 10}).score() > far


SHOP = "柳州市城中区金山健身房"
HISTORY = [
    TicketText(
        1, "金山健身房办卡后关门跑路，预付卡余额2000元无法退还", "13700002222", "张敏", SHOP, received=date(2026, 3, 2)
    ),
    TicketText(2, "金山健身房的跑步机坏了没人修", "13700003333", "李强", SHOP, received=date(2026, 3, 3)),
    TicketText(
        3,
        "紫荆便利店办卡后关门跑路，预付卡余额2000元无法退还",
        "13600004444",
        "王伟",
        "紫荆便利店",
        received=date(2026, 3, 3),
    ),
]


@pytest.mark.parametrize(
    ("new", "best", "reasons", "not_reasons"),
    [
        (  # the same caller again, in other words, a week later
            TicketText(
                10,
                "再次反映：金山健身房关门了，卡里2000元还没退",
                "13700002222",
                "张敏",
                "金山健身房",
                received=date(2026, 3, 9),
            ),
            1,
            {"same_phone", "same_caller", "same_respondent", "repeat_call", "same_figures"},
            {"long_apart"},
        ),
        (  # another member of the same gym, same amount
            TicketText(
                11,
                "金山健身房突然关门，预付卡还有2000元无法退还",
                "15000009999",
                "陈静",
                SHOP,
                received=date(2026, 3, 4),
            ),
            1,
            {"same_respondent", "same_figures"},
            {"same_phone", "different_figures"},
        ),
        (  # another member, another balance: the same shop's closing, the amount against it
            TicketText(
                12,
                "金山健身房突然关门，预付卡还有500元无法退还",
                "15000008888",
                "赵丽",
                SHOP,
                received=date(2026, 3, 4),
            ),
            1,
            {"same_respondent", "different_figures"},
            {"same_figures"},
        ),
    ],
)
def test_candidates_carry_the_new_evidence(
    new: TicketText, best: int, reasons: set[str], not_reasons: set[str]
) -> None:
    found = TicketIndex.build(HISTORY).candidates(new, floor=0.0)
    assert found[0].ticket_id == best
    assert reasons <= set(found[0].reasons) and not (not_reasons & set(found[0].reasons))


def test_the_same_words_about_another_business_score_low_and_say_why() -> None:
    new = TicketText(
        13, "金山健身房办卡后关门跑路，预付卡余额2000元无法退还", "18000001111", "周杰", SHOP, received=date(2026, 3, 4)
    )
    found = {c.ticket_id: c for c in TicketIndex.build(HISTORY).candidates(new, floor=0.0)}
    assert found[1].score > 10 * found[3].score and found[3].score < 0.01
    assert "different_respondent" in found[3].reasons


def test_a_different_amount_lowers_the_same_shops_score() -> None:
    """The log-odds, not the score: against a closing (a matter of the shop itself) both sit at the highest score."""
    index = TicketIndex.build(HISTORY)
    logits = []
    for i, amount in enumerate((2000, 500)):
        text = f"金山健身房突然关门，预付卡还有{amount}元无法退还"
        others, facts = index.evidence(TicketText(14 + i, text, respondent=SHOP))
        logits.append(dict(zip(others.tolist(), facts.logits().tolist(), strict=True))[1])  # against ticket 1
    assert logits[0] > logits[1]


def test_the_days_apart_count_only_between_other_callers() -> None:
    caller = {**BASE.__dict__, "same_phone": True, "same_caller": True}
    assert Evidence(**{**caller, "days_apart": 1}).score() == Evidence(**{**caller, "days_apart": 20}).score()
    other = BASE.__dict__
    assert Evidence(**{**other, "days_apart": 1}).score() > Evidence(**{**other, "days_apart": 20}).score()


def test_shared_words_count_for_the_same_business_or_the_same_caller_only() -> None:
    def gain(**facts: Any) -> float:
        return Evidence(0.4, 3.0, **facts).logit() - Evidence(0.4, 0.1, **facts).logit()

    # two callers' questions about no business, or about two businesses: their words alone say little
    assert gain(same_respondent=True) > gain() + 1 and gain(same_phone=True, same_caller=True) > gain() + 1
    assert gain(different_respondent=True) <= gain()


def test_the_score_is_the_logistic_of_the_log_odds() -> None:
    e = Evidence(text=0.5, shared=2.0, same_respondent=True, days_apart=2)
    assert abs(e.score() - 1 / (1 + math.exp(-e.logit()))) < 1e-12


PAIR = Evidence(text=0.1, shared=0.3, same_respondent=True, days_apart=1)


@pytest.mark.parametrize(
    ("facts", "direction"),
    [
        ({}, 0),  # one caller, nothing more: the case weighs as its best ticket
        ({"callers": 2}, +1),  # several callers already about this business: an incident
        ({"callers": 2, "own_caller": True}, 0),  # the caller is already in the case: not another caller
        ({"callers": 2, "same_respondent": False}, 0),  # not about the same business
    ],
)
def test_a_case_weighs_as_its_best_ticket_and_what_its_callers_add(facts: dict[str, Any], direction: int) -> None:
    base = PAIR.score()
    case = CaseEvidence(PAIR, **{"shared": PAIR.shared, "same_respondent": True, **facts}).score()
    assert (case > base + 1e-9) - (case < base - 1e-9) == direction
