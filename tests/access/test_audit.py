"""The audit trail: chained, append-only, and every kind of tampering is found."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from zhizhi.access import Actor, audit
from zhizhi.store.tables import AuditEvent


def _append(sessions: sessionmaker[Session], n: int) -> None:
    with sessions() as session, session.begin():
        for i in range(n):
            audit.record(session, OPERATOR, "test.event", object_type="thing", object_id=i, detail={"i": i})


def _verify(sessions: sessionmaker[Session]) -> audit.ChainReport:
    with sessions() as session, session.begin():
        return audit.verify(session)


def _drop_guards(engine: Engine) -> None:
    # An attacker with DDL rights can lift the append-only triggers; the hash chain must still catch them.
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("DROP TRIGGER audit_events_append_only ON audit_events"))
        else:
            connection.execute(text("DROP TRIGGER audit_events_no_update"))
            connection.execute(text("DROP TRIGGER audit_events_no_delete"))


def _tamper(engine: Engine, *statements: str) -> None:
    _drop_guards(engine)
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def test_an_untouched_chain_verifies(sessions: sessionmaker[Session]) -> None:
    _append(sessions, 5)
    report = _verify(sessions)
    assert report.ok and report.events == 5 and report.first_bad_seq is None
    assert len(report.head_hash) == 64


def test_an_empty_chain_verifies(sessions: sessionmaker[Session]) -> None:
    assert _verify(sessions).ok


def test_events_are_append_only(engine: Engine, sessions: sessionmaker[Session]) -> None:
    _append(sessions, 2)
    for statement in ("UPDATE audit_events SET actor = 'x' WHERE seq = 1", "DELETE FROM audit_events WHERE seq = 2"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    assert _verify(sessions).events == 2


def test_an_edited_event_is_reported(engine: Engine, sessions: sessionmaker[Session]) -> None:
    _append(sessions, 6)
    _tamper(engine, "UPDATE audit_events SET actor = 'somebody-else' WHERE seq = 4")
    report = _verify(sessions)
    assert not report.ok and report.first_bad_seq == 4 and "edited" in (report.problem or "")
    assert report.events == 3


def test_a_deleted_event_is_reported(engine: Engine, sessions: sessionmaker[Session]) -> None:
    _append(sessions, 6)
    _tamper(engine, "DELETE FROM audit_events WHERE seq = 3")
    report = _verify(sessions)
    assert not report.ok and report.first_bad_seq == 3 and "deleted" in (report.problem or "")


def test_a_deleted_and_renumbered_event_is_reported(engine: Engine, sessions: sessionmaker[Session]) -> None:
    _append(sessions, 6)
    _tamper(
        engine,
        "DELETE FROM audit_events WHERE seq = 3",
        "UPDATE audit_events SET seq = seq + 100 WHERE seq > 3",
        "UPDATE audit_events SET seq = seq - 101 WHERE seq > 100",
    )
    report = _verify(sessions)
    assert not report.ok and report.first_bad_seq == 3


def test_reordered_events_are_reported(engine: Engine, sessions: sessionmaker[Session]) -> None:
    _append(sessions, 6)
    _tamper(
        engine,
        "UPDATE audit_events SET seq = 100 WHERE seq = 2",
        "UPDATE audit_events SET seq = 2 WHERE seq = 5",
        "UPDATE audit_events SET seq = 5 WHERE seq = 100",
    )
    report = _verify(sessions)
    assert not report.ok and report.first_bad_seq == 2


def test_a_rehashed_edit_breaks_the_next_link(engine: Engine, sessions: sessionmaker[Session]) -> None:
    # A careful forger recomputes the edited event's own hash; the next event's link still gives them away.
    _append(sessions, 4)
    _drop_guards(engine)
    with sessions() as session, session.begin():
        event = session.get(AuditEvent, 2)
        assert event is not None
        event.actor = "forger"
        event.hash = audit.event_hash(event)
    report = _verify(sessions)
    assert not report.ok and report.first_bad_seq == 3


def test_events_record_who_what_and_why(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        audit.record(
            session,
            OPERATOR,
            "personal.read",
            object_type="user",
            object_id="zhongnan",
            purpose="核实投诉人身份",
            detail={"fields": ["phone"]},
        )
    with sessions() as session, session.begin():
        (event,) = audit.list_events(session, OPERATOR, audit.AuditFilter(action="personal.read"))
        row = audit.event_as_dict(event)
    assert row["actor"] == "cli:test" and row["ip"] == "local"
    assert row["purpose"] == "核实投诉人身份" and row["detail"] == {"fields": ["phone"]}
    assert row["at"].endswith("Z")


def test_a_failed_write_leaves_no_event(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(RuntimeError), sessions() as session, session.begin():
        audit.record(session, OPERATOR, "test.event")
        raise RuntimeError("the change failed")
    assert _verify(sessions).events == 0


def test_concurrent_writers_keep_one_chain(sessions: sessionmaker[Session]) -> None:
    import threading

    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(15):
                _append(sessions, 2)
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = _verify(sessions)
    assert report.ok and report.events == 4 * 15 * 2


def test_an_event_keeps_bounded_texts_and_the_original_lengths(sessions: sessionmaker[Session]) -> None:
    huge = "x" * 3_000_000
    with sessions() as session, session.begin():
        audit.record(
            session,
            Actor.operator("cli:" + huge),
            "test.event",
            object_type="user",
            object_id=huge,
            purpose=huge,
            detail={"name": huge, "names": [huge, "short"], "count": 3},
        )
    with sessions() as session, session.begin():
        (event,) = audit.list_events(session, OPERATOR, audit.AuditFilter(action="test.event"))
        row = audit.event_as_dict(event)
    assert len(row["actor"]) <= 100 and len(row["object_id"]) <= 200 and len(row["purpose"]) <= 200
    assert row["object_id"].endswith("…[3000000 chars]") and row["actor"].endswith("…[3000004 chars]")
    assert row["detail"]["name"].endswith("…[3000000 chars]") and len(row["detail"]["name"]) <= 500
    assert row["detail"]["names"][1] == "short" and row["detail"]["count"] == 3
    assert len(event.detail) < 2_000
    assert _verify(sessions).ok


def test_what_a_person_typed_is_kept_masked_whoever_records_it(sessions: sessionmaker[Session]) -> None:
    """A reason, a note or a remark may quote a caller's phone or ID number; the trail is never erased and auditors
    read it, so those values are masked as they enter it (other keys, such as a record's key, are kept)."""
    typed = "联系投诉人13812345678，身份证450202199001011237"
    with sessions() as session, session.begin():
        audit.record(session, OPERATOR, "test.step", detail={
            "reason": typed, "notes": [typed], "item": {"remark": typed}, "key": "13812345678"})  # fmt: skip
    with sessions() as session:
        detail = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "test.step")).one()
    assert "13812345678" not in detail.replace('"key": "13812345678"', "")
    assert "450202199001011237" not in detail and detail.count("138****5678") == 3
    assert '"key": "13812345678"' in detail
    assert _verify(sessions).ok


def test_a_purpose_is_kept_masked_in_the_trail(sessions: sessionmaker[Session]) -> None:
    """A purpose is typed by the reader and often names whom it is about (`核实 450202199001011237 的身份`); the trail
    is never erased, so its numbers are masked as it enters, as a reason's are."""
    from zhizhi.privacy.masking import disclose

    typed = "核实身份证450202199001011237及电话13812345678"
    with sessions() as session, session.begin():
        declared = disclose(session, OPERATOR, purpose=typed, object_type="user", object_ids=["zhongnan"],
                            fields=["phone"], per_hour=10)  # fmt: skip
    assert declared == typed  # the caller (an export's watermark) keeps what was declared
    with sessions() as session:
        kept = session.scalars(select(AuditEvent.purpose).where(AuditEvent.action == "personal.read")).one()
    assert kept == "核实身份证450202********1237及电话138****5678"
    assert _verify(sessions).ok
