"""The demo city's random inspections, as `zhizhi demo` builds them: a quarter's plan with one draw that checks out, a
joint visit entered once and received by both its departments' platforms, and the results published on time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from zhizhi.access import Actor
from zhizhi.cli.main import app
from zhizhi.config import load_workspace
from zhizhi.demo.draws import quarter, run_demo_draws
from zhizhi.demo.ingest import demo_today
from zhizhi.hotline import load_calendar
from zhizhi.inspections import clock, verify_draw, visit_view
from zhizhi.store import make_engine, make_sessionmaker
from zhizhi.store.tables import InspectionDraw, InspectionPlan, InspectionPublication, InspectionVisit

OPERATOR = Actor.operator("cli:test")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, sessionmaker[Session]]]:
    root = tmp_path_factory.mktemp("demo") / "city"
    result = CliRunner().invoke(app, ["demo", str(root), "--no-serve"])
    assert result.exit_code == 0, result.output
    engine = make_engine(f"sqlite:///{root / 'data' / 'zhizhi.db'}")
    yield root, make_sessionmaker(engine)
    engine.dispose()


def test_the_demo_has_a_quarters_plan_with_one_draw_a_joint_visit_delivered_and_results_published(
    demo: tuple[Path, sessionmaker[Session]],
) -> None:
    root, sessions = demo
    workspace = load_workspace(root)
    number, _, _ = quarter(demo_today())
    with sessions() as session:
        (plan,) = session.scalars(select(InspectionPlan)).all()
        (draw,) = session.scalars(select(InspectionDraw)).all()
        assert plan.number == number and draw.status == "drawn"
        assert verify_draw(session, OPERATOR, workspace, draw.number).ok
        done = session.scalars(select(InspectionVisit).where(InspectionVisit.status == "done")).all()
        views = [visit_view(session, OPERATOR, v) for v in done]
        joint = next(v for v in views if v["joint"])
        assert len(joint["departments"]) >= 2 and all(i["record_id"] for i in joint["items"])
        assert session.scalar(select(func.count()).select_from(InspectionPublication)) == 1
        calendar = load_calendar(root)
        assert {clock(calendar, v, demo_today())["status"] for v in done} == {"published"}
    # Each department of the joint visit received its record, as its platform's file.
    for department in {i["department"] for i in joint["items"]}:
        files = list((root / "data" / "platforms" / f"inspections-{department.lower()}").glob("*.csv"))
        assert any(f"{joint['number']}-{department}" in f.read_text(encoding="utf-8-sig") for f in files), department
    with sessions() as session:
        assert run_demo_draws(sessions, workspace, demo_today()) is None  # a rerun changes nothing
        assert session.scalar(select(func.count()).select_from(InspectionDraw)) == 1
