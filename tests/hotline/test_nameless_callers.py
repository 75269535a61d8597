"""A caller who gave no name is nobody's caller (SQLite and PostgreSQL).

12315 writes 匿名 for an anonymous reporter, 12345 市民 or 张先生 for a caller who gave no name: the same
placeholder on two tickets says nothing of who called. It was weighed as the same caller's name (+3.2), so two
strangers' reports about one shop, one about stale bread and one about milk, merged into one case on their own, and
the labelled month gave every anonymous reporter one pseudonym.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.hotline.desk import ingest_all, zz
from tests.hotline.test_cases import _case_of
from zhizhi.config import Workspace
from zhizhi.hotline import push_tickets, take_in

SHOP, ADDRESS = "柳州市城中区好运来超市", "柳州市城中区文昌路8号"


def _report(number: str, day: str, name: str, text: str) -> dict[str, str]:
    return {"number": number, "received_at": f"2026-03-{day} 10:00:00", "kind": "举报", "caller_name": name,
            "respondent_name": SHOP, "respondent_address": ADDRESS, "text": text}  # fmt: skip


@pytest.mark.parametrize("placeholder", ["匿名", "市民", "张先生"])
def test_two_callers_who_gave_no_name_are_not_one_caller(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path, placeholder: str
) -> None:
    ingest_all(workspace, tmp_path)
    bread = _report("N001", "10", placeholder, "举报好运来超市卖过期面包，已过保质期")
    milk = _report("N002", "18", placeholder, "举报好运来超市货架上的牛奶过期了")
    with city() as session, session.begin():
        push_tickets(session, workspace, OPERATOR, "12315", [bread, milk], department="LZ-TSJB")
        take_in(session, OPERATOR, workspace)
    with city() as session:
        assert _case_of(session, "N001").id != _case_of(session, "N002").id
    path = tmp_path / "month.csv"
    code, out = zz(workspace, "cases", "export-labelled", str(path), "--since", "2026-03-10", "--until", "2026-03-18")
    assert code == 0, out
    rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert [r["caller"] for r in rows if r["text"].startswith("举报好运来")] == ["", ""]


def test_one_caller_who_gave_a_name_twice_is_still_one_caller(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    ingest_all(workspace, tmp_path)
    bread = _report("N003", "10", "黄晓明", "举报好运来超市卖过期面包，已过保质期")
    milk = _report("N004", "18", "黄晓明", "举报好运来超市货架上的牛奶过期了")
    with city() as session, session.begin():
        push_tickets(session, workspace, OPERATOR, "12315", [bread, milk], department="LZ-TSJB")
        take_in(session, OPERATOR, workspace)
    with city() as session:
        assert _case_of(session, "N003").id == _case_of(session, "N004").id
