"""Runs and what becomes of them: the requester's Excel template filled and read back, CSV, PDF text, delivery
through the outbox, the schedule, the catalogue (downloads, flags, retirement, time saved) and the CLI."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.conftest import OPERATOR
from zhizhi.access import Actor, Role
from zhizhi.cli.main import app
from zhizhi.config import Workspace
from zhizhi.errors import PermissionDeniedError
from zhizhi.reports import catalogue, due, export_run, install_builtin, parse_period, retire, run_due, run_report
from zhizhi.reports.builtin import builtin_texts
from zhizhi.reports.outputs import shift_formula
from zhizhi.reports.runs import as_run
from zhizhi.reports.tables import ReportRun
from zhizhi.store.tables import AuditEvent, Delivery, Department, Record, RecordVersion
from zhizhi.store.types import LOCAL_TZ

Town = tuple[Workspace, sessionmaker[Session]]
TARGET = """\
name: archive
title: 市档案馆
owner: LZ
record_types: [report_run]
fields: {BBMC: report, BGQ: period, ZY: content_hash}
transport: {kind: file, folder: out}
"""


def _run(town: Town, name: str, period: str, **options: Any) -> int:
    workspace, sessions = town
    with sessions() as session, session.begin():
        return run_report(session, workspace, OPERATOR, name, parse_period(period), **options).id


def _export(town: Town, run_id: int, fmt: str) -> bytes:
    workspace, sessions = town
    with sessions() as session, session.begin():
        return export_run(session, workspace, OPERATOR, run_id, fmt)[1]


def test_the_requesters_template_is_filled_rows_added_formulas_and_styles_kept(town: Town) -> None:
    workspace, _ = town
    install_builtin(workspace.root, "LZ")
    run_id = _run(town, "entities-by-county", "2026-11")
    book = load_workbook(io.BytesIO(_export(town, run_id, "xlsx")))
    sheet = book["主体发展"]
    assert sheet["A1"].value == "市场主体发展情况月报" and sheet["B2"].value == "2026-11"
    assert sheet["D2"].value == "柳州市市场监督管理局"
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5, max_row=9, max_col=5)]
    # county x type: 城中区 个体 (甲 new, 乙 new+cancelled) and 有限 (丙), 鱼峰区 个体 (戊) and 有限 (丁),
    # 柳南区 个体 (己)
    assert rows == [
        ["城中区", "个体工商户", 2, 1, 1],
        ["城中区", "有限责任公司", 0, 1, 0],
        ["鱼峰区", "个体工商户", 1, 1, 0],
        ["鱼峰区", "有限责任公司", 1, 1, 0],
        ["柳南区", "个体工商户", 0, 0, 1],
    ]  # in the order of the county codes
    assert sheet["A10"].value == "合计" and sheet["C10"].value == "=SUM(C5:C9)" and sheet["E10"].value == "=SUM(E5:E9)"
    assert sheet["C9"].border.left.style == "thin" and sheet["C9"].number_format == "#,##0"
    assert sheet["A4"].fill.fgColor.rgb.endswith("DDEBF7")


def test_formulas_below_the_table_follow_it() -> None:
    assert shift_formula("=SUM(C5:C5)+C6*$D$7", 5, 3) == "=SUM(C5:C8)+C9*$D$10"
    assert shift_formula("=C5/D5", 5, 3) == "=C5/D5"
    assert shift_formula("=LOG10(C4)", 5, 3) == "=LOG10(C4)"


def test_csv_and_pdf_carry_the_same_figures(town: Town) -> None:
    run_id = _run(town, "entities", "2026-11")
    text = _export(town, run_id, "csv").decode("utf-8-sig").splitlines()
    assert text[0] == "county,county_name,new,in_business,cancelled,new_change,person_share"
    assert text[1] == "450202,城中区,2,2,1,1,100.0" and text[-1] == "total,,4,4,2,3,75.0"
    from pdfminer.high_level import extract_text

    pdf = extract_text(io.BytesIO(_export(town, run_id, "pdf")))
    assert "市场主体发展情况" in pdf and "城中区" in pdf and "报告期：2026-11" in pdf


def test_a_run_is_delivered_through_the_outbox_once_per_content(town: Town) -> None:
    workspace, sessions = town
    (workspace.root / "targets").mkdir(exist_ok=True)
    (workspace.root / "targets" / "archive.yaml").write_text(TARGET, encoding="utf-8")
    _run(town, "entities", "2026-11", deliver=True)
    _run(town, "entities", "2026-11", deliver=True)  # the same figures: not owed again
    _run(town, "entities", "2026-10", deliver=True)
    with sessions() as session:
        owed = session.execute(select(Delivery.target, Delivery.record_key).order_by(Delivery.id)).all()
    reports = [key for target, key in owed if target == "archive"]
    assert reports == ["report=entities|period=2026-11", "report=entities|period=2026-10"]
    assert (workspace.root / "sources" / "reports-lz.yaml").is_file()


def test_due_reports_run_on_schedule_once_and_retired_ones_not(town: Town) -> None:
    workspace, sessions = town
    install_builtin(workspace.root, "LZ")
    with sessions() as session:
        first = due(session, workspace, date(2026, 12, 5))
    assert ("entities", parse_period("2026-11")) in first and len(first) == 9  # the eight built-in and the town's own
    with sessions() as session, session.begin():
        retire(session, OPERATOR, workspace.root, "licences", "市场监管局办公室不再需要")
    done = run_due(sessions, workspace, date(2026, 12, 5))
    assert sorted(r.report for r in done) == sorted(n for n, _ in first if n != "licences")
    assert all(r.trigger == "schedule" and r.period == "2026-11" for r in done)
    with sessions() as session:
        assert due(session, workspace, date(2026, 12, 5)) == []
        assert [n for n, _ in due(session, workspace, date(2027, 1, 2))] == sorted(
            n for n, _ in first if n != "licences"
        )


def test_the_catalogue_flags_unread_reports_counts_downloads_and_time_saved(town: Town) -> None:
    workspace, sessions = town
    runs = [_run(town, "entities", p) for p in ("2026-08", "2026-09", "2026-10")]
    with sessions() as session:
        entry = catalogue(session, OPERATOR, workspace.root)["reports"][0]
    assert entry["flag_retire"] is True and entry["minutes_saved"] == 3 * 90 and entry["periods"] == 3
    _export(town, runs[-1], "csv")
    with sessions() as session:
        found = catalogue(session, OPERATOR, workspace.root)
    assert found["reports"][0]["flag_retire"] is False and found["reports"][0]["taken_by"] == ["cli:test"]
    assert found["minutes_saved"] == 270 and found["flagged"] == []
    with sessions() as session, session.begin():
        retire(session, OPERATOR, workspace.root, "entities", "无人使用")
    with sessions() as session:
        retired = catalogue(session, OPERATOR, workspace.root)["reports"][0]["retired"]
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert retired["reason"] == "无人使用"
    assert {"report.run", "report.download", "report.retire"} <= set(actions)


def test_a_steward_retires_only_the_reports_of_their_own_departments(town: Town) -> None:
    workspace, sessions = town
    install_builtin(workspace.root, "LZ")
    with sessions() as session:
        office = session.scalars(select(Department).where(Department.code == "LZ-CZ")).one()
    county = Actor("cz-steward", None, office.id, office.path, frozenset({Role.STEWARD}))
    with sessions() as session, session.begin(), pytest.raises(PermissionDeniedError) as refused:
        retire(session, county, workspace.root, "licences", "本所不用")
    assert "licences" in str(refused.value) and "权限范围" in (refused.value.message_zh or "")
    with sessions() as session:
        assert catalogue(session, OPERATOR, workspace.root)["reports"] and not session.scalars(
            select(AuditEvent).where(AuditEvent.action == "report.retire")
        ).all()


def test_the_cli_lists_runs_and_exports(town: Town, tmp_path: Any) -> None:
    workspace, _ = town
    runner = CliRunner()

    def cli(*args: str) -> Any:
        result = runner.invoke(app, ["-w", str(workspace.root), *args])
        assert result.exit_code == 0, result.output
        return json.loads(result.output) if "--json" in args else result.output

    ran = cli("reports", "run", "entities", "--period", "2026-11", "--json")
    assert ran["figures"]["totals"]["new"] == 4
    exported = cli("reports", "export", "entities", "--format", "csv", "--out", str(tmp_path), "--json")
    assert exported["run"] == ran["id"] and (tmp_path / f"entities-2026-11-{ran['id']}.csv").is_file()
    listed = cli("reports", "list", "--json")
    assert listed["reports"][0]["last_run"]["period"] == "2026-11" and listed["reports"][0]["taken_by"]
    shown = cli("reports", "show", "entities", "--json")
    assert shown["runs"][0]["receipts"][0]["format"] == "csv"
    assert "城中区" in cli("reports", "run", "entities", "--period", "2026-11")
    args = ["-w", str(workspace.root), "reports", "run", "entities", "--period", "Nov"]
    bad = runner.invoke(app, args, env={"LC_ALL": "", "LC_MESSAGES": "", "LANG": "zh_CN.UTF-8"})
    assert bad.exit_code == 1 and "报告期" in bad.output and "Traceback" not in bad.output
    bad = runner.invoke(app, args, env={"LC_ALL": "", "LC_MESSAGES": "", "LANG": "en_US.UTF-8"})
    assert bad.exit_code == 1 and "Period `Nov`" in bad.output and "Traceback" not in bad.output
    args = ["-w", str(workspace.root), "reports", "export", "entities", "--period", "2026-10"]  # never filled
    missing = runner.invoke(app, args, env={"LC_ALL": "", "LC_MESSAGES": "", "LANG": "zh_CN.UTF-8"})
    assert missing.exit_code == 1 and "`zhizhi reports run entities --period 2026-10`" in missing.output
    assert "2026-10" in missing.output.split("zhizhi reports run")[0]  # the period named, in Chinese too


def test_the_workers_chore_runs_the_due_reports_every_few_minutes(town: Town) -> None:
    from zhizhi.reports import ReportChore

    workspace, sessions = town
    chore = ReportChore(sessions, workspace)
    chore()
    with sessions() as session:
        periods = session.scalars(select(ReportRun.period).where(ReportRun.report == "entities")).all()
    assert len(periods) == 1 and chore.next_at > 0
    chore()  # within five minutes: it does not look again
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(ReportRun)) == 1


def test_a_pdf_is_sealed_by_the_issuing_department(town: Town) -> None:
    from zhizhi.seals import Trust, issue_seal, verify_pdf

    workspace, sessions = town
    with sessions() as session, session.begin():
        issue_seal(session, OPERATOR, workspace.keys_dir, "LZ", bureau="柳州市市场监督管理局")
    run_id = _run(town, "entities", "2026-11")
    with sessions() as session, session.begin():
        sealed = export_run(session, workspace, OPERATOR, run_id, "pdf", seal=True)[1]
    report = verify_pdf(sealed, Trust.of_workspace(workspace.keys_dir))
    assert report.ok and report.seals[0].department_code == "LZ" and report.seals[0].change == "none"


def test_a_run_of_a_period_not_yet_over_does_not_stand_for_it(town: Town) -> None:
    """A month run by hand on its 6th day (its figures so far) was taken by the schedule for the month: its run on
    the 1st of the next never came. A run counts once the period was over when it was taken."""
    workspace, sessions = town
    install_builtin(workspace.root, "LZ")
    month = parse_period(f"{date.today():%Y-%m}")
    with sessions() as session, session.begin():
        run_report(session, workspace, OPERATOR, "entities", month)
    after = month.last + timedelta(days=2)
    with sessions() as session:
        assert ("entities", month) in due(session, workspace, after)
    with sessions() as session, session.begin():  # a run taken after the month ended: now it stands
        run = session.scalars(select(ReportRun).where(ReportRun.period == month.label)).one()
        run.snapshot_at = datetime.combine(after, time(9), LOCAL_TZ).astimezone(UTC)
    with sessions() as session:
        assert ("entities", month) not in due(session, workspace, after)


def test_an_old_run_exports_as_it_was_filled_whatever_the_file_says_now(town: Town) -> None:
    """A later edit of the definition's title was written over an old run's export, and a deleted definition made
    every old run impossible to export: the run keeps its title, query and measures."""
    workspace, _ = town
    install_builtin(workspace.root, "LZ")
    run_id = _run(town, "entities-by-county", "2026-11")
    path = workspace.root / "reports" / "entities-by-county.yaml"
    original = path.read_text(encoding="utf-8")
    requester = re.search(r"^requester: (.+)$", original, re.M)
    assert requester is not None
    edited = original.replace("市场主体发展情况月报", "改过的标题").replace(requester.group(0), "requester: 另一个单位")
    path.write_text(edited, encoding="utf-8")
    book = load_workbook(io.BytesIO(_export(town, run_id, "xlsx")))
    assert book["主体发展"]["A1"].value == "市场主体发展情况月报"
    with town[1]() as session:
        assert as_run(workspace, session.get_one(ReportRun, run_id)).requester == requester.group(1)
    path.unlink()
    for fmt in ("xlsx", "pdf", "csv"):
        assert _export(town, run_id, fmt)  # still there to hand out
    with town[1]() as session:  # the requester it ran for, not the report's title in its place
        assert as_run(workspace, session.get_one(ReportRun, run_id)).requester == requester.group(1)


def test_a_label_a_sheet_cannot_hold_is_written_as_it_can() -> None:
    """A label holding a control character (an audit actor's, a department's) made the export fail
    (IllegalCharacterError), and one past 32,767 characters was written past Excel's limit."""
    from openpyxl import Workbook

    from zhizhi.reports.workbook import put

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    put(sheet["A1"], "城中\x01区")
    put(sheet["A2"], "长" * 40_000)
    put(sheet["A3"], "=1+1")
    out = io.BytesIO()
    book.save(out)
    again = load_workbook(io.BytesIO(out.getvalue()))
    cells = again.active
    assert cells is not None
    assert cells["A1"].value == "城中\ufffd区" and len(str(cells["A2"].value)) == 32_767 and cells["A3"].value == "=1+1"
    assert cells["A3"].data_type == "s"


