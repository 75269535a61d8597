"""The demo city's hotline desk (投诉举报中心, LZ-TSJB): its two channels' sources, routing, platforms, and a month
of handling.

`write_ticket_exports` writes the month's exports of 12315 and 12345 (`zhizhi.demo.tickets`) with their source
files, the city's `routing.yaml` and `hotline.desk` in `zhizhi.yaml`; the demo ingests the exports like every other.
`desk_targets` are the two platforms' target files (written with the demo's others): each takes the desk's answers
in its own field names, as files dropped in a folder of the workspace (`data/platforms/CHANNEL/`), the way both
platforms take a batch of replies (12315 as GBK CSV, 12345 as an Excel sheet).

Once the register is filed, `run_demo_desk` puts the tickets into cases (`zhizhi.hotline.take_in`) and handles the
older ones as the demo's handlers would have: a complaint accepted a few working days after it came in (the day
given to `decide`), mediated some weeks later; reports verified, extended with approval, one paused for testing;
questions answered; the wage claim not accepted (Art 15(1)). Left open: what came in lately, the suggestions for a
handler to confirm, and the two complaints whose acceptance is due tomorrow (`warning`) and overdue (`breached`).
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.access import Actor
from zhizhi.access.sessions import actor_for
from zhizhi.codes import load_hierarchy
from zhizhi.config import Workspace, load_workspace
from zhizhi.demo.codes import NATIONAL, local_formats
from zhizhi.demo.export import export_records, old_codes_by_class
from zhizhi.demo.tickets import ArrangedDays, Month, file_names, month_of_tickets, write_12315, write_12345
from zhizhi.hotline import decide, extend, pause, take_in
from zhizhi.hotline.answers import answer_cases
from zhizhi.hotline.cases import case_records
from zhizhi.hotline.routing import FILE as ROUTING_FILE
from zhizhi.hotline.workdays import UnknownYearError, WorkCalendar, load_calendar
from zhizhi.sources import parse_source
from zhizhi.sources.config import SOURCES_FOLDER
from zhizhi.store.tables import Case, CaseTicket, Record, User

DESK = "LZ-TSJB"
DESK_HANDLER = "hotline"
EXPORTS = "exports"
SOURCE_12315 = """\
# 12315投诉举报登记: the national 12315 platform's export of the city's tickets (GBK CSV), as
# `zhizhi sources suggest FILE --name rexian-12315 --department LZ-TSJB` writes it.
name: rexian-12315
title: 12315投诉举报登记
department: LZ-TSJB
record_type: ticket
reader: csv
encoding: gbk
fields:
  channel: {value: '12315'}        # read from the file's name
  number: 登记编号
  received_at: 登记时间
  kind: 信息类别
  caller_name: 投诉举报人
  caller_phone: 投诉举报人电话
  caller_address: 通讯地址
  respondent_name: 被投诉举报方
  respondent_uscc: 统一社会信用代码
  respondent_address: 被投诉举报方地址
  text: 诉求内容
  problem_category: 问题类别
  goods_category: 商品或服务类别
  place: 事发地
  status: 处理状态
"""
SOURCE_12345 = """\
# 12345热线工单明细: the city's 12345 work-order system's market-regulation orders (Excel, a title row above the
# header, a totals row), as `zhizhi sources suggest FILE --name rexian-12345 --department LZ-TSJB` writes it, and
# 12345's classification of the matter (事项分类) put in 12315's words, so the desk can compare the two channels'.
name: rexian-12345
title: 12345热线工单明细
department: LZ-TSJB
record_type: ticket
reader: excel
fields:
  channel: {value: '12345'}        # read from the file's name
  number: 工单编号
  received_at: 来电时间
  kind: 诉求类型                   # 求助 and 表扬 are `other`, 意见建议 a suggestion: the record type knows them
  caller_name: 来电人
  caller_phone: 来电号码
  respondent_name: 被反映单位
  respondent_address: 被反映单位地址
  text: 来电内容
  problem_category:                # 12345's words for 12315's
    column: 事项分类
    transforms: [{map: {食品药品安全: 食品安全, 价格收费: 价格, 计量器具: 计量, 商品质量: 质量, 合同纠纷: 合同,
                        预付卡消费: 预付式消费, 特种设备安全: 安全}}]
  place: 事发地址
  status: 办理状态
"""
ROUTING = """\
# Which office handles a case (Art 12: where the respondent operates; Art 13: the first office keeps it). The first
# rule that holds decides; a case is routed once, by its first ticket.
default: LZ-TSJB
rules:
  - name: 特种设备（电梯、锅炉、气瓶）
    when: {keywords: [电梯, 锅炉, 气瓶, 压力容器, 起重机, 叉车, 游乐设施], kinds: [report, complaint]}
    office: LZ-TS
  - name: 食品安全举报
    when: {keywords: [过期, 变质, 老鼠, 食品经营许可证, 健康证, 异物, 腹泻], kinds: [report]}
    office: LZ-SP
  - {name: 城中区, when: {divisions: ["450202"]}, office: LZ-CZ}
  - {name: 鱼峰区, when: {divisions: ["450203"]}, office: LZ-YF}
  - {name: 柳南区, when: {divisions: ["450204"]}, office: LZ-LN}
  - {name: 柳北区, when: {divisions: ["450205"]}, office: LZ-LB}
  - {name: 柳江区, when: {divisions: ["450206"]}, office: LZ-LJ}
  - {name: 柳城县, when: {divisions: ["450222"]}, office: LZ-LC}
