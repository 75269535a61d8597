"""Draws in the store: the seed's hash is in the ledger before anything is drawn, the draw makes visits of two
inspectors at least with the exclusions shown, and it is reproduced from the seed and the frozen snapshot, by
zhizhi and from an exported package; a changed snapshot, result or seed is caught."""

from __future__ import annotations

import gzip
import hashlib
import json
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.inspections import register
from zhizhi.config import Workspace
from zhizhi.errors import ConflictError
from zhizhi.inspections import (
    PlanRules,
    Verification,
    add_photo,
    algorithm,
    assign,
    create_plan,
    export_package,
    list_inspectors,
    photo_file,
    run_draw,
    set_inspector,
    staff,
    verify_draw,
    verify_package,
    visit_view,
)
from zhizhi.inspections.draws import draw_folder
from zhizhi.inspections.plans import frozen_path, seed_path
from zhizhi.store.tables import (
    Department,
    DrawExclusion,
    InspectionDraw,
    InspectionVisit,
    Inspector,
    InspectorRelation,
    LedgerEntry,
    User,
    VisitInspector,
    VisitItem,
)
from zhizhi.store.types import utcnow

TODAY = date(2026, 10, 9)
RULES = PlanRules(items=["SP-01", "TS-01"], proportions={"high": 50, "medium": 20, "low": 10})


def plan(session: Session, workspace: Workspace, number: str = "2026Q4", rules: PlanRules = RULES) -> str:
    draw = create_plan(
        session,
        OPERATOR,
        workspace.keys_dir,
        number=number,
        title="2026年第四季度双随机抽查",
        department="LZ-XY",
        first=date(2026, 10, 1),
        last=date(2026, 12, 31),
        rules=rules,
        today=TODAY,
    )
    return draw.number


def test_a_draw_commits_first_draws_and_is_reproduced_from_its_seed(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    with city() as session, session.begin():
        build(session)
        number = plan(session, workspace)
    with city() as session:
        (commit,) = session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "draw.commit")).all()
        payload = json.loads(commit.payload)
        assert payload["draw"] == number and len(payload["seed_hash"]) == 64 and "seed" not in payload
        assert payload["rules"]["proportions"] == {"high": "50", "medium": "20", "low": "10"}
        assert not session.scalars(select(InspectionVisit)).all()  # nothing drawn yet
    assert seed_path(workspace.keys_dir, number).stat().st_mode & 0o077 == 0
    with city() as session, session.begin():
        drawn = run_draw(session, OPERATOR, workspace, number)
    assert drawn["seed"] and drawn["reveal_seq"] > drawn["commit_seq"]
    # 60 targets, 20 per class: 10 high, 4 medium, 2 low.
    assert drawn["summary"]["counts"] == {
        "high": {"eligible": 20, "drawn": 10},
        "medium": {"eligible": 20, "drawn": 4},
        "low": {"eligible": 20, "drawn": 2},
    }
    assert drawn["summary"]["visits"] == 16 and drawn["summary"]["joint_visits"] > 0
    with city() as session:
        _check_visits(session)
        assert verify_draw(session, OPERATOR, workspace, number).ok
        files = export_package(session, OPERATOR, workspace, number, tmp_path / "package")
    with city() as session, session.begin(), pytest.raises(ConflictError, match="run once"):
        run_draw(session, OPERATOR, workspace, number)
    package = tmp_path / "package"
    assert {f.name for f in files} == {
        "draw.json",
        "snapshot.jsonl.gz",
        "result.json",
        "commit-proof.json",
        "reveal-proof.json",
    }
    checked = verify_package(package)
    assert checked.ok, checked.checks
    # A snapshot with one target more: the hash no longer matches the reveal, and the draw may differ.
    lines = gzip.decompress((package / "snapshot.jsonl.gz").read_bytes()).decode().splitlines(keepends=True)
    extra = lines[-1].replace('"id":60', '"id":61') if '"id":60' in lines[-1] else lines[-1]
    (package / "snapshot.jsonl.gz").write_bytes(gzip.compress("".join([*lines, extra]).encode(), mtime=0))
    assert _failed(verify_package(package)) >= {"snapshot intact"}
    # The original back, but a result file changed by hand.
    (package / "snapshot.jsonl.gz").write_bytes(gzip.compress("".join(lines).encode(), mtime=0))
    assert verify_package(package).ok
    result = json.loads((package / "result.json").read_text())
    result["selected"][0]["team"].reverse()
    (package / "result.json").write_text(json.dumps(result))
    assert _failed(verify_package(package)) == {"draw reproduced"}


