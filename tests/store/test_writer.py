"""The embedded store's fair write path: one writer at a time, waiting writers served before background ones, a
dead holder never blocking, readers never waiting, a long wait announced and a too-long one named as busy."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from zhizhi.errors import DatabaseBusyError
from zhizhi.store import background, current_revision, make_engine, upgrade, writer
from zhizhi.store import engine as engine_module

pytestmark = pytest.mark.sqlite


@pytest.fixture
def store(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'zhizhi.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE turns (n INTEGER PRIMARY KEY AUTOINCREMENT, who TEXT)")
    return engine


def _write(engine: Engine, who: str, hold: float = 0.0) -> None:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO turns (who) VALUES (:who)"), {"who": who})
        time.sleep(hold)


def _order(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return [row[0] for row in connection.exec_driver_sql("SELECT who FROM turns ORDER BY n")]


def test_a_writer_waits_one_turn_beside_a_background_writer_that_commits_back_to_back(store: Engine) -> None:
    busy, done = threading.Event(), threading.Event()

    def worker() -> None:
        with background():
            while not done.is_set():  # a worker committing batch after batch, with no pause between them
                _write(store, "worker", hold=0.005)
                busy.set()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        busy.wait(5)
        waits = []
        for _ in range(5):
            started = time.monotonic()
            _write(store, "ingest")
            waits.append(time.monotonic() - started)
            time.sleep(0.05)
    finally:
        done.set()
        thread.join(10)
    assert max(waits) < 0.2, waits  # one of the worker's transactions at most, not the worker's whole run
    order = _order(store)
    assert order.count("ingest") == 5 and order.count("worker") > 5


def _queue(engine: Engine) -> Path:
    return Path(f"{engine.url.database}-queue")


def test_writers_that_wait_are_served_in_the_order_they_asked(store: Engine) -> None:
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with store.begin() as connection:
            connection.execute(text("INSERT INTO turns (who) VALUES ('holder')"))
            holding.set()
            release.wait(10)

    threads = [threading.Thread(target=hold)]
    threads[0].start()
    holding.wait(5)
    for who in ("first", "second", "third", "fourth"):
        thread = threading.Thread(target=_write, args=(store, who, 0.01))
        thread.start()
        threads.append(thread)
        time.sleep(0.05)  # each asks after the one before is queued
    release.set()
    for thread in threads:
        thread.join(10)
    assert _order(store) == ["holder", "first", "second", "third", "fourth"]


def test_a_dead_waiters_place_in_the_queue_is_cleared(store: Engine) -> None:
    queue = _queue(store)
    queue.mkdir(exist_ok=True)
    (queue / "00000000000000000001-1-1").touch()  # left by a process killed while it waited: nobody holds it
    started = time.monotonic()
    with store.begin() as holding:
        holding.execute(text("INSERT INTO turns (who) VALUES ('holder')"))
        thread = threading.Thread(target=_write, args=(store, "waiter"))
        thread.start()
        time.sleep(0.1)
    thread.join(5)
    with background():
        _write(store, "worker")  # finds no live waiter ahead of it
    assert time.monotonic() - started < 0.8
    assert _order(store) == ["holder", "waiter", "worker"]
    assert list(queue.iterdir()) == []


def test_a_killed_holder_leaves_the_lock_free(store: Engine, tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from zhizhi.store import make_engine\n"
            f"engine = make_engine({str(store.url)!r}); connection = engine.connect()\n"
            "connection.exec_driver_sql('INSERT INTO turns (who) VALUES (\\'killed\\')')\n"
            "print('holding', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        holder.kill()
        holder.wait(10)
        started = time.monotonic()
        _write(store, "after")
        assert time.monotonic() - started < 2
    finally:
        holder.kill()
    assert _order(store) == ["after"]  # the killed transaction left nothing


def test_a_reader_does_not_wait_for_the_writer(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'zhizhi.db'}")
    upgrade(engine)
    with engine.begin():
        started = time.monotonic()
        assert current_revision(make_engine(str(engine.url))) is not None  # `zhizhi` commands check this first
        assert time.monotonic() - started < 1


def test_a_long_wait_is_announced_once_and_a_too_long_one_is_named_busy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 600)
    monkeypatch.setattr(writer, "WAIT_MESSAGE_SECONDS", 0.2)
    heard: list[str] = []
    monkeypatch.setattr(writer, "_listeners", [])
    writer.on_wait(lambda: heard.append("waiting"))
    first = make_engine(f"sqlite:///{tmp_path / 'zhizhi.db'}")
    second = make_engine(f"sqlite:///{tmp_path / 'zhizhi.db'}")
    with first.begin() as holding:
        holding.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        started = time.monotonic()
        with pytest.raises(Exception) as raised:
            with second.begin() as connection:
                connection.exec_driver_sql("INSERT INTO t VALUES (1)")
        waited = time.monotonic() - started
    assert 0.5 < waited < 3
    assert heard == ["waiting"]
    from zhizhi.store import busy, is_busy

    assert is_busy(raised.value)
    assert isinstance(busy(), DatabaseBusyError)


def test_a_connection_dropped_without_closing_lets_the_next_writer_in(tmp_path: Path) -> None:
    import gc
    import sqlite3

    path = tmp_path / "zhizhi.db"
    dropped = sqlite3.connect(path, factory=writer.Connection, isolation_level=None)
    dropped.acquire()
    dropped.execute("BEGIN IMMEDIATE")
    del dropped
    gc.collect()
    started = time.monotonic()
    _write_table = make_engine(f"sqlite:///{path}")
    with _write_table.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    assert time.monotonic() - started < 1
