"""The hotline desk's JSON API (SQLite and PostgreSQL): cases and suggestions as JSON, the desk's privacy rule, a
handler's steps committed before the answer, bounded inputs, the statistics, and a channel's push with its own
platform token, idempotent by ticket number."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from tests.conftest import OPERATOR, Web
from tests.web.test_hotline_pages import CALLER, DESK, PHONE, Desk, desk_fixture, reads_of  # noqa: F401 (the fixture)
from zhizhi.access import create_token
from zhizhi.delivery.platforms import create_platform_token
from zhizhi.store.tables import AuditEvent, Case, CaseSuggestion, Department, Record, RecordVersion, User


def bearer(web: Web, username: str) -> dict[str, str]:
    with web.sessions() as session, session.begin():
        _, secret = create_token(session, OPERATOR, name="test", username=username)
    return {"Authorization": f"Bearer {secret}"}


def case_row(web: Web, number: str) -> Case:
    with web.sessions() as session:
        return session.scalars(select(Case).where(Case.number == number)).one()


def test_cases_in_json_with_their_clocks_and_tickets(desk: Desk) -> None:
    web, auth = desk.web, bearer(desk.web, "hotline")
    listed = web.client.get("/api/hotline/cases", headers=auth).json()
    assert {row["number"] for row in listed} == {desk.case_of(t) for t in ("T001", "T002", "T003", "G003")}
    gym = next(row for row in listed if row["number"] == desk.case_of("T001"))
    assert gym["tickets"] == 3 and gym["channels"] == ["12315", "12345"] and gym["clock"] == "breached"
    assert gym["next_deadline"] == "2026-03-11" and "caller_phone" not in gym
    assert [r["kind"] for r in web.client.get("/api/hotline/cases?kind=report", headers=auth).json()] == ["report"]
    assert (
        web.client.get("/api/hotline/cases?limit=1&offset=1", headers=auth).json()[0]["number"] == listed[1]["number"]
    )
    shown = web.client.get(f"/api/hotline/cases/{desk.case_of('T001')}", headers=auth).json()
    assert [t["number"] for t in shown["tickets"]] == ["T001", "G001", "G002"]
    assert [t["how"] for t in shown["tickets"]] == ["first", "merged", "merged"]
    assert shown["tickets"][1]["score"] > 0.9 and "same_phone" in shown["tickets"][1]["reasons"]
    assert shown["tickets"][0]["caller_phone"] == "138****0001" and not shown["identity_shown"]
    assert shown["clocks"][0]["rule"] == "acceptance" and shown["clocks"][0]["deadline"] == "2026-03-11"
    assert shown["decisions"] == ["accepted", "not_accepted", "referred"]  # mediation ends once accepted
    missing = web.client.get("/api/hotline/cases/19990000001", headers=auth)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert web.client.get("/api/hotline/cases/" + "9" * 65, headers=auth).status_code == 422
    for query, named in (("stage=bogus", "received"), ("kind=投诉", "complaint"), ("office=LZ-NOPE", "LZ-NOPE")):
        refused = web.client.get(f"/api/hotline/cases?{query}", headers=auth)  # a typo is not an empty desk
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "invalid_input"
        assert named in refused.json()["error"]["message"]


def test_identities_follow_the_desks_rule_and_every_view_is_audited(desk: Desk) -> None:
    web = desk.web
    gym, report = desk.case_of("T001"), desk.case_of("T002")
    handler = bearer(web, "hotline")
    shown = web.client.get(f"/api/hotline/cases/{gym}?purpose=回访投诉人", headers=handler).json()
    assert shown["identity_shown"] and {t["caller_phone"] for t in shown["tickets"]} == {PHONE}
    assert [e.purpose for e in reads_of(web, gym)] == ["回访投诉人"]
    assert web.client.get(f"/api/hotline/cases/{gym}?purpose=x", headers=handler).status_code == 422
    for username, number in (("registrar", gym), ("leader", report)):  # the bureau's steward; a leader, a report
        answer = web.client.get(f"/api/hotline/cases/{number}?purpose=核实情况", headers=bearer(web, username))
        assert answer.status_code == 403 and PHONE not in answer.text, username
        masked = web.client.get(f"/api/hotline/cases/{number}", headers=bearer(web, username)).json()
        assert not masked["identity_shown"] and CALLER not in str(masked["tickets"]), username
    refused = web.client.get(f"/api/hotline/cases/{report}?purpose=督办", headers=bearer(web, "leader")).json()
    assert "Only the assigned handler may see" in refused["error"]["message"]
    assert web.client.get(f"/api/hotline/cases/{gym}", headers=bearer(web, "auditor")).status_code == 403
    assert [e.actor for e in reads_of(web, gym)] == ["hotline"] and reads_of(web, report) == []


def test_a_handlers_steps_are_committed_before_the_answer(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    from zhizhi.web import hotline_view

    monkeypatch.setattr(hotline_view, "local_today", lambda: date(2026, 3, 12))  # the report's 15 days still running
    web, auth = desk.web, bearer(desk.web, "hotline")
    gym, report = desk.case_of("T001"), desk.case_of("T002")
    base = f"/api/hotline/cases/{gym}"
    assert web.client.post(f"{base}/decide", json={"decision": "not_accepted"}, headers=auth).status_code == 422
    assert web.client.post(f"{base}/decide", json={"decision": "x" * 33}, headers=auth).status_code == 422
    decided = web.client.post(f"{base}/decide", headers=auth,
                              json={"decision": "accepted", "result": "已受理，将组织调解"})  # fmt: skip
    assert decided.status_code == 200 and decided.json()["answers_owed"] == 3
    assert case_row(web, gym).stage == "accepted"  # read back in another session: committed
    assert decided.json()["case"]["clocks"][1]["rule"] == "mediation"
    assert decided.json()["case"]["decisions"] == ["not_accepted", "mediated", "terminated", "referred"]
    assert web.client.post(f"{base}/assign", json={"office": "LZ-CZ-ZN"}, headers=auth).status_code == 422
    long_reason = {"office": "LZ-CZ-ZN", "reason": "长" * 501}
    assert web.client.post(f"{base}/assign", json=long_reason, headers=auth).status_code == 422
    moved = web.client.post(f"{base}/assign", json={"office": "LZ-CZ-ZN", "reason": "属地"}, headers=auth)
    assert moved.status_code == 200 and moved.json()["office"] == "中南市场监督管理所"
    # The case left the desk's handler: 中南所's handler carries on.
    zhongnan = bearer(web, "zhongnan")
    paused = web.client.post(f"{base}/pause", json={"reason": "送检", "start": "2026-03-20"}, headers=zhongnan)
    assert paused.status_code == 200 and paused.json()["pauses"][0]["through"] is None
    resumed = web.client.post(f"{base}/resume", json={"last_day": "2026-03-25"}, headers=zhongnan)
    assert resumed.status_code == 200 and resumed.json()["pauses"][0]["through"] == "2026-03-25"
    assert web.client.post(f"{base}/extend", json={"reason": "批准"}, headers=zhongnan).status_code == 422  # no report
    extended = web.client.post(f"/api/hotline/cases/{report}/extend", json={"reason": "经批准"}, headers=auth)
    assert extended.status_code == 200 and extended.json()["extended"]
    tickets = moved.json()["tickets"]
    split = web.client.post(f"{base}/tickets/{tickets[1]['record_id']}/split", json={"reason": "另一次消费"},
                            headers=zhongnan)  # fmt: skip
    assert split.status_code == 200 and split.json()["case"] != gym
    elsewhere = web.client.post(f"/api/hotline/cases/{report}/tickets/{tickets[0]['record_id']}/split",
                                json={"reason": "x"}, headers=auth)  # fmt: skip
    assert elsewhere.status_code == 404  # that ticket is not the report's
    with web.sessions() as session:
        actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.action.startswith("case."))))
    assert {"case.decided", "case.assigned", "case.paused", "case.resumed", "case.extended", "case.split"} <= actions


def g003_suggestion(web: Web, auth: dict[str, str]) -> dict[str, Any]:
    """The suggestion that G003 (another member of the gym) is the gym's case."""
    found = web.client.get("/api/hotline/suggestions", headers=auth).json()
    return next(s for s in found if s["ticket"]["number"] == "G003")


