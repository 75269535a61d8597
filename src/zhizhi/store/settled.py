"""Work outside the database that must follow its transaction: a file written or removed with the rows that name it,
a copy kept once they are committed."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session


def when_settled(
    session: Session, *, committed: Callable[[], None] | None = None, rolled_back: Callable[[], None] | None = None
) -> None:
    """Run `committed` once the session's transaction commits, or `rolled_back` if it rolls back: one of them, once."""

    def on_commit(_: Session) -> None:
        event.remove(session, "after_rollback", on_rollback)
        if committed is not None:
            committed()

    def on_rollback(_: Session) -> None:
        event.remove(session, "after_commit", on_commit)
        if rolled_back is not None:
            rolled_back()

    event.listen(session, "after_commit", on_commit, once=True)
    event.listen(session, "after_rollback", on_rollback, once=True)
