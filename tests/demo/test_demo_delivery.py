"""The demo delivers: `zhizhi demo` starts the province's platform, ingests, sends everything due to both platforms,
and what each platform holds agrees with the outbox, figure by figure (已送达 is what reached the platform; what
zhizhi withheld for a code decision is counted apart); deciding those codes sends what they held; a second run
changes nothing; sending later with the province gone only retries."""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.conftest import OPERATOR
from zhizhi.cli.main import app
from zhizhi.dashboard.deliveries import funnels
from zhizhi.delivery import load_target, load_targets
from zhizhi.delivery.figures import ReconcileFilter
from zhizhi.delivery.outbox import delivery_counts
from zhizhi.delivery.reconcile import reconcile
from zhizhi.delivery.steward import retry
from zhizhi.delivery.worker import Worker
from zhizhi.demo.delivery import SHARE_TABLE, province_store, send_due, share_store, write_demo_targets
from zhizhi.demo.draws import PLATFORMS
from zhizhi.demo.province import REASONS, ProvincePlatform, refusal
from zhizhi.store import make_engine, make_sessionmaker
from zhizhi.store.tables import CodeReviewItem, Delivery

pytestmark = pytest.mark.sqlite


@dataclass
class Demo:
    """A demo workspace after `zhizhi demo --no-serve`, its store, and what the command printed."""

    root: Path
    sessions: sessionmaker[Session]
    output: str

    def counts(self) -> dict[str, dict[str, int]]:
        with self.sessions() as session:
            return delivery_counts(session, OPERATOR)

    def reasons(self, target: str) -> Counter[str | None]:
        with self.sessions() as session:
            query = select(Delivery.last_error).where(Delivery.target == target, Delivery.status == "rejected")
            return Counter(session.scalars(query))


def _run_demo(root: Path) -> str:
    result = CliRunner().invoke(app, ["demo", str(root), "--no-serve"])
    assert result.exit_code == 0, result.output
    return result.output


def _province_counts(root: Path) -> tuple[int, dict[str, int]]:
    with sqlite3.connect(province_store(root)) as db:
        accepted = db.execute("SELECT count(DISTINCT idempotency_key) FROM received_entities").fetchone()[0]
        refused = dict(db.execute("SELECT code, count(*) FROM refused_entities GROUP BY code"))
    db.close()
    return int(accepted), refused


def _share_rows(root: Path) -> int:
    with sqlite3.connect(share_store(root)) as db:
        rows = db.execute(f"SELECT count(*) FROM {SHARE_TABLE}").fetchone()[0]
    db.close()
    return int(rows)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    root = tmp_path_factory.mktemp("demo") / "city"
    output = _run_demo(root)
    engine = make_engine(f"sqlite:///{root / 'data' / 'zhizhi.db'}")
    yield Demo(root, make_sessionmaker(engine), output)
    engine.dispose()


def test_everything_due_is_settled_at_both_platforms(demo: Demo) -> None:
    counts = demo.counts()
    # 12315 and 12345 take the hotline desk's answers; each inspecting department's platform its inspection records
    inspecting = {f"inspections-{code.lower()}" for code in PLATFORMS}
    assert {"province", "city", "12315", "12345"} <= set(counts) <= {"province", "city", "12315", "12345"} | inspecting
    assert len(set(counts) & inspecting) >= 2  # the joint visit's results went to two departments' platforms
    for name, figures in counts.items():
        if name in ("12315", "12345") or name in inspecting:
            assert figures["acknowledged"] == sum(figures.values()) > 0, name
            continue
        assert figures["pending"] == figures["sent"] == figures["dead"] == 0, name
        assert figures["acknowledged"] > 2_000, name
    owed = {name: sum(figures.values()) for name, figures in counts.items()}
    assert owed["province"] == owed["city"] == 2_925  # every entity of the registration export, once each
    assert f"province (广西市场监管一体化平台): 2,925 owed · {counts['province']['acknowledged']:,} acknowledged" in (
        demo.output.replace("\n", " ")
    )
    status = CliRunner().invoke(app, ["-w", str(demo.root), "status", "--json"])
    assert status.exit_code == 0, status.output
    funnels = {f["target"]: f for f in json.loads(status.output)["data"]["deliveries"]}
    assert funnels["province"]["title"] == "广西市场监管一体化平台"
    assert {k: funnels["province"][k] for k in counts["province"]} == counts["province"]
    province = counts["province"]
    assert funnels["province"]["delivered"] == 2_925 - province["pending"] - province["withheld"]


