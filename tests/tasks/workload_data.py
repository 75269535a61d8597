"""A hand-counted workload for October to December 2026, seen on 2026-12-16 (tests/tasks/test_workload.py).

Hotline cases (desk 投诉举报中心; the day is Beijing time):
| case | office | handler | received | closed | in hand in |
|---|---|---|---|---|---|
| C1 | 中南所 | zhongnan | 10-05 | 10-20 | Oct |
| C2 | 中南所 | zhongnan | 10-28 | 11-03 | Oct, Nov |
| C3 | 中南所 | zhongnan | 11-15 | (accepted) | Nov, Dec |
| C4 | 中南所 | zhongnan | 12-01 | merged: never counted | — |
| C5 | 中南所 | nobody | 12-02 | (received) | Dec |
| C6 | 鱼峰区局 | yufeng | 11-30 23:30 | (accepted) | Nov, Dec |
| C7 | 鱼峰区局 | yufeng | 09-10 | 10-01 00:30 | Oct (its first half hour) |

Task parts (tests/tasks/helpers.py, all created 12-01): the plan (LZ-SP, done 12-03), 城中区's part (陈所长, due
12-10, handed to 中南所 but not accepted: still 城中区局's), 鱼峰区's part (named yufeng, due 12-15), 中南所's own
(due 12-08). On 12-16 the last three are overdue.

Random inspections: a plan of 城中区局 drawn on 12-09 sent zhongnan on one visit planned for 12-10, whose one item has
no finding yet: 中南所 and zhongnan have 1 draw, 1 visit, 1 open item; 城中区局 1 draw (it organised it).

Capacity: 中南所 1 person x 3 items (3), 鱼峰区局 10 x 5 (50); 城中区局 and LZ-SP none.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import OPERATOR
from tests.tasks.helpers import actor, make_tasks
from zhizhi.store.tables import (
    Case,
    Department,
    Entity,
    InspectionDraw,
    InspectionItem,
    InspectionPlan,
    InspectionVisit,
    TaskPart,
    User,
    VisitInspector,
    VisitItem,
)
from zhizhi.store.types import LOCAL_TZ
from zhizhi.tasks import assign, finish, hand_over
from zhizhi.tasks.evidence import Upload
from zhizhi.workload import set_capacity

TODAY = date(2026, 12, 16)
CASES = [  # number, office, handler, received (local), closed (local), stage
    ("C1", "LZ-CZ-ZN", "zhongnan", "2026-10-05 09:00", "2026-10-20 10:00", "closed"),
    ("C2", "LZ-CZ-ZN", "zhongnan", "2026-10-28 09:00", "2026-11-03 10:00", "closed"),
    ("C3", "LZ-CZ-ZN", "zhongnan", "2026-11-15 09:00", None, "accepted"),
    ("C4", "LZ-CZ-ZN", "zhongnan", "2026-12-01 09:00", None, "merged"),
    ("C5", "LZ-CZ-ZN", None, "2026-12-02 09:00", None, "received"),
    ("C6", "LZ-YF", "yufeng", "2026-11-30 23:30", None, "accepted"),
    ("C7", "LZ-YF", "yufeng", "2026-09-10 09:00", "2026-10-01 00:30", "closed"),
]


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ)


def _id(session: Session, model: type[Department] | type[User], name: str) -> int:
    column = Department.code if model is Department else User.username
    found = session.scalar(select(model.id).where(column == name))
    assert found is not None, name
    return found


def load_workload(session: Session) -> None:
    """The cases, parts, inspection and capacities of the table above."""
    desk = _id(session, Department, "LZ-TSJB")
    for number, office, handler, received, closed, stage in CASES:
        at = local(received)
        session.add(Case(number=number, kind="complaint", stage=stage, desk_id=desk,
                         office_id=_id(session, Department, office),
                         handler_id=_id(session, User, handler) if handler else None, received_at=at,
                         received_on=at.date(), decided_at=local(closed) if closed else None, created_at=at,
                         updated_at=at))  # fmt: skip
    campaign, _ = make_tasks(session)
    for part in session.scalars(select(TaskPart)):
        part.created_at = local("2026-12-01 09:00")
    parts = {p.seq: p for p in session.scalars(select(TaskPart).where(TaskPart.task_id == campaign.id))}
    finish(session, actor(session, "sp_leader"), parts[1], files=[Upload("方案.pdf", "application/pdf", b"%PDF")])
    parts[1].done_at = local("2026-12-03 16:00")
    hand_over(session, actor(session, "chengzhong"), parts[2], department="LZ-CZ-ZN", reason="就近检查")
    assign(session, actor(session, "yf_leader"), parts[3], "yufeng")
    _inspection(session)
    set_capacity(session, OPERATOR, "LZ-CZ-ZN", staff=1, per_person=3)
    set_capacity(session, OPERATOR, "LZ-YF", staff=10, per_person=5, note="含协管员")
    session.flush()


def _inspection(session: Session) -> None:
    county, office = _id(session, Department, "LZ-CZ"), _id(session, Department, "LZ-CZ-ZN")
    at = local("2026-12-09 10:00")
    entity = Entity(id=1, status="active", name="阿明食府", golden="{}", records=0, created_at=at, updated_at=at)
    item = InspectionItem(code="SP-01", name="食品经营许可情况", legal_basis="食品安全法第三十五条",
                          department_id=county, record_types="licence", updated_at=at, updated_by="test")  # fmt: skip
    plan = InspectionPlan(number="P1", title="四季度抽查", department_id=county, period_start=date(2026, 10, 1),
                          period_end=date(2026, 12, 31), rules="{}", created_by="test", created_at=at)  # fmt: skip
    session.add_all([entity, item, plan])
    session.flush()
    draw = InspectionDraw(number="D1", plan_id=plan.id, status="drawn", seed_hash="0" * 64, commit_seq=1,
                          committed_at=at, committed_by="test", drawn_at=at, drawn_by="test")  # fmt: skip
    session.add(draw)
    session.flush()
    visit = InspectionVisit(number="V1", draw_id=draw.id, entity_id=1, entity_name="阿明食府",
                            department_id=county, office_id=office, status="assigned",
                            planned_on=date(2026, 12, 10), created_at=at)  # fmt: skip
    session.add(visit)
    session.flush()
    session.add_all([
        VisitInspector(visit_id=visit.id, user_id=_id(session, User, "zhongnan"), position=1, how="drawn"),
        VisitItem(visit_id=visit.id, item_id=item.id, department_id=county),
    ])  # fmt: skip
