"""The outbox as people look at it: deliveries per target and status."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhizhi.access.departments import within_scope
from zhizhi.access.roles import Actor, require
from zhizhi.store.tables import Batch, Delivery

STATUSES = ("pending", "sent", "acknowledged", "rejected", "dead")


def delivery_counts(session: Session, actor: Actor) -> dict[str, dict[str, int]]:
    """Per target, deliveries by status, of the records the actor's departments brought in."""
    require(actor, "data.read")
    query = (
        select(Delivery.target, Delivery.status, func.count())
        .join(Batch, Batch.id == Delivery.batch_id)
        .where(within_scope(actor, Batch.department_id))
        .group_by(Delivery.target, Delivery.status)
    )
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATUSES, 0))
    for target, status, count in session.execute(query):
        counts[target][status] = int(count)
    return dict(counts)
