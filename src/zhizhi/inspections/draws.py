"""Running a committed draw, and checking one: the population frozen into a snapshot file, the algorithm run on it
with the seed, the visits made (one per selected target, with every department's items on it: a joint visit when
the plan's items are several departments'), the exclusions kept, and the seed revealed in the ledger beside the
snapshot's and the result's hashes.

`verify_draw` re-runs a draw from its stored snapshot and revealed seed and checks it against the ledger and the
visits; `export_package` writes what an outsider needs to do the same without zhizhi's database, and
`verify_package` is that check.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
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
from zhizhi.errors import ConflictError, InputError, NotFoundError
from zhizhi.inspections import algorithm, snapshot
from zhizhi.inspections.items import items_by_code
from zhizhi.inspections.plans import frozen_path, new_draw, seed_path
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
    (folder / RESULT_FILE).write_text(result.text(), encoding="utf-8")
    visits = _make_visits(session, draw, plan, population, result, items)
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
    session: Session, actor: Actor, workspace: Workspace, number: str, reason: str, *, today: date | None = None
) -> InspectionDraw:
    """Commit a staffing draw of the firms a drawn draw left unstaffed (fewer inspectors could go than a team needs)
    and no draw of its plan has visited since: the plan's rules, the inspectors of the day, every one of those firms
    staffed by the draw's algorithm (its staffing draw), committed and revealed in the ledger and verified like any
    draw.
    Run it with `run_draw`. A drawn firm is inspected, not dropped for want of inspectors."""
    require(actor, "data.write")
    draw, plan = get_draw(session, actor, number)
    if draw.status != "drawn":
        raise ConflictError(
            f"Draw `{number}` is {draw.status}, not drawn: only the firms a drawn draw left unstaffed are staffed.",
            zh=f"抽取 `{number}` 尚未完成抽取，只能为已完成抽取中无人可派的检查对象补充抽取检查人员。",
        )
    left = unstaffed_left(session, draw)
    if not left:
        raise ConflictError(
            f"Draw `{number}` left no firm without a visit: nothing to staff.",
            zh=f"抽取 `{number}` 没有尚无人可派的检查对象，无需补充抽取。",
        )
    return new_draw(session, actor, workspace.keys_dir, plan.number, reason, today=today, staffs=(draw.number, left))


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


@dataclass
class Verification:
    """The checks of a draw, each with what it found."""

    draw: str
    checks: list[dict[str, Any]] = field(default_factory=list)

    def check(self, name: str, ok: bool, detail: str) -> bool:
        self.checks.append({"check": name, "ok": bool(ok), "detail": detail})
        return bool(ok)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c["ok"] for c in self.checks)

    def as_dict(self) -> dict[str, Any]:
        return {"draw": self.draw, "ok": self.ok, "checks": self.checks}


def rerun(population: algorithm.Population, seed_hex: str, found: Verification) -> algorithm.Result | None:
    """The draw re-run from the snapshot and the seed, after checking the seed against the snapshot's commitment."""
    try:
        seed = bytes.fromhex(seed_hex)
    except ValueError:
        found.check("seed", False, f"the seed `{seed_hex[:80]}` is not hexadecimal")
        return None
    committed = population.header.get("seed_hash")
    if not found.check(
        "seed",
        hashlib.sha256(seed).hexdigest() == committed,
        f"SHA-256 of the seed against the snapshot's seed_hash {committed}",
    ):
        return None
    return algorithm.draw(population, seed)


