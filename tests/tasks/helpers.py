"""A food-safety campaign (食品安全专项整治) in the demo city, for the tasks' tests, and the people who act on it.

Led by 食品经营安全监督管理科 (LZ-SP), started on Tuesday 2026-12-01, in three parts:
1. LZ-SP: the plan, due in 3 working days (2026-12-04), a file as evidence;
2. LZ-CZ, named 陈所长 (chengzhong): 城中区 inspections, due 2026-12-10, a file or a text;
3. LZ-YF, nobody named: 鱼峰区 inspections, due in 10 working days (2026-12-15), a file and a text.
A second task, led by LZ-CZ with one part at 中南所 (LZ-CZ-ZN), is 城中区's own: 鱼峰区 does not see it.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import DEMO_PASSWORD, OPERATOR
from zhizhi.access import actor_for, create_user
from zhizhi.access.roles import Actor
from zhizhi.hotline import load_calendar
from zhizhi.store.tables import Task, TaskPart, User
from zhizhi.tasks import create_task, parse_task

START = date(2026, 12, 1)
CAMPAIGN = {
    "title": "2026年冬季食品安全专项整治",
    "lead": "LZ-SP",
    "start": START,
    "description": "对辖区学校食堂、农贸市场开展专项检查。",
    "parts": [
        {"department": "LZ-SP", "title": "制定整治方案", "deadline": "3 working days", "evidence": "files",
         "evidence_note": "整治方案（盖章扫描件）"},
        {"department": "LZ-CZ", "owner": "chengzhong", "title": "城中区学校食堂检查", "deadline": "2026-12-10"},
        {"department": "LZ-YF", "title": "鱼峰区农贸市场检查", "deadline": "10个工作日", "evidence": "both"},
    ],
}  # fmt: skip
LOCAL = {
    "title": "中南所辖区夜市整治",
    "lead": "LZ-CZ",
    "start": START,
    "parts": [{"department": "LZ-CZ-ZN", "title": "夜市摊点检查", "deadline": "2026-12-08"}],
}
# Extra people: the lead section's leader, 鱼峰区's leader, a second handler of 城中区局, 中南所's leader.
PEOPLE = {
    "sp_leader": ("LZ-SP", ["leader"]),
    "yf_leader": ("LZ-YF", ["leader"]),
    "cz_handler": ("LZ-CZ", ["handler"]),
    "zn_leader": ("LZ-CZ-ZN", ["leader"]),
}


def add_people(session: Session) -> None:
    for username, (department, roles) in PEOPLE.items():
        create_user(session, OPERATOR, username=username, display_name=username, department_code=department,
                    roles=roles, password=DEMO_PASSWORD, password_min_length=len(DEMO_PASSWORD))  # fmt: skip


def actor(session: Session, username: str) -> Actor:
    """The actor a signed-in user acts as."""
    return actor_for(session.scalars(select(User).where(User.username == username)).one(), "127.0.0.1")


def make_tasks(session: Session) -> tuple[Task, Task]:
    """The people, the campaign (created by the lead section's leader) and 城中区's own task (by its leader)."""
    add_people(session)
    calendar = load_calendar(None)
    campaign = create_task(session, actor(session, "sp_leader"), parse_task(CAMPAIGN, "campaign"), calendar,
                           today=START)  # fmt: skip
    local = create_task(session, actor(session, "chengzhong"), parse_task(LOCAL, "local"), calendar, today=START)
    return campaign, local


# For the pages, whatever day they are read on: deadlines long past (overdue) or far ahead (not).
STEADY = {
    "title": "春节前食品安全专项整治",
    "lead": "LZ-SP",
    "start": date(2026, 1, 5),
    "parts": [
        {"department": "LZ-SP", "title": "制定整治方案", "deadline": "2099-12-31", "evidence": "files",
         "evidence_note": "整治方案（盖章扫描件）"},
        {"department": "LZ-CZ", "owner": "chengzhong", "title": "城中区学校食堂检查", "deadline": "2026-01-10"},
        {"department": "LZ-YF", "title": "鱼峰区农贸市场检查", "deadline": "2099-12-31"},
    ],
}  # fmt: skip
STEADY_LOCAL = {
    "title": "中南所辖区夜市整治",
    "lead": "LZ-CZ",
    "start": date(2026, 1, 5),
    "parts": [{"department": "LZ-CZ-ZN", "title": "夜市摊点检查", "deadline": "2026-01-09"}],
}


def make_steady_tasks(session: Session) -> tuple[Task, Task]:
    """The people, and STEADY and STEADY_LOCAL created by their departments' leaders."""
    add_people(session)
    calendar = load_calendar(None)
    campaign = create_task(session, actor(session, "sp_leader"), parse_task(STEADY, "steady"), calendar)
    local = create_task(session, actor(session, "chengzhong"), parse_task(STEADY_LOCAL, "local"), calendar)
    return campaign, local


def matrix_tasks(session: Session, owners: dict[str, str]) -> dict[str, dict[str, int | str]]:
    """For the authorization matrix: per owner key, a task led by that department with one part there that needs a
    file and has a text as evidence (so `done` without a file is refused); its number, part and evidence ids."""
    from zhizhi.tasks import add_evidence

    found: dict[str, dict[str, int | str]] = {}
    for key, department in owners.items():
        spec = {
            "title": f"{department} 的任务",
            "lead": department,
            "start": date(2026, 1, 5),
            "parts": [{"department": department, "title": "检查", "deadline": "2099-12-31", "evidence": "files"}],
        }
        task = create_task(session, OPERATOR, parse_task(spec, key), load_calendar(None))
        part = session.scalars(select(TaskPart).where(TaskPart.task_id == task.id)).one()
        evidence = add_evidence(session, OPERATOR, part, text="已部署")[0]
        found[key] = {"task": task.number, "task_part": part.id, "evidence": evidence.id}
    return found