def _failed(found: Verification) -> set[str]:
    return {c["check"] for c in found.checks if not c["ok"]}


def _check_visits(session: Session) -> None:
    """Two inspectors a visit, none of the target's own office; every exclusion stored names its rule."""
    paths = {d.id: d.path for d in session.scalars(select(Department))}
    offices = {i.user_id: i.office_id for i in session.scalars(select(Inspector))}
    for visit in session.scalars(select(InspectionVisit)):
        team = session.scalars(select(VisitInspector.user_id).where(VisitInspector.visit_id == visit.id)).all()
        assert len(team) == 2
        assert visit.office_id is not None
        assert not any(paths[offices[u]].startswith(paths[visit.office_id]) for u in team)
        items = session.scalars(select(VisitItem.item_id).where(VisitItem.visit_id == visit.id)).all()
        assert len(items) == (2 if visit.entity_id % 2 == 0 else 1)
    rules = set(session.scalars(select(DrawExclusion.rule)))
    assert rules <= {"own_office", "relation", "recent_inspector", "recent_target", "recent_thinned"}
    assert "own_office" in rules


def test_a_changed_seed_file_is_refused_and_a_relation_keeps_the_inspector_off(
    workspace: Workspace, city: sessionmaker[Session]
) -> None:
    # Every inspector but four declared a relation with every entity: only those four are ever sent (two of
    # 公园所 and two of 河西所, so that each target has two not of its own office), and every other candidate the
    # draw comes upon is passed over for the relation, shown.
    free = {"insp1", "insp3", "insp5", "insp7"}
    with city() as session, session.begin():
        build(session)
        related = set(session.scalars(select(Inspector.user_id))) - {city_user(session, u) for u in free}
        for user_id in related:
            for entity in range(1, 61):
                session.add(
                    InspectorRelation(
                        user_id=user_id, entity_id=entity, relation="亲属经营", declared_at=utcnow(), declared_by="t"
                    )
                )
    with city() as session, session.begin():
        number = plan(session, workspace)
    path = seed_path(workspace.keys_dir, number)
    original = path.read_text()
    path.write_text("00" * 32)
    with city() as session, session.begin(), pytest.raises(ConflictError, match="does not match the hash"):
        run_draw(session, OPERATOR, workspace, number)
    path.write_text(original)
    frozen = frozen_path(workspace.keys_dir, number)
    kept = frozen.read_bytes()
    frozen.write_bytes(gzip.compress(gzip.decompress(kept).replace(b'"recent":false', b'"recent":true'), mtime=0))
    with city() as session, session.begin(), pytest.raises(ConflictError, match="population frozen"):
        run_draw(session, OPERATOR, workspace, number)
    frozen.write_bytes(kept)
    with city() as session, session.begin():
        run_draw(session, OPERATOR, workspace, number)
    with city() as session:
        sent = set(session.scalars(select(VisitInspector.user_id)))
        assert sent and not sent & related
        shown = session.scalars(select(DrawExclusion.user_id).where(DrawExclusion.rule == "relation")).all()
        assert shown and set(shown) <= related
        assert verify_draw(session, OPERATOR, workspace, number).ok


def test_a_plan_with_no_item_or_proportion_is_refused_naming_each_problem() -> None:
    from zhizhi.errors import InputError
    from zhizhi.inspections import parse_rules

    with pytest.raises(InputError) as refused:
        parse_rules({"items": [], "proportions": {"high": 0}, "team_size": 1}, "plan.yaml")
    message = refused.value.message
    assert "`items`" in message and "`proportions`" in message and "`team_size`" in message


city_user, build = register.user_id, register.build


def test_a_plan_drawing_lower_risk_more_often_than_higher_risk_is_refused() -> None:
    from zhizhi.errors import InputError
    from zhizhi.inspections import parse_rules

    with pytest.raises(InputError) as refused:
        parse_rules({"items": ["SP-01"], "proportions": {"high": 2, "medium": 5, "low": 10}}, "plan.yaml")
    assert "`high` (2%) below `medium` (5%)" in refused.value.message
    assert "`medium` (5%) below `low` (10%)" in refused.value.message
    assert "风险" in (refused.value.message_zh or "")
    assert parse_rules({"items": ["SP-01"], "proportions": {"high": 20, "medium": 20, "low": 1}}, "plan.yaml")
    assert parse_rules({"items": ["SP-01"], "proportions": {"high": 100}}, "plan.yaml")  # the others at 0 %
    # A class not given, or left out of the population, is drawn at 0 %: leaving the high class out drew only the
    # low-risk firms and none of the high-risk ones.
    with pytest.raises(InputError) as refused:
        parse_rules({"items": ["SP-01"], "proportions": {"low": 10}}, "plan.yaml")
    assert "`medium` (0%, not given) below `low` (10%)" in refused.value.message
    with pytest.raises(InputError) as refused:
        parse_rules({"items": ["SP-01"], "population": {"classes": ["medium", "low"]},
                     "proportions": {"high": 50, "medium": 20, "low": 10}}, "plan.yaml")  # fmt: skip
    assert "`high` (0%, not given) below `medium` (20%)" in refused.value.message


