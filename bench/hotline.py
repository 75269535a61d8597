"""Hotline bench: merging tickets into cases, accuracy beside a plain baseline, and the speed of one check.

A month of a city's tickets is generated on both channels with the truth kept: single grievances; the same grievance
filed on 12315 and phoned to 12345 in other words (a fifth of them from another phone); repeat calls (再次反映) days
later; several consumers about one shop's one incident (a prepaid-card shop that closed: one case, Art 11; each
consumer with their own sum and date); unrelated grievances about the same shop (other cases, unless they raise the
same matter of the shop or the same lead about its goods: one case); frequent callers with several unrelated
grievances (other cases); questions (咨询) that name no business and are never an incident (Art 3, 39).
Each ticket is checked against the cases made so far (`TicketIndex.case_candidates`; with `--by-ticket`, against
the earlier tickets, a case scoring as its best ticket); the ticket joins the best case at or above the merge
threshold (never two cases through it), and goes to a handler when the best is between the review and merge
thresholds. Pairwise precision and recall of "same case" are reported beside the baseline "same caller phone only",
with recall apart for pairs of the same caller (name) and of other callers, and how often the case a handler is
shown is the right one.

Then the speed: 1,000,000 historic tickets indexed in bulk, 1,000 new tickets checked one by one: p50 / p99 time
and the memory the index holds.

    python bench/hotline.py                          # the month (seed 7) and the million
    python bench/hotline.py --history 0 --merge-at 0.8   # the month only, another threshold
    python bench/hotline.py --fit 3 --unread 0.2     # fit the evidence weights on another month (seed 3)
    python bench/hotline.py --history 0 --unread 0.5     # half the texts' words unread (missing from the lists)
    python bench/hotline.py --history 0 --labelled month.csv     # a bureau's own month, its cases set by handlers
    python bench/hotline.py --fit 0 --labelled month.csv         # fit the weights on it

A labelled month (`--labelled`, CSV in UTF-8 or GB18030) has a header row and one ticket a row: `received`
(2026-11-02, or with a time), `text` and `case` (any label: tickets of one case share it) required; `phone`,
`caller`, `respondent`, `problem`, `goods`, `place` and `channel` when known. `bench/hotline_demo.py --write-csv`
writes the demo city's month in this form.
"""

from __future__ import annotations

import argparse
import csv
import gc
import hashlib
import io
import platform
import random
import resource
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from zhizhi.hotline import topics
from zhizhi.hotline.candidate import TicketText
from zhizhi.hotline.evidence import CASE_FEATURES, FEATURES, WEIGHTS
from zhizhi.hotline.fit import logistic
from zhizhi.hotline.similar import TicketIndex

START = date(2026, 11, 2)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐韦覃蒙莫廖蓝"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国志"
BRANDS = "螺蛳老友龙城桂中紫荆金山荣华兴隆宏达鑫源恒通顺发百家佳美江滨柳侯窑埠鹏程福瑞嘉和永盛聚丰"
DISTRICTS = ("城中区", "鱼峰区", "柳南区", "柳北区", "柳江区", "柳城县", "鹿寨县")
ROADS = ("文昌路", "五一路", "飞鹅路", "柳石路", "胜利路", "三中路", "跃进路", "河西路", "航生路", "屏山大道")
SHOPS = ("螺蛳粉店", "便利店", "超市", "药房", "烧烤店", "手机店", "美容院", "健身房", "家具城", "电器行", "母婴店",
         "眼镜店", "培训学校", "汽车维修厂", "干洗店", "水果店")  # fmt: skip
ITEMS = ("牛奶", "手机", "电饭煲", "面包", "保健品", "运动鞋", "洗衣机", "月饼", "奶粉", "空调", "羽绒服", "充电宝",
         "电动车", "化妆品", "酱油", "大米")  # fmt: skip
