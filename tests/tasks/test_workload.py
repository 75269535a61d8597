"""Workload in numbers against the hand count of tests/tasks/workload_data.py, scoped to the leader's subtree, set
against capacity set by the level above, and exported to Excel."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.tasks.helpers import actor
from tests.tasks.workload_data import TODAY, load_workload
from zhizhi.errors import InputError, NotFoundError, PermissionDeniedError
from zhizhi.store.tables import AuditEvent
from zhizhi.workload import months, set_capacity, workload, write_workload_xlsx

MONTHS = ["2026-10", "2026-11", "2026-12"]
FIELDS = ("cases", "parts", "overdue", "draws", "visits", "open_items", "load", "capacity", "over")
# (cases, parts, overdue, draws, visits, open items, load, capacity, over) for October, November, December.
OFFICES = {
    "LZ-SP": [(0, 0, 0, 0, 0, 0, 0, None, False), (0, 0, 0, 0, 0, 0, 0, None, False),
              (0, 1, 0, 0, 0, 0, 1, None, False)],
    "LZ-CZ": [(0, 0, 0, 0, 0, 0, 0, None, False), (0, 0, 0, 0, 0, 0, 0, None, False),
              (0, 1, 1, 1, 0, 0, 1, None, False)],
    "LZ-CZ-ZN": [(2, 0, 0, 0, 0, 0, 2, 3, False), (2, 0, 0, 0, 0, 0, 2, 3, False), (2, 1, 1, 1, 1, 1, 4, 3, True)],
    "LZ-YF": [(1, 0, 0, 0, 0, 0, 1, 50, False), (1, 0, 0, 0, 0, 0, 1, 50, False), (1, 1, 1, 0, 0, 0, 2, 50, False)],
}  # fmt: skip
PEOPLE = {
    "chengzhong": [(0, 0, 0, 0, 0, 0, 0, None, False), (0, 0, 0, 0, 0, 0, 0, None, False),
                   (0, 1, 1, 0, 0, 0, 1, None, False)],
    "zhongnan": [(2, 0, 0, 0, 0, 0, 2, 3, False), (2, 0, 0, 0, 0, 0, 2, 3, False), (1, 0, 0, 1, 1, 1, 2, 3, False)],
    "yufeng": [(1, 0, 0, 0, 0, 0, 1, 5, False), (1, 0, 0, 0, 0, 0, 1, 5, False), (1, 1, 1, 0, 0, 0, 2, 5, False)],
}  # fmt: skip


def _figures(rows: list[dict[str, Any]], key: str, name: str) -> dict[str, list[tuple[Any, ...]]]:
    return {r[key][name]: [tuple(m[f] for f in FIELDS) for m in r["months"]] for r in rows}


def _seen(city: sessionmaker[Session], username: str) -> dict[str, Any]:
    with city() as session, session.begin():
        load_workload(session)
        return workload(session, actor(session, username), months("2026-12", 3), today=TODAY)


def test_the_bureau_leader_sees_the_hand_count(city: sessionmaker[Session]) -> None:
    seen = _seen(city, "leader")
    assert seen["months"] == MONTHS and seen["today"] == "2026-12-16"
    assert _figures(seen["offices"], "department", "code") == OFFICES
    assert list(_figures(seen["offices"], "department", "code")) == list(OFFICES)  # in the tree's order
    assert _figures(seen["people"], "user", "username") == PEOPLE
    assert seen["over"] == [{"department": {"code": "LZ-CZ-ZN", "name": "中南市场监督管理所"}, "month": "2026-12",
                             "load": 4, "capacity": 3, "ratio": 1.333}]  # fmt: skip
    yf = next(r for r in seen["offices"] if r["department"]["code"] == "LZ-YF")
    assert (yf["staff"], yf["per_person"], yf["capacity"], yf["note"], yf["may_set"]) == (10, 5, 50, "含协管员", True)


def test_a_county_leader_sees_its_own_offices_only(city: sessionmaker[Session]) -> None:
    seen = _seen(city, "chengzhong")
    assert list(_figures(seen["offices"], "department", "code")) == ["LZ-CZ", "LZ-CZ-ZN"]
    assert list(_figures(seen["people"], "user", "username")) == ["chengzhong", "zhongnan"]
    assert [r["may_set"] for r in seen["offices"]] == [False, True]  # the level above sets an office's capacity


def test_another_county_sees_none_of_it(city: sessionmaker[Session]) -> None:
    seen = _seen(city, "yf_leader")
    assert _figures(seen["offices"], "department", "code") == {"LZ-YF": OFFICES["LZ-YF"]}
    assert _figures(seen["people"], "user", "username") == {"yufeng": PEOPLE["yufeng"]}
    assert seen["over"] == []


def test_the_workload_is_a_leaders_view(city: sessionmaker[Session]) -> None:
    with city() as session, session.begin():
        load_workload(session)
        for username in ("zhongnan", "steward"):
            with pytest.raises(PermissionDeniedError, match="for leaders"):
                workload(session, actor(session, username), months("2026-12", 3), today=TODAY)
    with pytest.raises(InputError, match="1 to 24 months"):
        months("2026-12", 25)
    with pytest.raises(InputError, match="not a month"):
        months("2026-Q4", 3)


def test_capacity_is_set_by_the_level_above_and_audited(city: sessionmaker[Session]) -> None:
    with city() as session, session.begin():
        load_workload(session)
        with pytest.raises(PermissionDeniedError, match="set by a leader above it"):
            set_capacity(session, actor(session, "yf_leader"), "LZ-YF", staff=99, per_person=99)
        with pytest.raises(NotFoundError):
            set_capacity(session, actor(session, "yf_leader"), "LZ-CZ-ZN", staff=9, per_person=9)
        with pytest.raises(InputError, match=r"`staff` = `-1`.*`per_person` = `0`"):
            set_capacity(session, actor(session, "chengzhong"), "LZ-CZ-ZN", staff=-1, per_person=0)
        set_capacity(session, actor(session, "chengzhong"), "LZ-CZ-ZN", staff=2, per_person=3)
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "workload.capacity")
                                .order_by(AuditEvent.seq.desc())).first()  # fmt: skip
        assert event is not None and event.actor == "chengzhong" and '"before": {"per_person": 3, "staff": 1}' in (
            event.detail
        )
        seen = workload(session, OPERATOR, months("2026-12", 1), today=TODAY)
    zn = next(r for r in seen["offices"] if r["department"]["code"] == "LZ-CZ-ZN")
    assert (zn["capacity"], zn["months"][0]["load"], zn["months"][0]["over"]) == (6, 4, False)


def test_the_workbook_has_the_same_figures(city: sessionmaker[Session]) -> None:
    seen = _seen(city, "leader")
    out = BytesIO()
    write_workload_xlsx(seen, out)
    book = load_workbook(BytesIO(out.getvalue()))
    assert book.sheetnames == ["按单位", "按人员", "说明"]
    rows = list(book["按单位"].iter_rows(values_only=True))
    assert rows[0][:5] == ("单位编码 code", "单位 name", "人员数 staff", "人均承载量 per_person", "月份 month")
    zn_december = next(r for r in rows if r[0] == "LZ-CZ-ZN" and r[4] == "2026-12")
    assert zn_december[5:] == (2, 1, 1, 1, 1, 1, 4, 3, 1.333, "是")
    red = book["按单位"].cell(row=rows.index(zn_december) + 1, column=len(zn_december))
    assert red.fill.fgColor.rgb.endswith("FFC7CE")
    assert len(rows) == 1 + 4 * 3 and len(list(book["按人员"].iter_rows())) == 1 + 3 * 3
