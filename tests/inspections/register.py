"""A small register for the draw tests, written straight into the store on top of the demo city's departments:
entities in three districts, their targets (classes set by id), two departments' items, and inspectors in four
offices, half of them qualified for special equipment."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import yaml
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.conftest import DEMO_PASSWORD, OPERATOR
from zhizhi.access.passwords import hash_password
from zhizhi.access.roles import Actor, Role
from zhizhi.inspections import refresh_inspectors, refresh_targets, save_item, set_inspector
from zhizhi.store.tables import Department, Entity, InspectionTarget, User, UserRole

NOW = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
DIVISIONS = ("450202", "450203", "450204")  # 城中区 (two grassroots offices: the county stands), 鱼峰区, 柳南区
OFFICES = ("LZ-CZ-ZN", "LZ-CZ-GY", "LZ-YF-TZ", "LZ-LN-HX")
CLASSES = ("high", "medium", "low")


@cache
def demo_hash() -> str:
    """The demo password's hash (made once: hashing is slow on purpose), so the inspectors can sign in."""
    return hash_password(DEMO_PASSWORD, min_length=len(DEMO_PASSWORD))


def build(session: Session, *, entities: int = 60, inspectors: int = 12) -> None:
    """Entities 1..`entities` (class by id % 3; the even ones hold special equipment), items SP-01 (食品, every
    entity) and TS-01 (特种设备, the equipment holders), inspectors `insp1`.. in the four offices in turn."""
    for n in range(1, entities + 1):
        golden = {"address_division_code": {"value": DIVISIONS[n % 3]}}
        session.add(
            Entity(
                id=n,
                status="active",
                name=f"柳州市测试{n}号商行",
                uscc=None,
                golden=json.dumps(golden),
                records=1,
                created_at=NOW,
                updated_at=NOW,
            )
        )
    session.flush()
    refresh_targets(session, OPERATOR)
    for n, risk_class in enumerate(CLASSES):
        session.execute(
            update(InspectionTarget).where(InspectionTarget.entity_id % 3 == n).values(risk_class=risk_class)
        )
    session.execute(
        update(InspectionTarget).where(InspectionTarget.entity_id % 2 == 0).values(record_types="entity,equipment")
    )
    save_item(
        session,
        OPERATOR,
        code="SP-01",
        name="食品经营者落实进货查验记录制度情况",
        legal_basis="《中华人民共和国食品安全法》第五十三条",
        department="LZ-SP",
    )
    save_item(
        session,
        OPERATOR,
        code="TS-01",
        name="特种设备使用登记及定期检验情况",
        legal_basis="《中华人民共和国特种设备安全法》第三十三条",
        department="LZ-TS",
        record_types_text="equipment",
        qualification="特种设备",
    )
    offices = {code: session.scalar(select(Department.id).where(Department.code == code)) for code in OFFICES}
    for i in range(1, inspectors + 1):
        user = User(
            username=f"insp{i}",
            display_name=f"检查员{i}",
            department_id=offices[OFFICES[i % 4]],
            password_hash=demo_hash(),
            is_active=True,
        )
        session.add(user)
        session.flush()
        session.add(UserRole(user_id=user.id, role="handler"))
    session.flush()
    refresh_inspectors(session, OPERATOR)
    for i in range(1, inspectors + 1):  # each with an enforcement certificate, without which none is drawn
        qualifications = "特种设备、食品" if i % 2 else None
        set_inspector(session, OPERATOR, f"insp{i}", qualifications=qualifications, certificate=f"45020021{i:05d}")


def user_id(session: Session, username: str) -> int:
    found = session.scalar(select(User.id).where(User.username == username))
    assert found is not None
    return found


def actor_of(session: Session, username: str) -> Actor:
    """The signed-in actor of a user, with their roles."""
    user = session.scalar(select(User).where(User.username == username))
    assert user is not None
    roles = frozenset(Role(r) for r in user.role_names)
    return Actor(user.username, user.id, user.department_id, user.department.path, roles)


def platform_target(root: Path, name: str, department: str, url: str) -> None:
    """A department's platform taking its inspection records over HTTP."""
    body = {
        "name": name,
        "title": f"{department} 检查平台",
        "owner": department,
        "record_types": ["inspection"],
        "filter": {"departments": [department]},
        "fields": {
            "JCBH": "number",
            "QYMC": "entity_name",
            "JCRQ": "inspected_on",
            "JCRY": "inspectors",
            "JCSX": "items",
            "JCJG": "result",
            "CLYJ": "follow_up",
        },
        "transport": {"kind": "http", "url": url},
    }
    (root / "targets").mkdir(exist_ok=True)
    (root / "targets" / f"{name}.yaml").write_text(yaml.safe_dump(body, allow_unicode=True), "utf-8")