# Each issue in several wordings: {shop} {item} {money} {day} {detail}; a grievance keeps its values across tickets.
ISSUES = (
    ("在{shop}购买的{item}有质量问题，要求退货被拒绝",
     "{day}在{shop}买了{item}，用了没几天就坏了，商家不给退",
     "{shop}卖的{item}质量不行，找店里退换店员推脱"),
    ("{shop}销售过期{item}，请求依法查处",
     "发现{shop}货架上的{item}已经过期{detail}天还在卖",
     "{day}在{shop}买到过期{item}，要求查处并赔偿"),
    ("{shop}办卡后关门跑路，预付卡余额{money}元无法退还",
     "在{shop}充值{money}元办了会员卡，现在店铺突然关门联系不上老板",
     "{shop}停业，会员卡里还有{money}元，要求退款"),
    ("{shop}价格标签与结算价格不一致，多收{money}元",
     "{day}在{shop}结账时{item}标价和收银价格不一样，多收了钱",
     "{shop}明码标价不实，{item}实际收费比标签贵"),
    ("{shop}无证经营，卫生条件差，后厨有老鼠",
     "反映{shop}没有营业执照和食品经营许可证，环境脏乱",
     "{shop}卫生很差，怀疑没有办证"),
    ("{shop}虚假宣传，{item}效果与广告不符",
     "{shop}宣传{item}包治百病，买回来没有任何效果，花了{money}元",
     "{shop}夸大宣传{item}功效，涉嫌虚假广告"),
    ("{shop}缺斤短两，称重{item}少了{detail}两",
     "在{shop}买{item}回家一称少了{detail}两，怀疑秤有问题",
     "{shop}的电子秤不准，买{item}短秤"),
    ("{shop}强制消费，不消费{money}元不让离开",
     "{day}在{shop}被店员强行推销，要求必须消费满{money}元",
     "{shop}存在强买强卖行为"),
    ("咨询{item}三包期限怎么计算",
     "想问一下{item}坏了三包期内怎么维权",
     "{item}保修和三包有什么区别，怎么投诉"),
    ("{shop}维修{item}乱收费，报价{money}元",
     "把{item}送到{shop}修，修完收了{money}元，比说好的贵很多",
     "{shop}修{item}收费不透明，没有清单"),
)  # fmt: skip
CONSULTATION = 8
"""A question (咨询): it names no business, and several people asking it are several questions, not one dispute."""
SHOP_MATTERS = (2, 4, 6)
"""Matters of the shop itself, not of one purchase: it closed with the prepaid cards (once), it has no licence, its
scale is wrong. Two grievances of one of these about one shop in the month are one case (one dispute, Art 11, 13;
one lead to verify), whoever raised them."""
GOODS_MATTERS = (1, 5)
"""Leads about goods a shop sells (expired, falsely advertised): two grievances about one shop's same goods in the
month are one case (one lead). Other matters are a consumer's own purchase: other callers' are other cases, unless
they are consumers of one incident (Art 11)."""
PROBLEMS = (("质量", "售后服务"), ("食品安全", "质量"), ("预付式消费", "合同"), ("价格", "合同"),
            ("无照经营", "食品安全"), ("虚假宣传", "质量"), ("计量", "价格"), ("强制交易", "人格尊严"),
            ("三包", "售后服务"), ("售后服务", "价格"))  # fmt: skip
"""Each issue's problem category (问题类别) in 12315's words, and the one a caller or operator picks instead."""
GOODS = {"牛奶": "食品", "手机": "通讯器材", "电饭煲": "家用电器", "面包": "食品", "保健品": "保健食品",
         "运动鞋": "服装鞋帽", "洗衣机": "家用电器", "月饼": "食品", "奶粉": "食品", "空调": "家用电器",
         "羽绒服": "服装鞋帽", "充电宝": "通讯器材", "电动车": "交通工具", "化妆品": "化妆品", "酱油": "食品",
         "大米": "食品"}  # fmt: skip
GOODS_INSTEAD = {"食品": "保健食品", "保健食品": "食品", "通讯器材": "家用电器", "家用电器": "通讯器材",
                 "服装鞋帽": "日用百货", "交通工具": "日用百货", "化妆品": "日用百货", "餐饮服务": "食品",
                 "美容美发服务": "化妆品", "体育健身服务": "文化娱乐服务", "教育培训服务": "文化娱乐服务",
                 "修理服务": "交通工具", "洗染服务": "服装鞋帽", "零售服务": "日用百货"}  # fmt: skip
