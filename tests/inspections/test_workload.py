"""Workload in numbers: draws, visits and open items per office and inspector, against a hand-counted fixture."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from zhizhi.inspections import Workload, workload_counts
from zhizhi.store.tables import (
    Department,
    Entity,
    InspectionDraw,
    InspectionItem,
    InspectionPlan,
    InspectionVisit,
    Inspector,
    User,
    VisitInspector,
    VisitItem,
)

NOW = datetime(2026, 10, 9, 2, 0, tzinfo=UTC)


def _ids(session: Session, model: type, column: str, values: list[str]) -> list[int]:
    return [session.scalar(select(model.id).where(getattr(model, column) == v)) for v in values]


def test_workload_counts_match_the_hand_count(city: sessionmaker[Session]) -> None:
    with city() as session, session.begin():
        zn, gy, sp = _ids(session, Department, "code", ["LZ-CZ-ZN", "LZ-CZ-GY", "LZ-SP"])
        zhou, chen, wu = _ids(session, User, "username", ["zhongnan", "chengzhong", "yufeng"])
        session.add(
            Inspector(user_id=chen, office_id=gy, qualifications="", available=True, updated_at=NOW, updated_by="t")
        )  # fmt: skip  (chen inspects for 公园所, not his county office)
        for n in (1, 2, 3):
            session.add(
                Entity(id=n, status="active", name=f"店{n}", golden="{}", records=1, created_at=NOW, updated_at=NOW)
            )
        item_a = InspectionItem(
            code="A",
            name="a",
            legal_basis="x",
            department_id=sp,
            record_types="entity",
            active=True,
            updated_at=NOW,
            updated_by="t",
        )
        item_b = InspectionItem(
            code="B",
            name="b",
            legal_basis="x",
            department_id=sp,
            record_types="entity",
            active=True,
            updated_at=NOW,
            updated_by="t",
        )
        plan = InspectionPlan(
            number="P1",
            title="p",
            department_id=sp,
            period_start=date(2026, 10, 1),
            period_end=date(2026, 12, 31),
            rules="{}",
            created_by="t",
            created_at=NOW,
        )
        session.add_all([item_a, item_b, plan])
        session.flush()
        draw = InspectionDraw(
            number="D1",
            plan_id=plan.id,
            status="drawn",
            seed_hash="0" * 64,
            commit_seq=1,
            committed_at=NOW,
            committed_by="t",
            drawn_at=NOW,
        )
        old = InspectionDraw(
            number="D0",
            plan_id=plan.id,
            status="drawn",
            seed_hash="1" * 64,
            commit_seq=1,
            committed_at=NOW,
            committed_by="t",
            drawn_at=datetime(2026, 8, 1, tzinfo=UTC),
        )
        session.add_all([draw, old])
        session.flush()

        def visit(
            number: str, entity: int, draw_id: int, team: list[int], results: list[str | None], **days: date
        ) -> None:
            v = InspectionVisit(
                number=number,
                draw_id=draw_id,
                entity_id=entity,
                entity_name="x",
                department_id=sp,
                status="done" if all(results) else "assigned",
                created_at=NOW,
                **days,
            )
            session.add(v)
            session.flush()
            for i, user in enumerate(team):
                session.add(VisitInspector(visit_id=v.id, user_id=user, position=i, how="drawn"))
            for item, result in zip((item_a, item_b), results, strict=False):
                session.add(VisitItem(visit_id=v.id, item_id=item.id, department_id=sp, result=result))

        visit("V1", 1, draw.id, [zhou, chen], [None, None])  # drawn 9 Oct, not planned: October, 2 open
        visit("V2", 2, draw.id, [zhou, wu], ["pass", None], planned_on=date(2026, 10, 20))  # October, 1 open
        visit("V3", 3, draw.id, [wu, chen], ["pass", "pass"], inspected_on=date(2026, 11, 3))  # November
        visit("V4", 3, old.id, [zhou, wu], ["pass"], inspected_on=date(2026, 8, 5))  # August
    with city() as session:
        october = workload_counts(session, date(2026, 10, 1), date(2026, 10, 31))
        yf = session.scalar(select(Department.id).where(Department.code == "LZ-YF"))
    # zhou (中南所): V1, V2 in October (3 open items); one draw. chen (公园所 by the register): V1 (2 open).
    assert october.inspectors[zhou] == Workload(draws=1, visits=2, open_items=3)
    assert october.inspectors[chen] == Workload(draws=1, visits=1, open_items=2)
    assert october.inspectors[wu] == Workload(draws=1, visits=1, open_items=1)
    assert october.departments[zn] == Workload(draws=1, visits=2, open_items=3)
    assert october.departments[gy] == Workload(draws=1, visits=1, open_items=2)
    assert october.departments[yf] == Workload(draws=1, visits=1, open_items=1)
    assert october.departments[sp] == Workload(draws=1, visits=0, open_items=0)  # organised D1, sent nobody
    with city() as session:
        november = workload_counts(session, date(2026, 11, 1), date(2026, 11, 30))
        august = workload_counts(session, date(2026, 8, 1), date(2026, 8, 31))
    assert november.inspectors == {wu: Workload(0, 1, 0), chen: Workload(0, 1, 0)}
    assert august.inspectors == {zhou: Workload(1, 1, 0), wu: Workload(1, 1, 0)}
