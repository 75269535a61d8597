"""Report definitions as files: the built-in ones load, a broken one is refused with every problem named, periods."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.reports.conftest import ENTITIES, write_report
from zhizhi.config.files import parse_yaml
from zhizhi.errors import ConfigError, InputError
from zhizhi.reports import Installed, builtin_behind, install_builtin, load_report, parse_period
from zhizhi.reports.builtin import WRITTEN, builtin_texts
from zhizhi.reports.definition import ReportConfig
from zhizhi.reports.periods import last_complete

BROKEN = """\
name: broken
title: 坏报表
requester: 某办公室
department: LZ
frequency: monthly
colour: red
query:
  from: records
  record_type: entity
  period: entity_type
  where: {nmae: 甲, status: {equals: active, in: [a]}}
  group_by: [county, colour, county]
measures:
  - {name: new, label: 新设, kind: count}
  - {name: new, label: 重复, kind: count}
  - {name: total, label: 合计, kind: sum}
  - {name: change, label: 增减, kind: change, of: later}
  - {name: later, label: 以后, kind: share, of: change}
template:
  file: ../../etc/passwd
  cells: {标题: colour}
  columns: [nowhere]
"""


def test_the_builtin_definitions_load_and_install(tmp_path: Path) -> None:
    assert set(builtin_texts()) == {
        "entities-by-county", "licences", "equipment", "inspections", "data-quality", "deliveries", "hotline",
        "workload",
    }  # fmt: skip
    written = install_builtin(tmp_path, "LZ").written
    assert len(written) == 8 and (tmp_path / "reports" / "templates" / "entities-by-county.xlsx").is_file()
    assert all(load_report(tmp_path, name).department == "LZ" for name in written)
    assert install_builtin(tmp_path, "LZ") == Installed()  # nothing to do


def test_an_upgrade_brings_untouched_builtin_reports_up_and_keeps_edited_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an upgrade that changed the shipped definitions, an install writes the new text over the files as zhizhi
    wrote them, and keeps (naming them) those the bureau edited; --replace takes the shipped text everywhere."""
    assert builtin_behind(tmp_path) == []  # none installed: nothing to say
    install_builtin(tmp_path, "LZ")
    folder = tmp_path / "reports"
    edited = folder / "licences.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("title: ", "title: 本局"), encoding="utf-8")
    shipped = builtin_texts()
    newer = {name: text.replace("frequency: monthly", "frequency: quarterly") for name, text in shipped.items()}
    monkeypatch.setattr("zhizhi.reports.builtin.builtin_texts", lambda: newer)
    done = install_builtin(tmp_path, "LZ")
    assert done.kept == ["licences"] and done.written == []
    assert sorted(done.updated) == sorted(set(shipped) - {"licences"})
    assert load_report(tmp_path, "hotline").frequency == "quarterly"
    kept = load_report(tmp_path, "licences")
    assert kept.frequency == "monthly" and "本局" in kept.title
    assert install_builtin(tmp_path, "LZ") == Installed(kept=["licences"])  # the same answer again, nothing written
    assert builtin_behind(tmp_path) == []
    monkeypatch.setattr("zhizhi.reports.builtin.builtin_texts", lambda: newer | {"extra": shipped["hotline"]})
    assert builtin_behind(tmp_path) == ["extra"]  # new in this version; the edited one is no news
    monkeypatch.setattr("zhizhi.reports.builtin.builtin_texts", lambda: shipped)
    assert builtin_behind(tmp_path) == sorted(set(shipped) - {"licences"})  # as written, the shipped text changed
    monkeypatch.setattr("zhizhi.reports.builtin.builtin_texts", lambda: newer)
    replaced = install_builtin(tmp_path, "LZ", replace=True)
    assert replaced.updated == ["licences"] and load_report(tmp_path, "licences").frequency == "quarterly"


