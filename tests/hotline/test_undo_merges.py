"""Merges undone in any order (SQLite and PostgreSQL): every ticket goes back where it came from, a case left with no
ticket is closed, a case that lost its first ticket takes its respondent and office from the next, and a merged case
runs no clock."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.hotline.desk import HEADER_12315, ingest_all, write_export, zz
from tests.hotline.test_cases import _actor, _case_of, _record
from zhizhi.config import Workspace
from zhizhi.hotline import case_view, load_calendar, merge_cases, split, take_in

GLASSES = ["T009", "2026-03-05 10:00:00", "投诉", "赵六", "13800000009", "柳州市城中区明珠眼镜店", "",
           "柳州市城中区五一路3号", "眼镜店配的镜片度数不对，要求重新配镜", "待受理"]  # fmt: skip
SHOE = ["T011", "2026-03-06 10:00:00", "投诉", "孙七", "13800000011", "柳州市柳南区步步高鞋店", "",
        "柳州市柳南区航生路1号", "新买的皮鞋穿了两天就开胶，商家拒绝退货", "待受理"]  # fmt: skip
BIKE = ["T012", "2026-03-07 10:00:00", "投诉", "周八", "13800000012", "柳州市柳南区飞驰电动车行", "",
        "柳州市柳南区柳石路20号", "电动车电池充不进电，车行不给保修", "待受理"]  # fmt: skip
ROUTING = ("default: LZ-TSJB\nrules:\n"
           "  - {name: 城中区, when: {divisions: ['450202']}, office: LZ-CZ-ZN}\n"
           "  - {name: 柳南区, when: {divisions: ['450204']}, office: LZ-LN}\n")  # fmt: skip


def _desk(workspace: Workspace, city: sessionmaker[Session], tmp_path: Path) -> None:
    """The desk's tickets and three complaints about three shops, each a case of its own (3/5, 3/6, 3/7)."""
    (workspace.root / "routing.yaml").write_text(ROUTING, encoding="utf-8")
    ingest_all(workspace, tmp_path)
    extra = write_export(tmp_path / "more.csv", HEADER_12315, [GLASSES, SHOE, BIKE], "gbk")
    assert zz(workspace, "ingest", "rexian-12315", str(extra))[0] == 0
    with city() as session, session.begin():
        take_in(session, OPERATOR, workspace)
        assert len({_case_of(session, n).id for n in ("T009", "T011", "T012")}) == 3


def _merge(session: Session, younger: str, older: str) -> None:
    merge_cases(session, _actor(session, "hotline"), _case_of(session, younger), _case_of(session, older),
                why="同一事项")  # fmt: skip


def _split(session: Session, workspace: Workspace, number: str) -> str:
    return split(session, _actor(session, "hotline"), workspace, _record(session, number), reason="撤销并案").number



def test_a_merged_case_runs_no_clock(workspace: Workspace, city: sessionmaker[Session], tmp_path: Path) -> None:
    _desk(workspace, city, tmp_path)
    calendar = load_calendar(workspace.root)
    with city() as session, session.begin():
        shoe = _case_of(session, "T011")
        _merge(session, "T011", "T009")
        assert shoe.stage == "merged"
        view = case_view(session, OPERATOR, shoe, calendar)
        assert (view["clocks"], view["clock"], view["next_deadline"]) == ([], None, None)
    code, out = zz(workspace, "cases", "list", "--stage", "merged", "--json")
    assert code == 0 and '"next_deadline": null' in out and '"clock": null' in out


