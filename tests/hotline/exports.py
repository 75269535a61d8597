"""Two hotline channels' exports, made up for the tests: every column named, dated and encoded differently.

- `12315投诉举报登记_2026年3月.csv`, GBK, as the national 12315 platform exports a county's tickets: 登记编号,
  登记时间 `2026-03-02 09:15:33`, 信息类别 投诉/举报/咨询, 投诉举报人 ..., its credit code column, and the problem
  and goods categories (问题类别, 商品或服务类别), now and then empty.
- `12345热线工单明细_2026年3月.xlsx`, a title row above the header, as the city's 12345 work-order system exports the
  market-regulation orders: 工单编号 `GD20260302000123`, 来电时间 as Excel date-times, 诉求类型 with the words 12345
  uses (求助, 表扬 ...), 来电人, 被反映单位 ..., 事项分类 (often empty), and a totals row at the end.

Each has a few rows a steward must fix (`BAD_12315`, `BAD_12345`: row number -> the reasons), and `truth` maps each
ticket field to its column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook

from tests.sources.exports import Faker, write_csv

MONTH = date(2026, 3, 2)
TODAY = date(2026, 4, 1)
ROWS = 60

SHOPS = ("螺蛳粉店", "便利店", "超市", "药房", "烧烤店", "手机店", "美容院", "健身房", "驾校", "家具城")
ISSUES = (
    ("在{shop}购买的{item}有质量问题，要求退货被拒绝", "complaint"),
    ("{shop}销售过期{item}，请求依法查处", "report"),
    ("{shop}办卡后关门跑路，预付卡余额{money}元无法退还", "complaint"),
    ("咨询{item}三包期限怎么计算", "consultation"),
    ("{shop}价格标签与结算价格不一致，多收{money}元", "complaint"),
    ("{shop}无证经营，卫生条件差", "report"),
)
ITEMS = ("牛奶", "手机", "电饭煲", "面包", "保健品", "运动鞋", "洗衣机", "月饼")
PROBLEMS = ("质量", "食品安全", "预付式消费", "三包", "价格", "无照经营")  # each issue's 问题类别, in ISSUES' order
GOODS = {"牛奶": "食品", "手机": "通讯器材", "电饭煲": "家用电器", "面包": "食品", "保健品": "保健食品",
         "运动鞋": "服装鞋帽", "洗衣机": "家用电器", "月饼": "食品"}  # fmt: skip


@dataclass(frozen=True)
class TicketExport:
    """A written export, the ticket field each column holds, and the rows that must go to quarantine."""

    path: Path
    truth: dict[str, str]
    rows: int
    bad: dict[int, list[str]] = field(default_factory=dict)  # data row (1-based) -> reason codes
    skipped: int = 0


def _text(fake: Faker, shop: str) -> tuple[str, str, str, str]:
    """A grievance's text and kind, and its problem and goods categories."""
    template, kind = fake.rng.choice(ISSUES)
    item = fake.rng.choice(ITEMS)
    text = template.format(shop=shop, item=item, money=fake.rng.randint(50, 3000))
    return text, kind, PROBLEMS[ISSUES.index((template, kind))], GOODS[item]


