"""Workers: sending loops per target (two on PostgreSQL, one on SQLite), so that a target that is down or slow never
holds up the others.

A worker runs inside `zhizhi serve` (the embedded default) or as its own process (`zhizhi worker`); several may run
at once on PostgreSQL, where claims are row locks taken with SKIP LOCKED. Each loop sends batch after batch while
there is work, then waits: `poll_seconds` after a round that found nothing, doubling up to `idle_seconds`, and woken
at once when work is owed (`zhizhi.delivery.wake`: in this process when the owing transaction commits, on PostgreSQL
by NOTIFY from any process). An idle worker so costs next to nothing, and new work still leaves within moments.
Target files are read again when they change; a new file starts a loop, a removed one ends its loop. An error that
is not the platform's (the database is busy or gone) is logged and tried again after a pause; a target's
configuration the operator must fix (a terminal ZhizhiError: a broken target file) is logged once, in one line, and
waits for its file to change. The loop never dies of either. Every couple of seconds the worker also signs a ledger
checkpoint when one is due (`delivery.checkpoint_entries`, `delivery.checkpoint_minutes`), and runs its chores (the
hotline desk takes new tickets into cases: `zhizhi.hotline.DeskChore`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from zhizhi.config import Workspace
from zhizhi.delivery.outbox import release_stranded
from zhizhi.delivery.send import SendReport, send_once
from zhizhi.delivery.targets import FILES, TargetConfig
from zhizhi.delivery.wake import DOORBELL, Backoff, Doorbell, Listener, Watcher
from zhizhi.errors import ZhizhiError
from zhizhi.ledger import sign_if_due
from zhizhi.store import background
from zhizhi.store.engine import READING
from zhizhi.store.tables import LedgerCheckpoint, LedgerEntry

log = logging.getLogger("zhizhi.delivery")

ERROR_PAUSE = 5.0  # seconds after an unexpected error before the loop tries again
BROKEN_PAUSE = 600.0  # a target whose configuration is broken is checked again when its file changes, or after this
FILE_CHECK_SECONDS = 1.0  # how often the file of such a target is looked at for a change
STRANDED_SECONDS = 30.0  # how often the worker looks for holds that wait for nothing (outbox.stranded)
REFUSED_CHECKPOINT_SECONDS = 300  # how long a worker waits before asking again to sign a ledger that refused


@dataclass(frozen=True)
class Checkpoints:
    """When a worker signs the ledger's head: after `entries` entries, or `minutes` after the last checkpoint."""

    keys_dir: Path
    entries: int = 1000
    minutes: float = 10

    @classmethod
    def of(cls, workspace: Workspace) -> Checkpoints:
        """The workspace's schedule (`delivery.checkpoint_entries`, `delivery.checkpoint_minutes`) and key."""
        settings = workspace.config.delivery
        return cls(workspace.keys_dir, settings.checkpoint_entries, settings.checkpoint_minutes)


def loops_per_target(workspace: Workspace) -> int:
    """`delivery.senders_per_target`, else 2 on PostgreSQL (one loop's claim and record overlap the other's send and
    Python work; SKIP LOCKED keeps their batches apart) and 1 on SQLite (one writer at a time, nothing to overlap)."""
    configured = workspace.config.delivery.senders_per_target
    if configured is not None:
        return configured
    return 2 if workspace.database_url.startswith("postgres") else 1


class Stop(threading.Event):
    """The worker's stop flag: setting it also wakes the loops that wait for work, so they end at once."""

    def __init__(self, doorbell: Doorbell = DOORBELL) -> None:
        super().__init__()
        self.doorbell = doorbell

    def set(self) -> None:
        super().set()
        self.doorbell.ring()


