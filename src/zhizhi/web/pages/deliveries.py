"""One delivery: what was sent where, what the platform said, its ledger entries with a proof of each, and the
steward's hand (send again, resend the record)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from zhizhi.delivery import load_target
from zhizhi.delivery.detail import delivery_detail
from zhizhi.delivery.steward import RETRYABLE, resend, retry
from zhizhi.errors import NotFoundError
from zhizhi.ledger import make_proof
from zhizhi.web.deps import DbSession, FormDataWriter, Id, PageDataReader, QueryId, app_context
from zhizhi.web.templating import render

router = APIRouter()


@router.get("/deliveries/{delivery_id}", response_class=HTMLResponse)
def show_delivery(delivery_id: Id, request: Request, db: DbSession, actor: PageDataReader, done: str = "") -> Response:
    """The delivery, its record's source row, the platform's answer and its ledger entries."""
    detail = delivery_detail(db, actor, delivery_id)
    writable = actor.can("data.write")
    return render(
        request,
        "delivery.html",
        {
            "d": detail,
            "can_retry": writable and detail["status"] in RETRYABLE,
            "can_resend": writable and detail["status"] != "pending",
            "done": done,
        },
    )


@router.get("/deliveries/{delivery_id}/proof.json")
def download_proof(
    delivery_id: Id, request: Request, db: DbSession, actor: PageDataReader, seq: QueryId = None
) -> Response:
    """A proof of the delivery's latest ledger entry (or entry `seq` of it), for anyone to check offline."""
    entries = [e["seq"] for e in delivery_detail(db, actor, delivery_id)["ledger"]]
    if not entries or (seq is not None and seq not in entries):
        raise NotFoundError(f"Delivery {delivery_id} has no such ledger entry.", zh="该交付没有这条账本记录。")
    chosen = seq if seq is not None else entries[-1]
    text = make_proof(db, app_context(request).workspace.keys_dir, chosen)
    filename = f"zhizhi-proof-delivery-{delivery_id}-entry-{chosen}.json"
    return Response(
        text,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post("/deliveries/{delivery_id}/retry")
def retry_delivery(delivery_id: Id, request: Request, db: DbSession, actor: FormDataWriter) -> Response:
    """Send a dead or rejected delivery again from the first attempt."""
    detail = delivery_detail(db, actor, delivery_id)
    target = load_target(app_context(request).workspace.root, detail["target"])
    retry(db, actor, target, ids=[delivery_id], status=detail["status"])
    return RedirectResponse(f"/deliveries/{delivery_id}?done=retry", status_code=303)


@router.post("/deliveries/{delivery_id}/resend")
def resend_record(delivery_id: Id, request: Request, db: DbSession, actor: FormDataWriter) -> Response:
    """Owe the target the record's current version again (the platform lost it)."""
    detail = delivery_detail(db, actor, delivery_id)
    target = load_target(app_context(request).workspace.root, detail["target"])
    record = detail["record"]
    resend(db, actor, target, record_keys=[record["key"]], source=record["source"])
    return RedirectResponse(f"/deliveries/{delivery_id}?done=resend", status_code=303)
