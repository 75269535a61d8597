"""Receipts are the platform's word: only a platform's own token posts them, for its own target's deliveries, and
the answer says nothing of deliveries that are not its own. Delivery keys cannot be guessed from public ids."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from tests.conftest import OPERATOR, Web, outbox
from tests.delivery.test_send import Receiver, _send, _states, _target
from tests.ingest.test_pipeline import _codes, _row, _source, _write
from zhizhi import ledger
from zhizhi.cli.main import app
from zhizhi.delivery.platforms import create_platform_token
from zhizhi.ingest.pipeline import ingest_file
from zhizhi.privacy.retention import expire
from zhizhi.store.tables import AuditEvent, Delivery
from zhizhi.store.types import utcnow

RESIDENT_ID = "450202199001011237"
TARGET_FILE = "name: {name}\nowner: {owner}\nrecord_types: [entity]\nfields:\n  QYMC: name\n"
TARGET_FILE += "transport:\n  kind: http\n  url: {url}\n"


def _targets(web: Web, url: str) -> None:
    folder = web.workspace.root / "targets"
    (folder / "province.yaml").write_text(TARGET_FILE.format(name="province", owner="LZ-XY", url=url), "utf-8")
    (folder / "county.yaml").write_text(TARGET_FILE.format(name="county", owner="LZ-CZ", url=url), "utf-8")


def _ingest(web: Web, tmp_path: Path, names: list[str]) -> None:
    path = _write(tmp_path / "a.csv", [_row(code, name) for code, name in zip(_codes(len(names)), names, strict=True)])
    with web.sessions() as session, session.begin():
        ingest_file(
            session,
            OPERATOR,
            _source(),
            path,
            today=date(2026, 11, 28),
            outbox=outbox("province", "county"),
            force=True,
        )


def _token(web: Web, target: str) -> dict[str, str]:
    with web.sessions() as session, session.begin():
        _, secret = create_platform_token(session, OPERATOR, web.workspace.root, target, name=f"{target} receipts")
    return {"Authorization": f"Bearer {secret}"}


def _keys(web: Web, target: str) -> list[str]:
    with web.sessions() as session:
        return list(session.scalars(select(Delivery.idempotency_key).where(Delivery.target == target)))


def test_a_platform_settles_its_sent_deliveries_with_receipts(web: Web, tmp_path: Path, receiver: Receiver) -> None:
    _targets(web, receiver.url)
    receiver.later.update({"甲有限公司", "乙有限公司"})
    _ingest(web, tmp_path, ["甲有限公司", "乙有限公司"])
    assert _send(web.sessions, _target(receiver.url)) == {"sent": 2}
    first, second = receiver.seen
    platform = web.client.__class__(web.client.app)
    bearer = _token(web, "province")
    body = {
        "results": [
            {"idempotency_key": first, "status": "accepted"},
            {"idempotency_key": second, "status": "rejected", "reason": "法定代表人与登记不符"},
            {"idempotency_key": "nope", "status": "accepted"},
        ]
    }
    answer = platform.post("/api/receipts", json=body, headers=bearer)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"acknowledged": 1, "rejected": 1, "ignored": {"nope": "no such delivery"}}
    # Committed before the answer: the store says so the moment the answer arrives.
    assert _states(web.sessions) == {"acknowledged": 1, "rejected": 1, "pending": 2}
    again = platform.post("/api/receipts", json=body, headers=bearer).json()
    assert again["acknowledged"] == 0 and again["ignored"][first] == "already acknowledged"
    with web.sessions() as session:
        kinds = [e.kind for e in ledger.entries(session)]
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "delivery.receipts")).first()
    assert kinds.count("delivery.sent") == 2 and kinds.count("delivery.acknowledged") == 1
    assert event is not None and event.actor == "platform:province" and event.object_id == "province"
    assert platform.post("/api/receipts", json={"results": []}, headers=bearer).status_code == 422
    assert platform.post("/api/receipts", json=body).status_code == 401


def test_a_users_token_cannot_post_receipts(web: Web, tmp_path: Path, receiver: Receiver) -> None:
    _targets(web, receiver.url)
    receiver.later.add("甲有限公司")
    _ingest(web, tmp_path, ["甲有限公司"])
    _send(web.sessions, _target(receiver.url))
    csrf = web.login("steward")
    made = web.client.post("/api/tokens", json={"name": "mine"}, headers={"X-CSRF-Token": csrf}).json()
    body = {"results": [{"idempotency_key": receiver.seen[0], "status": "rejected", "reason": "forged"}]}
    platform = web.client.__class__(web.client.app)
    answer = platform.post("/api/receipts", json=body, headers={"Authorization": f"Bearer {made['secret']}"})
    assert answer.status_code == 401 and "platform" in answer.json()["error"]["message"]
    by_cookie = web.client.post("/api/receipts", json=body, headers={"X-CSRF-Token": csrf})
    assert by_cookie.status_code == 401
    assert _states(web.sessions) == {"sent": 1, "pending": 1}
    with web.sessions() as session:
        assert not [e for e in ledger.entries(session) if e.kind == "delivery.rejected"]


def test_a_platform_cannot_settle_or_see_another_targets_deliveries(
    web: Web, tmp_path: Path, receiver: Receiver
) -> None:
    _targets(web, receiver.url)
    _ingest(web, tmp_path, ["甲有限公司"])
    (county_key,) = _keys(web, "county")
    (province_key,) = _keys(web, "province")
    with web.sessions() as session, session.begin():
        session.execute(Delivery.__table__.update().values(status="acknowledged").where(Delivery.target == "county"))
    platform = web.client.__class__(web.client.app)
    body = {"results": [{"idempotency_key": county_key, "status": "rejected", "reason": "forged"}]}
    answer = platform.post("/api/receipts", json=body, headers=_token(web, "province"))
    # Exactly as for a key that does not exist: not "already acknowledged".
    assert answer.json() == {"acknowledged": 0, "rejected": 0, "ignored": {county_key: "no such delivery"}}
    assert _states(web.sessions) == {"acknowledged": 1, "pending": 1}
    own = {"results": [{"idempotency_key": province_key, "status": "accepted"}]}
    assert platform.post("/api/receipts", json=own, headers=_token(web, "province")).json()["acknowledged"] == 1


def test_delivery_keys_are_not_made_of_public_ids(web: Web, tmp_path: Path, receiver: Receiver) -> None:
    _targets(web, receiver.url)
    _ingest(web, tmp_path, ["甲有限公司", "乙有限公司"])
    with web.sessions() as session:
        rows = session.execute(select(Delivery.idempotency_key, Delivery.record_version_id, Delivery.id)).all()
    keys = [key for key, _, _ in rows]
    assert len(set(keys)) == 4 and all(len(key) >= 22 for key in keys)
    assert not [key for key, version, delivery in rows if key.startswith(f"{version}-") or key == str(delivery)]


def test_platform_tokens_are_issued_listed_and_revoked_from_the_cli(web: Web, receiver: Receiver) -> None:
    _targets(web, receiver.url)
    ws = ["-w", str(web.workspace.root)]
    made = CliRunner().invoke(app, [*ws, "targets", "token", "create", "province", "--name", "省平台", "--json"])
    assert made.exit_code == 0, made.output
    secret = json.loads(made.output)["secret"]
    assert secret.startswith("zzp_")
    listed = json.loads(CliRunner().invoke(app, [*ws, "targets", "token", "list", "--json"]).output)
    assert [(t["target"], t["revoked"]) for t in listed] == [("province", False)] and "secret" not in listed[0]
    unknown = CliRunner().invoke(app, [*ws, "targets", "token", "create", "nowhere", "--name", "x"])
    assert unknown.exit_code == 1 and "nowhere" in unknown.output
    revoked = CliRunner().invoke(app, [*ws, "targets", "token", "revoke", str(listed[0]["id"])])
    assert revoked.exit_code == 0, revoked.output
    body = {"results": [{"idempotency_key": "x", "status": "accepted"}]}
    answer = web.client.post("/api/receipts", json=body, headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 401


def test_a_token_of_a_removed_target_is_refused(web: Web, tmp_path: Path, receiver: Receiver) -> None:
    _targets(web, receiver.url)
    _ingest(web, tmp_path, ["甲有限公司"])
    (key,) = _keys(web, "province")
    bearer = _token(web, "province")
    (web.workspace.root / "targets" / "province.yaml").unlink()  # the target is gone; its token was not revoked
    platform = web.client.__class__(web.client.app)
    body = {"results": [{"idempotency_key": key, "status": "rejected", "reason": "forged"}]}
    answer = platform.post("/api/receipts", json=body, headers=bearer)
    assert answer.status_code == 401 and "`province`" in answer.json()["error"]["message"]
    assert _states(web.sessions) == {"pending": 2}
    with web.sessions() as session:
        assert not session.scalars(select(AuditEvent).where(AuditEvent.action == "delivery.receipts")).all()


def test_a_rejections_reason_is_entered_masked_and_erased_with_the_record(
    web: Web, tmp_path: Path, receiver: Receiver
) -> None:
    _targets(web, receiver.url)
    receiver.later.add("甲有限公司")
    _ingest(web, tmp_path, ["甲有限公司"])
    _send(web.sessions, _target(receiver.url))
    quoted = f"法定代表人身份证号{RESIDENT_ID}与登记不符，联系电话13812345678"
    body = {"results": [{"idempotency_key": receiver.seen[0], "status": "rejected", "reason": quoted}]}
    platform = web.client.__class__(web.client.app)
    assert platform.post("/api/receipts", json=body, headers=_token(web, "province")).json()["rejected"] == 1
    with web.sessions() as session:
        (entry,) = [e for e in ledger.entries(session) if e.kind == "delivery.rejected"]
        error = session.scalar(select(Delivery.last_error).where(Delivery.status == "rejected"))
    kept = json.dumps(entry.payload, ensure_ascii=False) if not isinstance(entry.payload, str) else entry.payload
    assert RESIDENT_ID not in kept and "13812345678" not in kept and "138****5678" in kept
    assert error == quoted  # the delivery keeps it as received until its record is erased (pages mask it)
    with web.sessions() as session, session.begin():
        expire(session, OPERATOR, web.workspace, now=utcnow() + timedelta(days=2000))
    with web.sessions() as session:
        error = session.scalar(select(Delivery.last_error).where(Delivery.status == "rejected"))
    assert error is not None and RESIDENT_ID not in error and "13812345678" not in error and "与登记不符" in error