def test_an_inspector_without_an_enforcement_certificate_is_never_drawn_and_the_register_says_why(
    workspace: Workspace, city: sessionmaker[Session]
) -> None:
    """An inspection is made by officers who show their enforcement certificates (行政处罚法 Art 42, 55): an
    inspector whose certificate is not recorded is left out of the frozen population, and the register says so."""
    without = {"insp2", "insp4", "insp6"}
    with city() as session, session.begin():
        build(session)
        for username in without:
            set_inspector(session, OPERATOR, username, certificate="  ")  # blank: no certificate
        number = plan(session, workspace)
    with city() as session, session.begin():
        run_draw(session, OPERATOR, workspace, number)
    with city() as session:
        ids = {city_user(session, u) for u in without}
        sent = set(session.scalars(select(VisitInspector.user_id)))
        assert sent and not sent & ids
        found = {i["username"]: i for i in list_inspectors(session, OPERATOR)}
        mine = {u: i["not_drawable"] for u, i in found.items() if u.startswith("insp")}
        assert {u for u, why in mine.items() if why} == without
        assert set(mine.values()) == {None, "no_certificate"}
        assert verify_draw(session, OPERATOR, workspace, number).ok


def test_the_firms_a_draw_left_unstaffed_get_a_staffing_draw_of_their_own(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """Only one inspector qualified for special equipment is free: the drawn firms that hold equipment get no team
    of two. Once the others are back, a staffing draw of those firms only (committed, revealed and verified like any
    draw) staffs each of them; a second staffing finds nothing left."""
    qualified = [f"insp{i}" for i in (3, 5, 7, 9, 11)]  # with insp1, those holding 特种设备
    with city() as session, session.begin():
        build(session)
        for username in qualified:
            set_inspector(session, OPERATOR, username, available=False)
        number = plan(session, workspace)
    with city() as session, session.begin():
        unstaffed = run_draw(session, OPERATOR, workspace, number)["summary"]["unstaffed"]
    assert unstaffed and all(entity % 2 == 0 for entity in unstaffed)  # the equipment holders
    with city() as session, session.begin():
        for username in qualified:
            set_inspector(session, OPERATOR, username, available=True)
        second = staff(session, OPERATOR, workspace, number, "特种设备检查员已恢复可派", today=TODAY).number
    with city() as session:
        commit = session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "draw.commit")).all()[-1]
        payload = json.loads(commit.payload)
        assert payload["draw"] == second and payload["staffs"] == number and payload["population"] == len(unstaffed)
    with city() as session, session.begin():
        summary = run_draw(session, OPERATOR, workspace, second)["summary"]
    assert summary["visits"] == len(unstaffed) and not summary["unstaffed"] and summary["staffs"] == number
    with city() as session:
        ids = {register.user_id(session, u) for u in ["insp1", *qualified]}
        visits = session.scalars(
            select(InspectionVisit).where(InspectionVisit.number.like(f"{second}-%"))
        ).all()  # fmt: skip
        assert {v.entity_id for v in visits} == set(unstaffed)
        for visit in visits:
            team = set(session.scalars(select(VisitInspector.user_id).where(VisitInspector.visit_id == visit.id)))
            assert len(team) == 2 and team <= ids  # two inspectors qualified for the equipment
        assert verify_draw(session, OPERATOR, workspace, second).ok
        export_package(session, OPERATOR, workspace, second, tmp_path / "staffing")
    assert verify_package(tmp_path / "staffing").ok
    with city() as session, session.begin(), pytest.raises(ConflictError, match="nothing to staff"):
        staff(session, OPERATOR, workspace, number, "再补一次", today=TODAY)


