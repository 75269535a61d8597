"""Draw plans (抽查计划): the items, the population filter, the proportion per risk class, the period and the
exclusions, checked on creation; creating a plan commits its first draw: the population is frozen first, then a seed
made, and the snapshot's SHA-256 and the seed's go into the ledger together before anything is drawn (the seed and
the snapshot wait under the workspace's keys until the draw reveals them). Whoever can read the seed before the draw
can no longer change what it draws: the registers changed after the commitment are not the draw's."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi import ledger
from zhizhi.access import audit
from zhizhi.access.departments import get_department_by_code, within_scope
from zhizhi.access.roles import Actor, require
from zhizhi.errors import ConflictError, InputError, NotFoundError
from zhizhi.inspections import snapshot
from zhizhi.inspections.algorithm import canonical
from zhizhi.inspections.excel import checked
from zhizhi.inspections.items import items_by_code
from zhizhi.store.tables import Department, InspectionDraw, InspectionItem, InspectionPlan, LedgerEntry
from zhizhi.store.types import local_today, utcnow

NUMBER = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
SEEDS_FOLDER = "draws"  # under the workspace's keys folder: the seeds committed and not yet revealed
RiskClass = Literal["high", "medium", "low"]
LOCAL_KINDS = ("county", "grassroots")  # offices with a jurisdiction of their own: their plans stay within it

# A staffing draw: the draw it staffs, its targets and the visits it gives a new team (none: firms left unstaffed).
Staffing = tuple[str, list[int], list[str]]


class PopulationFilter(BaseModel):
    """Which targets a plan draws from: divisions (code prefixes), offices (department codes: their subtrees),
    risk classes; empty means no restriction."""

    model_config = ConfigDict(extra="forbid")

    divisions: list[str] = Field(default_factory=list, max_length=200)
    offices: list[str] = Field(default_factory=list, max_length=200)
    classes: list[RiskClass] = Field(default_factory=list)

    @field_validator("divisions")
    @classmethod
    def _digits(cls, value: list[str]) -> list[str]:
        bad = [d for d in value if not re.fullmatch(r"\d{2,6}", d)]
        if bad:
            raise ValueError(f"division codes are 2-6 digits (a prefix); not {', '.join(bad)}")
        return sorted(set(value))


class PlanRules(BaseModel):
    """What a draw of the plan does; committed to the ledger with the seed's hash, so it cannot change after."""

    model_config = ConfigDict(extra="forbid")

    items: list[str] = Field(min_length=1, max_length=200, description="codes of the item list")
    population: PopulationFilter = Field(default_factory=PopulationFilter)
    proportions: dict[RiskClass, Decimal] = Field(description="percent of each class's targets to draw")
    team_size: int = Field(default=2, ge=2, le=10, description="inspectors per target (at least two)")
    recent_months: int = Field(default=12, ge=0, le=120, description="a target inspected within: recent")
    recent_rule: Literal["exclude", "downweight"] = "exclude"
    recent_weight: int = Field(default=50, ge=1, le=99, description="downweight: percent of recent targets kept")
    same_inspector_months: int = Field(default=24, ge=0, le=240, description="an inspector on a visit within")
    exclude_own_office: bool = Field(default=True, description="no inspector of the target's own office")
    max_per_inspector: int | None = Field(default=None, ge=1, le=100_000)

    @field_validator("proportions")
    @classmethod
    def _percentages(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        if not value or not any(p > 0 for p in value.values()):
            raise ValueError("give a proportion above 0 for at least one risk class")
        for risk_class, share in value.items():
            if not 0 <= share <= 100 or share.as_tuple().exponent < -2:  # type: ignore[operator]
                raise ValueError(f"`{risk_class}`: a percentage from 0 to 100 with at most two decimals")
        return value

    @model_validator(mode="after")
    def _riskier_drawn_more(self) -> PlanRules:
        """The ratios follow the risk (the sector's practice: higher-risk firms inspected more often), never the
        other way round: each class at least the next lower one's. A class not given, or left out of the
        population, is drawn at 0 % (leaving the high class out drew only low-risk firms)."""
        drawn = set(self.population.classes) or {"high", "medium", "low"}
        share = {c: self.proportions.get(c, Decimal(0)) if c in drawn else Decimal(0)
                 for c in ("high", "medium", "low")}  # fmt: skip
        levels = list(share.items())
        given = {c for c in drawn if c in self.proportions}
        inverted = [
            f"`{upper}` ({format(a.normalize(), 'f')}%{'' if upper in given else ', not given'})"
            f" below `{lower}` ({format(b.normalize(), 'f')}%)"
            for (upper, a), (lower, b) in zip(levels, levels[1:], strict=False)
            if a < b
        ]
        if inverted:
            raise ValueError(
                f"{'; '.join(inverted)}: a higher risk class is drawn at least as often as a lower one; a class not "
                "given (or left out of the population) is drawn at 0 % (风险等级越高，抽取比例不得低于较低等级；"
                "未给出比例或未纳入抽取范围的等级按 0% 计)"
            )
        return self

    @field_validator("items")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        return sorted(set(value))

    def committed(self) -> dict[str, Any]:
        """The rules as committed: plain JSON, proportions as decimal text."""
        data: dict[str, Any] = json.loads(self.model_dump_json())
        data["proportions"] = {k: format(v.normalize(), "f") for k, v in self.proportions.items()}
        return data


def parse_rules(raw: dict[str, Any], origin: str) -> PlanRules:
    """Rules from a dict (a plan file, the CLI's options); every problem named at once."""
    return checked(PlanRules, raw, origin)


def seed_path(keys_dir: Path, draw_number: str) -> Path:
    return keys_dir / SEEDS_FOLDER / f"{draw_number}.seed"


def frozen_path(keys_dir: Path, draw_number: str) -> Path:
    """The population frozen when the draw was committed, waiting beside its seed for the draw."""
    return keys_dir / SEEDS_FOLDER / f"{draw_number}.snapshot.jsonl.gz"


def create_plan(
    session: Session,
    actor: Actor,
    keys_dir: Path,
    *,
    number: str,
    title: str,
    department: str,
    first: date,
    last: date,
    rules: PlanRules,
    today: date | None = None,
) -> InspectionDraw:
    """Create a plan of the department `department` (in the actor's scope) for `first`..`last`, and commit its
    first draw: the seed's SHA-256 and the rules go into the ledger (a signed checkpoint after them), the seed into
    `keys/draws/`, with the population frozen on `today`. Returns the draw, waiting for `run_draw`."""
    require(actor, "data.write")
    number, title = number.strip(), title.strip()
    if not NUMBER.match(number):
        raise InputError(
            f"Plan number `{number}`: use 1-32 letters, digits, `_` or `-`.",
            zh=f"计划编号 `{number}` 只能由 1-32 位字母、数字、下划线或连字符组成。",
        )
    if not 2 <= len(title) <= 200:
        raise InputError("A plan needs a title of 2-200 characters.", zh="抽查计划须有标题（2-200字）。")
    if last < first or last - first > timedelta(days=366):
        raise InputError(
            f"The period `{first}`..`{last}` must run forward and last at most a year.",
            zh=f"计划期间 `{first}` 至 `{last}` 须起止有序且不超过一年。",
        )
    organiser = get_department_by_code(session, actor, department)
    items_by_code(session, rules.items)
    for office in rules.population.offices:
        get_department_by_code(session, actor, office)
    rules = _within_jurisdiction(session, organiser, rules)
    if session.scalar(select(InspectionPlan.id).where(InspectionPlan.number == number)) is not None:
        raise ConflictError(f"Plan `{number}` exists. Choose another number.", zh=f"计划编号 `{number}` 已存在。")
    committed = rules.committed()
    _no_twin_waiting(session, keys_dir, organiser, first, last, committed, today or local_today())
    plan = InspectionPlan(
        number=number,
        title=title,
        department_id=organiser.id,
        period_start=first,
        period_end=last,
        rules=canonical(committed),
        created_by=actor.name,
        created_at=utcnow(),
    )
    session.add(plan)
    session.flush()
    draw = commit_draw(session, actor, keys_dir, plan, f"{number}-1", today=today)
    audit.record(
        session,
        actor,
        "inspection_plan.create",
        object_type="inspection_plan",
        object_id=number,
        detail={"department": organiser.code, "items": rules.items, "draw": draw.number},
    )
    return draw


def _no_twin_waiting(
    session: Session,
    keys_dir: Path,
    organiser: Department,
    first: date,
    last: date,
    rules: dict[str, Any],
    day: date,
) -> None:
    """Refuse a plan of the organiser over the same population, overlapping in period and items, while a draw of
    another such plan waits: a seed read and disliked would otherwise be left for a twin plan (a redraw voids it
    and reveals its seed instead). A staffing draw waits for its own firms only."""
    waiting = session.execute(
        select(InspectionPlan.number, InspectionPlan.rules, InspectionDraw.number, InspectionDraw.commit_seq)
        .join(InspectionDraw, InspectionDraw.plan_id == InspectionPlan.id)
        .where(
            InspectionPlan.department_id == organiser.id,
            InspectionDraw.status == "committed",
            InspectionPlan.period_start <= last,
            InspectionPlan.period_end >= first,
        )
    )
    mine: set[tuple[int, str]] | None = None
    for plan_number, text, draw_number, commit_seq in waiting:
        other = json.loads(text)
        shared = set(other["items"]) & set(rules["items"])
        if not shared:
            continue
        # The same firms however the population is written (a division prefix that is the whole city, the classes
        # spelt out): the (target, item) pairs both would draw from, as the draws would freeze them today.
        wanted = sorted(set(rules["items"]) | set(other["items"]))
        items = {i.code: i for i in session.scalars(select(InspectionItem).where(InspectionItem.code.in_(wanted)))}
        if mine is None:
            mine = snapshot.population_items(session, rules, {c: items[c] for c in rules["items"]}, day)
        staffing = _staffing_population(session, keys_dir, draw_number, commit_seq)
        if staffing is not None:
            if mine & staffing[1]:
                raise _staffing_waits(organiser, plan_number, draw_number, staffing[0], mine & staffing[1])
            continue
        theirs = snapshot.population_items(session, other, {c: items[c] for c in other["items"] if c in items}, day)
        both = mine & theirs
        firms, codes = len({t for t, _ in both}), ", ".join(sorted(shared))
        if both or other["population"] == rules["population"]:
            raise ConflictError(
                f"Plan `{plan_number}` of `{organiser.code}` draws from the same population for item(s) {codes} in "
                f"that period ({firms} firm(s) in both), and its draw `{draw_number}` waits. Run it (`zhizhi "
                f"inspections draw {draw_number}`), or draw that plan again with a reason (`zhizhi inspections redraw "
                f"{plan_number} --reason ...`): a redraw is on record.",
                zh=f"`{organiser.code}` 的抽查计划 `{plan_number}` 在该期间对事项 {codes} 抽取相同的检查对象"
                f"（{firms} 户两者都含），其抽取 `{draw_number}` 尚未进行。请先进行该抽取，"
                "或说明原因后重新抽取该计划（记入账本）。",
            )


def _staffing_population(
    session: Session, keys_dir: Path, draw_number: str, commit_seq: int
) -> tuple[str, set[tuple[int, str]]] | None:
    """A waiting staffing draw's: the draw it staffs, and its own (target, item) pairs as frozen at its commitment
    (those firms only, not its plan's population). None for a draw of the whole plan, or a staffing draw whose frozen
    population is gone (it cannot run: its plan is drawn again, as for any such draw)."""
    payload = session.scalar(select(LedgerEntry.payload).where(LedgerEntry.seq == commit_seq))
    staffs = json.loads(payload or "{}").get("staffs")
    if not staffs:
        return None
    try:
        frozen, _ = snapshot.read(frozen_path(keys_dir, draw_number))
    except InputError:
        return None
    return staffs, {(t.id, code) for t in frozen.targets for code in t.items}


def _staffing_waits(
    organiser: Department, plan_number: str, draw_number: str, staffs: str, both: set[tuple[int, str]]
) -> ConflictError:
    """The refusal of a plan drawing firms a staffing draw waits for: run that draw (a redraw of its plan would void
    it and draw the plan's whole population again)."""
    firms, codes = len({t for t, _ in both}), ", ".join(sorted({c for _, c in both}))
    return ConflictError(
        f"Staffing draw `{draw_number}` of plan `{plan_number}` (`{organiser.code}`; it staffs draw `{staffs}`) waits "
        f"for {firms} firm(s) this plan also draws for item(s) {codes}. Run it first (`zhizhi inspections draw "
        f"{draw_number}`), then create the plan: a staffing draw is run, not redrawn.",
        zh=f"`{organiser.code}` 的抽查计划 `{plan_number}` 的补充抽取 `{draw_number}`（为抽取 `{staffs}` 补派检查人员）"
        f"尚未进行，其中 {firms} 户检查对象本计划也对事项 {codes} 抽取。请先进行该补充抽取（`zhizhi inspections "
        f"draw {draw_number}`），再创建本计划。",
    )


def _within_jurisdiction(session: Session, organiser: Department, rules: PlanRules) -> PlanRules:
    """A county's or grassroots office's plan draws the firms its own offices supervise (属地): no offices named is
    its own subtree, and an office named must lie in it. The bureau and its sections draw city-wide, or as named."""
    if organiser.kind not in LOCAL_KINDS:
        return rules
    if not rules.population.offices:
        population = rules.population.model_copy(update={"offices": [organiser.code]})
        return rules.model_copy(update={"population": population})
    named = select(Department.code, Department.path).where(Department.code.in_(rules.population.offices))
    outside = sorted(code for code, path in session.execute(named) if not path.startswith(organiser.path))
    if outside:
        raise InputError(
            f"`population.offices` = `{', '.join(outside)}`: a plan of `{organiser.code}` draws the firms of its own "
            f"offices; name offices under `{organiser.code}`, or leave the list empty for all of them.",
            zh=f"`population.offices` 中的 `{'、'.join(outside)}` 不在 `{organiser.code}` 辖区内："
            "属地抽查计划只抽取本辖区监管所的检查对象，请填写本辖区的监管所，或留空表示全部。",
        )
    return rules


def new_draw(
    session: Session,
    actor: Actor,
    keys_dir: Path,
    plan_number: str,
    reason: str,
    *,
    today: date | None = None,
    staffs: Staffing | None = None,
) -> InspectionDraw:
    """Commit another draw of a plan (a second round, or a seed lost before its draw), with the reason in the
    ledger beside the commitment: every draw of a plan stays on record. A draw of the plan still waiting is void,
    its seed revealed: nobody may hold two seeds of a plan and run the one whose result they prefer. `staffs`: a
    staffing draw, for these targets an earlier draw (its number) left unstaffed, or for the visits named whose team
    cannot be completed (`zhizhi.inspections.draws.staff`)."""
    require(actor, "data.write")
    plan = get_plan(session, actor, plan_number)
    if not 2 <= len(reason.strip()) <= 200:
        raise InputError(
            "Say why the plan gets another draw (2-200 characters).", zh="请说明再次抽取的原因（2-200字）。"
        )
    earlier = session.scalars(select(InspectionDraw).where(InspectionDraw.plan_id == plan.id)).all()
    number = f"{plan.number}-{len(earlier) + 1}"
    for waiting in (d for d in earlier if d.status == "committed"):
        _void(session, keys_dir, waiting, number, reason.strip())
    draw = commit_draw(session, actor, keys_dir, plan, number, reason=reason.strip(), today=today, staffs=staffs)
    audit.record(
        session,
        actor,
        "inspection_plan.redraw",
        object_type="inspection_plan",
        object_id=plan.number,
        detail={"draw": draw.number, "reason": reason.strip(), **({"staffs": staffs[0]} if staffs else {})},
    )
    return draw


def _void(session: Session, keys_dir: Path, draw: InspectionDraw, by: str, reason: str) -> None:
    """A waiting draw replaced by another: void, its seed revealed in the ledger so that anyone can see what it would
    have drawn (its frozen population is kept beside the seed)."""
    try:
        seed = seed_path(keys_dir, draw.number).read_text(encoding="ascii").strip()
    except OSError:
        seed = None  # lost: the reason says so, and the void is on record all the same
    payload = {"draw": draw.number, "by": by, "reason": reason, "seed": seed, "seed_hash": draw.seed_hash}
    ledger.append(session, "draw.void", "inspection_draw", draw.number, payload)
    draw.status = "void"  # its seed is in the ledger entry, not on the draw: it never drew


def commit_draw(
    session: Session,
    actor: Actor,
    keys_dir: Path,
    plan: InspectionPlan,
    number: str,
    *,
    reason: str | None = None,
    today: date | None = None,
    staffs: Staffing | None = None,
) -> InspectionDraw:
    """A draw of `plan`: the population frozen on `today`, then a new seed; the hashes of both committed to the
    ledger and signed, the seed and the snapshot kept in the keys until the draw. `staffs`: a staffing draw's
    earlier draw and targets (its population is those targets only)."""
    day = today or local_today()
    seed = secrets.token_bytes(32)
    seed_hash = hashlib.sha256(seed).hexdigest()
    frozen = _freeze(session, keys_dir, plan, number, seed_hash, day, staffs)
    path = seed_path(keys_dir, number)
    path.write_text(seed.hex() + "\n", encoding="ascii")
    path.chmod(0o600)
    organiser = session.get_one(Department, plan.department_id)
    payload = {
        "draw": number,
        "plan": plan.number,
        "title": plan.title,
        "department": organiser.code,
        "period": [plan.period_start.isoformat(), plan.period_end.isoformat()],
        "rules": json.loads(plan.rules),
        "seed_hash": seed_hash,
        "snapshot_hash": frozen[0],
        "frozen_on": day.isoformat(),
        "population": frozen[1],
        "inspectors": frozen[2],
        **({"reason": reason} if reason else {}),
        **({"staffs": staffs[0]} if staffs else {}),
        **({"restaffs": sorted(staffs[2])} if staffs and staffs[2] else {}),
    }
    seq = ledger.append(session, "draw.commit", "inspection_draw", number, payload)
    draw = InspectionDraw(
        number=number,
        plan_id=plan.id,
        status="committed",
        seed_hash=seed_hash,
        commit_seq=seq,
        committed_at=utcnow(),
        committed_by=actor.name,
        snapshot_hash=frozen[0],
        population=frozen[1],
        inspectors=frozen[2],
    )
    session.add(draw)
    session.flush()
    ledger.sign_head(session, keys_dir)  # the draw stored first: the store bears its entry out
    return draw


def _freeze(
    session: Session,
    keys_dir: Path,
    plan: InspectionPlan,
    number: str,
    seed_hash: str,
    day: date,
    staffs: Staffing | None = None,
) -> tuple[str, int, int]:
    """The plan's population on `day` (a staffing draw's: its targets only), written beside the seed: its SHA-256,
    targets and inspectors."""
    rules = json.loads(plan.rules)
    header = {"draw": number, "plan": plan.number, "seed_hash": seed_hash, "rules": rules}
    if staffs:
        header["staffs"] = staffs[0]
        if staffs[2]:
            header["restaffs"] = sorted(staffs[2])
    items = items_by_code(session, rules["items"])
    population = snapshot.freeze(session, header, items, day, staffs[1] if staffs else None)
    path = frozen_path(keys_dir, number)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    digest = snapshot.write(population, path)
    return digest, len(population.targets), len(population.inspectors)


def plan_as_dict(plan: InspectionPlan, organiser: Department) -> dict[str, Any]:
    """The JSON form of a plan."""
    return {
        "number": plan.number,
        "title": plan.title,
        "department": organiser.code,
        "department_name": organiser.name,
        "period": [plan.period_start.isoformat(), plan.period_end.isoformat()],
        "rules": json.loads(plan.rules),
        "created_by": plan.created_by,
    }


def get_plan(session: Session, actor: Actor, number: str) -> InspectionPlan:
    """A plan of the actor's subtree (by its organiser)."""
    require(actor, "data.read")
    plan = session.scalar(
        select(InspectionPlan).where(InspectionPlan.number == number, within_scope(actor, InspectionPlan.department_id))
    )
    if plan is None:
        raise NotFoundError(
            f"No inspection plan `{number}` in your scope. See `zhizhi inspections plan --list`.",
            zh=f"在您的权限范围内没有抽查计划 `{number}`。",
        )
    return plan
