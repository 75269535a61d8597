"""The desk's tickets exported as a labelled month (`zhizhi cases export-labelled`): each with its case and how it
joined it, callers as pseudonyms equal within the file, texts masked, audited."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.hotline.desk import HEADER_12345, ingest_all, write_export, zz
from zhizhi.config import Workspace
from zhizhi.hotline import take_in
from zhizhi.hotline.labelled import COLUMNS, labelled_csv, read_labelled
from zhizhi.store.tables import AuditEvent


def test_a_labelled_month_keeps_the_cases_and_no_identity(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    ingest_all(workspace, tmp_path)
    spoken = ["G004", "2026-03-06 09:00:00", "举报", "赵六", "13900000006", "好又多超市", "柳州市鱼峰区柳石路8号",
              "好又多超市牛奶过期，我的电话13900000006，身份证450202199001011237", "办理中"]  # fmt: skip
    export = write_export(tmp_path / "g004.csv", HEADER_12345, [spoken])
    code, out = zz(workspace, "ingest", "rexian-12345", str(export))
    assert code == 0, out
    with city() as session, session.begin():
        take_in(session, OPERATOR, workspace)
    path = tmp_path / "month.csv"
    code, out = zz(workspace, "cases", "export-labelled", str(path), "--since", "2026-03-01", "--until",
                   "2026-03-31", "--json")  # fmt: skip
    assert code == 0 and json.loads(out)["tickets"] == 6, out
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(text.splitlines()))
    assert tuple(rows[0]) == COLUMNS and [r["received"] for r in rows] == sorted(r["received"] for r in rows)
    for secret in ("13800000001", "13900000006", "张三", "赵六", "450202199001011237"):
        assert secret not in text  # pseudonyms and masked texts only
    by_text = {r["text"][:8]: r for r in rows}
    gym = [r for r in rows if "金力健身房" in r["respondent"]]
    assert len(gym) == 3 and len({r["case"] for r in gym}) == 1 and len({r["phone"] for r in gym}) == 1
    assert {r["how"] for r in gym} == {"first", "merged"} and gym[0]["phone"].startswith("phone-")
    milk = [r for r in rows if "好又多" in r["respondent"]]  # T002's report and G004: one lead, expired milk
    assert len(milk) == 2 and len({r["case"] for r in milk}) == 1 and len({r["phone"] for r in milk}) == 2
    assert len({r["case"] for r in rows}) == 3 and by_text  # with T003's question
    with city() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "cases.export_labelled")).all()
        assert len(events) == 1 and json.loads(events[0].detail or "{}")["tickets"] == 6
    again = tmp_path / "again.csv"
    assert zz(workspace, "cases", "export-labelled", str(again), "--since", "2026-03-01")[0] == 0
    phones = {r["phone"] for r in csv.DictReader(again.read_text(encoding="utf-8-sig").splitlines())}
    assert not phones & {r["phone"] for r in rows}  # another export: other pseudonyms, nothing to link


def test_a_number_in_a_respondents_name_stays_masked_in_the_labelled_month(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """A respondent's name is what a caller typed: a phone number in it is masked there as in every list."""
    ingest_all(workspace, tmp_path)
    stall = ["G005", "2026-03-07 10:00:00", "投诉", "钱七", "13900000007", "王五修鞋摊13700000009",
             "柳州市城中区文昌路20号", "修鞋摊收费不明码标价", "办理中"]  # fmt: skip
    code, out = zz(workspace, "ingest", "rexian-12345", str(write_export(tmp_path / "g5.csv", HEADER_12345, [stall])))
    assert code == 0, out
    with city() as session, session.begin():
        take_in(session, OPERATOR, workspace)
    path = tmp_path / "month.csv"
    code, out = zz(workspace, "cases", "export-labelled", str(path), "--since", "2026-03-01", "--until", "2026-03-31")
    assert code == 0, out
    text = path.read_text(encoding="utf-8-sig")
    assert "13700000009" not in text
    assert any(r["respondent"].startswith("王五修鞋摊") for r in csv.DictReader(text.splitlines()))


def test_a_text_a_spreadsheet_would_run_is_written_as_text_and_read_back_as_typed(tmp_path: Path) -> None:
    """A citizen's text or a respondent's name may start like a formula (`=HYPERLINK(...)`, `-5元`, `@`): the file
    opens in Excel (a BOM), so such a cell gets a leading `'` and is text there; `read_labelled` takes it off."""
    typed = {"text": '=HYPERLINK("http://evil.example/","点击查看证据")商家拒不退款', "respondent": "@某店",
             "caller": "-5元的那位", "place": "+86 柳州"}  # fmt: skip
    row = {name: "" for name in COLUMNS} | {"received": "2026-03-02 09:00", "case": "c1", "how": "first"} | typed
    path = tmp_path / "month.csv"
    path.write_text(labelled_csv([row]), encoding="utf-8-sig")
    written = next(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert all(written[name] == "'" + value for name, value in typed.items())
    (back,) = read_labelled(path)
    assert back.ticket.text == typed["text"] and back.ticket.respondent == typed["respondent"]
