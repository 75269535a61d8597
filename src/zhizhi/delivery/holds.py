"""Deliveries held back for a code decision, and the one path from such a delivery to its release.

A delivery whose record has a code with no single equivalent in the target's list is `withheld` at the claim and
names the code review item whose decision releases it (`Delivery.review_item_id`; `dead` instead when a steward
decided the code has none). Here:

- **the queue** (`review_queue`): review items a page at a time, those whose decision releases the most deliveries
  first, then those seen in the most rows;
- **one item** (`review_item`): the item, its candidates, and the held deliveries of the reader's departments;
- **deciding** (`decide_code`): the steward's decision (`zhizhi.codes.decide`), then every delivery held for the
  item is pending again (`release`), audited, each a ledger entry, and the count said back.

A hold is the hub's own, not a department's: a decision releases every delivery held for its item, whoever's
records they are; what a reader sees of them stays within the reader's departments.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, desc, distinct, func, select
from sqlalchemy.orm import Session

from zhizhi.access import Actor, audit, require
from zhizhi.access.departments import within_scope
from zhizhi.codes import decide, decision_as_dict, get_code_list, item_as_dict, list_decisions, load_hierarchy
from zhizhi.delivery.steward import Released, requeue
from zhizhi.errors import InputError, NotFoundError
from zhizhi.i18n import MESSAGES, translate
from zhizhi.records import record_types
from zhizhi.store.tables import Batch, CodeDecision, CodeReviewItem, Delivery
from zhizhi.store.types import iso_utc

RELEASABLE = ("withheld", "dead")  # the states a delivery held for a decision is in (dead: "no equivalent" decided)
QUEUE_ORDER = "released"  # how the queue is sorted, said on its page and in the CLI (see `review_queue`)
STATUSES = ("open", "decided")
DECISIONS_SHOWN = 50


@dataclass
class Decided:
    """A decision, and what became of the deliveries it held."""

    decision: dict[str, Any]
    released: Released

    def as_dict(self) -> dict[str, Any]:
        return self.decision | self.released.as_dict()


def review_queue(
    session: Session,
    actor: Actor,
    *,
    status: str | None = "open",
    from_list: str = "",
    to_list: str = "",
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """One page of review items (`status` None: decided ones too), those whose decision releases the most held
    deliveries first, then those seen in the most rows; the count of all, and the latest decisions in force."""
    require(actor, "data.read")
    if status is not None and status not in STATUSES:
        raise InputError(
            f"Unknown review status `{status}`; use one of {', '.join(STATUSES)}.",
            zh=f"未知的审核状态「{status}」，可选：待审（open）、已决定（decided）。",
        )
    clauses = _chosen(status, from_list, to_list)
    held = _held().subquery()
    deliveries, records = func.coalesce(held.c.deliveries, 0), func.coalesce(held.c.records, 0)
    query = (
        select(CodeReviewItem, deliveries, records)
        .outerjoin(held, held.c.item_id == CodeReviewItem.id)
        .where(*clauses)
        .order_by(desc(deliveries), desc(CodeReviewItem.rows_affected), CodeReviewItem.id)
        .limit(limit)
        .offset(offset)
    )
    names = _Names(session)
    items = [names.item(item, int(d), int(r)) for item, d, r in session.execute(query)]
    total = session.scalar(select(func.count()).select_from(CodeReviewItem).where(*clauses)) or 0
    return {
        "items": items,
        "total": int(total),
        "limit": limit,
        "offset": offset,
        "order": QUEUE_ORDER,
        "decisions": _decisions(session, names, from_list, to_list),
    }


def waits_for(session: Session, item_id: int) -> dict[str, Any]:
    """The review item a held delivery waits for, as the queue shows it (what its decision releases included)."""
    return _shaped(_Names(session), _get_item(session, item_id))


def review_item(session: Session, actor: Actor, item_id: int, *, limit: int = 20) -> dict[str, Any]:
    """One review item as the queue shows it, its decision in force, and the first held deliveries of the actor's
    departments (`held_here`, with their count)."""
    require(actor, "data.read")
    names, item = _Names(session), _get_item(session, item_id)
    shaped = _shaped(names, item)
    mine = _held_deliveries(item_id).join(Batch, Batch.id == Delivery.batch_id)
    mine = mine.where(within_scope(actor, Batch.department_id))
    shaped["held_here"] = [
        {
            "id": d.id,
            "target": d.target,
            "status": d.status,
            "record_id": d.record_id,
            "record_key": d.record_key,
            "record_type": record_type,
            "updated_at": iso_utc(d.updated_at),
        }
        for d, record_type in session.execute(mine.add_columns(Batch.record_type).order_by(Delivery.id).limit(limit))
    ]
    count = mine.with_only_columns(Delivery.id).subquery()
    shaped["held_here_count"] = int(session.scalar(select(func.count()).select_from(count)) or 0)
    decision = _decision_in_force(session, item)
    shaped["decision"] = names.decision(decision) if decision is not None else None
    return shaped


def decide_code(
    session: Session, actor: Actor, item_id: int, *, to_code: str | None, reason: str, replaces: int | None = None
) -> Decided:
    """Record a steward's decision for a review item (`to_code` None: no equivalent), then make every delivery held
    for it pending again; both audited. `replaces`: see `zhizhi.codes.review.decide`."""
    decision = decide(session, actor, item_id, to_code=to_code, reason=reason, replaces=replaces)
    return Decided(decision_as_dict(decision), release(session, actor, item_id))


def release(session: Session, actor: Actor, item_id: int) -> Released:
    """Make the deliveries held for a decided review item pending again (the worker renders them with the decision
    in force); audited, and each a ledger entry. Returns how many. One whose record has a newer version that reached
    the target meanwhile is `superseded` instead, never sent (`zhizhi.delivery.supersede`), and counted apart."""
    require(actor, "data.write")
    item = _get_item(session, item_id)
    if item.status != "decided":
        raise InputError(
            f"Review item {item_id} (`{item.from_code}`) is not decided yet: decide it first, then its deliveries go.",
            zh=f"待审代码第 {item_id} 项（{item.from_code}）尚未决定：请先作出决定，其交付随即重新发送。",
        )
    held = list(session.scalars(_held_deliveries(item_id).order_by(Delivery.id)))
    queued = requeue(session, held, f"code decided: review item {item_id}")
    released = Released(queued, len(held) - queued)
    detail = {"code": item.from_code, "from_list": item.from_list, "to_list": item.to_list, **released.as_dict()}
    audit.record(
        session, actor, "delivery.release", object_type="code_review_item", object_id=item_id, detail=detail
    )
    return released


def count_held(session: Session, items: Iterable[CodeReviewItem]) -> None:
    """Count in each item's `rows_affected` at least the deliveries it now holds back: each claim notes only its own
    batch's rows, while the queue promises the rows a decision releases."""
    chosen = {item.id: item for item in items}
    if not chosen:
        return
    session.flush()
    for row in session.execute(_held().where(Delivery.review_item_id.in_(chosen))):
        item = chosen[row.item_id]
        item.rows_affected = max(item.rows_affected, int(row.deliveries))


