"""Workers sign ledger checkpoints on a schedule, so that a proof never carries the whole chain."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.ledger.facts import erasures
from zhizhi import ledger
from zhizhi.config import Workspace
from zhizhi.delivery.worker import Checkpoints, Worker
from zhizhi.ledger.checkpoints import sign_if_due
from zhizhi.store.tables import LedgerCheckpoint
from zhizhi.store.types import utcnow


def _entries(sessions: sessionmaker[Session], count: int) -> None:
    with sessions() as session, session.begin():
        erasures(session, count)


def _checkpoints(sessions: sessionmaker[Session]) -> list[int]:
    with sessions() as session:
        return list(session.scalars(select(LedgerCheckpoint.seq).order_by(LedgerCheckpoint.seq)))


def _due(sessions: sessionmaker[Session], workspace: Workspace, later: float = 0) -> bool:
    with sessions() as session, session.begin():
        now = utcnow() + timedelta(minutes=later)
        return sign_if_due(session, workspace.keys_dir, every_entries=10, every_minutes=5, now=now) is not None


def test_a_checkpoint_is_signed_after_enough_entries_or_enough_time(
    sessions: sessionmaker[Session], workspace: Workspace
) -> None:
    assert not _due(sessions, workspace)  # nothing to sign
    _entries(sessions, 3)
    assert _due(sessions, workspace)  # the first entries: no checkpoint yet, none waited for
    _entries(sessions, 9)
    assert not _due(sessions, workspace)  # nine entries, a minute: not due
    _entries(sessions, 1)
    assert _due(sessions, workspace) and _checkpoints(sessions) == [3, 13]
    _entries(sessions, 1)
    assert not _due(sessions, workspace, later=4)
    assert _due(sessions, workspace, later=6) and _checkpoints(sessions) == [3, 13, 14]
    assert not _due(sessions, workspace, later=60)  # nothing new since


def test_a_worker_keeps_proofs_small(sessions: sessionmaker[Session], workspace: Workspace) -> None:
    worker = Worker(sessions, workspace.root, checkpoints=Checkpoints(workspace.keys_dir, entries=500, minutes=60))
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        for burst in range(1, 4):
            _entries(sessions, 600)
            for _ in range(100):  # the worker looks every two seconds
                if len(_checkpoints(sessions)) == burst:
                    break
                worker.stop.wait(0.1)
    finally:
        worker.stop.set()
        thread.join(timeout=30)
    assert _checkpoints(sessions) == [600, 1200, 1800]
    with sessions() as session:
        proof = json.loads(ledger.make_proof(session, workspace.keys_dir, 700))
    assert proof["checkpoint"]["seq"] == 1200 and len(proof["segment"]) == 500