SERVICES = {"螺蛳粉店": "餐饮服务", "烧烤店": "餐饮服务", "美容院": "美容美发服务", "健身房": "体育健身服务",
            "培训学校": "教育培训服务", "汽车维修厂": "修理服务", "干洗店": "洗染服务"}  # fmt: skip
"""The service a shop sells, the goods or service category (商品或服务类别) of a grievance about no one product."""
NO_PRODUCT = (2, 4, 7)
"""Issues about the shop, not a product bought: a closing, a licence, a forced sale."""
REPEAT = ("再次反映：", "此前已反映，至今未处理，", "第二次来电，", "上次反映的问题没有解决，")
PREFIX = {"12345": ("市民来电反映：", "来电人称：", "市民反映"), "12315": ("消费者称", "", "投诉人反映")}
SUFFIX = {
    "12345": ("，请相关部门核实处理。", "，要求尽快处理。", "。"),
    "12315": ("，诉求：退款赔偿。", "。", "，请求调解。"),
}


@dataclass(frozen=True)
class Ticket:
    id: int
    case: int
    channel: str
    day: int
    text: str
    phone: str
    caller: str
    respondent: str
    problem: str = ""
    goods: str = ""
    place: str = ""


class City:
    """A seeded source of plausible people, shops and wordings."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def person(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choices(GIVEN, k=self.rng.choice((1, 2, 2))))

    def phone(self) -> str:
        return f"1{self.rng.choice('3578')}{self.rng.randint(0, 9)}{self.rng.randint(10_000_000, 99_999_999)}"

    def shop(self) -> tuple[str, str]:
        """The full name and the short one people say."""
        short = "".join(self.rng.sample(BRANDS, 2)) + self.rng.choice(SHOPS)
        return f"柳州市{self.rng.choice(DISTRICTS)}{short}", short

    def grievance(self) -> dict[str, object]:
        return {
            "issue": self.rng.randrange(len(ISSUES)),
            "item": self.rng.choice(ITEMS),
            "money": self.rng.choice((98, 200, 299, 500, 880, 1000, 1500, 2000, 3680)),
            "day": f"{self.rng.randint(1, 12)}月{self.rng.randint(1, 28)}日",
            "detail": self.rng.randint(2, 9),
        }

    def text(self, grievance: dict[str, object], shop: tuple[str, str], channel: str, repeat: bool) -> str:
        wording = self.rng.choice(ISSUES[int(str(grievance["issue"]))])
        name = shop[0] if channel == "12315" or self.rng.random() < 0.3 else shop[1]
        body = wording.format(shop=name, **{k: v for k, v in grievance.items() if k != "issue"})
        if self.rng.random() < 0.3:
            body += f"，联系电话{self.phone()}"
        head = self.rng.choice(REPEAT) if repeat else ""
        return self.rng.choice(PREFIX[channel]) + head + body + self.rng.choice(SUFFIX[channel])


class Labels:
    """What an export gives beside the text, as a caller or operator fills it in: the problem category (12315 nearly
    always, a fifth of the time another than the issue's own; 12345 six times in ten, its own classification mapped
    to 12315's words, a third of the time another), the goods or service category (12315 only, nine times in ten,
    about one in seven another: 食品 for 保健食品), and the place, the shop's address in one of several forms (often
    only the district, which says nothing). Drawn apart from the month's tickets, which stay as they were."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.addresses: dict[str, str] = {}

    def of(self, channel: str, grievance: dict[str, object], shop: str) -> tuple[str, str, str]:
        """(problem category, goods category, place) of one ticket about `grievance` at `shop` ("" for a question)."""
        rng, issue = self.rng, int(str(grievance["issue"]))
        problem, instead = PROBLEMS[issue]
        kind = next((k for k in SHOPS if shop.endswith(k)), "")
        goods = SERVICES.get(kind, "零售服务") if issue in NO_PRODUCT else GOODS[str(grievance["item"])]
        if channel == "12315":
            problem = "" if rng.random() < 0.05 else instead if rng.random() < 0.2 else problem
            goods = "" if rng.random() < 0.1 else GOODS_INSTEAD[goods] if rng.random() < 0.15 else goods
        else:
            problem = (instead if rng.random() < 0.3 else problem) if rng.random() < 0.6 else ""
            goods = ""
        return problem, goods, self.place(channel, shop) if shop else ""

    def place(self, channel: str, shop: str) -> str:
        district = next((d for d in DISTRICTS if d in shop), "")
        if shop not in self.addresses:
            self.addresses[shop] = f"{self.rng.choice(ROADS)}{self.rng.randint(1, 300)}号"
        street, roll = self.addresses[shop], self.rng.random()
        if roll >= (0.8 if channel == "12315" else 0.6):
            return ""
        forms = ((f"柳州市{district}{street}", street, f"柳州市{district}") if channel == "12315"
                 else (f"{district}{street}", f"{street}附近", district))  # fmt: skip
        return self.rng.choices(forms, weights=(5, 3, 2))[0]


