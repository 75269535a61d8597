"""`zhizhi codes`: browse, import (and refuse), translate, coverage and the review queue, as a user sees them."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from zhizhi.cli.main import app
from zhizhi.config import Workspace

runner = CliRunner()

# A county's 6-digit business formats under the 4-digit national classes (prefix rule 4, 6).
LOCAL = """编码,名称
5221,粮油零售
522101,粮油零售（超市内）
522102,粮油零售（农贸市场）
6210,正餐服务
621001,中餐馆
621099,其他餐饮
"""
# 621099 splits by the record's 经营规模: large places are 正餐 (6210), small ones 快餐 (6220).
CROSSWALK = """from_code,to_code,rule_field,rule_value
5221,5221,,
621001,6210,,
621099,6210,经营规模,大
621099,6220,经营规模,小
"""
RECORDS = """企业名称,业态代码,经营规模,备注
甲超市,522101,,"=HYPERLINK(""http://x"")"
乙饭店,621099,大,
丙快餐,621099,小,+1
丁店,621099,,
戊店,999999,,
己店,,,
庚店,522102,,@cmd
辛店,6210,,
"""
PREFIX = ("--hierarchy", "prefix:4,6")
# A parent-declared list with a duplicate code, an unknown parent and a two-code cycle, saved in GBK.
BAD_LIST = """代码,名称,上级代码
A,甲类,
A1,甲一,A
A1,甲一重复,A
B1,乙一,ZZ
C1,丙一,C2
C2,丙二,C1
"""


def zz(workspace: Workspace, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["-w", str(workspace.root), *args])
    return result.exit_code, result.stdout, result.stderr


def zz_json(workspace: Workspace, *args: str) -> Any:
    code, out, err = zz(workspace, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def local(workspace: Workspace, city: sessionmaker[Session], tmp_path: Path) -> Workspace:
    """The city's workspace (built-in lists loaded) with the local list, in GBK, and its crosswalk imported."""
    file = write(tmp_path / "业态.csv", LOCAL, "gbk")
    code, _, err = zz(workspace, "codes", "import", str(file), "--list", "local-6", "--version", "1", *PREFIX)
    assert code == 0, err
    file = write(tmp_path / "业态对照.csv", CROSSWALK)
    args = ("--crosswalk", "local-to-2017", "--from", "local-6", "--to", "gbt4754-2017", "--version", "1")
    assert zz(workspace, "codes", "import", str(file), *args)[0] == 0
    return workspace


def test_browse_the_builtin_lists(workspace: Workspace, city: sessionmaker[Session]) -> None:
    listed = zz_json(workspace, "codes", "list")
    assert {"gbt4754-2017", "gbt4754-2011", "gbt2260"} <= {item["name"] for item in listed["lists"]}
    (crosswalk,) = listed["crosswalks"]
    assert (crosswalk["name"], crosswalk["pairs_in_force"]) == ("gbt4754-2011-to-2017", 1401)

    shown = zz_json(workspace, "codes", "show", "gbt4754-2017", "--code", "5221")
    entry = shown["code"]
    assert [a["code"] for a in entry["ancestors"]] == ["F", "52", "522"]
    assert (entry["name"], entry["level"], entry["children"]) == ("粮油零售", 4, [])
    assert [t["code"] for t in zz_json(workspace, "codes", "show", "gbt4754-2017")["top"]][:2] == ["A", "B"]
    for query in ("5221", "粮油", "lyls"):
        matches = zz_json(workspace, "codes", "show", "gbt4754-2017", "--search", query)["matches"]
        assert "5221" in [m["code"] for m in matches], query

    pairs = zz_json(workspace, "codes", "show", "gbt4754-2011-to-2017", "--code", "0169")["pairs"]
    assert [(p["to_code"], p["to_name"], p["relation"]) for p in pairs] == [
        ("0164", "茶叶种植", "1:n"),
        ("0169", "其他饮料作物种植", "1:n"),
    ]
    code, out, err = zz(workspace, "codes", "show", "no-such-list")
    assert code == 1 and out == "" and err.count("\n") == 1 and "No code list or crosswalk `no-such-list`" in err
    code, _, err = zz(workspace, "codes", "show", "gbt4754-2017", "--code", "9999")
    assert code == 1 and "`9999` is not in `gbt4754-2017`" in err


def test_install_twice_changes_nothing(workspace: Workspace, city: sessionmaker[Session]) -> None:
    before = zz_json(workspace, "codes", "list")
    installed = zz_json(workspace, "codes", "install")
    assert [item["name"] for item in installed["lists"]] == ["gbt2260", "gbt4754-2011", "gbt4754-2017"]
    assert zz_json(workspace, "codes", "list") == before


