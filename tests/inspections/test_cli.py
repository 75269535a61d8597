"""`zhizhi inspections` end to end through the CLI runner: a plan committed, drawn, checked (and checked again from
its exported package, with no workspace), a visit's results entered from a file, the publication exported; errors
are one line with exit code 1."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.inspections.register import build
from tests.inspections.test_visits import inspected
from zhizhi.cli.main import app
from zhizhi.config import Workspace
from zhizhi.inspections.publication import PUBLICATIONS_FOLDER
from zhizhi.store.tables import InspectionPublication, InspectionVisit
from zhizhi.store.types import local_today

runner = CliRunner()


def zz(workspace: Workspace | None, *args: str) -> tuple[int, str]:
    where = ["-w", str(workspace.root)] if workspace else []
    result = runner.invoke(app, [*where, *args])
    return result.exit_code, result.stdout + result.stderr


def test_plan_draw_verify_record_publish_through_the_cli(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    with city() as session, session.begin():
        build(session)
    code, out = zz(
        workspace,
        "inspections",
        "plan",
        "2026Q4",
        "--title",
        "第四季度抽查",
        "-d",
        "LZ-XY",
        "--from",
        "2026-10-01",
        "--to",
        "2026-12-31",
        "--item",
        "SP-01",
        "--item",
        "TS-01",
        "--class",
        "high=50",
        "--class",
        "medium=5",
        "--class",
        "low=5",
        "--json",
    )
    assert code == 0, out
    committed = json.loads(out)
    assert committed["draw"] == "2026Q4-1" and len(committed["seed_hash"]) == 64
    code, out = zz(workspace, "inspections", "draw", "2026Q4", "--json")  # by the plan's number
    assert code == 0, out
    drawn = json.loads(out)
    assert drawn["summary"]["visits"] == 12 and drawn["seed"]  # 10 of 20 high, 1 of 20 medium, 1 of 20 low
    code, out = zz(workspace, "inspections", "verify-draw", "2026Q4-1", "--export", str(tmp_path / "pkg"), "--json")
    assert code == 0 and json.loads(out)["ok"], out
    code, out = zz(None, "inspections", "verify-draw", "--package", str(tmp_path / "pkg"))
    assert code == 0 and "The draw is reproduced" in out and "key was not checked" in " ".join(out.split()), out
    # Anyone can sign a package with a key of their own: the signer is named, and checked against the bureau's key.
    key = json.loads((tmp_path / "pkg" / "commit-proof.json").read_text())["checkpoint"]["key_fingerprint"]
    code, out = zz(None, "inspections", "verify-draw", "--package", str(tmp_path / "pkg"), "--json")
    found = json.loads(out)
    signing = next(c for c in found["checks"] if c["check"] == "signing key")
    assert code == 0 and found["key_checked"] is False and key in signing["detail"], out
    code, out = zz(None, "inspections", "verify-draw", "--package", str(tmp_path / "pkg"), "--key", key, "--json")
    assert code == 0 and json.loads(out)["key_checked"] is True, out
    code, out = zz(None, "inspections", "verify-draw", "--package", str(tmp_path / "pkg"), "--key", "SHA256:other")
    assert code == 1 and "not by the expected SHA256:other" in " ".join(out.split()), out
    (tmp_path / "pkg" / "result.json").write_text("{}")
    code, out = zz(None, "inspections", "verify-draw", "--package", str(tmp_path / "pkg"))
    assert code == 1 and "✗ draw reproduced" in out, out
    with city() as session:
        visit = session.scalars(select(InspectionVisit).where(InspectionVisit.entity_id % 2 == 0)).first()
        assert visit is not None
        number = visit.number
    results = tmp_path / "results.yaml"
    results.write_text(
        f"inspected_on: {local_today()}\nacknowledgement: signed\nacknowledged_by: 张老板\n"
        "findings:\n  SP-01: {result: rectify, note: 进货查验记录不全}\n  TS-01: pass\n",
        encoding="utf-8",
    )
    code, out = zz(workspace, "inspections", "record", number, "--file", str(results), "--json")
    assert code == 0, out
    assert json.loads(out)["result"] == "rectify"
    code, out = zz(workspace, "inspections", "publish", "--check", "--json")
    assert code == 0 and [w["number"] for w in json.loads(out)["waiting"]] == [number], out
    code, out = zz(workspace, "inspections", "publish", "-o", str(tmp_path), "--json")
    assert code == 0, out
    published = json.loads(out)["published"]
    assert published["visits"] == [number] and Path(published["path"]).is_file()
    code, out = zz(workspace, "inspections", "visits", "--status", "done", "--json")
    assert [v["number"] for v in json.loads(out)] == [number] and json.loads(out)[0]["published_at"]
    # A second round of the plan: another commitment, on record beside the first, drawn and checked in its turn.
    code, out = zz(workspace, "inspections", "redraw", "2026Q4", "--reason", "第二轮", "--json")
    assert code == 0 and json.loads(out)["draw"] == "2026Q4-2", out
    code, out = zz(workspace, "inspections", "draw", "2026Q4", "--json")
    assert code == 0 and json.loads(out)["number"] == "2026Q4-2", out
    code, out = zz(workspace, "inspections", "verify-draw", "2026Q4-2", "--json")
    assert code == 0 and json.loads(out)["ok"], out
    code, out = zz(workspace, "inspections", "plans", "--json")
    assert [d["number"] for d in json.loads(out)] == ["2026Q4-2", "2026Q4-1"]


def test_cli_errors_are_one_line_with_exit_code_one(workspace: Workspace, city: sessionmaker[Session]) -> None:
    code, out = zz(
        workspace,
        "inspections",
        "plan",
        "P",
        "--title",
        "抽查",
        "-d",
        "LZ-XY",
        "--from",
        "2026-10-01",
        "--to",
        "2026-12-31",
        "--item",
        "SP-01",
        "--class",
        "high=150",
    )
    assert code == 1 and "`proportions`" in out and "Traceback" not in out, out
    code, out = zz(
        workspace,
        "inspections",
        "plan",
        "P",
        "--title",
        "抽查",
        "-d",
        "LZ-XY",
        "--from",
        "2026-10-01",
        "--to",
        "2026-12-31",
        "--item",
        "NOPE",
        "--class",
        "high=5",
    )
    assert code == 1 and "No active inspection item `NOPE`" in out, out
    code, out = zz(workspace, "inspections", "draw", "NOPE")
    assert code == 1 and "No draw `NOPE`" in out, out


def test_a_draw_with_too_few_inspectors_says_which_firms_got_no_team(
    workspace: Workspace, city: sessionmaker[Session]
) -> None:
    with city() as session, session.begin():
        build(session, inspectors=3)  # three offices: a firm of one of them has two inspectors left at most
    plan = ("plan", "P1", "--title", "抽查", "-d", "LZ-XY", "--from", "2026-10-01", "--to", "2026-12-31")
    code, out = zz(workspace, "inspections", *plan, "--item", "TS-01", "--class", "high=100", "--json")
    assert code == 0, out
    code, out = zz(workspace, "inspections", "draw", "P1")
    assert code == 0 and "got no full team" in out and "未能派员" in out, out
    assert "zhizhi inspections staff P1-1" in " ".join(out.split()), out  # what to do about them
    code, out = zz(workspace, "inspections", "staff", "P1-1", "--reason", "仍缺人员", "--json")
    assert code == 0 and json.loads(out)["staffs"] == "P1-1" and json.loads(out)["draw"] == "P1-2", out
    code, out = zz(workspace, "inspections", "draw", "P1-2")  # still too few: said again, nothing lost
    assert code == 0 and "got no full team" in out, out


def test_publish_to_a_missing_folder_is_refused_before_anything_is_published(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """`--out` into a folder that does not exist failed with an unexpected FileNotFoundError after the export was
    kept under data/inspections/publications: now refused first, naming the folder, and nothing is published."""
    number = inspected(city, workspace)
    missing = tmp_path / "missing"
    code, out = zz(workspace, "inspections", "publish", "--out", str(missing / "x.xlsx"))
    said = "".join(out.split())
    assert code == 1 and "unexpected" not in out and f"thefolder`{missing}`doesnotexist" in said, out
    kept = workspace.data_dir / PUBLICATIONS_FOLDER
    assert not kept.is_dir() or not list(kept.iterdir())
    with city() as session:
        assert session.scalar(select(func.count()).select_from(InspectionPublication)) == 0
    code, out = zz(workspace, "inspections", "publish", "--out", str(tmp_path / "公示.xlsx"), "--json")
    assert code == 0 and json.loads(out)["published"]["visits"] == [number], out
    assert (tmp_path / "公示.xlsx").read_bytes() == (kept / json.loads(out)["published"]["file"]).read_bytes()


def test_a_rules_or_results_file_that_is_no_utf8_yaml_or_no_file_is_refused_with_the_reason(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """`inspections plan --file` crashed with `unexpected UnicodeDecodeError` on a GBK file and `ParserError` on a
    broken one; a folder given as a file crashed too."""
    gbk, broken = tmp_path / "rules-gbk.yaml", tmp_path / "rules.yaml"
    gbk.write_bytes("items: [SP-01]\nproportions: {high: 20}\n# 规则\n".encode("gbk"))
    broken.write_text("items: [SP-01\n", encoding="utf-8")
    plan = ["inspections", "plan", "P", "--title", "抽查", "-d", "LZ-XY", "--from", "2026-10-01", "--to", "2026-12-31"]
    for given, said in ((gbk, "is not UTF-8 YAML or JSON"), (broken, "is not UTF-8 YAML or JSON"),
                        (tmp_path, "is a folder")):  # fmt: skip
        code, out = zz(workspace, *plan, "--file", str(given))
        assert code == 1 and said in out and "unexpected" not in out and "Traceback" not in out, out
    code, out = zz(workspace, "inspections", "record", "2026Q4-1-00001", "--file", str(gbk))
    assert code == 1 and "is not UTF-8 YAML or JSON" in out, out
