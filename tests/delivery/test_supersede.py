"""A record's older version never reaches a platform after a newer one: a delivery released by a code decision, or
sent again by a steward (dead, unknown), after a newer version of its record reached the target is `superseded`,
never sent; one released while the newer one is still pending waits behind it and is then superseded too. The
figures add up with it, its drill-down lists it, and its ledger entry names the newer version and proves. On SQLite
and PostgreSQL, against a real HTTP platform."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.conftest import OPERATOR, outbox
from tests.delivery.platform import Platform, platform
from tests.ingest.test_pipeline import _codes, _row, _source, _write
from zhizhi import ledger
from zhizhi.cli.main import app
from zhizhi.config import Workspace
from zhizhi.delivery.detail import delivery_detail
from zhizhi.delivery.drilldown import list_deliveries
from zhizhi.delivery.figures import OUTCOME_FIGURES, ReconcileFilter
from zhizhi.delivery.holds import decide_code
from zhizhi.delivery.outbox import STATUS_WORDS, delivery_counts
from zhizhi.delivery.reconcile import reconcile
from zhizhi.delivery.reconcile_export import write_reconciliation_xlsx
from zhizhi.delivery.send import send_once
from zhizhi.delivery.steward import retry
from zhizhi.delivery.targets import TargetConfig
from zhizhi.demo import install_demo_codes
from zhizhi.ingest.pipeline import ingest_file
from zhizhi.store.tables import AuditEvent, CodeReviewItem, Delivery
from zhizhi.store.types import utcnow

TODAY = date(2026, 11, 28)
SPLIT, FINE = "6291", "5221"  # a class the province's 8-digit list splits (withheld); one it keeps


@pytest.fixture
def province() -> Iterator[Platform]:
    with platform() as running:
        yield running


def _target(url: str, **options: object) -> TargetConfig:
    return TargetConfig.model_validate(
        {
            "name": "province",
            "owner": "LZ-XY",
            "record_types": ["entity"],
            "fields": {
                "TYSHXYDM": "uscc",
                "QYMC": "name",
                "HYDM": {"field": "industry_code", "code_list": "guangxi-industry-8"},
            },
            "transport": {"kind": "http", "url": url, "timeout": 2},
            "retry_seconds": 1,
        }
        | options
    )


def _version(city: sessionmaker[Session], tmp_path: Path, file: str, code: str, name: str, industry: str) -> None:
    """One version of the record `code`: ingested, owed to the province."""
    with city() as session, session.begin():
        path = _write(tmp_path / file, [_row(code, name, 行业代码=industry)])
        ingest_file(session, OPERATOR, _source(), path, today=TODAY, outbox=outbox("province"))


def _send(city: sessionmaker[Session], target: TargetConfig, after: timedelta = timedelta()) -> Counter[str]:
    """Batches until nothing is due (at `after` from now); the deliveries by the state they reached."""
    states: Counter[str] = Counter()
    while (report := send_once(city, target, now=utcnow() + after)).claimed:
        states.update(report.states)
    return states


def _deliveries(city: sessionmaker[Session]) -> list[Delivery]:
    with city() as session:
        return list(session.scalars(select(Delivery).order_by(Delivery.id)))


def _decide_split(city: sessionmaker[Session]) -> int:
    """The steward decides the split code (its first candidate); returns how many deliveries went back to pending."""
    with city() as session, session.begin():
        item = session.scalars(select(CodeReviewItem).where(CodeReviewItem.from_code == SPLIT)).one()
        chosen = json.loads(item.candidates)[0]
        return decide_code(session, OPERATOR, item.id, to_code=chosen, reason="省平台确认").released.queued


@pytest.fixture
def withheld_then_newer(city: sessionmaker[Session], tmp_path: Path, province: Platform) -> tuple[str, str]:
    """Version 1 withheld (its code waits for a decision); version 2 (a code the province takes) owed after it.
    Returns the two deliveries' idempotency keys."""
    (code,) = _codes(1)
    with city() as session, session.begin():
        install_demo_codes(session, OPERATOR, tmp_path)
    _version(city, tmp_path, "a.csv", code, "甲有限公司", SPLIT)
    assert _send(city, _target(province.url)) == {"withheld": 1}
    _version(city, tmp_path, "b.csv", code, "甲有限公司", FINE)
    first, second = _deliveries(city)
    return first.idempotency_key, second.idempotency_key


