"""Reconciliation on a real store (SQLite and PostgreSQL), built by real ingests and real sends to a real HTTP
receiver: the figures add up, agree with the receiver and the outbox, follow the period in Beijing time and the
actor's scope, and every figure is exactly the deliveries its drill-down lists; the CLI's JSON and workbook."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.conftest import OPERATOR, outbox
from tests.delivery import test_send
from tests.delivery.test_send import Receiver, _send
from tests.ingest.test_pipeline import SOURCE, _actor, _codes, _row, _source, _write
from zhizhi.access import Actor
from zhizhi.cli.common import console
from zhizhi.cli.main import app
from zhizhi.config import Workspace
from zhizhi.delivery import load_targets
from zhizhi.delivery.drilldown import FIGURES, list_deliveries
from zhizhi.delivery.figures import ReconcileFilter, Reconciliation
from zhizhi.delivery.outbox import delivery_counts
from zhizhi.delivery.period import parse_period
from zhizhi.delivery.reconcile import reconcile
from zhizhi.errors import InputError, NotFoundError, PermissionDeniedError
from zhizhi.ingest.pipeline import ingest_file
from zhizhi.ingest.quarantine import fix_item, list_items, replay
from zhizhi.store.tables import Batch

TODAY = date(2026, 11, 28)
FORMULA = "=cmd|' /C calc'!A0"
REJECTED = "乙有限公司"
REASON = "统一社会信用代码与名称不符"
CZ_SOURCE = SOURCE.replace("name: dengji", "name: chengzhong").replace("department: LZ-DJ", "department: LZ-CZ")
TARGETS = {
    "province": "record_types: [entity]\nfields:\n  TYSHXYDM: uscc\n  QYMC: name\n"
    "transport:\n  kind: http\n  url: {url}\n  timeout: 2\n",
    "city": "record_types: [entity]\nfilter:\n  sources: [dengji]\nfields:\n  TYSHXYDM: uscc\n  QYMC: name\n"
    "transport:\n  kind: http\n  url: {url}\n  timeout: 2\n  batch_size: 2\n",
    "archive": "record_types: [entity]\nfilter:\n  departments: [LZ-CZ]\nfields:\n  QYMC: name\n"
    "transport:\n  kind: http\n  url: http://127.0.0.1:9/records\n  timeout: 2\nmax_attempts: 1\n",
}
receiver = test_send.receiver  # the real HTTP receiver, shared with the sending tests

# When each batch was stored, in UTC: July's at 23:30 on 31 July Beijing time, August's dengji batch at 00:10 on
# 1 August Beijing time (still 31 July in UTC), chengzhong's in mid-August.
JULY = datetime(2021, 7, 31, 15, 30, tzinfo=UTC)
AUGUST_FIRST = datetime(2021, 7, 31, 16, 10, tzinfo=UTC)
AUGUST = datetime(2021, 8, 15, 2, 0, tzinfo=UTC)


@dataclass(frozen=True)
class State:
    """What was built: the batches by name, the names by code, the receiver."""

    batches: dict[str, int]
    names: dict[str, str]
    receiver: Receiver


def write_targets(root: Path, url: str) -> None:
    """The workspace's target files: province takes every entity, city only dengji's, archive LZ-CZ's (down)."""
    for name, text in TARGETS.items():
        body = f"name: {name}\nowner: LZ-XY\n" + text.format(url=url)
        (root / "targets" / f"{name}.yaml").write_text(body, encoding="utf-8")