def test_suggestions_are_confirmed_or_kept_apart(desk: Desk) -> None:
    web, auth = desk.web, bearer(desk.web, "hotline")
    suggestion = g003_suggestion(web, auth)
    assert suggestion["ticket"]["number"] == "G003" and suggestion["case"] == desk.case_of("T001")
    assert 0 < suggestion["score"] <= 1 and "same_respondent" in suggestion["reasons"]
    leader = bearer(web, "leader")
    assert web.client.post(f"/api/hotline/suggestions/{suggestion['id']}/confirm", headers=leader).status_code == 403
    apart = web.client.post(f"/api/hotline/suggestions/{suggestion['id']}/apart", headers=auth)
    assert apart.status_code == 200 and apart.json() == {"suggestion": suggestion["id"], "status": "apart",
                                                          "case": desk.case_of("T001")}  # fmt: skip
    again = web.client.post(f"/api/hotline/suggestions/{suggestion['id']}/confirm", headers=auth)
    assert again.status_code == 422
    assert suggestion["id"] not in [s["id"] for s in web.client.get("/api/hotline/suggestions", headers=auth).json()]
    with web.sessions() as session:
        assert session.get_one(CaseSuggestion, suggestion["id"]).status == "apart"
    assert web.client.post("/api/hotline/suggestions/99999/confirm", headers=auth).status_code == 404


