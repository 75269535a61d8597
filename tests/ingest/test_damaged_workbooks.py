"""A workbook damaged inside a sheet (its XML cut short, as a download cut off) is refused by name, in English and
Chinese, and `zhizhi ingest` goes on to the next file and still prints its JSON list."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.ingest.test_unseen_exports import DATA, HEADER, SOURCE, Sheet, _count, _xlsx
from tests.ingest.test_unseen_exports import _ingest as ingest_in
from zhizhi.cli.main import app
from zhizhi.config import Workspace
from zhizhi.errors import InputError
from zhizhi.ingest.pipeline import FileToIngest, IngestRun
from zhizhi.sources import parse_source
from zhizhi.store.tables import Batch


def _damaged(folder: Path) -> Path:
    """A workbook whose sheet's XML stops half-way (its zip is sound)."""
    path = _xlsx("损坏.xlsx", {"台账": Sheet([HEADER, *DATA])})(folder)
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    with zipfile.ZipFile(path, "w") as archive:
        for member, content in members.items():
            archive.writestr(member, content[: len(content) // 2] if member.startswith("xl/worksheets/") else content)
    return path


def _ingest(workspace: Workspace, *paths: Path) -> tuple[int, Any]:
    (workspace.root / "sources" / "xuke.yaml").write_text(SOURCE, encoding="utf-8")
    command = ["-w", str(workspace.root), "ingest", "xuke", "--force", *map(str, paths), "--json"]
    result = CliRunner().invoke(app, command)
    return result.exit_code, json.loads(result.stdout)


def test_a_damaged_sheet_is_refused_by_file_and_sheet(city: sessionmaker[Session], tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"`损坏.xlsx` sheet `台账` is damaged") as caught:
        ingest_in(city, _damaged(tmp_path), parse_source(SOURCE, "sources/xuke.yaml"))
    assert _count(city, Batch) == 0
    assert "ParseError" in caught.value.message and "工作表 `台账`" in (caught.value.message_zh or "")


@pytest.mark.parametrize("damaged_first", [True, False])
def test_ingest_goes_on_past_a_damaged_workbook(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path, damaged_first: bool
) -> None:
    good = _xlsx("许可.xlsx", {"台账": Sheet([HEADER, *DATA])})(tmp_path)
    files = [_damaged(tmp_path), good] if damaged_first else [good, _damaged(tmp_path)]
    code, out = _ingest(workspace, *files)
    assert code == 1 and [item["file"] for item in out] == [path.name for path in files]
    failed, batch = (out[0], out[1]) if damaged_first else (out[1], out[0])
    assert "sheet `台账` is damaged" in failed["error"] and "已损坏" in failed["error_zh"]
    assert batch["rows"]["accepted"] == len(DATA)


def test_an_unexpected_error_in_one_file_is_said_for_it_and_the_next_is_tried(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest = IngestRun.ingest

    def fails_on_the_first(run: IngestRun, session: Session, file: FileToIngest, **kwargs: Any) -> Any:
        if file.path.name == "坏.xlsx":
            raise RuntimeError("a fault of zhizhi's\nsecond line")
        return ingest(run, session, file, **kwargs)

    monkeypatch.setattr(IngestRun, "ingest", fails_on_the_first)
    first = _xlsx("坏.xlsx", {"台账": Sheet([HEADER, *DATA])})(tmp_path)
    code, out = _ingest(workspace, first, _xlsx("许可.xlsx", {"台账": Sheet([HEADER, *DATA])})(tmp_path))
    assert code == 1 and out[0]["file"] == "坏.xlsx" and out[1]["rows"]["accepted"] == len(DATA)
    assert out[0]["error"].startswith("unexpected RuntimeError: a fault of zhizhi's (rerun with --debug")
    assert "意外错误" in out[0]["error_zh"]


@pytest.mark.parametrize(
    "command",
    [
        ["codes", "import", "--list", "industry", "--version", "9"],
        ["inspections", "items", "import"],
        ["sources", "suggest", "--name", "xuke2"],
    ],
)
def test_the_other_commands_reading_workbooks_say_why_a_damaged_one_is_refused(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path, command: list[str]
) -> None:
    path = _damaged(tmp_path)
    result = CliRunner().invoke(app, ["-w", str(workspace.root), *command, str(path)], env={"COLUMNS": "400"})
    assert result.exit_code == 1
    assert "File `损坏.xlsx` sheet `台账` is damaged after row" in " ".join(result.output.split())