def test_rows_keyed_by_a_department_follow_its_number_not_its_text() -> None:
    """A department's id as text put 鱼峰区 (11) before 食品科 (4) and 城中区 (8) last."""
    from zhizhi.reports.figures import _order

    keys = [(11, "a"), (4, "b"), (None, "c"), (8, "a"), (8, None), ("LZ-CZ", "x"), ("LZ-CH", "x")]
    assert sorted(keys, key=_order) == [(4, "b"), (8, "a"), (8, None), (11, "a"), ("LZ-CH", "x"), ("LZ-CZ", "x"),
                                        (None, "c")]  # fmt: skip


def test_a_report_without_groups_keeps_its_first_total_beside_the_word_total(town: Town, tmp_path: Any) -> None:
    workspace, _ = town
    text = (workspace.root / "reports" / "entities.yaml").read_text(encoding="utf-8")
    (workspace.root / "reports" / "whole.yaml").write_text(
        text.replace("name: entities", "name: whole").replace("  group_by: [county]\n", ""), encoding="utf-8"
    )
    runner = CliRunner()

    def cli(*args: str) -> str:
        result = runner.invoke(app, ["-w", str(workspace.root), *args], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        return result.output

    shown = [line for line in cli("reports", "run", "whole", "--period", "2026-11").splitlines() if "合计" in line]
    assert [cell.strip() for cell in shown[0].strip("│ ").split("│")][:3] == ["合计", "4", "4"]
    cli("reports", "export", "whole", "--format", "csv", "--out", str(tmp_path / "whole.csv"))
    lines = (tmp_path / "whole.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith(",new,in_business,") and lines[-1].startswith("total,4,4,")
    cli("reports", "export", "whole", "--format", "xlsx", "--out", str(tmp_path / "whole.xlsx"))
    sheet = load_workbook(tmp_path / "whole.xlsx").active
    assert sheet is not None
    assert [c.value for c in sheet[4]][:3] == [None, "本期新设", "在业"]
    assert [c.value for c in sheet[6]][:3] == ["合计", 4, 4]


def test_a_delivered_run_carries_its_figures_as_they_were_hashed(town: Town) -> None:
    """The figures went through the ingest's text cleaning: （） became () and a platform hashing what it received got
    another digest than the run's content hash."""
    workspace, sessions = town
    (workspace.root / "targets").mkdir(exist_ok=True)
    (workspace.root / "targets" / "archive.yaml").write_text(TARGET, encoding="utf-8")
    report = workspace.root / "reports" / "entities.yaml"
    report.write_text(report.read_text("utf-8").replace("label: 个体户占比", "label: 个体户占比（%）"), "utf-8")
    run_id = _run(town, "entities", "2026-11", deliver=True)
    with sessions() as session:
        run = session.get_one(ReportRun, run_id)
        latest = select(RecordVersion.data).join(Record, Record.version_id == RecordVersion.id)
        data = json.loads(session.scalars(latest.where(Record.record_type == "report_run")).one())
        assert "（" in run.figures  # the labels' own brackets
        assert data["figures"] == run.figures and data["content_hash"] == run.content_hash


def test_the_cli_installs_builtin_reports_and_names_those_kept_as_edited(
    town: Town, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace, _ = town
    runner = CliRunner()

    def cli(*args: str) -> Any:
        result = runner.invoke(app, ["-w", str(workspace.root), "reports", "install", *args])
        assert result.exit_code == 0, result.output
        return json.loads(result.output) if "--json" in args else result.output

    unknown = runner.invoke(app, ["-w", str(workspace.root), "reports", "install", "--department", "LZ-NOPE"])
    assert unknown.exit_code == 1 and "`LZ-NOPE`" in unknown.output
    assert not (workspace.root / "reports" / "hotline.yaml").exists()  # no file issued by nobody
    first = cli("--json")
    assert len(first["written"]) == 8 and first["department"] == "LZ"
    hotline = workspace.root / "reports" / "hotline.yaml"
    hotline.write_text(hotline.read_text(encoding="utf-8").replace("title: ", "title: 本局"), encoding="utf-8")
    (workspace.root / "reports" / "workload.yaml").unlink()
    said = cli()
    assert "Installed 1 report(s): workload" in said and "hotline" not in said  # edited, the shipped text unchanged
    assert cli("--replace", "--json") == {"department": "LZ", "written": [], "updated": ["hotline"], "kept": []}
    # after an upgrade that changed a built-in report, `zhizhi status` says which to bring up
    status = runner.invoke(app, ["-w", str(workspace.root), "status", "--json"])
    assert json.loads(status.output)["builtin_reports_behind"] == []
    shipped = builtin_texts()
    monkeypatch.setattr("zhizhi.reports.builtin.builtin_texts",
                        lambda: shipped | {"hotline": shipped["hotline"].replace("monthly", "quarterly")})  # fmt: skip
    status = runner.invoke(app, ["-w", str(workspace.root), "status"])
    assert "1 built-in definition(s) behind this version (hotline): zhizhi reports install" in " ".join(
        status.output.split()
    )