def test_import_a_local_list_and_its_crosswalk(local: Workspace, tmp_path: Path) -> None:
    shown = zz_json(local, "codes", "show", "local-6", "--code", "522101")
    assert (shown["hierarchy"], shown["codes"]) == ("prefix:4,6", 6)
    assert ([a["code"] for a in shown["code"]["ancestors"]], shown["code"]["level"]) == (["5221"], 2)
    same = tmp_path / "业态.csv"
    again = zz_json(local, "codes", "import", str(same), "--list", "local-6", "--version", "1", *PREFIX)
    assert (again["codes"], again["unchanged"], again["in_force"]) == (6, True, "1")
    newer = write(tmp_path / "业态2.csv", LOCAL + "621002,火锅店\n")
    imported = zz_json(local, "codes", "import", str(newer), "--list", "local-6", "--version", "2")
    assert (imported["codes"], imported["unchanged"], imported["in_force"]) == (7, False, "2")
    later = str(write(tmp_path / "业态3.csv", LOCAL))
    dated = zz_json(local, "codes", "import", later, "--list", "local-6", "--version", "3", "--valid-from=2099-01-01")
    assert (dated["version"], dated["in_force"]) == ("3", "2")
    # the same hierarchy said again is fine (above); another one is refused, not ignored unsaid
    other = ("--hierarchy", "prefix:2,4")
    code, _, err = zz(local, "codes", "import", later, "--list", "local-6", "--version", "4", *other)
    assert code == 1 and "keeps the hierarchy `prefix:4,6`" in err and "--hierarchy prefix:2,4" in err
    assert zz_json(local, "codes", "show", "local-6")["versions"] == ["1", "2", "3"]  # nothing stored

    crosswalk = zz_json(local, "codes", "show", "local-to-2017", "--code", "621099")
    assert crosswalk["pairs_in_force"] == 4
    assert [(p["to_code"], p["rule_field"], p["rule_value"]) for p in crosswalk["pairs"]] == [
        ("6210", "经营规模", "大"),
        ("6220", "经营规模", "小"),
    ]


def test_a_bad_list_is_refused_with_every_problem_by_line(workspace: Workspace, tmp_path: Path) -> None:
    good = write(tmp_path / "good.csv", "代码,名称,上级代码\nA,甲类,\nA1,甲一,A\n")
    assert zz(workspace, "codes", "import", str(good), "--list", "local", "--version", "1")[0] == 0
    bad = write(tmp_path / "bad.csv", BAD_LIST, "gbk")
    code, out, err = zz(workspace, "codes", "import", str(bad), "--list", "local", "--version", "2")
    lines = err.splitlines()
    assert code == 1 and out == ""
    assert "bad.csv:4: code `A1` is already on line 3" in lines
    assert "bad.csv:5: parent `ZZ` of `B1` is not in the file" in lines
    assert any(line.startswith("bad.csv:6: code `C1` is in a cycle") for line in lines)
    assert any(line.startswith("bad.csv:7: code `C2` is in a cycle") for line in lines)
    assert lines[-1].startswith("error: Code list `bad.csv` refused with 4 problem(s)")
    assert sum(line.startswith("error:") for line in lines) == 1
    (listed,) = zz_json(workspace, "codes", "list")["lists"]
    assert ([v["version"] for v in listed["versions"]], listed["in_force"]) == (["1"], "1")

    code, _, err = zz(workspace, "codes", "import", str(bad), "--list", "local", "--version", "3", "--encoding", "utf8")
    assert code == 1 and err.count("\n") == 1 and "File `bad.csv` row 1: bytes are not `utf-8`" in err


def test_a_bad_crosswalk_is_refused_with_every_problem_by_line(local: Workspace, tmp_path: Path) -> None:
    bad = write(
        tmp_path / "xw.csv",
        CROSSWALK + "000000,5221,,\n621001,9999,,\n621099,6220,经营规模,大\n",
    )
    args = ("--crosswalk", "local-to-2017", "--from", "local-6", "--to", "gbt4754-2017", "--version", "2")
    code, _, err = zz(local, "codes", "import", str(bad), *args)
    lines = err.splitlines()
    assert code == 1
    assert "xw.csv:6: `from_code` = `000000` is not a code of `local-6`" in lines
    assert "xw.csv:7: `to_code` = `9999` is not a code of `gbt4754-2017`" in lines
    assert any(line.startswith("xw.csv:8: conflicts with line 4") for line in lines)
    assert lines[-1].startswith("error: Crosswalk `xw.csv` refused with")
    assert zz_json(local, "codes", "show", "local-to-2017")["pairs_in_force"] == 4


