"""Running a committed draw: the population frozen into a snapshot file, the algorithm run on it with the seed, the
visits made (one per selected target, with every department's items on it: a joint visit when the plan's items are
several departments'), the exclusions kept, and the seed revealed in the ledger beside the snapshot's and the
result's hashes. Checking one is `zhizhi.inspections.verify`'s.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, aliased

from zhizhi import ledger
from zhizhi.access import audit
from zhizhi.access.departments import within_scope
from zhizhi.access.roles import Actor, require
from zhizhi.config import Workspace
from zhizhi.errors import ConflictError, NotFoundError
from zhizhi.inspections import algorithm, joins, snapshot
from zhizhi.inspections.items import items_by_code
from zhizhi.inspections.plans import frozen_path, new_draw, seed_path
from zhizhi.inspections.visits import get_visit, may_assign, next_replacement
from zhizhi.store.frames import slices
from zhizhi.store.tables import (
    Department,
    DrawExclusion,
    Entity,
    InspectionDraw,
    InspectionItem,
    InspectionPlan,
    InspectionTarget,
    InspectionVisit,
    VisitInspector,
    VisitItem,
)
from zhizhi.store.types import iso_utc, utcnow

DRAWS_FOLDER = Path("inspections") / "draws"  # under the workspace's data folder
SNAPSHOT_FILE, RESULT_FILE = "snapshot.jsonl.gz", "result.json"


def draw_folder(workspace: Workspace, number: str) -> Path:
    return workspace.data_dir / DRAWS_FOLDER / number


def get_draw(session: Session, actor: Actor, number: str) -> tuple[InspectionDraw, InspectionPlan]:
    """A draw of a plan in the actor's subtree (by its organiser)."""
    require(actor, "data.read")
    found = session.execute(
        select(InspectionDraw, InspectionPlan)
        .join(InspectionPlan, InspectionPlan.id == InspectionDraw.plan_id)
        .where(InspectionDraw.number == number, within_scope(actor, InspectionPlan.department_id))
    ).first()
    if found is None:
        raise NotFoundError(f"No draw `{number}` in your scope.", zh=f"在您的权限范围内没有抽取 `{number}`。")
    return found[0], found[1]