def build_state(sessions: sessionmaker[Session], root: Path, folder: Path, receiver: Receiver) -> State:
    """Three batches in July and August, sent: province all, city one batch of two (the rest pending), archive
    dead (nothing listens); the receiver rejects 乙有限公司."""
    write_targets(root, receiver.url)
    targets = {t.name: t for t in load_targets(root)}
    a, b, c, d, f, g, h, e = _codes(8, seed=11)
    broken = e[:-1] + ("0" if e[-1] != "0" else "1")
    july = [_row(a, "甲有限公司"), _row(b, REJECTED), _row(c, "丙有限公司"), _row(d, FORMULA)]
    july += [_row(broken, "错码有限公司"), [""] * 7]
    august = [_row(a, "甲有限公司", 住所="柳州市鱼峰区驾鹤路9号"), _row(c, "丙有限公司"), _row(f, "戊有限公司")]
    batches = {
        "july": _ingest(sessions, _write(folder / "july.csv", july), ["city", "province"], JULY),
        "august": _ingest(sessions, _write(folder / "august.csv", august), ["city", "province"], AUGUST_FIRST),
        "cz": _ingest(
            sessions,
            _write(folder / "cz.csv", [_row(g, "己有限公司"), _row(h, "庚有限公司")]),
            ["archive", "province"],
            AUGUST,
            _source(CZ_SOURCE),
        ),
    }
    receiver.reject[REJECTED] = REASON
    while _send(sessions, targets["province"]):
        pass
    assert _send(sessions, targets["city"]) == {"acknowledged": 1, "rejected": 1}
    assert _send(sessions, targets["archive"]) == {"dead": 2}
    names = {
        a: "甲有限公司",
        b: REJECTED,
        c: "丙有限公司",
        d: FORMULA,
        f: "戊有限公司",
        g: "己有限公司",
        h: "庚有限公司",
    }
    return State(batches, names, receiver)


def _ingest(
    sessions: sessionmaker[Session], path: Path, targets: list[str], stored: datetime, source: Any = None
) -> int:
    with sessions() as session, session.begin():
        batch = ingest_file(session, OPERATOR, source or _source(), path, today=TODAY, outbox=outbox(*targets)).batch
        session.execute(update(Batch).where(Batch.id == batch.id).values(finished_at=stored))
        return batch.id


def _run(sessions: sessionmaker[Session], root: Path, actor: Actor = OPERATOR, **filters: Any) -> Reconciliation:
    with sessions() as session:
        return reconcile(session, actor, ReconcileFilter(**filters), targets=load_targets(root))


def _lines(result: Reconciliation) -> dict[tuple[str, str, str | None], dict[str, int]]:
    return {
        (line.department, line.source, line.target): line.intake.as_dict() | line.deliveries.as_dict()
        for line in result.lines
    }


def _check_sums(figures: dict[str, int]) -> None:
    assert figures["produced"] == figures["accepted"] + figures["quarantined"] + figures["skipped"]
    assert figures["accepted"] == figures["versions"] + figures["unchanged"]
    assert figures["owed"] == (
        figures["delivered"] + figures["pending"] + figures["withheld"] + figures["dead"] + figures["unknown"]
    )
    assert figures["delivered"] == figures["acknowledged"] + figures["rejected"] + figures["sent"]


@pytest.fixture
def state(city: sessionmaker[Session], workspace: Workspace, tmp_path: Path, receiver: Receiver) -> State:
    return build_state(city, workspace.root, tmp_path, receiver)


