"""An answer that comes back to a store that changed while the batch was in flight: deliveries a steward gave up
meanwhile take the platform's word, and a database connection lost while recording costs a retry on a new
connection, not the answer (nor a second send when the claim runs out)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from tests.conftest import OPERATOR
from tests.delivery.platform import Platform, platform
from tests.delivery.test_steward import _ingest
from zhizhi import ledger
from zhizhi.delivery import record
from zhizhi.delivery.send import send_once
from zhizhi.delivery.steward import give_up
from zhizhi.delivery.targets import TargetConfig
from zhizhi.errors import DatabaseUnavailableError
from zhizhi.store.tables import Delivery
from zhizhi.store.types import utcnow

RECORDING = "UPDATE deliveries SET status"  # the record step's first statement: the acknowledgements


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


@pytest.fixture
def killer(engine: Engine, database_url: str) -> Iterator[dict[str, Any]]:
    """Terminates the sender's PostgreSQL connection right before the record step's first statement, `left` times
    once `armed` (from another connection, as a database restart or an administrator would)."""
    other = create_engine(database_url, poolclass=NullPool)
    state: dict[str, Any] = {"armed": False, "left": 1, "killed": 0}

    def terminate(connection: Any, cursor: Any, statement: str, *args: Any) -> None:
        if state["armed"] and state["left"] and statement.startswith(RECORDING):
            state["left"] -= 1
            with other.connect() as admin:
                admin.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
            state["killed"] += 1

    event.listen(engine, "before_cursor_execute", terminate)
    yield state
    event.remove(engine, "before_cursor_execute", terminate)
    other.dispose()


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_connection_lost_while_recording_the_answer_is_recorded_on_a_new_one(
    city: sessionmaker[Session],
    tmp_path: Path,
    province: Platform,
    killer: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Backends terminated while a worker sent: the answer was lost, the batch stayed claimed for `claim_seconds`
    and was sent again (200 of 3,000)."""
    _ingest(city, tmp_path, ["甲有限公司", "乙有限公司", "丙有限公司"], ["province"])
    province.during = lambda: killer.update(armed=True)  # the platform has the batch: the answer is on its way
    with caplog.at_level(logging.WARNING, logger="zhizhi.delivery"):
        report = send_once(city, _target(province.url))
    assert killer["killed"] == 1
    assert report.states == {"acknowledged": 3}
    assert _deliveries(city) == [("acknowledged", 1, None)] * 3
    assert province.requests == 1 and sorted(province.arrivals.values()) == [1, 1, 1]  # each sent once
    assert _kinds(city) == ["delivery.acknowledged"] * 3
    assert "database connection was lost while recording the platform's answer for 3 deliveries" in caplog.text


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_connection_lost_on_every_try_says_the_batch_goes_again(
    city: sessionmaker[Session], tmp_path: Path, province: Platform, killer: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr(record, "RECORD_PAUSE", 0.01)
    _ingest(city, tmp_path, ["甲有限公司"], ["province"])
    killer["left"] = record.RECORD_TRIES
    province.during = lambda: killer.update(armed=True)
    target = _target(province.url)
    with pytest.raises(DatabaseUnavailableError, match="lost 4 times .* claim runs out .* sent again"):
        send_once(city, target)
    assert killer["killed"] == 4
    assert _deliveries(city) == [("pending", 0, None)] and _kinds(city) == []
    later = utcnow() + timedelta(seconds=target.claim_seconds + 1)  # the claim ran out
    assert send_once(city, target, now=later).states == {"acknowledged": 1}
    assert list(province.arrivals.values()) == [2]


TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER refuse_acknowledgement BEFORE UPDATE ON deliveries WHEN NEW.status = 'acknowledged' "
        "BEGIN SELECT RAISE(ABORT, 'acknowledgements refused'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_acknowledgement() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'acknowledgements refused'; END $$",
        "CREATE TRIGGER refuse_acknowledgement BEFORE UPDATE ON deliveries FOR EACH ROW "
        "WHEN (NEW.status = 'acknowledged') EXECUTE FUNCTION refuse_acknowledgement()",
    ],
}


def test_a_database_error_that_is_no_lost_connection_is_not_retried(
    engine: Engine, city: sessionmaker[Session], tmp_path: Path, province: Platform, backend: str
) -> None:
    _ingest(city, tmp_path, ["甲有限公司"], ["province"])
    with engine.begin() as connection:
        for sql in TRIGGERS[backend]:
            connection.exec_driver_sql(sql)
    tries: list[str] = []

    def count(connection: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith(RECORDING):
            tries.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        with pytest.raises(DBAPIError, match="acknowledgements refused") as raised:
            send_once(city, _target(province.url))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert not isinstance(raised.value, DatabaseUnavailableError) and not raised.value.connection_invalidated
    assert len(tries) == 1
    assert _deliveries(city) == [("pending", 0, None)]
    assert _kinds(city) == []