def list_draws(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """The plans of the actor's subtree and their draws, newest first."""
    require(actor, "data.read")
    rows = session.execute(
        select(InspectionDraw, InspectionPlan, Department)
        .join(InspectionPlan, InspectionPlan.id == InspectionDraw.plan_id)
        .join(Department, Department.id == InspectionPlan.department_id)
        .where(within_scope(actor, InspectionPlan.department_id))
        .order_by(InspectionDraw.id.desc())
    )
    return [
        {
            **draw_as_dict(d, p),
            "title": p.title,
            "department": o.code,
            "department_name": o.name,
            "period": [p.period_start.isoformat(), p.period_end.isoformat()],
        }
        for d, p, o in rows
    ]


def draw_number_of(session: Session, actor: Actor, number: str) -> str:
    """A draw's number from itself or from its plan's number (the plan's latest draw)."""
    require(actor, "data.read")
    found = session.scalar(
        select(InspectionDraw.number)
        .join(InspectionPlan, InspectionPlan.id == InspectionDraw.plan_id)
        .where(InspectionPlan.number == number, within_scope(actor, InspectionPlan.department_id))
        .order_by(InspectionDraw.id.desc())
        .limit(1)
    )
    return found or number


def run_draw(session: Session, actor: Actor, workspace: Workspace, number: str) -> dict[str, Any]:
    """Draw a committed draw (in the caller's transaction): select and staff on the population frozen at its
    commitment (the population's day is the commitment's), make the visits, reveal."""
    require(actor, "data.write")
    draw, plan = get_draw(session, actor, number)
    if draw.status == "void":
        raise ConflictError(
            f"Draw `{number}` is void: another draw of its plan was committed after it, and its seed is revealed in "
            "the ledger. Run the plan's latest draw (`zhizhi inspections plans`).",
            zh=f"抽取 `{number}` 已作废（其计划已提交新的抽取，种子已在账本公开），请运行该计划最新的抽取。",
        )
    if draw.status != "committed":
        raise ConflictError(
            f"Draw `{number}` was drawn at {iso_utc(draw.drawn_at)}; a draw is run once. Check it with "
            f"`zhizhi inspections verify-draw {number}`.",
            zh=f"抽取 `{number}` 已于 {iso_utc(draw.drawn_at)} 完成，每次抽取只运行一次。",
        )
    seed = _seed(workspace, draw)
    rules = json.loads(plan.rules)
    items = items_by_code(session, rules["items"])
    population, snapshot_hash = _frozen(workspace, draw)
    folder = draw_folder(workspace, number)
    result = algorithm.draw(population, seed)
    (folder / RESULT_FILE).write_bytes(result.text().encode("utf-8"))  # bytes: its SHA-256 is the revealed one
    visits = _make_visits(session, draw, plan, population, result, items)
    restaffed = _restaff(session, actor, workspace, draw, population.header.get("restaffs") or [])
    _keep_exclusions(session, draw, result)
    summary = {
        "frozen_on": population.header["frozen_on"],
        "counts": result.counts,
        "visits": visits,
        "joint_visits": _joint(population, result, items),
        "excluded_recent": len(result.excluded_recent),
        "thinned": len(result.thinned),
        "unstaffed": result.unstaffed,
        "skipped": _skipped(result),
        "to_merge": _to_merge(session, draw),
        **({"staffs": population.header["staffs"]} if population.header.get("staffs") else {}),
        **({"restaffed": restaffed} if population.header.get("restaffs") else {}),
    }
    draw.seed = seed.hex()
    draw.snapshot_file = str((DRAWS_FOLDER / number / SNAPSHOT_FILE).as_posix())
    draw.population, draw.inspectors = len(population.targets), len(population.inspectors)
    draw.result_hash, draw.summary = result.digest(), json.dumps(summary, ensure_ascii=False)
    draw.status, draw.drawn_at, draw.drawn_by = "drawn", utcnow(), actor.name
    reveal = {
        "draw": number,
        "plan": plan.number,
        "seed": draw.seed,
        "seed_hash": draw.seed_hash,
        "snapshot_hash": snapshot_hash,
        "population": draw.population,
        "inspectors": draw.inspectors,
        "result_hash": draw.result_hash,
        "visits": visits,
        "algorithm": algorithm.ALGORITHM,
    }
    draw.reveal_seq = ledger.append(session, "draw.reveal", "inspection_draw", number, reveal)
    ledger.sign_head(session, workspace.keys_dir)
    audit.record(
        session,
        actor,
        "inspection_draw.draw",
        object_type="inspection_draw",
        object_id=number,
        detail={"visits": visits, "population": draw.population},
    )
    return draw_as_dict(draw, plan)


def unstaffed_left(session: Session, draw: InspectionDraw) -> list[int]:
    """The firms `draw` left unstaffed that no draw of its plan has visited since (a staffing draw's to staff)."""
    unstaffed = sorted(set(json.loads(draw.summary or "{}").get("unstaffed") or []))
    visited = set(
        session.scalars(
            select(InspectionVisit.entity_id)
            .join(InspectionDraw, InspectionDraw.id == InspectionVisit.draw_id)
            .where(InspectionDraw.plan_id == draw.plan_id, InspectionVisit.entity_id.in_(unstaffed))
        )
    ) if unstaffed else set()  # fmt: skip
    return [entity for entity in unstaffed if entity not in visited]


def staff(
    session: Session,
    actor: Actor,
    workspace: Workspace,
    number: str,
    reason: str,
    *,
    visit: str | None = None,
    today: date | None = None,
) -> InspectionDraw:
    """Commit a staffing draw of the firms a drawn draw left unstaffed (fewer inspectors could go than a team needs)
    and no draw of its plan has visited since: the plan's rules, the inspectors of the day, every one of those firms
    staffed by the draw's algorithm (its staffing draw), committed and revealed in the ledger and verified like any
    draw. With `visit`: a staffing draw of that visit's firm alone, for a visit of the draw whose team cannot be
    completed (nobody left in the draw's order to replace a member): its run gives the firm a new visit and team,
    and the visit joins it.
    Run it with `run_draw`. A drawn firm is inspected, not dropped for want of inspectors."""
    require(actor, "data.write")
    draw, plan = get_draw(session, actor, number)
    if draw.status != "drawn":
        raise ConflictError(
            f"Draw `{number}` is {draw.status}, not drawn: only the firms a drawn draw left unstaffed are staffed.",
            zh=f"抽取 `{number}` 尚未完成抽取，只能为已完成抽取中无人可派的检查对象补充抽取检查人员。",
        )
    if visit is not None:
        stuck = _stuck_visit(session, actor, workspace, draw, visit)
        staffs = (draw.number, [stuck.entity_id], [stuck.number])
        return new_draw(session, actor, workspace.keys_dir, plan.number, reason, today=today, staffs=staffs)
    left = unstaffed_left(session, draw)
    if not left:
        raise ConflictError(
            f"Draw `{number}` left no firm without a visit: nothing to staff.",
            zh=f"抽取 `{number}` 没有尚无人可派的检查对象，无需补充抽取。",
        )
    staffs = (draw.number, left, [])
    return new_draw(session, actor, workspace.keys_dir, plan.number, reason, today=today, staffs=staffs)


def staff_visit(
    session: Session, actor: Actor, workspace: Workspace, number: str, reason: str, *, today: date | None = None
) -> InspectionDraw:
    """`staff` with `visit`, the draw found from the visit: a staffing draw of that visit's firm alone."""
    visit = get_visit(session, actor, number)
    draw = session.get(InspectionDraw, visit.draw_id) if visit.draw_id is not None else None
    if draw is None:
        raise ConflictError(
            f"Visit `{number}` was not drawn: it has no draw to staff it from.",
            zh=f"检查任务 `{number}` 不是抽取产生的，无法补充抽取。",
        )
    return staff(session, actor, workspace, draw.number, reason, visit=number, today=today)


def _stuck_visit(
    session: Session, actor: Actor, workspace: Workspace, draw: InspectionDraw, number: str
) -> InspectionVisit:
    """A visit of `draw` still to be inspected whose team cannot be completed from the draw's order."""
    visit = get_visit(session, actor, number)
    may_assign(session, actor, visit)
    if visit.draw_id != draw.id or visit.status != "assigned":
        raise ConflictError(
            f"Visit `{number}` is not a visit of draw `{draw.number}` still to be inspected: give the draw that made "
            "it (`zhizhi inspections visits`).",
            zh=f"检查任务 `{number}` 不是抽取 `{draw.number}` 中待检查的任务，请指定产生该任务的抽取。",
        )
    if next_replacement(session, workspace, visit)[1] is not None:
        raise ConflictError(
            f"Visit `{number}`'s team can still be completed from the draw's order: replace the member with "
            f"`zhizhi inspections assign {number} --replace USERNAME --reason ...`.",
            zh=f"检查任务 `{number}` 仍可按抽取顺序替换检查人员，请使用 `zhizhi inspections assign {number} "
            "--replace 用户名 --reason 原因`。",
        )
    return visit


def _restaff(
    session: Session, actor: Actor, workspace: Workspace, draw: InspectionDraw, restaffs: list[str]
) -> list[list[str]]:
    """The visits a staffing draw gave a new team join the visit it made for their firm (their items and photos with
    it, as `assign --merge` does); a firm left unstaffed again keeps its visit. Returns [old visit, new visit] pairs."""
    made = {v.entity_id: v for v in session.scalars(select(InspectionVisit).where(InspectionVisit.draw_id == draw.id))}
    joined: list[list[str]] = []
    for old in session.scalars(select(InspectionVisit).where(InspectionVisit.number.in_(restaffs))).all():
        new = made.get(old.entity_id)
        if new is None or old.status != "assigned":
            continue
        joins.join(session, actor, workspace, old, new)
        new.planned_on = new.planned_on or old.planned_on
        joined.append([old.number, new.number])
    session.flush()
    return joined


def staffing_as_dict(draw: InspectionDraw, staffs: str) -> dict[str, Any]:
    """The JSON form of a committed staffing draw: the draw it staffs, its number, population and commitment."""
    return {"staffs": staffs, "draw": draw.number, "population": draw.population, "seed_hash": draw.seed_hash,
            "commit_seq": draw.commit_seq}  # fmt: skip


def _frozen(workspace: Workspace, draw: InspectionDraw) -> tuple[algorithm.Population, str]:
    """The population frozen when the draw was committed, checked against the committed hash and moved into the
    draw's folder."""
    waiting = frozen_path(workspace.keys_dir, draw.number)
    if draw.snapshot_hash is None or not waiting.is_file():
        raise ConflictError(
            f"Draw `{draw.number}` has no population frozen at its commitment (`{waiting}`): it was committed from "
            "another workspace folder, by an older zhizhi, or the file was removed. Commit a new draw of the plan "
            "(`zhizhi inspections redraw PLAN --reason ...`).",
            zh=f"抽取 `{draw.number}` 没有提交时冻结的检查对象名单，无法抽取，请为该计划重新提交一次抽取。",
        )
    population, digest = snapshot.read(waiting)
    if digest != draw.snapshot_hash:
        raise ConflictError(
            f"The population frozen for draw `{draw.number}` does not match the hash committed to the ledger: it was "
            "changed. The draw is refused; commit a new draw of the plan.",
            zh=f"抽取 `{draw.number}` 冻结的检查对象名单与账本中承诺的哈希不符（已被改动），拒绝抽取。",
        )
    folder = draw_folder(workspace, draw.number)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(waiting, folder / SNAPSHOT_FILE)  # a copy: a draw whose transaction fails can run again
    return population, digest


def _seed(workspace: Workspace, draw: InspectionDraw) -> bytes:
    path = seed_path(workspace.keys_dir, draw.number)
    try:
        seed = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        raise ConflictError(
            f"The seed of draw `{draw.number}` is not at `{path}`: it was committed from another workspace folder, "
            "or removed. Without it the draw cannot run; commit a new draw of the plan.",
            zh=f"找不到抽取 `{draw.number}` 的种子文件，无法抽取，请为该计划重新提交一次抽取。",
        ) from None
    if hashlib.sha256(seed).hexdigest() != draw.seed_hash:
        raise ConflictError(
            f"The seed file of draw `{draw.number}` does not match the hash committed to the ledger: it was changed. "
            "The draw is refused; commit a new draw of the plan.",
            zh=f"抽取 `{draw.number}` 的种子与账本中承诺的哈希不符（已被改动），拒绝抽取。",
        )
    return seed


def _make_visits(
    session: Session,
    draw: InspectionDraw,
    plan: InspectionPlan,
    population: algorithm.Population,
    result: algorithm.Result,
    items: dict[str, InspectionItem],
) -> int:
    """One visit per staffed target, its items (every department's that apply) and its team, in bulk."""
    targets = {t.id: t for t in population.targets}
    ids = [p.target for p in result.selected]
    names: dict[int, tuple[str | None, str | None, str | None]] = {}
    for part in slices(ids):
        # from the entity, the target register's row when it has one: a rebuild since the commitment (the firm
        # merged or gone) may have dropped it, and the frozen draw still visits the firm drawn
        found = session.execute(
            select(
                Entity.id,
                func.coalesce(InspectionTarget.name, Entity.name),
                func.coalesce(InspectionTarget.uscc, Entity.uscc),
                Entity.address,
            )
            .outerjoin(InspectionTarget, InspectionTarget.entity_id == Entity.id)
            .where(Entity.id.in_(part))
        )
        names.update({entity: (name, uscc, address) for entity, name, uscc, address in found})
    now = utcnow()
    made: list[tuple[int, int]] = []
    for part in slices(range(len(result.selected))):
        picks = [result.selected[i] for i in part]
        rows = [
            {
                "number": f"{draw.number}-{p.rank:05d}",
                "draw_id": draw.id,
                "entity_id": p.target,
                "entity_name": (names[p.target][0] or "")[:300],
                "entity_uscc": names[p.target][1],
                "address": names[p.target][2],
                "department_id": plan.department_id,
                "office_id": targets[p.target].office,
                "risk_class": p.risk_class,
                "rank": p.rank,
                "status": "assigned",
                "created_at": now,
            }
            for p in picks
        ]
        returned = session.execute(
            insert(InspectionVisit).returning(InspectionVisit.id, sort_by_parameter_order=True), rows
        ).scalars()
        made.extend(zip(returned, (p.target for p in picks), strict=True))
    teams: list[dict[str, Any]] = []
    checks: list[dict[str, Any]] = []
    by_target = {p.target: p for p in result.selected}
    for visit_id, target in made:
        pick = by_target[target]
        teams.extend(
            {"visit_id": visit_id, "user_id": u, "position": i, "how": "drawn"} for i, u in enumerate(pick.team)
        )
        checks.extend(
            {"visit_id": visit_id, "item_id": items[c].id, "department_id": items[c].department_id}
            for c in targets[target].items
        )
    for rows_of in (teams, checks):
        for part in slices(range(len(rows_of))):
            session.execute(insert(VisitInspector if rows_of is teams else VisitItem), [rows_of[i] for i in part])
    return len(made)


def _keep_exclusions(session: Session, draw: InspectionDraw, result: algorithm.Result) -> None:
    """The exclusions shown with the draw: each candidate passed over for a selected target, and the targets left
    out or thinned as recently inspected."""
    rows: list[dict[str, Any]] = [
        {"draw_id": draw.id, "entity_id": p.target, "user_id": user, "rule": rule}
        for p in result.selected
        for user, rule in p.skipped
    ]
    rows += [
        {"draw_id": draw.id, "entity_id": t, "user_id": None, "rule": "recent_target"} for t in result.excluded_recent
    ]
    rows += [{"draw_id": draw.id, "entity_id": t, "user_id": None, "rule": "recent_thinned"} for t in result.thinned]
    rows += [{"draw_id": draw.id, "entity_id": t, "user_id": None, "rule": "unstaffed"} for t in result.unstaffed]
    for part in slices(range(len(rows))):
        session.execute(insert(DrawExclusion), [rows[i] for i in part])


def _joint(population: algorithm.Population, result: algorithm.Result, items: dict[str, InspectionItem]) -> int:
    """How many visits carry items of more than one department (joint visits, 联合抽查)."""
    targets = {t.id: t for t in population.targets}
    return sum(1 for p in result.selected if len({items[c].department_id for c in targets[p.target].items}) > 1)


def _to_merge(session: Session, draw: InspectionDraw) -> list[list[str]]:
    """[this draw's visit, another draw's visit] for each firm another visit still waits for: several departments'
    items on one firm are to be done in one visit (优化营商环境条例 Art 54), with `assign --merge`."""
    mine, other = aliased(InspectionVisit), aliased(InspectionVisit)
    pairs = session.execute(
        select(mine.number, other.number)
        .join(other, other.entity_id == mine.entity_id)
        .where(mine.draw_id == draw.id, other.draw_id != draw.id, other.status == "assigned")
        .order_by(mine.number, other.number)
    )
    return [[a, b] for a, b in pairs]


def _skipped(result: algorithm.Result) -> dict[str, int]:
    counts: dict[str, int] = {}
    for pick in result.selected:
        for _, rule in pick.skipped:
            counts[rule] = counts.get(rule, 0) + 1
    return counts


def draw_as_dict(draw: InspectionDraw, plan: InspectionPlan) -> dict[str, Any]:
    """The JSON form of a draw: its commitment, its reveal and what it drew (the seed only once revealed)."""
    return {
        "number": draw.number,
        "plan": plan.number,
        "status": draw.status,
        "seed_hash": draw.seed_hash,
        "commit_seq": draw.commit_seq,
        "committed_at": iso_utc(draw.committed_at),
        "seed": draw.seed,
        "snapshot_hash": draw.snapshot_hash,
        "population": draw.population,
        "inspectors": draw.inspectors,
        "result_hash": draw.result_hash,
        "reveal_seq": draw.reveal_seq,
        "drawn_at": iso_utc(draw.drawn_at),
        "summary": json.loads(draw.summary) if draw.summary else None,
    }