def test_the_figures_add_up_and_agree_with_the_receiver_and_the_outbox(
    city: sessionmaker[Session], workspace: Workspace, state: State
) -> None:
    result = _run(city, workspace.root)
    lines = _lines(result)
    assert list(lines) == [
        ("LZ-DJ", "dengji", "city"),
        ("LZ-DJ", "dengji", "province"),
        ("LZ-CZ", "chengzhong", "archive"),
        ("LZ-CZ", "chengzhong", "province"),
    ]
    dengji = {"batches": 2, "produced": 9, "accepted": 7, "quarantined": 1, "skipped": 1, "versions": 6}
    assert lines[("LZ-DJ", "dengji", "province")].items() >= (dengji | {"unchanged": 1, "replayed": 0}).items()
    assert lines[("LZ-DJ", "dengji", "province")].items() >= {
        "owed": 6, "delivered": 6, "acknowledged": 5, "rejected": 1, "sent": 0, "pending": 0, "dead": 0
    }.items()  # fmt: skip
    assert lines[("LZ-DJ", "dengji", "city")].items() >= {
        "owed": 6, "delivered": 2, "acknowledged": 1, "rejected": 1, "pending": 4, "dead": 0
    }.items()  # fmt: skip
    assert lines[("LZ-CZ", "chengzhong", "archive")].items() >= {"owed": 2, "delivered": 0, "dead": 2}.items()
    assert lines[("LZ-CZ", "chengzhong", "province")].items() >= {"produced": 2, "owed": 2, "acknowledged": 2}.items()
    for figures in lines.values():
        _check_sums(figures)
    total = result.intake.as_dict() | result.deliveries.as_dict()
    _check_sums(total)
    # Each source's intake counted once, each delivery once (a record owed to two targets twice).
    assert (total["produced"], total["accepted"], total["versions"]) == (11, 9, 8)
    assert (total["owed"], total["acknowledged"], total["rejected"], total["pending"], total["dead"]) == (
        16,
        8,
        2,
        4,
        2,
    )
    assert [(p.department, p.intake.produced, p.deliveries.owed) for p in result.parts] == [
        ("LZ-DJ", 9, 12),
        ("LZ-CZ", 2, 4),
    ]
    # The platform's own count of what it accepted, and the outbox's count per target and status.
    assert total["acknowledged"] == len(set(state.receiver.seen)) == 8
    with city() as session:
        outbox = delivery_counts(session, OPERATOR)
    assert {
        name: {k: v for k, v in o.as_dict().items() if k in outbox[name]} for name, o in result.targets.items()
    } == (outbox)
    data = result.as_dict()
    assert data["total"]["deliveries"]["owed"] == 16 and data["period"] is None
    assert json.loads(json.dumps(data)) == data


def test_the_period_is_counted_in_beijing_time(city: sessionmaker[Session], workspace: Workspace, state: State) -> None:
    july = _run(city, workspace.root, period="2021-07")
    assert [(line.source, line.target) for line in july.lines] == [("dengji", "city"), ("dengji", "province")]
    assert july.intake.batches == 1
    assert (july.intake.produced, july.intake.accepted, july.intake.quarantined, july.intake.skipped) == (6, 4, 1, 1)
    province = _lines(july)[("LZ-DJ", "dengji", "province")]
    assert (province["owed"], province["acknowledged"], province["rejected"]) == (4, 3, 1)
    city_line = _lines(july)[("LZ-DJ", "dengji", "city")]
    assert (city_line["owed"], city_line["acknowledged"], city_line["rejected"], city_line["pending"]) == (4, 1, 1, 2)
    august = _run(city, workspace.root, period="2021-08")
    assert (august.intake.batches, august.intake.produced) == (2, 5)
    assert [p.department for p in august.parts] == ["LZ-DJ", "LZ-CZ"]
    assert _run(city, workspace.root, period="2021-08-01").intake.produced == 3  # 00:10 Beijing time, 31 July UTC
    assert _run(city, workspace.root, period="2021-07-31").intake.produced == 6
    for whole in ("2021", "2021-07..2021-08", "2021-07-31..2021-08-15"):
        assert (
            _run(city, workspace.root, period=whole).as_dict()["total"] == _run(city, workspace.root).as_dict()["total"]
        ), whole
    empty = _run(city, workspace.root, period="2021-06")
    assert empty.parts == [] and empty.intake.produced == 0 and empty.deliveries.owed == 0
    assert empty.as_dict()["period"] == {
        "text": "2021-06",
        "first_day": "2021-06-01",
        "last_day": "2021-06-30",
        "start": "2021-05-31T16:00:00.000000Z",
        "end": "2021-06-30T16:00:00.000000Z",
    }


