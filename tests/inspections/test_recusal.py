"""回避 after the draw: a relation declared once the teams are drawn keeps its inspector off the firm all the same,
as a replacement passed over and as a member whose team cannot enter results until they are replaced."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.inspections.register import CLASSES, actor_of
from tests.inspections.test_draws import TODAY, plan
from tests.inspections.test_visits import FINDINGS, drawn
from zhizhi.config import Workspace
from zhizhi.errors import ConflictError
from zhizhi.inspections import (
    PlanRules,
    assign,
    declare_relation,
    record_results,
    refresh_targets,
    set_inspector,
    visit_view,
)
from zhizhi.inspections.algorithm import replacement
from zhizhi.inspections.inspectors import relations_of
from zhizhi.inspections.plans import frozen_path
from zhizhi.inspections.snapshot import read
from zhizhi.inspections.visits import team_of
from zhizhi.store.tables import AuditEvent, Entity, InspectionDraw, InspectionVisit, Inspector, User


def _with_two_replacements(session: Session, workspace: Workspace) -> tuple[InspectionVisit, list[int], int, int]:
    """A visit whose drawn order holds two replacements at least, its team and the first two replacements."""
    for visit in session.scalars(select(InspectionVisit).order_by(InspectionVisit.rank)):
        team = [m["user_id"] for m in visit_view(session, OPERATOR, visit)["team"]]
        draw = session.get_one(InspectionDraw, visit.draw_id)
        population, _ = read(workspace.data_dir / str(draw.snapshot_file))
        seed = bytes.fromhex(str(draw.seed))
        first, _ = replacement(population, seed, visit.entity_id, set(team))
        second = replacement(population, seed, visit.entity_id, {*team, first})[0] if first is not None else None
        if first is not None and second is not None:
            return visit, team, first, second
    raise AssertionError("no visit with two replacements")


def _declare_relation(session: Session, visit: InspectionVisit, user: User) -> None:
    declare_relation(session, OPERATOR, user.username, visit.entity_id, "配偶经营")


def _move_into_the_firms_office(session: Session, visit: InspectionVisit, user: User) -> None:
    assert visit.office_id is not None
    session.get_one(Inspector, user.id).office_id = visit.office_id  # transferred there after the draw


def _take_the_certificate_off(session: Session, visit: InspectionVisit, user: User) -> None:
    set_inspector(session, OPERATOR, user.username, certificate="")  # an inspector shows one (行政处罚法 Art 55)


@pytest.mark.parametrize(
    ("change", "reason"),
    [(_declare_relation, "relation"), (_move_into_the_firms_office, "own_office"),
     (_take_the_certificate_off, "no_certificate")],
    ids=["relation declared", "moved into the firm's office", "certificate taken off"],
)  # fmt: skip
def test_the_draws_next_inspector_changed_since_the_draw_is_passed_over_with_why(
    workspace: Workspace,
    city: sessionmaker[Session],
    change: Callable[[Session, InspectionVisit, User], None],
    reason: str,
) -> None:
    """A relation declared after the draw (回避 holds whenever it is declared), a move into the firm's office (when the
    plan keeps the own office off), a certificate taken off: the replacement is the next of the draw's order, and the
    ledger's entry says why the first was passed over."""
    drawn(city, workspace)
    with city() as session, session.begin():
        visit, team, expected, second = _with_two_replacements(session, workspace)
        passed = session.get_one(User, expected)
        change(session, visit, passed)
        leaving = session.get_one(User, team[0]).username
        done = assign(session, OPERATOR, workspace, visit.number, replace=leaving, reason="病假")["replaced"]
        added = session.get_one(User, second).username
    assert done["added"] == added != passed.username
    assert [expected, reason] in done["passed_over"]


def test_a_member_who_declares_a_relation_must_be_replaced_before_results_are_entered(
    workspace: Workspace, city: sessionmaker[Session]
) -> None:
    drawn(city, workspace)
    with city() as session, session.begin():
        visit, *_ = _with_two_replacements(session, workspace)
        number, entity = visit.number, visit.entity_id
        team = [m["username"] for m in visit_view(session, OPERATOR, visit)["team"]]
        declare_relation(session, OPERATOR, team[1], entity, "曾为该企业股东")
    findings = {code: FINDINGS[code] for code in _items(city, number)}
    with city() as session, session.begin(), pytest.raises(ConflictError) as refused:
        record_results(
            session,
            actor_of(session, team[0]),
            workspace,
            number,
            findings=findings,
            inspected_on=TODAY,
            acknowledgement="absent",
            today=TODAY,
        )
    assert team[1] in refused.value.message and "--replace" in refused.value.message
    assert team[1] in refused.value.message_zh or ""
    with city() as session, session.begin():
        assign(session, OPERATOR, workspace, number, replace=team[1], reason="申报回避")
        record_results(
            session,
            actor_of(session, team[0]),
            workspace,
            number,
            findings=findings,
            inspected_on=TODAY,
            acknowledgement="absent",
            today=TODAY,
        )


def _items(city: sessionmaker[Session], number: str) -> list[str]:
    with city() as session:
        visit = session.scalars(select(InspectionVisit).where(InspectionVisit.number == number)).one()
        return [i["code"] for i in visit_view(session, OPERATOR, visit)["items"]]