def test_a_withheld_version_released_after_a_newer_one_arrived_is_superseded_never_sent(
    city: sessionmaker[Session], workspace: Workspace, province: Platform, withheld_then_newer: tuple[str, str]
) -> None:
    old, new = withheld_then_newer
    assert _send(city, _target(province.url)) == {"acknowledged": 1}  # version 2 reached the platform
    with city() as session, session.begin():
        item = session.scalars(select(CodeReviewItem).where(CodeReviewItem.from_code == SPLIT)).one()
        chosen = json.loads(item.candidates)[0]
        done = decide_code(session, OPERATOR, item.id, to_code=chosen, reason="省平台确认")
    assert done.as_dict() | {"released": 0, "superseded": 1} == done.as_dict()  # said back, not only audited
    assert _send(city, _target(province.url)) == {}
    assert old not in province.arrivals and list(province.applied) == [new]
    first, second = _deliveries(city)
    assert (first.status, first.held, first.next_attempt_at) == ("superseded", False, None)
    assert "第 2 版" in (first.last_error or "") and f"delivery {second.id}" in (first.last_error or "")
    with city() as session:
        entries = [e for e in ledger.entries(session) if e.kind == "delivery.superseded"]
        events = {e.action: json.loads(e.detail) for e in session.scalars(select(AuditEvent))}
        shown = delivery_detail(session, OPERATOR, first.id)
    assert [e.subject_id for e in entries] == [str(first.id)]
    newer = json.loads(entries[0].payload)["newer"]
    assert newer == {
        "delivery_id": second.id,
        "record_version_id": second.record_version_id,
        "version": 2,
        "status": "acknowledged",
    }
    assert events["delivery.release"]["released"] == 0 and events["delivery.release"]["superseded"] == 1
    assert shown["status"] == "superseded" and shown["ledger"][-1]["kind"] == "delivery.superseded"
    _prove(workspace, first.id, "delivery.superseded")


def test_a_release_while_the_newer_version_is_pending_waits_for_it_and_is_then_superseded(
    city: sessionmaker[Session], province: Platform, withheld_then_newer: tuple[str, str]
) -> None:
    old, new = withheld_then_newer
    province.fail_next = [503]
    assert _send(city, _target(province.url)) == {"retry": 1}  # version 2 waits out its backoff
    assert _decide_split(city) == 1  # the in-order rule: version 1 is held behind the pending version 2
    assert [(d.status, d.held) for d in _deliveries(city)] == [("pending", True), ("pending", False)]
    assert _send(city, _target(province.url), after=timedelta(minutes=5)) == {"acknowledged": 1, "superseded": 1}
    assert old not in province.arrivals and list(province.applied) == [new]
    assert [d.status for d in _deliveries(city)] == ["superseded", "acknowledged"]


def test_at_the_claim_an_older_version_waits_while_a_newer_one_is_pending_not_held(
    city: sessionmaker[Session], province: Platform, withheld_then_newer: tuple[str, str]
) -> None:
    old, new = withheld_then_newer
    province.fail_next = [503]
    assert _send(city, _target(province.url)) == {"retry": 1}
    _decide_split(city)
    with city() as session, session.begin():  # both due at once, as after a worker's death or a manual fix
        session.execute(update(Delivery).values(held=False))
    assert _send(city, _target(province.url)) == {"waiting": 1}  # version 2 is still in its backoff
    assert _send(city, _target(province.url), after=timedelta(minutes=5)) == {"acknowledged": 1, "waiting": 1}
    assert _send(city, _target(province.url), after=timedelta(minutes=10)) == {"superseded": 1}
    assert old not in province.arrivals and list(province.applied) == [new]


def test_a_release_after_the_newer_version_died_sends_the_older_one(
    city: sessionmaker[Session], province: Platform, withheld_then_newer: tuple[str, str]
) -> None:
    old, _ = withheld_then_newer
    province.fail_next = [503]
    assert _send(city, _target(province.url, max_attempts=1)) == {"dead": 1}  # version 2 never arrived
    assert _decide_split(city) == 1
    assert _send(city, _target(province.url)) == {"acknowledged": 1}  # nothing newer is there: version 1 goes
    assert list(province.applied) == [old]
    assert [d.status for d in _deliveries(city)] == ["acknowledged", "dead"]


