"""Sending to a real HTTP receiver on 127.0.0.1: acknowledged, rejected with the platform's reason, received for a
later receipt; 500s and a receiver that is down tried again with backoff, in order, until acknowledged or dead;
each record version received once; every outcome in the ledger."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR, outbox
from tests.ingest.test_pipeline import _codes, _row, _source, _write
from zhizhi import ledger
from zhizhi.config import Workspace
from zhizhi.delivery.outcomes import backoff
from zhizhi.delivery.receipts import apply_receipts
from zhizhi.delivery.send import send_once
from zhizhi.delivery.targets import TargetConfig
from zhizhi.delivery.transports import Outcome
from zhizhi.ingest.pipeline import ingest_file
from zhizhi.store.tables import Delivery, LedgerEntry
from zhizhi.store.types import utcnow


@dataclass
class Receiver:
    """A platform that answers as told: status per record name, or a whole-batch HTTP status."""

    url: str = ""
    fail_next: list[int] = field(default_factory=list)  # HTTP statuses to answer the next requests with
    fail_headers: dict[str, str] = field(default_factory=dict)  # headers of those answers (Retry-After)
    fail_body: bytes = b"busy"  # the body of those answers
    reject: dict[str, str] = field(default_factory=dict)  # record name -> reason
    later: set[str] = field(default_factory=set)  # record names acknowledged later
    seen: list[str] = field(default_factory=list)  # idempotency keys, in the order received and accepted
    bodies: list[dict[str, Any]] = field(default_factory=list)  # every request's body
    slow: float = 0.0  # seconds to wait before answering


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.bodies.append(body)
            if state.slow:
                time.sleep(state.slow)
            if state.fail_next:
                status = state.fail_next.pop(0)
                self.send_response(status)
                for name, value in state.fail_headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(state.fail_body)
                return
            results = []
            for item in body["records"]:
                name = item["record"]["QYMC"]
                if name in state.reject:
                    results.append(
                        {"idempotency_key": item["idempotency_key"], "status": "rejected", "reason": state.reject[name]}
                    )
                    continue
                if item["idempotency_key"] not in state.seen:
                    state.seen.append(item["idempotency_key"])
                status = "received" if name in state.later else "accepted"
                results.append({"idempotency_key": item["idempotency_key"], "status": status})
            data = json.dumps({"results": results}, ensure_ascii=False).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/records"
    yield state
    server.shutdown()
    server.server_close()


def _target(url: str, **transport: Any) -> TargetConfig:
    return TargetConfig.model_validate(
        {
            "name": "province",
            "owner": "LZ-XY",
            "record_types": ["entity"],
            "fields": {"TYSHXYDM": "uscc", "QYMC": "name"},
            "transport": {"kind": "http", "url": url, "timeout": 2, **transport},
            "max_attempts": 3,
        }
    )


def _ingest(city: sessionmaker[Session], tmp_path: Path, names: list[str], file: str = "a.csv") -> list[str]:
    codes = _codes(len(names))
    path = _write(tmp_path / file, [_row(code, name) for code, name in zip(codes, names, strict=True)])
    with city() as session, session.begin():
        ingest_file(session, OPERATOR, _source(), path, today=date(2026, 11, 28), outbox=outbox("province"), force=True)
    return codes


def _states(city: sessionmaker[Session]) -> dict[str, int]:
    with city() as session:
        found: dict[str, int] = {}
        for status in session.scalars(select(Delivery.status)):
            found[status] = found.get(status, 0) + 1
        return found


def _send(city: sessionmaker[Session], target: TargetConfig, after: timedelta = timedelta()) -> dict[str, int]:
    return send_once(city, target, now=utcnow() + after).states


def test_answers_move_each_delivery_to_its_state(
    city: sessionmaker[Session], tmp_path: Path, receiver: Receiver
) -> None:
    receiver.reject["乙有限公司"] = "统一社会信用代码与名称不符"
    receiver.later.add("丙有限公司")
    _ingest(city, tmp_path, ["甲有限公司", "乙有限公司", "丙有限公司"])
    assert _send(city, _target(receiver.url)) == {"acknowledged": 1, "rejected": 1, "sent": 1}
    with city() as session:
        rejected = session.scalar(select(Delivery).where(Delivery.status == "rejected"))
        assert rejected is not None and rejected.last_error == "统一社会信用代码与名称不符"
        kinds = [e.kind for e in ledger.entries(session)]
    assert kinds.count("delivery.acknowledged") == 1 and kinds.count("delivery.rejected") == 1
    assert _send(city, _target(receiver.url)) == {}  # nothing pending: nothing sent twice


def test_failures_are_tried_again_with_backoff_until_acknowledged(
    city: sessionmaker[Session], tmp_path: Path, receiver: Receiver
) -> None:
    _ingest(city, tmp_path, ["甲有限公司", "乙有限公司"])
    receiver.fail_next = [500]
    assert _send(city, _target(receiver.url)) == {"retry": 2}
    assert _send(city, _target(receiver.url)) == {}  # not due yet
    assert _send(city, _target(receiver.url), after=timedelta(minutes=5)) == {"acknowledged": 2}
    assert len(receiver.seen) == 2 and _states(city) == {"acknowledged": 2}


def test_a_receiver_that_stays_down_ends_in_dead_letters(city: sessionmaker[Session], tmp_path: Path) -> None:
    _ingest(city, tmp_path, ["甲有限公司"])
    down = _target("http://127.0.0.1:9/records")  # nothing listens there
    assert _send(city, down) == {"retry": 1}
    assert _send(city, down, after=timedelta(hours=2)) == {"retry": 1}
    assert _send(city, down, after=timedelta(hours=4)) == {"dead": 1}
    with city() as session:
        dead = session.scalar(select(Delivery))
        assert dead is not None and dead.attempts == 3 and "ConnectError" in (dead.last_error or "")


def test_a_records_later_version_waits_for_its_earlier_one(
    city: sessionmaker[Session], tmp_path: Path, receiver: Receiver
) -> None:
    codes = _codes(1)
    path = _write(tmp_path / "v1.csv", [_row(codes[0], "甲有限公司")])
    with city() as session, session.begin():
        ingest_file(session, OPERATOR, _source(), path, today=date(2026, 11, 28), outbox=outbox("province"))
    receiver.fail_next = [503]
    assert _send(city, _target(receiver.url, batch_size=1)) == {"retry": 1}
    path = _write(tmp_path / "v2.csv", [_row(codes[0], "甲有限公司", 住所="柳州市鱼峰区驾鹤路9号")])
    with city() as session, session.begin():
        ingest_file(session, OPERATOR, _source(), path, today=date(2026, 11, 28), outbox=outbox("province"))
    # The new version is pending and due, but its record's earlier delivery waits: nothing overtakes it.
    assert _send(city, _target(receiver.url, batch_size=1), after=timedelta(seconds=1)) == {}
    assert _send(city, _target(receiver.url, batch_size=1), after=timedelta(minutes=5)) == {"acknowledged": 1}
    assert _send(city, _target(receiver.url, batch_size=1), after=timedelta(minutes=5)) == {"acknowledged": 1}
    with city() as session:
        keys = [d.idempotency_key for d in session.scalars(select(Delivery).order_by(Delivery.id))]
    assert receiver.seen == keys


def test_backoff_doubles_with_jitter_up_to_an_hour() -> None:
    import random

    rng = random.Random(1)
    waits = [backoff(n, rng).total_seconds() for n in (1, 2, 3, 12)]
    assert 5 <= waits[0] <= 6.25 and 10 <= waits[1] <= 12.5 and 20 <= waits[2] <= 25 and 3600 <= waits[3] <= 4500


def test_the_cli_sends_what_is_due(
    city: sessionmaker[Session], workspace: Workspace, tmp_path: Path, receiver: Receiver
) -> None:
    from typer.testing import CliRunner

    from zhizhi.cli.main import app

    (workspace.root / "targets" / "province.yaml").write_text(
        "name: province\nowner: LZ-XY\nrecord_types: [entity]\nfields:\n  TYSHXYDM: uscc\n  QYMC: name\n"
        f"transport:\n  kind: http\n  url: {receiver.url}\n  batch_size: 2\n",
        encoding="utf-8",
    )
    receiver.reject["丙有限公司"] = "重复报送"
    _ingest(city, tmp_path, ["甲有限公司", "乙有限公司", "丙有限公司"])
    result = CliRunner().invoke(app, ["-w", str(workspace.root), "targets", "send", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"province": {"acknowledged": 2, "rejected": 1}}
    listed = CliRunner().invoke(app, ["-w", str(workspace.root), "targets", "list", "--json"])
    assert json.loads(listed.output)[0]["deliveries"]["acknowledged"] == 2
    # The file removed while deliveries are owed: they are listed still, under the file's name, not dropped unseen.
    _ingest(city, tmp_path, ["丁有限公司"], file="b.csv")
    give_up = ["-w", str(workspace.root), "targets", "give-up", "province", "--reason", "省平台停用，改报新平台"]
    refused = CliRunner().invoke(app, give_up)
    assert refused.exit_code != 0 and "has its file in targets/" in refused.output  # a live target's are sent
    (workspace.root / "targets" / "province.yaml").unlink()
    listed = CliRunner().invoke(app, ["-w", str(workspace.root), "targets", "list", "--json"])
    (row,) = json.loads(listed.output)
    assert row["name"] == "province" and row["file_missing"] and row["deliveries"]["pending"] == 1
    # ... until a steward gives them up, with the reason, in the ledger: the outbox owes them no more
    done = CliRunner().invoke(app, [*give_up, "--json"])
    assert done.exit_code == 0 and json.loads(done.output) == {"target": "province", "given_up": 1}, done.output
    (row,) = json.loads(CliRunner().invoke(app, ["-w", str(workspace.root), "targets", "list", "--json"]).output)
    assert row["deliveries"]["pending"] == 0 and row["deliveries"]["dead"] == 1
    with city() as session:
        entry = session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "delivery.dead")).one()
        assert "省平台停用" in json.loads(entry.payload)["reason"]
    verified = CliRunner().invoke(app, ["-w", str(workspace.root), "ledger", "verify", "--json"])
    assert verified.exit_code == 0, verified.output
    # A name mistyped, or an id that is no dead delivery of the target: said, nothing done (both read as "0 done").
    mistyped = CliRunner().invoke(app, ["-w", str(workspace.root), "targets", "give-up", "provinec", "--reason", "x"])
    assert mistyped.exit_code != 0 and "Known targets: `province`" in mistyped.output, mistyped.output
    (workspace.root / "targets" / "province.yaml").write_text(
        "name: province\nowner: LZ-XY\nrecord_types: [entity]\nfields:\n  TYSHXYDM: uscc\n"
        f"transport:\n  kind: http\n  url: {receiver.url}\n",
        encoding="utf-8",
    )
    retry = ["-w", str(workspace.root), "targets", "retry", "province", "--id", "99999"]
    unknown = CliRunner().invoke(app, retry)
    assert unknown.exit_code != 0 and "the id 99999: nothing was retried" in unknown.output, unknown.output



@pytest.mark.parametrize(
    ("narrowed", "said"),
    [({"filter": {"departments": ["LZ-XY"]}}, "department `LZ-DJ`"), ({"filter": {"sources": ["other"]}}, "source")],
)
def test_a_record_the_target_file_no_longer_takes_is_never_sent(
    city: sessionmaker[Session], tmp_path: Path, receiver: Receiver, narrowed: dict[str, Any], said: str
) -> None:
    """The file narrowed (another department's data only) while deliveries were owed: they all went out anyway."""
    _ingest(city, tmp_path, ["甲有限公司", "乙有限公司"])
    target = TargetConfig.model_validate(_target(receiver.url).model_dump() | narrowed)
    assert _send(city, target) == {"dead": 2}
    assert receiver.bodies == []
    with city() as session:
        reasons = {d.last_error for d in session.scalars(select(Delivery))}
    assert len(reasons) == 1 and said in str(reasons.pop())
    assert _send(city, _target(receiver.url)) == {}  # dead until a person sends them again (targets retry)


def test_a_try_that_may_have_arrived_keeps_a_delivery_from_dead_and_the_platforms_receipt_settles_it(
    city: sessionmaker[Session], tmp_path: Path, receiver: Receiver
) -> None:
    """A gateway timeout (the platform may have taken the batch), then a platform that refuses connections until the
    tries run out: the delivery is `unknown`, not `dead` ("cannot have arrived"); and a receipt the platform sends
    later settles it, as it would a `dead` one (given up on, yet it arrived)."""
    _ingest(city, tmp_path, ["甲有限公司"])
    receiver.fail_next = [504]
    assert _send(city, _target(receiver.url)) == {"retry": 1}
    down = _target("http://127.0.0.1:9/records")
    assert _send(city, down, after=timedelta(hours=2)) == {"retry": 1}
    assert _send(city, down, after=timedelta(hours=4)) == {"unknown": 1}
    with city() as session, session.begin():
        delivery = session.scalars(select(Delivery)).one()
        delivery.status = "dead"  # as a delivery given up on without such a try is
        key = delivery.idempotency_key
    with city() as session, session.begin():
        report = apply_receipts(session, OPERATOR, "province", [Outcome(key, True, None)])
    assert report.acknowledged == 1 and _states(city) == {"acknowledged": 1}


def test_a_claim_that_a_send_can_outlast_is_refused_when_the_target_loads() -> None:
    with pytest.raises(ValidationError, match=r"`claim_seconds` \(120\) must be longer than twice"):
        _target("http://127.0.0.1:9/records", timeout=300)
    assert _target("http://127.0.0.1:9/records", timeout=50).claim_seconds == 120
    # a file that leaves the timeout out has the transport's default (10 s): the claim must outlast that too
    unsaid = {"name": "province", "owner": "LZ-XY", "record_types": ["entity"], "fields": {"QYMC": "name"},
              "transport": {"kind": "http", "url": "http://127.0.0.1:9/records"}, "claim_seconds": 5}  # fmt: skip
    twice = r"`claim_seconds` \(5\) must be longer than twice `transport.timeout` \(10\)"
    with pytest.raises(ValidationError, match=twice):
        TargetConfig.model_validate(unsaid)
    assert TargetConfig.model_validate(unsaid | {"claim_seconds": 21}).claim_seconds == 21
