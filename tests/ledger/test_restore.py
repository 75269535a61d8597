"""A database restored from a backup on purpose, at the command line: verify and sign name the step that says so,
`targets send` still says what it sent, and `ledger restored` sets the kept checkpoint aside and signs again."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.cli.test_commands import zz
from tests.conftest import OPERATOR, outbox
from tests.delivery.platform import Platform, platform
from tests.ingest.test_pipeline import _codes, _row, _source, _write
from tests.ledger.test_ledger import _append, _tamper
from zhizhi import ledger
from zhizhi.config import Workspace
from zhizhi.delivery.worker import Checkpoints, Worker
from zhizhi.ingest.pipeline import ingest_file
from zhizhi.store.tables import LedgerEntry


@pytest.fixture
def province() -> Iterator[Platform]:
    with platform() as running:
        yield running


def _owe(city: sessionmaker[Session], folder: Path, name: str, seed: int) -> None:
    path = _write(folder / f"{name}.csv", [_row(_codes(1, seed=seed)[0], name)])
    with city() as session, session.begin():
        ingest_file(session, OPERATOR, _source(), path, today=date(2026, 11, 28), outbox=outbox("province"))


def test_a_restore_is_named_sent_past_and_set_aside(
    city: sessionmaker[Session], engine: Engine, workspace: Workspace, province: Platform, tmp_path: Path
) -> None:
    (workspace.root / "targets" / "province.yaml").write_text(
        "name: province\nowner: LZ-XY\nrecord_types: [entity]\nfields:\n  TYSHXYDM: uscc\n  QYMC: name\n"
        f"transport:\n  kind: http\n  url: {province.url}\n",
        encoding="utf-8",
    )
    _owe(city, tmp_path, "甲有限公司", 1)
    assert zz(workspace, "targets", "send", "--json")[0] == 0  # signed: the copy beside the keys names the head
    with city() as session:
        backed_up = session.scalar(select(func.max(LedgerEntry.seq)))
    _owe(city, tmp_path, "乙有限公司", 2)
    assert zz(workspace, "targets", "send", "--json")[0] == 0
    # the database taken back to the backup: the entries and checkpoints after it are gone, the copy is not
    _tamper(engine, f"DELETE FROM ledger_entries WHERE seq > {backed_up}",
            f"DELETE FROM ledger_checkpoints WHERE seq > {backed_up}")  # fmt: skip
    code, out, _ = zz(workspace, "ledger", "verify")
    assert code == 1 and "were lost" in out and "zhizhi ledger restored --reason" in out

    _owe(city, tmp_path, "丙有限公司", 3)
    code, out, err = zz(workspace, "targets", "send", "--json")
    assert code == 0 and json.loads(out) == {"province": {"acknowledged": 1}}  # what it sent, said
    assert "sent and recorded, but the ledger was not signed" in err and "zhizhi ledger restored" in err

    code, out, err = zz(workspace, "ledger", "restored", "--reason", "恢复 12 月 6 日的备份（磁盘故障）", "--json")
    assert code == 0, err
    found = json.loads(out)
    with city() as session:
        head = session.scalar(select(func.max(LedgerEntry.seq)))
    assert found["signed"]["seq"] == head and Path(found["set_aside_as"]).is_file()
    assert zz(workspace, "ledger", "verify")[0] == 0
    code, _, err = zz(workspace, "ledger", "restored", "--reason", "again")
    assert code == 1 and "nothing to set aside" in err


def test_a_worker_told_no_by_the_ledger_says_so_in_a_line_and_asks_again_later(
    city: sessionmaker[Session], engine: Engine, workspace: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    """A refusal is the operator's to settle: it was logged with a traceback every two seconds, for good."""
    worker = Worker(city, workspace.root, checkpoints=Checkpoints(workspace.keys_dir, entries=1, minutes=0))
    _append(city, 3)
    with city() as session, session.begin():
        ledger.sign_head(session, workspace.keys_dir)
    _tamper(engine, "DELETE FROM ledger_entries WHERE seq > 1", "DELETE FROM ledger_checkpoints")
    with caplog.at_level(logging.ERROR, logger="zhizhi"):
        for _ in range(3):
            worker._checkpoint()
    (said,) = [r for r in caplog.records if "not signed" in r.getMessage()]
    assert said.exc_info is None and "zhizhi ledger restored" in said.getMessage()
