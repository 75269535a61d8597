"""Every CSV and Excel file the CLI writes opens safely: text that starts like a formula stays text."""

from __future__ import annotations

import builtins
import csv
import errno
import io
import json
import os
from pathlib import Path
from typing import IO, Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.register.test_run import _firms, _load
from zhizhi.cells import FORMULA_STARTS, csv_cell
from zhizhi.cli.main import app
from zhizhi.config import Workspace
from zhizhi.store.tables import AuditEvent

NAME = '=HYPERLINK("http://example.invalid","点此")柳州市恶意有限公司'
ADDRESS = "@SUM(1+1)柳州市城中区文昌路1号"
OTHER_ADDRESS = "+1 柳州市鱼峰区箭盘路2号"
LISTS = ("--from", "gbt4754-2011", "--to", "gbt4754-2017")


def test_the_register_export_never_writes_a_formula(
    city: sessionmaker[Session], workspace: Workspace, tmp_path: Path
) -> None:
    firms = _firms(3)
    firms[0] |= {"name": NAME, "address": ADDRESS}
    firms[1] |= {"address": OTHER_ADDRESS}
    _load(city, tmp_path, firms)
    runner = CliRunner()

    def run(*args: str) -> None:
        result = runner.invoke(app, ["-w", str(workspace.root), *args])
        assert result.exit_code == 0, result.output

    run("resolve")
    for fmt in ("csv", "xlsx", "json"):
        run("entities", "export", "--format", fmt, "-o", str(tmp_path / f"register.{fmt}"))
    entities = json.loads((tmp_path / "register.json").read_text(encoding="utf-8"))
    risky = {value for entity in entities for value in entity.values() if str(value).startswith(FORMULA_STARTS)}
    assert len(risky) >= 2  # the names and addresses kept their formula-like starts in the register

    with (tmp_path / "register.csv").open(encoding="utf-8-sig") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    assert {"'" + value for value in risky} <= set(cells)

    sheet = load_workbook(tmp_path / "register.xlsx").active
    assert sheet is not None
    typed = [(c.value, c.data_type, c.quotePrefix) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [value for value, kind, _ in typed if kind == "f"]
    assert {value for value, _, quoted in typed if quoted} == risky  # the text unchanged, marked as text


def test_a_csv_cell_keeps_numbers_and_quotes_every_formula_start() -> None:
    assert [csv_cell(v) for v in (None, 3, -2.5, "-2", "=1", "@a", "+x", "\tx", "\rx", "柳州")] == [
        "",
        3,
        -2.5,
        "'-2",
        "'=1",
        "'@a",
        "'+x",
        "'\tx",
        "'\rx",
        "柳州",
    ]


def test_an_unmasked_export_to_a_folder_that_does_not_exist_is_refused_and_not_audited(
    city: sessionmaker[Session], workspace: Workspace, tmp_path: Path
) -> None:
    """The audit of a personal-data export committed before the file was written: a path that could not be written
    left a `personal.export` event for thousands of rows that never left. Now the path is checked first, the file is
    written before the audit commits, and a file is never left half-written."""
    _load(city, tmp_path, _firms(3))
    runner = CliRunner()
    ws = ["-w", str(workspace.root)]
    assert runner.invoke(app, [*ws, "resolve"]).exit_code == 0

    def exports() -> int:
        with city() as session:
            return int(session.scalar(select(func.count()).where(AuditEvent.action == "personal.export")) or 0)

    missing = tmp_path / "nowhere" / "e.csv"
    refused = runner.invoke(app, [*ws, "entities", "export", "-o", str(missing), "--unmasked", "--purpose", "依法协查"])
    assert refused.exit_code == 1 and "does not exist" in refused.output and exports() == 0
    folder = runner.invoke(app, [*ws, "entities", "export", "-o", str(tmp_path)])
    assert folder.exit_code == 1 and "is a folder" in folder.output
    unmasked = ["--unmasked", "--purpose", "依法协查"]
    done = runner.invoke(app, [*ws, "entities", "export", "-o", str(tmp_path / "e.csv"), *unmasked])
    assert done.exit_code == 0 and exports() == 1 and (tmp_path / "e.csv").is_file()
    assert not list(tmp_path.glob(".e.*"))  # no part file left


class _FullDisk:
    """A file on a disk with `room` bytes left: the write that goes past it writes what fits and raises ENOSPC."""

    def __init__(self, file: IO[Any], room: int) -> None:
        self._file, self._room = file, room

    def write(self, data: Any) -> int:
        if len(data) > self._room:
            self._file.write(data[: self._room])
            self._room = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._room -= len(data)
        return int(self._file.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)

    def __enter__(self) -> _FullDisk:
        return self

    def __exit__(self, *_: object) -> None:
        self._file.close()


def test_every_export_on_a_full_disk_or_into_a_missing_folder_leaves_nothing_and_audits_nothing(
    city: sessionmaker[Session], workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exports wrote straight to the target: a full disk left a truncated file and a traceback, and the labelled
    month was audited though never written. Now each goes through `output_file`: said in both languages, exit 1,
    no file or part file left, no audit event committed."""
    disk = tmp_path / "disk"
    disk.mkdir()
    real_open = io.open

    def full_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        opened = real_open(file, mode, *args, **kwargs)
        if isinstance(file, str | Path) and Path(file).parent == disk and set(mode) & set("wax"):
            return _FullDisk(opened, 16)
        return opened

    monkeypatch.setattr(io, "open", full_open)
    monkeypatch.setattr(builtins, "open", full_open)
    ws = ["-w", str(workspace.root)]

    def audits() -> int:
        with city() as session:
            return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)

    before = audits()
    codes = tmp_path / "codes.csv"
    codes.write_text("编码\n0111\n", encoding="utf-8")
    commands = [
        ["cases", "export-labelled", str(disk / "标注.csv")],
        ["reconcile", "--xlsx", str(disk / "对账.xlsx")],
        ["tasks", "workload", "--xlsx", str(disk / "负荷.xlsx")],
        *(["inspections", register, "export", str(disk / f"{register}.xlsx")]
          for register in ("items", "targets", "inspectors")),  # fmt: skip
        ["entities", "export", "-o", str(disk / "主体.csv")],
        ["codes", "translate", *LISTS, "-f", str(codes), "--column", "编码", "-o", str(disk / "译码.xlsx")],
        ["codes", "review", "export", *LISTS, "-o", str(disk / "对照.csv")],
        ["cases", "export-labelled", str(tmp_path / "nowhere" / "标注.csv")],
    ]
    for command in commands:
        result = CliRunner().invoke(app, [*ws, *command])
        assert result.exit_code == 1, (command, result.output, result.exception)
        assert "Cannot write" in result.output and "Traceback" not in result.output, (command, result.output)
        assert list(disk.iterdir()) == [], command
    assert audits() == before  # nothing recorded for a file that was not written
