"""How well zhizhi finds personal data in free text: precision and recall per kind, and texts per second.

The texts are drawn (seeded) the way complaints, call notes and inspection remarks are written: a name, a resident
number (valid check digit; some with lower-case x, full-width digits, spaces, or the old 15 digits), mobiles and
landlines in every common layout, bank cards passing Luhn (UnionPay bins, a few Visa, Mastercard and old domestic
ones), e-mail addresses, and hard negatives in between: credit codes (with letters and all digits), order, ticket,
invoice, express and transaction numbers, amounts, dates, timestamps, barcodes, IMEIs, resident numbers with a wrong
check digit or birth date, card numbers failing Luhn, 20-digit numbers. About a third of the order numbers and
timestamps stand without a label before them.

    python bench/privacy_detect.py                   # 6,000 texts, best of 3 for the speed
    python bench/privacy_detect.py --texts 20000 --seed 7

A finding counts as right only if kind, start and end all match the label (span-exact). Nothing is written.
"""

from __future__ import annotations

import argparse
import platform
import random
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta

from stdnum import luhn
from stdnum.iso7064 import mod_11_2

from zhizhi.ingest.validate.identifiers import ALPHABET, org_check_char, uscc_check_char
from zhizhi.privacy.detect import KINDS, find_personal

Part = tuple[str, str | None, str]
"""A piece of a text: its characters, its kind of personal data (None for plain text) and its category."""

AREAS = (
    "450202 450203 450204 450205 450206 450221 450222 450103 450305 110105 110108 310104 440305 440106 510107 "
    "320102 330106 420111 430102 370102 610113 620102 640104 650102 230102 210102 350203 360102 130102 140105 "
    "150102 220102 340102 410105 460105 500103 520102 530102 540102 630102"
).split()
MOBILE_PREFIXES = (
    "130 131 132 133 134 135 136 137 138 139 147 150 151 152 153 155 156 157 158 159 166 170 173 175 "
    "176 177 178 180 181 182 183 184 185 186 187 188 189 191 193 195 198 199".split()
)
AREA_CODES = (
    "010 020 021 022 023 024 025 027 028 029 0771 0772 0773 0774 0775 0776 0778 0755 0757 0731 0571 0851".split()
)
CARD_BINS = ("622202", "622848", "621700", "622588", "621226", "623058", "622700", "621483", "622262", "621661")
OTHER_BINS = (("436742", 16), ("524091", 16), ("955880", 19), ("625965", 16), ("356889", 16))
DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "gmail.com", "foxmail.com", "139.com", "example.com")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐韦覃蒙"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉梅红"
PINYIN = ("zhang", "wang", "li", "liu", "chen", "huang", "wei", "qin", "meng", "lan", "xiaoming", "lily", "hua")
SHOPS = (
    "华联超市",
    "步步高超市",
    "鑫盛便利店",
    "好又多商场",
    "宏达手机店",
    "美嘉乐餐厅",
    "顺德汽车服务部",
    "京东自营店",
)
PRODUCTS = ("一箱牛奶", "过期面包", "一台电饭煲", "手机一部", "会员储值卡", "预付费健身课程", "婴儿奶粉", "一套家具")
PROBLEMS = ("发现已过保质期", "商品存在质量问题", "商家拒绝退款", "价格与标价不符", "被强制消费", "售后无人处理")
FULL = {ord(c): ord(c) + 0xFEE0 for c in "0123456789"}


def main() -> None:
    args = _parse_args()
    rng = random.Random(args.seed)
    texts = [_text(rng) for _ in range(args.texts)]
    plain = ["".join(chars for chars, _, _ in parts) for parts in texts]
    seconds = _best(args.repeat, lambda: [find_personal(text) for text in plain])
    counts = {kind: Counter[str]() for kind in KINDS}
    false_by_category: Counter[str] = Counter()
    for parts, text in zip(texts, plain, strict=True):
        _score(parts, find_personal(text), counts, false_by_category)
    labelled = sum(1 for parts in texts for _, kind, _ in parts if kind)
    negatives = sum(1 for parts in texts for _, kind, category in parts if kind is None and category != "text")
    print(f"texts                 {len(plain):,} (seed {args.seed}), {sum(map(len, plain)):,} characters")
    print(f"labelled spans        {labelled:,} personal, {negatives:,} hard negatives")
    print(f"{'kind':<12} {'labelled':>9} {'found':>7} {'right':>7} {'precision':>10} {'recall':>8}")
    for kind in KINDS:
        right, found, gold = counts[kind]["right"], counts[kind]["found"], counts[kind]["gold"]
        precision, recall = right / found if found else 1.0, right / gold if gold else 1.0
        print(f"{kind:<12} {gold:>9,} {found:>7,} {right:>7,} {precision:>10.4f} {recall:>8.4f}")
    wrong = ", ".join(f"{category} {n}" for category, n in false_by_category.most_common()) or "none"
    print(f"false findings by what they hit: {wrong}")
    print(f"speed                 {len(plain) / seconds:,.0f} texts/s ({seconds:.3f} s for all, best of {args.repeat})")
    print(f"python                {platform.python_version()}")


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Find personal data in seeded complaint texts; print the scores.")
    parser.add_argument("--texts", type=int, default=6_000, help="texts to generate (default 6,000)")
    parser.add_argument("--seed", type=int, default=13, help="random seed (default 13)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the best counts")
    args = parser.parse_args()
    if args.texts < 1 or args.repeat < 1:
        parser.error("--texts and --repeat must be positive")
    return args


