"""The desk measured on a labelled month (`zhizhi hotline evaluate`): the month replayed through the desk's own rule
and compared with the file's cases, beside the same-phone baseline; a file with problems refused whole."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.hotline.desk import HEADER_12345, ingest_all, write_export, zz
from zhizhi.config import Workspace
from zhizhi.config.models import HotlineConfig
from zhizhi.errors import InputError
from zhizhi.hotline import evaluate, read_labelled, take_in
from zhizhi.hotline import labelled as labelled_module
from zhizhi.hotline.candidate import Candidate
from zhizhi.hotline.labelled import COLUMNS
from zhizhi.hotline.take import joining

OTHER_MEMBER = ["G003", "2026-03-05 10:00:00", "投诉", "李五", "13700000005", "金力健身房", "柳州市城中区文昌路12号",
                "来电人称金力健身房关门了，办的半年卡1500元还剩四个月没用，要求退费", "办理中"]  # fmt: skip


def _measure(workspace: Workspace, path: Path) -> dict[str, dict[str, object]]:
    code, out = zz(workspace, "hotline", "evaluate", str(path), "--other-callers", "both", "--json")
    assert code == 0, out
    result = json.loads(out)
    assert result["tickets"] == 6 and result["true_pairs"] >= 3
    return {"all" if m["merge_other_callers"] else "own": m for m in result["measures"]} | {"month": result}


def test_the_desks_own_month_replayed_is_the_desk_and_a_handlers_label_counts(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    ingest_all(workspace, tmp_path)
    code, out = zz(workspace, "ingest", "rexian-12345", str(write_export(tmp_path / "g3.csv", HEADER_12345,
                                                                        [OTHER_MEMBER])))  # fmt: skip
    assert code == 0, out
    with city() as session, session.begin():
        done = take_in(session, OPERATOR, workspace)
    assert done.merged == 3  # G001, G002 (the same caller) and G003 (another member) join the gym's case
    month = tmp_path / "month.csv"
    code, out = zz(workspace, "cases", "export-labelled", str(month), "--since", "2026-03-01", "--until", "2026-03-31")
    assert code == 0, out
    # The desk's own cases as the labels: replayed under its setting, the desk agrees with itself on every pair.
    figures = _measure(workspace, month)
    desk, own = figures["all"], figures["own"]
    assert desk["precision"] == desk["recall"] == 1.0 and desk["merged"] == 3
    assert figures["month"]["labels_by_how"] == {"first": 3, "merged": 3}
    # The same month read straight from the store (no file): the same figures.
    code, out = zz(workspace, "hotline", "evaluate", "--since", "2026-03-01", "--until", "2026-03-31",
                   "--other-callers", "both", "--json")  # fmt: skip
    assert code == 0, out
    stored = json.loads(out)
    assert stored["measures"] == [figures["all"], figures["own"]] and stored["period"] == "2026-03-01 – 2026-03-31"
    code, out = zz(workspace, "hotline", "evaluate", str(month), "--since", "2026-03-01")
    assert code != 0 and "not both" in out
    # Only the same caller's tickets on their own: the other member waits for a handler.
    assert own["merged"] == 2 and own["precision"] == 1.0 and own["recall_same_caller"] == 1.0
    assert own["recall"] < 1.0 and own["recall_other_callers"] == 0.0 and own["review_share"] > 0
    assert own["review_right"] == 1.0  # the case shown first is the gym's
    # The bureau settles the other member's grievance as its own case: now merging other callers costs precision.
    rows = list(csv.DictReader(month.read_text(encoding="utf-8-sig").splitlines()))
    for row in rows:
        if "半年卡1500元" in row["text"]:
            row["case"], row["how"] = "其他会员", "moved"
    settled = tmp_path / "settled.csv"
    with settled.open("w", encoding="utf-8", newline="") as out_file:
        writer = csv.DictWriter(out_file, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    figures = _measure(workspace, settled)
    desk, own = figures["all"], figures["own"]
    assert desk["precision"] is not None and desk["precision"] < 1.0 and desk["recall"] == 1.0
    assert own["precision"] == own["recall"] == 1.0 and own["review_right"] == 0.0
    assert figures["month"]["baseline_precision"] == 1.0  # the same phone: the gym member's three tickets


def _write(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as out:
        csv.writer(out).writerows(rows)
    return path


def test_a_month_is_read_in_the_order_received_from_either_encoding(tmp_path: Path) -> None:
    rows = [["case", "received", "text", "phone"], ["B", "2026-11-03 08:00:00", "菜市场鱼摊缺斤短两", "p2"], [],
            ["A", "2026/11/2", "健身房关门不退费", "p1"], ["A", "2026年11月4日 9:30", "再次反映健身房\n不退费", "p1"],
            ["C", "2026-11-05", "问", ""]]  # fmt: skip
    for encoding in ("utf-8-sig", "gb18030"):
        month = read_labelled(_write(tmp_path / f"{encoding}.csv", rows, encoding))
        assert [(t.row, t.case, t.ticket.id) for t in month] == [(4, "A", 0), (2, "B", 1), (5, "A", 2), (7, "C", 3)]
        assert month[0].ticket.text == "健身房关门不退费" and month[0].ticket.phone == "p1" and month[0].how == ""
    result = evaluate(month, [HotlineConfig()])
    assert (result.tickets, result.cases, result.true_pairs) == (4, 3, 1)
    assert result.baseline_precision == result.baseline_recall == 1.0  # p1's two tickets are the one pair


def test_every_problem_of_a_month_is_named_at_once_and_nothing_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(InputError) as missing:
        read_labelled(_write(tmp_path / "a.csv", [["received", "text"], ["2026-11-02", "x"]]))
    assert "`case`" in missing.value.message and "export-labelled" in missing.value.message
    assert missing.value.message_zh and "case" in missing.value.message_zh
    bad = [["received", "text", "case"], ["2026-11-02", "x", ""], ["昨天", "y", "A"], ["2026-11-02", "z", "A", "多"],
           ["2026-02-30", "y", "A"],
           ["2026-11-03", "长" * 20_001, "A"]]  # fmt: skip
    with pytest.raises(InputError) as problems:
        read_labelled(_write(tmp_path / "b.csv", bad))
    message = problems.value.message
    assert "b.csv" in message and "row 2, `case` is blank" in message and "row 3, `received` `昨天`" in message
    assert "row 4 has more cells" in message and "row 6, `text`: 20001 characters" in message
    assert "row 5, `received` `2026-02-30`" in message
    assert "第 3 行" in (problems.value.message_zh or "")
    (tmp_path / "d.csv").write_bytes(b"received,text,case\n\xff\xfe\xff\xfe,x,\x80\n")
    with pytest.raises(InputError, match="neither UTF-8 nor GB18030"):
        read_labelled(tmp_path / "d.csv")
    monkeypatch.setattr(labelled_module, "MAX_BYTES", 10)
    with pytest.raises(InputError, match="36 bytes; a labelled month may be at most 10"):
        read_labelled(_write(tmp_path / "c.csv", [["received", "text", "case"], ["2026-11-02", "x", "A"]]))


def test_the_terminal_shows_each_setting_beside_the_baseline(workspace: Workspace, tmp_path: Path) -> None:
    rows = [["received", "text", "case", "phone"], ["2026-11-02", "健身房关门不退费", "A", "p1"],
            ["2026-11-04", "再次反映健身房关门不退费", "A", "p1"]]  # fmt: skip
    code, out = zz(workspace, "hotline", "evaluate", str(_write(tmp_path / "m.csv", rows)), "--merge-at", "0.9",
                   "--merge-at", "0.8")  # fmt: skip
    assert code == 0, out
    assert "0.80" in out and "0.90" in out and "2 张工单 tickets" in out and "unknown 2" in out
    assert "1.000" in out  # the same-phone baseline: p1's two tickets
    code, out = zz(workspace, "hotline", "evaluate", str(tmp_path / "none.csv"))
    assert code != 0 and "none.csv" in out
    many = [arg for at in range(11) for arg in ("--merge-at", f"0.{50 + at}")]
    code, out = zz(workspace, "hotline", "evaluate", str(tmp_path / "m.csv"), *many)
    assert code != 0 and "at most 10" in out


def test_with_other_callers_kept_apart_the_same_callers_case_is_joined_even_when_another_scores_higher() -> None:
    """The desk's rule (intake and the replay alike): with `merge_other_callers` off, a repeat call joins its caller's
    case even when another caller's ticket about the same shop scores higher; that one is only suggested."""
    other = Candidate(11, 0.97, 0.8, ("same_respondent", "shared_phrases"))
    own = Candidate(22, 0.91, 0.6, ("same_phone", "repeat_call"))
    by_case = {1: other, 2: own, 3: Candidate(33, 0.95, 0.7, ("same_respondent",))}
    assert joining(by_case, HotlineConfig(merge_at=0.85)) == (1, other)
    assert joining(by_case, HotlineConfig(merge_at=0.85, merge_other_callers=False)) == (2, own)
    assert joining(by_case, HotlineConfig(merge_at=0.95, merge_other_callers=False)) is None
    assert joining({4: own, 2: own}, HotlineConfig(merge_at=0.85)) == (2, own)  # a tie: the older case