"""
RESULTS = {
    "mediated": ("经调解，商家同意退还{what}，双方达成调解协议，消费者表示满意。",
                 "经调解，被投诉方赔偿消费者损失并赔礼道歉，双方达成一致。"),
    "terminated": ("双方分歧较大，未能达成调解协议，已终止调解，可依法向人民法院起诉。",),
    "case_opened": ("经核查，举报线索属实，已依法立案调查，处理结果将另行告知。",),
    "not_opened": ("经现场核查，未发现举报所称违法行为，决定不予立案。",),
    "answered": ("已电话答复来电人相关法律法规规定及办理途径。", "已答复，来电人表示满意。"),
}  # fmt: skip
WAGES_ANSWER = "拖欠工资属于劳动争议，不属于市场监督管理部门职责，请向人力资源和社会保障部门（12333）反映。"


@dataclass
class DeskSummary:
    """What the demo's desk did: tickets taken into cases, suggestions left, decisions and answers owed."""

    tickets: int = 0
    cases: int = 0
    merged: int = 0
    suggested: int = 0
    decisions: int = 0
    answers: int = 0


def _is_working(calendar: WorkCalendar, day: date) -> bool:
    # Only to place the demo's tickets: a year the calendar does not know is taken as Monday to Friday here, and its
    # clocks show `unknown` on the desk (never guessed there) until `calendar/YEAR.yaml` is written.
    try:
        return calendar.is_working_day(day)
    except UnknownYearError:
        return day.weekday() < 5


def working_day_after(calendar: WorkCalendar, day: date, count: int) -> date:
    """The `count`-th working day after `day`."""
    while count > 0:
        day += timedelta(days=1)
        count -= _is_working(calendar, day)
    return day


def receipt_for(calendar: WorkCalendar, deadline: date, working_days: int = 7) -> date:
    """The day a ticket is received for its acceptance deadline (7 working days) to be `deadline`, a working day."""
    day, counted = deadline, 0
    while True:
        counted += _is_working(calendar, day)
        if counted == working_days:
            return day - timedelta(days=1)
        day -= timedelta(days=1)


def arranged_days(calendar: WorkCalendar, today: date) -> ArrangedDays:
    """Receipt days for one complaint due tomorrow (the next working day) and one three working days overdue."""
    due = working_day_after(calendar, today, 1)
    overdue, passed = today, 0
    while passed < 3:
        overdue -= timedelta(days=1)
        passed += _is_working(calendar, overdue)
    return ArrangedDays(warning=receipt_for(calendar, due), breached=receipt_for(calendar, overdue))


def demo_month(session: Session, root: Path, today: date) -> Month:
    """The demo's month of tickets before `today` (the registration export's entities regenerated, seeded)."""
    records = export_records(local_formats(load_hierarchy(session, NATIONAL)), old_codes_by_class(session))
    return month_of_tickets(records, today, arranged_days(load_calendar(root), today))


def write_ticket_exports(session: Session, root: Path, today: date) -> dict[str, Path]:
    """Write both channels' exports into `sources/exports/`, their source files, `routing.yaml` and the desk in
    `zhizhi.yaml`; returns source name -> export path."""
    month = demo_month(session, root, today)
    folder = root / SOURCES_FOLDER / EXPORTS
    names = file_names(month)
    paths = {"rexian-12315": folder / names[0], "rexian-12345": folder / names[1]}
    write_12315(paths["rexian-12315"], month)
    write_12345(paths["rexian-12345"], month)
    for name, text in (("rexian-12315", SOURCE_12315), ("rexian-12345", SOURCE_12345)):
        parse_source(text, f"{SOURCES_FOLDER}/{name}.yaml")
        (root / SOURCES_FOLDER / f"{name}.yaml").write_text(text, encoding="utf-8")
    (root / ROUTING_FILE).write_text(ROUTING, encoding="utf-8")
    _set_desk(root)
    return paths


def _set_desk(root: Path) -> None:
    """`hotline.desk: LZ-TSJB` in zhizhi.yaml (the web form's tickets go to the desk), the file's comments kept."""
    path = root / "zhizhi.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if (config.get("hotline") or {}).get("desk"):
        return
    if "hotline" in config:
        config["hotline"]["desk"] = DESK
        path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return
    note = "\n# The hotline desk: the department whose desk takes the web form's tickets (docs/hotline.md).\n"
    text = path.read_text(encoding="utf-8").rstrip("\n") + "\n" + note + f"hotline:\n  desk: {DESK}\n"
    path.write_text(text, encoding="utf-8")


