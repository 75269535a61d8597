"""The outbox as people look at it: deliveries per target and status."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhizhi.access.departments import within_scope
from zhizhi.access.roles import Actor, require
from zhizhi.store.tables import Batch, Delivery

STATUS_WORDS = {  # a delivery's state in people's words (Chinese, English): the web pages and the entity timeline
    "pending": ("待发送", "pending"),
    "sent": ("已发送，待回执", "sent, awaiting receipt"),
    "acknowledged": ("已确认", "acknowledged"),
    "rejected": ("被拒收", "rejected"),
    "dead": ("发送失败（死信）", "dead letter"),
}
STATUSES = tuple(STATUS_WORDS)


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