@pytest.mark.parametrize("state", ["dead", "unknown"])
def test_a_steward_retry_of_an_older_version_after_a_newer_one_arrived_supersedes_it(
    city: sessionmaker[Session], tmp_path: Path, province: Platform, state: str
) -> None:
    (code,) = _codes(1)
    with city() as session, session.begin():
        install_demo_codes(session, OPERATOR, tmp_path)
    _version(city, tmp_path, "a.csv", code, "甲有限公司", FINE)
    _version(city, tmp_path, "b.csv", code, "甲有限公司", "5222")  # version 2, held behind version 1
    old, new = (d.idempotency_key for d in _deliveries(city))
    if state == "dead":
        province.fail_next = [503]
        giving_up = _target(province.url, max_attempts=1)
    else:  # the request arrives, its answer comes too late: it may have arrived
        province.delay = 1.0
        quick = {"kind": "http", "url": province.url, "timeout": 0.3}
        giving_up = _target(province.url, max_attempts=1, transport=quick)
    assert send_once(city, giving_up).states == {state: 1}
    _wait_for(province, old, 1 if state == "unknown" else 0)
    province.delay = 0
    assert _send(city, _target(province.url)) == {"acknowledged": 1}  # version 2, released by version 1's end
    arrived = province.arrivals[old]
    with city() as session, session.begin():
        assert retry(session, OPERATOR, _target(province.url), status=state).as_dict() == {
            "released": 0,
            "superseded": 1,  # said back to the steward, not only audited
        }
    assert _send(city, _target(province.url)) == {}
    assert province.arrivals[old] == arrived and province.applied[new]["HYDM"].startswith("5222")
    first, second = _deliveries(city)
    assert (first.status, second.status) == ("superseded", "acknowledged")
    with city() as session:
        (entry,) = [e for e in ledger.entries(session) if e.kind == "delivery.superseded"]
    payload = json.loads(entry.payload)
    assert (payload["was"], payload["why"], payload["newer"]["version"]) == (state, f"retry {state}", 2)


def test_the_figures_add_up_with_superseded_deliveries(
    city: sessionmaker[Session], tmp_path: Path, province: Platform, withheld_then_newer: tuple[str, str]
) -> None:
    assert _send(city, _target(province.url)) == {"acknowledged": 1}
    _decide_split(city)
    with city() as session:
        counts = delivery_counts(session, OPERATOR)["province"]
        result = reconcile(session, OPERATOR, ReconcileFilter(target="province"))
        listed = list_deliveries(session, OPERATOR, ReconcileFilter(target="province"), status="superseded")
    figures = result.deliveries
    assert (counts["superseded"], counts["acknowledged"]) == (1, 1)
    assert (figures.owed, figures.delivered, figures.superseded, figures.pending) == (2, 1, 1, 0)
    shown = figures.as_dict()
    assert list(shown) == list(OUTCOME_FIGURES)
    assert shown["owed"] == sum(shown[k] for k in ("delivered", "pending", "withheld", "dead", "unknown", "superseded"))
    assert [d["status"] for d in listed] == ["superseded"] and listed[0]["version"] == 1
    assert result.as_dict()["total"]["deliveries"]["superseded"] == 1
    workbook = tmp_path / "reconcile.xlsx"
    write_reconciliation_xlsx(result, listed, workbook)
    from openpyxl import load_workbook

    sheets = load_workbook(workbook, read_only=True)
    header, *rows = list(sheets["summary"].iter_rows(values_only=True))
    column = header.index("已被新版本取代 superseded")
    assert rows[-6][column] == 1  # the total row, before the filters
    (status,) = [row[2] for row in list(sheets["deliveries"].iter_rows(values_only=True))[1:]]
    assert status == STATUS_WORDS["superseded"][0] == "已被新版本取代"


def _wait_for(province: Platform, key: str, arrivals: int) -> None:
    """Until the platform has applied `key` `arrivals` times (a late request finishes after its sender gave up)."""
    deadline = time.monotonic() + 5
    while province.arrivals[key] < arrivals and time.monotonic() < deadline:
        time.sleep(0.05)
    assert province.arrivals[key] == arrivals


def _prove(workspace: Workspace, delivery_id: int, kind: str) -> None:
    """The delivery's latest ledger entry, exported as a proof, is `kind` and checks."""
    runner = CliRunner()
    proof = workspace.root / "proof.json"
    asked = ["-w", str(workspace.root), "ledger", "proof", "--delivery", str(delivery_id), "-o", str(proof)]
    made = runner.invoke(app, asked)
    assert made.exit_code == 0, made.output
    assert json.loads(proof.read_text(encoding="utf-8"))["entry"]["kind"] == kind
    checked = runner.invoke(app, ["-w", str(workspace.root), "ledger", "verify-proof", str(proof), "--json"])
    assert checked.exit_code == 0 and json.loads(checked.output)["ok"] is True