def test_a_result_file_or_a_visit_changed_after_the_draw_is_named_and_never_exported(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """The workspace's check re-ran the draw but never read the result file beside the snapshot: one changed by hand
    passed, and went out in the package. And a visit changed in the store was only "not as drawn": now named."""
    with city() as session, session.begin():
        build(session)
        number = plan(session, workspace)
    with city() as session, session.begin():
        run_draw(session, OPERATOR, workspace, number)
    path = draw_folder(workspace, number) / "result.json"
    kept = path.read_text(encoding="utf-8")
    result = json.loads(kept)
    result["selected"][0]["team"].reverse()
    path.write_text(algorithm.canonical(result) + "\n", encoding="utf-8")
    with city() as session:
        assert _failed(verify_draw(session, OPERATOR, workspace, number)) == {"result file as drawn"}
        with pytest.raises(ConflictError, match="not the result the ledger recorded"):
            export_package(session, OPERATOR, workspace, number, tmp_path / "package")
    assert not (tmp_path / "package").exists()
    path.write_text(kept, encoding="utf-8")
    with city() as session, session.begin():
        first, second = session.scalars(select(InspectionVisit).order_by(InspectionVisit.id)).all()[:2]
        moved, first.entity_id = first.entity_id, second.entity_id  # one firm's visit pointed at another's
    with city() as session:
        found = verify_draw(session, OPERATOR, workspace, number)
        (visits,) = [c for c in found.checks if c["check"] == "visits as drawn"]
        assert not visits["ok"] and f"entity {moved}: drawn but no visit" in visits["detail"]
        assert f"entity {second.entity_id}: team" in visits["detail"]


def _jpeg() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (32, 24), (30, 90, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_a_visit_whose_team_cannot_be_completed_gets_a_new_team_by_a_staffing_draw(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """A member of a lift firm's team declares 回避 and every other inspector qualified that day is related to the
    firm: nobody is left in the draw's order, and the refusal names the staffing draw to run. Once more inspectors are
    qualified, that staffing draw (committed, revealed, verified) gives the firm a new visit and team, free of the
    relations, and the old visit joins it; both draws still verify."""
    with city() as session, session.begin():
        build(session)
        number = plan(session, workspace)
    with city() as session, session.begin():
        run_draw(session, OPERATOR, workspace, number)
    with city() as session, session.begin():
        visit = next(v for v in session.scalars(select(InspectionVisit).order_by(InspectionVisit.rank))
                     if v.entity_id % 2 == 0)  # fmt: skip
        stuck, firm = visit.number, visit.entity_id
        team = list(session.scalars(select(VisitInspector.user_id).where(VisitInspector.visit_id == visit.id)))
        with pytest.raises(ConflictError, match="can still be completed"):
            staff(session, OPERATOR, workspace, number, "检查组无法补齐", visit=stuck)
        qualified = {register.user_id(session, f"insp{i}") for i in (1, 3, 5, 7, 9, 11)}
        related = qualified - {team[1]}  # the first member and every other inspector of lifts that day
        for user_id in related:
            session.add(InspectorRelation(user_id=user_id, entity_id=firm, relation="亲属经营", declared_at=utcnow(),
                                          declared_by="t"))  # fmt: skip
        leaving = session.get_one(User, team[0]).username
        photo = add_photo(session, OPERATOR, workspace, stuck, _jpeg(), item_code="TS-01")["id"]  # goes along
    with city() as session, session.begin(), pytest.raises(ConflictError) as refused:
        assign(session, OPERATOR, workspace, stuck, replace=leaving, reason="申报回避")
    assert f"inspections staff {number} --visit {stuck}" in refused.value.message
    with city() as session, session.begin():
        for i in (2, 4, 6, 8, 10, 12):  # certified for lifts since the draw
            set_inspector(session, OPERATOR, f"insp{i}", qualifications="特种设备")
        second = staff(session, OPERATOR, workspace, number, "检查组无法补齐", visit=stuck, today=TODAY).number
    with city() as session, session.begin():
        summary = run_draw(session, OPERATOR, workspace, second)["summary"]
    assert summary["visits"] == 1 and not summary["unstaffed"]
    with city() as session:
        old = session.scalars(select(InspectionVisit).where(InspectionVisit.number == stuck)).one()
        new = session.get_one(InspectionVisit, old.merged_into)
        assert old.status == "merged" and new.entity_id == firm and new.status == "assigned"
        members = set(session.scalars(select(VisitInspector.user_id).where(VisitInspector.visit_id == new.id)))
        assert len(members) == 2 and not members & related
        items = session.scalars(select(VisitItem.item_id).where(VisitItem.visit_id == new.id)).all()
        assert len(items) == 2  # SP-01 and TS-01
        assert [p["id"] for p in visit_view(session, OPERATOR, new)["photos"]] == [photo]
        assert photo_file(session, OPERATOR, workspace, new.number, photo)[0] == _jpeg()
        assert verify_draw(session, OPERATOR, workspace, second).ok
        assert verify_draw(session, OPERATOR, workspace, number).ok
        export_package(session, OPERATOR, workspace, second, tmp_path / "restaffed")
    assert verify_package(tmp_path / "restaffed").ok


def test_a_member_put_on_a_team_by_hand_is_named_and_a_drawn_replacement_passes(
    workspace: Workspace, city: sessionmaker[Session]
) -> None:
    """A replacement made by `assign --replace` (the next of the draw's order, in the ledger) verifies; a member
    swapped in the store by hand, with no ledger entry, is named and the draw is not reproduced as stored."""
    with city() as session, session.begin():
        build(session)
        number = plan(session, workspace)
    with city() as session, session.begin():
        run_draw(session, OPERATOR, workspace, number)
    with city() as session, session.begin():
        first, second = session.scalars(select(InspectionVisit).order_by(InspectionVisit.rank).limit(2)).all()
        team = list(session.scalars(select(VisitInspector.user_id).where(VisitInspector.visit_id == first.id)))
        assign(session, OPERATOR, workspace, first.number, replace=session.get_one(User, team[0]).username,
               reason="病假")  # fmt: skip
    with city() as session:
        assert verify_draw(session, OPERATOR, workspace, number).ok
    with city() as session, session.begin():
        members = session.scalars(select(VisitInspector).where(VisitInspector.visit_id == second.id)).all()
        members[0].removed_at, members[0].removed_reason, members[0].removed_by = utcnow(), "x", "x"
        on_team = [m.user_id for m in members]
        stranger = session.scalars(select(Inspector.user_id).where(Inspector.user_id.not_in(on_team))).first()
        session.add(VisitInspector(visit_id=second.id, user_id=stranger, position=9, how="replacement"))
    with city() as session:
        found = verify_draw(session, OPERATOR, workspace, number)
    assert _failed(found) == {"replacements as drawn"}
    detail = next(c["detail"] for c in found.checks if c["check"] == "replacements as drawn")
    assert second.number in detail and "no `draw.replace` entry" in detail


def test_a_package_whose_draw_json_differs_from_the_reveal_fails_and_damaged_seeds_are_named(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """draw.json with another seed, or not JSON at all, fails its check (no crash); a damaged stored seed is a failed
    check of `verify-draw`, not a crash."""
    with city() as session, session.begin():
        build(session)
        number = plan(session, workspace)
    with city() as session, session.begin():
        run_draw(session, OPERATOR, workspace, number)
    with city() as session:
        export_package(session, OPERATOR, workspace, number, tmp_path / "p")
    assert verify_package(tmp_path / "p").ok
    path = tmp_path / "p" / "draw.json"
    info = json.loads(path.read_text(encoding="utf-8"))
    info["seed"] = ("1" if info["seed"][0] != "1" else "2") + info["seed"][1:]
    path.write_text(json.dumps(info), encoding="utf-8")
    assert _failed(verify_package(tmp_path / "p")) == {"draw.json as revealed"}
    path.write_text("nope", encoding="utf-8")
    assert _failed(verify_package(tmp_path / "p")) == {"draw.json as revealed"}
    with city() as session, session.begin():
        draw = session.scalars(select(InspectionDraw).where(InspectionDraw.number == number)).one()
        draw.seed = "zz" + str(draw.seed)[2:]
    with city() as session:
        assert "seed" in _failed(verify_draw(session, OPERATOR, workspace, number))


def test_a_result_file_is_checked_byte_for_byte_as_its_hash_is(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """A third party hashes result.json's bytes: one with Windows line ends passed the check though its SHA-256 is not
    the revealed one, and one that is not UTF-8 stopped the check with an unexpected error instead of failing it."""
    with city() as session, session.begin():
        build(session)
        number = plan(session, workspace)
    with city() as session, session.begin():
        run_draw(session, OPERATOR, workspace, number)
    kept = draw_folder(workspace, number) / "result.json"
    with city() as session:
        revealed = session.scalar(select(InspectionDraw.result_hash).where(InspectionDraw.number == number))
        assert hashlib.sha256(kept.read_bytes()).hexdigest() == revealed
        export_package(session, OPERATOR, workspace, number, tmp_path / "package")
    package = tmp_path / "package" / "result.json"
    as_drawn = package.read_bytes()
    for changed in (as_drawn.replace(b"\n", b"\r\n"), b"\xff\xfe" + as_drawn):
        package.write_bytes(changed)
        assert _failed(verify_package(tmp_path / "package")) == {"draw reproduced"}
        kept.write_bytes(changed)
        with city() as session:
            assert _failed(verify_draw(session, OPERATOR, workspace, number)) == {"result file as drawn"}
