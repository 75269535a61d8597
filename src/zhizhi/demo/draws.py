"""The demo city's random inspections (双随机、一公开): the item list and the two registers, a quarter's plan with one
draw, a joint visit entered once and delivered to the platforms of both its departments, and results published.

The items are three departments': the registration facts every entity is checked for (信用监督管理科, LZ-XY), the
food business's purchase records (食品经营安全监督管理科, LZ-SP: the licence holders) and the use registration of
special equipment (特种设备安全监察科, LZ-TS: the entities with equipment, by inspectors qualified for it). Each
department's platform is a target taking its inspection records as files in `data/platforms/inspections-CODE/`
(`write_demo_inspection_targets`). Six inspectors join the demo's handlers, the names of the inspection log of
中南所 (`zhizhi.demo.inspections`). The plan is the quarter of `today`, organised by 信用监督管理科; its draw is run
at once; the first joint visit and two more are entered by their teams on `today`, and everything entered is
published. A rerun finds the plan and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from zhizhi.access import Actor, create_user
from zhizhi.access.roles import Role
from zhizhi.config import Workspace
from zhizhi.demo.city import DEMO_PASSWORD
from zhizhi.inspections import (
    Finding,
    create_plan,
    parse_rules,
    publish,
    record_results,
    refresh_inspectors,
    refresh_targets,
    run_draw,
    save_item,
    set_inspector,
    visit_view,
)
from zhizhi.store.tables import InspectionPlan, InspectionVisit, User

ORGANISER = "LZ-XY"
ITEMS = [
    (
        "XY-01",
        "营业执照（登记证）规范悬挂及登记事项与实际情况是否相符",
        "《市场主体登记管理条例》第三十五条、第三十八条",
        "LZ-XY",
        "",
        None,
    ),
    (
        "SP-01",
        "食品经营者落实进货查验记录制度情况",
        "《中华人民共和国食品安全法》第五十三条",
        "LZ-SP",
        "licence",
        "食品",
    ),
    (
        "TS-01",
        "特种设备使用登记及定期检验情况",
        "《中华人民共和国特种设备安全法》第三十三条、第四十条",
        "LZ-TS",
        "equipment",
        "特种设备",
    ),
]
# username, name, office, qualifications
INSPECTORS = [
    ("zhoujh", "周建华", "LZ-CZ-ZN", "食品"),
    ("qinxm", "覃小梅", "LZ-CZ-GY", "食品"),
    ("weigq", "韦国强", "LZ-YF-TZ", "食品、特种设备"),
    ("huanglj", "黄丽娟", "LZ-LN-HX", "食品"),
    ("mozy", "莫志勇", "LZ-TS", "特种设备"),
    ("lanhy", "蓝海燕", "LZ-SP", "食品、特种设备"),
]
PROPORTIONS = {"high": 20, "medium": 5, "low": 1}
PLATFORMS = {"LZ-XY": "信用监管平台", "LZ-SP": "食品安全监管平台", "LZ-TS": "特种设备安全监管平台"}


@dataclass(frozen=True)
class DemoDraws:
    """What the demo's inspections made: the plan and its draw, visits, the joint visit entered, the publication."""

    plan: str
    draw: str
    visits: int
    joint_visit: str | None
    recorded: int
    published: str | None


def quarter(today: date) -> tuple[str, date, date]:
    """The quarter of `today`: its number (2026Q4), first and last days."""
    q = (today.month - 1) // 3
    first = date(today.year, 3 * q + 1, 1)
    following = date(today.year + 1, 1, 1) if q == 3 else date(today.year, 3 * q + 4, 1)
    return f"{today.year}Q{q + 1}", first, following - timedelta(days=1)


def write_demo_inspection_targets(root: Path) -> list[str]:
    """Each item department's platform: a target taking that department's inspection records as CSV files."""
    names = []
    for code, title in PLATFORMS.items():
        name = f"inspections-{code.lower()}"
        folder = (root / "data" / "platforms" / name).resolve().as_posix()
        body = {
            "name": name,
            "title": title,
            "owner": code,
            "record_types": ["inspection"],
            "filter": {"departments": [code]},
            "fields": {
                "JCBH": "number",
                "QYMC": "entity_name",
                "TYSHXYDM": "entity_uscc",
                "JCRQ": "inspected_on",
                "JCRY": "inspectors",
                "JCSX": "items",
                "JCJG": "result",
                "CLYJ": "follow_up",
            },
            "transport": {"kind": "file", "folder": folder, "format": "csv"},
        }
        note = f"# {title}: the demo's stand-in for {code}'s platform; its inspection records as CSV files.\n"
        (root / "targets").mkdir(exist_ok=True)
        (root / "targets" / f"{name}.yaml").write_text(note + yaml.safe_dump(body, allow_unicode=True), "utf-8")
        names.append(name)
    return names