@dataclass
class Worker:
    """Sending loops for the targets of the workspace at `root` (or only `names`), until `stop` is set."""

    sessions: sessionmaker[Session]
    root: Path
    poll_seconds: float = 0.1
    names: list[str] | None = None
    stop: threading.Event = field(default_factory=Stop)
    on_report: Callable[[str, SendReport], None] | None = None
    checkpoints: Checkpoints | None = None
    loops_per_target: int = 1
    chores: list[Callable[[], None]] = field(default_factory=list)  # run every couple of seconds (the desk's intake)
    idle_seconds: float = 5.0  # the longest wait of an idle loop (`delivery.idle_seconds`)
    doorbell: Doorbell = DOORBELL
    listener: Listener | Watcher | None = field(default=None, init=False)  # commits of other processes ring
    _loops: dict[str, threading.Thread] = field(default_factory=dict)
    _swept: float = field(default=-STRANDED_SECONDS, init=False)  # when stranded holds were last looked for
    _unsigned_until: float = field(default=0.0, init=False)  # a refused checkpoint is not asked again before then

    def run(self) -> None:
        """Start and watch the loops until `stop` is set, then wait for each to finish its batch."""
        bind = self.sessions.kw.get("bind")
        if bind is not None and bind.dialect.name == "postgresql":
            self.listener = Listener(bind.url.render_as_string(hide_password=False), self.stop, self.doorbell)
        elif bind is not None and bind.dialect.name == "sqlite" and bind.url.database not in (None, "", ":memory:"):
            self.listener = Watcher(str(bind.url.database), self.stop, self.doorbell)
        if self.listener is not None:
            self.listener.start()
        with background():
            self._watch()

    def _watch(self) -> None:
        while not self.stop.is_set():
            wanted = [n for n in FILES.names(self.root) if self.names is None or n in self.names]
            for name in wanted:
                for n in range(1, self.loops_per_target + 1):
                    key = name if n == 1 else f"{name}#{n}"
                    loop = self._loops.get(key)
                    if loop is None or not loop.is_alive():
                        self._loops[key] = thread = threading.Thread(
                            target=self._loop, args=(name,), name=f"zhizhi-send-{key}", daemon=True
                        )
                        thread.start()
            self._checkpoint()
            self._release_stranded()
            for chore in self.chores:
                try:
                    chore()
                except Exception:
                    log.exception("%s failed; trying again later", getattr(chore, "__name__", chore))
            self.stop.wait(max(self.poll_seconds, 2.0))
        for thread in self._loops.values():
            thread.join()

    def _checkpoint(self) -> None:
        """Sign the ledger's head when enough entries or time have passed, so proofs stay small."""
        if self.checkpoints is None:
            return
        every = self.checkpoints
        if time.monotonic() < self._unsigned_until:
            return
        try:
            if self._all_signed():
                return
            with self.sessions() as session, session.begin():
                sign_if_due(session, every.keys_dir, every_entries=every.entries, every_minutes=every.minutes)
        except ZhizhiError as exc:  # the ledger refuses to be signed: the operator's to settle, said once a while
            self._unsigned_until = time.monotonic() + REFUSED_CHECKPOINT_SECONDS
            log.error("the ledger's head is not signed (asked again in %d s): %s", REFUSED_CHECKPOINT_SECONDS, exc)
        except Exception:
            log.exception("signing a ledger checkpoint failed; trying again later")

    def _release_stranded(self) -> None:
        """Every `STRANDED_SECONDS`, let go of held deliveries that wait for nothing (`outbox.stranded`)."""
        now = time.monotonic()
        if now - self._swept < STRANDED_SECONDS:
            return
        self._swept = now
        try:
            if release_stranded(self.sessions):
                self.doorbell.ring()
        except Exception:
            log.exception("releasing held deliveries failed; trying again later")

    def _all_signed(self) -> bool:
        """Whether the last checkpoint covers the ledger's head: a look that takes no write lock (on SQLite) and no
        advisory lock (on PostgreSQL), so an idle worker's rounds leave the writers alone. Nothing to sign then."""
        with self.sessions() as session:
            session.connection(execution_options={READING: True})
            head = session.scalar(select(func.max(LedgerEntry.seq))) or 0
            signed = session.scalar(select(func.max(LedgerCheckpoint.seq))) or 0
        return head == signed

    def start(self) -> threading.Thread:
        """Run in a background thread (as `zhizhi serve` does); set `stop` to end it."""
        thread = threading.Thread(target=self.run, name="zhizhi-worker", daemon=True)
        thread.start()
        return thread

    def _wait_for_a_fix(self, name: str, exc: ZhizhiError) -> None:
        """Log a target's broken configuration in one line, then wait until its file changes (or is removed), or
        `BROKEN_PAUSE` passes."""
        log.error("target %s (checked again when its file changes, or in %.0f s): %s", name, BROKEN_PAUSE, _both(exc))
        path = FILES.path(self.root, name)
        seen = _signature(path)
        deadline = time.monotonic() + BROKEN_PAUSE
        while time.monotonic() < deadline and _signature(path) == seen:
            if self.stop.wait(FILE_CHECK_SECONDS):
                return

    def _loop(self, name: str) -> None:
        with background():
            self._send(name)

    def _send(self, name: str) -> None:
        flag = self.doorbell.flag()
        try:
            self._send_while_running(name, flag)
        finally:
            self.doorbell.forget(flag)

    def _send_while_running(self, name: str, flag: threading.Event) -> None:
        target: TargetConfig | None = None
        stamp: float | None = None
        wait = Backoff(self.poll_seconds, self.idle_seconds)
        while not self.stop.is_set():
            flag.clear()  # a ring from here on wakes the wait below
            try:
                path = FILES.path(self.root, name)
                if not path.exists():
                    log.info("target %s: its file is gone; its loop ends", name)
                    return
                if stamp != path.stat().st_mtime:
                    target, stamp = FILES.load(self.root, name), path.stat().st_mtime
                assert target is not None
                report = send_once(self.sessions, target)
            except ZhizhiError as exc:
                if exc.terminal:  # the operator's to fix: said once, not retried until the file changes
                    self._wait_for_a_fix(name, exc)
                    stamp = None  # read the file again
                    continue
                log.warning("target %s: %s; trying again in %.0f s", name, _both(exc), ERROR_PAUSE)
                self.stop.wait(ERROR_PAUSE)
                continue
            except Exception:
                log.exception("target %s: sending failed; trying again in %.0f s", name, ERROR_PAUSE)
                self.stop.wait(ERROR_PAUSE)
                continue
            if self.on_report is not None and report.claimed:
                self.on_report(name, report)
            if report.claimed == 0 or set(report.states) <= {"retry"}:
                flag.wait(wait.idle())
            else:
                wait.busy()


def _both(exc: ZhizhiError) -> str:
    """An error's message, with its Chinese when it has one."""
    return f"{exc.message} / {exc.message_zh}" if exc.message_zh else exc.message


def _signature(path: Path) -> tuple[int, int] | None:
    """When a file was last changed and its size; None when it is gone."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size
