"""A draw cannot be steered by whoever can read the committed seed: the population is frozen, and its hash committed
beside the seed's, before the seed exists anywhere; a plan drawn again voids the draw still waiting, revealing its
seed, so that nobody can keep two seeds and run the one they like."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.inspections import register
from tests.inspections.test_draws import TODAY, plan
from zhizhi.config import Workspace
from zhizhi.errors import ConflictError
from zhizhi.inspections import algorithm, run_draw, snapshot, staff, verify_draw
from zhizhi.inspections.items import items_by_code
from zhizhi.inspections.plans import PlanRules, new_draw, seed_path
from zhizhi.store.tables import (
    InspectionDraw,
    InspectionPlan,
    InspectionTarget,
    InspectionVisit,
    InspectorRelation,
    LedgerEntry,
    VisitInspector,
)
from zhizhi.store.types import utcnow


def _predict(session: Session, workspace: Workspace, number: str) -> algorithm.Result:
    """What someone holding the seed file computes before the draw, from the registers as they stand."""
    seed = bytes.fromhex(seed_path(workspace.keys_dir, number).read_text().strip())
    draw = session.scalars(select(InspectionDraw).where(InspectionDraw.number == number)).one()
    rules = json.loads(session.get_one(InspectionPlan, draw.plan_id).rules)
    header = {"draw": number, "plan": "x", "seed_hash": draw.seed_hash, "rules": rules}
    population = snapshot.freeze(session, header, items_by_code(session, rules["items"]), TODAY)
    return algorithm.draw(population, seed)


def test_the_registers_changed_after_the_commitment_do_not_change_the_draw(
    workspace: Workspace, city: sessionmaker[Session]
) -> None:
    with city() as session, session.begin():
        register.build(session)
        number = plan(session, workspace)
    with city() as session, session.begin():
        predicted = _predict(session, workspace, number)
        spared = predicted.selected[0]
        # The firm the seed would pick is moved to another class by hand, and its team declares relations with it.
        session.execute(
            update(InspectionTarget).where(InspectionTarget.entity_id == spared.target).values(risk_class="low")
        )
        for user_id in spared.team:
            session.add(
                InspectorRelation(
                    user_id=user_id, entity_id=spared.target, relation="亲属", declared_at=utcnow(), declared_by="t"
                )
            )
    with city() as session, session.begin():
        run_draw(session, OPERATOR, workspace, number)
    with city() as session:
        drawn = set(session.scalars(select(InspectionVisit.entity_id)))
        assert spared.target in drawn
        assert drawn == {p.target for p in predicted.selected}
        (commit,) = session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "draw.commit")).all()
        draw = session.scalars(select(InspectionDraw).where(InspectionDraw.number == number)).one()
        assert json.loads(commit.payload)["snapshot_hash"] == draw.snapshot_hash
        assert verify_draw(session, OPERATOR, workspace, number).ok


def test_a_redraw_voids_the_draw_still_waiting_and_reveals_its_seed(
    workspace: Workspace, city: sessionmaker[Session]
) -> None:
    with city() as session, session.begin():
        register.build(session)
        first = plan(session, workspace)
    with city() as session, session.begin():
        second = new_draw(session, OPERATOR, workspace.keys_dir, "2026Q4", "种子文件丢失").number
    with city() as session, session.begin(), pytest.raises(ConflictError, match="void"):
        run_draw(session, OPERATOR, workspace, first)
    with city() as session:
        (void,) = session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "draw.void")).all()
        payload = json.loads(void.payload)
        assert payload["draw"] == first and payload["by"] == second and len(payload["seed"]) == 64
    with city() as session, session.begin():
        assert run_draw(session, OPERATOR, workspace, second)["status"] == "drawn"



def test_a_target_gone_from_the_register_after_the_commitment_is_still_visited_by_its_name(
    workspace: Workspace, city: sessionmaker[Session]
) -> None:
    with city() as session, session.begin():
        register.build(session)
        number = plan(session, workspace)
    with city() as session, session.begin():
        gone = _predict(session, workspace, number).selected[0].target
        session.execute(delete(InspectionTarget).where(InspectionTarget.entity_id == gone))  # a rebuild after a merge
    with city() as session, session.begin():
        run_draw(session, OPERATOR, workspace, number)
    with city() as session:
        visit = session.scalars(select(InspectionVisit).where(InspectionVisit.entity_id == gone)).one()
        assert visit.entity_name == f"柳州市测试{gone}号商行"


def test_a_second_plan_like_one_whose_draw_waits_is_refused(workspace: Workspace, city: sessionmaker[Session]) -> None:
    """Else a plan whose seed was read and disliked could be dropped for a twin plan, out of its auditors' sight."""
    with city() as session, session.begin():
        register.build(session)
        first = plan(session, workspace)
    with city() as session, session.begin(), pytest.raises(ConflictError) as refused:
        plan(session, workspace, "2026Q4-B")
    assert first in refused.value.message and "redraw 2026Q4" in refused.value.message
    with city() as session, session.begin():
        run_draw(session, OPERATOR, workspace, first)
    with city() as session, session.begin():
        assert plan(session, workspace, "2026Q4-B")  # once the first is drawn, its visits are on record


