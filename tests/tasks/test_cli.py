"""`zhizhi tasks` at the terminal: a task from YAML and from Excel, a part handed over (refused, then accepted), done
with its evidence, overdue parts (page by page, with their total), capacity and the workload with its workbook;
errors in one line naming the value."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook, load_workbook
from sqlalchemy.orm import Session, sessionmaker

from tests.cli.test_commands import zz
from zhizhi.config import Workspace

# Deadlines far from any day the test runs on: one long past (overdue), one far ahead.
TASK: dict[str, Any] = {
    "title": "春节前食品安全专项整治",
    "lead": "LZ-SP",
    "start": "2026-01-05",
    "parts": [
        {"department": "LZ-SP", "title": "制定方案", "deadline": "2099-12-31", "evidence": "files"},
        {"department": "LZ-CZ", "owner": "chengzhong", "title": "城中区检查", "deadline": "2026-01-10"},
        {"department": "LZ-YF", "title": "鱼峰区检查", "deadline": "2099-12-31", "evidence": "text"},
    ],
}


def _json(workspace: Workspace, *args: str) -> Any:
    code, out, err = zz(workspace, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def _new(workspace: Workspace, tmp_path: Path, task: dict[str, Any]) -> dict[str, Any]:
    path = tmp_path / "task.yaml"
    path.write_text(yaml.safe_dump(task, allow_unicode=True), encoding="utf-8")
    return dict(_json(workspace, "tasks", "new", str(path)))


def test_a_task_from_yaml_handed_over_and_done(workspace: Workspace, city: sessionmaker[Session],
                                               tmp_path: Path) -> None:  # fmt: skip
    task = _new(workspace, tmp_path, TASK)
    number, parts = task["number"], [p["id"] for p in task["items"]]
    assert [p["department"]["code"] for p in task["items"]] == ["LZ-SP", "LZ-CZ", "LZ-YF"]
    assert [r["number"] for r in _json(workspace, "tasks", "list", "--state", "overdue")] == [number]

    assert _json(workspace, "tasks", "assign", str(parts[2]), "--user", "yufeng")["owner"] == "yufeng"
    offer = ("tasks", "handover", str(parts[1]), "--to", "LZ-CZ-ZN", "--reason", "就近检查")
    assert _json(workspace, *offer)["status"] == "pending"
    assert _json(workspace, "tasks", "refuse", str(parts[1]), "--reason", "人手不足")["status"] == "refused"
    assert _json(workspace, "tasks", "show", number)["items"][1]["department"]["code"] == "LZ-CZ"  # kept
    _json(workspace, *offer)
    _json(workspace, "tasks", "accept", str(parts[1]))
    shown = _json(workspace, "tasks", "show", number)["items"][1]
    assert shown["department"]["code"] == "LZ-CZ-ZN" and [h["status"] for h in shown["handovers"]] == [
        "refused", "accepted"]  # fmt: skip

    code, _, err = zz(workspace, "tasks", "done", str(parts[0]), "--text", "已印发")
    assert code == 1 and err.count("\n") == 1 and "needs a file as evidence" in err
    plan = tmp_path / "方案.pdf"
    plan.write_bytes(b"%PDF-1.4 plan")
    done = _json(workspace, "tasks", "done", str(parts[0]), "--file", str(plan))
    assert done == {"part": parts[0], "status": "done", "files": 1, "text": False}
    overdue = _json(workspace, "tasks", "overdue")
    assert overdue["total"] == 1 and [(r["task"], r["part"], r["department"]["code"]) for r in overdue["items"]] == [
        (number, parts[1], "LZ-CZ-ZN")]  # fmt: skip


def test_overdue_parts_page_by_page_with_how_many_there_are(workspace: Workspace, city: sessionmaker[Session],
                                                            tmp_path: Path) -> None:  # fmt: skip
    late = [{"department": "LZ-CZ", "title": f"第{n}项", "deadline": f"2026-01-{n + 10}"} for n in range(1, 6)]
    parts = [p["id"] for p in _new(workspace, tmp_path, {**TASK, "parts": late})["items"]]
    first = _json(workspace, "tasks", "overdue", "--limit", "2")
    assert (first["total"], first["offset"], [r["part"] for r in first["items"]]) == (5, 0, parts[:2])
    last = _json(workspace, "tasks", "overdue", "--limit", "2", "--offset", "4")
    assert (last["total"], [r["part"] for r in last["items"]]) == (5, parts[4:])
    code, out, _ = zz(workspace, "tasks", "overdue", "--limit", "2", "--offset", "2")
    assert code == 0 and "3-4 / 5; 下一页 next page: --offset 4" in out


def test_capacity_and_the_workload_with_its_workbook(workspace: Workspace, city: sessionmaker[Session],
                                                     tmp_path: Path) -> None:  # fmt: skip
    _new(workspace, tmp_path, TASK)
    capacity = _json(workspace, "tasks", "capacity", "LZ-CZ", "--staff", "2", "--per-person", "3")
    assert capacity["capacity"] == 6
    book = tmp_path / "workload.xlsx"
    figures = _json(workspace, "tasks", "workload", "--months", "1", "--xlsx", str(book))
    rows = {r["department"]["code"]: r for r in figures["offices"]}
    assert (rows["LZ-CZ"]["capacity"], rows["LZ-CZ"]["months"][0]["parts"], rows["LZ-CZ"]["months"][0]["overdue"]) \
        == (6, 1, 1)  # fmt: skip
    assert {"LZ-SP", "LZ-YF"} <= set(rows)
    sheet = load_workbook(book)["按单位"]
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [r["department"]["code"]
                                                                             for r in figures["offices"]]  # fmt: skip
    code, _, err = zz(workspace, "tasks", "workload", "--month", "2026-Q1")
    assert code == 1 and "`2026-Q1` is not a month" in err


def test_a_task_from_excel_and_its_errors_by_row(workspace: Workspace, city: sessionmaker[Session],
                                                 tmp_path: Path) -> None:  # fmt: skip
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "任务"
    for key, value in (("标题", "夜市专项整治"), ("牵头部门", "LZ-CZ"), ("开始日期", "2026-01-05")):
        sheet.append([key, value])
    parts = book.create_sheet("分工")
    parts.append(["部门", "负责人", "内容", "期限", "证明材料", "材料要求"])
    parts.append(["LZ-CZ-ZN", "zhongnan", "夜市摊点检查", "5个工作日", "附件", "检查记录"])
    parts.append(["LZ-CZ", None, "汇总", "2026-02-01", "文字", None])
    book.save(tmp_path / "task.xlsx")
    task = _json(workspace, "tasks", "new", str(tmp_path / "task.xlsx"))
    assert [(p["department"]["code"], (p["owner"] or {}).get("username"), p["deadline"], p["evidence"])
            for p in task["items"]] == [("LZ-CZ-ZN", "zhongnan", "2026-01-12", "files"),
                                        ("LZ-CZ", None, "2026-02-01", "text")]  # fmt: skip
    parts["D3"] = "soon"
    parts["E2"] = "照片"
    book.save(tmp_path / "bad.xlsx")
    code, out, err = zz(workspace, "tasks", "new", str(tmp_path / "bad.xlsx"))
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "`bad.xlsx` has 1 problem(s): sheet `分工` row 2 `evidence` = `照片`" in err
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({**TASK, "parts": [{**TASK["parts"][0], "deadline": "soon"}]}), "utf-8")
    code, _, err = zz(workspace, "tasks", "new", str(path))
    assert code == 1 and "`parts.1.deadline` = `soon` is neither a date nor a number of working days" in err