def _best(repeat: int, run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def _score(parts: list[Part], found: list[object], counts: dict[str, Counter[str]], wrong: Counter[str]) -> None:
    """Count labelled, found and right spans per kind; name the part each false finding overlaps."""
    spans, offset = [], 0
    for chars, kind, category in parts:
        spans.append((offset, offset + len(chars), kind, category))
        offset += len(chars)
    gold = {(kind, start, end) for start, end, kind, _ in spans if kind}
    for kind, _, _ in gold:
        counts[kind]["gold"] += 1
    for finding in found:
        key = (finding.kind, finding.start, finding.end)  # type: ignore[attr-defined]
        counts[key[0]]["found"] += 1
        if key in gold:
            counts[key[0]]["right"] += 1
            continue
        hit = [category for start, end, _, category in spans if start < key[2] and key[1] < end and category != "text"]
        wrong[f"{key[0]} on {'+'.join(hit) or 'text'}"] += 1


def _text(rng: random.Random) -> list[Part]:
    """One complaint, call note or inspection remark as labelled parts."""
    return rng.choices((_complaint, _call_note, _inspection), weights=(6, 2, 2))[0](rng)


def _complaint(rng: random.Random) -> list[Part]:
    parts: list[Part] = [_t(rng.choice(("本人", "投诉人：", "我叫", "消费者")) + _name(rng))]
    if rng.random() < 0.7:
        parts += [
            _t(rng.choice(("，身份证号", "，身份证号码：", "（身份证", "，证件号码", "，公民身份号码 "))),
            _id(rng),
        ]
    if rng.random() < 0.15:
        parts += [_t("，身份证号"), _bad_id(rng)]
    parts += _contact(rng)
    parts += [_t(f"，于{_date(rng)}在{rng.choice(SHOPS)}")]
    if rng.random() < 0.4:
        parts += [_t(rng.choice(("（统一社会信用代码", "（信用代码：", "（"))), _uscc(rng), _t("）")]
    parts += [_t(f"购买{rng.choice(PRODUCTS)}，{rng.choice(PROBLEMS)}")]
    for negative in rng.sample((_order, _amount, _ticket, _timestamp, _long_number, _express, _barcode), k=2):
        parts += negative(rng)
    if rng.random() < 0.45:
        parts += [_t(rng.choice(("，要求退款至银行卡", "，请将赔偿款打到我的卡上，卡号：", "，退款账户 "))), _card(rng)]
    if rng.random() < 0.1:
        parts += [_t("，卡号"), _bad_card(rng)]
    if rng.random() < 0.35:
        parts += [_t(rng.choice(("。处理结果请发邮件至", "。邮箱：", "。我的邮箱是"))), _email(rng)]
    return [*parts, _t(rng.choice(("。", "，谢谢。", "，请尽快处理！")))]


def _call_note(rng: random.Random) -> list[Part]:
    parts: list[Part] = [_t(f"回访：{_date(rng)}电话回访{_name(rng)}")]
    parts += _contact(rng)
    parts += [_t(rng.choice(("，消费者表示满意", "，消费者要求继续调解", "，无人接听")))]
    for negative in rng.sample((_order, _amount, _timestamp, _imei), k=1):
        parts += negative(rng)
    return [*parts, _t("。")]


def _inspection(rng: random.Random) -> list[Part]:
    parts: list[Part] = [_t(f"{_date(rng)}现场检查{rng.choice(SHOPS)}，统一社会信用代码"), _uscc(rng)]
    parts += [_t(f"，负责人{_name(rng)}")]
    if rng.random() < 0.6:
        parts += [_t("（"), _id(rng), _t("）")]
    parts += [_t("在场，联系电话"), rng.choice((_mobile, _landline))(rng)]
    parts += [_t("，食品经营许可证"), ("JY" + _digits(rng, 14), None, "licence")]
    parts += [_t(rng.choice(("，货值金额", "，罚款"))), _amount(rng)[1], _t("元。")]
    return parts


def _contact(rng: random.Random) -> list[Part]:
    roll = rng.random()
    if roll < 0.55:
        return [_t(rng.choice(("，电话", "，联系电话：", "，手机", "，手机号码 "))), _mobile(rng)]
    if roll < 0.75:
        return [_t("，联系方式"), _mobile(rng), _t(rng.choice(("或", "、", "/"))), _landline(rng)]
    if roll < 0.92:
        return [_t(rng.choice(("，座机", "，办公电话：", "，家里电话"))), _landline(rng)]
    return []


def _t(chars: str) -> Part:
    return (chars, None, "text")


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))