def test_a_twin_plan_written_otherwise_is_refused_too(workspace: Workspace, city: sessionmaker[Session]) -> None:
    """The same firms under another filter (the city's division prefix, the classes spelt out) are the same
    population: the plan is refused while the first draw waits, naming it and the firms both hold."""
    from tests.inspections.test_draws import RULES

    with city() as session, session.begin():
        register.build(session)
        first = plan(session, workspace)
        divisions = {d[:2] for d in session.scalars(select(InspectionTarget.division_code)) if d}
    twin = RULES.model_copy(update={"population": RULES.population.model_copy(
        update={"divisions": sorted(divisions), "classes": ["high", "medium", "low"]})})  # fmt: skip
    assert twin.committed()["population"] != RULES.committed()["population"]
    with city() as session, session.begin(), pytest.raises(ConflictError) as refused:
        plan(session, workspace, "2026Q4-B", twin)
    assert first in refused.value.message and "firm(s) in both" in refused.value.message


def test_a_waiting_staffing_draw_holds_its_own_firms_only_and_is_to_be_run(
    workspace: Workspace, city: sessionmaker[Session]
) -> None:
    """A staffing draw of one firm waits: a plan sharing that firm is refused with the staffing draw to run (a redraw
    of its plan would void it and draw the whole city again), and a plan over another district is taken (it was
    refused as if the whole plan's population waited)."""
    from tests.inspections.test_draws import RULES

    with city() as session, session.begin():
        register.build(session)
        number = plan(session, workspace)
    with city() as session, session.begin():
        run_draw(session, OPERATOR, workspace, number)
    with city() as session, session.begin():
        visit = next(v for v in session.scalars(select(InspectionVisit).order_by(InspectionVisit.rank))
                     if v.entity_id % 2 == 0)  # fmt: skip
        team = session.scalars(select(VisitInspector.user_id).where(VisitInspector.visit_id == visit.id)).all()
        for i in (1, 3, 5, 7, 9, 11):  # every inspector of lifts but one of the team: nobody left to replace
            if (user_id := register.user_id(session, f"insp{i}")) != team[1]:
                session.add(InspectorRelation(user_id=user_id, entity_id=visit.entity_id, relation="亲属经营",
                                              declared_at=utcnow(), declared_by="t"))  # fmt: skip
        firm, stuck = visit.entity_id, visit.number
    with city() as session, session.begin():
        second = staff(session, OPERATOR, workspace, number, "检查组无法补齐", visit=stuck, today=TODAY).number
    with city() as session, session.begin(), pytest.raises(ConflictError) as refused:
        plan(session, workspace, "2026Q4-B")
    said = refused.value.message
    assert second in said and f"inspections draw {second}" in said and "inspections redraw" not in said
    assert "1 firm(s)" in said and f"inspections draw {second}" in (refused.value.message_zh or "")
    elsewhere = next(d for d in register.DIVISIONS if d != register.DIVISIONS[firm % 3])
    district = RULES.model_copy(update={"population": RULES.population.model_copy(update={"divisions": [elsewhere]})})
    with city() as session, session.begin():
        assert plan(session, workspace, "2026Q4-C", district) == "2026Q4-C-1"


def test_plans_over_other_firms_may_wait_side_by_side(workspace: Workspace, city: sessionmaker[Session]) -> None:
    """Two districts' plans share no firm: the second is taken while the first waits; a third over one of them,
    written as a shorter prefix of its code, is refused."""
    from tests.inspections.test_draws import RULES

    def within(*divisions: str) -> PlanRules:
        return RULES.model_copy(update={"population": RULES.population.model_copy(update={"divisions": [*divisions]})})

    with city() as session, session.begin():
        register.build(session)
        plan(session, workspace, "A", within(register.DIVISIONS[0]))
        plan(session, workspace, "B", within(register.DIVISIONS[1]))
    with city() as session, session.begin(), pytest.raises(ConflictError, match="A-1"):
        plan(session, workspace, "C", within(register.DIVISIONS[0][:4]))