def _shaped(names: _Names, item: CodeReviewItem) -> dict[str, Any]:
    held = names.session.execute(_held().where(Delivery.review_item_id == item.id)).one_or_none()
    return names.item(item, int(held.deliveries) if held else 0, int(held.records) if held else 0)


def _held() -> Any:
    """Per review item: the deliveries held for it, and of how many records."""
    return (
        select(
            Delivery.review_item_id.label("item_id"),
            func.count().label("deliveries"),
            func.count(distinct(Delivery.record_id)).label("records"),
        )
        .where(Delivery.review_item_id.is_not(None), Delivery.status.in_(RELEASABLE))
        .group_by(Delivery.review_item_id)
    )


def _held_deliveries(item_id: int) -> Select[Delivery]:
    return select(Delivery).where(Delivery.review_item_id == item_id, Delivery.status.in_(RELEASABLE))


def _chosen(status: str | None, from_list: str, to_list: str) -> list[ColumnElement[bool]]:
    clauses = []
    if status:
        clauses.append(CodeReviewItem.status == status)
    if from_list:
        clauses.append(CodeReviewItem.from_list == from_list)
    if to_list:
        clauses.append(CodeReviewItem.to_list == to_list)
    return clauses


def _get_item(session: Session, item_id: int) -> CodeReviewItem:
    item = session.get(CodeReviewItem, item_id)
    if item is None:
        raise NotFoundError(
            f"No review item {item_id}. See `zhizhi codes review list`.", zh=f"没有第 {item_id} 项待审代码。"
        )
    return item


