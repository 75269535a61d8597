"""An entity's whole file (一企一档) as its page, its JSON twin and `zhizhi entities show` give it: the register's
file (register.py) with the hotline cases whose respondent the entity is and the results of its random inspections.
A module of its own: the hotline and the inspections import register.py (an entity's current id).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from zhizhi.access import Actor
from zhizhi.hotline import entity_cases
from zhizhi.inspections import entity_results
from zhizhi.resolve.register import entity_file


def entity_dossier(
    session: Session, actor: Actor, entity_id: int, *, purpose: str | None = None, per_hour: int = 200
) -> dict[str, Any]:
    """The entity's file (see `register.entity_file`, masked alike), its cases (no caller named; another office's
    case named, not opened) and its inspection results."""
    file = entity_file(session, actor, entity_id, purpose=purpose, per_hour=per_hour)
    kept = int(file["id"])
    cases, results = entity_cases(session, actor, kept), entity_results(session, actor, kept)
    return {**file, "cases": cases, "inspection_results": results}