def run_demo_desk(session: Session, actor: Actor, root: Path, today: date) -> DeskSummary:
    """Take the month's tickets into cases and handle the older ones as the demo's handlers would have, in the
    caller's transaction. Run it once the register is filed (cases link to its entities); a second run finds no new
    ticket and decides nothing."""
    workspace = load_workspace(root)
    intake = take_in(session, actor, workspace, limit=100_000)
    summary = DeskSummary(intake.tickets, intake.opened, intake.merged, intake.suggested)
    if not intake.opened:
        return summary
    roles = {t.number: t.role for t in demo_month(session, root, today).tickets if t.role}
    handling = _Handling(session, workspace, load_calendar(root), today, _cases_of(session, roles))
    for case in session.scalars(select(Case).where(Case.stage == "received").order_by(Case.received_at, Case.id)):
        summary.decisions += handling.handle(case)
    summary.decisions += handling.finish()
    summary.answers = handling.answers
    return summary


def _cases_of(session: Session, roles: dict[str, str]) -> dict[int, str]:
    rows = session.execute(
        select(CaseTicket.case_id, Record.key)
        .join(Record, Record.id == CaseTicket.record_id)
        .where(Record.key.in_([f"number={n}" for n in roles]))
    ).all()
    return {int(case_id): roles[key.removeprefix("number=")] for case_id, key in rows}


class _Handling:
    """The demo's handlers at work on the month's cases (seeded by each case's number)."""

    def __init__(self, session: Session, workspace: Workspace, calendar: WorkCalendar, today: date,
                 roles: dict[int, str]) -> None:  # fmt: skip
        self.session, self.workspace, self.calendar, self.today, self.roles = (
            session, workspace, calendar, today, roles
        )  # fmt: skip
        self.answers = 0
        self.paused = False
        self.decided: list[Case] = []  # answered together, one file per channel (as a desk's day of replies)
        self.later: list[tuple[Case, str, str]] = []  # mediations ended, after the acceptances went out
        desk = session.scalar(select(User).where(User.username == DESK_HANDLER))
        self.desk_actor = actor_for(desk, "demo") if desk else Actor.operator("demo")

    def actor(self, case: Case) -> Actor:
        user = self.session.get(User, case.handler_id) if case.handler_id else None
        return actor_for(user, "demo") if user is not None else self.desk_actor

    def decide(self, case: Case, decision: str, result: str = "", *, reason_code: str | None = None,
               on: date | None = None) -> int:  # fmt: skip
        decide(self.session, self.actor(case), self.workspace, case, decision, result=result,
               reason_code=reason_code, today=on, answer=False)  # fmt: skip
        self.decided.append(case)
        return 1

    def _answer(self) -> None:
        items = [(case, case_records(self.session, case)) for case in self.decided]
        self.answers += answer_cases(self.session, self.workspace, items)
        self.decided = []

    def finish(self) -> int:
        """Answer the day's decisions, then end the mediations (their answers the tickets' next versions)."""
        self._answer()
        for case, ending, result in self.later:
            self.decide(case, ending, result)
        self._answer()
        return len(self.later)

    def handle(self, case: Case) -> int:
        role = self.roles.get(case.id)
        if role in ("warning", "breached"):
            return 0  # not reached yet: the desk's cases to show
        if role == "wages":
            return self.decide(case, "not_accepted", WAGES_ANSWER, reason_code="1")
        rng = random.Random(zlib.crc32(case.number.encode()))
        days = (self.today - case.received_on).days
        if case.kind == "complaint":
            return self.complaint(case, rng)
        if case.kind == "report":
            return self.report(case, rng, days)
        if days >= 7 and rng.random() < 0.5:
            return self.decide(case, "answered", rng.choice(RESULTS["answered"]))
        return 0

    def complaint(self, case: Case, rng: random.Random) -> int:
        accepted_on = working_day_after(self.calendar, case.received_on, rng.choice((1, 1, 2, 2, 3, 4, 5)))
        if accepted_on >= self.today:
            return 0
        done = self.decide(case, "accepted", on=accepted_on)
        if (self.today - accepted_on).days >= 10 and rng.random() < 0.25:
            ending = "terminated" if rng.random() < 0.15 else "mediated"
            what = rng.choice(("全部货款", "预付卡余额", "多收的费用", "医药费"))
            self.later.append((case, ending, rng.choice(RESULTS[ending]).format(what=what)))
        return done

    def report(self, case: Case, rng: random.Random, days: int) -> int:
        actor = self.actor(case)
        if not self.paused and days >= 8 and rng.random() < 0.5:
            pause(self.session, actor, case, reason="样品送检（食品安全抽样检验），检验期间不计入核查期限",
                  start=case.received_on + timedelta(days=3))  # fmt: skip
            self.paused = True
            return 0
        if days >= 16:
            extend(self.session, actor, case, reason="线索涉及多个经营场所，经负责人批准延长核查期限十五个工作日")
        roll = rng.random()
        if days >= 16 and roll < 0.4 or 3 <= days < 16 and roll < 0.1:
            decision = "case_opened" if roll < 0.25 or days < 16 else "not_opened"
            return self.decide(case, decision, RESULTS[decision][0])
        return 0
