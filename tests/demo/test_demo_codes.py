"""The demo's industry codes: the three codings translate into each other, and the export's coverage is kept."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.conftest import OPERATOR, PostgresServer
from zhizhi.cli.main import app
from zhizhi.codes import (
    build_translator,
    get_coverage,
    list_coverage,
    list_review_items,
    list_summaries,
    load_hierarchy,
)
from zhizhi.demo import install_demo_codes, load_export
from zhizhi.demo.codes import LOCAL, NATIONAL, PROVINCIAL, RULE_FIELD, local_formats, write_code_files
from zhizhi.demo.export import ROWS, export_path, old_codes_by_class, read_export, write_export
from zhizhi.store import make_engine, make_sessionmaker


@dataclass
class Demo:
    """The city template's database with the demo's codes and export loaded, and the folder they were written to."""

    sessions: sessionmaker[Session]
    root: Path


@pytest.fixture(
    scope="module",
    params=[pytest.param("sqlite", marks=pytest.mark.sqlite), pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """Loaded once per backend (the lists take a second): the tests here only read."""
    root = tmp_path_factory.mktemp("demo")
    server: PostgresServer | None = None
    if request.param == "sqlite":
        shutil.copyfile(request.getfixturevalue("sqlite_templates")["city"], root / "zhizhi.db")
        url = f"sqlite:///{root / 'zhizhi.db'}"
    else:
        server = request.getfixturevalue("postgres_server")
        name = server.create("city")
        url = server.url_for(name)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with sessions() as session, session.begin():
        install_demo_codes(session, OPERATOR, root)
        load_export(session, OPERATOR, root)
    yield Demo(sessions, root)
    engine.dispose()
    if server is not None:
        server.drop(name)


def test_the_demo_lists_load_with_complete_trees(demo: Demo) -> None:
    with demo.sessions() as session:
        summaries = {s["name"]: s for s in list_summaries(session)}
        local, provincial = load_hierarchy(session, LOCAL.name), load_hierarchy(session, PROVINCIAL.name)
    assert summaries[LOCAL.name]["prefix_lengths"] == [4, 6]
    assert summaries[PROVINCIAL.name]["prefix_lengths"] == [4, 8]
    assert 150 <= len([c for c in local.codes if len(c) == 6]) <= 300
    assert local.parent("522101") == "5221" and local.get("522101").name == "粮油零售（超市内）"
    assert provincial.parent("62100200") == "6210" and provincial.level("62100200") == 2
    for folder, name in (("codes", LOCAL.name), ("codes", PROVINCIAL.name), ("crosswalks", "gbt4754-to-guangxi-8")):
        assert (demo.root / folder / f"{name}.csv").is_file()


@pytest.mark.parametrize(
    ("code", "expected", "first_leg"),
    [
        ("522101", "52210100", "exact"),  # 1:1 province code
        ("521201", "52120100", "exact"),  # rule: 大型超市
        ("521203", "52120200", "exact"),  # rule: 小型超市 -> 中小型超市
        ("621003", "62100200", "exact"),  # rule: 中型餐馆
        ("621005", "62100300", "roll-up"),  # added in 2025: rolls up to 6210, then the rule
        ("143203", "14320100", "roll-up"),  # added in 2025: rolls up to 1432, then 1:1
    ],
)
def test_local_codes_reach_the_province_through_the_national_class(
    demo: Demo, code: str, expected: str, first_leg: str
) -> None:
    with demo.sessions() as session:
        translator = build_translator(session, LOCAL.name, PROVINCIAL.name, as_of=date(2025, 6, 1))
    assert translator.route == [LOCAL.name, NATIONAL, PROVINCIAL.name]
    answer = translator.translate(code, {RULE_FIELD: code})
    assert (answer.to_code, str(answer.method)) == (expected, "chained")
    assert answer.detail.startswith(first_leg) and answer.via == (NATIONAL,)


@pytest.mark.parametrize(
    ("business_format", "expected", "method"),
    [
        ("621001", "62100100", "rule"),
        ("621002", "62100100", "rule"),
        ("621004", "62100300", "rule"),
        ("", None, "ambiguous"),  # no business format on the record: the split cannot be settled
        ("521201", None, "ambiguous"),  # a format of another class has no rule for 6210
    ],
)
def test_a_rule_split_picks_by_business_format(
    demo: Demo, business_format: str, expected: str | None, method: str
) -> None:
    with demo.sessions() as session:
        translator = build_translator(session, NATIONAL, PROVINCIAL.name, as_of=date(2025, 6, 1))
    answer = translator.translate("6210", {RULE_FIELD: business_format})
    assert (answer.to_code, str(answer.method)) == (expected, method)


def test_a_split_without_a_rule_is_ambiguous_with_its_candidates(demo: Demo) -> None:
    with demo.sessions() as session:
        translator = build_translator(session, LOCAL.name, PROVINCIAL.name, as_of=date(2025, 6, 1))
    answer = translator.translate("629101", {RULE_FIELD: "629101"})  # 螺蛳粉店
    assert str(answer.method) == "ambiguous" and answer.to_code is None
    assert answer.candidates == ("62910100", "62910200")


@pytest.mark.parametrize(("as_of", "expected"), [(date(2024, 6, 1), "52940100"), (date(2025, 6, 1), "52940200")])
def test_the_retired_provincial_code_gives_way_to_its_successor(demo: Demo, as_of: date, expected: str) -> None:
    with demo.sessions() as session:
        direct = build_translator(session, NATIONAL, PROVINCIAL.name, as_of=as_of)
        chained = build_translator(session, LOCAL.name, PROVINCIAL.name, as_of=as_of)
    assert direct.translate("5294").to_code == expected
    assert chained.translate("529401", {RULE_FIELD: "529401"}).to_code == expected


def test_the_kept_coverage_reports_add_up(demo: Demo) -> None:
    with demo.sessions() as session:
        kept = [get_coverage(session, run.id) for run in list_coverage(session)]
    reports = {(r["from_list"], r["to_list"]): r for r in kept}
    formats = reports[(LOCAL.name, PROVINCIAL.name)]
    old = reports[("gbt4754-2011", NATIONAL)]
    assert formats["rows"] == ROWS and 0 < old["rows"] < ROWS
    for report in (formats, old):
        by_method = {m["method"]: m["rows"] for m in report["methods"]}
        assert sum(by_method.values()) == report["rows"]
        failed = sum(n for m, n in by_method.items() if m in ("unmapped", "ambiguous", "blank"))
        assert report["translated_rows"] + failed == report["rows"]
        assert report["subject"].startswith("登记注册系统导出 dengji_export.csv")
    assert {m["method"] for m in formats["methods"]} == {"chained", "ambiguous", "unmapped", "blank"}
    assert 0.7 < formats["translated_rows"] / formats["rows"] < 0.9


def test_what_does_not_translate_waits_for_a_steward(demo: Demo) -> None:
    with demo.sessions() as session:
        items = list_review_items(session, from_list=LOCAL.name, to_list=PROVINCIAL.name)
        old = list_review_items(session, from_list="gbt4754-2011", to_list=NATIONAL)
        local = load_hierarchy(session, LOCAL.name)
    first = items[0]
    assert (first.from_code, first.kind, json.loads(first.candidates)) == (
        "629101",
        "ambiguous",
        ["62910100", "62910200"],
    )
    unmapped = {i.from_code for i in items if i.kind == "unmapped"}
    assert {"529101", "611099"} <= unmapped  # codes the local list dropped
    assert any(code not in local and len(code) != 6 for code in unmapped)  # typed wrong
    assert "521205" in {i.from_code for i in items if i.kind == "ambiguous"}  # a new format without a rule
    assert {"6120", "5219"} <= {i.from_code for i in old}  # 2011 classes that 2017 split


def test_the_generated_files_are_the_same_every_time(demo: Demo, tmp_path: Path) -> None:
    with demo.sessions() as session:
        national = load_hierarchy(session, NATIONAL)
        old_codes = old_codes_by_class(session)
    again = write_code_files(tmp_path, national)
    for path in (again.local, again.provincial, again.local_to_national, again.national_to_provincial):
        assert path.read_bytes() == (demo.root / path.parent.name / path.name).read_bytes()
    write_export(tmp_path / "export.csv", local_formats(national), old_codes)
    assert (tmp_path / "export.csv").read_bytes() == export_path(demo.root).read_bytes()
    frame = read_export(export_path(demo.root))
    assert frame.height == ROWS and frame.columns[:2] == ["统一社会信用代码", "企业名称"]
    assert frame["经营业态代码"].null_count() > 0 and frame["行业代码"].null_count() > 0


def test_the_demo_command_writes_the_files_and_fills_the_queue(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", str(tmp_path / "demo"), "--no-serve"])
    assert result.exit_code == 0, result.output
    root = tmp_path / "demo"
    assert export_path(root).read_bytes().decode("gbk").startswith("统一社会信用代码,")
    engine = make_engine(f"sqlite:///{root / 'data' / 'zhizhi.db'}")
    with make_sessionmaker(engine)() as session:
        subjects = sorted(run.subject for run in list_coverage(session))
        assert len(subjects) == 4  # the export measured twice, and the two sources that translate codes ingested
        assert [s.split(" · ")[0] for s in subjects[:2]] == ["数据源 dengji", "数据源 food_licences"]
        assert len(list_review_items(session)) > 20
    engine.dispose()