def test_translate_codes_given_as_arguments(local: Workspace) -> None:
    args = ("--from", "gbt4754-2011", "--to", "gbt4754-2017")
    found = zz_json(local, "codes", "translate", *args, "0111", "0169", "9999")
    by_code = {r["code"]: r for r in found["results"]}
    assert (by_code["0111"]["to_code"], by_code["0111"]["method"], by_code["0111"]["to_name"]) == (
        "0111",
        "exact",
        "稻谷种植",
    )
    assert (by_code["0169"]["method"], by_code["0169"]["candidates"]) == ("ambiguous", ["0164", "0169"])
    assert by_code["9999"]["method"] == "unmapped"

    args = ("codes", "translate", "--from", "local-6", "--to", "gbt4754-2017", "621099", "522102")
    found = zz_json(local, *args, "--context", "经营规模=小")
    assert [(r["code"], r["to_code"], r["method"]) for r in found["results"]] == [
        ("621099", "6220", "rule"),
        ("522102", "5221", "roll-up"),
    ]
    code, out, err = zz(local, *args)
    assert code == 0 and "rule" in out and "roll-up" in out
    assert err.startswith("warning: rules of this route read `经营规模`")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_translate_a_file_column_and_write_it_safely(local: Workspace, tmp_path: Path, suffix: str) -> None:
    records = write(tmp_path / "records.csv", RECORDS)
    out = tmp_path / f"translated{suffix}"
    args = ("--from", "local-6", "--to", "gbt4754-2017", "--file", str(records), "--column", "业态代码", "-o", str(out))
    found = zz_json(local, "codes", "translate", *args)
    assert found["rows"] == 8
    assert found["methods"] == {"roll-up": 2, "rule": 2, "ambiguous": 1, "unmapped": 2, "blank": 1}
    rows = _read_back(out)
    assert rows[0] == ["企业名称", "业态代码", "经营规模", "备注", "to_code", "method", "detail"]
    assert [(r[0], r[4], r[5]) for r in rows[1:]] == [
        ("甲超市", "5221", "roll-up"),
        ("乙饭店", "6210", "rule"),
        ("丙快餐", "6220", "rule"),
        ("丁店", "", "ambiguous"),
        ("戊店", "", "unmapped"),
        ("己店", "", "blank"),
        ("庚店", "5221", "roll-up"),
        ("辛店", "", "unmapped"),
    ]
    # Text that a spreadsheet would run as a formula comes back as text.
    assert [r[3] for r in rows[1:4]] + [rows[7][3]] == ['\'=HYPERLINK("http://x")', "", "'+1", "'@cmd"]


def _read_back(path: Path) -> list[list[str]]:
    if path.suffix == ".csv":
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.reader(handle))
    from openpyxl import load_workbook

    sheet = load_workbook(path).worksheets[0]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    # A cell marked as text (quotePrefix) reads back with the `'` that marks it in a CSV.
    return [
        ["" if c.value is None else ("'" if c.quotePrefix else "") + str(c.value) for c in row]
        for row in sheet.iter_rows()
    ]


def test_coverage_feeds_the_review_queue_and_decisions_are_reused(local: Workspace, tmp_path: Path) -> None:
    records = write(tmp_path / "records.csv", RECORDS)
    args = ("--from", "local-6", "--to", "gbt4754-2017", "--file", str(records), "--column", "业态代码")
    unsaved = zz_json(local, "codes", "coverage", *args, "--no-save")
    assert (unsaved["saved_id"], unsaved["queued_for_review"]) == (None, None)
    assert zz_json(local, "codes", "review", "list") == []

    report = zz_json(local, "codes", "coverage", *args, "--subject", "2026年11月登记")
    assert (report["rows"], report["translated_rows"], report["queued_for_review"]) == (8, 4, 3)
    assert report["saved_id"] is not None and report["subject"] == "2026年11月登记"
    assert {m["method"]: m["rows"] for m in report["methods"]}["rule"] == 2
    assert {(u["code"], u["method"], u["rows"]) for u in report["untranslated"]} == {
        ("621099", "ambiguous", 1),
        ("999999", "unmapped", 1),
        ("6210", "unmapped", 1),
        ("", "blank", 1),
    }
    code, out, _ = zz(local, "codes", "coverage", *args, "--no-save")
    assert code == 0 and "untranslated codes" in out and "50.0%" in out

    items = {i["code"]: i for i in zz_json(local, "codes", "review", "list")}
    assert set(items) == {"621099", "999999", "6210"}
    assert [c["code"] for c in items["621099"]["candidates"]] == ["6210", "6220"]
    assert items["6210"]["seen_in"] == "2026年11月登记"
    decide = ("codes", "review", "decide")
    decided = zz_json(local, *decide, str(items["6210"]["id"]), "--to-code", "6210", "--reason", "本地码即国标类")
    assert (decided["code"], decided["to_code"], decided["reason"]) == ("6210", "6210", "本地码即国标类")
    code, out, _ = zz(local, *decide, str(items["621099"]["id"]), "--no-equivalent", "--reason", "无规模，无法判断")
    assert code == 0 and "queued and go with the next batch" not in out  # they end dead, not sent
    assert "end dead with the next batch" in out or "判为无法发送" in out
    code, _, err = zz(local, *decide, "999", "--to-code", "5223", "--reason", "不存在")
    assert code == 1 and "No review item `999`" in err
    assert [i["code"] for i in zz_json(local, "codes", "review", "list")] == ["999999"]
    assert len(zz_json(local, "codes", "review", "list", "--all")) == 3

    again = zz_json(local, "codes", "translate", "--from", "local-6", "--to", "gbt4754-2017", "6210")
    assert [(r["to_code"], r["method"]) for r in again["results"]] == [("6210", "decision")]

    exported = tmp_path / "decisions.csv"
    lists = ("--from", "local-6", "--to", "gbt4754-2017")
    result = zz_json(local, "codes", "review", "export", *lists, "-o", str(exported))
    assert (result["pairs"], result["no_equivalent"]) == (1, 1)
    # The steward folds the decided pairs into the crosswalk and imports it as its next version.
    with exported.open(encoding="utf-8", newline="") as handle:
        decided_rows = [",".join(row[:4]) for row in list(csv.reader(handle))[1:]]
    merged = write(tmp_path / "业态对照2.csv", CROSSWALK + "\n".join(decided_rows) + "\n")
    xw = ("--crosswalk", "local-to-2017", "--from", "local-6", "--to", "gbt4754-2017", "--version", "2")
    assert zz_json(local, "codes", "import", str(merged), *xw)["pairs_in_force"] == 5