def test_a_confirmed_suggestion_makes_one_case(desk: Desk) -> None:
    web, auth = desk.web, bearer(desk.web, "hotline")
    suggestion = g003_suggestion(web, auth)
    confirmed = web.client.post(f"/api/hotline/suggestions/{suggestion['id']}/confirm", headers=auth)
    assert confirmed.status_code == 200 and confirmed.json()["case"] == desk.case_of("T001")
    desk.refresh()
    assert desk.case_of("G003") == desk.case_of("T001")
    assert case_row(web, suggestion["ticket"]["case"]).stage == "merged"


def test_the_statistics_in_json(desk: Desk) -> None:
    web, auth = desk.web, bearer(desk.web, "leader")
    figures = web.client.get("/api/hotline/statistics?since=2026-03-01&until=2026-03-31", headers=auth).json()
    assert (figures["tickets"], figures["cases"], figures["answers_saved"]) == (6, 4, 2)
    assert figures["tickets_per_channel"] == {"12315": 3, "12345": 3}
    assert figures["by_kind"] == {"投诉": 2, "举报": 1, "咨询": 1}
    # No channel gave a problem category: each case's is read from its words (关门停业, 过期, 三包).
    assert figures["by_problem"] == {"预付式消费": 2, "食品安全": 1, "售后服务": 1}
    assert figures["breached_clocks"] == 3 and figures["breaches"][0]["office"] == "投诉举报中心"
    assert figures["repeat_respondents"] == [] and CALLER not in str(figures)
    swapped = web.client.get("/api/hotline/statistics?since=2026-03-31&until=2026-03-01", headers=auth).json()
    assert swapped["since"] == "2026-03-01" and swapped["cases"] == 4
    default = web.client.get("/api/hotline/statistics", headers=auth).json()
    assert default["cases"] == 0  # the last 30 days
    assert web.client.get("/api/hotline/statistics?since=nonsense", headers=auth).status_code == 422


# --- a channel's platform pushes its tickets -------------------------------------------------------------------


def platform_token(desk: Desk, channel: str) -> dict[str, str]:
    """The target of the channel's platform (which its answers go to), and a token of that platform."""
    root = desk.web.workspace.root
    body = {"name": channel, "owner": "LZ-TSJB", "record_types": ["ticket_answer"],
            "filter": {"sources": [f"answers-{channel}-lz-tsjb"]}, "fields": {"GDBH": "number"},
            "transport": {"kind": "file", "folder": "out"}}  # fmt: skip
    (root / "targets").mkdir(exist_ok=True)
    (root / "targets" / f"{channel}.yaml").write_text(yaml.safe_dump(body, allow_unicode=True), "utf-8")
    with desk.web.sessions() as session, session.begin():
        _, secret = create_platform_token(session, OPERATOR, root, channel, name=f"{channel} 平台")
    return {"Authorization": f"Bearer {secret}"}


def pushed(number: str, **more: Any) -> dict[str, Any]:
    return {"number": number, "received_at": "2026-03-06 09:00:00", "kind": "投诉", "caller_name": "孙七",
            "caller_phone": "13800000010", "respondent_name": "柳州市柳南区好运来超市",
            "text": "超市收银多收了钱，要求退还差价", **more}  # fmt: skip


def ticket_counts(web: Web) -> tuple[int, int]:
    with web.sessions() as session:
        records = session.scalar(select(func.count()).where(Record.record_type == "ticket"))
        versions = session.scalar(select(func.count()).select_from(RecordVersion).join(Record).where(
            Record.record_type == "ticket"))  # fmt: skip
    return int(records or 0), int(versions or 0)


def test_a_platform_pushes_its_tickets_once_whatever_it_repeats(desk: Desk) -> None:
    web, token = desk.web, platform_token(desk, "12315")
    before = ticket_counts(web)
    first = web.client.post("/api/hotline/12315/tickets", json=[pushed("P1"), pushed("P2")], headers=token)
    assert first.status_code == 200, first.text
    assert first.json()["accepted"] == 2 and [t["status"] for t in first.json()["tickets"]] == ["accepted"] * 2
    after = ticket_counts(web)
    assert after == (before[0] + 2, before[1] + 2)
    again = web.client.post("/api/hotline/12315/tickets", json=[pushed("P1"), pushed("P2")], headers=token)
    assert again.status_code == 200
    assert again.json()["records"] == {"new": 0, "changed": 0, "unchanged": 2, "repeated_in_file": 0}
    assert ticket_counts(web) == after  # the same push twice changes nothing
    taken = web.client.post("/api/hotline/take-in", headers=bearer(web, "hotline")).json()
    assert taken["tickets"] == 2
    desk.refresh()
    assert desk.case_of("P1") == desk.case_of("P2")  # the same caller, business and words: one case