def test_the_replay_keeps_a_complaint_and_a_report_apart_as_the_desk_does(tmp_path: Path) -> None:
    """One caller complains about a gym and reports it too: the desk handles them apart (Art 7), and so does the
    replay when the file says each ticket's kind (投诉, 举报, as a bureau writes them, or the record's words)."""
    gym, said = "金力健身房", "关门停业，办的年卡不退费，要求退还剩余会费"
    rows = [
        ["case", "received", "text", "phone", "respondent", "kind"],
        ["A", "2026-11-02 09:00", f"{gym}{said}", "p1", gym, "投诉"],
        ["B", "2026-11-02 10:00", f"举报{gym}{said}，涉嫌预付卡诈骗", "p1", gym, "report"],
        ["A", "2026-11-04 09:30", f"再次反映{gym}{said}", "p1", gym, "投诉"],
    ]
    month = read_labelled(_write(tmp_path / "month.csv", rows, "utf-8-sig"))
    assert [t.kind for t in month] == ["complaint", "report", "complaint"]
    (measured,) = evaluate(month, [HotlineConfig(merge_at=0.5)]).measures
    assert measured.precision == 1.0 and measured.pairs_merged == 1  # the two complaints, never the report
    worded = [[*row[:-1], {"投诉": "消费投诉", "report": "举报类"}.get(row[-1], row[-1])] for row in rows]
    assert [t.kind for t in read_labelled(_write(tmp_path / "w.csv", worded, "utf-8-sig"))] == [t.kind for t in month]
    with pytest.raises(InputError, match="row 3, `kind` `投诉件` is not a ticket's kind"):
        read_labelled(_write(tmp_path / "bad.csv", [*rows[:2], [*rows[2][:-1], "投诉件"]], "utf-8-sig"))
    unsaid = read_labelled(_write(tmp_path / "unsaid.csv", [row[:-1] for row in rows], "utf-8-sig"))
    (blind,) = evaluate(unsaid, [HotlineConfig(merge_at=0.5)]).measures
    assert blind.pairs_merged == 3  # without the kinds the replay cannot know, and merges all three


