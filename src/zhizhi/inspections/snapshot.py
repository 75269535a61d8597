"""The frozen population of a draw, as a file anyone can re-run the draw on: JSON lines, each in canonical form
(keys sorted, no spaces), gzip-compressed; its SHA-256 (over the uncompressed text) is what the ledger records.

Lines, in this order, each kind sorted by id:
- the header: `{"format": "zhizhi-draw-snapshot/1", "algorithm", "draw", "plan", "seed_hash", "frozen_on",
  "rules", "items": {code: {"department", "qualification"}}}`;
- `{"kind": "office", "id", "path"}`: the department tree's paths of every office named below (`/1/8/9/`);
- `{"kind": "inspector", "id", "office", "qualifications"}`: the inspectors who could be sent that day;
- `{"kind": "target", "id", "class", "office", "items", "recent"}`: the targets of the population, the plan's
  items that apply to each, and whether it was inspected within the plan's months;
- `{"kind": "conflict", "inspector", "target", "rule"}`: declared relations and recent visits by the same inspector.

A staffing draw's header also names the draw it staffs (`staffs`) and, when it gives visits whose team cannot be
completed a new team, those visits (`restaffs`).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Collection, Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from zhizhi.errors import InputError
from zhizhi.inspections.algorithm import ALGORITHM, Candidate, Population, Target, canonical
from zhizhi.inspections.inspectors import drawable, qualifications_of
from zhizhi.inspections.targets import CHUNK, months_before
from zhizhi.resolve.register import current_ids
from zhizhi.store.tables import (
    Department,
    InspectionItem,
    InspectionTarget,
    InspectionVisit,
    Inspector,
    InspectorRelation,
    User,
    VisitInspector,
)
from zhizhi.store.types import LOCAL_TZ

FORMAT = "zhizhi-draw-snapshot/1"


def freeze(
    session: Session,
    header: dict[str, Any],
    items: dict[str, InspectionItem],
    day: date,
    only: Collection[int] | None = None,
) -> Population:
    """The population of a plan on `day`: `header` holds the draw, plan, seed hash and rules; `items` the plan's;
    `only`, for a staffing draw, the targets it is for (those still in the target register on `day`)."""
    rules = header["rules"]
    departments = {d.id: d for d in session.scalars(select(Department))}
    codes = {d.id: d.code for d in departments.values()}
    header = {
        **header,
        "format": FORMAT,
        "algorithm": ALGORITHM,
        "frozen_on": day.isoformat(),
        "items": {
            c: {"department": codes[i.department_id], "qualification": i.qualification}
            for c, i in sorted(items.items())
        },
    }
    population = Population(header)
    population.inspectors = _inspectors(session, day)
    population.targets = list(_targets(session, rules, items, departments, day, only))
    entities = {t.id for t in population.targets}
    population.conflicts = _conflicts(session, rules, entities, day, header.get("restaffs") or ())
    used = {c.office for c in population.inspectors} | {t.office for t in population.targets}
    population.offices = {i: departments[i].path for i in sorted(o for o in used if o is not None)}
    return population


def population_items(session: Session, rules: dict[str, Any], items: dict[str, InspectionItem], day: date) -> set[
    tuple[int, str]
]:  # fmt: skip
    """The (target, item) pairs a plan's `rules` would draw from on `day`, as `freeze` selects them."""
    departments = {d.id: d for d in session.scalars(select(Department))}
    return {(t.id, code) for t in _targets(session, rules, items, departments, day) for code in t.items}


def _inspectors(session: Session, day: date) -> list[Candidate]:
    rows = session.execute(select(Inspector, User).join(User, User.id == Inspector.user_id).order_by(User.id))
    return [Candidate(u.id, i.office_id, frozenset(qualifications_of(i))) for i, u in rows if drawable(i, u, day)]


def _targets(
    session: Session,
    rules: dict[str, Any],
    items: dict[str, InspectionItem],
    departments: dict[int, Department],
    day: date,
    only: Collection[int] | None = None,
) -> Iterator[Target]:
    wanted = rules["population"]
    classes = set(wanted.get("classes") or []) or set(rules["proportions"])
    offices = [d.path for d in departments.values() if d.code in set(wanted.get("offices") or [])]
    divisions = tuple(wanted.get("divisions") or [])
    recent_since = months_before(day, int(rules["recent_months"])) if rules["recent_months"] else None
    applies = [(code, set(item.record_types.split(","))) for code, item in sorted(items.items())]
    items_of: dict[str, tuple[str, ...]] = {}  # a target's kinds of records -> the plan's items that apply
    t = InspectionTarget
    query = (
        select(t.entity_id, t.risk_class, t.office_id, t.record_types, t.last_inspected_on, t.division_code)
        .where(t.active, t.risk_class.in_(sorted(classes)))
        .order_by(t.entity_id)
    )
    wanted_ids = None if only is None else set(only)
    for entity_id, risk_class, office_id, kinds, last, division in session.execute(query).yield_per(CHUNK):
        if wanted_ids is not None and entity_id not in wanted_ids:
            continue
        if divisions and not (division or "").startswith(divisions):
            continue
        office = departments.get(office_id) if office_id else None
        if offices and (office is None or not office.path.startswith(tuple(offices))):
            continue
        codes = items_of.get(kinds)
        if codes is None:
            held = set(kinds.split(","))
            codes = items_of[kinds] = tuple(code for code, needs in applies if "entity" in needs or needs & held)
        if codes:
            yield Target(entity_id, risk_class, office_id, codes, bool(recent_since and last and last >= recent_since))


