"""Ledger entries for tests that the store bears out: erasure runs, each audited as a retention run audits its own
(the ledger holds an unsigned entry against the store before it is signed or verified)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tests.conftest import OPERATOR
from zhizhi import ledger
from zhizhi.access import audit


def erasures(session: Session, count: int, payload: dict[str, Any] | None = None) -> list[int]:
    """Append `count` `privacy.erased` entries, each with the audit event that bears it out; their seqs."""
    made = []
    for n in range(count):
        seq = ledger.append(session, "privacy.erased", "retention", f"2026-11-28T00:00:{n:02d}Z",
                            payload or {"types": {}})  # fmt: skip
        audit.record(session, OPERATOR, "privacy.retention", object_type="retention", object_id=seq, detail={})
        made.append(seq)
    return made
