"""Reconciliation: what each source brought in and what each target made of it, and the deliveries behind a figure."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request

from zhizhi.access import Actor
from zhizhi.delivery import load_targets
from zhizhi.delivery.drilldown import list_deliveries
from zhizhi.delivery.reconcile import reconcile
from zhizhi.web.deps import ApiGuard, DbSession, Limit, Offset, app_context

router = APIRouter(tags=["reconcile"])
Reader = Annotated[Actor, Depends(ApiGuard("data.read"))]
Figure = Literal["owed", "delivered", "acknowledged", "rejected", "sent", "pending", "dead", "unknown"]
PeriodText = Annotated[str, Query(description="2021, 2021-07, 2021-07-15 or FROM..TO, in Beijing time")]


@router.get("/reconcile")
def read_reconcile(
    request: Request,
    db: DbSession,
    actor: Reader,
    target: str = "",
    source: str = "",
    department: str = "",
    period: PeriodText = "",
) -> dict[str, Any]:
    """Per department, source and target: rows produced (= accepted + quarantined + skipped) in the period's
    batches; deliveries owed (= delivered + pending + dead), delivered (= acknowledged + rejected + sent)."""
    return reconcile(
        db,
        actor,
        targets=load_targets(app_context(request).workspace.root),
        target=target or None,
        source=source or None,
        department=department or None,
        period=period or None,
    ).as_dict()


@router.get("/reconcile/deliveries")
def read_reconcile_deliveries(
    request: Request,
    db: DbSession,
    actor: Reader,
    target: str = "",
    source: str = "",
    department: str = "",
    period: PeriodText = "",
    status: Figure = "owed",
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    """The deliveries behind a figure, in the order owed: record key and name, source, file, sheet and row, state,
    the platform's reason, when acknowledged, the idempotency key."""
    return list_deliveries(
        db,
        actor,
        targets=load_targets(app_context(request).workspace.root),
        target=target or None,
        source=source or None,
        department=department or None,
        period=period or None,
        status=status,
        limit=limit,
        offset=offset,
    )