def test_every_funnel_figure_is_what_the_province_received(demo: Demo) -> None:
    received = ProvincePlatform(province_store(demo.root)).counts()  # what the platform's own file holds
    with demo.sessions() as session:
        funnel = {f["target"]: f for f in funnels(session, OPERATOR, demo.root)}["province"]
        totals = reconcile(session, OPERATOR, ReconcileFilter(target="province"), targets=load_targets(demo.root))
    assert funnel["acknowledged"] == received["accepted"] > 2_000
    assert funnel["rejected"] == received["rejected"] > 0  # refused by the platform, and only those
    assert funnel["delivered"] == received["accepted"] + received["rejected"]  # 已送达: reached the platform
    assert funnel["sent"] == funnel["pending"] == funnel["dead"] == funnel["unknown"] == 0
    # What zhizhi held back never left: counted apart, each naming the review item that releases it.
    assert funnel["withheld"] == funnel["owed"] - funnel["delivered"] > 0
    beside = ("target", "title", "retrying", "retry_error", "retry_error_at")  # the rest are reconciliation's figures
    assert totals.deliveries.as_dict() == {k: v for k, v in funnel.items() if k not in beside}
    assert (funnel["retrying"], funnel["retry_error"]) == (0, None)  # nothing failed and waits to be tried again
    reasons = demo.reasons("province")
    assert received["rejected_by_code"] == {code: reasons[f"{words}（{code}）"] for code, words in REASONS.items()}
    assert all(count > 0 for count in received["rejected_by_code"].values())
    assert 0.02 <= received["rejected"] / funnel["delivered"] <= 0.05
    with demo.sessions() as session:
        held = session.execute(
            select(Delivery.review_item_id, Delivery.last_error).where(Delivery.status == "withheld")
        ).all()
    assert len(held) == funnel["withheld"] and all(item is not None for item, _ in held)
    assert all("在「广西市场监管平台行业代码」中" in (reason or "") for _, reason in held)


def test_the_city_table_has_a_row_per_acknowledged_delivery(demo: Demo) -> None:
    assert _share_rows(demo.root) == demo.counts()["city"]["acknowledged"] == 2_925
    with sqlite3.connect(share_store(demo.root)) as db:
        row = db.execute(f"SELECT TYSHXYDM, QYMC, HYDM, zhizhi_key FROM {SHARE_TABLE} ORDER BY TYSHXYDM").fetchone()
    db.close()
    assert len(row[0]) == 18 and row[1] and len(row[3]) == 22  # the delivery's random idempotency key
    assert row[2] is None or len(row[2]) == 4  # the national class, as the hub keeps it


def test_the_province_refuses_for_its_own_reasons() -> None:
    fine = {"TYSHXYDM": "91450200MA5K3E3T1X", "QYMC": "柳州市螺蛳粉食品有限公司", "CLRQ": "2019-03-08"}
    assert refusal(fine | {"HYDM": "62910100"}) is None
    assert refusal(fine | {"QYMC": "柳州市城中区阿芳粉店（个体）"}) == "E1021"
    assert refusal(fine | {"CLRQ": "2026-07-01"}) == "E2003"
    assert refusal(fine | {"CLRQ": "2026-07-01", "LXDH": "0772-2812345"}) is None
    assert refusal(fine | {"HYDM": "61290100"}) == "E3008"


def test_the_province_keeps_each_key_once_and_answers_in_the_protocol(tmp_path: Path) -> None:
    platform = ProvincePlatform(tmp_path / "province.db").start()
    try:
        record = {"TYSHXYDM": "91450200MA5K3E3T1X", "QYMC": "柳州市螺蛳粉食品有限公司", "CLRQ": "2019-03-08"}
        late = record | {"CLRQ": "2026-08-01"}
        body = {"target": "province", "records": [{"idempotency_key": "1-province", "record": record}]}
        body["records"].append({"idempotency_key": "2-province", "record": late})
        for _ in range(2):
            answer = httpx.post(platform.url, json=body, timeout=5)
            assert answer.status_code == 200
            assert answer.json()["results"] == [
                {"idempotency_key": "1-province", "status": "accepted"},
                {"idempotency_key": "2-province", "status": "rejected", "reason": "E2003"},
            ]
        counts = httpx.get(platform.url.replace("/api/entities", "/api/counts"), timeout=5).json()
        assert counts == {"accepted": 1, "rejected": 1, "rejected_by_code": {"E2003": 1}}
        assert httpx.post(platform.url, json={"records": "no"}, timeout=5).status_code == 400
        assert httpx.post(platform.url.replace("entities", "other"), json=body, timeout=5).status_code == 404
    finally:
        platform.stop()
    assert ProvincePlatform(tmp_path / "province.db").counts()["accepted"] == 1  # kept in its file
    with pytest.raises(httpx.ConnectError):
        httpx.get(platform.url, timeout=5)