def _decision_in_force(session: Session, item: CodeReviewItem) -> CodeDecision | None:
    return session.scalar(
        select(CodeDecision).where(
            CodeDecision.from_list == item.from_list,
            CodeDecision.to_list == item.to_list,
            CodeDecision.from_code == item.from_code,
            CodeDecision.context == item.context,
            CodeDecision.active.is_(True),
        )
    )


def _decisions(session: Session, names: _Names, from_list: str, to_list: str) -> list[dict[str, Any]]:
    """The latest decisions in force (between the chosen lists), newest first."""
    routes = [(a, b) for a, b in session.execute(select(CodeReviewItem.from_list, CodeReviewItem.to_list).distinct())]
    found = [
        decision
        for source, target in sorted(routes)
        if (not from_list or source == from_list) and (not to_list or target == to_list)
        for decision in list_decisions(session, source, target)
    ]
    found.sort(key=lambda d: (d.decided_at, d.id), reverse=True)
    return [names.decision(d) for d in found[:DECISIONS_SHOWN]]


class _Names:
    """Names of codes, titles of lists and labels of record fields, looked up once per call."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.codes: dict[str, dict[str, str]] = {}
        self.titles: dict[str, str] = {}

    def of(self, list_name: str, code: str | None) -> str:
        if list_name not in self.codes:
            tree = load_hierarchy(self.session, list_name)
            self.codes[list_name] = {c: info.name for c, info in tree.codes.items()}
        return self.codes[list_name].get(code or "", "")

    def title(self, list_name: str) -> str:
        if list_name not in self.titles:
            self.titles[list_name] = get_code_list(self.session, list_name).title
        return self.titles[list_name]

    def item(self, item: CodeReviewItem, deliveries: int, records: int) -> dict[str, Any]:
        """A review item's JSON form, with names, titles, field labels and what its decision releases."""
        shaped = item_as_dict(item)
        return shaped | {
            "name": self.of(item.from_list, item.from_code),
            "from_title": self.title(item.from_list),
            "to_title": self.title(item.to_list),
            "fields": _labelled(shaped["context"]),
            "candidates": [{"code": c, "name": self.of(item.to_list, c)} for c in shaped["candidates"]],
            "held": {"deliveries": deliveries, "records": records},
        }

    def decision(self, decision: CodeDecision) -> dict[str, Any]:
        shaped = decision_as_dict(decision)
        return shaped | {
            "name": self.of(decision.from_list, decision.from_code),
            "to_name": self.of(decision.to_list, decision.to_code),
            "from_title": self.title(decision.from_list),
            "to_title": self.title(decision.to_list),
            "fields": _labelled(json.loads(decision.context)),
        }


def _labelled(context: dict[str, str]) -> list[dict[str, str]]:
    """The record fields a decision depends on, with their labels in the catalogue (from the first record type that
    names the field: `industry_code_source` is 行业代码（原代码）)."""
    found = []
    for name, value in context.items():
        key = next((f"field.{kind}.{name}" for kind in record_types() if f"field.{kind}.{name}" in MESSAGES["en"]), "")
        zh, en = (translate("zh-CN", key), translate("en", key)) if key else (name, name)
        found.append({"field": name, "label_zh": zh, "label": en, "value": value})
    return found
