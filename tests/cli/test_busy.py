"""A database whose write lock another process holds too long is named as busy, in both languages, and nothing is
half-written; it is not reported as unreachable (that advice, to check the URL, would be wrong)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import OPERATOR
from tests.ingest.test_pipeline import SOURCE, _codes, _row, _write
from zhizhi.cli.main import app
from zhizhi.codes import install_builtin
from zhizhi.config import init_workspace, load_workspace
from zhizhi.demo import load_demo
from zhizhi.store import engine as engine_module
from zhizhi.store import make_engine, make_sessionmaker, upgrade

pytestmark = pytest.mark.sqlite


def _city(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace holding the demo city and the code lists, whose waits for the write lock last 300 ms."""
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 300)
    root = tmp_path / "ws"
    init_workspace(root, name="测试市市场监督管理局")
    engine = make_engine(load_workspace(root).database_url)
    upgrade(engine)
    with make_sessionmaker(engine)() as session, session.begin():
        install_builtin(session, OPERATOR)
        load_demo(session, OPERATOR)
    engine.dispose()
    return root


def test_an_ingest_that_waits_too_long_for_the_write_lock_says_the_database_is_busy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _city(tmp_path, monkeypatch)
    workspace = load_workspace(root)
    (root / "sources" / "dengji.yaml").write_text(SOURCE, encoding="utf-8")
    path = _write(tmp_path / "a.csv", [_row(code, "甲有限公司") for code in _codes(1)])
    holder = sqlite3.connect(workspace.database_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # a worker or another ingest holding the write lock
    try:  # in the terminal's language
        result = CliRunner().invoke(app, ["-w", str(root), "ingest", "dengji", str(path)], env={"LC_ALL": "C"})
        chinese = CliRunner().invoke(app, ["-w", str(root), "ingest", "dengji", str(path)], env={"LC_ALL": "zh_CN"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == chinese.exit_code == 1
    assert "is busy" in result.output and "nothing was written" in result.output
    assert "正忙" in chinese.output and "未写入任何数据" in chinese.output
    assert "ZHIZHI_DATABASE_URL" not in result.output and "unexpected" not in result.output
    again = CliRunner().invoke(app, ["-w", str(root), "ingest", "dengji", str(path)])
    assert again.exit_code == 0, again.output  # nothing half-written: the same file goes in whole afterwards


def test_commands_that_only_read_answer_beside_a_writer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every command began as a writer: during a long ingest, `batches` and `status` waited and gave up as busy.
    The reads take no write lock: they answer beside the writer."""
    root = _city(tmp_path, monkeypatch)
    workspace = load_workspace(root)
    holder = sqlite3.connect(workspace.database_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # an ingest holding the write lock
    try:
        answers = {
            " ".join(args): CliRunner().invoke(app, ["-w", str(root), *args])
            for args in (["status"], ["batches"], ["dept", "list"], ["quarantine", "list"])
        }
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert {name: result.exit_code for name, result in answers.items()} == dict.fromkeys(answers, 0), {
        name: result.output[-300:] for name, result in answers.items()
    }
