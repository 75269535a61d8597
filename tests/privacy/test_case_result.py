"""What a handler writes on a case (its result) is free text: shown with numbers masked unless the callers'
identities are shown, and erased by retention in the case, the answer's versions and the desk's answer files
(SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.hotline.desk import ingest_all
from tests.hotline.test_cases import _actor, _case_of
from tests.hotline.test_desk_privacy import REPORT
from zhizhi.config import Workspace
from zhizhi.hotline import assign, case_view, decide, load_calendar, pause, push_tickets, take_in
from zhizhi.privacy.masking import mask_data
from zhizhi.privacy.retention import expire
from zhizhi.store.tables import AuditEvent, CasePause, Record, RecordVersion
from zhizhi.store.types import utcnow

CALLER_ID, CALLER_PHONE = "450202199001011237", "13812345678"
RESULT = f"已电话回访投诉人（{CALLER_PHONE}，身份证{CALLER_ID}），双方达成和解，商家退还差价。"


def _decided(workspace: Workspace, city: sessionmaker[Session], tmp_path: Path) -> None:
    ingest_all(workspace, tmp_path)
    with city() as session, session.begin():
        push_tickets(session, workspace, OPERATOR, "12315", [{**REPORT, "kind": "投诉"}], department="LZ-TSJB")
        take_in(session, OPERATOR, workspace)
    for decision, result in (("accepted", "已受理。"), ("mediated", RESULT)):
        with city() as session, session.begin():
            decide(session, _actor(session, "hotline"), workspace, _case_of(session, "R001"), decision, result=result)


def _answers(city: sessionmaker[Session]) -> list[str]:
    with city() as session:
        query = select(RecordVersion.data).join(Record, Record.id == RecordVersion.record_id)
        return list(session.scalars(query.where(Record.record_type == "ticket_answer")))


def test_a_case_result_is_masked_unless_identities_are_shown(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    _decided(workspace, city, tmp_path)
    calendar = load_calendar(workspace.root)
    with city() as session, session.begin():
        case = _case_of(session, "R001")
        for reader in ("leader", "registrar", "hotline"):  # the handler too, until a purpose is declared
            shown = case_view(session, _actor(session, reader), case, calendar)["result"]
            assert CALLER_ID not in shown and CALLER_PHONE not in shown and "138****5678" in shown
        mine = case_view(session, _actor(session, "hotline"), case, calendar, purpose="回访投诉人")
        assert mine["identity_shown"] and mine["result"] == RESULT
    answers = _answers(city)
    assert any(CALLER_ID in a for a in answers)
    for answer in answers:  # every record page, list and API answer masks through the catalogue
        masked = mask_data("ticket_answer", json.loads(answer))
        assert CALLER_ID not in str(masked) and CALLER_PHONE not in str(masked) and masked["result"]


def test_retention_erases_a_case_result_its_answers_and_the_answer_files(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    _decided(workspace, city, tmp_path)
    files = sorted((workspace.data_dir / "answers").glob("*/*.jsonl"))
    assert any(CALLER_ID in f.read_text(encoding="utf-8") for f in files)
    with city() as session, session.begin():
        report = expire(session, OPERATOR, workspace, now=utcnow() + timedelta(days=2000))
    by_type = {f.record_type: f for f in report.types}
    assert by_type["ticket"].cases == 1 and by_type["ticket_answer"].files >= 1
    with city() as session:
        result = _case_of(session, "R001").result or ""
    assert CALLER_ID not in result and CALLER_PHONE not in result and "双方达成和解" in result
    assert not any(CALLER_ID in a or CALLER_PHONE in a for a in _answers(city))
    for path in files:
        kept = path.read_text(encoding="utf-8")
        assert CALLER_ID not in kept and CALLER_PHONE not in kept
    for path in files:  # a second run opens no answer file the first one left: bytes it could not read are passed
        status = path.stat()
        path.write_bytes(b"\xff" * status.st_size)
        os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    with city() as session, session.begin():  # a second run changes nothing
        assert expire(session, OPERATOR, workspace, now=utcnow() + timedelta(days=2000)).changed == 0


def test_a_pause_reason_is_masked_in_the_case_and_its_audit_and_erased_by_retention(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """A pause's reason is what a handler typed (送检，联系投诉人 138…): shown masked unless the identities are, kept
    masked in the audit trail (which is never erased), and masked by retention with the case's other texts."""
    _decided(workspace, city, tmp_path)
    reason = f"送检，联系投诉人{CALLER_PHONE}取样"
    calendar = load_calendar(workspace.root)
    with city() as session, session.begin():
        case = _case_of(session, "R001")
        case.stage, case.decision = "accepted", None  # open again, so that its clocks may pause
        pause(session, _actor(session, "hotline"), case, reason=reason, start=case.received_on)
    with city() as session, session.begin():
        case = _case_of(session, "R001")
        [shown] = case_view(session, _actor(session, "leader"), case, calendar)["pauses"]
        assert CALLER_PHONE not in shown["reason"] and "138****5678" in shown["reason"]
        [mine] = case_view(session, _actor(session, "hotline"), case, calendar, purpose="回访投诉人")["pauses"]
        assert mine["reason"] == reason
        details = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "case.paused")).all()
        assert details and all(CALLER_PHONE not in (detail or "") for detail in details)
    with city() as session, session.begin():
        report = expire(session, OPERATOR, workspace, now=utcnow() + timedelta(days=2000))
        assert {f.record_type: f for f in report.types}["ticket"].cases == 1
    with city() as session:
        assert CALLER_PHONE not in str(session.scalars(select(CasePause.reason)).all())


def test_a_reassignment_reason_is_kept_whole_masked_when_shown_and_erased_by_retention(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """改派：and the handler's reason (up to 500 characters) is why the case is where it is: a reason of 248 characters
    was refused by PostgreSQL (the column held 200), and a caller's numbers in it were shown to everyone."""
    ingest_all(workspace, tmp_path)
    with city() as session, session.begin():
        push_tickets(session, workspace, OPERATOR, "12315", [{**REPORT, "kind": "投诉"}], department="LZ-TSJB")
        take_in(session, OPERATOR, workspace)
    reason = f"投诉人（{CALLER_PHONE}，身份证{CALLER_ID}）要求由经营地所在所处理，" + "经核实场所位于该所辖区。" * 18
    assert 200 < len(reason) <= 500
    calendar = load_calendar(workspace.root)
    with city() as session, session.begin():
        assign(session, OPERATOR, _case_of(session, "R001"), handler="hotline", reason=reason, workspace=workspace)
    with city() as session, session.begin():
        case = _case_of(session, "R001")
        assert case.routed_by == f"改派：{reason}"
        shown = case_view(session, _actor(session, "leader"), case, calendar)["routed_by"]
        assert CALLER_PHONE not in shown and CALLER_ID not in shown and "138****5678" in shown
        mine = case_view(session, _actor(session, "hotline"), case, calendar, purpose="回访投诉人")
        assert mine["routed_by"] == f"改派：{reason}"
    with city() as session, session.begin():
        expire(session, OPERATOR, workspace, now=utcnow() + timedelta(days=2000))
    with city() as session:
        kept = _case_of(session, "R001").routed_by or ""
        assert CALLER_PHONE not in kept and CALLER_ID not in kept and "场所位于该所辖区" in kept
