"""One writer at a time on a SQLite file, in the order they asked: the embedded store's fair write path.

SQLite lets one transaction write at a time, and a process that finds the lock taken sleeps and tries again (its
busy handler). A worker that commits batch after batch keeps finding the lock free first, so an ingest beside it
could wait for many seconds and then fail. zhizhi takes a lock file of its own before `BEGIN IMMEDIATE` instead
(`zhizhi.db-writer`), and writers that find it taken queue for it (`zhizhi.db-queue/`, a file per waiter):

- waiters get the lock first come, first served; the kernel releases a waiter's or the holder's lock when its
  process dies, and a dead waiter's file is cleared by the next one, so a killed process never blocks the others;
- a writer that finds others queued goes behind them, even when the lock is free at that moment: so a worker
  that commits batch after batch takes its next turn after the ingest that waited, not before;
- a foreground wait longer than `WAIT_MESSAGE_SECONDS` is announced once to whatever the caller registered with
  `on_wait` (the CLI prints a line in both languages), and a wait longer than the busy timeout fails with SQLite's own
  "database is locked", which the store names as a busy database.

A store whose folder cannot be written (an auditor's read-only copy, a folder the user may only read) has no lock
file to take and may have none to create: it is opened read-only and takes no lock, its reads work as usual, and its
first write fails with SQLite's own "attempt to write a readonly database", which the store names as read-only.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

WAIT_MESSAGE_SECONDS = 1.0  # a wait longer than this is announced
POLL_SECONDS = 0.001  # the first look again; each later one waits twice as long, up to MAX_POLL_SECONDS
MAX_POLL_SECONDS = 0.02

_local = threading.local()
_listeners: list[Callable[[], None]] = []


def on_wait(listener: Callable[[], None]) -> None:
    """Call `listener` (once per wait) when a write has waited more than a second for another writer."""
    if listener not in _listeners:
        _listeners.append(listener)


@contextlib.contextmanager
def background() -> Iterator[None]:
    """Mark this thread's writes as background work (the worker's loops): its waits are not announced."""
    before = getattr(_local, "background", False)
    _local.background = True
    try:
        yield
    finally:
        _local.background = before


class Connection(sqlite3.Connection):
    """A SQLite connection that takes the store's writer lock before its transactions and releases it after."""

    def __init__(self, database: Any, *args: Any, **kwargs: Any) -> None:
        name = os.fspath(database) if isinstance(database, str | os.PathLike) else ""
        self._lock: int | None = None
        self._queue = Path(f"{name}-queue")
        self._held = False
        self._timeout = float(kwargs.get("timeout", args[0] if args else 5.0))
        self.read_only: str | None = None  # the file, when it cannot be written here
        if name and name != ":memory:" and not name.startswith("file:"):
            try:
                self._lock = os.open(f"{name}-writer", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
            except OSError as exc:
                if exc.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
                    raise
                self.read_only = name
                database, kwargs = read_only_uri(name), {**kwargs, "uri": True}
        super().__init__(database, *args, **kwargs)

    def acquire(self) -> None:
        """Take the writer lock in turn; raise `sqlite3.OperationalError` after the busy timeout."""
        if self._lock is None or self._held:
            return
        # Others asked first (a worker that just committed finds the ingest that waited): behind them, not past.
        if _waiting(self._queue) or not _try(self._lock):
            _wait_in_queue(self._lock, self._queue, self._timeout)
        self._held = True

    def release(self) -> None:
        """Let the next writer in (after commit, rollback or close)."""
        if self._lock is not None and self._held:
            self._held = False
            fcntl.flock(self._lock, fcntl.LOCK_UN)

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
            self._let_go()

    def __del__(self) -> None:  # a connection dropped without close must not keep the lock for its process's life
        if hasattr(self, "_held"):  # not when opening the database failed before the lock was set up
            self._let_go()

    def _let_go(self) -> None:
        self.release()
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


def read_only_uri(path: str) -> str:
    """SQLite's address of a file opened read-only. With no `-wal` or `-shm` beside it no process has it open, and
    none can be made in a folder that cannot be written: then SQLite reads it as a file that does not change."""
    shared = any(os.path.exists(f"{path}{suffix}") for suffix in ("-wal", "-shm"))
    return f"file:{quote(path)}?mode=ro" + ("" if shared else "&immutable=1")


def _try(fd: int, mode: int = fcntl.LOCK_EX) -> bool:
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _waiting(queue: Path, before: str | None = None) -> bool:
    """Whether a live writer waits in `queue` (ahead of `before`, a waiter's own entry); dead ones' entries go."""
    try:
        names = sorted(os.listdir(queue))
    except FileNotFoundError:
        return False
    for entry in names:
        if before is not None and entry >= before:
            return False
        if entry.startswith("."):
            continue
        try:
            fd = os.open(queue / entry, os.O_RDWR | os.O_CLOEXEC)
        except FileNotFoundError:
            continue  # served in the meantime
        try:
            if not _try(fd, fcntl.LOCK_SH):
                return True  # its owner holds it: alive and waiting
            with contextlib.suppress(FileNotFoundError):
                os.unlink(queue / entry)  # its owner died while waiting
        finally:
            os.close(fd)
    return False


def _wait_in_queue(lock: int, queue: Path, timeout: float) -> None:
    """Queue for the lock: an entry named by the time asked, locked while its writer lives; served in name order."""
    started = time.monotonic()
    queue.mkdir(exist_ok=True)
    entry = f"{time.time_ns():020d}-{os.getpid()}-{threading.get_ident()}"
    # Locked under a hidden name, then renamed: no other waiter can see the entry unlocked and take it for dead.
    hidden = queue / f".{entry}"
    fd = os.open(hidden, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    announced = False
    pause = POLL_SECONDS
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.rename(hidden, queue / entry)
        while _waiting(queue, before=entry) or not _try(lock):
            waited = time.monotonic() - started
            if waited > timeout:
                raise sqlite3.OperationalError("database is locked")
            if not announced and waited > WAIT_MESSAGE_SECONDS and not getattr(_local, "background", False):
                announced = True
                for listener in _listeners:
                    listener()
            time.sleep(pause)
            pause = min(pause * 2, MAX_POLL_SECONDS)
    finally:
        for path in (queue / entry, hidden):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        os.close(fd)