def verify_draw(session: Session, actor: Actor, workspace: Workspace, number: str) -> Verification:
    """Re-run a drawn draw from its stored snapshot and revealed seed; check it against the ledger and the visits."""
    draw, plan = get_draw(session, actor, number)
    found = Verification(number)
    if draw.status != "drawn" or draw.seed is None:
        found.check("drawn", False, "the draw has not been run yet: its seed is not revealed")
        return found
    commit, reveal = _entry(session, draw.commit_seq), _entry(session, draw.reveal_seq)
    found.check(
        "commit before draw",
        commit["seq"] < reveal["seq"] and commit["at"] < reveal["at"],
        f"ledger entry {commit['seq']} ({commit['at']}) before {reveal['seq']} ({reveal['at']})",
    )
    found.check(
        "rules as committed",
        commit["payload"]["rules"] == json.loads(plan.rules),
        "the plan's rules equal those of the commitment",
    )
    found.check(
        "seed as committed",
        hashlib.sha256(bytes.fromhex(draw.seed)).hexdigest()
        == commit["payload"]["seed_hash"]
        == reveal["payload"]["seed_hash"],
        "SHA-256 of the revealed seed equals the committed hash",
    )
    population, digest = snapshot.read(workspace.data_dir / (draw.snapshot_file or ""))
    found.check(
        "snapshot intact",
        digest == draw.snapshot_hash == reveal["payload"]["snapshot_hash"],
        f"SHA-256 of the snapshot's text: {digest}",
    )
    _frozen_before_seed(found, commit["payload"], digest)
    found.check(
        "snapshot of this draw",
        population.header.get("rules") == commit["payload"]["rules"] and population.header.get("draw") == number,
        "the snapshot names this draw and its rules",
    )
    result = rerun(population, draw.seed, found)
    if result is None:
        return found
    found.check(
        "draw reproduced",
        result.digest() == draw.result_hash == reveal["payload"]["result_hash"],
        f"SHA-256 of the re-run's result: {result.digest()}",
    )
    stored = _stored_result(workspace, number)
    found.check(
        "result file as drawn",
        stored == result.text(),
        f"{RESULT_FILE} beside the snapshot is the re-run's result"
        if stored == result.text()
        else f"{RESULT_FILE} beside the snapshot differs from the re-run's result (SHA-256 "
        f"{hashlib.sha256((stored or '').encode('utf-8')).hexdigest() if stored is not None else 'none: missing'}): "
        "it was changed after the draw; the package is not exported",
    )
    stored_visits, drawn = _visits_of(session, draw), {p.target: p.team for p in result.selected}
    found.check("visits as drawn", stored_visits == drawn, _visit_differences(stored_visits, drawn))
    return found


def _stored_result(workspace: Workspace, number: str) -> str | None:
    path = draw_folder(workspace, number) / RESULT_FILE
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _visit_differences(stored: dict[int, list[int]], drawn: dict[int, list[int]], shown: int = 5) -> str:
    """What differs between the visits stored and the re-run's: each target and team named (entity and user ids)."""
    if stored == drawn:
        return "each visit's target and drawn team are the re-run's"
    found = [f"entity {t}: drawn but no visit" for t in sorted(set(drawn) - set(stored))]
    found += [f"entity {t}: a visit the draw did not choose" for t in sorted(set(stored) - set(drawn))]
    found += [f"entity {t}: team {stored[t]} stored, {drawn[t]} drawn"
              for t in sorted(set(stored) & set(drawn)) if stored[t] != drawn[t]]  # fmt: skip
    more = f"; and {len(found) - shown} more" if len(found) > shown else ""
    return f"{len(found)} visit(s) differ from the re-run: " + "; ".join(found[:shown]) + more


def _frozen_before_seed(found: Verification, commit: dict[str, Any], digest: str) -> None:
    """The population was frozen, and its hash committed, with the seed's: nobody who knew the seed chose it."""
    found.check(
        "snapshot committed",
        commit.get("snapshot_hash") == digest,
        "the commitment names the snapshot's SHA-256 beside the seed's"
        if commit.get("snapshot_hash")
        else "the commitment does not name the snapshot (a draw committed before populations were frozen with it)",
    )


def _entry(session: Session, seq: int | None) -> dict[str, Any]:
    entry = next(ledger.entries(session, start=seq or 0, stop=seq or 0), None)
    if entry is None:
        raise NotFoundError(f"Ledger entry `{seq}` is missing.", zh=f"账本中缺少第 {seq} 条。")
    return entry.as_dict() | {"payload": json.loads(entry.payload)}


def _visits_of(session: Session, draw: InspectionDraw) -> dict[int, list[int]]:
    """target -> the inspectors drawn for its visit, in draw order (replacements later are not the draw's)."""
    teams: dict[int, list[int]] = {}
    rows = session.execute(
        select(InspectionVisit.entity_id, VisitInspector.user_id)
        .join(VisitInspector, VisitInspector.visit_id == InspectionVisit.id)
        .where(InspectionVisit.draw_id == draw.id, VisitInspector.how == "drawn")
        .order_by(InspectionVisit.rank, VisitInspector.position)
    )
    for entity_id, user_id in rows:
        teams.setdefault(entity_id, []).append(user_id)
    merged = select(InspectionVisit.entity_id).where(InspectionVisit.draw_id == draw.id)
    for entity_id in session.scalars(merged):
        teams.setdefault(entity_id, [])
    return teams


PACKAGE_FILES = ("draw.json", SNAPSHOT_FILE, RESULT_FILE, "commit-proof.json", "reveal-proof.json")


