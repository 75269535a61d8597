"""Rate limits of the pages anyone may use without an account (the hotline's web form and the citizen's lookup).

Each use is one row of the sign-in attempts table (`login_attempts`), under a name no account can have
(`hotline.form:...`, `hotline.lookup:...`: usernames hold no colon) and marked as a success, so it never counts
towards the sign-in limits of an address, and those never count towards these. The table already has the indexes
the counts need (name and time, address and time), and no migration is needed. Rows older than a day are dropped.
An IPv6 caller is counted by the /64 it holds, not by each of its addresses (`zhizhi.access.addresses`, as the
sign-in limits count it).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from zhizhi.access.addresses import counted_address
from zhizhi.access.limits import hold
from zhizhi.errors import RateLimitedError
from zhizhi.seals import MAX_PDF_BYTES
from zhizhi.store.tables import LoginAttempt
from zhizhi.store.types import utcnow

MIB = 1024 * 1024
BODY_MAX_BYTES = 16 * MIB  # a form or a JSON body (a push of tickets, a platform's receipts): far more than any needs
PUBLIC_BODY_BYTES = 64 * 1024
"""The largest body of a form anyone may post without signing in (a login, a citizen's ticket or look-up)."""
PUBLIC_FORMS = frozenset({"/login", "/api/session", "/hotline/submit", "/hotline/lookup"})
PUBLIC_UPLOAD_BYTES = MAX_PDF_BYTES + 1024 * 1024
"""The largest body of an upload anyone may send without signing in: the sealed PDF to check and the form around it
(not a steward's `web.upload_max_mb`: the whole body is received and stored before the route counts the check)."""
PUBLIC_UPLOADS = frozenset({"/seals/verify", "/api/seals/verify"})


@dataclass(frozen=True)
class Limit:
    """At most `most` uses within `minutes`, per address and, where a key is given, per key."""

    name: str
    most: int
    minutes: int
    by_address: bool = True  # False: counted per key only (a ticket's tries, whatever the addresses)


FORM = Limit("hotline.form", most=5, minutes=60)
"""The web form: five tickets an hour from one address."""
LOOKUP = Limit("hotline.lookup", most=10, minutes=15)
"""The citizen's lookup: ten tries in 15 minutes from one address, and as many for one ticket number."""
LOOKUP_DAY = Limit("hotline.lookup.day", most=20, minutes=24 * 60, by_address=False)
"""And twenty tries a day for one ticket number from all addresses together: the four digits it asks for have
10,000 values, which ten tries every 15 minutes would go through in about five days; twenty a day take years."""


def _name(limit: Limit, key: str) -> str:
    # A digest keeps the row within the column's 64 characters whatever the caller typed.
    return f"{limit.name}:{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}"


def count_use(session: Session, limit: Limit, *, ip: str, key: str = "") -> None:
    """Refuse (429, with the wait) when the address, or the key, has used up `limit`; else count this use.

    The caller commits the count with its answer, whatever the answer is.
    """
    now = utcnow()
    ip = counted_address(ip)
    hold(session, f"{limit.name}:{ip}", *([_name(limit, key)] if key else []))  # counted, then added to, one at a time
    since = now - timedelta(minutes=limit.minutes)
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - timedelta(days=1),
                                               LoginAttempt.username.startswith(f"{limit.name}:")))  # fmt: skip
    ours = LoginAttempt.username.startswith(f"{limit.name}:")
    checks = [LoginAttempt.ip == ip[:64]] if limit.by_address else []
    if key:
        checks.append(LoginAttempt.username == _name(limit, key))
    for matches in checks:
        count, oldest = session.execute(
            select(func.count(), func.min(LoginAttempt.at)).where(ours, matches, LoginAttempt.at >= since)
        ).one()
        if count >= limit.most:
            wait = int((oldest + timedelta(minutes=limit.minutes) - now).total_seconds()) + 1
            raise RateLimitedError(
                f"Too many tries; try again in {max(wait // 60, 1)} minutes.",
                zh=f"尝试次数过多，请 {max(wait // 60, 1)} 分钟后再试。",
                retry_after=max(wait, 1),
            )
    session.add(LoginAttempt(username=_name(limit, key), ip=ip[:64], at=now, success=True))
