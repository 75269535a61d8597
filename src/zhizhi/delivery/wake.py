"""Waking the sending loops when work is owed, so that an idle worker sleeps instead of asking the database ten times
a second.

Whatever makes deliveries due (`zhizhi.delivery.outbox.owe`, a resend) calls `owed(session)` in its transaction.
When that transaction commits, the loops of every worker in this process wake at once (`DOORBELL`); on PostgreSQL
the transaction also sends `NOTIFY zhizhi_owed`, which `Listener` turns into the same ring in every other worker
process. On SQLite, `Watcher` asks the database file ten times a second whether any other connection committed
since (`PRAGMA data_version`, which reads no table) and rings when one did: an ingest in another process
wakes the loops within a tenth of a second. Loops that find nothing wait from `delivery.poll_seconds` growing to
`delivery.idle_seconds` (`Backoff`) unless a ring wakes them.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from dataclasses import dataclass, field

import psycopg
from sqlalchemy import event, text
from sqlalchemy.orm import Session

log = logging.getLogger("zhizhi.delivery")

CHANNEL = "zhizhi_owed"
_OWED = "zhizhi.owed"  # the session's flag: this transaction owes deliveries


class Doorbell:
    """Wakes every loop that waits on it; a ring before the wait is not lost (each loop has its own flag)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: set[threading.Event] = set()
        self.rings = 0

    def ring(self) -> None:
        with self._lock:
            self.rings += 1
            for flag in self._waiting:
                flag.set()

    def flag(self) -> threading.Event:
        """A flag that each ring sets; the loop clears it before it looks for work and waits on it after."""
        flag = threading.Event()
        with self._lock:
            self._waiting.add(flag)
        return flag

    def forget(self, flag: threading.Event) -> None:
        with self._lock:
            self._waiting.discard(flag)


DOORBELL = Doorbell()


def owed(session: Session) -> None:
    """Wake the sending loops once the session's transaction commits (and not at all if it rolls back)."""
    if session.info.get(_OWED):
        return
    session.info[_OWED] = True
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"NOTIFY {CHANNEL}"))  # delivered to listeners at commit, once per transaction


@event.listens_for(Session, "after_commit")
def _ring_after_commit(session: Session) -> None:
    if session.info.pop(_OWED, None):
        DOORBELL.ring()


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, previous_transaction: object) -> None:
    session.info.pop(_OWED, None)


@dataclass
class Backoff:
    """How long an idle loop waits: `first` after a round that found nothing, doubling up to `most`; back to `first`
    as soon as a round finds work."""

    first: float
    most: float
    current: float = field(init=False)

    def __post_init__(self) -> None:
        self.most = max(self.most, self.first)
        self.current = self.first

    def idle(self) -> float:
        """The wait after a round that found nothing; the next one is twice as long (up to `most`)."""
        wait = self.current
        self.current = min(self.current * 2, self.most)
        return wait

    def busy(self) -> None:
        self.current = self.first


class _Hearing:
    """A thread that rings `doorbell` when another process commits work, until `stop` is set; when its connection
    fails it logs a warning (the loops find the work at their next look meanwhile) and tries again after `pause`."""

    name = "zhizhi-hear"
    errors: tuple[type[Exception], ...] = ()

    def __init__(self, stop: threading.Event, doorbell: Doorbell, pause: float) -> None:
        self.stop = stop
        self.doorbell = doorbell
        self.pause = pause
        self.listening = threading.Event()  # set while it hears (tests wait for it)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        thread.start()
        return thread

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                self._hear()
            except self.errors:
                log.warning("%s failed; the loops look for work at their own pace until it is back", self.name)
                log.debug("%s failed", self.name, exc_info=True)
            self.listening.clear()
            self.stop.wait(self.pause)

    def _hear(self) -> None:
        raise NotImplementedError


class Listener(_Hearing):
    """On PostgreSQL: LISTENs on `zhizhi_owed` and rings for each notification."""

    name = "zhizhi-listen"
    errors = (psycopg.Error,)

    def __init__(self, url: str, stop: threading.Event, doorbell: Doorbell = DOORBELL, pause: float = 5.0) -> None:
        super().__init__(stop, doorbell, pause)
        self.url = _libpq_url(url)

    def _hear(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute(f"LISTEN {CHANNEL}")
            self.listening.set()
            while not self.stop.is_set():
                for _ in connection.notifies(timeout=1.0, stop_after=1):
                    self.doorbell.ring()


class Watcher(_Hearing):
    """On SQLite: rings when another connection (another process's ingest, a page) committed to the database file,
    asking `PRAGMA data_version` every `every` seconds on a connection of its own, which reads no table and takes no
    lock. The loops then look for work; a commit that owed nothing costs them one look."""

    name = "zhizhi-watch"
    errors = (sqlite3.Error,)

    def __init__(self, path: str, stop: threading.Event, doorbell: Doorbell = DOORBELL, every: float = 0.1) -> None:
        super().__init__(stop, doorbell, pause=1.0)
        self.path = path
        self.every = every

    def _hear(self) -> None:
        connection = sqlite3.connect(self.path, check_same_thread=False)
        try:
            seen = connection.execute("PRAGMA data_version").fetchone()[0]
            self.listening.set()
            while not self.stop.wait(self.every):
                version = connection.execute("PRAGMA data_version").fetchone()[0]
                if version != seen:
                    seen = version
                    self.doorbell.ring()
        finally:
            connection.close()


def _libpq_url(url: str) -> str:
    """A SQLAlchemy URL as libpq takes it (without the `+psycopg` driver name)."""
    for prefix in ("postgresql+psycopg://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url
