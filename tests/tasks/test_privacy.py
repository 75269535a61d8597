"""What people wrote on a task is read as written only by those who wrote it or answer it: a text or a file's name given
as evidence by a part's owner side, and a handover's reason and answer, have the numbers found in them masked
for every other party of the task (the lead, the other parts' departments), on the page, in the JSON twin and in the
text's download. The audit trail, which auditors read and which is never erased, keeps every such text masked."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import OPERATOR, Web
from tests.tasks.helpers import CAMPAIGN, actor, add_people, make_tasks
from zhizhi.hotline import load_calendar
from zhizhi.store.tables import TaskEvidence, TaskPart
from zhizhi.tasks import Upload, add_evidence, create_task, decline, hand_over, parse_task, read_evidence
from zhizhi.workload import set_capacity

PHONE, ID_NUMBER = "13812345678", "450202199001011237"
TEXT = f"已检查，食堂负责人电话{PHONE}，身份证{ID_NUMBER}"
REASON = f"人手不足，请联系{PHONE}"


def _as(web: Web, username: str) -> None:
    web.client.cookies.clear()
    web.login_form(username)


def test_evidence_texts_and_handover_reasons_are_masked_for_the_other_parties(web: Web) -> None:
    with web.sessions() as session, session.begin():
        campaign, _ = make_tasks(session)
        number = campaign.number
        parts = session.scalars(select(TaskPart).where(TaskPart.task_id == campaign.id).order_by(TaskPart.seq)).all()
        scan = Upload(f"联系人{PHONE}.pdf", "application/pdf", b"%PDF-1.4 scan")
        scan_item, item = add_evidence(session, actor(session, "chengzhong"), parts[1], text=TEXT, files=[scan])
        hand_over(session, actor(session, "yufeng"), parts[2], department="LZ-LN", reason=REASON)
        text_id, scan_id, cz_part, yf_part = item.id, scan_item.id, parts[1].id, parts[2].id
    with web.sessions() as session:
        assert session.get_one(TaskEvidence, text_id).text == TEXT  # kept as written

    def shown(view: dict[str, object], part_id: int) -> tuple[str, str]:
        parts = {p["id"]: p for p in view["items"]}  # type: ignore[attr-defined]
        kept = {e["kind"]: e for e in parts[cz_part]["evidence_items"]}
        return kept["text"]["text"] + "|" + kept["file"]["name"], parts[yf_part]["handovers"][0]["reason"]

    # The lead section's leader and 鱼峰区's side: 城中区's text has its numbers masked.
    _as(web, "sp_leader")
    text, reason = shown(web.client.get(f"/api/tasks/{number}").json(), cz_part)
    assert PHONE not in text and ID_NUMBER not in text and "已检查" in text
    assert text.endswith("|联系人138****5678.pdf")
    assert PHONE not in reason and "138****5678" in reason  # the lead is no side of the handover
    page = web.client.get(f"/tasks/{number}").text
    assert PHONE not in page and ID_NUMBER not in page and "138****5678" in page
    csrf = web.page_csrf(f"/tasks/{number}")
    download = web.client.post(f"/tasks/evidence/{text_id}", data={"csrf_token": csrf})
    assert download.status_code == 200 and PHONE not in download.text and "138****5678" in download.text
    file = web.client.post(f"/tasks/evidence/{scan_id}", data={"csrf_token": csrf})
    assert file.content == b"%PDF-1.4 scan" and PHONE not in file.headers["content-disposition"]
    _as(web, "yufeng")  # gave the handover: reads its reason as written; 城中区's evidence masked
    text, reason = shown(web.client.get(f"/api/tasks/{number}").json(), cz_part)
    assert PHONE not in text and reason == REASON
    # 城中区's named owner wrote the text: reads it as written, in the view and the download.
    _as(web, "chengzhong")
    text, _ = shown(web.client.get(f"/api/tasks/{number}").json(), cz_part)
    assert text == f"{TEXT}|联系人{PHONE}.pdf"
    csrf = web.page_csrf(f"/tasks/{number}")
    assert web.client.post(f"/tasks/evidence/{text_id}", data={"csrf_token": csrf}).text == TEXT


def test_the_audit_trail_keeps_what_people_wrote_on_a_task_masked(web: Web) -> None:
    """A handover's and a refusal's reason, a file's name (added and read), a task's title and file, a capacity's note:
    the auditor reads them in the trail with the numbers masked, as the task's other parties do on its page."""
    with web.sessions() as session, session.begin():
        add_people(session)
        spec = parse_task({**CAMPAIGN, "title": f"专项整治（联系人{PHONE}）"}, "campaign")
        task = create_task(session, actor(session, "sp_leader"), spec, load_calendar(None), source=f"{PHONE}.yaml")
        part = session.scalars(select(TaskPart).where(TaskPart.task_id == task.id, TaskPart.seq == 2)).one()
        hand_over(session, actor(session, "chengzhong"), part, department="LZ-CZ-ZN", reason=TEXT)
        decline(session, actor(session, "zhongnan"), part, REASON)
        photo = Upload(f"王五_{PHONE}_身份证{ID_NUMBER}.jpg", "image/jpeg", b"\xff\xd8")
        [scan] = add_evidence(session, actor(session, "chengzhong"), part, files=[photo])
        read_evidence(session, actor(session, "sp_leader"), scan.id)
        set_capacity(session, OPERATOR, "LZ-CZ-ZN", staff=2, per_person=3, note=REASON)
    web.login("auditor")
    actions = ("task.create", "task.part.handover", "task.part.refuse", "task.evidence.add", "task.evidence.read",
               "workload.capacity")  # fmt: skip
    for action in actions:
        [event] = web.client.get("/api/audit/events", params={"action": action}).json()
        detail = str(event["detail"])
        assert PHONE not in detail and ID_NUMBER not in detail, (action, detail)
        assert "138****5678" in detail, (action, detail)