def test_usage_errors_exit_2(local: Workspace, tmp_path: Path) -> None:
    file = write(tmp_path / "x.csv", LOCAL)
    translate = ("codes", "translate", "--from", "local-6", "--to", "gbt4754-2017")
    for args in (
        ("codes", "import", str(file), "--version", "1"),
        ("codes", "import", str(file), "--list", "a", "--crosswalk", "b", "--version", "1"),
        ("codes", "import", str(file), "--crosswalk", "b", "--from", "local-6", "--version", "1"),
        ("codes", "import", str(file), "--list", "a", "--version", "1", "--hierarchy", "tree"),
        ("codes", "import", str(tmp_path / "missing.csv"), "--list", "a", "--version", "1"),
        (*translate,),
        (*translate, "5221", "--file", str(file), "--column", "编码"),
        (*translate, "--file", str(file)),
        (*translate, "--file", str(file), "--column", "编码", "-o", str(tmp_path / "out.txt")),
        ("codes", "review", "decide", "1", "--reason", "理由"),
        ("codes", "review", "decide", "1", "--to-code", "5221", "--no-equivalent", "--reason", "理由"),
    ):
        assert zz(local, *args)[0] == 2, args
    code, _, err = zz(local, *translate, "--file", str(file), "--column", "行业")
    assert code == 1 and "has no column `行业`" in err and "`编码`" in err


def test_a_new_version_that_leaves_out_a_code_still_used_warns(workspace: Workspace, tmp_path: Path) -> None:
    dep = write(tmp_path / "dep.csv", "code,name\nLJ,柳江\n")
    dep_args = ("--list", "dep-area", "--version", "1", "--hierarchy", "prefix:2")
    assert zz(workspace, "codes", "import", str(dep), *dep_args)[0] == 0
    div = write(tmp_path / "div.csv", "code,name\n4502,柳州市\n450221,柳江县\n")
    div_args = ("--list", "div", "--hierarchy", "prefix:4,6")
    assert zz(workspace, "codes", "import", str(div), *div_args, "--version", "2015")[0] == 0
    xw = write(tmp_path / "xw.csv", "from_code,to_code\nLJ,450221\n")
    xw_args = ("--crosswalk", "dep-to-div", "--from", "dep-area", "--to", "div", "--version", "1")
    assert zz(workspace, "codes", "import", str(xw), *xw_args)[0] == 0
    newer = write(tmp_path / "div2.csv", "code,name\n4502,柳州市\n450206,柳江区\n")
    code, out, err = zz(workspace, "codes", "import", str(newer), *div_args, "--version", "2016")
    assert code == 0 and "Imported code list div version 2016" in out
    assert "warning: version 2016 of div leaves out 1 code(s) still in use" in err
    assert "  450221: crosswalk dep-to-div" in err
    translated = zz_json(workspace, "codes", "translate", "--from", "dep-area", "--to", "div", "LJ")
    assert [(r["to_code"], r["method"]) for r in translated["results"]] == [(None, "unmapped")]


def test_the_review_queue_of_an_unknown_list_names_it(local: Workspace) -> None:
    for option in ("--from", "--to"):
        code, out, err = zz(local, "codes", "review", "list", option, "no-such-list")
        assert code == 1 and "No code list `no-such-list`" in err and "Nothing waits" not in out
