"""An answer is dated when the case was decided, or, for a ticket that joined the case after its decision, when that
ticket was received: never before its own receipt (a platform times each ticket's response), and the same however
often it is rendered again (an answer's new version is owed only when its words change)."""

from __future__ import annotations

from datetime import UTC, datetime

from zhizhi.config import Workspace
from zhizhi.hotline.answers import render
from zhizhi.store.tables import Case


def test_a_ticket_joining_after_the_decision_is_not_answered_before_it_was_received(workspace: Workspace) -> None:
    case = Case(number="20260000001", kind="complaint", decision="accepted", result="已受理",
                decided_at=datetime(2026, 12, 1, 2, 0, tzinfo=UTC))  # 10:00 in China  # fmt: skip
    before = {"channel": "12345", "number": "G1", "received_at": "2026-11-30T09:00:00"}
    after = {"channel": "12345", "number": "G2", "received_at": "2026-12-03T16:00:00"}
    assert render(workspace, case, before, "城中区局")["answered_at"] == "2026-12-01T10:00:00"
    assert render(workspace, case, after, "城中区局")["answered_at"] == "2026-12-03T16:00:00"
    assert render(workspace, case, after, "城中区局") == render(workspace, case, after, "城中区局")
