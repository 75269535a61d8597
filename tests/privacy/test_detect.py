"""Personal data in free text: table-driven, one row per case (text in -> findings or masked text out)."""

from __future__ import annotations

import pytest
from stdnum import luhn
from stdnum.iso7064 import mod_11_2

from zhizhi.privacy.detect import KINDS, Finding, find_personal, mask_text, mask_value


def resident_id(body: str) -> str:
    """An 18-character resident number with its check digit computed by an independent implementation."""
    return body + mod_11_2.calc_check_digit(body)


def card(body: str) -> str:
    """A bank card number with its Luhn digit computed by an independent implementation."""
    return body + luhn.calc_check_digit(body)


ID = resident_id("45020219900101123")  # ends in 7
ID_X = resident_id("11010519491231002")  # ends in X
CARD_19 = card("622202123456789012")
CARD_16 = card("621700123456789")
CARD_19_TYPO = f"{CARD_19[:18]}{(int(CARD_19[18]) + 1) % 10}"  # a wrong Luhn digit
CARD_16_TYPO = f"{CARD_16[:15]}{(int(CARD_16[15]) + 1) % 10}"
FULL_WIDTH_ID = ID.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})

POSITIVES = [
    # (kind, text, the span's text)
    ("resident_id", f"本人张三，身份证号{ID}，于2026年3月投诉", ID),
    ("resident_id", f"身份证号码：{ID_X}", ID_X),
    ("resident_id", f"身份证号码：{ID_X.lower()}。", ID_X.lower()),
    ("resident_id", f"证件号{FULL_WIDTH_ID}的消费者", FULL_WIDTH_ID),
    ("resident_id", f"身份证 {ID[:6]} {ID[6:14]} {ID[14:]} 已核对", f"{ID[:6]} {ID[6:14]} {ID[14:]}"),
    ("resident_id", "旧身份证号450202650312123，已过期", "450202650312123"),
    # labelled as one, a typo in the check digit is still a person's number (an inspector's note, published)
    ("resident_id", f"当事人身份证号：{ID[:17]}{(int(ID[17]) + 1) % 10}", f"{ID[:17]}{(int(ID[17]) + 1) % 10}"),
    ("resident_id", f"身份证号{card('62010219900101123')}", card("62010219900101123")),  # not a card: labelled
    ("mobile", "电话13512344297，于", "13512344297"),
    ("mobile", "手机：138 0013 8000。", "138 0013 8000"),
    ("mobile", "手机138-0013-8000", "138-0013-8000"),
    ("mobile", "请联系+86 13800138000", "+86 13800138000"),
    ("mobile", "请联系8613800138000", "8613800138000"),
    ("mobile", "请联系(+86)13800138000", "(+86)13800138000"),
    ("mobile", "请联系１９９１２３４５６７８", "１９９１２３４５６７８"),
    ("mobile", "手机1351 2344 297，", "1351 2344 297"),
    ("landline", "座机0772-2345678转", "0772-2345678"),
    ("landline", "办公电话(0772)2345678转123，", "(0772)2345678转123"),
    ("landline", "办公电话（0772）2345678", "（0772）2345678"),
    ("landline", "北京010-87654321", "010-87654321"),
    ("landline", "电话07712345678，", "07712345678"),
    ("landline", "电话020 8765 4321，", "020 8765 4321"),
    ("landline", "电话0772-2345678-8021，", "0772-2345678-8021"),
    ("landline", "联系电话075522345678，", "075522345678"),
    ("bank_card", f"退款至银行卡{CARD_19}，", CARD_19),
    ("bank_card", f"卡号{CARD_16}。", CARD_16),
    ("bank_card", f"卡号 {' '.join(CARD_19[i : i + 4] for i in range(0, 19, 4))} 户名", None),
    # labelled as one, a typo in the Luhn digit is still a person's card (a complaint's refund account)
    ("bank_card", f"卡号：{CARD_19_TYPO}，", CARD_19_TYPO),
    ("bank_card", f"退款账号{CARD_16_TYPO}", CARD_16_TYPO),
    ("email", "邮箱zhangsan@example.com，", "zhangsan@example.com"),
    ("email", "发到li.si-88@mail.gxzf.gov.cn谢谢", "li.si-88@mail.gxzf.gov.cn"),
]