def _digits(rng: random.Random, n: int, first: str = "0123456789") -> str:
    return rng.choice(first) + "".join(rng.choices("0123456789", k=n - 1))


def _birth(rng: random.Random, earliest: date = date(1940, 1, 1), latest: date = date(2008, 12, 31)) -> date:
    return earliest + timedelta(days=rng.randrange((latest - earliest).days))


def _date(rng: random.Random) -> str:
    day = _birth(rng, date(2025, 1, 1), date(2026, 12, 4))
    forms = (f"{day.year}年{day.month}月{day.day}日", f"{day:%Y-%m-%d}", f"{day:%Y%m%d}", f"{day:%Y/%m/%d} 14:32")
    return rng.choice(forms)


def _id(rng: random.Random) -> Part:
    area, born, sequence = rng.choice(AREAS), _birth(rng), _digits(rng, 3)
    roll = rng.random()
    if roll < 0.03:
        return (f"{area}{born:%y%m%d}{sequence}", "resident_id", "id15")
    body = f"{area}{born:%Y%m%d}{sequence}"
    number = body + mod_11_2.calc_check_digit(body)
    if roll < 0.06:
        number = number.translate(FULL)
    elif roll < 0.09:
        number = f"{number[:6]} {number[6:14]} {number[14:]}"
    elif roll < 0.20:
        number = number.lower()
    return (number, "resident_id", "id")


def _bad_id(rng: random.Random) -> Part:
    body = f"{rng.choice(AREAS)}{_birth(rng):%Y%m%d}{_digits(rng, 3)}"
    if rng.random() < 0.3:
        body = body[:10] + f"{rng.randrange(13, 20)}" + body[12:]  # month 13-19
        return (body + mod_11_2.calc_check_digit(body), None, "bad birth date")
    wrong = rng.choice([c for c in "0123456789X" if c != mod_11_2.calc_check_digit(body)])
    return (body + wrong, None, "bad check digit")


def _mobile(rng: random.Random) -> Part:
    number = rng.choice(MOBILE_PREFIXES) + _digits(rng, 8)
    spaced = f"{number[:3]} {number[3:7]} {number[7:]}"
    forms = (number,) * 14 + (f"+86 {number}", f"+86{number}", f"86{number}", f"(+86){number}")
    forms += (spaced, spaced, f"{number[:3]}-{number[3:7]}-{number[7:]}", number.translate(FULL))
    if rng.random() < 0.02:
        return (f"{number[:4]} {number[4:8]} {number[8:]}", "mobile", "mobile")
    return (rng.choice(forms), "mobile", "mobile")


def _landline(rng: random.Random) -> Part:
    area = rng.choice(AREA_CODES)
    local = _digits(rng, 8 if len(area) == 3 or rng.random() < 0.3 else 7, "2345678")
    forms = (f"{area}-{local}",) * 5 + (f"({area}){local}", f"（{area}）{local}", f"{area}{local}", f"{area} {local}")
    number = rng.choice(forms)
    if rng.random() < 0.1:
        number += rng.choice(("转", "-", "分机")) + _digits(rng, rng.choice((2, 3, 4)), "123456789")
    return (number, "landline", "landline")


