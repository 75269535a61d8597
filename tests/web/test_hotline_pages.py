"""The hotline desk in the UI (SQLite and PostgreSQL): the case list with its filters and clock badges, a case with
every channel's tickets and how each joined, the desk's privacy rule (masked for all but the assigned handler, who
states a purpose, audited; a reporter's identity refused to leaders), a handler's forms (decide, reassign, split,
pause and resume), the suggestions to confirm or keep apart, the statistics, the home page's card; and the public
web form and citizen lookup, with their refusals and rate limits."""

from __future__ import annotations

import csv
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR, Web
from tests.hotline.desk import ingest_all
from zhizhi.config import Workspace, load_workspace
from zhizhi.hotline import take_in
from zhizhi.hotline.labelled import COLUMNS
from zhizhi.store.tables import AuditEvent, Case, CaseSuggestion, CaseTicket, LoginAttempt, Record
from zhizhi.store.types import utcnow

DESK = "LZ-TSJB"
# Another member of the gym, in her own words: the same business, another sum, her own card's refund refused (not
# the closing, which would be one dispute and merge on its own); a handler decides.
G003 = ["G003", "2026-03-05 10:00:00", "投诉", "李五", "13700000005", "金力健身房", "柳州市城中区文昌路12号",
        "来电人称金力健身房办的半年卡1500元还剩四个月没用，现在要求退卡退费被拒绝", "办理中"]  # fmt: skip
CALLER = "张三"
PHONE = "13800000001"


@dataclass
class Desk:
    """The app on a desk of six tickets of two channels, taken into cases (T001 with G001 and G002 merged on their
    own, G003 suggested to it, T002 a report, T003 a question); `cases` maps ticket to case number."""

    web: Web
    cases: dict[str, str]

    def case_of(self, ticket: str) -> str:
        return self.cases[ticket]

    def refresh(self) -> None:
        with self.web.sessions() as session:
            self.cases = case_numbers(session)


def desk_settings(workspace: Workspace, **hotline: object) -> Workspace:
    """The workspace with the desk's settings (the web form's desk, and thresholds that leave some to confirm)."""
    path = workspace.root / "zhizhi.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["hotline"] = {"desk": DESK, "merge_at": 0.9, "review_from": 0.2, **hotline}
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return load_workspace(workspace.root)


def open_desk(workspace: Workspace, folder: Path) -> Workspace:
    """The desk's settings and both channels' exports ingested (the tickets not yet in cases)."""
    from tests.hotline.desk import HEADER_12345, write_export, zz

    workspace = desk_settings(workspace)
    ingest_all(workspace, folder)
    code, out = zz(workspace, "ingest", "rexian-12345", str(write_export(folder / "g003.csv", HEADER_12345, [G003])))
    assert code == 0, out
    return workspace


def ticket_section(page: str, number: str) -> str:
    """The case page's section of one ticket."""
    return next(part for part in page.split('<section class="card ticket"')[1:] if f" {number} " in part)


def suggestion_id(page: str, ticket: str) -> str:
    """The id of the suggestion shown for a ticket."""
    return next(
        part.split('"')[0] for part in page.split('id="suggestion-')[1:] if ticket in part.split("</section>")[0]
    )


def case_numbers(session: Session) -> dict[str, str]:
    rows = session.execute(
        select(Record.key, Case.number)
        .join(CaseTicket, CaseTicket.record_id == Record.id)
        .join(Case, Case.id == CaseTicket.case_id)
    )
    return {key.removeprefix("number="): number for key, number in rows}


@pytest.fixture(name="desk")
def desk_fixture(workspace: Workspace, city: sessionmaker[Session], tmp_path: Path) -> Iterator[Desk]:
    from zhizhi.web.app import create_app

    workspace = open_desk(workspace, tmp_path)
    app = create_app(workspace)
    with TestClient(app, base_url="http://testserver") as client:
        web = Web(client=client, workspace=workspace, sessions=app.state.context.sessions)
        with web.sessions() as session, session.begin():
            take_in(session, OPERATOR, workspace)
        with web.sessions() as session:
            cases = case_numbers(session)
        yield Desk(web, cases)
    app.state.context.engine.dispose()


