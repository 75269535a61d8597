"""One writer at a time on a SQLite file, taken in turn: the embedded store's fair write path.

SQLite lets one transaction write at a time, and a process that finds the lock taken sleeps and tries again (its
busy handler). A worker that commits batch after batch keeps finding the lock free first, so an ingest beside it
could wait for many seconds and then fail. zhizhi takes a lock file of its own before `BEGIN IMMEDIATE` instead:

- the kernel releases it when a process dies, so a killed worker never leaves it taken;
- a process waiting for it says so (a shared lock on a second file), and background writers (the worker's sending
  loops and checkpoints) let such a waiter go first, for up to `YIELD_SECONDS`, before they take it again;
- a foreground wait longer than `WAIT_MESSAGE_SECONDS` is announced once to whatever the caller registered with
  `on_wait` (the CLI prints a line in both languages), and a wait longer than the busy timeout fails with SQLite's own
  "database is locked", which the store names as a busy database.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

YIELD_SECONDS = 1.0  # how long a background writer lets waiting writers go first
WAIT_MESSAGE_SECONDS = 1.0  # a wait longer than this is announced
POLL_SECONDS = 0.001

_local = threading.local()
_listeners: list[Callable[[], None]] = []


def on_wait(listener: Callable[[], None]) -> None:
    """Call `listener` (once per wait) when a write has waited more than a second for another writer."""
    if listener not in _listeners:
        _listeners.append(listener)


@contextlib.contextmanager
def background() -> Iterator[None]:
    """Mark this thread's writes as background work that lets waiting writers (an ingest, a web request) go first."""
    before = getattr(_local, "background", False)
    _local.background = True
    try:
        yield
    finally:
        _local.background = before


class Connection(sqlite3.Connection):
    """A SQLite connection that takes the store's writer lock before its transactions and releases it after."""

    def __init__(self, database: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        name = os.fspath(database) if isinstance(database, str | os.PathLike) else ""
        self._files: tuple[int, int] | None = None
        self._held = False
        self._timeout = float(kwargs.get("timeout", args[0] if args else 5.0))
        if name and name != ":memory:" and not name.startswith("file:"):
            flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
            self._files = (os.open(f"{name}-writer", flags, 0o666), os.open(f"{name}-waiting", flags, 0o666))

    def acquire(self) -> None:
        """Take the writer lock, waiting in turn; raise `sqlite3.OperationalError` after the busy timeout."""
        if self._files is None or self._held:
            return
        lock, waiting = self._files
        if getattr(_local, "background", False):
            _let_waiters_go(waiting)
        if not _try(lock):
            _wait(lock, waiting, self._timeout)
        self._held = True

    def release(self) -> None:
        """Let the next writer in (after commit, rollback or close)."""
        if self._files is not None and self._held:
            self._held = False
            fcntl.flock(self._files[0], fcntl.LOCK_UN)

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            if not self.in_transaction:
                self.release()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.release()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.release()
            if self._files is not None:
                for fd in self._files:
                    os.close(fd)
                self._files = None


def _try(fd: int, mode: int = fcntl.LOCK_EX) -> bool:
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _let_waiters_go(waiting: int) -> None:
    """While another process waits (holds the waiting file shared), give it the lock first, for a bounded time."""
    deadline = time.monotonic() + YIELD_SECONDS
    while not _try(waiting) and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
    with contextlib.suppress(OSError):
        fcntl.flock(waiting, fcntl.LOCK_UN)


def _wait(lock: int, waiting: int, timeout: float) -> None:
    started = time.monotonic()
    announced = False
    fcntl.flock(waiting, fcntl.LOCK_SH)  # says "someone is waiting" to background writers
    try:
        while not _try(lock):
            waited = time.monotonic() - started
            if waited > timeout:
                raise sqlite3.OperationalError("database is locked")
            if not announced and waited > WAIT_MESSAGE_SECONDS and not getattr(_local, "background", False):
                announced = True
                for listener in _listeners:
                    listener()
            time.sleep(POLL_SECONDS)
    finally:
        fcntl.flock(waiting, fcntl.LOCK_UN)
