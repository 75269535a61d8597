"""A market-regulation bureau of a prefecture-level city (divisions from GB/T 2260), with demo users.

The city is 柳州 because its division codes are real and complete in the shipped code list; the people are
invented. Given the workspace folder, the demo also writes and loads its industry code lists, crosswalks and
department exports (see `zhizhi.demo.codes`, `zhizhi.demo.export` and `zhizhi.demo.sources`), whose records are
owed to the demo's two platforms (`zhizhi.demo.delivery`). Later capabilities add theirs here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.access import Actor, create_department, create_user
from zhizhi.demo.codes import install_demo_codes
from zhizhi.demo.export import load_export
from zhizhi.demo.ingest import ingest_demo_exports
from zhizhi.progress import SILENT, Progress
from zhizhi.store.tables import Department

DEMO_PASSWORD = "zhizhi-demo-2026"

# code, name, kind, parent code, division code
DEPARTMENTS: list[tuple[str, str, str, str | None, str | None]] = [
    ("LZ", "柳州市市场监督管理局", "bureau", None, "450200"),
    ("LZ-BGS", "办公室", "section", "LZ", None),
    ("LZ-DJ", "登记注册科", "section", "LZ", None),
    ("LZ-SP", "食品经营安全监督管理科", "section", "LZ", None),
    ("LZ-TS", "特种设备安全监察科", "section", "LZ", None),
    ("LZ-XY", "信用监督管理科", "section", "LZ", None),
    ("LZ-TSJB", "投诉举报中心", "section", "LZ", None),
    ("LZ-CZ", "城中区市场监督管理局", "county", "LZ", "450202"),
    ("LZ-CZ-ZN", "中南市场监督管理所", "grassroots", "LZ-CZ", "450202"),
    ("LZ-CZ-GY", "公园市场监督管理所", "grassroots", "LZ-CZ", "450202"),
    ("LZ-YF", "鱼峰区市场监督管理局", "county", "LZ", "450203"),
    ("LZ-YF-TZ", "天马市场监督管理所", "grassroots", "LZ-YF", "450203"),
    ("LZ-LN", "柳南区市场监督管理局", "county", "LZ", "450204"),
    ("LZ-LN-HX", "河西市场监督管理所", "grassroots", "LZ-LN", "450204"),
    ("LZ-LB", "柳北区市场监督管理局", "county", "LZ", "450205"),
    ("LZ-LJ", "柳江区市场监督管理局", "county", "LZ", "450206"),
    ("LZ-LC", "柳城县市场监督管理局", "county", "LZ", "450222"),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    department: str
    roles: tuple[str, ...]
    phone: str


USERS = [
    DemoUser("admin", "系统管理员", "LZ", ("admin",), "13977200001"),
    DemoUser("auditor", "安全审计员", "LZ", ("auditor",), "13977200002"),
    DemoUser("leader", "王局长", "LZ", ("leader",), "13977200003"),
    DemoUser("steward", "李数据", "LZ-DJ", ("steward",), "13977200004"),
    # The bureau's own steward: decides the register's pairs across departments (merges, splits, undo).
    DemoUser("registrar", "孙主体", "LZ", ("steward",), "13977200009"),
    DemoUser("hotline", "赵接线", "LZ-TSJB", ("handler",), "13977200005"),
    DemoUser("chengzhong", "陈所长", "LZ-CZ", ("leader", "handler"), "13977200006"),
    DemoUser("zhongnan", "周执法", "LZ-CZ-ZN", ("handler",), "13977200007"),
    DemoUser("yufeng", "吴执法", "LZ-YF", ("handler", "steward"), "13977200008"),
]


def load_demo(session: Session, actor: Actor, root: Path | None = None, progress: Progress = SILENT) -> bool:
    """Create the demo departments and users; returns False when they are already there.

    With `root` (the workspace folder), also load the demo's data there (`load_demo_data`), reporting to `progress`.
    """
    if session.scalar(select(Department.id).where(Department.code == DEPARTMENTS[0][0])) is not None:
        return False
    for code, name, kind, parent, division in DEPARTMENTS:
        create_department(session, actor, code=code, name=name, kind=kind, parent_code=parent, division_code=division)
    for user in USERS:
        create_user(
            session,
            actor,
            username=user.username,
            display_name=user.display_name,
            department_code=user.department,
            roles=list(user.roles),
            password=DEMO_PASSWORD,
            password_min_length=len(DEMO_PASSWORD),
            phone=user.phone,
        )
    if root is not None:
        load_demo_data(session, actor, root, progress=progress)
    return True


def load_demo_data(
    session: Session, actor: Actor, root: Path, today: date | None = None, progress: Progress = SILENT
) -> None:
    """Write the demo's code lists, crosswalks and department exports into the workspace at `root`, import the
    lists, keep the registration export's coverage and review items, and ingest the four exports (registration,
    food licences, special equipment, inspections) and the hotline's month of tickets before `today` (default: the
    day it runs), each new record owed to the workspace's targets (write the demo's first:
    `zhizhi.demo.delivery.write_demo_targets`). The departments and the built-in lists must be there. The tickets
    go into cases once the register is filed: `zhizhi.demo.desk.run_demo_desk`.
    """
    install_demo_codes(session, actor, root)
    load_export(session, actor, root)
    ingest_demo_exports(session, actor, root, today, progress)