@pytest.mark.parametrize(("kind", "text", "span"), POSITIVES)
def test_finds_each_kind(kind: str, text: str, span: str | None) -> None:
    expected = span if span is not None else " ".join(CARD_19[i : i + 4] for i in range(0, 19, 4))
    start = text.index(expected)
    assert find_personal(text) == [Finding(kind, start, start + len(expected), expected)]


NEGATIVES = [
    ("a credit code", "统一社会信用代码91450200MA5K8XYZ1Q的商户"),
    ("an all-digit credit code", "信用代码914502007654321098"),
    ("an ID inside a 20-digit number", f"流水12{ID}的交易"),
    ("an ID after a letter", f"编码A{ID}"),
    ("a wrong check digit, unlabelled", f"编号{ID[:17]}{(int(ID[17]) + 1) % 10}"),
    ("an impossible birth date", f"身份证号{resident_id('45020219901301123')}"),
    ("a future birth date", f"身份证号{resident_id('45020220991201123')}"),
    ("an unknown province", f"证件号{resident_id('99020219900101123')}"),
    ("a ticket number", "票号20261205123456"),
    ("a timestamp", "于20261205123456提交"),
    ("a date", "2026-12-05 12:34:56"),
    ("an amount", "共计13512344297元"),
    ("an amount with a sign", "￥13512344297.00"),
    ("a decimal", "读数13512344297.5"),
    ("an order number", "订单号：13512344297"),
    ("a labelled card-like order number", f"订单号{CARD_19}"),
    ("a Luhn failure, unlabelled", f"编号{CARD_19_TYPO}"),
    ("a Luhn failure after a word holding 卡", f"卡券{CARD_19_TYPO}"),
    ("a card-like number with no issuer", f"号码{card('123456789012345')}"),
    ("a 12-digit mobile-like number", "编号135123442971"),
    ("a mobile prefix 12", "12512344297"),
    ("a landline local number starting with 1", "0772-1234567"),
    ("a short local number after a 3-digit area code", "010-8765432"),
    ("an invoice code", "发票代码044031900111"),
    ("twelve bare digits from 0 without a phone word", "凭证上写着044031900111"),
    ("a licence number", "许可证编号JY14502020001234"),
    ("an express number", "快递SF1234567890123"),
]


@pytest.mark.parametrize(("case", "text"), NEGATIVES)
def test_ignores_lookalikes(case: str, text: str) -> None:
    assert find_personal(text) == [], case


def test_several_findings_sorted_and_not_overlapping() -> None:
    text = f"投诉人王五（{ID}），手机13512344297，邮箱13512344297@139.com，退款卡{CARD_16}。"
    assert [(found.kind, found.text) for found in find_personal(text)] == [
        ("resident_id", ID),
        ("mobile", "13512344297"),
        ("email", "13512344297@139.com"),
        ("bank_card", CARD_16),
    ]


MASKS = [
    ("resident_id", ID, "450202********1237"),
    ("resident_id", ID_X, "110105********002X"),
    ("resident_id", "450202650312123", "450202*****2123"),
    ("resident_id", FULL_WIDTH_ID, "４５０２０２********１２３７"),
    ("mobile", "13512344297", "135****4297"),
    ("mobile", "138 0013 8000", "138 **** 8000"),
    ("mobile", "+86 13800138000", "+86 138****8000"),
    ("landline", "0772-2345678", "0772-****678"),
    ("landline", "010-87654321", "010-****4321"),
    ("landline", "(0772)2345678转123", "(0772)****678转123"),
    ("bank_card", CARD_19, f"622202*********{CARD_19[-4:]}"),
    ("bank_card", CARD_16, f"621700******{CARD_16[-4:]}"),
    ("email", "zhangsan@example.com", "z***@example.com"),
]


@pytest.mark.parametrize(("kind", "value", "masked"), MASKS)
def test_mask_value(kind: str, value: str, masked: str) -> None:
    assert mask_value(kind, value) == masked


def test_mask_text_keeps_the_rest() -> None:
    text = f"本人张三，身份证号{ID}，电话13512344297，于2026年3月在某某超市购买，订单号20261205123456。"
    masked = "本人张三，身份证号450202********1237，电话135****4297，于2026年3月在某某超市购买，订单号20261205123456。"
    assert mask_text(text) == masked


def test_mask_value_refuses_an_unknown_kind() -> None:
    with pytest.raises(ValueError, match="`passport`"):
        mask_value("passport", "E12345678")
    assert set(KINDS) == {kind for kind, _, _ in MASKS}
