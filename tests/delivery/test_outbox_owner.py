"""The outbox owes every new version: no path can make a record version without owing it to the targets that take
its records, and the callers never pass targets around."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.conftest import Web
from tests.ingest.test_pipeline import SOURCE, _codes, _row, _write
from zhizhi.cli.main import app
from zhizhi.ingest.pipeline import ingest_file
from zhizhi.ingest.quarantine import replay
from zhizhi.store.tables import Delivery, RecordVersion

SRC = Path(__file__).parents[2] / "src" / "zhizhi"
TARGET = "name: province\nowner: LZ-XY\nrecord_types: [entity]\nfields:\n  QYMC: name\n"
TARGET += "transport:\n  kind: file\n  folder: out\n"


def _calls(name: str) -> list[str]:
    """The modules of src/ that call `name(...)` (a function or a class)."""
    found = []
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func_ = node.func
                called = func_.id if isinstance(func_, ast.Name) else getattr(func_, "attr", None)
                if called == name:
                    found.append(str(path.relative_to(SRC)))
    return sorted(set(found))


def test_versions_are_made_in_one_place_and_its_entry_points_require_the_outbox() -> None:
    # RecordVersion rows are written by Versions only, which every ingest and replay builds with the outbox's say.
    assert _calls("Versions") == ["ingest/quarantine.py", "ingest/writer.py"]
    inserting = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if "bulk_insert(self.session, RecordVersion" in path.read_text(encoding="utf-8")
        or "RecordVersion(" in path.read_text(encoding="utf-8").replace("class RecordVersion(", "")
    ]
    assert inserting == ["ingest/versions.py"]
    for entry in (ingest_file, replay):
        parameter = inspect.signature(entry).parameters["outbox"]
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY and parameter.default is inspect.Parameter.empty


def test_every_path_that_makes_versions_owes_them(web: Web, tmp_path: Path) -> None:
    root = web.workspace.root
    (root / "targets" / "province.yaml").write_text(TARGET, encoding="utf-8")
    (root / "sources" / "dengji.yaml").write_text(SOURCE, encoding="utf-8")
    good, bad = _codes(2)
    path = _write(tmp_path / "a.csv", [_row(good, "甲有限公司"), _row(bad[:-1] + "0", "乙有限公司")])
    ingested = CliRunner().invoke(app, ["-w", str(root), "ingest", "dengji", str(path)])  # the command line
    assert ingested.exit_code == 0, ingested.output
    assert _owed(web) == (1, 1)
    csrf = web.login("steward")
    (item,) = web.client.get("/api/quarantine").json()
    fix = {"field": "uscc", "value": bad}
    assert (
        web.client.post(f"/api/quarantine/{item['id']}/fix", json=fix, headers={"X-CSRF-Token": csrf}).status_code
        == 200
    )
    replayed = web.client.post("/api/quarantine/replay", json={"ids": [item["id"]]}, headers={"X-CSRF-Token": csrf})
    assert replayed.status_code == 200 and replayed.json()["replayed"] == 1  # the API's replay
    assert _owed(web) == (2, 2)


def _owed(web: Web) -> tuple[int, int]:
    with web.sessions() as session:
        versions = session.scalar(select(func.count()).select_from(RecordVersion)) or 0
        deliveries = session.scalar(select(func.count()).select_from(Delivery).where(Delivery.target == "province"))
    return int(versions), int(deliveries or 0)