def _card(rng: random.Random) -> Part:
    if rng.random() < 0.85:
        bin_, length = rng.choice(CARD_BINS), rng.choice((16, 19, 19))
    else:
        bin_, length = rng.choice(OTHER_BINS)
    body = bin_ + _digits(rng, length - 7)
    number = body + luhn.calc_check_digit(body)
    if rng.random() < 0.2:
        number = " ".join(number[i : i + 4] for i in range(0, length, 4))
    return (number, "bank_card", "card")


def _bad_card(rng: random.Random) -> Part:
    body = rng.choice(CARD_BINS) + _digits(rng, rng.choice((9, 12)))
    return (body + str((int(luhn.calc_check_digit(body)) + rng.randrange(1, 10)) % 10), None, "Luhn failure")


def _email(rng: random.Random) -> Part:
    local = rng.choice(
        (
            rng.choice(PINYIN) + _digits(rng, rng.randrange(1, 5)),
            f"{rng.choice(PINYIN)}.{rng.choice(PINYIN)}",
            _digits(rng, rng.randrange(6, 11), "123456789"),
            rng.choice(MOBILE_PREFIXES) + _digits(rng, 8),
        )
    )
    return (f"{local}@{rng.choice(DOMAINS)}", "email", "email")


def _uscc(rng: random.Random) -> Part:
    if rng.random() < 0.3:
        org = _digits(rng, 8)
        org += org_check_char(org)
    else:
        org = "MA" + "".join(rng.choices(ALPHABET, k=7))
    body = rng.choice(("91", "92", "93", "12", "52")) + rng.choice(AREAS) + org
    return (body + uscc_check_char(body), None, "credit code")


def _labelled(rng: random.Random, labels: tuple[str, ...], number: str, category: str) -> list[Part]:
    """A number with a label before it, or about a third of the time in a sentence without one."""
    if rng.random() < 0.35:
        return [_t(rng.choice(("，记录显示", "，系统里是", "，凭证上写着"))), (number, None, category)]
    return [_t(rng.choice(labels)), (number, None, category)]


def _order(rng: random.Random) -> list[Part]:
    number = rng.choice(
        (
            f"2026{_birth(rng, date(2026, 1, 1), date(2026, 12, 4)):%m%d}" + _digits(rng, 8),
            _digits(rng, 19, "1234"),
            _digits(rng, 12, "23"),
            _digits(rng, 18, "123456789"),
        )
    )
    return _labelled(rng, ("，订单号", "，订单编号：", "，交易单号 ", "，合同号"), number, "order number")


def _amount(rng: random.Random) -> list[Part]:
    value = rng.choice(
        (
            f"{rng.randrange(1, 99999)}.{rng.randrange(100):02d}",
            f"{rng.randrange(1, 999):,}",
            f"{rng.randrange(10**4, 10**8):,}",
            str(rng.randrange(10**6, 10**11)),
        )
    )
    sign = rng.random() < 0.3
    return [_t("，共计￥" if sign else "，共计"), (value, None, "amount"), _t("" if sign else "元")]


def _ticket(rng: random.Random) -> list[Part]:
    labels = ("，小票号", "，发票号码 ", "，发票代码", "，票号")
    number = rng.choice((f"2026{_digits(rng, 10)}", _digits(rng, 8), "0" + _digits(rng, 11, "4")))
    return _labelled(rng, labels, number, "ticket number")


def _timestamp(rng: random.Random) -> list[Part]:
    moment = f"{_birth(rng, date(2026, 1, 1), date(2026, 12, 4)):%Y%m%d}{rng.randrange(24):02d}{rng.randrange(60):02d}"
    return [
        _t(rng.choice(("，于", "，支付时间", "，时间戳"))),
        (moment + f"{rng.randrange(60):02d}", None, "timestamp"),
    ]


def _long_number(rng: random.Random) -> list[Part]:
    n = rng.choice((20, 20, 28))
    return _labelled(rng, ("，支付流水号", "，交易号"), _digits(rng, n, "1234"), "20+ digit number")


def _express(rng: random.Random) -> list[Part]:
    number = rng.choice(
        ("SF" + _digits(rng, 13), "YT" + _digits(rng, 13), "77" + _digits(rng, 13), "43" + _digits(rng, 11))
    )
    return [_t("，快递单号"), (number, None, "express number")]


def _barcode(rng: random.Random) -> list[Part]:
    return _labelled(rng, ("，商品条码",), "69" + _digits(rng, 11), "barcode")


def _imei(rng: random.Random) -> list[Part]:
    return [_t(rng.choice(("，手机串号", "，IMEI "))), (rng.choice(("86", "35")) + _digits(rng, 13), None, "IMEI")]


if __name__ == "__main__":
    main()