def test_a_folder_or_a_file_no_csv_reader_can_read_is_refused_naming_it(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from zhizhi.cli.main import app
    from zhizhi.config import init_workspace

    root = tmp_path / "ws"
    init_workspace(root, name="测试市市场监督管理局")
    folder = tmp_path / "month"
    folder.mkdir()
    big = _write(tmp_path / "big.csv", [["received", "text", "case"], ["2026-11-02", "长" * 200_000, "A"]])

    def run(command: str, path: Path, lang: str) -> tuple[int, str, str]:
        env = {"LC_ALL": "", "LC_MESSAGES": "", "LANG": lang}
        result = CliRunner().invoke(app, ["-w", str(root), "hotline", command, str(path)], env=env)
        return result.exit_code, result.stdout, result.stderr

    for command in ("evaluate", "fit"):
        assert run(command, folder, "C.UTF-8") == (
            1, "", f"error: `{folder}` is a folder: give the labelled month's CSV file, as `zhizhi cases "
            "export-labelled` writes it.\n")  # fmt: skip
        code, _, err = run(command, folder, "zh_CN.UTF-8")
        assert code == 1 and err.startswith(f"错误：`{folder}` 是文件夹：请给出标注月份的 CSV 文件"), err
    before = csv.field_size_limit(131_072)  # Python's own limit, whatever another module set it to
    try:
        code, out, err = run("evaluate", big, "C.UTF-8")
        assert code == 1 and out == "" and err.count("\n") == 1, err
        assert err.startswith("error: File `big.csv` line 2 is not readable as CSV (field larger than field limit")
        assert "export-labelled" in err
        code, _, err = run("fit", big, "zh_CN.UTF-8")
        assert code == 1 and err.startswith("错误：文件 `big.csv` 第 2 行无法按 CSV 读取"), err
    finally:
        csv.field_size_limit(before)
