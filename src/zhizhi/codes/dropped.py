"""Codes a new version of a list leaves out that crosswalks or stewards' decisions still lead to."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.codes.crosswalks import pairs_in_force
from zhizhi.store.tables import Code, CodeDecision, CodeListVersion, Crosswalk


def dropped_in_use(session: Session, version: CodeListVersion, list_name: str) -> dict[str, list[str]]:
    """Each code that a crosswalk in force or a decision in force translates into `list_name` but that `version`
    does not have, with what uses it (`crosswalk dep-to-div`, `decision dep-area 6210`): once that version is in
    force, those translations come out unmapped until the crosswalk or the decision names a code it has."""
    kept = set(session.scalars(select(Code.code).where(Code.version_id == version.id)))
    used: dict[str, list[str]] = defaultdict(list)
    for crosswalk in session.scalars(select(Crosswalk).where(Crosswalk.to_list == list_name).order_by(Crosswalk.name)):
        for to_code in sorted({p.to_code for p in pairs_in_force(session, crosswalk)} - kept):
            used[to_code].append(f"crosswalk {crosswalk.name}")
    decisions = select(CodeDecision).where(
        CodeDecision.to_list == list_name, CodeDecision.active.is_(True), CodeDecision.to_code.is_not(None)
    )
    for decision in session.scalars(decisions.order_by(CodeDecision.from_list, CodeDecision.from_code)):
        if decision.to_code is not None and decision.to_code not in kept:
            used[decision.to_code].append(f"decision {decision.from_list} {decision.from_code}")
    return dict(sorted(used.items()))
