"""A month of the demo city's hotline tickets, as the 12315 platform and the 12345 work-order system export them.

The month is the 30 days before the demo's today (the day `zhizhi demo` runs): the tickets' dates follow it, so the
desk's legal clocks stand where a real desk's would. The businesses complained of are entities of the registration
export (`zhizhi.demo.export`), named as each channel names them: 12315 as registered (a credit code on about a
third), 12345 as people say them (城中区桂龙螺蛳粉店, 鑫顺物业服务). In the month:

- single grievances of every kind the businesses invite (`zhizhi.demo.ticket_texts`), consultations naming no one,
  and 12345's own 求助, 表扬 and 意见建议;
- the same grievance on the other channel in other words, mostly by the same caller, the same day or soon after;
- repeat calls (再次反映) by the same caller days later;
- several consumers about one incident at one business (a beauty shop that closed with its members' prepaid cards,
  a dinner that made a table ill, expired mooncakes), and unrelated grievances about the same businesses;
- the desk's cases to show: a wage claim the bureau may not take (Art 15(1)); a complaint received so that its
  acceptance deadline is the next working day after today (`warning`) and one past it (`breached`): their dates come
  from the official calendar (`ArrangedDays`);
- beside each text, what a real export gives: 12315 the problem and goods categories (问题类别, 商品或服务类别) and
  the place (事发地), 12345 its own classification of the matter (事项分类, mapped to 12315's words by its source
  file) and the place (事发地址); each now and then left empty, and a question with no place;
- dirt for quarantine: an impossible date, a ticket without its number, a 投诉举报 that Art 7 splits (12315), an
  order without its number (12345); and the 12345 export's totals row, skipped.

Seeded: the same today gives the same files.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

from zhizhi.demo.records import Record, is_individual, person_name, street_address, written_name
from zhizhi.demo.ticket_texts import (
    CONSULTATIONS,
    DISHES,
    FOODS,
    FOREIGN,
    GOODS,
    GOODS_CATEGORY,
    GOODS_OF,
    ISSUES,
    ITEMS,
    KINDS_BY_WORD,
    MONEY,
    OTHERS_12345,
    PROBLEMS,
    PROBLEMS_12345,
    REPEAT,
    Issue,
)

SEED = 20261205
DAYS = 30
GRIEVANCES = 250
HEADER_12315 = ["登记编号", "登记时间", "信息类别", "投诉举报人", "投诉举报人电话", "通讯地址", "被投诉举报方",
                "统一社会信用代码", "被投诉举报方地址", "诉求内容", "问题类别", "商品或服务类别", "事发地",
                "处理状态"]  # fmt: skip
HEADER_12345 = ["工单编号", "来电时间", "诉求类型", "来电人", "来电号码", "被反映单位", "被反映单位地址", "来电内容",
                "事项分类", "事发地址", "办理状态"]  # fmt: skip
STATUS_12315, STATUS_12345 = "待处理", "待办理"
WAGES = "消费者称在{shop}打工三个月，老板拖欠工资{money}元，要求市场监管部门帮忙追讨。"
ARRANGED_TEXT = (
    "消费者称{day}在{shop}购买{goods}，付款后商家以缺货为由拒绝发货，也不退还货款{money}元，要求退款。",
    "消费者称{day}在{shop}办理的{goods}以旧换新活动，商家承诺的补贴{money}元至今未兑现，要求兑现。",
)


@dataclass(frozen=True)
class ArrangedDays:
    """The receipt days of the desk's cases to show, from the official calendar (`zhizhi.demo.desk`)."""

    warning: date  # its acceptance deadline is the next working day after today
    breached: date  # its acceptance deadline passed a few working days ago


@dataclass
class Ticket:
    """One row of one channel's export (the truth kept beside: its grievance)."""

    channel: str
    received: datetime
    kind: str
    caller: str
    phone: str
    respondent: str
    uscc: str
    address: str
    text: str
    grievance: int
    number: str = ""
    caller_address: str = ""
    role: str = ""  # "" or the desk's case it is: warning, breached, wages
    problem: str = ""  # the problem category in the channel's words ("" when the export leaves it empty)
    goods: str = ""  # the goods or service category (12315 only)
    place: str = ""  # where it happened

    def row_12315(self) -> list[object]:
        return [self.number, f"{self.received:%Y-%m-%d %H:%M:%S}", self.kind, self.caller, self.phone,
                self.caller_address, self.respondent, self.uscc, self.address, self.text, self.problem, self.goods,
                self.place, STATUS_12315]  # fmt: skip

    def row_12345(self) -> list[object]:
        return [self.number, self.received, self.kind, self.caller, self.phone, self.respondent, self.address,
                self.text, self.problem, self.place, STATUS_12345]  # fmt: skip


