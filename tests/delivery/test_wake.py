"""Quiet when idle: a sending loop that finds nothing waits longer and longer (up to `idle_seconds`), and work owed
wakes it at once: in this process when the owing transaction commits, from any process by NOTIFY on PostgreSQL and
by the database file's data version on SQLite."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from tests.delivery.platform import Platform, platform
from tests.delivery.test_worker import _ingest, _keys, _target_file, _wait
from zhizhi.config import Workspace
from zhizhi.delivery.wake import Backoff, Doorbell
from zhizhi.delivery.worker import Stop, Worker


@pytest.fixture
def province() -> Iterator[Platform]:
    with platform() as running:
        yield running


@pytest.fixture
def start(city: sessionmaker[Session], workspace: Workspace) -> Iterator[Callable[..., Worker]]:
    started: list[tuple[Worker, threading.Thread]] = []

    def run(**options: object) -> Worker:
        options.setdefault("poll_seconds", 0.05)
        running = Worker(city, workspace.root, **options)  # type: ignore[arg-type]
        started.append((running, running.start()))
        return running

    yield run
    for running, thread in started:
        running.stop.set()
        thread.join(timeout=10)
        assert not thread.is_alive(), "the worker did not stop when told"


@pytest.mark.parametrize(
    ("first", "most", "rounds", "waits"),
    [
        (0.1, 5, 8, [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 5, 5]),
        (0.5, 0.5, 3, [0.5, 0.5, 0.5]),
        (2, 1, 2, [2, 2]),  # a ceiling below the first pause is the first pause
    ],
)
def test_an_idle_loop_waits_longer_each_round(first: float, most: float, rounds: int, waits: list[float]) -> None:
    backoff = Backoff(first, most)
    assert [backoff.idle() for _ in range(rounds)] == pytest.approx(waits)
    backoff.busy()
    assert backoff.idle() == first


def _claims(city: sessionmaker[Session]) -> list[float]:
    """The moments the sending loops ask the database for due deliveries (their claim: an UPDATE of deliveries)."""
    seen: list[float] = []
    bind = city.kw["bind"]

    @event.listens_for(bind, "before_cursor_execute")
    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith("UPDATE DELIVERIES"):
            seen.append(time.monotonic())

    return seen


def test_an_idle_worker_backs_off(
    city: sessionmaker[Session], workspace: Workspace, province: Platform, start: Callable[..., Worker]
) -> None:
    _target_file(workspace.root, "province", province.url)
    claims = _claims(city)
    start(idle_seconds=1.0)
    time.sleep(4.0)
    # Polling every 0.05 s would have asked about 80 times; backing off to 1 s: 0.05, 0.1, 0.2, 0.4, 0.8, 1, 1...
    assert 3 <= len(claims) <= 12, len(claims)
    gaps = [b - a for a, b in zip(claims, claims[1:], strict=False)]
    assert max(gaps) >= 0.8


def test_work_owed_in_this_process_wakes_a_sleeping_loop(
    city: sessionmaker[Session],
    workspace: Workspace,
    tmp_path: Path,
    province: Platform,
    start: Callable[..., Worker],
) -> None:
    _target_file(workspace.root, "province", province.url)
    claims = _claims(city)
    start(poll_seconds=30, idle_seconds=60)  # after its first look the loop sleeps 30 s unless woken
    _wait(lambda: len(claims) >= 1, 10, "the first look")
    time.sleep(0.5)
    _ingest(city, tmp_path, 5, ["province"])
    _wait(lambda: len(_keys(city, "province", "acknowledged")) == 5, 5, "the five sent at once")


def test_a_commit_from_another_process_wakes_a_sleeping_loop(
    city: sessionmaker[Session],
    workspace: Workspace,
    tmp_path: Path,
    province: Platform,
    start: Callable[..., Worker],
) -> None:
    _target_file(workspace.root, "province", province.url)
    apart = Doorbell()  # not this process's bell: only the NOTIFY that the listener hears can wake it
    claims = _claims(city)
    running = start(poll_seconds=30, idle_seconds=60, doorbell=apart, stop=Stop(apart))
    _wait(lambda: running.listener is not None and running.listener.listening.is_set(), 10, "LISTEN or the watch")
    _wait(lambda: len(claims) >= 1, 10, "the first look")  # then it sleeps 30 s unless woken
    rings = apart.rings
    _ingest(city, tmp_path, 5, ["province"])
    _wait(lambda: len(_keys(city, "province", "acknowledged")) == 5, 5, "the five sent at once")
    assert apart.rings > rings


def test_an_idle_worker_is_not_woken_by_its_own_looks(
    city: sessionmaker[Session], workspace: Workspace, province: Platform, start: Callable[..., Worker]
) -> None:
    """The watch on SQLite rings for commits that changed the file: a loop's look that found nothing changes
    nothing, so it does not wake the loop again (which would be polling by another name)."""
    _target_file(workspace.root, "province", province.url)
    apart = Doorbell()
    claims = _claims(city)
    running = start(poll_seconds=0.05, idle_seconds=1.0, doorbell=apart, stop=Stop(apart))
    _wait(lambda: running.listener is not None and running.listener.listening.is_set(), 10, "LISTEN or the watch")
    time.sleep(3.0)
    assert len(claims) <= 10, len(claims)  # polling every 0.05 s would be about 60


def test_an_idle_worker_takes_no_write_lock_for_its_checkpoints(
    city: sessionmaker[Session], workspace: Workspace, backend: str
) -> None:
    from tests.ledger.facts import erasures
    from zhizhi.delivery.worker import Checkpoints

    with city() as session, session.begin():  # something to sign at the first round
        erasures(session, 1)
    locking: list[str] = []
    marker = "pg_advisory_xact_lock" if backend == "postgresql" else "BEGIN IMMEDIATE"

    @event.listens_for(city.kw["bind"], "before_cursor_execute")
    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if marker in statement:
            locking.append(statement)

    start_at = time.monotonic()
    running = Worker(city, workspace.root, checkpoints=Checkpoints(workspace.keys_dir, entries=1))
    thread = running.start()
    try:
        _wait(lambda: bool(_signed(city)), 10, "the first round signs the head")
        locking.clear()
        time.sleep(4.5)  # two more rounds, with nothing new to sign
        assert locking == [], f"{len(locking)} locks taken by an idle worker in {time.monotonic() - start_at:.0f} s"
    finally:
        running.stop.set()
        thread.join(timeout=10)


def _signed(city: sessionmaker[Session]) -> int:
    from zhizhi.ledger.checkpoints import checkpoints

    with city() as session:
        return len(checkpoints(session))
