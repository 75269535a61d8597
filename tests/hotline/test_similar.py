"""Similar tickets: character n-grams weighted by rarity, numbers removed, candidates with their reasons."""

from __future__ import annotations

import pytest

from zhizhi.hotline.similar import TicketIndex, TicketText, ngrams, normalise_text, respondent_key, same_respondent

HISTORY = [
    TicketText(
        1, "在柳州市城中区龙城螺蛳粉店吃粉后腹泻，要求赔偿医药费", "13812345678", "韦芳", "柳州市城中区龙城螺蛳粉店"
    ),
    TicketText(2, "紫荆便利店销售过期牛奶，请求查处", "13900001111", "李强", "紫荆便利店"),
    TicketText(3, "金山健身房办卡后关门跑路，预付卡余额2000元无法退还", "13700002222", "张敏", "金山健身房"),
    TicketText(4, "龙城螺蛳粉店门口占道经营", "13600003333", "王伟", "龙城螺蛳粉店"),
    TicketText(5, "咨询洗衣机三包期限怎么计算", "13812345678", "韦芳", None),
]


@pytest.fixture(scope="module")
def index() -> TicketIndex:
    return TicketIndex.build(HISTORY)


def test_numbers_are_removed_before_comparing() -> None:
    text = "来电人13812345678（身份证450202199001011234）反映：0772-2812345 多收３０元！"
    assert normalise_text(text) == "来电人身份证反映多收30元"
    assert ngrams("多收钱") == {"多收", "收钱", "多收钱"} and ngrams("多") == {"多"} and ngrams("") == set()


def test_respondents_are_compared_without_remarks_and_prefixes() -> None:
    assert respondent_key("龙城螺蛳粉店（城中店）") == "龙城螺蛳粉店"
    assert same_respondent(respondent_key("柳州市城中区龙城螺蛳粉店"), respondent_key("龙城螺蛳粉店"))
    assert not same_respondent("粉店", "龙城螺蛳粉店")  # too short to say
    assert not same_respondent("紫荆便利店", "龙城螺蛳粉店")


def test_a_rephrased_repeat_call_finds_the_first_ticket_with_its_reasons(index: TicketIndex) -> None:
    new = TicketText(10, "再次反映：龙城螺蛳粉店吃了拉肚子，商家不肯赔医药费，电话13812345678", "13812345678", "韦芳",
                     "龙城螺蛳粉店")  # fmt: skip
    best = index.candidates(new)[0]
    assert best.ticket_id == 1
    assert {"same_phone", "same_caller", "same_respondent", "shared_phrases"} <= set(best.reasons)
    assert best.score > 0.7 and 0 < best.text_similarity < best.score
    assert any("螺蛳" in phrase or "医药" in phrase for phrase in best.shared_phrases)


def test_another_caller_about_the_same_incident_is_found_by_the_text(index: TicketIndex) -> None:
    new = TicketText(11, "金山健身房突然关门，我的预付卡还有余额无法退还", "15000009999", "陈静", "柳州市金山健身房")
    best = index.candidates(new)[0]
    assert best.ticket_id == 3 and "same_phone" not in best.reasons and "same_respondent" in best.reasons


def test_the_same_caller_about_something_else_scores_low(index: TicketIndex) -> None:
    new = TicketText(12, "紫荆便利店的大米缺斤短两", "13812345678", "韦芳", "紫荆便利店")
    found = {c.ticket_id: c for c in index.candidates(new, floor=0.0)}
    assert found[2].score > found[1].score  # the same shop's ticket before the same caller's other grievance
    assert "different_respondent" in found[1].reasons and found[1].score < 0.6


def test_added_tickets_are_found_before_and_after_compacting(index: TicketIndex) -> None:
    grown = TicketIndex.build(HISTORY)
    grown.add(TicketText(20, "鹏程眼镜店配的眼镜度数不对，要求重配", "13300004444", "周杰", "鹏程眼镜店"))
    new = TicketText(21, "鹏程眼镜店配眼镜度数错误", "18000005555", "吴丽", "鹏程眼镜店")
    assert grown.candidates(new)[0].ticket_id == 20
    compacted = grown.compact()
    assert len(compacted) == 6 and compacted.candidates(new)[0].ticket_id == 20
    assert index.candidates(TicketText(1, HISTORY[0].text)) == [] or all(
        c.ticket_id != 1 for c in index.candidates(TicketText(1, HISTORY[0].text))
    )  # a ticket is never its own candidate
