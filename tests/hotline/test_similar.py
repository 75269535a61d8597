"""Similar tickets: character n-grams weighted by rarity, numbers removed, candidates with their reasons."""

from __future__ import annotations

from datetime import date

import pytest

from zhizhi.hotline.candidate import TicketText
from zhizhi.hotline.similar import TicketIndex
from zhizhi.hotline.texts import ngrams, normalise_text, respondent_key, same_respondent

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


def test_the_delta_put_into_the_arrays_as_it_grows_changes_no_score(monkeypatch: pytest.MonkeyPatch) -> None:
    words = ("螺蛳粉店", "便利店", "健身房", "眼镜店")
    tickets = [TicketText(i, f"{'鑫源兴隆恒通'[i % 6]}{words[i % 4]}第{i % 7}次多收{i % 5}0元，要求退款",
                          f"1380000{i % 9:04d}", None, f"{'鑫源兴隆恒通'[i % 6]}{words[i % 4]}",
                          received=date(2026, 3, 1 + i % 28)) for i in range(60)]  # fmt: skip
    grown = {}
    for reindex_at in (4, 10_000):  # into the arrays every few tickets, or never
        monkeypatch.setattr("zhizhi.hotline.similar.REINDEX_AT", reindex_at)
        index, found = TicketIndex(), []
        for ticket in tickets:
            found.append(index.candidates(ticket, limit=20, floor=0.0))
            index.add(ticket)
        grown[reindex_at] = found
    assert grown[4] == grown[10_000] and sum(len(f) for f in grown[4]) > 100


GYM = "柳州市城中区金山健身房"
CASE = [  # one incident, two members so far, in case 100; an unrelated grievance about the same gym, case 200
    TicketText(31, "金山健身房办卡后关门跑路，预付卡余额2000元无法退还", "13700002222", "张敏", GYM,
               received=date(2026, 3, 2), case_id=100),
    TicketText(32, "在金山健身房充值500元办了会员卡，现在店铺突然关门联系不上老板", "13700003333", "李强", GYM,
               received=date(2026, 3, 3), case_id=100),
    TicketText(33, "金山健身房的跑步机坏了没人修", "13700004444", "王伟", GYM, received=date(2026, 3, 1), case_id=200),
    TicketText(34, "紫荆便利店销售过期牛奶，请求查处", "13900001111", "赵丽", "紫荆便利店", received=date(2026, 3, 2)),
]  # fmt: skip
MARCH_4 = date(2026, 3, 4)
MEMBER = TicketText(35, "金山健身房停业，会员卡里还有880元，要求退款", "15000009999", "陈静", GYM, received=MARCH_4)


def test_a_new_ticket_is_weighed_against_each_case_with_all_its_tickets() -> None:
    found = TicketIndex.build(CASE).case_candidates(MEMBER, floor=0.0)
    best = found[0]
    assert best.case_id == 100 and best.ticket_ids == (31, 32)
    assert best.best.ticket_id in (31, 32) and best.reasons[: len(best.best.reasons)] == best.best.reasons
    assert "several_callers" in best.reasons and "same_respondent" in best.reasons
    assert best.score > best.best.score  # two callers already about the gym's closing
    assert {k.case_id for k in found} >= {100, 200} and all(k.case_id != 100 for k in found[1:])
    alone = {k.case_id: k for k in found}[200]
    assert alone.ticket_ids == (33,) and "several_callers" not in alone.reasons and alone.score < best.score


def test_a_ticket_in_no_case_is_a_case_of_its_own() -> None:
    index = TicketIndex.build(CASE)
    new = TicketText(36, "紫荆便利店卖过期牛奶，要求查处", "13900001111", "赵丽", "紫荆便利店", received=MARCH_4)
    best = index.case_candidates(new)[0]
    assert best.case_id is None and best.ticket_ids == (34,) and best.best.ticket_id == 34
    assert "several_callers" not in best.reasons


def test_a_handler_moves_a_ticket_between_cases_before_and_after_compacting() -> None:
    index = TicketIndex.build(CASE)
    index.assign(32, 200)  # the second member put in the other case
    found = {k.case_id: k for k in index.case_candidates(MEMBER, floor=0.0)}
    assert found[100].ticket_ids == (31,) and found[200].ticket_ids == (32, 33)
    assert "several_callers" not in found[100].reasons
    index.assign(33, None)  # taken out of its case: a case of its own
    found = {k.case_id: k for k in index.compact().case_candidates(MEMBER, floor=0.0)}
    assert found[200].ticket_ids == (32,) and found[None].ticket_ids == (33,)


def test_added_tickets_keep_their_case() -> None:
    index = TicketIndex.build(CASE[:1])
    index.add(CASE[1])
    assert index.case_candidates(MEMBER)[0].ticket_ids == (31, 32)
    assert index.compact().case_candidates(MEMBER)[0].ticket_ids == (31, 32)


def test_a_question_about_no_business_is_not_a_complaint_about_one() -> None:
    question = TicketText(41, "市民反映咨询面包三包期限怎么计算", "13812345678", "韦芳", None, received=MARCH_4)
    complaint = TicketText(42, "在紫荆便利店买的面包有质量问题，要求退货被拒绝", "13812345678", "韦芳", "紫荆便利店",
                           received=MARCH_4)  # fmt: skip
    other_item = TicketText(43, "市民反映咨询手机三包期限怎么计算", "13812345678", "韦芳", None, received=MARCH_4)
    again = TicketText(44, "再次反映：咨询面包三包期限怎么计算", "13812345678", "韦芳", None, received=date(2026, 3, 6))
    index = TicketIndex.build([*HISTORY, *CASE, question, complaint, other_item])
    found = {c.ticket_id: c for c in index.candidates(again, floor=0.0)}
    assert found[41].score > 0.9 and found[41].score > found[43].score > found[42].score
    assert "different_word" in found[43].reasons  # the same question about another product
    assert "one_respondent" in found[42].reasons and "one_respondent" not in found[41].reasons