def month(seed: int = 7, grievances: int = 4000) -> list[Ticket]:
    """A month of tickets with the truth (`case`), in the order received."""
    city = City(seed)
    own_city = City(seed + 1_000_003)  # a consumer's own figures, drawn apart so the rest of the month is unchanged
    redraw = City(seed + 2_000_003)  # an incident's matter drawn again when it was a question, apart too
    labels = Labels(seed + 3_000_003)  # categories and places, apart too
    shops = [city.shop() for _ in range(grievances // 2)]
    callers = [(city.person(), city.phone()) for _ in range(grievances)]
    rows: list[tuple[int, int, str, str, str, str, str, tuple[str, str, str]]] = []  # day, case, channel, text,
    # phone, caller, respondent, (problem, goods, place)
    matters: dict[int, tuple[str, int, str]] = {}  # each grievance's shop, issue and goods

    def add(case: int, day: int, channel: str, g: dict[str, object], shop: tuple[str, str], who: tuple[str, str],
            repeat: bool = False) -> None:  # fmt: skip
        name = shop[0] if channel == "12315" else city.rng.choice(shop)
        text = city.text(g, shop, channel, repeat)
        question = g["issue"] == CONSULTATION
        rows.append((day, case, channel, text, who[1], who[0], "" if question else name,
                     labels.of(channel, g, "" if question else shop[0])))  # fmt: skip

    for case in range(grievances):
        kind = city.rng.random()
        shop = city.rng.choice(shops)  # shops repeat: unrelated grievances about one shop
        who = callers[case] if city.rng.random() > 0.05 else city.rng.choice(callers[: grievances // 20])
        g = city.grievance()
        if kind >= 0.25 and kind < 0.30 and g["issue"] == CONSULTATION:  # a question is not a dispute (Art 3, 39)
            g["issue"] = redraw.rng.choice([i for i in range(len(ISSUES)) if i != CONSULTATION])
        matters[case] = (shop[0], int(str(g["issue"])), str(g["item"]))
        day = city.rng.randint(0, 29)
        first = city.rng.choice(("12315", "12345"))
        add(case, day, first, g, shop, who)
        if kind < 0.15:  # the same grievance on the other channel, often the same day
            other = "12345" if first == "12315" else "12315"
            again = who if city.rng.random() < 0.8 else (who[0], city.phone())
            add(case, min(day + city.rng.choice((0, 0, 1, 2)), 29), other, g, shop, again)
        elif kind < 0.25:  # repeat calls, days later
            for _ in range(city.rng.choice((1, 1, 2))):
                day = min(day + city.rng.randint(3, 10), 29)
                add(case, day, city.rng.choice(("12315", "12345")), g, shop, who, repeat=True)
        elif kind < 0.30:  # several consumers, one incident at one shop, each with their own sum and day
            for _ in range(city.rng.randint(2, 5)):
                own = {**g, **{k: v for k, v in own_city.grievance().items() if k in ("money", "day", "detail")}}
                add(case, min(day + city.rng.randint(0, 4), 29), city.rng.choice(("12315", "12345")), own, shop,
                    (city.person(), city.phone()))  # fmt: skip
    # One shop's own matter, or one lead about its goods, raised by several people in the month is one case.
    first_of: dict[tuple[str, int, str], int] = {}
    one = {case: first_of.setdefault(matter, case) if matter[1] in GOODS_MATTERS else case
           for case, matter in sorted(matters.items())}  # fmt: skip
    one = {case: first_of.setdefault((shop, issue, ""), one[case]) if issue in SHOP_MATTERS else one[case]
           for case, (shop, issue, _) in sorted(matters.items())}  # fmt: skip
    rows = [(row[0], one[row[1]], *row[2:]) for row in rows]
    rows.sort(key=lambda row: (row[0], row[1]))
    return [Ticket(i, case, ch, day, text, phone, caller, resp, *said)
            for i, (day, case, ch, text, phone, caller, resp, said) in enumerate(rows)]  # fmt: skip


def as_text(ticket: Ticket, case: int | None = None) -> TicketText:
    received = START + timedelta(days=ticket.day)
    return TicketText(ticket.id, ticket.text, ticket.phone, ticket.caller, ticket.respondent, received=received,
                      case_id=case, problem_category=ticket.problem or None, goods_category=ticket.goods or None,
                      place=ticket.place or None)  # fmt: skip


class Clusters:
    """Union-find over ticket ids."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)

    def pairs(self) -> set[tuple[int, int]]:
        groups: dict[int, list[int]] = defaultdict(list)
        for i in range(len(self.parent)):
            groups[self.find(i)].append(i)
        return {(a, b) for members in groups.values() for k, a in enumerate(members) for b in members[k + 1 :]}


def scores(predicted: set[tuple[int, int]], truth: set[tuple[int, int]]) -> tuple[float, float]:
    hit = len(predicted & truth)
    return (hit / len(predicted) if predicted else 1.0), (hit / len(truth) if truth else 1.0)


def accuracy(tickets: list[Ticket], merge_at: float, review_at: float, by_ticket: bool = False) -> dict[str, float]:
    truth_clusters = Clusters(len(tickets))
    by_case: dict[int, int] = {}
    for t in tickets:
        if t.case in by_case:
            truth_clusters.union(t.id, by_case[t.case])
        by_case[t.case] = t.id
    truth = truth_clusters.pairs()
    merged, baseline = Clusters(len(tickets)), Clusters(len(tickets))
    index, review, review_right, by_phone = TicketIndex(), 0, 0, dict[str, int]()
    for t in tickets:
        best: dict[int, float] = {}  # each case's score
        if by_ticket:  # before: a case scores as its best ticket
            for c in index.candidates(as_text(t), limit=10, floor=review_at):
                case = merged.find(c.ticket_id)
                best[case] = max(best.get(case, 0.0), c.score)
        else:  # the new ticket against each case's tickets together
            for k in index.case_candidates(as_text(t), limit=10, floor=review_at):
                best[merged.find(k.best.ticket_id)] = k.score
        case, score = max(best.items(), key=lambda item: item[1], default=(-1, 0.0))
        if score >= merge_at:  # the new ticket joins one case; two cases are never joined through it
            merged.union(t.id, case)
        elif score >= review_at:  # a handler is shown the best case: is it the right one?
            review += 1
            review_right += tickets[case].case == t.case
        if t.phone in by_phone:
            baseline.union(t.id, by_phone[t.phone])
        by_phone[t.phone] = t.id
        index.add(as_text(t, merged.find(t.id)))  # its case: the one it joined, or its own
    predicted = merged.pairs()
    precision, recall = scores(predicted, truth)
    same_caller = {(a, b) for a, b in truth if tickets[a].caller == tickets[b].caller}
    base_precision, base_recall = scores(baseline.pairs(), truth)
    cases = len({t.case for t in tickets})
    return {"tickets": len(tickets), "cases": cases, "true_pairs": len(truth), "precision": precision,
            "recall": recall, "review_share": review / len(tickets),
            "review_right": review_right / max(review, 1), "baseline_precision": base_precision,
            "baseline_recall": base_recall,
            "recall_same_caller": scores(predicted & same_caller, same_caller)[1],
            "recall_other_callers": scores(predicted & (truth - same_caller), truth - same_caller)[1]}  # fmt: skip


def history(n: int, seed: int = 11) -> Iterator[TicketText]:
    """`n` historic tickets: single grievances of a large city over four years, each its own case."""
    city, labels = City(seed), Labels(seed + 3_000_003)
    shops = [city.shop() for _ in range(max(n // 4, 1))]
    for i in range(n):
        shop = city.rng.choice(shops)
        channel = city.rng.choice(("12315", "12345"))
        g = city.grievance()
        respondent = None if g["issue"] == CONSULTATION else shop[0]
        received = START - timedelta(days=(n - i) * 1461 // n)
        text = city.text(g, shop, channel, False)
        problem, goods, place = labels.of(channel, g, respondent or "")
        said = {"problem_category": problem or None, "goods_category": goods or None, "place": place or None}
        yield TicketText(i, text, city.phone(), city.person(), respondent, received=received, case_id=i, **said)


LABELLED = ("received", "text", "case")
OPTIONAL = ("phone", "caller", "respondent", "problem", "goods", "place", "channel")


def labelled(path: Path) -> list[Ticket]:
    """A labelled month read from `path` (see the module's description), in the order received."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")
    rows = list(csv.DictReader(io.StringIO(text)))
    missing = [c for c in LABELLED if rows and c not in rows[0]] or ([] if rows else ["(no rows)"])
    if missing:
        raise SystemExit(f"{path}: column(s) {', '.join(missing)} missing; the header needs {', '.join(LABELLED)}")
    parsed = []
    for number, row in enumerate(rows, start=2):
        try:
            received = datetime.fromisoformat(row["received"].strip()).date()
        except ValueError:
            said = row["received"]
            raise SystemExit(f"{path}, row {number}: received `{said}` is not a date like 2026-11-02") from None
        parsed.append((received, number, row))
    parsed.sort(key=lambda item: (item[0], item[1]))
    first, cases = parsed[0][0] if parsed else START, dict[str, int]()
    return [Ticket(i, cases.setdefault(row["case"].strip(), len(cases)), row.get("channel") or "",
                   (received - first).days, row["text"], *(row.get(c) or "" for c in OPTIONAL[:-1]))
            for i, (received, _, row) in enumerate(parsed)]  # fmt: skip


def fit(tickets: list[Ticket], merge_at: float, name: str) -> None:
    """Fit the evidence weights on a month (`name`: which), labelled by its truth, and print them to copy into
    `zhizhi.hotline.evidence`: first the pairs' (every shortlisted pair of each ticket with the earlier ones), then
    the cases' (every case of a shortlisted ticket, the cases as the index makes them with the weights it has,
    merging at `merge_at`: a case is right when its first ticket is of the new ticket's case; beside the best pair's
    log-odds under the pairs' weights just fitted)."""
    index, rows, labels = TicketIndex(), [], []
    case_rows, case_best, case_labels = [], [], []
    for t in tickets:
        others, facts = index.evidence(as_text(t))
        rows += [(1.0, *vector) for vector in facts.vectors().tolist()]
        labels += [float(tickets[other].case == t.case) for other in others.tolist()]
        joins, best = t.id, 0.0
        for case, _, k in index.case_evidence(as_text(t)):
            case_rows.append((1.0, *k.vector()))
            case_best.append((1.0, *k.best.vector()))
            case_labels.append(float(case is not None and tickets[case].case == t.case))
            if case is not None and k.score() >= max(merge_at, best):
                joins, best = case, k.score()
        index.add(as_text(t, joins))
    # No pair is months apart in a generated month: `long_apart` is set by hand.
    names = ["bias", *FEATURES]
    hand = FEATURES.index("long_apart") + 1
    against = {"different_respondent", "different_figures", "text_x_different_respondent", "different_word",
               "other_caller_x_days_apart", "one_respondent", "different_problem", "different_goods",
               "different_place", "different_topic", "different_product"}  # fmt: skip
    fitted = logistic(np.array(rows), np.array(labels), names, against, {hand})
    print(f"fit on {name}: {len(labels)} pairs, {int(sum(labels))} of one case")
    print({names[i]: round(v, 2) for i, v in fitted.items()})
    print(f"BIAS = {fitted[0]:.2f}")
    weights = [f"{fitted.get(i, 0.0):.2f}" if i != hand else "hand" for i in range(1, len(names))]
    print(f"WEIGHTS = ({', '.join(weights)})")
    pair = np.array([fitted.get(i, 0.0) if i != hand else WEIGHTS[hand - 1] for i in range(len(names))])
    pair[0] = fitted[0]
    offset = np.clip(np.array(case_best) @ pair, -30, 30)
    case_names = ["bias", *CASE_FEATURES]
    case_fitted = logistic(np.array(case_rows), np.array(case_labels), case_names,
                           {"other_caller_x_days_since_last"}, {0}, offset)  # fmt: skip
    print(f"cases: {len(case_labels)} candidate cases, {int(sum(case_labels))} the right one")
    print({case_names[i]: round(v, 2) for i, v in case_fitted.items()})
    print(f"CASE_WEIGHTS = ({', '.join(f'{case_fitted.get(i, 0.0):.2f}' for i in range(1, len(case_names)))})")


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def speed(n: int, queries: int) -> dict[str, float]:
    gc.collect()
    before = current_mb()
    old = list(history(n))
    started = time.perf_counter()
    index = TicketIndex.build(old)
    built = time.perf_counter() - started
    del old
    gc.collect()
    after = current_mb()
    new = month(seed=99, grievances=queries)[:queries]
    times: dict[str, list[float]] = {"tickets": [], "cases": []}
    for t in new:
        ticket = TicketText(n + t.id, t.text, t.phone, t.caller, t.respondent, received=START)
        start = time.perf_counter()
        index.candidates(ticket)
        middle = time.perf_counter()
        index.case_candidates(ticket)
        times["tickets"].append((middle - start) * 1000)
        times["cases"].append((time.perf_counter() - middle) * 1000)
    result = {"history": n, "build_s": built, "index_mb": after - before,  # the tickets' list freed, not returned
              "peak_rss_mb": rss_mb(), "queries": len(new)}  # fmt: skip
    for name, taken in times.items():  # candidates (tickets), then case_candidates (cases)
        taken.sort()
        result |= {f"{name}_p50_ms": statistics.median(taken), f"{name}_p99_ms": taken[int(0.99 * (len(taken) - 1))],
                   f"{name}_max_ms": taken[-1]}  # fmt: skip
    return result


def unread(share: float) -> None:
    """Make the desk read no matter and no goods in `share` of the texts (chosen by the text's hash), as when a
    caller's words are missing from the lists (`zhizhi.hotline.topics`): the fit then learns what a pair weighs when
    nothing is read, and the months are judged as a bureau's own callers' words would be."""

    def blind(text: str) -> bool:
        return hashlib.blake2b(text.encode(), digest_size=2).digest()[0] < share * 256

    def reading(read: Callable[[topics.Words, str], int]) -> Callable[[topics.Words, str], int]:
        return lambda words, text: 0 if blind(text) else read(words, text)

    for name in ("read_topics", "read_products", "read_business_matters"):
        setattr(topics.Words, name, reading(getattr(topics.Words, name)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--grievances", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--merge-at", type=float, default=0.85)
    parser.add_argument("--review-at", type=float, default=0.3)
    parser.add_argument("--by-ticket", action="store_true", help="before: a case scores as its best ticket")
    parser.add_argument("--fit", type=int, metavar="SEED", help="fit the evidence weights on the month of SEED")
    parser.add_argument("--unread", type=float, default=0.0, help="share of texts whose matter and goods go unread")
    parser.add_argument("--labelled", type=Path, help="a labelled month (CSV) instead of a generated one")
    parser.add_argument("--history", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {platform.python_version()}, {date.today()}")
    if args.unread:
        unread(args.unread)
    if args.fit is not None:
        if args.labelled:
            fit(labelled(args.labelled), args.merge_at, str(args.labelled))
        else:
            fit(month(seed=args.fit, grievances=args.grievances), args.merge_at, f"seed {args.fit}")
        return
    tickets = labelled(args.labelled) if args.labelled else month(seed=args.seed, grievances=args.grievances)
    result = accuracy(tickets, args.merge_at, args.review_at, args.by_ticket)
    print("accuracy:", {k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()})
    if args.history:
        print("speed:", {k: round(v, 2) for k, v in speed(args.history, args.queries).items()})


if __name__ == "__main__":
    main()
