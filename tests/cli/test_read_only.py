"""A workspace that can be read but not written (an auditor's copy on a read-only disk, a folder the user may only
read, a PostgreSQL database that only reads): the commands that read work, a command that writes says the database
is read-only here, in both languages, and changes nothing."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from typer.testing import CliRunner

import zhizhi
from zhizhi.cli.main import app
from zhizhi.config import Workspace

runner = CliRunner()
SRC = Path(zhizhi.__file__).parent.parent
Run = Callable[..., tuple[int, str, str]]
LANGS = {"en": "C.UTF-8", "zh": "zh_CN.UTF-8"}


def _in_process(root: Path, *args: str, lang: str = "en") -> tuple[int, str, str]:
    env = {"LC_ALL": "", "LC_MESSAGES": "", "LANG": LANGS[lang], "COLUMNS": "200"}
    result = runner.invoke(app, ["-w", str(root), *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def _on_read_only_mount(folder: Path) -> Run:
    """The command in a process that sees `folder` as a read-only file system (a bind mount of its own)."""

    def run(root: Path, *args: str, lang: str = "en") -> tuple[int, str, str]:
        script = 'mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" "$1" && shift && exec "$@"'
        command = ["unshare", "-m", "sh", "-c", script, "sh", str(folder), sys.executable, "-m", "zhizhi"]
        env = {**os.environ, "PYTHONPATH": str(SRC), "LC_ALL": "", "LC_MESSAGES": "", "LANG": LANGS[lang]}
        env.pop("ZHIZHI_DATABASE_URL", None)
        command += ["-w", str(root), *args]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
        return done.returncode, done.stdout, done.stderr

    return run


def _can_mount_read_only(folder: Path) -> bool:
    probe = folder / "probe"
    probe.mkdir()
    script = 'mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" "$1" && ! touch "$1/x" 2>/dev/null'
    if shutil.which("unshare") is None:
        return False
    done = subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", str(probe)], capture_output=True, check=False)
    return done.returncode == 0


@contextmanager
def _read_only_folder(root: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Run]:
    """`root` (the workspace and its SQLite file) made read-only as really as this machine allows: its write
    permission taken (a user other than root), seen through a read-only mount (root, who ignores permissions), else
    its lock file refused as a read-only disk refuses it (root in a container that may not mount)."""
    if os.geteuid() != 0:
        paths = [root, *root.rglob("*")]
        modes = {path: path.stat().st_mode for path in paths}
        for path in paths:
            path.chmod(modes[path] & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        try:
            yield _in_process
        finally:
            for path in reversed(paths):
                path.chmod(modes[path])
    elif _can_mount_read_only(root):
        yield _on_read_only_mount(root)
    else:
        import errno

        from zhizhi.store import writer

        real_open = os.open

        def refused(path: str, *args: int) -> int:
            if str(path).endswith("-writer") and str(path).startswith(str(root)):
                raise OSError(errno.EROFS, os.strerror(errno.EROFS), path)
            return real_open(path, *args)

        monkeypatch.setattr(writer.os, "open", refused)
        yield _in_process


@contextmanager
def _read_only(workspace: Workspace, backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Run]:
    if backend == "sqlite":
        assert Path(make_url(workspace.database_url).database or "").parent == tmp_path  # beside the workspace
        with _read_only_folder(tmp_path, monkeypatch) as run:
            yield run
        return
    url = workspace.database_url
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    name = make_url(url).database
    with engine.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    engine.dispose()
    yield _in_process


def test_a_read_only_workspace_reads_and_refuses_a_write_saying_why(
    workspace: Workspace, backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = workspace.root
    assert _in_process(root, "dept", "add", "SZ", "某市市场监督管理局", "--kind", "bureau")[0] == 0
    with _read_only(workspace, backend, tmp_path, monkeypatch) as run:
        code, out, err = run(root, "status", "--json")
        assert code == 0, err
        assert json.loads(out)["workspace"]["name"] == "测试市市场监督管理局"
        code, out, err = run(root, "dept", "list", "--json")
        assert code == 0 and [d["code"] for d in json.loads(out)] == ["SZ"], err
        code, out, err = run(root, "audit", "verify", "--json")
        assert code == 0 and json.loads(out)["ok"] is True, err
        code, out, err = run(root, "dept", "add", "SZ-A", "甲区局", "--kind", "county", "--parent", "SZ")
        assert code == 1 and out == "", err
        assert err.startswith("error: Database `") and "is read-only here" in err and err.count("\n") == 1, err
        assert "writable workspace" in err
        code, _, err = run(root, "dept", "add", "SZ-A", "甲区局", "--kind", "county", "--parent", "SZ", lang="zh")
        assert code == 1 and err.startswith("错误：数据库 `") and "在此为只读" in err, err
    code, out, _ = _in_process(root, "dept", "list", "--json")
    assert [d["code"] for d in json.loads(out)] == ["SZ"]  # nothing of the refused write
