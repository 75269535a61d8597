"""Deliveries at a glance: per target, the funnel from owed to acknowledged, and the latest that went wrong.

The figures are those of reconciliation (`zhizhi.delivery.reconcile`), over all time and every source: `owed` =
`delivered` + `pending` + `withheld` + `dead` + `unknown` + `superseded`, and `delivered` (reached the platform) =
`acknowledged` + `rejected` (the platform refused) + `sent` (awaiting the platform's receipt); `withheld` never left
(a code waits for a steward's decision), `superseded` never will (a newer version of its record reached the
platform). Beside them, `retrying`: the pending deliveries tried and failed that wait for their next try, with the
latest error, so that a platform refusing zhizhi's credentials or down for hours is seen before anything is dead.
Like every figure, they count only the records the viewer's departments brought in.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhizhi.access.departments import within_scope
from zhizhi.access.roles import Actor, require
from zhizhi.delivery.figures import OUTCOME_FIGURES as FIGURES
from zhizhi.delivery.outbox import STATUSES, delivery_counts
from zhizhi.delivery.targets import FILES
from zhizhi.errors import ZhizhiError
from zhizhi.privacy.catalogue import FREE_TEXT
from zhizhi.privacy.masking import mask, mask_data
from zhizhi.records import record_types
from zhizhi.store.tables import Batch, Delivery, RecordVersion
from zhizhi.store.types import iso_utc

DELIVERED = ("sent", "acknowledged", "rejected")
PROBLEMS = ("rejected", "withheld", "dead", "unknown")


def funnels(session: Session, actor: Actor, root: Path) -> list[dict[str, Any]]:
    """Per target (each with a file in `root/targets`, and any other that was owed something): its title and the
    figures of `FIGURES`, of the actor's departments' records."""
    counts = delivery_counts(session, actor)
    titles = target_titles(root)
    failing = retrying(session, actor)
    found = []
    for name in sorted(set(titles) | set(counts)):
        by_status = counts.get(name) or dict.fromkeys(STATUSES, 0)
        figures = {
            "owed": sum(by_status.values()),
            "delivered": sum(by_status[status] for status in DELIVERED),
            **{status: by_status[status] for status in STATUSES},
        }
        found.append(
            {
                "target": name,
                "title": titles.get(name),
                **{key: figures[key] for key in FIGURES},
                **(failing.get(name) or {"retrying": 0, "retry_error": None, "retry_error_at": None}),
            }
        )
    return found


def retrying(session: Session, actor: Actor) -> dict[str, dict[str, Any]]:
    """Per target, the pending deliveries of the actor's departments' records that were tried and failed and wait
    for their next try: how many, and the latest error with its time."""
    scope = within_scope(actor, Batch.department_id)
    failed = (
        select(Delivery.target, func.count(), func.max(Delivery.updated_at))
        .join(Batch, Batch.id == Delivery.batch_id)
        .where(scope, Delivery.status == "pending", Delivery.attempts > 0)
        .group_by(Delivery.target)
    )
    found: dict[str, dict[str, Any]] = {}
    for target, count, latest in session.execute(failed).all():
        error = session.scalar(
            select(Delivery.last_error)
            .join(Batch, Batch.id == Delivery.batch_id)
            .where(scope, Delivery.target == target, Delivery.status == "pending", Delivery.attempts > 0)
            .order_by(Delivery.updated_at.desc(), Delivery.id.desc())
            .limit(1)
        )
        shown = mask(FREE_TEXT, error) if error else None  # a platform's page may echo a person's number
        found[target] = {"retrying": int(count), "retry_error": shown, "retry_error_at": iso_utc(latest)}
    return found


def latest_problems(session: Session, actor: Actor, limit: int = 20) -> list[dict[str, Any]]:
    """The latest deliveries of the actor's departments' records that went wrong (rejected, withheld, dead,
    unknown), newest first, with the reason and the review item a withheld one waits for."""
    require(actor, "data.read")
    query = (
        select(Delivery, Batch.record_type, RecordVersion.data)
        .join(Batch, Batch.id == Delivery.batch_id)
        .join(RecordVersion, RecordVersion.id == Delivery.record_version_id)
        .where(within_scope(actor, Batch.department_id), Delivery.status.in_(PROBLEMS))
        .order_by(Delivery.updated_at.desc(), Delivery.id.desc())
        .limit(limit)
    )
    return [
        {
            "id": delivery.id,
            "target": delivery.target,
            "status": delivery.status,
            "reason": mask(FREE_TEXT, delivery.last_error) if delivery.last_error else None,
            "review_item_id": delivery.review_item_id,
            "record_id": delivery.record_id,
            "record_key": delivery.record_key,
            "record_type": record_type,
            "name": _name(actor, record_type, data),
            "attempts": delivery.attempts,
            "at": iso_utc(delivery.updated_at),
        }
        for delivery, record_type, data in session.execute(query)
    ]


def target_titles(root: Path) -> dict[str, str | None]:
    """Each target file's name and title; a file that does not load is listed without one (the CLI says why)."""
    titles: dict[str, str | None] = {}
    for name in FILES.names(root):
        try:
            titles[name] = FILES.load(root, name).title
        except ZhizhiError:
            titles[name] = None
    return titles


def _name(actor: Actor, record_type: str, data: str) -> str | None:
    """The record's name (its first field of kind `name`), as the actor may see it."""
    kind = record_types().get(record_type)
    field = next((spec.name for spec in kind.fields if spec.kind == "name"), None) if kind else None
    if field is None:
        return None
    value = mask_data(record_type, json.loads(data)).get(field)
    return None if value is None else str(value)
