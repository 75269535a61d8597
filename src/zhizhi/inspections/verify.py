"""Checking a drawn draw: `verify_draw` re-runs it from its stored snapshot and revealed seed and checks it against
the ledger, the result file kept beside the snapshot and the visits; `export_package` writes what an outsider needs
to do the same without zhizhi's database, and `verify_package` is that check."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi import ledger
from zhizhi.access.roles import Actor
from zhizhi.config import Workspace
from zhizhi.errors import ConflictError, InputError, NotFoundError
from zhizhi.inspections import algorithm, snapshot
from zhizhi.inspections.draws import RESULT_FILE, SNAPSHOT_FILE, draw_as_dict, draw_folder, get_draw
from zhizhi.store.tables import InspectionDraw, InspectionVisit, LedgerEntry, User, VisitInspector


@dataclass
class Verification:
    """The checks of a draw, each with what it found."""

    draw: str
    checks: list[dict[str, Any]] = field(default_factory=list)
    key_checked: bool | None = None  # a package's signer against the bureau's published key (None: not a package)

    def check(self, name: str, ok: bool, detail: str) -> bool:
        self.checks.append({"check": name, "ok": bool(ok), "detail": detail})
        return bool(ok)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c["ok"] for c in self.checks)

    def as_dict(self) -> dict[str, Any]:
        found = {"draw": self.draw, "ok": self.ok, "checks": self.checks}
        return found if self.key_checked is None else found | {"key_checked": self.key_checked}


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
    seed = _hex(draw.seed)
    found.check(
        "seed as committed",
        seed is not None
        and hashlib.sha256(seed).hexdigest() == commit["payload"]["seed_hash"] == reveal["payload"]["seed_hash"],
        "SHA-256 of the revealed seed equals the committed hash"
        if seed is not None
        else f"the stored seed `{draw.seed[:80]}` is not hexadecimal: it was damaged; the ledger's reveal holds it",
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
    stored, rerun_text = _stored_result(workspace, number), result.text().encode("utf-8")
    found.check(
        "result file as drawn",
        stored == rerun_text,
        f"{RESULT_FILE} beside the snapshot is the re-run's result"
        if stored == rerun_text
        else f"{RESULT_FILE} beside the snapshot differs from the re-run's result (SHA-256 "
        f"{hashlib.sha256(stored).hexdigest() if stored is not None else 'none: missing'}): "
        "it was changed after the draw; the package is not exported",
    )
    stored_visits, drawn = _visits_of(session, draw), {p.target: p.team for p in result.selected}
    found.check("visits as drawn", stored_visits == drawn, _visit_differences(stored_visits, drawn))
    wrong = _replacement_problems(session, draw, population, bytes.fromhex(draw.seed))  # hexadecimal: re-run above
    found.check(
        "replacements as drawn",
        not wrong,
        f"{len(wrong)} member(s) not drawn: " + "; ".join(wrong[:5]) + (f"; and {len(wrong) - 5} more" if
        len(wrong) > 5 else "") if wrong else "each member who joined a team after the draw is the next of the draw's "
        "order, with a draw.replace entry in the ledger",
    )  # fmt: skip
    return found


def _hex(text: str) -> bytes | None:
    try:
        return bytes.fromhex(text)
    except ValueError:
        return None


def _replacement_problems(
    session: Session, draw: InspectionDraw, population: algorithm.Population, seed: bytes
) -> list[str]:
    """Each member of the draw's visits not of the drawn team who has no `draw.replace` entry in the ledger, or is
    not the next inspector of the draw's order for the firm (not on the team before, not replaced, not passed over
    as the entry records)."""
    entries = [json.loads(p) for p in session.scalars(
        select(LedgerEntry.payload)
        .where(LedgerEntry.kind == "draw.replace", LedgerEntry.subject_id == draw.number)
        .order_by(LedgerEntry.seq)
    )]  # fmt: skip
    names = {user_id: name for user_id, name in session.execute(select(User.id, User.username))}
    targets, pools = {t.id: t for t in population.targets}, algorithm.pools(population)
    rows = session.execute(
        select(InspectionVisit.number, InspectionVisit.entity_id, VisitInspector.user_id, VisitInspector.how)
        .join(VisitInspector, VisitInspector.visit_id == InspectionVisit.id)
        .where(InspectionVisit.draw_id == draw.id)
        .order_by(InspectionVisit.rank, VisitInspector.position)
    ).all()
    used: dict[str, set[int]] = {}
    problems: list[str] = []
    for number, entity_id, user_id, how in rows:
        before = used.setdefault(number, set())
        if how != "drawn":
            name = names.get(user_id, str(user_id))
            entry = next((e for e in entries if e.get("visit") == number and e.get("added") == name), None)
            target = targets.get(entity_id)
            if entry is None or target is None:
                problems.append(f"visit {number}: `{name}` joined with no `draw.replace` entry in the ledger")
            else:
                passed = {int(u) for u, _ in entry.get("passed_over") or []}
                shuffle = algorithm.Shuffle(population, seed, target, pools[population.required(target)])
                expected = next((i for i, _ in shuffle if i not in before and i not in passed), None)
                if expected != user_id:
                    problems.append(f"visit {number}: `{name}` is not the next of the draw's order")
        before.add(user_id)
    return problems


def _stored_result(workspace: Workspace, number: str) -> bytes | None:
    """The result file kept beside the snapshot, as bytes (one changed by hand need not even be UTF-8)."""
    path = draw_folder(workspace, number) / RESULT_FILE
    return path.read_bytes() if path.is_file() else None


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
    if stored is None or hashlib.sha256(stored).hexdigest() != draw.result_hash:
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


def verify_package(folder: Path, key: str | None = None) -> Verification:
    """Check a draw's package with no database: the ledger proofs (signed by `key`, the fingerprint the bureau
    publishes, when given), the seed against the commitment, the snapshot against the reveal, and the draw re-run
    against the result file and the reveal. Anyone can make a package that holds with a key of their own: without
    `key` the signer is named, not vouched for (`Verification.key_checked`)."""
    missing = [n for n in PACKAGE_FILES if not (folder / n).is_file()]
    if missing:
        raise InputError(
            f"`{folder}` lacks {', '.join(missing)}: export the package with `zhizhi inspections verify-draw NUMBER "
            "--export DIR`.",
            zh=f"`{folder}` 缺少文件：{'、'.join(missing)}。",
        )
    try:
        info = json.loads((folder / "draw.json").read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError):
        info = None
    found = Verification(str(info.get("number")) if isinstance(info, dict) else "")
    proofs: dict[str, Any] = {}
    for name in ("commit", "reveal"):
        checked = ledger.check_proof((folder / f"{name}-proof.json").read_bytes(), expected_fingerprint=key)
        seq = checked.entry["seq"] if checked.entry else None
        found.check(f"{name} proof", checked.ok, checked.problem or f"ledger entry {seq}, signed")
        proofs[name] = checked
    signers = sorted({str(p.checkpoint["key_fingerprint"]) for p in proofs.values() if p.ok and p.checkpoint})
    found.key_checked = key is not None and all(p.ok for p in proofs.values())
    if not signers:
        found.check("signing key", False, "the proofs do not hold: no signer to name")
    else:
        said = f"both proofs signed by {signers[0]}" if len(signers) == 1 else f"signed by {', '.join(signers)}"
        found.check("signing key", len(signers) == 1, said + (
            ", the key expected" if found.key_checked else ": compare it with the key the bureau publishes (`--key`)"
        ))  # fmt: skip
    commit = (proofs["commit"].entry or {}).get("payload", {})
    reveal = (proofs["reveal"].entry or {}).get("payload", {})
    found.draw = found.draw or str(reveal.get("draw"))  # draw.json unreadable: its own check fails below
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
    _draw_json_as_revealed(found, info, reveal)
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
        hashlib.sha256(_hex(seed) or b"").hexdigest() == commit.get("seed_hash") if seed else False,
        "SHA-256 of the revealed seed equals the committed hash",
    )
    result = rerun(population, seed, found)
    if result is not None:
        found.check(
            "draw reproduced",
            result.digest() == reveal.get("result_hash")
            and result.text().encode("utf-8") == (folder / RESULT_FILE).read_bytes(),  # byte for byte, as hashed
            f"SHA-256 of the re-run's result: {result.digest()}",
        )
    return found


def _draw_json_as_revealed(found: Verification, info: Any, reveal: dict[str, Any]) -> None:
    """draw.json says what the signed reveal says: its number, seed and hashes (each field that differs named)."""
    if not isinstance(info, dict):
        found.check("draw.json as revealed", False, "draw.json is not a JSON object: export the package again")
        return
    fields = {"number": "draw", "seed": "seed", "seed_hash": "seed_hash", "snapshot_hash": "snapshot_hash",
              "result_hash": "result_hash"}  # fmt: skip
    differ = [name for name, revealed in fields.items() if info.get(name) != reveal.get(revealed)]
    found.check(
        "draw.json as revealed",
        not differ,
        f"draw.json's {', '.join(differ)} differ(s) from the signed reveal" if differ
        else "draw.json's number, seed and hashes are the signed reveal's",
    )
