"""Cases: tickets of two channels merged, suggested, split, routed, decided and answered through the outbox."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.delivery.platform import platform
from tests.hotline.desk import GYM, HEADER_12315, HEADER_12345, ingest_all, write_export, zz
from zhizhi.access import create_user
from zhizhi.access.roles import Actor, Role
from zhizhi.config import Workspace, load_workspace
from zhizhi.delivery import load_target
from zhizhi.delivery.send import send_once
from zhizhi.errors import InputError, NotFoundError, PermissionDeniedError
from zhizhi.hotline import (
    DeskChore,
    case_view,
    clock_states,
    confirm,
    decide,
    extend,
    get_case,
    keep_apart,
    load_calendar,
    lookup,
    open_suggestions,
    pause,
    push_tickets,
    resume,
    split,
    take_in,
)
from zhizhi.store.tables import AuditEvent, Case, CaseSuggestion, CaseTicket, Delivery, Department, Record, User

DESK_DAY = date(2026, 3, 10)


def _case_of(session: Session, number: str) -> Case:
    record = session.scalar(select(Record.id).where(Record.record_type == "ticket", Record.key == f"number={number}"))
    return session.get_one(Case, session.scalar(select(CaseTicket.case_id).where(CaseTicket.record_id == record)))


def _record(session: Session, number: str) -> int:
    found = session.scalar(select(Record.id).where(Record.record_type == "ticket", Record.key == f"number={number}"))
    assert found is not None
    return found


def _settings(workspace: Workspace, **hotline: object) -> Workspace:
    path = workspace.root / "zhizhi.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["hotline"] = {**config.get("hotline", {}), **hotline}
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return load_workspace(workspace.root)


def _actor(session: Session, username: str) -> Actor:
    user = session.scalar(select(User).where(User.username == username))
    assert user is not None
    department = session.get_one(Department, user.department_id)
    return Actor(user.username, user.id, department.id, department.path, frozenset(Role(r) for r in user.role_names))


def test_the_same_grievance_on_both_channels_and_a_repeat_call_become_one_case(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    ingest_all(workspace, tmp_path)
    with city() as session, session.begin():
        done = take_in(session, OPERATOR, workspace)
    assert (done.tickets, done.opened, done.merged) == (5, 3, 2)
    with city() as session:
        gym = _case_of(session, "T001")
        assert _case_of(session, "G001").id == gym.id and _case_of(session, "G002").id == gym.id
        assert len({_case_of(session, n).id for n in ("T001", "T002", "T003")}) == 3
        assert gym.kind == "complaint" and gym.stage == "received" and gym.received_on == date(2026, 3, 2)
        assert gym.respondent_division == "450202"  # from the address: Art 12's county
        links = session.scalars(select(CaseTicket).where(CaseTicket.case_id == gym.id)).all()
        merged = [link for link in links if link.how == "merged"]
        assert len(merged) == 2 and all(link.score is not None and link.score >= 0.9 for link in merged)
        assert all(json.loads(link.reasons or "{}")["reasons"] for link in merged)  # each merge says why
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("case.%"))).all()
        assert actions.count("case.opened") == 3 and actions.count("case.merged") == 2
        # Nothing is taken twice.
    with city() as session, session.begin():
        assert take_in(session, OPERATOR, workspace).tickets == 0


@pytest.mark.parametrize("others_merge", [True, False])
def test_another_callers_ticket_waits_for_a_handler_when_the_bureau_says_so(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path, others_merge: bool
) -> None:
    """Another member of the gym that closed: one dispute (Art 11), which joins the case on its own; with
    `hotline.merge_other_callers: false` it opens a case of its own and is suggested to the gym's case, while the
    same caller's tickets still join on their own."""
    workspace = _settings(workspace, merge_other_callers=others_merge)
    ingest_all(workspace, tmp_path)
    other = ["G003", "2026-03-05 10:00:00", "投诉", "李五", "13700000005", "金力健身房", "柳州市城中区文昌路12号",
             "来电人称金力健身房关门了，办的半年卡1500元还剩四个月没用，要求退费", "办理中"]  # fmt: skip
    code, out = zz(workspace, "ingest", "rexian-12345", str(write_export(tmp_path / "g003.csv", HEADER_12345, [other])))
    assert code == 0, out
    with city() as session, session.begin():
        done = take_in(session, OPERATOR, workspace)
    with city() as session:
        gym = _case_of(session, "T001")
        assert _case_of(session, "G001").id == gym.id == _case_of(session, "G002").id  # the same caller's
        joined = _case_of(session, "G003").id == gym.id
        waiting = session.scalars(select(CaseSuggestion).where(CaseSuggestion.case_id == gym.id)).all()
    assert joined is others_merge and bool(waiting) is not others_merge
    assert done.merged == (3 if others_merge else 2)


