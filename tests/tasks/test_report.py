"""The built-in report `workload` (`from: workload`) against the hand count of tests/tasks/workload_data.py: cases and
parts received, closed and in hand per office in a month, parts overdue on its last day, capacity and the load."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.tasks.helpers import actor
from tests.tasks.workload_data import load_workload
from zhizhi.config import Workspace
from zhizhi.errors import ConfigError
from zhizhi.reports import install_builtin, load_report, parse_period, run_report
from zhizhi.reports.figures import compute

MEASURES = ("received", "closed", "in_hand", "overdue", "capacity", "load")
# Per office: received, closed, in hand, overdue on the last day, capacity, load (% of capacity).
DECEMBER = {
    "LZ-SP": (1, 1, 1, 0, 0, None),
    "LZ-CZ": (1, 0, 1, 1, 0, None),
    "LZ-CZ-ZN": (2, 0, 3, 1, 3, 100.0),
    "LZ-YF": (1, 0, 2, 1, 50, 4.0),
}
NOVEMBER = {"LZ-CZ-ZN": (1, 1, 2, 0, 3, 66.7), "LZ-YF": (1, 0, 1, 0, 50, 2.0)}


def _by_office(figures: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    rows = {r["department"]: tuple(r[m] for m in MEASURES) for r in figures["rows"]}
    return {code: values for code, values in rows.items() if any(values[:5])}


def test_the_workload_report_counts_by_hand(workspace: Workspace, city: sessionmaker[Session]) -> None:
    with city() as session, session.begin():
        load_workload(session)
    install_builtin(workspace.root, "LZ")
    with city() as session, session.begin():
        december = run_report(session, workspace, OPERATOR, "workload", parse_period("2026-12"))
        november = run_report(session, workspace, OPERATOR, "workload", parse_period("2026-11"))
        figures = json.loads(december.figures or "{}")
    assert _by_office(figures) == DECEMBER
    assert _by_office(json.loads(november.figures or "{}")) == NOVEMBER
    assert {k: figures["totals"][k] for k in MEASURES} == {"received": 5, "closed": 1, "in_hand": 7, "overdue": 3,
                                                           "capacity": 53, "load": 13.2}  # fmt: skip
    assert [c["label"] for c in figures["columns"]][-1] == "负荷率（%）"


def test_the_report_sees_what_its_issuer_sees(workspace: Workspace, city: sessionmaker[Session]) -> None:
    with city() as session, session.begin():
        load_workload(session)
        install_builtin(workspace.root, "LZ")
        report = load_report(workspace.root, "workload")
        seen = compute(session, report, actor(session, "yf_leader"), parse_period("2026-12")).as_dict()
    assert _by_office(seen) == {"LZ-YF": DECEMBER["LZ-YF"]}


def test_a_ratio_needs_measures_above_it(workspace: Workspace) -> None:
    install_builtin(workspace.root, "LZ")
    path = workspace.root / "reports" / "workload.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("per: capacity", "per: nothing"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"`measures.6 \(load\).per` = `nothing`: a ratio needs a count, sum"):
        load_report(workspace.root, "workload")
