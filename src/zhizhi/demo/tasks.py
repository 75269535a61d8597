"""The demo city's tasks across departments and its offices' capacity (zhizhi.tasks, zhizhi.workload).

- An overdue campaign led by 食品经营安全监督管理科: the plan done with a file, 鱼峰区局's checks done with a text, and
  城中区局's checks past their deadline, offered to 中南所 and refused there (too few people), so still 城中区局's;
- a campaign on time led by 特种设备安全监察科, whose 鱼峰区局 part waits for 天马所 to accept it;
- the grassroots and county offices' staff and items per person, 中南所's set low enough to show over capacity.
Deadlines are dates counted from the day the demo runs (no holiday calendar needed); the parts are dated back to
their start, so the workload page and report show them in their months.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from zhizhi.access import Actor, actor_for
from zhizhi.config import Workspace
from zhizhi.hotline import load_calendar
from zhizhi.store.tables import Task, TaskPart, User
from zhizhi.store.types import LOCAL_TZ
from zhizhi.tasks import Upload, create_task, decline, finish, hand_over, parse_task
from zhizhi.workload import set_capacity

OVERDUE = "冬季校园周边食品安全专项整治"
ON_TIME = "电梯安全隐患排查整治"
REFUSAL = "本所仅二人，本月已承担三项专项任务和热线案件，无力承接"
DONE_TEXT = "检查学校周边食品经营户46家，责令整改5家，已全部复查。"
CAPACITY = {  # office: (staff, items one person has in hand a month)
    "LZ-CZ": (8, 10), "LZ-CZ-ZN": (2, 3), "LZ-CZ-GY": (4, 8), "LZ-YF": (8, 10), "LZ-YF-TZ": (3, 8),
    "LZ-LN": (7, 10), "LZ-LN-HX": (3, 8),
}  # fmt: skip


def _spec(title: str, lead: str, start: date, parts: list[dict[str, Any]]) -> Any:
    return parse_task({"title": title, "lead": lead, "start": start, "parts": parts}, "demo")


def _person(session: Any, username: str) -> Actor:
    return actor_for(session.scalars(select(User).where(User.username == username)).one(), "demo")


def _dated(session: Any, task: Task, start: date) -> dict[int, TaskPart]:
    """The task's parts by seq, created on the start day (as if made then)."""
    parts = {p.seq: p for p in session.scalars(select(TaskPart).where(TaskPart.task_id == task.id))}
    for part in parts.values():
        part.created_at = datetime.combine(start, time(9), LOCAL_TZ)
    task.created_at = datetime.combine(start, time(9), LOCAL_TZ)
    return parts


def _campaign(start: date) -> list[dict[str, Any]]:
    due, later = (start + timedelta(days=7)).isoformat(), (start + timedelta(days=21)).isoformat()
    return [
        {"department": "LZ-SP", "title": "制定整治方案并汇总各区进展", "deadline": due, "evidence": "files",
         "evidence_note": "整治方案（盖章扫描件）"},
        {"department": "LZ-CZ", "owner": "chengzhong", "title": "城中区中小学校周边食品经营户全面检查",
         "deadline": later, "evidence": "both", "evidence_note": "检查记录表和整改情况说明"},
        {"department": "LZ-YF", "title": "鱼峰区中小学校周边食品经营户全面检查", "deadline": later},
    ]  # fmt: skip


def _lifts(today: date) -> list[dict[str, Any]]:
    return [
        {"department": "LZ-TS", "title": "汇总全市电梯隐患台账", "deadline": (today + timedelta(days=20)).isoformat()},
        {"department": "LZ-YF", "title": "鱼峰区住宅小区电梯隐患排查",
         "deadline": (today + timedelta(days=14)).isoformat(), "evidence": "files"},
    ]  # fmt: skip


def run_demo_tasks(sessions: Any, workspace: Workspace, today: date, actor: Actor | None = None) -> int:
    """The demo's two tasks and offices' capacity; returns the tasks made (none when they are there already)."""
    actor = actor or Actor.operator("demo")
    with sessions() as session, session.begin():
        if session.scalar(select(Task.id).where(Task.title == OVERDUE)) is not None:
            return 0
        calendar, leader, start = load_calendar(workspace.root), _person(session, "leader"), today - timedelta(days=30)
        campaign = create_task(session, leader, _spec(OVERDUE, "LZ-SP", start, _campaign(start)), calendar,
                               today=today, source="demo")  # fmt: skip
        parts = _dated(session, campaign, start)
        plan = Upload("整治方案.txt", "text/plain", "冬季校园周边食品安全专项整治方案".encode())
        finish(session, leader, parts[1], files=[plan])
        parts[1].done_at = datetime.combine(start + timedelta(days=5), time(16), LOCAL_TZ)
        hand_over(session, _person(session, "chengzhong"), parts[2], department="LZ-CZ-ZN",
                  reason="学校多在中南所辖区，由中南所就近检查")  # fmt: skip
        decline(session, _person(session, "zhongnan"), parts[2], REFUSAL)
        finish(session, _person(session, "yufeng"), parts[3], text=DONE_TEXT)
        parts[3].done_at = datetime.combine(start + timedelta(days=18), time(11), LOCAL_TZ)
        began = today - timedelta(days=3)
        lifts = create_task(session, leader, _spec(ON_TIME, "LZ-TS", began, _lifts(today)), calendar, today=today,
                            source="demo")  # fmt: skip
        offered = _dated(session, lifts, began)[2]
        hand_over(session, _person(session, "yufeng"), offered, department="LZ-YF-TZ", reason="小区集中在天马所辖区")
        for office, (staff, each) in CAPACITY.items():
            set_capacity(session, actor, office, staff=staff, per_person=each)
    return 2