def export_package(session: Session, actor: Actor, workspace: Workspace, number: str, folder: Path) -> list[Path]:
    """Write what an outsider needs to re-check a drawn draw into `folder`: the snapshot, the result, the seed and
    hashes (draw.json), and the ledger proofs of the commitment and the reveal (checked by `verify_package`)."""
    draw, plan = get_draw(session, actor, number)
    if draw.status != "drawn":
        raise ConflictError(f"Draw `{number}` has not been run yet.", zh=f"抽取 `{number}` 尚未进行。")
    source = draw_folder(workspace, number)
    stored = _stored_result(workspace, number)
    if stored is None or hashlib.sha256(stored.encode("utf-8")).hexdigest() != draw.result_hash:
        raise ConflictError(
            f"Draw `{number}`'s `{RESULT_FILE}` is missing or not the result the ledger recorded: not exported. "
            f"Run `zhizhi inspections verify-draw {number}` to see what differs.",
            zh=f"抽取 `{number}` 的 `{RESULT_FILE}` 缺失或与账本记录的结果不符，未导出。"
            f"请运行 `zhizhi inspections verify-draw {number}` 查看差异。",
        )
    folder.mkdir(parents=True, exist_ok=True)
    for name in (SNAPSHOT_FILE, RESULT_FILE):
        (folder / name).write_bytes((source / name).read_bytes())
    (folder / "draw.json").write_text(algorithm.canonical(draw_as_dict(draw, plan)) + "\n", encoding="utf-8")
    for name, seq in (("commit-proof.json", draw.commit_seq), ("reveal-proof.json", draw.reveal_seq)):
        (folder / name).write_text(ledger.make_proof(session, workspace.keys_dir, int(seq or 0)), encoding="utf-8")
    return [folder / name for name in PACKAGE_FILES]


def verify_package(folder: Path) -> Verification:
    """Check a draw's package with no database: the ledger proofs, the seed against the commitment, the snapshot
    against the reveal, and the draw re-run against the result file and the reveal."""
    missing = [n for n in PACKAGE_FILES if not (folder / n).is_file()]
    if missing:
        raise InputError(
            f"`{folder}` lacks {', '.join(missing)}: export the package with `zhizhi inspections verify-draw NUMBER "
            "--export DIR`.",
            zh=f"`{folder}` 缺少文件：{'、'.join(missing)}。",
        )
    info = json.loads((folder / "draw.json").read_text(encoding="utf-8"))
    found = Verification(str(info.get("number")))
    proofs: dict[str, Any] = {}
    for name in ("commit", "reveal"):
        checked = ledger.check_proof((folder / f"{name}-proof.json").read_bytes())
        seq = checked.entry["seq"] if checked.entry else None
        found.check(f"{name} proof", checked.ok, checked.problem or f"ledger entry {seq}, signed")
        proofs[name] = checked
    commit = (proofs["commit"].entry or {}).get("payload", {})
    reveal = (proofs["reveal"].entry or {}).get("payload", {})
    ordered = (
        proofs["commit"].ok
        and proofs["reveal"].ok
        and proofs["commit"].entry["seq"] < proofs["reveal"].entry["seq"]
        and proofs["commit"].checkpoint["at"] <= proofs["reveal"].entry["at"]
    )
    found.check(
        "commit before draw",
        bool(ordered) and commit.get("draw") == reveal.get("draw") == found.draw,
        "the commitment of this draw was signed before the reveal was entered",
    )
    population, digest = snapshot.read(folder / SNAPSHOT_FILE)
    found.check("snapshot intact", digest == reveal.get("snapshot_hash"), f"SHA-256 of the snapshot's text: {digest}")
    _frozen_before_seed(found, commit, digest)
    found.check(
        "rules as committed",
        population.header.get("rules") == commit.get("rules"),
        "the snapshot's rules are those committed",
    )
    seed = str(reveal.get("seed") or "")
    found.check(
        "seed as committed",
        hashlib.sha256(bytes.fromhex(seed)).hexdigest() == commit.get("seed_hash") if seed else False,
        "SHA-256 of the revealed seed equals the committed hash",
    )
    result = rerun(population, seed, found)
    if result is not None:
        found.check(
            "draw reproduced",
            result.digest() == reveal.get("result_hash")
            and result.text() == (folder / RESULT_FILE).read_text(encoding="utf-8"),
            f"SHA-256 of the re-run's result: {result.digest()}",
        )
    return found
