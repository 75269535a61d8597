"""Retention of what a random inspection keeps about people (SQLite and PostgreSQL): on the clock of the inspection
records its results made, the visit loses the signer's name, its remark and notes their numbers and the names the
visit knows, and the results files the departments' sources read are masked the same way; counted in the run's
figures and ledger entry, and a second run changes nothing. Readers outside the team see those names masked before."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from tests.conftest import OPERATOR, Web
from tests.inspections.register import actor_of
from tests.inspections.test_visits import _stranger, joint_visit
from tests.inspections.test_web import drawn
from zhizhi.inspections import Finding, record_results, visit_view
from zhizhi.privacy.retention import KIND, expire
from zhizhi.store.tables import Entity, InspectionVisit, LedgerEntry
from zhizhi.store.types import local_today, utcnow

SIGNER, LEGAL, PHONE, ID_NUMBER = "黎明辉", "覃志刚", "13812345678", "450202199001011237"
NOTE = f"{SIGNER}电话{PHONE}，法定代表人{LEGAL}身份证{ID_NUMBER}，责令7日内改正"
REMARK = f"{SIGNER}称次日复查，电话{PHONE}"
MASKED_NOTE = "黎**电话138****5678，法定代表人覃**身份证450202********1237，责令7日内改正"


def _recorded(web: Web) -> str:
    """The first joint visit of a draw, its results entered by its team: the signer and the firm's legal
    representative named, with their numbers, in a note and in the remark."""
    number, entity_id, team = drawn(web)
    with web.sessions() as session, session.begin():
        entity = session.get_one(Entity, int(entity_id))
        golden = json.loads(entity.golden or "{}") | {"legal_representative": {"value": LEGAL}}
        entity.golden = json.dumps(golden, ensure_ascii=False)
        findings = {"SP-01": Finding("rectify", NOTE), "TS-01": Finding("pass")}
        record_results(session, actor_of(session, team[0]), web.workspace, number, findings=findings,
                       inspected_on=local_today(), acknowledgement="signed", acknowledged_by=SIGNER,
                       remark=REMARK)  # fmt: skip
    return number


def _files(web: Web, number: str) -> list[Path]:
    return sorted((web.workspace.data_dir / "inspections" / "results").glob(f"*/*-{number}.jsonl"))


def _expire(web: Web, days: int, *, dry_run: bool = False) -> dict[str, int]:
    with web.sessions() as session, session.begin():
        report = expire(session, OPERATOR, web.workspace, now=utcnow() + timedelta(days=days), dry_run=dry_run)
    return {"changed": report.changed, **next(f.counts() for f in report.types if f.record_type == "inspection")}


def test_retention_erases_a_visits_signer_notes_and_results_files_on_the_inspection_clock(web: Web) -> None:
    number = _recorded(web)
    files = _files(web, number)
    assert len(files) == 2 and any(PHONE in f.read_text(encoding="utf-8") for f in files)
    later = (utcnow() + timedelta(days=3000)).timestamp()
    for path in files:  # a copy restored from a backup: the name, not the file's time, says when it was written
        os.utime(path, (later, later))
    assert _expire(web, 1000)["visits"] == 0  # within the retention of inspection records: nothing
    counted = _expire(web, 2000, dry_run=True)
    assert counted["visits"] == 1 and counted["files"] == 1  # the LZ-TS file holds no note
    assert any(PHONE in f.read_text(encoding="utf-8") for f in files)  # a dry run changes nothing
    erased = _expire(web, 2000)
    assert erased["visits"] == 1 and erased["files"] == 1 and erased["records"] == 2
    for path in files:
        kept = path.read_text(encoding="utf-8")
        assert PHONE not in kept and ID_NUMBER not in kept and SIGNER not in kept and LEGAL not in kept
    assert any(json.loads(f.read_text(encoding="utf-8"))["follow_up"].endswith(MASKED_NOTE) for f in files)
    with web.sessions() as session:
        entry = session.scalars(select(LedgerEntry.payload).where(LedgerEntry.kind == KIND)).all()[-1]
        assert json.loads(entry)["types"]["inspection"]["visits"] == 1
    assert _expire(web, 2000)["changed"] == 0  # a second run changes nothing
    web.login_form("registrar")  # a steward of the organiser: reads the visit in full, what is left of it
    shown = web.client.get(f"/api/inspections/visits/{number}").json()
    assert shown["acknowledged_by"] is None and shown["acknowledgement"] == "signed"
    assert shown["remark"] == "黎**称次日复查，电话138****5678"
    assert [i["note"] for i in shown["items"]] == [MASKED_NOTE, None]
    page = web.client.get(f"/inspections/visits/{number}").text
    assert MASKED_NOTE in page and SIGNER not in page and PHONE not in page


def test_readers_outside_the_team_see_the_names_the_visit_knows_masked_in_its_notes(web: Web) -> None:
    number = _recorded(web)
    with web.sessions() as session:
        visit = session.scalars(select(InspectionVisit).where(InspectionVisit.number == number)).one()
        assert visit.id == joint_visit(session).id
        shown = visit_view(session, _stranger(session, visit), visit)
        assert shown["acknowledged_by"] == "黎**" and shown["items"][0]["note"] == MASKED_NOTE
        assert shown["remark"] == "黎**称次日复查，电话138****5678"
        recorder = visit_view(session, OPERATOR, visit)  # the team and the organiser read what they wrote
        assert recorder["items"][0]["note"] == NOTE and recorder["remark"] == REMARK
