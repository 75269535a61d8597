"""A caller who gave no name is nobody's caller, and a business nobody named is no business (SQLite and PostgreSQL).

12315 writes 匿名 for an anonymous reporter, 12345 市民 or 张先生 for a caller who gave no name: the same
placeholder on two tickets says nothing of who called. It was weighed as the same caller's name (+3.2), so two
strangers' reports about one shop, one about stale bread and one about milk, merged into one case on their own, and
the labelled month gave every anonymous reporter one pseudonym.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.hotline.desk import ingest_all, zz
from tests.hotline.test_cases import _actor, _case_of
from zhizhi.config import Workspace
from zhizhi.hotline import load_calendar, push_tickets, statistics, take_in

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


@pytest.mark.parametrize("placeholder", ["无", "不详", "商家"])
def test_two_tickets_that_name_no_business_are_not_about_one_business(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path, placeholder: str
) -> None:
    """A channel writes 无 (or 不详) where the caller named no business: two strangers who each bought stale milk
    somewhere in the city were weighed as about one business (+5.7) and merged on their own (0.89), and 无 was the
    statistics' most complained-about respondent."""
    ingest_all(workspace, tmp_path)
    calendar = load_calendar(workspace.root)
    first = {"number": "M001", "received_at": "2026-03-10 10:00:00", "kind": "投诉", "caller_name": "黄晓明",
             "caller_phone": "13800000031", "respondent_name": placeholder, "text": "商家卖的牛奶过期了，要求退货赔偿"}
    second = {**first, "number": "M002", "received_at": "2026-03-12 10:00:00", "caller_name": "韦丽华",
              "caller_phone": "13800000032", "text": "买到过期酸奶，商家不给退货"}  # fmt: skip
    with city() as session, session.begin():
        push_tickets(session, workspace, OPERATOR, "12315", [first, second], department="LZ-TSJB")
        take_in(session, OPERATOR, workspace)
    with city() as session:
        assert _case_of(session, "M001").id != _case_of(session, "M002").id
        figures = statistics(session, _actor(session, "leader"), calendar, since=date(2026, 3, 10),
                             until=date(2026, 3, 12))  # fmt: skip
        assert figures["cases"] == 2 and figures["top_respondents"] == []
