"""Reconciliation: what each source brought in and what each target made of it, and the deliveries behind a figure."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request

from zhizhi.delivery import load_targets
from zhizhi.delivery.drilldown import list_deliveries
from zhizhi.delivery.figures import ReconcileFilter
from zhizhi.delivery.reconcile import reconcile
from zhizhi.web.deps import ApiDataReader, DbSession, Limit, Offset, app_context

router = APIRouter(tags=["reconcile"])
Figure = Literal[
    "owed", "delivered", "acknowledged", "rejected", "sent", "pending", "withheld", "dead", "unknown", "superseded"
]
Text = Annotated[str, Query(max_length=200)]
PeriodText = Annotated[str, Query(max_length=40, description="2021, 2021-07, 2021-07-15 or FROM..TO, in Beijing time")]


def reconcile_filter(
    target: Text = "", source: Text = "", department: Text = "", period: PeriodText = ""
) -> ReconcileFilter:
    """The filter of a reconciliation from the query (`target`, `source`, `department`, `period`): blank for all."""
    return ReconcileFilter.of(target=target, source=source, department=department, period=period)


Chosen = Annotated[ReconcileFilter, Depends(reconcile_filter)]


@router.get("/reconcile")
def read_reconcile(request: Request, db: DbSession, actor: ApiDataReader, chosen: Chosen) -> dict[str, Any]:
    """Per department, source and target: rows produced (= accepted + quarantined + skipped) in the period's
    batches; deliveries owed (= delivered + pending + withheld + dead + unknown + superseded), delivered, i.e.
    reached the platform (= acknowledged + rejected + sent); withheld were never sent (a code waits for a decision),
    superseded never will be (a newer version of the record reached the platform first)."""
    return reconcile(db, actor, chosen, targets=load_targets(app_context(request).workspace.root)).as_dict()


@router.get("/reconcile/deliveries")
def read_reconcile_deliveries(
    request: Request,
    db: DbSession,
    actor: ApiDataReader,
    chosen: Chosen,
    status: Figure = "owed",
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    """The deliveries behind a figure, in the order owed: record key and name, source, file, sheet and row, state,
    the platform's reason (or the review item a withheld one waits for), when acknowledged, the idempotency key."""
    targets = load_targets(app_context(request).workspace.root)
    return list_deliveries(db, actor, chosen, targets=targets, status=status, limit=limit, offset=offset)