def run_demo_draws(sessions: Any, workspace: Workspace, today: date, actor: Actor | None = None) -> DemoDraws | None:
    """The demo's quarter of random inspections (see the module); None when the plan exists already."""
    actor = actor or Actor.operator("demo")
    number, first, last = quarter(today)
    with sessions() as session:
        if session.scalar(select(InspectionPlan.id).where(InspectionPlan.number == number)) is not None:
            return None
    write_demo_inspection_targets(workspace.root)
    with sessions() as session, session.begin():
        _registers(session, actor, today)
        rules = parse_rules({"items": [code for code, *_ in ITEMS], "proportions": PROPORTIONS}, "The demo's plan")
        draw = create_plan(
            session,
            actor,
            workspace.keys_dir,
            number=number,
            department=ORGANISER,
            first=first,
            last=last,
            rules=rules,
            title=f"{number[:4]}年第{number[-1]}季度部门联合双随机抽查",
        )
        draw_number = draw.number
    with sessions() as session, session.begin():
        drawn = run_draw(session, actor, workspace, draw_number)
    with sessions() as session, session.begin():
        joint, recorded = _enter(session, workspace, today)
    published = None
    if recorded:
        with sessions() as session, session.begin():
            published = publish(session, actor, workspace)[0]["number"]
    return DemoDraws(number, draw_number, drawn["summary"]["visits"], joint, recorded, published)


def _registers(session: Any, actor: Actor, today: date) -> None:
    """The item list, the target register from the filed register, and the inspectors."""
    for code, name, basis, department, kinds, qualification in ITEMS:
        save_item(
            session,
            actor,
            code=code,
            name=name,
            legal_basis=basis,
            department=department,
            record_types_text=kinds,
            qualification=qualification,
        )
    refresh_targets(session, actor, today=today)
    for username, name, office, _ in INSPECTORS:
        if session.scalar(select(User.id).where(User.username == username)) is None:
            create_user(
                session,
                actor,
                username=username,
                display_name=name,
                department_code=office,
                roles=[Role.HANDLER.value],
                password=DEMO_PASSWORD,
                password_min_length=len(DEMO_PASSWORD),
            )
    refresh_inspectors(session, actor)
    # Each with an enforcement certificate (执法证号: the division code and a number), without which none is drawn.
    for n, (username, _, _, qualifications) in enumerate(INSPECTORS, 1):
        set_inspector(session, actor, username, qualifications=qualifications, certificate=f"45020021{n:05d}")
    for n, username in enumerate(("zhongnan", "chengzhong", "yufeng"), len(INSPECTORS) + 1):
        set_inspector(session, actor, username, qualifications="食品", certificate=f"45020021{n:05d}")


def _team_member(session: Any, view: dict[str, Any]) -> Actor:
    user = session.scalar(select(User).where(User.username == view["team"][0]["username"]))
    return Actor(user.username, user.id, user.department_id, user.department.path, frozenset({Role.HANDLER}))


def _enter(session: Any, workspace: Workspace, today: date) -> tuple[str | None, int]:
    """The first joint visit (its food items with a finding to rectify) and the next two visits, entered by their
    teams."""
    visits = session.scalars(select(InspectionVisit).order_by(InspectionVisit.rank)).all()
    views = [(v, visit_view(session, Actor.operator("demo"), v)) for v in visits]
    joint = next(((v, view) for v, view in views if view["joint"]), None)
    chosen = ([joint] if joint else []) + [(v, view) for v, view in views if joint is None or v.id != joint[0].id][:2]
    for n, (visit, view) in enumerate(chosen):
        findings = {i["code"]: Finding("pass") for i in view["items"]}
        if n == 0 and "SP-01" in findings:
            findings["SP-01"] = Finding("rectify", "进货查验记录不全，当场责令改正，7日内复查")
        if n == 2:
            findings = {code: Finding("not_found", "通过登记的住所无法联系") for code in findings}
        acknowledgement = "absent" if n == 2 else "signed"
        record_results(
            session,
            _team_member(session, view),
            workspace,
            visit.number,
            findings=findings,
            inspected_on=today,
            acknowledgement=acknowledgement,
            acknowledged_by="" if n == 2 else "经营者本人",
            today=today,
        )
    return (joint[0].number if joint else None), len(chosen)
