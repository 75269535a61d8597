"""Workers against a real platform that misbehaves: slow, failing with 5xx, timing out, down for a while; a target
that is down does not hold up the others; worker processes killed with SIGKILL again and again lose nothing and
apply nothing twice (SQLite and PostgreSQL)."""

from __future__ import annotations

import logging
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR, outbox
from tests.delivery.platform import Platform, platform
from tests.ingest.test_pipeline import _codes, _row, _source, _write
from zhizhi.config import Workspace
from zhizhi.delivery import worker as worker_module
from zhizhi.delivery.worker import Worker
from zhizhi.ingest.pipeline import ingest_file
from zhizhi.store.tables import Delivery


@pytest.fixture
def province() -> Iterator[Platform]:
    with platform() as running:
        yield running


def _target_file(root: Path, name: str, url: str, **settings: object) -> None:
    lines = [
        f"name: {name}",
        "owner: LZ-XY",
        "record_types: [entity]",
        "fields:\n  TYSHXYDM: uscc\n  QYMC: name",
        f"transport:\n  kind: http\n  url: {url}",
        *(f"  {key}: {value}" for key, value in settings.items() if key in ("timeout", "batch_size")),
        *(f"{key}: {value}" for key, value in settings.items() if key not in ("timeout", "batch_size")),
    ]
    (root / "targets").mkdir(exist_ok=True)
    (root / "targets" / f"{name}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _ingest(sessions: sessionmaker[Session], folder: Path, count: int, targets: list[str]) -> None:
    rows = [_row(code, f"企业{i}有限公司") for i, code in enumerate(_codes(count))]
    with sessions() as session, session.begin():
        ingest_file(
            session,
            OPERATOR,
            _source(),
            _write(folder / "a.csv", rows),
            today=date(2026, 11, 28),
            outbox=outbox(*targets),
        )


def _keys(sessions: sessionmaker[Session], target: str, status: str | None = None) -> set[str]:
    with sessions() as session:
        query = select(Delivery.idempotency_key).where(Delivery.target == target)
        if status is not None:
            query = query.where(Delivery.status == status)
        return set(session.scalars(query))


def _wait(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.05)


@pytest.fixture
def worker(city: sessionmaker[Session], workspace: Workspace) -> Iterator[Callable[..., Worker]]:
    started: list[tuple[Worker, threading.Thread]] = []

    def start(**options: object) -> Worker:
        running = Worker(city, workspace.root, poll_seconds=0.05, **options)  # type: ignore[arg-type]
        started.append((running, running.start()))
        return running

    yield start
    for running, thread in started:
        running.stop.set()
        thread.join(timeout=10)


def test_everything_arrives_once_the_platform_recovers(
    city: sessionmaker[Session], workspace: Workspace, tmp_path: Path, province: Platform, worker: Callable[..., Worker]
) -> None:
    _target_file(workspace.root, "province", province.url, timeout=1, batch_size=7, retry_seconds=0.2, max_attempts=50)
    _ingest(city, tmp_path, 40, ["province"])
    province.fail_next = [500, 503]  # two failures...
    province.delay = 1.5  # ...then a batch that times out (the platform applies it all the same)
    worker()
    _wait(lambda: province.requests >= 3, 20, "the batch that will time out")
    province.delay = 0.05  # slow from now on
    province.down()  # and down for a while
    time.sleep(1.0)
    assert _keys(city, "province", "acknowledged") == set()
    province.up()
    _wait(lambda: len(_keys(city, "province", "acknowledged")) == 40, 60, "all 40 acknowledged")
    assert set(province.applied) == _keys(city, "province") == _keys(city, "province", "acknowledged")
    assert max(province.arrivals.values()) >= 2  # the timed-out batch came again; its keys were applied once


def test_two_loops_per_target_send_every_record_once(
    city: sessionmaker[Session], workspace: Workspace, tmp_path: Path, province: Platform, worker: Callable[..., Worker]
) -> None:
    _target_file(workspace.root, "province", province.url, batch_size=4)
    _ingest(city, tmp_path, 60, ["province"])
    province.delay = 0.02  # each loop sends while the other claims or records
    running = worker(loops_per_target=2)
    _wait(lambda: len(_keys(city, "province", "acknowledged")) == 60, 60, "all 60 acknowledged")
    assert sorted(running._loops) == ["province", "province#2"]
    assert set(province.applied) == _keys(city, "province")
    assert set(province.arrivals.values()) == {1}  # no batch was claimed by both loops


def test_a_target_that_is_down_does_not_hold_up_the_others(
    city: sessionmaker[Session], workspace: Workspace, tmp_path: Path, province: Platform, worker: Callable[..., Worker]
) -> None:
    with platform() as hanging:
        hanging.delay = 5  # answers after the sender has given up
        _target_file(workspace.root, "slow", hanging.url, timeout=1, batch_size=5)
        _target_file(workspace.root, "province", province.url, batch_size=5)
        _ingest(city, tmp_path, 30, ["province", "slow"])
        worker()
        _wait(lambda: len(_keys(city, "province", "acknowledged")) == 30, 30, "province served")
        assert _keys(city, "slow", "acknowledged") == set()


def test_killed_workers_lose_nothing_and_apply_nothing_twice(
    city: sessionmaker[Session], workspace: Workspace, tmp_path: Path, province: Platform
) -> None:
    count = 300
    settings = {"batch_size": 10, "timeout": 0.5, "claim_seconds": 2, "max_attempts": 100}  # claims run out fast
    _target_file(workspace.root, "province", province.url, **settings)
    _ingest(city, tmp_path, count, ["province"])
    province.delay = 0.2
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHIZHI_")}
    command = [sys.executable, "-m", "zhizhi", "-w", str(workspace.root), "worker", "--quiet", "--poll", "0.05"]
    rng = random.Random(5)
    kills_mid_work = 0
    for _ in range(8):
        if len(_keys(city, "province", "acknowledged")) == count:
            break
        asked = province.requests
        workers = [subprocess.Popen(command, env=env) for _ in range(2)]
        _wait(lambda: province.requests > asked, 30, "the workers at work")  # noqa: B023
        time.sleep(rng.uniform(0, 0.6))
        before = len(_keys(city, "province", "acknowledged"))
        for process in workers:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
        kills_mid_work += before < count
    last = subprocess.Popen([c for c in command if c != "--quiet"], env=env, stdout=subprocess.PIPE, text=True)
    assert last.stdout is not None and "zhizhi worker sending" in last.stdout.readline()
    try:
        _wait(lambda: len(_keys(city, "province", "acknowledged")) == count, 120, "all acknowledged after restart")
    finally:
        last.send_signal(signal.SIGTERM)
        assert last.wait(timeout=20) == 0
    assert kills_mid_work >= 3
    acknowledged = _keys(city, "province", "acknowledged")
    assert set(province.applied) == acknowledged and len(province.applied) == count


def test_a_broken_target_file_is_said_once_and_read_again_when_fixed(
    city: sessionmaker[Session],
    workspace: Workspace,
    tmp_path: Path,
    province: Platform,
    worker: Callable[..., Worker],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A target file the operator must fix (here not UTF-8) was logged with its traceback every 5 s forever: it is
    said once, in one line in both languages, and the target is sent to once its file is fixed."""
    monkeypatch.setattr(worker_module, "ERROR_PAUSE", 0.05)
    monkeypatch.setattr(worker_module, "FILE_CHECK_SECONDS", 0.05, raising=False)
    _ingest(city, tmp_path, 5, ["province"])
    (workspace.root / "targets").mkdir(exist_ok=True)
    (workspace.root / "targets" / "province.yaml").write_bytes(b"\xff\xfe garbage")
    with caplog.at_level(logging.WARNING, logger="zhizhi.delivery"):
        worker()
        time.sleep(1.0)
        said = [r for r in caplog.records if "province" in r.getMessage()]
        assert len(said) == 1 and said[0].exc_info is None
        assert "not UTF-8" in said[0].getMessage() and "不是 UTF-8 编码" in said[0].getMessage()
        _target_file(workspace.root, "province", province.url, batch_size=5)
        _wait(lambda: len(_keys(city, "province", "acknowledged")) == 5, 20, "all 5 acknowledged once fixed")
