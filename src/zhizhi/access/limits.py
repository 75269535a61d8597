"""One counter at a time: the limits (sign-in failures, unmaskings, the public pages' uses) count rows and then add
one, so two requests counting the same thing at once must not both see room for one more.

SQLite takes its write lock when a transaction begins (BEGIN IMMEDIATE), which already serialises them. PostgreSQL
reads under READ COMMITTED: without a lock, twenty requests sent together all count the same rows, and twenty
passwords are tried where the limit allows five. `hold` takes a transaction-scoped advisory lock per key, so a
second request counting the same key waits until the first commits, then counts its row too.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlalchemy.orm import Session

from zhizhi.access import audit


def hold(session: Session, *keys: str) -> None:
    """Wait for, then hold to the end of the transaction, the lock of each key (PostgreSQL; a no-op on SQLite).

    Keys are taken in sorted order, whoever asks, and never after the audit trail's lock (a transaction that has
    appended to the trail holds it, and every counter that appends waits for it already), so two requests never wait
    on each other in a circle.
    """
    if session.get_bind().dialect.name != "postgresql" or audit.holds_chain(session):
        return
    for key in sorted(set(keys)):
        number = int.from_bytes(hashlib.sha256(f"zhizhi.limit:{key}".encode()).digest()[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": number})