def export_12315(folder: Path) -> TicketExport:
    """The 12315 platform's export: GBK CSV, date-times as text, the platform's words."""
    fake = Faker(12315)
    header = [
        "登记编号",
        "登记时间",
        "信息类别",
        "投诉举报人",
        "投诉举报人电话",
        "通讯地址",
        "被投诉举报方",
        "统一社会信用代码",
        "被投诉举报方地址",
        "事发地",
        "诉求内容",
        "处理状态",
        "承办单位",
        "问题类别",
        "商品或服务类别",
    ]
    words = {"complaint": "投诉", "report": "举报", "consultation": "咨询"}
    rows = [header]
    for i in range(ROWS):
        district, division = fake.district()
        shop = (
            f"柳州市{district}{''.join(fake.rng.sample('螺蛳老友龙城桂中紫荆金山荣华兴隆', 2))}{fake.rng.choice(SHOPS)}"
        )
        text, kind, problem, goods = _text(fake, shop)
        received = datetime.combine(MONTH + timedelta(days=i // 3), datetime.min.time()) + timedelta(
            hours=fake.rng.randint(8, 20), minutes=fake.rng.randint(0, 59), seconds=fake.rng.randint(0, 59)
        )
        rows.append(
            [
                f"1450200{received:%Y%m%d}{i + 1:04d}",
                received.strftime("%Y-%m-%d %H:%M:%S"),
                words[kind],
                fake.person(),
                fake.phone(),
                fake.address(fake.district()[0]),
                shop,
                fake.uscc(division, True) if fake.rng.random() < 0.3 else "",
                fake.address(district),
                fake.address(district, province=False),
                text,
                fake.rng.choice(("待受理", "已受理", "调解中", "已办结")),
                f"{district}市场监督管理局",
                problem if i % 10 else "",  # the platform leaves a category empty now and then
                goods if i % 7 else "",
            ]
        )
    rows[5][1] = "2026-02-30 10:12:00"  # a clerk's impossible date
    rows[9][0] = ""  # no ticket number
    rows[14][2] = "投诉举报"  # both at once: Art 7 splits it, never guessed
    path = write_csv(folder / "12315投诉举报登记_2026年3月.csv", rows, "gbk")
    truth = {
        "number": "登记编号",
        "received_at": "登记时间",
        "kind": "信息类别",
        "caller_name": "投诉举报人",
        "caller_phone": "投诉举报人电话",
        "caller_address": "通讯地址",
        "respondent_name": "被投诉举报方",
        "respondent_uscc": "统一社会信用代码",
        "respondent_address": "被投诉举报方地址",
        "place": "事发地",
        "problem_category": "问题类别",
        "goods_category": "商品或服务类别",
        "text": "诉求内容",
        "status": "处理状态",
    }
    bad = {5: ["date.invalid"], 9: ["field.missing"], 14: ["value.not_allowed"]}
    return TicketExport(path, truth, ROWS, bad)


def export_12345(folder: Path) -> TicketExport:
    """The 12345 work-order system's export: Excel with a title row, date-times as cells, 12345's own words."""
    fake = Faker(12345)
    header = [
        "工单编号",
        "来电时间",
        "诉求类型",
        "来电人",
        "来电号码",
        "被反映单位",
        "被反映单位地址",
        "来电内容",
        "事发地址",
        "办理状态",
        "办理时限",
        "事项分类",
    ]
    words = {"complaint": "投诉", "report": "举报", "consultation": "咨询"}
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "工单明细"
    sheet.append(["柳州市12345政务服务便民热线工单明细（市场监管类，2026年3月）"])
    sheet.append(header)
    for i in range(ROWS):
        district, _ = fake.district()
        shop = f"{''.join(fake.rng.sample('螺蛳老友龙城桂中紫荆金山荣华兴隆', 2))}{fake.rng.choice(SHOPS)}"
        text, kind, problem, _ = _text(fake, shop)
        word = words[kind] if fake.rng.random() < 0.85 else fake.rng.choice(("求助", "建议", "表扬", "意见建议"))
        received = datetime.combine(MONTH + timedelta(days=i // 3), datetime.min.time()) + timedelta(
            hours=fake.rng.randint(8, 20), minutes=fake.rng.randint(0, 59)
        )
        sheet.append(
            [
                f"GD{received:%Y%m%d}{i + 1:06d}",
                received,
                word,
                fake.person(),
                fake.phone().replace("-", ""),
                shop,
                fake.address(district, province=False),
                f"市民来电反映：{text}。",
                fake.address(district, province=False),
                fake.rng.choice(("已派单", "办理中", "已办结", "已回访")),
                (received + timedelta(days=7)).date(),
                problem if fake.rng.random() < 0.6 else "",  # 12345's classification of the matter, often empty
            ]
        )
    sheet.cell(row=2 + 4, column=2).value = None  # no time of the call: required
    sheet.cell(row=2 + 11, column=3).value = "无效来电"  # not a kind of either channel
    sheet.append(["合计", f"{ROWS} 件"])
    path = folder / "12345热线工单明细_2026年3月.xlsx"
    book.save(path)
    truth = {
        "number": "工单编号",
        "received_at": "来电时间",
        "kind": "诉求类型",
        "caller_name": "来电人",
        "caller_phone": "来电号码",
        "respondent_name": "被反映单位",
        "respondent_address": "被反映单位地址",
        "text": "来电内容",
        "place": "事发地址",
        "problem_category": "事项分类",
        "status": "办理状态",
    }
    bad = {4: ["field.missing"], 11: ["value.not_allowed"]}
    return TicketExport(path, truth, ROWS, bad, skipped=2)  # the title row and the totals