def test_a_member_who_left_before_the_day_of_the_visit_must_be_replaced(
    workspace: Workspace, city: sessionmaker[Session]
) -> None:
    drawn(city, workspace)
    with city() as session, session.begin():
        visit, *_ = _with_two_replacements(session, workspace)
        number = visit.number
        team = [m["username"] for m in visit_view(session, OPERATOR, visit)["team"]]
        left = session.scalars(select(User).where(User.username == team[1])).one()
        left.is_active, left.disabled_at = False, datetime(2026, 10, 9, 2, 0, tzinfo=UTC)
    findings = {code: FINDINGS[code] for code in _items(city, number)}

    def enter(day: date) -> None:
        with city() as session, session.begin():
            record_results(
                session,
                actor_of(session, team[0]),
                workspace,
                number,
                findings=findings,
                inspected_on=day,
                acknowledgement="absent",
                today=day,
            )

    with pytest.raises(ConflictError) as refused:
        enter(date(2026, 10, 10))
    assert team[1] in refused.value.message and "2026-10-09" in refused.value.message
    enter(TODAY)  # inspected on their last day: the results stand


def _merge(session: Session, merged: int, kept: int) -> None:
    """The register merges entity `merged` into `kept` (as a resolution run or a review decision writes it)."""
    session.get_one(Entity, merged).status, session.get_one(Entity, merged).merged_into = "merged", kept
    session.flush()


def test_a_relation_with_or_a_visit_to_a_firm_merged_since_keeps_the_inspector_off_the_firm_it_joined(
    workspace: Workspace, city: sessionmaker[Session]
) -> None:
    """Entity B, visited by a team and with a relation declared, is merged into A: the next plan's population holds
    both as conflicts with A (回避 and the recent-inspector rule follow the firm, not its old id), and a relation
    declared on B after the merge is kept against A."""
    drawn(city, workspace)
    with city() as session, session.begin():
        visit = session.scalars(select(InspectionVisit).order_by(InspectionVisit.rank)).first()
        assert visit is not None
        merged, team = visit.entity_id, set(team_of(session, visit))
        kept = next(e for e in range(1, 61) if e != merged)
        others = session.scalars(select(User).join(Inspector).where(User.id.not_in(team)).order_by(User.id)).all()
        before, after = others[:2]
        declare_relation(session, OPERATOR, before.username, merged, "配偶经营")
        _merge(session, merged, kept)
        declare_relation(session, OPERATOR, after.username, merged, "曾为该企业股东")
        assert {r["entity_id"] for r in relations_of(session, OPERATOR, after.username)} == {kept}
        refresh_targets(session, OPERATOR)
        every = PlanRules(items=["SP-01"], proportions=dict.fromkeys(CLASSES, 100))
        number = plan(session, workspace, "2026Q4B", every)
        before_id, after_id = before.id, after.id
    population, _ = read(frozen_path(workspace.keys_dir, number))
    assert merged not in {t.id for t in population.targets} and kept in {t.id for t in population.targets}
    assert population.conflicts[(before_id, kept)] == population.conflicts[(after_id, kept)] == "relation"
    assert {population.conflicts.get((member, kept)) for member in team} == {"recent_inspector"}


def test_a_member_related_to_a_firm_merged_into_the_visits_firm_must_be_replaced(
    workspace: Workspace, city: sessionmaker[Session]
) -> None:
    """A relation declared on a firm that is later merged into the visit's firm refuses the results, naming the
    member, as one declared on the visit's firm does."""
    drawn(city, workspace)
    with city() as session, session.begin():
        visit, *_ = _with_two_replacements(session, workspace)
        number, kept = visit.number, visit.entity_id
        team = [m["username"] for m in visit_view(session, OPERATOR, visit)["team"]]
        merged = next(e for e in range(1, 61) if e != kept)
        declare_relation(session, OPERATOR, team[1], merged, "配偶经营")
        _merge(session, merged, kept)
    findings = {code: FINDINGS[code] for code in _items(city, number)}
    with city() as session, session.begin(), pytest.raises(ConflictError) as refused:
        record_results(
            session,
            actor_of(session, team[0]),
            workspace,
            number,
            findings=findings,
            inspected_on=TODAY,
            acknowledgement="absent",
            today=TODAY,
        )
    assert team[1] in refused.value.message and "--replace" in refused.value.message


def test_a_relation_is_audited_with_the_numbers_and_the_firms_representative_masked(
    workspace: Workspace, city: sessionmaker[Session]
) -> None:
    """The audit trail is never erased and auditors read masked data: a declaration naming a relative and their
    phone was kept there as written. The inspector's own declaration keeps its words (it is what the rule reads)."""
    drawn(city, workspace)
    with city() as session, session.begin():
        firm = session.get_one(Entity, 7)
        firm.golden = json.dumps({**json.loads(firm.golden or "{}"), "legal_representative": {"value": "覃秀英"}})
        inspector = session.scalars(select(User).join(Inspector).order_by(User.id)).first()
        assert inspector is not None
        declare_relation(session, OPERATOR, inspector.username, 7, "配偶覃秀英为法定代表人，电话13812345678")
        username = inspector.username
    with city() as session:
        detail = session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "inspector.relation").order_by(AuditEvent.seq.desc())
        ).first()
        kept = relations_of(session, OPERATOR, username)[0]["relation"]
    assert detail is not None and "13812345678" not in detail and "覃秀英" not in detail
    assert "配偶覃**为法定代表人，电话138****5678" in json.loads(detail)["relation"]
    assert kept == "配偶覃秀英为法定代表人，电话13812345678"
