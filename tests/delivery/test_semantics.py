"""Delivery semantics a platform can rely on: retries budgeted by time, no attempt charged for a worker's death,
`unknown` (not `dead`) when the last tries timed out, terminal errors at once, a warning when an answer settles
nothing, and every record sent with its version."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.delivery.test_send import Receiver, _ingest, _send, _states, _target
from zhizhi.dashboard.deliveries import funnels
from zhizhi.delivery.receipts import apply_receipts
from zhizhi.delivery.record import _record
from zhizhi.delivery.send import SendReport, _claim, send_once
from zhizhi.delivery.targets import TargetConfig
from zhizhi.delivery.transports import Item, Outcome, Transport
from zhizhi.errors import ConfigError
from zhizhi.store.tables import Delivery
from zhizhi.store.types import utcnow


def _target_with(url: str, *, timeout: float = 2, **options: Any) -> TargetConfig:
    """The province target with top-level options (retry_hours, max_attempts) of its own."""
    settings = _target(url, timeout=timeout).model_dump(exclude_none=True)
    settings.pop("max_attempts", None)
    return TargetConfig.model_validate(settings | options)


def _attempts(city: sessionmaker[Session]) -> list[int]:
    with city() as session:
        return list(session.scalars(select(Delivery.attempts).order_by(Delivery.id)))


def test_a_platform_down_for_hours_is_tried_again_until_the_time_runs_out(
    city: sessionmaker[Session], tmp_path: Path, receiver: Receiver
) -> None:
    _ingest(city, tmp_path, ["甲有限公司"])
    target = _target_with(receiver.url)
    receiver.fail_next = [503] * 30
    assert _send(city, target) == {"retry": 1}
    for hours in range(2, 24, 2):  # twelve tries in the day: eight used to make it dead within the first hours
        assert _send(city, target, after=timedelta(hours=hours)) == {"retry": 1}
    assert _states(city) == {"pending": 1}
    assert _send(city, target, after=timedelta(hours=25)) == {"dead": 1}  # 503s: it cannot have arrived
    assert _attempts(city) == [13]


def test_a_platform_asking_for_time_or_refusing_the_credentials_is_tried_again_not_a_refusal(
    city: sessionmaker[Session], tmp_path: Path, receiver: Receiver
) -> None:
    """A rate limit waits as long as the platform's `Retry-After` asks; an expired token does not mark the records
    refused: each is tried again with its reason, and goes once the platform takes it."""
    _ingest(city, tmp_path, ["甲有限公司"])
    target = _target(receiver.url)
    receiver.fail_next, receiver.fail_headers = [429], {"Retry-After": "600"}
    asked = utcnow()
    assert _send(city, target) == {"retry": 1}
    with city() as session:
        delivery = session.scalars(select(Delivery)).one()
        assert delivery.next_attempt_at is not None and delivery.next_attempt_at >= asked + timedelta(seconds=600)
    assert _send(city, target, after=timedelta(seconds=300)) == {}  # not before the time the platform asked for
    receiver.fail_next, receiver.fail_headers = [401], {}
    receiver.fail_body = "令牌已过期，联系人13812345678".encode()  # a platform's page echoing a person's number
    assert _send(city, target, after=timedelta(seconds=700)) == {"retry": 1}
    with city() as session:
        delivery = session.scalars(select(Delivery)).one()
        assert delivery.status == "pending" and "auth_header_env" in (delivery.last_error or "")
        (funnel,) = funnels(session, OPERATOR, tmp_path)  # what `zhizhi status` and the home page say
    assert (funnel["pending"], funnel["retrying"]) == (1, 1) and "凭据" in (funnel["retry_error"] or "")
    assert "138****5678" in funnel["retry_error"] and "13812345678" not in funnel["retry_error"]  # shown masked
    assert _send(city, target, after=timedelta(hours=1)) == {"acknowledged": 1}
    assert _states(city) == {"acknowledged": 1}
    with city() as session:
        (funnel,) = funnels(session, OPERATOR, tmp_path)
    assert (funnel["acknowledged"], funnel["retrying"], funnel["retry_error"]) == (1, 0, None)


def test_a_worker_that_dies_holding_a_claim_costs_no_attempt(
    city: sessionmaker[Session], tmp_path: Path, receiver: Receiver
) -> None:
    _ingest(city, tmp_path, ["甲有限公司", "乙有限公司"])
    target = _target(receiver.url)
    with city() as session, session.begin():  # claimed, then the worker is killed before it records anything
        _claim(session, target, utcnow(), 10, SendReport(), [])
    assert _send(city, target) == {}  # still held by the dead worker's claim
    assert _send(city, target, after=timedelta(seconds=target.claim_seconds + 1)) == {"acknowledged": 2}
    assert _attempts(city) == [1, 1]


def test_answers_for_a_claim_taken_over_meanwhile_are_counted_lost_not_nothing(
    city: sessionmaker[Session], tmp_path: Path, receiver: Receiver
) -> None:
    """A send whose platform answered after its claim ran out printed "nothing due" though it had sent the batch."""
    _ingest(city, tmp_path, ["甲有限公司", "乙有限公司"])
    target = _target(receiver.url)
    slow = SendReport()
    with city() as session, session.begin():
        claim = _claim(session, target, utcnow(), 10, slow, [])
    assert _send(city, target, after=timedelta(seconds=target.claim_seconds + 1)) == {"acknowledged": 2}
    with city() as session, session.begin():  # the first sender's answer comes at last
        _record(session, target, claim, [Outcome(key, True) for key, _ in claim.items], utcnow(), slow, [])
    assert slow.claimed == 2 and slow.states == {"claim_lost": 2}
    assert _states(city) == {"acknowledged": 2} and _attempts(city) == [1, 1]


def test_timeouts_that_run_out_leave_the_delivery_unknown_and_a_receipt_settles_it(
    city: sessionmaker[Session], tmp_path: Path, receiver: Receiver
) -> None:
    _ingest(city, tmp_path, ["甲有限公司"])
    target = _target_with(receiver.url, timeout=0.3, retry_hours=1)
    receiver.slow = 1.0  # the request arrives; the answer comes too late
    assert _send(city, target) == {"retry": 1}
    assert _send(city, target, after=timedelta(hours=2)) == {"unknown": 1}
    with city() as session:
        delivery = session.scalar(select(Delivery))
        assert delivery is not None and "ReadTimeout" in (delivery.last_error or "")
    receiver.slow = 0
    with city() as session, session.begin():
        report = apply_receipts(session, OPERATOR, "province", [Outcome(delivery.idempotency_key, True)])
    assert report.acknowledged == 1 and _states(city) == {"acknowledged": 1}


class _Misconfigured:
    name = "broken"

    def batch_size(self, target: TargetConfig) -> int:
        return 10

    def send(self, target: TargetConfig, items: list[Item]) -> list[Outcome]:
        raise ConfigError("Target `province`: environment variable `PROVINCE_TOKEN` is empty.")


def test_a_wrong_setting_fails_the_batch_at_once_and_is_not_retried(
    city: sessionmaker[Session], tmp_path: Path, receiver: Receiver
) -> None:
    _ingest(city, tmp_path, ["甲有限公司"])
    broken: Transport = _Misconfigured()
    assert send_once(city, _target(receiver.url), transport=broken).states == {"dead": 1}
    with city() as session:
        delivery = session.scalar(select(Delivery))
    assert delivery is not None and "PROVINCE_TOKEN" in (delivery.last_error or "") and delivery.attempts == 1


def test_an_answer_that_settles_no_key_is_warned_about(
    city: sessionmaker[Session], tmp_path: Path, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    _ingest(city, tmp_path, ["甲有限公司"])

    class Silent:
        name = "silent"

        def batch_size(self, target: TargetConfig) -> int:
            return 10

        def send(self, target: TargetConfig, items: list[Item]) -> list[Outcome]:
            return []

    caplog.set_level(logging.WARNING, logger="zhizhi.delivery")
    assert send_once(city, _target(receiver.url), transport=Silent()).states == {}
    assert any("settled none of the batch's 1 keys" in r.getMessage() for r in caplog.records)


def test_every_record_is_sent_with_its_version_and_time(
    city: sessionmaker[Session], tmp_path: Path, receiver: Receiver
) -> None:
    _ingest(city, tmp_path, ["甲有限公司"])
    _send(city, _target(receiver.url))
    (item,) = receiver.bodies[0]["records"]
    assert item["version"] == 1 and item["version_at"].endswith("Z") and "_zhizhi" not in item["record"]
    assert set(item) == {"idempotency_key", "version", "version_at", "record"}