def text_of(page: str) -> str:
    """The page's visible words, tags dropped, for plain assertions."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def form(web: Web, path: str, **fields: str) -> int:
    """Post a page's form with the session's CSRF token; the status code (redirects not followed)."""
    data = {"csrf_token": web.page_csrf("/hotline"), **fields}
    return web.client.post(path, data=data, follow_redirects=False).status_code


def add_user(web: Web, username: str, department: str, *roles: str) -> None:
    from zhizhi.access import create_user
    from zhizhi.demo import DEMO_PASSWORD

    with web.sessions() as session, session.begin():
        create_user(session, OPERATOR, username=username, display_name=username, department_code=department,
                    roles=list(roles), password=DEMO_PASSWORD, password_min_length=12)  # fmt: skip


def reads_of(web: Web, number: str) -> list[AuditEvent]:
    with web.sessions() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == "personal.read",
                                                             AuditEvent.object_id == number)))  # fmt: skip


def test_the_case_list_filters_pages_and_badges_the_clocks(desk: Desk) -> None:
    web = desk.web
    web.login_form("hotline")
    page = text_of(web.client.get("/hotline").text)
    for ticket in ("T001", "T002", "T003", "G003"):
        assert desk.case_of(ticket) in page
    # The same caller on the other channel, and her repeat call, joined on their own.
    assert desk.case_of("G001") == desk.case_of("G002") == desk.case_of("T001")
    listed = web.client.get("/hotline").text
    row = listed.split(f'id="case-{desk.case_of("T001")}"')[1].split("</tr>")[0]
    assert 'data-clock="breached"' in row and "2026-03-11" in row  # 7 working days after 2 March
    assert "12315" in row and "12345" in row
    consultation = listed.split(f'id="case-{desk.case_of("T003")}"')[1].split("</tr>")[0]
    assert "data-clock" not in consultation  # a question runs on no legal clock
    reports = text_of(web.client.get("/hotline?kind=report").text)
    assert desk.case_of("T002") in reports and desk.case_of("T001") not in reports
    assert 'id="cases-empty"' in web.client.get("/hotline?stage=closed").text
    assert 'id="cases-empty"' in web.client.get("/hotline?page=2").text
    assert 'id="next-page"' not in listed
    assert len(re.findall(r'id="case-\d', web.client.get(f"/hotline?office={DESK}").text)) == 4


def test_a_year_the_calendar_does_not_know_is_said_not_guessed(desk: Desk, tmp_path: Path) -> None:
    from tests.hotline.desk import HEADER_12315, write_export, zz

    row = ["T900", "2003-03-03 09:00:00", "投诉", "周九", "13800000090", "柳州市城中区远方商店", "", "",
           "远方商店收了定金不发货，要求退还定金500元", "待受理"]  # fmt: skip
    code, out = zz(desk.web.workspace, "ingest", "rexian-12315", str(write_export(tmp_path / "later.csv",
                                                                                  HEADER_12315, [row])))  # fmt: skip
    assert code == 0, out
    web = desk.web
    web.login_form("hotline")
    assert form(web, "/hotline/take-in") == 303
    desk.refresh()
    listed = web.client.get("/hotline").text
    row_html = listed.split(f'id="case-{desk.case_of("T900")}"')[1].split("</tr>")[0]
    assert 'data-clock="unknown"' in row_html and "2003" in row_html
    page = text_of(web.client.get(f"/hotline/cases/{desk.case_of('T900')}").text)
    assert "calendar/2003.yaml" in page


def test_a_case_shows_every_channel_and_how_each_ticket_joined_with_identities_masked(desk: Desk) -> None:
    web = desk.web
    web.login_form("hotline")
    number = desk.case_of("T001")
    page = web.client.get(f"/hotline/cases/{number}").text
    words = text_of(page)
    assert "T001" in words and "G002" in words and "首张工单" in words and "自动并入" in words
    assert [n for n in ("T001", "G001", "G002") if f" {n} " in page] == ["T001", "G001", "G002"]
    g002 = text_of(ticket_section(page, "G002"))
    assert "相似度" in g002 and "同一来电号码" in g002 and "再次反映" in g002 and "自动并入" in g002
    assert "138****0001" in words and "张*" in words and PHONE not in page and CALLER not in page
    assert "受理决定" in words and "2026-03-11" in words and "已超期" in words  # the acceptance clock
    assert 'id="unmask-form"' in page and 'id="decide-form"' in page and 'id="assign-form"' in page
    # The suggestion touching this case, both sides, with why.
    assert "G003" in words and "同一经营者" in words and 'action="/hotline/suggestions/' in page


def test_the_assigned_handler_sees_the_callers_for_a_purpose_and_it_is_audited(desk: Desk) -> None:
    web = desk.web
    web.login_form("hotline")
    number = desk.case_of("T001")
    csrf = web.page_csrf(f"/hotline/cases/{number}")
    refused = web.client.post(f"/hotline/cases/{number}/identity", data={"csrf_token": csrf, "purpose": "x"})
    assert refused.status_code == 422 and reads_of(web, number) == []
    shown = web.client.post(f"/hotline/cases/{number}/identity", data={"csrf_token": csrf, "purpose": "回访投诉人"})
    assert shown.status_code == 200 and PHONE in shown.text and CALLER in shown.text
    assert 'id="unmasked-notice"' in shown.text
    [event] = reads_of(web, number)
    assert event.actor == "hotline" and event.purpose == "回访投诉人" and PHONE not in (event.detail or "")


def test_others_see_the_callers_masked_and_cannot_unmask(desk: Desk) -> None:
    web = desk.web
    number = desk.case_of("T001")
    web.login_form("hotline")
    # The case goes to 中南所; the desk's own leader is then a leader of another office.
    assert form(web, f"/hotline/cases/{number}/assign", office="LZ-CZ-ZN", reason="属地管辖") == 303
    add_user(web, "desk_leader", DESK, "leader")
    for username in ("desk_leader", "registrar"):  # a leader of another office; the bureau's steward
        web.client.cookies.clear()
        web.login_form(username)
        page = web.client.get(f"/hotline/cases/{number}").text
        assert "138****0001" in page and PHONE not in page and 'id="unmask-form"' not in page, username
        assert 'id="masked-note"' in page
        csrf = web.page_csrf(f"/hotline/cases/{number}")
        answer = web.client.post(f"/hotline/cases/{number}/identity", data={"csrf_token": csrf, "purpose": "核实情况"})
        assert answer.status_code == 403 and PHONE not in answer.text, username
    web.client.cookies.clear()
    web.login_form("auditor")  # an auditor reads the trail, never the cases
    assert web.client.get(f"/hotline/cases/{number}", follow_redirects=False).status_code == 403
    assert reads_of(web, number) == []


def test_the_offices_leader_sees_a_complainant_with_a_purpose_by_the_desks_rule(desk: Desk) -> None:
    """The handler's own leader (a leader of the office the case is assigned to) may see a complainant, though
    leaders hold no `personal.read`; a leader of the bureau above, whose departments cover every office, reads the
    callers masked like everyone else (else the city's leader would read every complainant of the city)."""
    web = desk.web
    number = desk.case_of("T001")  # 投诉, at the desk
    web.login_form("leader")  # the bureau's leader: over the office, not its leader
    page = web.client.get(f"/hotline/cases/{number}").text
    assert 'id="unmask-form"' not in page and PHONE not in page
    csrf = web.page_csrf(f"/hotline/cases/{number}")
    refused = web.client.post(f"/hotline/cases/{number}/identity", data={"csrf_token": csrf, "purpose": "督办"})
    assert refused.status_code == 403 and PHONE not in refused.text
    web.client.cookies.clear()
    add_user(web, "desk_leader", DESK, "leader")
    web.login_form("desk_leader")
    page = web.client.get(f"/hotline/cases/{number}").text
    assert 'id="unmask-form"' in page and PHONE not in page
    csrf = web.page_csrf(f"/hotline/cases/{number}")
    shown = web.client.post(f"/hotline/cases/{number}/identity", data={"csrf_token": csrf, "purpose": "督办投诉处理"})
    assert shown.status_code == 200 and PHONE in shown.text
    assert [e.actor for e in reads_of(web, number)] == ["desk_leader"]


def test_a_reporters_identity_is_refused_to_leaders(desk: Desk) -> None:
    web = desk.web
    number = desk.case_of("T002")  # 举报
    web.login_form("leader")  # the bureau's leader: over the office, yet not the handler
    page = web.client.get(f"/hotline/cases/{number}").text
    assert "第三十三条" in text_of(page) and "13800000002" not in page
    csrf = web.page_csrf(f"/hotline/cases/{number}")
    answer = web.client.post(f"/hotline/cases/{number}/identity", data={"csrf_token": csrf, "purpose": "督办"})
    assert answer.status_code == 403 and "第三十三条" in text_of(answer.text)
    web.client.cookies.clear()
    web.login_form("hotline")
    csrf = web.page_csrf(f"/hotline/cases/{number}")
    shown = web.client.post(f"/hotline/cases/{number}/identity", data={"csrf_token": csrf, "purpose": "核实举报线索"})
    assert shown.status_code == 200 and "13800000002" in shown.text
    assert [e.actor for e in reads_of(web, number)] == ["hotline"]


def test_a_handler_decides_once_with_the_art15_ground(desk: Desk) -> None:
    web = desk.web
    web.login_form("hotline")
    number = desk.case_of("T001")
    assert form(web, f"/hotline/cases/{number}/decide", decision="not_accepted") == 422
    refused = web.client.post(f"/hotline/cases/{number}/decide",
                              data={"csrf_token": web.page_csrf("/hotline"), "decision": "not_accepted"})  # fmt: skip
    assert "第十五条" in text_of(refused.text)
    assert form(web, f"/hotline/cases/{number}/decide", decision="not_accepted", reason_code="2",
                result="同一争议已由城中区局受理") == 303  # fmt: skip
    page = web.client.get(f"/hotline/cases/{number}?done=decided").text
    words = text_of(page)
    assert "不予受理" in words and "同一消费者权益争议已经受理或者处理过" in words and "已办结" in words
    assert 'id="done-notice"' in page and 'id="decide-form"' not in page
    assert words.count("已答复") == 3  # every ticket, on both channels, answered once
    assert form(web, f"/hotline/cases/{number}/decide", decision="accepted") == 422  # closed: no second decision


def test_reassigning_needs_a_reason(desk: Desk) -> None:
    web = desk.web
    web.login_form("hotline")
    number = desk.case_of("T002")
    assert form(web, f"/hotline/cases/{number}/assign", office="LZ-CZ-ZN") == 422
    assert form(web, f"/hotline/cases/{number}/assign", office="LZ-CZ-ZN", reason="被举报超市在中南所辖区") == 303
    page = text_of(web.client.get(f"/hotline/cases/{number}").text)
    assert "中南市场监督管理所" in page and "周执法" in page and "改派：被举报超市在中南所辖区" in page
    with web.sessions() as session:
        assert session.scalar(select(func.count()).where(AuditEvent.action == "case.assigned")) == 1


def test_pausing_and_extending_a_reports_verification(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    """An extension is approved within the 15 working days: the desk's day is set inside them (12 March)."""
    from zhizhi.web import hotline_view

    monkeypatch.setattr(hotline_view, "local_today", lambda: date(2026, 3, 12))
    web = desk.web
    web.login_form("hotline")
    number = desk.case_of("T002")
    before = text_of(web.client.get(f"/hotline/cases/{number}").text)
    assert "举报核查立案" in before and "2026-03-24" in before  # 15 working days after 3 March
    assert form(web, f"/hotline/cases/{number}/pause", start="2026-03-05") == 422  # no reason
    assert form(web, f"/hotline/cases/{number}/pause", start="2026-03-05", reason="送检牛奶") == 303
    paused = web.client.get(f"/hotline/cases/{number}").text
    assert "送检牛奶" in paused and 'id="resume-form"' in paused
    assert form(web, f"/hotline/cases/{number}/resume", last_day="2026-03-11") == 303
    assert form(web, f"/hotline/cases/{number}/extend", reason="案情复杂，经局领导批准") == 303
    after = text_of(web.client.get(f"/hotline/cases/{number}").text)
    assert "2026-03-11" in after and "30" in after and 'id="extend-form"' not in after
    # 15 + 15 working days after 3 March, 5-11 March (5 working days) not counted.
    assert "2026-04-22" in after


def test_a_lead_found_in_mediation_is_recorded_on_the_page_and_a_step_out_of_turn_refused_by_the_api(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The days that start and end the clocks of Art 21, 23, 30 and 31 are recorded from the case's page (only the
    steps the case has a clock for are offered) and through the API."""
    from tests.web.test_hotline_api import bearer
    from zhizhi.web import hotline_view

    monkeypatch.setattr(hotline_view, "local_today", lambda: date(2026, 3, 12))
    web = desk.web
    web.login_form("hotline")
    number = desk.case_of("T001")
    received = web.client.get(f"/hotline/cases/{number}").text
    assert 'value="disputed"' in received and 'value="lead_found"' not in received  # no mediation yet
    assert form(web, f"/hotline/cases/{number}/decide", decision="accepted") == 303
    accepted = web.client.get(f"/hotline/cases/{number}").text
    assert 'value="lead_found"' in accepted and 'value="told"' not in accepted
    assert form(web, f"/hotline/cases/{number}/steps", step="lead_found") == 422  # no day
    with web.sessions() as session, session.begin():  # accepted on the desk's day, in the past of this test
        session.scalars(select(Case).where(Case.number == number)).one().accepted_on = date(2026, 3, 6)
    assert form(web, f"/hotline/cases/{number}/steps", step="lead_found", on="2026-03-09") == 303
    page = text_of(web.client.get(f"/hotline/cases/{number}").text)
    assert "调解中发现线索核查" in page and "2026-03-30" in page and "2026-03-09" in page
    assert 'id="extend-lead-form"' in web.client.get(f"/hotline/cases/{number}").text
    auth = bearer(web, "hotline")
    early = web.client.post(f"/api/hotline/cases/{number}/steps", json={"step": "settled", "on": "2026-03-10"},
                            headers=auth)  # fmt: skip
    assert early.status_code == 422 and "record `disputed` before `settled`" in early.json()["error"]["message"]
    checked = web.client.post(f"/api/hotline/cases/{number}/steps", json={"step": "lead_checked", "on": "2026-03-11"},
                              headers=auth)  # fmt: skip
    assert checked.status_code == 200 and checked.json()["marked"]["lead_checked"] == "2026-03-11"


def test_a_closed_case_keeps_the_forms_of_its_clocks_still_running(desk: Desk) -> None:
    """A terminated mediation's parties are told within 7 working days (Art 21) and a lead found in it is checked
    (Art 23) after the case is closed: its page offers those steps, the lead's extension and the split to a handler
    (not the decision, reassignment or pause), and to a reader without `cases.write` none of them."""
    from zhizhi.store.types import local_today

    web = desk.web
    web.login_form("hotline")
    number, today = desk.case_of("T001"), local_today().isoformat()
    assert form(web, f"/hotline/cases/{number}/decide", decision="accepted") == 303
    assert form(web, f"/hotline/cases/{number}/steps", step="lead_found", on=today) == 303
    assert form(web, f"/hotline/cases/{number}/decide", decision="terminated", result="经营者失联，终止调解") == 303
    page = web.client.get(f"/hotline/cases/{number}").text
    assert 'id="case-stage"' in page and "已办结" in page.split('id="case-stage"')[1].split("</span>")[0]
    steps = page.split('id="step-form"')[1].split("</form>")[0]
    assert 'value="told"' in steps and 'value="lead_checked"' in steps
    assert 'id="extend-lead-form"' in page and f"/hotline/cases/{number}/tickets/" in page  # split
    assert 'id="decide-form"' not in page and 'id="assign-form"' not in page and 'id="pause-form"' not in page
    assert form(web, f"/hotline/cases/{number}/steps", step="told", on=today) == 303
    assert form(web, f"/hotline/cases/{number}/extend", clock="mediation_lead", reason="线索复杂，经批准延长") == 303
    page = web.client.get(f"/hotline/cases/{number}").text
    assert 'value="told"' not in page and 'value="lead_checked"' in page and 'id="extend-lead-form"' not in page
    web.client.cookies.clear()
    web.login_form("leader")  # reads the case, records nothing
    page = web.client.get(f"/hotline/cases/{number}").text
    assert 'id="step-form"' not in page and 'id="clock-forms"' not in page and "/split" not in page


def test_a_merge_is_undone_by_splitting_a_ticket_off(desk: Desk) -> None:
    web = desk.web
    web.login_form("hotline")
    number = desk.case_of("T001")
    page = web.client.get(f"/hotline/cases/{number}").text
    g002 = ticket_section(page, "G002").split('id="ticket-')[1].split('"')[0]
    path = f"/hotline/cases/{number}/tickets/{g002}/split"
    assert form(web, path) == 422  # a reason is required
    answer = web.client.post(path, data={"csrf_token": web.page_csrf("/hotline"), "reason": "不是同一次消费"},
                             follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303
    desk.refresh()
    assert desk.case_of("G002") != number and answer.headers["location"].startswith(
        f"/hotline/cases/{desk.case_of('G002')}"
    )
    assert "G002" not in text_of(web.client.get(f"/hotline/cases/{number}").text).split("待确认并案")[0]


def test_a_tickets_copy_kept_apart_says_which_case_answers_its_platform(desk: Desk) -> None:
    """T001 pushed again as a report (举报) after its export said 投诉: a case of its own (Art 7), whose page says the
    platform's one answer is the complaint case's."""
    from tests.hotline.desk import TICKETS_12315
    from tests.hotline.test_answer_held import FIELDS
    from zhizhi.hotline import push_tickets

    web = desk.web
    again = dict(zip(FIELDS, TICKETS_12315[0], strict=True)) | {"kind": "举报"}
    with web.sessions() as session, session.begin():
        push_tickets(session, web.workspace, OPERATOR, "12315", [again], department=DESK)
        take_in(session, OPERATOR, web.workspace)
        held = dict(session.execute(select(Case.kind, Case.number).join(CaseTicket, CaseTicket.case_id == Case.id)
                                    .join(Record, Record.id == CaseTicket.record_id)
                                    .where(Record.key == "number=T001")).all())  # fmt: skip
    web.login_form("hotline")
    said = web.client.get(f"/hotline/cases/{held['report']}").text.split('id="answered-by-')[1].split("</p>")[0]
    assert f"由案件 {held['complaint']} 作出" in said
    assert 'id="answered-by-' not in web.client.get(f"/hotline/cases/{held['complaint']}").text


def test_a_handler_confirms_one_suggestion_and_keeps_another_apart(desk: Desk) -> None:
    web = desk.web
    web.login_form("hotline")
    page = web.client.get("/hotline/suggestions").text
    first = suggestion_id(page, "G003")
    assert "同一经营者" in page.split(f'id="suggestion-{first}"')[1].split("</section>")[0]
    answer = web.client.post(f"/hotline/suggestions/{first}/confirm", data={"csrf_token": web.page_csrf("/hotline")},
                             follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303
    desk.refresh()
    assert desk.case_of("G003") == desk.case_of("T001")
    assert f'id="suggestion-{first}"' not in web.client.get("/hotline/suggestions").text
    assert form(web, f"/hotline/suggestions/{first}/confirm") == 422  # decided already
    # A question suggested to a report: not the same grievance.
    with web.sessions() as session, session.begin():
        session.add(CaseSuggestion(record_id=session.scalar(select(Record.id).where(Record.key == "number=T003")),
                                   case_id=session.scalar(select(Case.id).where(Case.number == desk.case_of("T002"))),
                                   score=0.4, reasons='{"reasons": ["similar_text"]}', status="open",
                                   created_at=utcnow()))  # fmt: skip
    page = web.client.get("/hotline/suggestions").text
    second = suggestion_id(page, "T003")
    assert form(web, f"/hotline/suggestions/{second}/apart") == 303
    with web.sessions() as session:
        assert session.get_one(CaseSuggestion, int(second)).status == "apart"
        assert session.scalar(select(func.count()).where(AuditEvent.action == "case.kept_apart")) == 1
    assert desk.case_of("T003") != desk.case_of("T002")


def test_the_statistics_and_the_burden_removed(desk: Desk) -> None:
    web = desk.web
    web.login_form("hotline")
    page = web.client.get("/hotline/statistics?since=2026-03-01&until=2026-03-31").text
    words = text_of(page)
    assert "6 张工单归并为 4 件案件：少写 2 份重复答复" in words
    assert "投诉 2" in words and "举报 1" in words
    breaches = text_of(page.split('id="breaches"')[1].split("</section>")[0])
    assert "投诉举报中心" in breaches and "赵接线" in breaches and CALLER not in page
    assert web.client.get("/hotline/statistics?since=2026-13-01").status_code == 422


def test_the_statistics_page_gives_the_period_as_a_labelled_month(desk: Desk) -> None:
    """The period's tickets with their cases, for `zhizhi hotline evaluate` and `fit`: callers as pseudonyms, texts
    masked, the download audited; so posted with the CSRF token, never run by a link."""
    web = desk.web
    web.login_form("hotline")
    page = web.client.get("/hotline/statistics?since=2026-03-01&until=2026-03-31").text
    form = page.split('id="labelled-help"')[1].split("</form>")[0]
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    assert 'action="/hotline/labelled.csv"' in page and fields.keys() == {"csrf_token", "since", "until"}
    period = {"since": "2026-03-01", "until": "2026-03-31"}
    linked = web.client.get("/hotline/labelled.csv", params=period, follow_redirects=False)
    assert linked.status_code == 303 and linked.headers["location"].startswith("/hotline/statistics?since=2026-03-01")
    refused = web.client.post("/hotline/labelled.csv", data={**period, "csrf_token": "another-sites-guess"})
    assert refused.status_code == 403 and 'data-code="csrf_failed"' in refused.text
    with web.sessions() as session:
        assert session.scalar(select(func.count()).where(AuditEvent.action == "cases.export_labelled")) == 0
    assert fields["since"] == period["since"] and fields["until"] == period["until"]
    answer = web.client.post("/hotline/labelled.csv", data=fields)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert 'filename="labelled-2026-03-01-2026-03-31.csv"' in answer.headers["content-disposition"]
    text = answer.content.decode("utf-8-sig")
    rows = list(csv.DictReader(text.splitlines()))
    assert tuple(rows[0]) == COLUMNS and len(rows) == 6 and len({r["case"] for r in rows}) == 4
    assert CALLER not in text and PHONE not in text and all(r["phone"].startswith("phone-") for r in rows)
    assert {r["how"] for r in rows} == {"first", "merged"}
    with web.sessions() as session:
        assert session.scalar(select(func.count()).where(AuditEvent.action == "cases.export_labelled")) == 1


def test_the_home_page_has_the_desks_card(desk: Desk) -> None:
    web = desk.web
    web.login_form("hotline")
    page = web.client.get("/").text
    assert 'id="hotline-tiles"' in page
    figures = {
        key: page.split(f'id="hotline-{key}"')[1].split("</b>")[0]
        for key in ("open", "breached", "suggestions", "burden")
    }
    with web.sessions() as session:
        waiting = session.scalar(select(func.count()).where(CaseSuggestion.status == "open"))
    assert ">4<" in figures["open"] and ">3<" in figures["breached"] and f">{waiting}<" in figures["suggestions"]
    assert waiting and "6 → 4" in figures["burden"]
    web.client.cookies.clear()
    web.login_form("auditor")
    assert 'id="hotline-tiles"' not in web.client.get("/").text


def test_the_desk_speaks_english_too(desk: Desk) -> None:
    web = desk.web
    web.login_form("hotline")
    web.client.cookies.set("zhizhi_lang", "en")
    words = text_of(web.client.get(f"/hotline/cases/{desk.case_of('T001')}").text)
    assert "Legal deadlines" in words and "breached" in words and "first ticket" in words and "same phone" in words
    assert "Not accepted" in words and "Art 15(2)" in words
    figures = text_of(web.client.get("/hotline/statistics?since=2026-03-01&until=2026-03-31").text)
    assert "6 tickets became 4 cases: 2 answers not written twice" in figures and "Complaint 2" in figures


# --- the public pages ---------------------------------------------------------------------------------------


def public_csrf(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200
    return page.text.split('name="csrf_token" value="')[1].split('"')[0]


TICKET = {"kind": "complaint", "caller_name": "钱八", "caller_phone": "13912345678", "respondent_name": "某某奶茶店",
          "text": "奶茶店的会员卡余额无法使用，店家拒绝退款"}  # fmt: skip


def test_a_citizen_files_a_ticket_and_looks_it_up_without_an_account(desk: Desk) -> None:
    client = desk.web.client
    assert client.post("/hotline/submit", data=TICKET).status_code == 403  # no CSRF token
    answer = client.post("/hotline/submit", data={"csrf_token": public_csrf(client, "/hotline/submit"), **TICKET})
    assert answer.status_code == 200, answer.text
    number = re.search(r"W\d{14}", answer.text)
    assert number is not None
    token = public_csrf(client, "/hotline/lookup")
    found = client.post("/hotline/lookup", data={"csrf_token": token, "number": number.group(), "phone_last4": "5678"})
    assert found.status_code == 200 and 'id="lookup-stage"' in found.text and "待受理" in text_of(found.text)
    assert "钱八" not in found.text and "奶茶" not in found.text and "13912345678" not in found.text

    def answer_to(ticket: str, digits: str) -> str:
        page = client.post("/hotline/lookup", data={"csrf_token": token, "number": ticket, "phone_last4": digits})
        assert page.status_code == 200
        return page.text.replace(ticket, "NUMBER")

    wrong_digits = answer_to(number.group(), "0000")
    no_ticket = answer_to("W20990101000000", "5678")
    assert wrong_digits == no_ticket and 'id="lookup-none"' in no_ticket
    known = answer_to("T001", "0001")  # a 12315 ticket: its stage and dates only
    assert "待受理" in known and CALLER not in known and "金力" not in known


def test_the_lookup_takes_a_number_however_it_is_written(desk: Desk) -> None:
    """Spaces and full-width digits (a number copied from a message, typed on a phone's Chinese keyboard) are the
    number the ingest cleaned: the same ticket, and the same count against its limit."""
    client = desk.web.client
    token = public_csrf(client, "/hotline/lookup")
    for written in ("T001", " T 001 ", "Ｔ００１"):
        page = client.post("/hotline/lookup", data={"csrf_token": token, "number": written, "phone_last4": "０００１"})
        assert page.status_code == 200 and 'id="lookup-stage"' in page.text, written
    from zhizhi.web.public_limits import LOOKUP

    with desk.web.sessions() as session:
        counted = LoginAttempt.username.startswith(f"{LOOKUP.name}:")  # the 15 minutes' rows (not the day's)
        keys = list(session.scalars(select(LoginAttempt.username).where(counted)))
    assert len(keys) == 3 and len(set(keys)) == 1  # one number's three tries


def test_the_form_refuses_a_phone_the_ticket_could_not_keep(desk: Desk) -> None:
    """A phone the ingest cannot read as a mobile or a landline with its area code would be dropped from the
    ticket, and the citizen could never look it up by its last four digits: refused on the form, naming it."""
    client = desk.web.client
    token = public_csrf(client, "/hotline/submit")
    for phone in ("0-----------------0", "12345678901", "0772 123", "+1 415 555 0100"):
        page = client.post("/hotline/submit", data={"csrf_token": token, **TICKET, "caller_phone": phone})
        assert page.status_code == 422 and "区号" in text_of(page.text), phone
    with desk.web.sessions() as session:
        assert session.scalar(select(func.count()).where(Record.key.startswith("number=W"))) == 0
    kept = client.post("/hotline/submit", data={"csrf_token": token, **TICKET, "caller_phone": "0772-2812345"})
    assert kept.status_code == 200


def test_an_oversized_public_form_is_told_in_a_citizens_words(desk: Desk) -> None:
    client = desk.web.client
    token = public_csrf(client, "/hotline/lookup")
    page = client.post("/hotline/lookup", data={"csrf_token": token, "number": "T" * 70_000, "phone_last4": "0001"})
    assert page.status_code == 413 and "精简" in text_of(page.text) and "zhizhi ingest" not in page.text


def test_the_web_form_refuses_bad_input_and_is_limited_per_address(desk: Desk) -> None:
    client = desk.web.client
    token = public_csrf(client, "/hotline/submit")
    bad = client.post("/hotline/submit", data={"csrf_token": token, **TICKET, "caller_phone": "abc"})
    assert bad.status_code == 422 and "联系电话" in text_of(bad.text)
    assert client.post("/hotline/submit", data={"csrf_token": token, **TICKET, "text": "太短"}).status_code == 422
    huge = client.post("/hotline/submit", data={"csrf_token": token, **TICKET, "text": "长" * 2001})
    assert huge.status_code == 422
    for _ in range(5):
        assert client.post("/hotline/submit", data={"csrf_token": token, **TICKET}).status_code == 200
    limited = client.post("/hotline/submit", data={"csrf_token": token, **TICKET})
    assert limited.status_code == 429 and "分钟后再试" in text_of(limited.text)
    with desk.web.sessions() as session:
        assert session.scalar(select(func.count()).where(Record.key.startswith("number=W"))) == 5
    other = TestClient(client.app, base_url="http://testserver", client=("203.0.113.9", 50000))
    assert other.post("/hotline/submit", data={"csrf_token": public_csrf(other, "/hotline/submit"),
                                               **TICKET}).status_code == 200  # fmt: skip
    desk.web.login_form("hotline")  # the form's uses never count against signing in


def test_the_lookup_is_limited_per_address_and_per_ticket(desk: Desk) -> None:
    app = desk.web.client.app

    def tries(client: TestClient, number: str, n: int) -> list[int]:
        token = public_csrf(client, "/hotline/lookup")
        data = {"csrf_token": token, "number": number, "phone_last4": "9999"}
        return [client.post("/hotline/lookup", data=data).status_code for _ in range(n)]

    first = TestClient(app, base_url="http://testserver", client=("203.0.113.1", 50000))
    assert tries(first, "T001", 10) == [200] * 10
    assert tries(first, "T002", 1) == [429]  # this address has used its tries
    second = TestClient(app, base_url="http://testserver", client=("203.0.113.2", 50000))
    assert tries(second, "T001", 1) == [429]  # and T001 its own, from any address
    assert tries(second, "T002", 1) == [200]
    with desk.web.sessions() as session:
        assert session.scalar(select(func.count()).where(LoginAttempt.username.startswith("hotline.lookup:"))) == 11
    desk.web.login_form("hotline")


def test_one_tickets_lookups_are_bounded_by_the_day_whatever_the_addresses(desk: Desk) -> None:
    """Ten tries every 15 minutes would go through the 10,000 values of four digits in about five days: a ticket
    takes twenty tries a day from all addresses together, each from a new address refused once they are used."""
    from datetime import timedelta

    from zhizhi.store.types import utcnow
    from zhizhi.web.public_limits import LOOKUP_DAY, _name

    app = desk.web.client.app
    now = utcnow()
    with desk.web.sessions() as session, session.begin():  # twenty tries over the last day, none in 15 minutes
        for hour in range(1, 21):
            session.add(LoginAttempt(username=_name(LOOKUP_DAY, "T001"), ip=f"198.51.100.{hour}",
                                     at=now - timedelta(hours=hour), success=True))  # fmt: skip

    def tried(number: str, address: str) -> int:
        client = TestClient(app, base_url="http://testserver", client=(address, 50000))
        token = public_csrf(client, "/hotline/lookup")
        data = {"csrf_token": token, "number": number, "phone_last4": "9999"}
        return client.post("/hotline/lookup", data=data).status_code

    assert tried("T001", "203.0.113.50") == 429
    assert tried("T002", "203.0.113.51") == 200  # another ticket has its own


def test_the_web_form_is_closed_without_a_desk(desk: Desk) -> None:
    from zhizhi.web.app import create_app

    workspace = desk_settings(desk.web.workspace, desk=None)
    with TestClient(create_app(workspace), base_url="http://testserver") as client:
        page = client.get("/hotline/submit")
        assert 'id="form-closed"' in page.text and 'id="ticket-form"' not in page.text
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0] if "csrf_token" in page.text else ""
        assert client.post("/hotline/submit", data={"csrf_token": token, **TICKET}).status_code in (403, 404)


def test_the_entitys_file_lists_its_cases_and_links_only_those_the_reader_may_open(desk: Desk) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import update

    from zhizhi.store.tables import Entity

    web = desk.web
    number = desk.case_of("T001")
    now = datetime.now(UTC)
    with web.sessions() as session, session.begin():
        session.add(Entity(id=990_001, status="active", name="柳州市城中区金力健身房", golden="{}", records=0,
                           created_at=now, updated_at=now))  # fmt: skip
        session.flush()
        session.execute(update(Case).where(Case.number == number).values(entity_id=990_001))
    web.login_form("leader")
    page = web.client.get("/entities/990001").text
    row = page.split(f'id="entity-case-{number}"')[1].split("</tr>")[0]
    assert f'href="/hotline/cases/{number}"' in row and "投诉" in row and PHONE not in page
    web.client.cookies.clear()
    web.login_form("steward")  # 登记注册科: the case is another department's
    row = web.client.get("/entities/990001").text.split(f'id="entity-case-{number}"')[1].split("</tr>")[0]
    assert "href=" not in row and "不在您的查看范围内" in row


def test_the_kept_entitys_file_lists_the_cases_of_the_entity_merged_into_it(desk: Desk) -> None:
    """A case linked to an entity the register later merges into another keeps the id it was linked to: the kept
    entity's file lists it, as it lists that entity's records."""
    from datetime import UTC, datetime

    from sqlalchemy import update

    from zhizhi.store.tables import Entity

    web = desk.web
    number, now = desk.case_of("T001"), datetime.now(UTC)
    with web.sessions() as session, session.begin():
        for entity_id in (990_001, 990_002):
            session.add(Entity(id=entity_id, status="active", name="柳州市城中区金力健身房", golden="{}", records=0,
                               created_at=now, updated_at=now))  # fmt: skip
        session.flush()
        session.execute(update(Case).where(Case.number == number).values(entity_id=990_002))
        session.execute(update(Entity).where(Entity.id == 990_002).values(status="merged", merged_into=990_001))
    web.login_form("leader")
    assert f'id="entity-case-{number}"' in web.client.get("/entities/990001").text
    moved = web.client.get("/entities/990002")  # the merged id leads to the kept one, with its cases
    assert moved.url.path == "/entities/990001" and f'id="entity-case-{number}"' in moved.text