@dataclass
class Month:
    """The month's tickets of both channels in the order received, and what was put in."""

    tickets: list[Ticket]
    start: date
    end: date
    tally: dict[str, int] = field(default_factory=dict)

    def channel(self, name: str) -> list[Ticket]:
        return [t for t in self.tickets if t.channel == name]


def business_kind(record: Record) -> str | None:
    """The kind of business a registered name tells (eatery, shop, hotel ...), or None when it tells none."""
    return next((kind for kind, words in KINDS_BY_WORD if any(w in record.name for w in words)), None)


def respondents(records: list[Record], rng: random.Random, count: int = 140) -> list[Record]:
    """The businesses the month's callers complain of: registered, still trading, of a kind people complain of."""
    trading = [r for r in records if r.status.startswith("存续") and business_kind(r) is not None]
    return rng.sample(trading, min(count, len(trading)))


class _Caller:
    """A seeded source of callers, their phones and addresses."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def person(self) -> tuple[str, str]:
        phone = f"1{self.rng.choice('3578')}{self.rng.randint(0, 9)}{self.rng.randint(10_000_000, 99_999_999)}"
        return person_name(self.rng), phone

    def address(self) -> str:
        district = self.rng.choice(("城中区", "鱼峰区", "柳南区", "柳北区", "柳江区"))
        road = self.rng.choice(("文昌路", "五一路", "航生路", "屏山大道"))
        return f"柳州市{district}{road}{self.rng.randint(1, 300)}号"


def _values(rng: random.Random, today: date) -> dict[str, object]:
    price = rng.choice((18, 25, 38, 58, 68, 128))
    day = today - timedelta(days=rng.randint(31, 40))
    return {
        "dish": rng.choice(DISHES), "foreign": rng.choice(FOREIGN), "food": rng.choice(FOODS),
        "goods": rng.choice(GOODS), "item": rng.choice(ITEMS), "money": rng.choice(MONEY), "price": price,
        "price2": price + rng.choice((5, 10, 20)), "n": rng.randint(2, 9), "day": f"{day.month}月{day.day}日",
    }  # fmt: skip


def _name_on(channel: str, record: Record, rng: random.Random) -> str:
    if channel == "12315":
        return record.name
    if is_individual(record):
        return written_name(record, rng.choice(("no_city", "no_city", "registered")))
    return written_name(record, rng.choice(("no_suffix", "short")))


class _Writer:
    """Builds the month's tickets for one set of businesses."""

    def __init__(self, rng: random.Random, today: date, shops: list[Record]) -> None:
        self.rng, self.today, self.shops = rng, today, shops
        self.labels = random.Random(SEED + 2)  # categories and places, drawn apart: the rest stays as it was
        self.callers = _Caller(rng)
        self.tickets: list[Ticket] = []
        self.grievances = 0
        self.others = 0

    def moment(self, days_ago: int) -> datetime:
        minute = self.rng.randint(8 * 60, 21 * 60 + 30)
        return datetime.combine(self.today - timedelta(days=days_ago), time(minute // 60, minute % 60)) + timedelta(
            seconds=self.rng.randint(0, 59)
        )

    def add(self, channel: str, received: datetime, kind: str, who: tuple[str, str], shop: Record | None,
            text: str, role: str = "", about: tuple[str, str] = ("", "")) -> Ticket:  # fmt: skip
        name = _name_on(channel, shop, self.rng) if shop else ""
        uscc = shop.credit_code if shop and channel == "12315" and self.rng.random() < 0.35 else ""
        address = "" if shop is None else shop.address if channel == "12315" else street_address(shop)
        ticket = Ticket(channel, received, kind, who[0], who[1], name, uscc, address, text, self.grievances,
                        caller_address=self.callers.address(), role=role)  # fmt: skip
        problem, goods, place = self.said(channel, shop, *about)
        self.tickets.append(replace(ticket, problem=problem, goods=goods, place=place))
        return self.tickets[-1]

    def said(self, channel: str, shop: Record | None, problem: str, goods: str) -> tuple[str, str, str]:
        """The categories and place an export gives beside the text, in the channel's words, sometimes left empty:
        12315 nearly always gives both categories and often the place; 12345 its own classification of the matter
        six times in ten, the place as often."""
        rng, on_12315 = self.labels, channel == "12315"
        place = ("" if shop is None or rng.random() >= (0.8 if on_12315 else 0.6)
                 else shop.address if on_12315 else street_address(shop))  # fmt: skip
        if on_12315:
            return problem if rng.random() < 0.95 else "", goods if rng.random() < 0.9 else "", place
        return PROBLEMS_12345.get(problem, "") if rng.random() < 0.6 else "", "", place

    @staticmethod
    def about(issue: Issue, values: dict[str, object]) -> tuple[str, str]:
        """An issue's problem and goods categories in 12315's words."""
        goods = GOODS_OF[issue.name]
        return PROBLEMS[issue.name], GOODS_CATEGORY.get(str(values["goods"]), "") if goods == "{goods}" else goods

    def say(self, issue: Issue, channel: str, shop: Record, values: dict[str, object], repeat: bool = False) -> str:
        wording = self.rng.choice(issue.on_12315 if channel == "12315" else issue.on_12345)
        text = wording.format(shop=_name_on(channel, shop, self.rng), **values)
        return (self.rng.choice(REPEAT) if repeat else "") + text

    def grievance(self, shop: Record, issue: Issue | None = None, days_ago: int | None = None) -> None:
        """One grievance: its first ticket, and perhaps the other channel or repeat calls."""
        self.grievances += 1
        issue = issue or self.rng.choice(ISSUES[business_kind(shop) or "shop"])
        values = _values(self.rng, self.today)
        who = self.callers.person()
        day = days_ago if days_ago is not None else self.rng.randint(1, DAYS)
        first = self.rng.choice(("12315", "12345"))
        about = self.about(issue, values)
        self.add(first, self.moment(day), issue.kind, who, shop, self.say(issue, first, shop, values), about=about)
        roll = self.rng.random()
        if roll < 0.15:  # the same grievance on the other channel, mostly by the same caller
            other = "12345" if first == "12315" else "12315"
            again = who if self.rng.random() < 0.8 else (who[0], self.callers.person()[1])
            later = max(1, day - self.rng.choice((0, 0, 1, 2)))
            self.add(other, self.moment(later), issue.kind, again, shop, self.say(issue, other, shop, values),
                     about=about)  # fmt: skip
        elif roll < 0.25 and day > 4:  # repeat calls days later
            later = day
            for _ in range(self.rng.choice((1, 1, 2))):
                later = max(1, later - self.rng.randint(3, 10))
                channel = self.rng.choice(("12315", "12345"))
                text = self.say(issue, channel, shop, values, repeat=True)
                self.add(channel, self.moment(later), issue.kind, who, shop, text, about=about)

    def incident(self, shop: Record, issue_name: str, consumers: int, days_ago: int) -> None:
        """Several consumers about one incident at one business, each with their own sum and day."""
        issue = next(i for kind in ISSUES.values() for i in kind if i.name == issue_name)
        self.grievances += 1
        shared = _values(self.rng, self.today)
        for _ in range(consumers):
            own = {**shared, **{k: v for k, v in _values(self.rng, self.today).items() if k in ("money", "day")}}
            channel = self.rng.choice(("12315", "12345"))
            day = max(1, days_ago - self.rng.randint(0, 4))
            self.add(channel, self.moment(day), issue.kind, self.callers.person(), shop,
                     self.say(issue, channel, shop, own), about=self.about(issue, own))  # fmt: skip

    def question(self) -> None:
        self.grievances += 1
        on_12315, on_12345 = self.rng.choice(CONSULTATIONS)
        channel = self.rng.choice(("12315", "12345"))
        text = on_12315 if channel == "12315" else on_12345
        self.add(channel, self.moment(self.rng.randint(1, DAYS)), "咨询", self.callers.person(), None, text)

    def other(self) -> None:
        self.grievances += 1
        kind, text = OTHERS_12345[self.others % len(OTHERS_12345)]  # each of 12345's own kinds in turn
        self.others += 1
        text = text.format(money=self.rng.choice(MONEY))
        self.add("12345", self.moment(self.rng.randint(1, DAYS)), kind, self.callers.person(), None, text)

    def arranged(self, role: str, shop: Record, day: date, template: str) -> None:
        """A complaint received on `day`, one of the desk's cases to show."""
        self.grievances += 1
        values = _values(self.rng, self.today)
        text = template.format(shop=shop.name, **values)
        received = datetime.combine(day, time(self.rng.randint(9, 16), self.rng.randint(0, 59)))
        about = ("其他", "") if role == "wages" else ("合同", GOODS_CATEGORY.get(str(values["goods"]), ""))
        self.add("12315", received, "投诉", self.callers.person(), shop, text, role=role, about=about)


def month_of_tickets(records: list[Record], today: date, arranged: ArrangedDays) -> Month:
    """The month's tickets before `today` about the registration export's `records` (seeded)."""
    rng = random.Random(SEED)
    shops = respondents(records, rng)
    writer = _Writer(rng, today, shops)
    popular = shops[:12]  # businesses with several unrelated grievances in the month
    for _ in range(GRIEVANCES):
        roll = rng.random()
        if roll < 0.08:
            writer.question()
        elif roll < 0.11:
            writer.other()
        else:
            writer.grievance(rng.choice(popular) if rng.random() < 0.2 else rng.choice(shops))
    by_kind = {kind: [s for s in shops[12:] if business_kind(s) == kind] for kind in ISSUES}
    incidents = (("service", "prepaid", 5, 20), ("eatery", "unwell", 4, 12), ("shop", "expired", 3, 16))
    for kind, issue, consumers, days_ago in incidents:
        if by_kind[kind]:
            shop = by_kind[kind][0]
            writer.incident(shop, issue, consumers, days_ago)
            writer.grievance(shop)  # and an unrelated grievance about the same business
    quiet = [s for s in shops[12:] if business_kind(s) == "shop"][-3:]
    writer.arranged("warning", quiet[0], arranged.warning, ARRANGED_TEXT[0])
    writer.arranged("breached", quiet[1], arranged.breached, ARRANGED_TEXT[1])
    writer.arranged("wages", quiet[2], today - timedelta(days=2), WAGES)
    tickets = sorted(writer.tickets, key=lambda t: (t.received, t.channel, t.text))
    sequence = {"12315": 0, "12345": 0}
    for ticket in tickets:
        sequence[ticket.channel] += 1
        prefix = "1450200" if ticket.channel == "12315" else "GD"
        ticket.number = f"{prefix}{ticket.received:%Y%m%d}{sequence[ticket.channel]:05d}"
    tally = {"tickets": len(tickets), "grievances": writer.grievances}
    return Month(tickets, today - timedelta(days=DAYS), today - timedelta(days=1), tally)


def dirt(month: Month) -> dict[str, list[tuple[list[object], str]]]:
    """Rows a steward must fix, per channel, each with the reason it waits in quarantine."""
    rng = random.Random(SEED + 1)
    on_12315, on_12345 = month.channel("12315"), month.channel("12345")
    impossible = replace(rng.choice(on_12315), number=f"1450200{month.end:%Y%m%d}99001").row_12315()
    impossible[1] = f"{month.end.year}-{(4, 6, 9, 11)[month.end.month % 4]:02d}-31 10:12:00"
    unnumbered = replace(rng.choice(on_12315), number="").row_12315()
    both = replace(rng.choice(on_12315), number=f"1450200{month.end:%Y%m%d}99002", kind="投诉举报").row_12315()
    order = replace(rng.choice(on_12345), number="").row_12345()
    return {
        "12315": [(impossible, "date.invalid"), (unnumbered, "field.missing"), (both, "value.not_allowed")],
        "12345": [(order, "field.missing")],
    }


def file_names(month: Month) -> tuple[str, str]:
    """The two exports' file names, dated by the month."""
    span = f"{month.start:%Y%m%d}-{month.end:%Y%m%d}"
    return f"12315投诉举报登记_{span}.csv", f"12345热线工单明细_{span}.xlsx"


def write_12315(path: Path, month: Month) -> None:
    """The 12315 platform's export: GBK CSV, date-times as text; the dirt among the rows."""
    rows = [t.row_12315() for t in month.channel("12315")]
    for at, (row, _) in zip((40, 120, 200), dirt(month)["12315"], strict=True):
        rows.insert(min(at, len(rows)), [str(v) for v in row])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER_12315)
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode("gbk"))


def write_12345(path: Path, month: Month) -> None:
    """The 12345 work-order export: a title row above the header, date-times as Excel cells, a totals row."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "工单明细"
    sheet.append(
        [f"柳州市12345政务服务便民热线工单明细（市场监管类，{month.start:%Y年%m月%d日}至{month.end:%Y年%m月%d日}）"]
    )
    sheet.append(HEADER_12345)
    rows = [t.row_12345() for t in month.channel("12345")]
    for row, _ in dirt(month)["12345"]:
        rows.insert(min(90, len(rows)), row)
    for row in rows:
        sheet.append(row)
        sheet.cell(sheet.max_row, 2).number_format = "yyyy-mm-dd hh:mm:ss"
    sheet.append(["合计", f"{len(rows)}件"])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