def test_a_workspace_installed_before_zhizhi_noted_its_files_keeps_those_that_differ(tmp_path: Path) -> None:
    """No note of what zhizhi wrote (an older workspace, or one whose note was lost): a file holding the shipped text is
    noted as such, one that differs cannot be told from an edit and is kept."""
    install_builtin(tmp_path, "LZ")
    (tmp_path / "reports" / WRITTEN).unlink()
    older = tmp_path / "reports" / "hotline.yaml"
    older.write_text(older.read_text(encoding="utf-8").replace("title: ", "title: 旧"), encoding="utf-8")
    assert install_builtin(tmp_path, "LZ") == Installed(kept=["hotline"])
    assert builtin_behind(tmp_path) == []  # one zhizhi did not note is named by an install, not taken for a new one
    (tmp_path / "reports" / WRITTEN).write_text("not json", encoding="utf-8")
    assert install_builtin(tmp_path, "LZ") == Installed(kept=["hotline"])
    assert "旧" in load_report(tmp_path, "hotline").title


def test_a_broken_definition_is_refused_with_every_problem_named(tmp_path: Path) -> None:
    write_report(tmp_path, BROKEN)
    with pytest.raises(ConfigError) as caught:
        load_report(tmp_path, "broken")
    message = caught.value.message
    assert message.startswith("`reports/broken.yaml` has")
    for expected in (
        "unknown key `colour`",
        "`query.where.status`",  # two conditions in one
        "give exactly one of",
    ):
        assert expected in message, expected


def test_every_consistency_problem_is_named_at_once() -> None:
    text = BROKEN.replace("colour: red\n", "").replace("status: {equals: active, in: [a]}", "status: active")
    with pytest.raises(ConfigError) as caught:
        parse_yaml(text, "reports/broken.yaml", ReportConfig)
    problems = caught.value.details
    expected = [
        "`query.where`: `nmae` is not a field of `entity` records",
        "`query.period` = `entity_type` is not a date field",
        "`query.group_by`: `colour` is not a field",
        "`query.group_by` names a key twice",
        "the name `new` is used twice",
        "a sum needs a number field",
        "`measures.4 (change).of` = `later` names no measure defined above it",
        "`measures.5 (later).of`: a share is of a count or distinct measure",
        "`template.cells.标题` = `colour`",
        "`template.columns`: `nowhere`",
        "`template.columns` needs `template.table`",
        "`template.file` = `../../etc/passwd` must be a path inside reports/",
    ]
    for part in expected:
        assert any(part in p for p in problems), (part, problems)
    assert len(problems) == len(expected)


def test_origins_refuse_what_they_do_not_have() -> None:
    text = ENTITIES.replace("from: records\n  record_type: entity\n  period: founded_on", "from: entities").replace(
        "[county]", "[department]"
    )
    with pytest.raises(ConfigError) as caught:
        parse_yaml(text, "reports/x.yaml", ReportConfig)
    joined = " ".join(caught.value.details)
    assert "`entities` rows belong to no department" in joined
    assert "`status` is not a field" not in joined  # the register has a status
    assert "the query has no `period` field" in joined
    clock = ENTITIES.replace(
        "from: records\n  record_type: entity\n  period: founded_on", "from: cases\n  period: received_on"
    )
    clock = clock.replace("[county]", "[kind]").replace("{status: active}", "{clock: late}")
    with pytest.raises(ConfigError, match="`clock` takes `equals` or `in` of breached"):
        parse_yaml(clock, "reports/x.yaml", ReportConfig)


@pytest.mark.parametrize(
    ("text", "first", "last", "before"),
    [
        ("2026-11", date(2026, 11, 1), date(2026, 11, 30), "2026-10"),
        ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), "2025-Q4"),
        ("2026-W45", date(2026, 11, 2), date(2026, 11, 8), "2026-W44"),
        ("2026-03-01", date(2026, 3, 1), date(2026, 3, 1), "2026-02-28"),
        ("2026-10-01..2026-10-10", date(2026, 10, 1), date(2026, 10, 10), "2026-09-21..2026-09-30"),
    ],
)
def test_periods(text: str, first: date, last: date, before: str) -> None:
    period = parse_period(text)
    assert (period.first, period.last, period.label, period.previous().label) == (first, last, text, before)


def test_a_period_people_cannot_read_is_refused_with_the_forms() -> None:
    with pytest.raises(InputError, match="2026-W45"):
        parse_period("November")
    assert last_complete("monthly", date(2026, 12, 5)).label == "2026-11"
    assert last_complete("quarterly", date(2026, 12, 5)).label == "2026-Q3"
    assert last_complete("weekly", date(2026, 12, 5)).label == "2026-W48"
    assert last_complete("daily", date(2026, 12, 5)).label == "2026-12-04"
