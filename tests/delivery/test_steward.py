"""A steward's hand on deliveries: dead letters and rejections sent again, records resent by key or by period (the
platform lost them, or the target is new), all within the steward's departments; proofs of a delivery's outcome."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.conftest import OPERATOR, outbox
from tests.delivery.platform import Platform, platform
from tests.ingest.test_pipeline import _actor, _codes, _row, _source, _write
from zhizhi import ledger
from zhizhi.cli.main import app
from zhizhi.config import Workspace
from zhizhi.delivery.period import parse_period
from zhizhi.delivery.send import send_once
from zhizhi.delivery.steward import resend, retry
from zhizhi.delivery.targets import TargetConfig
from zhizhi.errors import InputError
from zhizhi.ingest.pipeline import ingest_file
from zhizhi.store.tables import Delivery
from zhizhi.store.types import utcnow


@pytest.fixture
def province() -> Iterator[Platform]:
    with platform() as running:
        yield running


def _target(url: str, name: str = "province") -> TargetConfig:
    return TargetConfig.model_validate(
        {
            "name": name,
            "owner": "LZ-XY",
            "record_types": ["entity"],
            "fields": {"TYSHXYDM": "uscc", "QYMC": "name"},
            "transport": {"kind": "http", "url": url, "timeout": 2},
            "max_attempts": 1,
        }
    )


def _ingest(city: sessionmaker[Session], folder: Path, names: list[str], targets: list[str]) -> list[str]:
    codes = _codes(len(names))
    path = _write(folder / "a.csv", [_row(code, name) for code, name in zip(codes, names, strict=True)])
    with city() as session, session.begin():
        ingest_file(session, OPERATOR, _source(), path, today=date(2026, 11, 28), outbox=outbox(*targets))
    return codes


def _states(city: sessionmaker[Session], target: str = "province") -> dict[str, str]:
    with city() as session:
        rows = session.execute(select(Delivery.idempotency_key, Delivery.status).where(Delivery.target == target))
        return {key: status for key, status in rows}


def test_dead_and_rejected_deliveries_are_sent_again(
    city: sessionmaker[Session], tmp_path: Path, province: Platform
) -> None:
    _ingest(city, tmp_path, ["甲有限公司", "乙有限公司"], ["province"])
    province.fail_next = [503]
    province.reject["乙有限公司"] = "名称含有禁用字词"
    assert send_once(city, _target(province.url)).states == {"dead": 2}  # one attempt allowed
    with city() as session, session.begin():
        outsider = _actor(session, "yufeng")  # a county office: not its records
        assert retry(session, outsider, _target(province.url)).queued == 0
        assert retry(session, _actor(session, "steward"), _target(province.url)).queued == 2
    assert send_once(city, _target(province.url)).states == {"acknowledged": 1, "rejected": 1}
    province.reject.clear()  # the platform has fixed its word list
    with city() as session, session.begin():
        assert retry(session, OPERATOR, _target(province.url)).queued == 0  # nothing dead
        assert retry(session, OPERATOR, _target(province.url), status="rejected").queued == 1
        with pytest.raises(InputError, match="not `acknowledged`"):
            retry(session, OPERATOR, _target(province.url), status="acknowledged")
    assert send_once(city, _target(province.url)).states == {"acknowledged": 1}
    assert set(_states(city).values()) == {"acknowledged"} and len(province.applied) == 2
    with city() as session:
        kinds = [e.kind for e in ledger.entries(session)]
    assert kinds.count("delivery.requeued") == 3


def test_records_are_resent_by_key_and_by_period(
    city: sessionmaker[Session], tmp_path: Path, province: Platform
) -> None:
    codes = _ingest(city, tmp_path, ["甲有限公司", "乙有限公司", "丙有限公司"], ["province"])
    send_once(city, _target(province.url))
    province.applied.clear()  # the platform lost everything
    with city() as session, session.begin():
        done = resend(session, OPERATOR, _target(province.url), record_keys=[codes[0]])
        assert (done.requeued, done.created) == (1, 0)
        with pytest.raises(InputError, match="`NOPE`"):
            resend(session, OPERATOR, _target(province.url), record_keys=["NOPE"])
        with pytest.raises(InputError, match="Name the records"):
            resend(session, OPERATOR, _target(province.url))
    assert send_once(city, _target(province.url)).states == {"acknowledged": 1}
    assert [r["TYSHXYDM"] for r in province.applied.values()] == [codes[0]]
    # A new target: nothing is owed to it until the steward resends the period.
    with city() as session, session.begin():
        empty = resend(session, OPERATOR, _target(province.url, "city"), period=parse_period("2020"))
        assert (empty.requeued, empty.created) == (0, 0)
        this_month = utcnow().strftime("%Y-%m")
        done = resend(session, OPERATOR, _target(province.url, "city"), period=parse_period(this_month))
        assert (done.requeued, done.created) == (0, 3)
    assert send_once(city, _target(province.url, "city")).states == {"acknowledged": 3}
    assert set(_states(city, "city").values()) == {"acknowledged"}
    assert province.arrivals[next(iter(_states(city, "city")))] == 1


def test_the_cli_retries_resends_and_proves_a_delivery(
    city: sessionmaker[Session], workspace: Workspace, tmp_path: Path, province: Platform
) -> None:
    (workspace.root / "targets" / "province.yaml").write_text(
        "name: province\nowner: LZ-XY\nrecord_types: [entity]\nfields:\n  TYSHXYDM: uscc\n  QYMC: name\n"
        f"transport:\n  kind: http\n  url: {province.url}\nmax_attempts: 1\n",
        encoding="utf-8",
    )
    codes = _ingest(city, tmp_path, ["甲有限公司"], ["province"])
    province.fail_next = [500]
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(app, ["-w", str(workspace.root), *args])
        assert result.exit_code == 0, result.output
        return result.output

    assert json.loads(run("targets", "send", "--json")) == {"province": {"dead": 1}}
    assert json.loads(run("targets", "retry", "province", "--json")) == {"requeued": 1, "superseded": 0}
    assert json.loads(run("targets", "send", "--json")) == {"province": {"acknowledged": 1}}
    resent = json.loads(run("targets", "resend", "province", "--record", codes[0], "--json"))
    assert resent == {"requeued": 1, "created": 0}
    with city() as session:  # pending again: the times of its last outcome go with it
        again = session.scalars(select(Delivery)).one()
        assert (again.status, again.sent_at, again.acknowledged_at) == ("pending", None, None)
    assert json.loads(run("targets", "send", "--json")) == {"province": {"acknowledged": 1}}
    assert province.arrivals.most_common(1)[0][1] == 2 and len(province.applied) == 1
    with city() as session:
        delivery_id = session.scalar(select(Delivery.id))
    proof = tmp_path / "proof.json"
    run("ledger", "proof", "--delivery", str(delivery_id), "-o", str(proof))
    entry = json.loads(proof.read_text(encoding="utf-8"))["entry"]
    assert entry["kind"] == "delivery.acknowledged" and entry["subject_id"] == str(delivery_id)
    assert json.loads(run("ledger", "verify-proof", str(proof), "--json"))["ok"] is True
    missing = runner.invoke(app, ["-w", str(workspace.root), "ledger", "proof", "--delivery", "999"])
    assert missing.exit_code == 1 and "no ledger entry" in missing.output


def test_a_platform_code_reaches_the_steward_in_words(
    city: sessionmaker[Session], tmp_path: Path, province: Platform
) -> None:
    _ingest(city, tmp_path, ["甲有限公司"], ["province"])
    province.reject["甲有限公司"] = "E1021"
    target = _target(province.url).model_copy(update={"reasons": {"E1021": "统一社会信用代码与名称不符"}})
    assert send_once(city, target).states == {"rejected": 1}
    with city() as session:
        assert session.scalar(select(Delivery.last_error)) == "统一社会信用代码与名称不符（E1021）"
    assert target.reason_in_words("E9") == "E9" and target.reason_in_words(None) is None


def test_a_wrong_setting_ends_in_dead_letters_with_its_reason(
    city: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ingest(city, tmp_path, ["甲有限公司"], ["province"])
    settings = _target("http://127.0.0.1:9/records").model_dump()
    settings["transport"] = {"kind": "http", "timeout": 2}  # no url: the file does not load at all
    with pytest.raises(ValueError, match="`transport.url`: Field required"):
        TargetConfig.model_validate(settings)
    # What only sending finds (an empty environment variable) is terminal: dead at once, with the reason.
    monkeypatch.setenv("PROVINCE_AUTH", "")
    settings["transport"] = {"kind": "http", "url": "http://127.0.0.1:9/records", "auth_header_env": "PROVINCE_AUTH"}
    assert send_once(city, TargetConfig.model_validate(settings)).states == {"dead": 1}
    with city() as session:
        # kept in Chinese, as every reason a steward reads
        assert "环境变量 `PROVINCE_AUTH` 为空" in (session.scalar(select(Delivery.last_error)) or "")


def test_a_period_of_many_records_is_resent_in_slices(city: sessionmaker[Session], tmp_path: Path) -> None:
    count = 6_500  # more than one slice of ids per statement
    _ingest(city, tmp_path, [f"企业{i}有限公司" for i in range(count)], ["province"])
    this_month = parse_period(utcnow().strftime("%Y-%m"))
    with city() as session, session.begin():
        created = resend(session, OPERATOR, _target("http://127.0.0.1:9/", "city"), period=this_month)
        again = resend(session, OPERATOR, _target("http://127.0.0.1:9/", "province"), period=this_month)
    assert (created.requeued, created.created) == (0, count) and (again.requeued, again.created) == (count, 0)
    with city() as session:
        kinds = [e.kind for e in ledger.entries(session)]
    assert kinds.count("delivery.requeued") == 2 * count