def test_running_the_demo_again_changes_nothing(demo: Demo) -> None:
    before = (demo.counts(), _province_counts(demo.root), _share_rows(demo.root))
    url = load_target(demo.root, "province").transport.settings["url"]
    with pytest.raises(httpx.ConnectError):  # --no-serve stopped the province's platform
        httpx.post(url, json={"records": []}, timeout=5)

    output = _run_demo(demo.root)

    assert "Reusing the demo city" in output
    assert (demo.counts(), _province_counts(demo.root), _share_rows(demo.root)) == before
    again = load_target(demo.root, "province").transport.settings["url"]
    assert again.startswith("http://127.0.0.1:") and again.endswith("/api/entities")
    assert load_target(demo.root, "city").transport.settings["url"] == f"sqlite:///{share_store(demo.root)}"


def test_sending_later_without_the_province_only_retries(demo: Demo, tmp_path: Path) -> None:
    """As `zhizhi serve` on the demo workspace does: its worker finds the province gone and tries again later."""
    root = tmp_path / "copy"
    shutil.copytree(demo.root, root)
    engine = make_engine(f"sqlite:///{root / 'data' / 'zhizhi.db'}")
    sessions = make_sessionmaker(engine)
    target = load_target(root, "province")
    with sessions() as session, session.begin():
        refused = Delivery.last_error == f"{REASONS['E2003']}（E2003）"  # by the province, not before sending
        first = session.scalar(select(func.min(Delivery.id)).where(Delivery.status == "rejected", refused))
        assert first is not None
        assert retry(session, OPERATOR, target, ids=[first], status="rejected").queued == 1
    worker = Worker(sessions, root, poll_seconds=0.05, names=["province"])
    thread = worker.start()
    try:
        deadline = time.monotonic() + 20
        while True:
            with sessions() as session:
                delivery = session.get(Delivery, first)
                assert delivery is not None
                if delivery.attempts >= 1 and delivery.last_error and "ConnectError" in delivery.last_error:
                    break
            assert time.monotonic() < deadline, "the worker did not try the province"
            time.sleep(0.1)
    finally:
        worker.stop.set()
        thread.join(timeout=20)
    engine.dispose()
    assert not thread.is_alive()
    assert delivery.status == "pending" and delivery.next_attempt_at is not None  # tried again after a backoff


def test_deciding_the_codes_the_province_waits_for_sends_what_they_held(demo: Demo, tmp_path: Path) -> None:
    """A steward decides each review item the province's withheld deliveries name (`zhizhi codes review decide`,
    which says how many it releases); the worker's next rounds send them, and none is withheld any more."""
    root = tmp_path / "copy"
    shutil.copytree(demo.root, root)
    engine = make_engine(f"sqlite:///{root / 'data' / 'zhizhi.db'}")
    sessions = make_sessionmaker(engine)
    province = ProvincePlatform(province_store(root)).start()
    write_demo_targets(root, province.url)  # the platform listens on a new port
    try:
        with sessions() as session:
            withheld = Counter(
                session.scalars(
                    select(Delivery.review_item_id).where(Delivery.target == "province", Delivery.status == "withheld")
                )
            )
            chosen = select(CodeReviewItem).where(CodeReviewItem.id.in_(withheld))
            candidates = {i.id: json.loads(i.candidates)[0] for i in session.scalars(chosen)}
        runner = CliRunner()
        for item_id, count in withheld.items():
            decide = ["-w", str(root), "codes", "review", "decide", str(item_id), "--to-code", candidates[item_id]]
            result = runner.invoke(app, [*decide, "--reason", "省平台确认按首个细类报送"])
            assert result.exit_code == 0, result.output
            assert f"{count} deliveries are queued" in result.output
        send_due(sessions, root)  # what the worker of `zhizhi serve` does next; no other command
        with sessions() as session:
            figures = delivery_counts(session, OPERATOR)["province"]
        received = province.counts()
    finally:
        province.stop()
        engine.dispose()
    assert figures["withheld"] == figures["pending"] == 0
    assert figures["acknowledged"] + figures["rejected"] == 2_925 == received["accepted"] + received["rejected"]