def _suggested(workspace: Workspace, city: sessionmaker[Session], tmp_path: Path) -> tuple[Workspace, int]:
    """The desk with no automatic merge but a repeat call's: G001 (the same grievance, other words, other channel)
    waits as a suggestion to T001's case."""
    workspace = _settings(workspace, merge_at=1.0, review_from=0.2)
    ingest_all(workspace, tmp_path)
    with city() as session, session.begin():
        done = take_in(session, OPERATOR, workspace)
        assert done.merged <= 1 and done.suggested >= 1  # at most the repeat call (再次反映) joins on its own
        first = _case_of(session, "T001")
        assert _case_of(session, "G001").id != first.id
        waiting = [s for s in open_suggestions(session, _actor(session, "hotline")) if s.case_id == first.id]
        g001 = next(s for s in waiting if s.record_id == _record(session, "G001"))
        assert g001.score < 1.0 and json.loads(g001.reasons)["reasons"]
        return workspace, g001.id


def test_a_handler_confirms_a_suggestion_and_undoes_it(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    workspace, suggestion = _suggested(workspace, city, tmp_path)
    with city() as session, session.begin():
        handler = _actor(session, "hotline")
        first = _case_of(session, "T001")
        kept = confirm(session, handler, suggestion)
        assert kept.id == first.id  # the older case keeps the case (Art 13)
        assert _case_of(session, "G001").id == first.id
        record = _record(session, "G001")
        moved_from = session.scalar(select(CaseTicket.from_case_id).where(CaseTicket.record_id == record))
        assert session.get_one(Case, moved_from).stage == "merged"
        with pytest.raises(InputError):
            confirm(session, handler, suggestion)  # decided once
    with city() as session, session.begin():  # undo: the merged case comes back, open again
        handler = _actor(session, "hotline")
        with pytest.raises(InputError, match="reason"):
            split(session, handler, workspace, _record(session, "G001"), reason=" ")
        back = split(session, handler, workspace, _record(session, "G001"), reason="两件诉求金额不同，非同一争议")
        assert back.stage == "received" and _case_of(session, "G001").id == back.id
        assert _case_of(session, "T001").id != back.id
        assert session.scalar(select(func.count()).where(AuditEvent.action == "case.split")) == 1
        assert session.scalar(select(func.count()).where(AuditEvent.action == "case.merged_cases")) == 1


def test_a_ticket_joining_a_decided_case_by_confirmation_is_answered_and_a_decided_case_is_not_merged_away(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    workspace, suggestion = _suggested(workspace, city, tmp_path)
    with city() as session, session.begin():
        handler = _actor(session, "hotline")
        gym, g001 = _case_of(session, "T001"), _case_of(session, "G001")
        decide(session, handler, workspace, g001, "accepted")  # the younger case, decided on its own
        with pytest.raises(InputError, match="decided"):
            confirm(session, handler, suggestion, workspace)
    with city() as session, session.begin():
        handler = _actor(session, "hotline")
        gym = _case_of(session, "T001")
        decide(session, handler, workspace, gym, "accepted")
        other = _case_of(session, "T003")  # younger, undecided: joins the decided older case and is answered
        from zhizhi.hotline import merge_cases

        merge_cases(session, handler, other, gym, why="同一诉求", workspace=workspace)
        assert _case_of(session, "T003").id == gym.id
        answered = session.scalar(select(CaseTicket.answer_version_id).where(
            CaseTicket.record_id == _record(session, "T003")))  # fmt: skip
        assert answered is not None


def test_a_suggestion_is_seen_only_by_those_who_see_both_its_cases(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """A suggestion shows a text and a respondent of each side: an office that sees one side only neither lists
    it, nor finds it on its case, nor learns by a refusal that it exists (404, as for any case it cannot see)."""
    workspace, suggestion = _suggested(workspace, city, tmp_path)
    with city() as session, session.begin():
        offices = {c: session.scalar(select(Department.id).where(Department.code == c)) for c in ("LZ-CZ", "LZ-YF")}
        _case_of(session, "T001").office_id = offices["LZ-CZ"]
        _case_of(session, "G001").office_id = offices["LZ-YF"]
    with city() as session, session.begin():
        office, desk = _actor(session, "chengzhong"), _actor(session, "hotline")
        gym = _case_of(session, "T001")
        assert suggestion not in [s.id for s in open_suggestions(session, office)]
        assert suggestion in [s.id for s in open_suggestions(session, desk)]
        calendar = load_calendar(workspace.root)
        shown = case_view(session, office, gym, calendar, today=DESK_DAY)["suggestions"]
        assert suggestion not in [s["id"] for s in shown]
        assert suggestion in [s["id"] for s in case_view(session, desk, gym, calendar, today=DESK_DAY)["suggestions"]]
        for decision in (confirm, keep_apart):
            with pytest.raises(NotFoundError):
                decision(session, office, suggestion)
        assert session.get_one(CaseSuggestion, suggestion).status == "open"


def test_a_handler_keeps_a_suggestion_apart(workspace: Workspace, city: sessionmaker[Session], tmp_path: Path) -> None:
    workspace, suggestion = _suggested(workspace, city, tmp_path)
    with city() as session, session.begin():
        keep_apart(session, _actor(session, "hotline"), suggestion)
        assert session.get_one(CaseSuggestion, suggestion).status == "apart"
        assert _case_of(session, "G001").id != _case_of(session, "T001").id
        assert session.scalar(select(func.count()).where(AuditEvent.action == "case.kept_apart")) == 1
        with pytest.raises(InputError):
            keep_apart(session, _actor(session, "hotline"), suggestion)


def test_an_automatic_merge_is_undone_into_a_case_of_its_own(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    ingest_all(workspace, tmp_path)
    with city() as session, session.begin():
        take_in(session, OPERATOR, workspace)
        gym = _case_of(session, "T001")
        alone = split(session, _actor(session, "hotline"), workspace, _record(session, "G002"), reason="另案处理")
        assert alone.id != gym.id and alone.stage == "received"
        assert _case_of(session, "G001").id == gym.id
        kept_apart = session.scalar(select(CaseSuggestion).where(CaseSuggestion.record_id == _record(session, "G002")))
        assert kept_apart is not None and kept_apart.status == "apart" and kept_apart.case_id == gym.id


def test_routing_rules_send_a_case_to_the_respondents_county_and_balance_handlers(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    (workspace.root / "routing.yaml").write_text(
        "default: LZ-TSJB\nrules:\n"
        "  - {name: 城中区, when: {divisions: ['450202'], kinds: [complaint]}, office: LZ-CZ-ZN}\n"
        "  - {name: 过期食品, when: {keywords: [过期]}, office: LZ-YF}\n",
        encoding="utf-8",
    )
    with city() as session, session.begin():
        office = session.scalar(select(Department).where(Department.code == "LZ-CZ-ZN"))
        assert office is not None
        create_user(session, OPERATOR, username="zhongnan2", display_name="郑执法", department_code="LZ-CZ-ZN",
                    roles=["handler"], password="Zz-test-password-1", password_min_length=8)  # fmt: skip
    ingest_all(workspace, tmp_path)
    row = ["T009", "2026-03-05 10:00:00", "投诉", "赵六", "13800000009", "柳州市城中区明珠眼镜店", "",
           "柳州市城中区五一路3号", "眼镜店配的镜片度数不对，要求重新配镜", "待受理"]  # fmt: skip
    extra = write_export(tmp_path / "more.csv", HEADER_12315, [row], "gbk")
    assert zz(workspace, "ingest", "rexian-12315", str(extra))[0] == 0
    with city() as session, session.begin():
        take_in(session, OPERATOR, workspace)
    with city() as session:
        gym, shop, milk, question = (_case_of(session, n) for n in ("T001", "T009", "T002", "T003"))
        zn = session.scalar(select(Department.id).where(Department.code == "LZ-CZ-ZN"))
        assert gym.office_id == zn and shop.office_id == zn and "城中区" in (gym.routed_by or "")
        assert {gym.handler_id, shop.handler_id} == set(
            session.scalars(select(User.id).where(User.username.in_(["zhongnan", "zhongnan2"])))
        )  # two open cases, two handlers: one each
        assert milk.office_id == session.scalar(select(Department.id).where(Department.code == "LZ-YF"))
        assert question.office_id == session.scalar(select(Department.id).where(Department.code == "LZ-TSJB"))
    (workspace.root / "routing.yaml").write_text("rules:\n  - {name: x, office: NOPE}\n", encoding="utf-8")
    code, out = zz(workspace, "cases", "take-in")
    assert code == 0  # nothing new: the rules are not read
    with city() as session, session.begin():
        push_tickets(session, workspace, OPERATOR, "12315", [_pushed("T010")], department="LZ-TSJB")
    code, out = zz(workspace, "cases", "take-in")
    assert code != 0 and "NOPE" in out


def _pushed(number: str, **more: str) -> dict[str, str]:
    return {
        "number": number, "received_at": "2026-03-06 09:00:00", "kind": "投诉", "caller_name": "孙七",
        "caller_phone": "13800000010", "respondent_name": "柳州市柳南区好运来超市",
        "respondent_address": "柳州市柳南区航生路1号", "text": "超市收银多收了钱，要求退还差价", **more,
    }  # fmt: skip


def _answer_target(workspace: Workspace, channel: str, url: str) -> None:
    body = {
        "name": channel,
        "title": f"{channel} 平台",
        "owner": "LZ-TSJB",
        "record_types": ["ticket_answer"],
        "filter": {"sources": [f"answers-{channel}-lz-tsjb"]},
        "fields": {"GDBH": "number", "AJBH": "case_number", "CLJG": "status_code", "QYMC": "result",
                   "DFSJ": "answered_at"},
        "transport": {"kind": "http", "url": url},
    }  # fmt: skip
    (workspace.root / "targets").mkdir(exist_ok=True)
    (workspace.root / "targets" / f"{channel}.yaml").write_text(yaml.safe_dump(body, allow_unicode=True), "utf-8")


def test_a_decision_is_answered_once_to_every_ticket_on_each_channel_through_the_outbox(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    with platform() as p15, platform() as p45:
        _answer_target(workspace, "12315", p15.url)
        _answer_target(workspace, "12345", p45.url)
        ingest_all(workspace, tmp_path)
        with city() as session, session.begin():
            take_in(session, OPERATOR, workspace)
            gym = _case_of(session, "T001")
            handler = _actor(session, "hotline")
            with pytest.raises(InputError, match="Art 15"):
                decide(session, handler, workspace, gym, "not_accepted", reason_code="9")
            with pytest.raises(InputError):
                decide(session, handler, workspace, gym, "mediated", result="退款")  # not accepted yet
            assert decide(session, handler, workspace, gym, "accepted", today=DESK_DAY) == 3
        for channel in ("12315", "12345"):
            send_once(city, load_target(workspace.root, channel))
        with city() as session:
            states = session.execute(select(Delivery.target, Delivery.status)).all()
            assert sorted(states) == [("12315", "acknowledged"), ("12345", "acknowledged"), ("12345", "acknowledged")]
        assert sorted(r["GDBH"] for r in p45.applied.values()) == ["G001", "G002"]
        assert [r["CLJG"] for r in p15.applied.values()] == ["02"] and {r["CLJG"] for r in p45.applied.values()} == {
            "20"
        }
        with city() as session, session.begin():  # the result once: both channels, the next version of each answer
            gym = _case_of(session, "T001")
            decide(
                session, _actor(session, "hotline"), workspace, gym, "mediated", result="经调解，经营者退还会费2200元"
            )
            with pytest.raises(InputError, match="already"):
                decide(session, _actor(session, "hotline"), workspace, gym, "terminated", result="x")
        # The caller calling again after the case closed: a case of its own (a new complaint is decided on its own,
        # Art 14-15), the closed one shown beside it; nothing is answered for it, nothing is sent twice.
        with city() as session, session.begin():
            push_tickets(session, workspace, OPERATOR, "12345", [{
                "number": "G003", "received_at": "2026-03-12 10:00:00", "kind": "投诉", "caller_name": "张三",
                "caller_phone": "13800000001", "respondent_name": "金力健身房",
                "respondent_address": "柳州市城中区文昌路12号",
                "text": "再次反映：金力健身房关门，剩余会费2200元未退，要求处理"}])  # fmt: skip
            again = take_in(session, OPERATOR, workspace)
            assert (again.opened, again.suggested, again.answered) == (1, 1, 0)
        for channel in ("12315", "12345"):
            send_once(city, load_target(workspace.root, channel))
        assert all(n == 1 for n in (*p15.arrivals.values(), *p45.arrivals.values()))
        assert sorted(r["GDBH"] for r in p45.applied.values()) == ["G001", "G001", "G002", "G002"]
        assert {r["QYMC"] for r in p45.applied.values() if r["CLJG"] == "30"} == {
            "经调解，经营者退还会费2200元"
        }  # the handler's words as written
        with city() as session:
            assert session.scalar(select(func.count()).where(Delivery.status != "acknowledged")) == 0
            unanswered = select(func.count()).where(CaseTicket.answer_version_id.is_(None))
            assert session.scalar(unanswered) == 3  # T002, T003, G003


def test_clocks_count_working_days_pause_for_appraisal_and_warn_before_a_breach(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    ingest_all(workspace, tmp_path)
    calendar = load_calendar(workspace.root)
    with city() as session, session.begin():
        take_in(session, OPERATOR, workspace)
        gym = _case_of(session, "T001")  # received Monday 2 March 2026: 7 working days -> Wednesday 11 March
        ((acceptance, state, _),) = clock_states(session, gym, calendar, date(2026, 3, 9), 2)
        assert state is not None and state.deadline == date(2026, 3, 11) and state.status == "warning"
        assert clock_states(session, gym, calendar, date(2026, 3, 12), 2)[0][1].status == "breached"  # type: ignore[union-attr]
        handler = _actor(session, "hotline")
        decide(session, handler, workspace, gym, "accepted", today=date(2026, 3, 6))
        pause(session, handler, gym, reason="送检：检测机构鉴定质量", start=date(2026, 3, 16))
        with pytest.raises(InputError):
            pause(session, handler, gym, reason="again", start=date(2026, 3, 17))
        resume(session, handler, gym, last_day=date(2026, 3, 27))  # ten working days not counted
        states = {c.rule.name: s for c, s, _ in clock_states(session, gym, calendar, date(2026, 3, 30), 2)}
        assert states["acceptance"] is not None and states["acceptance"].status == "met"
        mediation = states["mediation"]
        # 45 working days after 6 March, with 16-27 March (10 working days) not counted and Qingming (6 April off):
        assert mediation is not None and mediation.elapsed == 6
        milk = _case_of(session, "T002")  # a report: 15 working days to verify, +15 approved
        ((_, report, _),) = clock_states(session, milk, calendar, date(2026, 3, 4), 2)
        assert report is not None and report.deadline == date(2026, 3, 24)


def test_settled_clocks_are_not_rewritten_and_a_ground_found_after_acceptance_terminates_the_mediation(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """An extension approved after the report's deadline turned its breach into a running clock; a pause recorded on
    a closed case turned a late mediation into one met; `not_accepted` after acceptance closed the case with its
    mediation clock still running (a false breach) and sent the platform 02 then 03. Art 21(6): terminate."""
    ingest_all(workspace, tmp_path)
    calendar = load_calendar(workspace.root)
    with city() as session, session.begin():
        take_in(session, OPERATOR, workspace)
        gym, milk = _case_of(session, "T001"), _case_of(session, "T002")  # milk: a report due 24 March
        handler = _actor(session, "hotline")
        decide(session, handler, workspace, gym, "accepted", today=date(2026, 3, 6))
        with pytest.raises(InputError, match=r"Art 21\(6\)") as late_ground:
            decide(session, handler, workspace, gym, "not_accepted", reason_code="2")
        assert "终止调解" in (late_ground.value.message_zh or "")
        with pytest.raises(InputError, match="due 2026-03-24"):
            extend(session, handler, milk, reason="特殊情况经批准", calendar=calendar, today=date(2026, 3, 30))
        extend(session, handler, milk, reason="特殊情况经批准", calendar=calendar, today=date(2026, 3, 20))
        decide(session, handler, workspace, milk, "not_opened", result="经核查未发现违法行为")
        with pytest.raises(InputError, match="settled"):
            pause(session, handler, milk, reason="送检：检测机构鉴定", start=date(2026, 3, 10))
        with pytest.raises(InputError, match="settled"):
            extend(session, handler, milk, reason="特殊情况经批准")


def test_identities_by_the_desks_rule_and_every_view_audited(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    ingest_all(workspace, tmp_path)
    calendar = load_calendar(workspace.root)
    with city() as session, session.begin():
        take_in(session, OPERATOR, workspace)
    with city() as session, session.begin():
        gym, milk = _case_of(session, "T001"), _case_of(session, "T002")
        handler, leader, steward = (_actor(session, u) for u in ("hotline", "leader", "steward"))
        masked = case_view(session, handler, gym, calendar)
        assert {t["caller_phone"] for t in masked["tickets"]} == {"138****0001"}
        shown = case_view(session, handler, gym, calendar, purpose="投诉处理：回访投诉人")
        assert {t["caller_phone"] for t in shown["tickets"]} == {"13800000001"} and shown["identity_shown"]
        assert session.scalar(select(func.count()).where(
            AuditEvent.action == "personal.read", AuditEvent.object_id == gym.number)) == 1  # fmt: skip
        with pytest.raises(PermissionDeniedError):  # the bureau's leader, over the office: not its leader
            case_view(session, leader, gym, calendar, purpose="督办")
        create_user(session, OPERATOR, username="desk_leader", display_name="中心主任", department_code="LZ-TSJB",
                    roles=["leader"], password="a-long-password-1", password_min_length=12)  # fmt: skip
        session.flush()
        office_leader = _actor(session, "desk_leader")
        assert case_view(session, office_leader, gym, calendar, purpose="督办")["identity_shown"]  # the office's
        with pytest.raises(PermissionDeniedError, match="assigned handler may") as refused:
            case_view(session, leader, milk, calendar, purpose="督办")  # a reporter: the handler only (Art 33)
        assert "第三十三条" in (refused.value.message_zh or "")
        with pytest.raises(PermissionDeniedError):
            case_view(session, steward, gym, calendar, purpose="数据核对")
        with pytest.raises(NotFoundError):
            get_case(session, steward, gym.number)  # another department's case is not theirs to open
        view = case_view(session, leader, milk, calendar)
        assert not view["may_see_identity"] and all("*" in t["caller_name"] for t in view["tickets"])


def test_the_citizens_lookup_shows_the_stage_only_and_the_same_nothing_for_wrong_digits(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    ingest_all(workspace, tmp_path)
    with city() as session, session.begin():
        take_in(session, OPERATOR, workspace)
        decide(session, _actor(session, "hotline"), workspace, _case_of(session, "T001"), "accepted")
    with city() as session:
        found = lookup(session, "G001", "0001")
        assert found is not None and found.stage_zh == "处理中" and found.received_on == "2026-03-02"
        assert "张三" not in json.dumps(found.__dict__, ensure_ascii=False) and GYM not in str(found)
        assert lookup(session, "G001", "0002") is None and lookup(session, "G999", "0001") is None
        assert lookup(session, "G001", "01") is None and lookup(session, "", "0001") is None


def test_a_platforms_push_is_idempotent_by_ticket_number(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    with city() as session, session.begin():
        first = push_tickets(session, workspace, OPERATOR, "12315", [_pushed("P1"), _pushed("P2", received_at="x")],
                             department="LZ-TSJB")  # fmt: skip
    assert (first["accepted"], first["quarantined"]) == (1, 1)
    refused = first["tickets"][1]
    assert refused["status"] == "quarantined" and refused["problems"][0]["field"] == "received_at"
    assert refused["reason"] and refused["problems"][0]["message_zh"]
    with city() as session, session.begin():
        again = push_tickets(session, workspace, OPERATOR, "12315", [_pushed("P1")], department="LZ-TSJB")
    assert again["records"]["new"] == 0 and again["records"]["unchanged"] == 1
    with city() as session, session.begin():
        with pytest.raises(InputError, match="unknown field"):
            push_tickets(session, workspace, OPERATOR, "12315", [{"number": "P3", "secret": "x"}], department="LZ-TSJB")
        with pytest.raises(InputError, match="at most 4000"):
            push_tickets(session, workspace, OPERATOR, "12315", [_pushed("P4", text="长" * 4001)], department="LZ-TSJB")
    with city() as session:
        assert session.scalar(select(func.count()).where(Record.record_type == "ticket")) == 1


def test_the_worker_takes_new_tickets_into_cases_and_the_cli_shows_and_decides(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    ingest_all(workspace, tmp_path)
    chore = DeskChore(city, workspace)
    chore()
    chore()  # nothing new: nothing done
    with city() as session:
        assert session.scalar(select(func.count()).select_from(CaseTicket)) == 5
        number = _case_of(session, "T001").number
    with city() as session, session.begin():
        push_tickets(session, workspace, OPERATOR, "12315", [_pushed("T011")], department="LZ-TSJB")
    chore()  # only what is new since the last look
    with city() as session:
        assert session.scalar(select(func.count()).select_from(CaseTicket)) == 6
    code, out = zz(workspace, "cases", "list", "--json")
    assert code == 0 and {row["tickets"] for row in json.loads(out)} == {3, 1}
    code, out = zz(workspace, "cases", "show", number, "--json")
    shown = json.loads(out)
    assert code == 0 and shown["tickets"][0]["caller_phone"] == "138****0001" and not shown["identity_shown"]
    text = "金力健身房突然关门停业，年卡剩余会费2200元没有退还，要求退款"
    code, out = zz(
        workspace,
        "hotline",
        "check",
        text,
        "--phone",
        "13800000001",
        "--received",
        "2026-03-12",
        "--json",
        "--respondent",
        "金力健身房",
    )
    assert code == 0 and json.loads(out)[0]["case"] == number and json.loads(out)[0]["reasons"]
    code, out = zz(workspace, "cases", "decide", number, "not_accepted", "--json")
    assert code != 0 and "Art 15" in out
    code, out = zz(workspace, "cases", "decide", number, "not_accepted", "--ground", "2", "--json")
    assert code == 0 and json.loads(out)["stage"] == "closed"
    code, out = zz(workspace, "cases", "stats", "--since", "2026-03-01", "--until", "2026-03-31", "--json")
    figures = json.loads(out)
    assert code == 0 and (figures["tickets"], figures["cases"], figures["answers_saved"]) == (6, 4, 2)


def test_personal_read_elsewhere_does_not_open_a_tickets_identity(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    from zhizhi.ingest.batches import batch_rows
    from zhizhi.records.history import record_history
    from zhizhi.store.tables import Batch

    ingest_all(workspace, tmp_path)
    with city() as session, session.begin():
        handler = _actor(session, "hotline")  # personal.read, and the desk's own department
        record = _record(session, "T001")
        with pytest.raises(PermissionDeniedError, match="case's page"):
            record_history(session, handler, record, purpose="核对数据")
        batch = session.scalar(select(Batch.id).where(Batch.source == "rexian-12315"))
        assert batch is not None
        with pytest.raises(PermissionDeniedError, match="case's page"):
            batch_rows(session, handler, batch, purpose="核对数据")
        masked = record_history(session, handler, record)
        assert "*" in json.dumps(masked, ensure_ascii=False)
        assert session.scalar(select(func.count()).where(AuditEvent.action == "personal.read")) == 0


def test_a_case_links_to_its_register_entity_by_credit_code_or_name_and_the_entitys_file_lists_it(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    from zhizhi.hotline import entity_cases
    from zhizhi.store.tables import Entity

    now = datetime.now(UTC)
    golden = json.dumps({"address_division_code": {"value": "450202"}, "industry_code": {"value": "R8920"}})
    with city() as session, session.begin():
        firms = [
            ("柳州市城中区金力健身房", "92450202MA5L000010"),
            ("柳州市鱼峰区好又多超市有限公司", "91450203MA5L00002L"),
        ]
        for i, (name, uscc) in enumerate(firms, start=900_001):
            session.add(Entity(id=i, status="active", name=name, uscc=uscc, golden=golden, records=1,
                               created_at=now, updated_at=now))  # fmt: skip
    ingest_all(workspace, tmp_path)
    with city() as session, session.begin():
        take_in(session, OPERATOR, workspace)
        gym = _case_of(session, "T001")
        assert gym.entity_id == 900_001  # by name: trade name and industry word, the county agreeing
        assert _case_of(session, "T002").entity_id is None  # 好又多超市 is not 好又多超市有限公司's industry word alone
        listed = entity_cases(session, _actor(session, "leader"), 900_001)
        assert [c["number"] for c in listed] == [gym.number] and listed[0]["may_open"]
        assert entity_cases(session, _actor(session, "steward"), 900_001)[0]["may_open"] is False
        push_tickets(session, workspace, OPERATOR, "12315", [_pushed("T020", respondent_uscc="91450203MA5L00002L")],
                     department="LZ-TSJB")  # fmt: skip
        take_in(session, OPERATOR, workspace)
        assert _case_of(session, "T020").entity_id == 900_002  # by credit code


def test_a_respondent_by_name_is_never_a_branchs_parent_and_a_city_wide_address_holds_its_districts(
    city: sessionmaker[Session],
) -> None:
    """A complaint about a branch (…城中分公司) named its parent company; a respondent whose address was read to its
    city only (450200) never linked by name, while one with no address did."""
    from datetime import UTC, datetime

    from zhizhi.hotline.respondents import Register
    from zhizhi.store.tables import Entity

    now = datetime.now(UTC)
    with city() as session, session.begin():
        for i, (name, division) in enumerate(
            [("柳州市百金商贸有限公司", "450202"), ("柳州市柳福饮品有限公司", "450202")], start=910_001
        ):
            golden = json.dumps({"address_division_code": {"value": division}})
            session.add(Entity(id=i, status="active", name=name, golden=golden, records=1, created_at=now,
                               updated_at=now))  # fmt: skip
    tickets = {
        "branch": {"respondent_name": "柳州市百金商贸有限公司城中分公司", "respondent_address_division_code": "450202"},
        "branch, no address": {"respondent_name": "柳州市百金商贸有限公司城中分公司"},
        "parent": {"respondent_name": "柳州市百金商贸有限公司", "respondent_address_division_code": "450202"},
        "city only": {"respondent_name": "柳州市柳福饮品有限公司", "respondent_address_division_code": "450200"},
        "no address": {"respondent_name": "柳州市柳福饮品有限公司"},
        "another district": {"respondent_name": "柳州市柳福饮品有限公司", "respondent_address_division_code": "450203"},
        "another city": {"respondent_name": "柳州市柳福饮品有限公司", "respondent_address_division_code": "450300"},
    }
    with city() as session:
        register = Register(session, tickets.values())
        found = {what: getattr(register.entity(data), "id", None) for what, data in tickets.items()}
    assert found == {"branch": None, "branch, no address": None, "parent": 910_001, "city only": 910_002,
                     "no address": 910_002, "another district": None, "another city": None}  # fmt: skip


def test_repeat_respondents_are_counted_by_the_register_entity_not_the_name_as_typed(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """One business written two ways by callers (柳州市柳南区阿明经营部 and 柳南区阿明经营部) was two respondents of
    a few cases each; linked to one register entity, it is one respondent of all of them."""
    from zhizhi.hotline import statistics
    from zhizhi.store.tables import Entity
    from zhizhi.store.types import utcnow

    ingest_all(workspace, tmp_path)
    with city() as session, session.begin():
        take_in(session, OPERATOR, workspace)
        session.add(Entity(id=9001, status="active", name="柳州市柳南区阿明经营部", golden="{}", records=1,
                           created_at=utcnow(), updated_at=utcnow()))  # fmt: skip
        session.flush()
        cases = list(session.scalars(select(Case).where(Case.stage != "merged").order_by(Case.id)))
        assert len(cases) >= 2
        for case, written in zip(cases[:2], ("柳州市柳南区阿明经营部", "柳南区阿明经营部"), strict=True):
            case.entity_id, case.respondent_name = 9001, written
    with city() as session:
        figures = statistics(session, OPERATOR, load_calendar(workspace.root), since=date(2026, 1, 1),
                             until=date(2026, 12, 31))  # fmt: skip
    repeat = {r["name"]: r["cases"] for r in figures["repeat_respondents"]}
    assert repeat.get("柳州市柳南区阿明经营部") == 2 and "柳南区阿明经营部" not in repeat


def test_breaches_are_those_due_in_the_period_and_topics_rise_against_the_week_before(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """The gym's complaint of 2 March was due on 11 March: a breach of a period from 10 March though the case was
    received before it, and of no period from 12 March. A phrase in three tickets this week and two the week before
    has not risen, whatever period the figures are asked for (the week before was read only within the period)."""
    from zhizhi.hotline import push_tickets, statistics

    ingest_all(workspace, tmp_path)
    days = ["2026-03-18", "2026-03-19", "2026-03-25", "2026-03-26", "2026-03-27"]  # two the week before, three now
    pushed = [{"number": f"Y{n}", "received_at": f"{day} 10:00:00", "kind": "投诉", "caller_name": f"市民{n}",
               "caller_phone": f"1390000{n:04d}", "respondent_name": f"第{n}家奶茶店",
               "text": f"奶茶店第{n}分店会员卡余额清零，预付卡跑路，要求退款{n}00元"}
              for n, day in enumerate(days)]  # fmt: skip
    with city() as session, session.begin():
        push_tickets(session, workspace, OPERATOR, "12315", pushed, department="LZ-TSJB")
        take_in(session, OPERATOR, workspace)
    calendar = load_calendar(workspace.root)
    with city() as session:
        late = statistics(session, OPERATOR, calendar, since=date(2026, 3, 10), until=date(2026, 3, 31))
        after = statistics(session, OPERATOR, calendar, since=date(2026, 3, 12), until=date(2026, 3, 31))
        week = statistics(session, OPERATOR, calendar, since=date(2026, 3, 25), until=date(2026, 3, 27))
    gym = _case_of_number(city, "T001")
    assert late["breached_clocks"] >= 1 and any(b["clocks"] for b in late["breaches"]), late["breaches"]
    assert late["breached_clocks"] > after["breached_clocks"]  # the gym's acceptance, due 11 March
    assert gym.received_on == date(2026, 3, 2)
    assert "预付卡跑" not in {t["phrase"] for t in week["rising_topics"]}, week["rising_topics"]


def _case_of_number(city: sessionmaker[Session], number: str) -> Case:
    with city() as session:
        return _case_of(session, number)
