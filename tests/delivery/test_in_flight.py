"""An answer that comes back to a store that changed while the batch was in flight: deliveries a steward gave up
meanwhile take the platform's word."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.delivery.platform import Platform, platform
from tests.delivery.test_steward import _ingest
from zhizhi import ledger
from zhizhi.delivery.send import send_once
from zhizhi.delivery.steward import give_up
from zhizhi.delivery.targets import TargetConfig
from zhizhi.store.tables import Delivery


@pytest.fixture
def province() -> Iterator[Platform]:
    with platform() as running:
        yield running


def _target(url: str, timeout: float = 2) -> TargetConfig:
    return TargetConfig.model_validate(
        {
            "name": "province",
            "owner": "LZ-XY",
            "record_types": ["entity"],
            "fields": {"TYSHXYDM": "uscc", "QYMC": "name"},
            "transport": {"kind": "http", "url": url, "timeout": timeout},
        }
    )


def _deliveries(city: sessionmaker[Session]) -> list[tuple[str, int, str | None]]:
    with city() as session:
        rows = session.execute(select(Delivery.status, Delivery.attempts, Delivery.last_error).order_by(Delivery.id))
        return [(status, attempts, error) for status, attempts, error in rows]


def _kinds(city: sessionmaker[Session]) -> list[str]:
    with city() as session:
        return [e.kind for e in ledger.entries(session) if e.kind.startswith("delivery.")]


# what the platform does with the record -> its delivery's state, and the ledger's entries for it, in order
ANSWERS = [
    ("accepted", "acknowledged", ["delivery.dead", "delivery.acknowledged"]),
    ("rejected", "rejected", ["delivery.dead", "delivery.rejected"]),
    ("received", "sent", ["delivery.dead", "delivery.sent"]),
    ("timeout", "unknown", ["delivery.dead", "delivery.unknown"]),  # the request left: it may have arrived
    ("503", "dead", ["delivery.dead"]),  # refused at the door: the steward's `dead` stands
]


@pytest.mark.parametrize(("answer", "state", "kinds"), ANSWERS)
def test_a_delivery_given_up_while_in_flight_takes_the_platforms_answer(
    city: sessionmaker[Session],
    tmp_path: Path,
    province: Platform,
    caplog: pytest.LogCaptureFixture,
    answer: str,
    state: str,
    kinds: list[str],
) -> None:
    """A steward gave up a removed target's deliveries while a worker sent them: the platform accepted them, and the
    store kept them `dead` ("cannot have arrived"), the worker blaming `claim_seconds`."""
    _ingest(city, tmp_path, ["甲有限公司"], ["province"])
    given: list[int] = []

    def steward_gives_up() -> None:  # the target's file is gone; the batch is at the platform
        with city() as session, session.begin():
            given.append(give_up(session, OPERATOR, "province", set(), reason="省平台停用，改报新平台"))

    province.during = steward_gives_up
    province.reject = {"甲有限公司": "名称含有禁用字词"} if answer == "rejected" else {}
    province.later = {"甲有限公司"} if answer == "received" else set()
    province.fail_next = [503] if answer == "503" else []
    province.delay = 1.0 if answer == "timeout" else 0.0
    with caplog.at_level(logging.WARNING, logger="zhizhi.delivery"):
        report = send_once(city, _target(province.url, timeout=0.3 if answer == "timeout" else 2))
    assert given == [1]
    assert report.states == ({} if state == "dead" else {state: 1})  # never `claim_lost`
    ((status, attempts, error),) = _deliveries(city)
    assert (status, attempts) == (state, 0 if state == "dead" else 1)
    assert _kinds(city) == kinds
    if state == "rejected":
        assert error == "名称含有禁用字词"
    if state in ("dead", "unknown"):
        assert error is not None and "省平台停用" in error
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert "claim_seconds" not in warned
    if state != "dead":
        assert "given up by a steward" in warned and "is recorded for them" in warned
