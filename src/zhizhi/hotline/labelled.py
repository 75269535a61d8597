"""The desk's tickets as a labelled month: each ticket with the case it is in as the handlers left it, to measure the
desk on a bureau's own tickets and refit its weights (`python bench/hotline.py --labelled FILE`, see hotline.md).

No identity leaves: the caller's phone and name become pseudonyms (an HMAC under a key made for this export and
then thrown away: equal values are equal within the file, and nothing links them to the person or to another
export), and the texts are masked as lists mask them (phone and ID numbers). Each ticket says how it joined its case
(`first`, `merged` on its own, `confirmed` by a handler, `moved`): automatic merges are the desk's own answer, for
the bureau to check before it trusts them as truth.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.access import audit
from zhizhi.access.roles import Actor, require
from zhizhi.hotline.cases import visible
from zhizhi.hotline.history import ticket_moment
from zhizhi.privacy.detect import mask_text
from zhizhi.store.tables import Case, CaseTicket, Record, RecordVersion

COLUMNS = ("received", "text", "case", "how", "phone", "caller", "respondent", "problem", "goods", "place", "channel")
"""The columns of a labelled month, in order (`bench/hotline.py --labelled` reads them by name)."""


def labelled_month(session: Session, actor: Actor, *, since: date, until: date) -> list[dict[str, str]]:
    """The tickets of the cases received from `since` through `until` that `actor` may list, in the order received,
    each as a row of `COLUMNS`. Audited (`cases.export_labelled`)."""
    require(actor, "data.read")
    key = secrets.token_bytes(32)

    def alias(kind: str, value: Any) -> str:
        said = str(value or "").strip()
        return f"{kind}-{hmac.new(key, said.encode(), hashlib.sha256).hexdigest()[:16]}" if said else ""

    query = (
        select(Case.number, CaseTicket.how, RecordVersion.data)
        .join(CaseTicket, CaseTicket.case_id == Case.id)
        .join(Record, Record.id == CaseTicket.record_id)
        .join(RecordVersion, RecordVersion.id == Record.version_id)
        .where(visible(actor), Case.received_on >= since, Case.received_on <= until)
    )
    rows = []
    for number, how, raw in session.execute(query):
        data = json.loads(raw)
        received = ticket_moment(data)
        rows.append((received, number, {
            "received": received.isoformat(sep=" "), "text": mask_text(str(data.get("text") or "")),
            "case": number, "how": how, "phone": alias("phone", data.get("caller_phone")),
            "caller": alias("caller", data.get("caller_name")), "respondent": str(data.get("respondent_name") or ""),
            "problem": str(data.get("problem_category") or ""), "goods": str(data.get("goods_category") or ""),
            "place": str(data.get("place") or ""), "channel": str(data.get("channel") or ""),
        }))  # fmt: skip
    rows.sort(key=lambda row: (row[0], row[1]))
    audit.record(session, actor, "cases.export_labelled", object_type="case", object_id=f"{since}..{until}",
                 detail={"since": since.isoformat(), "until": until.isoformat(), "tickets": len(rows)})  # fmt: skip
    return [row for _, _, row in rows]