@pytest.mark.parametrize("text", ["2021-13", "July", "2021/07", "2021-02-30", "2021..", "1..2..3", "", "20210"])
def test_a_bad_period_is_refused_with_the_forms(text: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_period(text)
    assert f"`{text}`" in raised.value.message and "YYYY, YYYY-MM, YYYY-MM-DD or FROM..TO" in raised.value.message
    assert raised.value.message_zh is not None and f"期间 `{text}` 无效" in raised.value.message_zh


def test_a_period_that_ends_before_it_begins_is_refused() -> None:
    with pytest.raises(InputError) as raised:
        parse_period("2021-08..2021-07")
    assert "`2021-08..2021-07` ends before it begins" in raised.value.message


def test_periods_cover_whole_local_days() -> None:
    year = parse_period(" 2024 ")
    assert (year.first, year.last, year.text) == (date(2024, 1, 1), date(2024, 12, 31), "2024")
    assert parse_period("2024-02").last == date(2024, 2, 29) and parse_period("2023-12").last == date(2023, 12, 31)
    span = parse_period("2021-07..2021-09-15")
    assert (span.first, span.last) == (date(2021, 7, 1), date(2021, 9, 15))
    assert span.start == datetime(2021, 6, 30, 16, tzinfo=UTC) and span.end == datetime(2021, 9, 15, 16, tzinfo=UTC)


def test_filters_by_target_source_and_department(
    city: sessionmaker[Session], workspace: Workspace, state: State
) -> None:
    only_city = _run(city, workspace.root, target="city")
    assert [(line.source, line.target) for line in only_city.lines] == [("dengji", "city")]
    assert only_city.intake.produced == 9 and only_city.deliveries.owed == 6  # chengzhong is not city's
    assert list(only_city.targets) == ["city"]
    cz = _run(city, workspace.root, department="LZ-CZ")
    assert {line.target for line in cz.lines} == {"archive", "province"} and cz.intake.produced == 2
    assert _run(city, workspace.root, source="chengzhong").as_dict()["lines"] == cz.as_dict()["lines"]
    assert _run(city, workspace.root, source="nothing").lines == []
    with pytest.raises(NotFoundError) as raised:
        _run(city, workspace.root, target="nowhere")
    assert "nowhere" in raised.value.message and "archive, city, province" in raised.value.message
    with pytest.raises(NotFoundError):
        _run(city, workspace.root, department="LZ-NOPE")


def test_a_target_that_takes_a_source_has_its_line_even_when_owed_nothing(
    city: sessionmaker[Session],
    workspace: Workspace,
    tmp_path: Path,
    receiver: Receiver,
) -> None:
    write_targets(workspace.root, receiver.url)
    _ingest(city, _write(tmp_path / "a.csv", [_row(_codes(1)[0], "甲有限公司")]), [], JULY)  # owed to none
    lines = _lines(_run(city, workspace.root))
    assert set(lines) == {("LZ-DJ", "dengji", "city"), ("LZ-DJ", "dengji", "province")}
    assert lines[("LZ-DJ", "dengji", "city")]["owed"] == 0 and lines[("LZ-DJ", "dengji", "city")]["accepted"] == 1
    for name in TARGETS:
        (workspace.root / "targets" / f"{name}.yaml").unlink()
    assert list(_lines(_run(city, workspace.root))) == [("LZ-DJ", "dengji", None)]


def test_each_sees_only_the_work_of_their_departments(
    city: sessionmaker[Session], workspace: Workspace, state: State
) -> None:
    with city() as session:
        leader, cz, steward, other, auditor = (
            _actor(session, name) for name in ("leader", "chengzhong", "steward", "yufeng", "auditor")
        )
    assert _run(city, workspace.root, leader).as_dict() == _run(city, workspace.root).as_dict()
    assert [p.department for p in _run(city, workspace.root, cz).parts] == ["LZ-CZ"]
    mine = _run(city, workspace.root, steward)
    assert [p.department for p in mine.parts] == ["LZ-DJ"] and mine.deliveries.owed == 12
    nothing = _run(city, workspace.root, other)
    assert nothing.parts == [] and nothing.deliveries.owed == 0 and nothing.intake.produced == 0
    with city() as session:
        assert list_deliveries(session, other, targets=load_targets(workspace.root)) == []
        with pytest.raises(NotFoundError):
            reconcile(session, other, ReconcileFilter(department="LZ-DJ"))  # not in their scope: as if not there
        with pytest.raises(PermissionDeniedError):
            reconcile(session, auditor)


def test_every_figure_is_the_deliveries_its_drill_down_lists(
    city: sessionmaker[Session], workspace: Workspace, state: State
) -> None:
    result = _run(city, workspace.root, period="2021-07..2021-08")
    targets = load_targets(workspace.root)
    with city() as session:
        for line in result.lines:
            figures = line.deliveries.as_dict()
            for figure in FIGURES:
                chosen = ReconcileFilter(line.target, line.source, line.department, "2021-07..2021-08")
                found = list_deliveries(session, OPERATOR, chosen, targets=targets, status=figure, limit=1000)
                assert len(found) == figures[figure], (line, figure)
                assert {d["target"] for d in found} <= {line.target}
        rejected = list_deliveries(session, OPERATOR, ReconcileFilter(target="province"), status="rejected")
        pending = list_deliveries(
            session, OPERATOR, ReconcileFilter.of(target="city", period=" 2021-07 "), targets=targets, status="pending"
        )
        first = list_deliveries(session, OPERATOR, targets=targets, status="owed", limit=5)
        rest = list_deliveries(session, OPERATOR, targets=targets, status="owed", limit=100, offset=5)
        with pytest.raises(InputError):
            list_deliveries(session, OPERATOR, status="lost")
    assert len(rejected) == 1
    item = rejected[0]
    assert (item["name"], item["last_error"], item["file"], item["row"], item["source"]) == (
        REJECTED,
        REASON,
        "july.csv",
        3,
        "dengji",
    )
    assert len(item["idempotency_key"]) >= 22  # random: not guessable from the version and target
    assert item["department"] == "LZ-DJ" and item["acknowledged_at"] is None and item["version"] == 1
    assert [(d["name"], d["row"]) for d in pending] == [("丙有限公司", 4), (FORMULA, 5)]
    acknowledged = [d for d in first + rest if d["status"] == "acknowledged"]
    assert all(d["acknowledged_at"] for d in acknowledged) and len(acknowledged) == 8
    assert {d["idempotency_key"] for d in acknowledged} == set(state.receiver.seen)
    ids = [d["id"] for d in first + rest]
    assert len(ids) == 16 and ids == sorted(set(ids))


def test_quarantined_rows_replayed_are_owed_beside_the_versions(
    city: sessionmaker[Session],
    workspace: Workspace,
    tmp_path: Path,
    receiver: Receiver,
) -> None:
    write_targets(workspace.root, receiver.url)
    code, broken = _codes(2, seed=3)
    wrong = broken[:-1] + ("0" if broken[-1] != "0" else "1")
    path = _write(tmp_path / "q.csv", [_row(code, "甲有限公司"), _row(wrong, "乙有限公司")])
    _ingest(city, path, ["province"], JULY)
    with city() as session, session.begin():
        item = list_items(session, OPERATOR)[0]
        fix_item(session, OPERATOR, item["id"], "uscc", broken, source=_source())
        done = replay(session, OPERATOR, lambda _: _source(), item_ids=[item["id"]], outbox=outbox("province"))
        assert done["replayed"] == 1
    line = _lines(_run(city, workspace.root, target="province"))[("LZ-DJ", "dengji", "province")]
    assert (line["accepted"], line["quarantined"], line["versions"], line["replayed"]) == (1, 1, 1, 1)
    assert line["owed"] == line["versions"] + line["replayed"] == 2 and line["pending"] == 2


def test_the_cli_prints_json_and_writes_the_workbook(
    city: sessionmaker[Session], workspace: Workspace, state: State, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console, "width", 200)  # a wide terminal: the table's 14 columns unsqueezed
    runner = CliRunner()
    base = ["-w", str(workspace.root), "reconcile"]
    answer = runner.invoke(app, [*base, "--target", "city", "--period", "2021-07", "--json"])
    assert answer.exit_code == 0, answer.output
    data = json.loads(answer.output)
    assert data == _run(city, workspace.root, target="city", period="2021-07").as_dict()
    assert data["filters"] == {"target": "city", "source": None, "department": None, "period": "2021-07"}
    assert data["total"]["deliveries"] == {
        "owed": 4, "delivered": 2, "acknowledged": 1, "rejected": 1, "sent": 0, "pending": 2, "withheld": 0,
        "dead": 0, "unknown": 0, "superseded": 0,
    }  # fmt: skip
    table = runner.invoke(app, [*base, "--period", "2021-08"])
    assert table.exit_code == 0, table.output
    assert "Reconciliation 2021-08 (2021-08-01 – 2021-08-31)" in table.output
    lines = {line.split("│")[3].strip(): line for line in table.output.splitlines() if line.count("│") > 10}
    assert lines.keys() == {"city", "province", "archive", ""} and "LZ-CZ" in lines["archive"]
    bad = runner.invoke(app, [*base, "--period", "2021-13"])
    assert bad.exit_code == 1 and "Period `2021-13` is not a period" in bad.output
    unknown = runner.invoke(app, [*base, "--target", "nowhere"])
    assert unknown.exit_code == 1 and "Known targets: archive, city, province" in unknown.output
    listed = runner.invoke(app, [*base, "deliveries", "--target", "province", "--status", "rejected", "--json"])
    assert listed.exit_code == 0, listed.output
    assert [(d["name"], d["last_error"]) for d in json.loads(listed.output)] == [(REJECTED, REASON)]
    assert runner.invoke(app, [*base, "deliveries", "--status", "lost"]).exit_code == 1

    book = tmp_path / "对账-2021-07.xlsx"
    written = runner.invoke(app, [*base, "--period", "2021-07", "--xlsx", str(book)])
    assert written.exit_code == 0, written.output
    summary, deliveries = (_rows(load_workbook(book)[name]) for name in ("summary", "deliveries"))
    header = summary[0]
    assert header[:6] == [
        "部门 department",
        "部门名称 department_name",
        "数据源 source",
        "交付目标 target",
        "批次 batches",
        "产生 produced",
    ]
    by_target = {row[3]: dict(zip(header, row, strict=True)) for row in summary[1:3]}
    assert by_target["city"]["应交付 owed"] == 4 and by_target["city"]["待发送 pending"] == 2
    assert by_target["province"]["已确认 acknowledged"] == 3 and by_target["province"]["被拒收 rejected"] == 1
    assert by_target["province"]["产生 produced"] == 6 and by_target["province"]["隔离 quarantined"] == 1
    total = dict(zip(header, summary[3], strict=True))
    assert total["部门 department"] == "合计 total" and total["应交付 owed"] == 8 and total["产生 produced"] == 6
    assert ["期间 period", "2021-07"] in [row[:2] for row in summary]
    assert len(deliveries) == 1 + 8  # header and every delivery owed in July
    columns = deliveries[0]
    rows = [dict(zip(columns, row, strict=True)) for row in deliveries[1:]]
    assert sorted(r["状态 status"] for r in rows if r["交付目标 target"] == "city") == [
        "已确认",
        "待发送",
        "待发送",
        "被拒收",
    ]  # the states in words
    formula = [r for r in rows if r["名称 name"] == FORMULA]
    assert len(formula) == 2 and all(r["行号 row"] == 5 and r["文件 file"] == "july.csv" for r in formula)
    cells = [c for row in load_workbook(book)["deliveries"].iter_rows() for c in row if c.value == FORMULA]
    assert cells and all(c.data_type == "s" for c in cells)  # a name that looks like a formula stays text
    again = runner.invoke(app, [*base, "--xlsx", str(tmp_path / "x.csv")])
    assert again.exit_code == 2


def _rows(sheet: Any) -> list[list[Any]]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]