def test_a_pushed_ticket_the_ingest_refuses_waits_in_quarantine(desk: Desk) -> None:
    web, token = desk.web, platform_token(desk, "12315")
    answer = web.client.post("/api/hotline/12315/tickets", json=[pushed("P3"), pushed("P4", received_at="昨天")],
                             headers=token)  # fmt: skip
    assert answer.status_code == 200
    assert [(t["number"], t["status"]) for t in answer.json()["tickets"]] == [("P3", "accepted"),
                                                                            ("P4", "quarantined")]  # fmt: skip


def test_a_push_needs_the_channels_own_platform_token_and_bounded_tickets(desk: Desk) -> None:
    web = desk.web
    url = "/api/hotline/12315/tickets"
    assert web.client.post(url, json=[pushed("P5")]).status_code == 401
    assert web.client.post(url, json=[pushed("P5")], headers=bearer(web, "hotline")).status_code == 401
    other = platform_token(desk, "12345")
    refused = web.client.post(url, json=[pushed("P5")], headers=other)
    error = refused.json()["error"]
    assert refused.status_code == 403 and error["code"] == "forbidden"
    assert "`12345`" in error["message"] and "cannot push tickets of channel `12315`" in error["message"]
    assert "不能推送渠道" in error["message"]
    token = platform_token(desk, "12315")
    for body in ([], [pushed("P6", secret="x")], [pushed("P7", text="长" * 4001)], [pushed("P8")] * 1001,
                 [{"kind": "投诉"}], {"number": "P9"}):  # fmt: skip
        answer = web.client.post(url, json=body, headers=token)
        assert answer.status_code == 422 and answer.json()["error"]["code"] == "invalid_input", str(body)[:60]
    assert ticket_counts(web)[0] == 6


def test_who_handles_a_case_is_a_leaders_word_and_a_case_moved_away_is_answered(desk: Desk) -> None:
    """A handler who sees a report could name themselves its handler and so see the reporter (Art 33: the assigned
    handler only): naming a handler is a leader's, or the case's own handler's handing it over. And a case moved out
    of the caller's departments was moved, then answered 404 and rolled back: now answered, and moved."""
    web, report = desk.web, desk.case_of("T002")
    base = f"/api/hotline/cases/{report}/assign"
    desk_handler, leader = bearer(web, "hotline"), bearer(web, "chengzhong")
    routed = web.client.post(base, json={"office": "LZ-CZ-ZN", "reason": "属地管辖"}, headers=desk_handler)
    assert routed.status_code == 200, routed.text  # an office, its least-loaded handler: the desk's way
    holder = case_row(web, report).handler_id
    taken = web.client.post(base, json={"handler": "hotline", "reason": "自行承办"}, headers=desk_handler)
    assert taken.status_code == 403 and case_row(web, report).handler_id == holder
    named = web.client.post(base, json={"handler": "zhongnan", "reason": "熟悉该超市"}, headers=leader)
    assert named.status_code == 200 and case_row(web, report).handler_id == holder
    zhongnan = bearer(web, "zhongnan")
    away = web.client.post(base, json={"office": "LZ-YF", "reason": "被举报超市在鱼峰区"}, headers=zhongnan)
    assert away.status_code == 200 and away.json() == {"number": report, "assigned": True, "visible": False}
    with web.sessions() as session:
        office = session.scalar(select(Case.office_id).where(Case.number == report))
        assert office == session.scalar(select(Department.id).where(Department.code == "LZ-YF"))


def test_routing_a_case_to_ones_own_office_does_not_make_one_its_handler(desk: Desk) -> None:
    """The least-loaded handler of an office takes a case routed there, but never the one routing it (unless a
    leader, or the case's own handler): else a handler who may not name themselves would route a report to their
    own office, be chosen, and read the reporter (Art 33)."""
    web, report = desk.web, desk.case_of("T002")
    base = f"/api/hotline/cases/{report}/assign"
    desk_handler = bearer(web, "hotline")
    routed = web.client.post(base, json={"office": "LZ-CZ-ZN", "reason": "属地管辖"}, headers=desk_handler)
    assert routed.status_code == 200
    with web.sessions() as session:
        me = session.scalar(select(User.id).where(User.username == "hotline"))
        desk_id = session.scalar(select(Department.id).where(Department.code == DESK))
    back = web.client.post(base, json={"office": DESK, "reason": "退回中心"}, headers=desk_handler)
    assert back.status_code == 200, back.text
    row = case_row(web, report)
    assert row.office_id == desk_id and row.handler_id != me  # the desk's other handler, or none for its leader
    read = web.client.get(f"/api/hotline/cases/{report}", params={"purpose": "核实举报"}, headers=desk_handler)
    assert read.status_code == 403
