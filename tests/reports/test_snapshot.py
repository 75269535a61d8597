"""A run's figures come from one snapshot of the data: a row committed by another connection while the run's
measures are being counted (one statement each) is counted by all of them or by none. On PostgreSQL's default READ
COMMITTED each statement would see its own snapshot, so the run reads at REPEATABLE READ."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.reports.conftest import ingest_rows
from zhizhi.config import Workspace
from zhizhi.reports import figures, parse_period, run_report
from zhizhi.reports.runs import snapshot_of

Town = tuple[Workspace, sessionmaker[Session]]
LATE = ("庚", "城中区", "个体工商户", "2026-11-10", "active", "6210")  # new in November, in business


def _run(town: Town) -> dict[str, Any]:
    workspace, sessions = town
    with sessions() as session, session.begin():
        session.execute(text("SELECT 1"))  # the caller's transaction has begun, as in the CLI and the worker
        run = run_report(session, workspace, OPERATOR, "entities", parse_period("2026-11"))
        return {"hash": run.content_hash, "figures": json.loads(run.figures or "{}"),
                "changes": json.loads(run.changes) if run.changes else None}  # fmt: skip


def test_a_row_committed_during_a_run_is_not_half_counted(
    town: Town, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite's transaction is a snapshot, and its writer waits for the reader: nothing to race")
    workspace, sessions = town
    before = _run(town)
    assert before["figures"]["totals"]["new"] == 4 and before["figures"]["totals"]["in_business"] == 4
    aggregate, seen = figures._aggregate, []

    def racing(session: Session, *args: Any, **kwargs: Any) -> Any:
        seen.append(session.execute(text("SHOW transaction_isolation")).scalar())
        if len(seen) == 1:  # after the run's first statement, another connection commits a new entity
            ingest_rows(workspace, sessions, "LZ-CZ", [LATE])
        return aggregate(session, *args, **kwargs)

    monkeypatch.setattr(figures, "_aggregate", racing)
    during = _run(town)
    monkeypatch.setattr(figures, "_aggregate", aggregate)
    assert len(seen) > 4 and set(seen) == {"repeatable read"}
    assert during["hash"] == before["hash"] and during["changes"]["same"] is True  # the late row: in none
    after = _run(town)
    moved = {(c["measure"], json.dumps(c["group"], sort_keys=True)): (c["before"], c["after"])
             for c in after["changes"]["figures"]}  # fmt: skip
    total = json.dumps({"total": True})
    assert moved[("new", total)] == (4, 5) and moved[("in_business", total)] == (4, 5)  # the late row: in all
    assert after["changes"]["late"]["count"] == 1


def test_a_caller_already_at_repeatable_read_keeps_its_own_transaction(town: Town, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("PostgreSQL only")
    _, sessions = town
    with sessions() as session, session.begin():
        with snapshot_of(session) as reader:
            assert reader is not session
            assert reader.execute(text("SHOW transaction_read_only")).scalar() == "on"
    engine = sessions.kw["bind"]
    with Session(bind=engine.connect().execution_options(isolation_level="REPEATABLE READ")) as session:
        with snapshot_of(session) as reader:
            assert reader is session
        session.get_bind().close()  # type: ignore[union-attr]