def _conflicts(
    session: Session, rules: dict[str, Any], entities: set[int], day: date, restaffs: Collection[str] = ()
) -> dict[tuple[int, int], str]:
    """Declared relations and recent visits with the targets, by the firm as the register holds it now: a relation
    with, or a visit to, a firm merged since into a target is one with the target. The visits a staffing draw gives
    a new team (`restaffs`) are not past visits: their members may be drawn again."""
    pairs: list[tuple[int, int, str]] = []  # (inspector, entity as recorded, rule); a relation wins over a visit
    months = int(rules["same_inspector_months"])
    if months:
        since = months_before(day, months)
        visits = session.execute(
            select(VisitInspector.user_id, InspectionVisit.entity_id)
            .join(InspectionVisit, InspectionVisit.id == VisitInspector.visit_id)
            .where(InspectionVisit.status != "merged", InspectionVisit.number.not_in(list(restaffs)))
            .where(
                or_(
                    InspectionVisit.inspected_on >= since,
                    InspectionVisit.created_at >= datetime.combine(since, time(), LOCAL_TZ),
                )
            )
        )
        pairs.extend((user_id, entity_id, "recent_inspector") for user_id, entity_id in visits)
    relations = session.execute(
        select(InspectorRelation.user_id, InspectorRelation.entity_id).where(InspectorRelation.withdrawn_at.is_(None))
    )
    pairs.extend((user_id, entity_id, "relation") for user_id, entity_id in relations)
    firm = current_ids(session, entities | {entity_id for _, entity_id, _ in pairs})
    targets: dict[int, list[int]] = {}  # the firm now -> the population's targets that are it
    for entity_id in entities:
        targets.setdefault(firm[entity_id], []).append(entity_id)
    found: dict[tuple[int, int], str] = {}
    for user_id, entity_id, rule in pairs:
        for target in targets.get(firm[entity_id], ()):
            found[(user_id, target)] = rule
    return found


def lines(population: Population) -> Iterator[str]:
    """The snapshot's lines, in their one order and form."""
    yield canonical(population.header) + "\n"
    for office, path in sorted(population.offices.items()):
        yield f'{{"id":{office},"kind":"office","path":{json.dumps(path)}}}\n'
    for c in sorted(population.inspectors, key=lambda c: c.id):
        yield (
            canonical({"id": c.id, "kind": "inspector", "office": c.office, "qualifications": sorted(c.qualifications)})
            + "\n"
        )
    for t in sorted(population.targets, key=lambda t: t.id):
        where = "null" if t.office is None else str(t.office)
        items = ",".join(json.dumps(i, ensure_ascii=False) for i in t.items)
        recent = "true" if t.recent else "false"
        yield (
            f'{{"class":"{t.risk_class}","id":{t.id},"items":[{items}],"kind":"target","office":{where},'
            f'"recent":{recent}}}\n'
        )
    for (inspector, target), rule in sorted(population.conflicts.items()):
        yield f'{{"inspector":{inspector},"kind":"conflict","rule":"{rule}","target":{target}}}\n'


def write(population: Population, path: Path) -> str:
    """Write the snapshot (gzip, no time in its header so the same population gives the same bytes); returns the
    SHA-256 of its text."""
    digest = hashlib.sha256()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as packed:
        buffer: list[bytes] = []
        for line in lines(population):
            data = line.encode("utf-8")
            digest.update(data)
            buffer.append(data)
            if len(buffer) >= CHUNK:
                packed.write(b"".join(buffer))
                buffer = []
        packed.write(b"".join(buffer))
    return digest.hexdigest()


def read(path: Path) -> tuple[Population, str]:
    """The population of a snapshot file and the SHA-256 of its text; a line out of form is refused, named."""
    digest = hashlib.sha256()
    population: Population | None = None
    shared: dict[tuple[str, ...], tuple[str, ...]] = {}  # one tuple per set of items: a million targets share few
    decode = json.JSONDecoder().decode  # on text: `json.loads` would sniff each line's encoding again
    try:
        with gzip.open(path, "rb") as handle:
            for number, data in enumerate(handle, start=1):
                digest.update(data)
                population = _line(population, decode(data.decode("utf-8")), number, shared)
    except (OSError, EOFError, KeyError, TypeError, ValueError) as exc:  # ValueError: JSON and UTF-8 errors too
        raise InputError(
            f"`{path.name}` is not a draw snapshot ({type(exc).__name__}: {str(exc)[:200]}). Use the file the draw "
            "wrote (snapshot.jsonl.gz).",
            zh=f"`{path.name}` 不是抽取名单快照文件，请使用抽取时生成的 snapshot.jsonl.gz。",
        ) from exc
    if population is None:
        raise InputError(f"`{path.name}` is empty.", zh=f"`{path.name}` 是空文件。")
    return population, digest.hexdigest()


def _line(
    population: Population | None, value: dict[str, Any], number: int, shared: dict[tuple[str, ...], tuple[str, ...]]
) -> Population:
    if population is None:
        if value.get("format") != FORMAT:
            raise ValueError(f"line 1 is not a `{FORMAT}` header")
        return Population(value)
    kind = value["kind"]
    if kind == "office":
        population.offices[int(value["id"])] = str(value["path"])
    elif kind == "inspector":
        population.inspectors.append(Candidate(int(value["id"]), value["office"], frozenset(value["qualifications"])))
    elif kind == "target":
        items = tuple(value["items"])
        population.targets.append(
            Target(
                int(value["id"]),
                str(value["class"]),
                value["office"],
                shared.setdefault(items, items),
                bool(value["recent"]),
            )
        )
    elif kind == "conflict":
        population.conflicts[(int(value["inspector"]), int(value["target"]))] = str(value["rule"])
    else:
        raise ValueError(f"line {number}: unknown kind `{kind}`")
    return population
