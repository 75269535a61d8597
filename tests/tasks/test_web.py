"""Tasks and the workload in the UI and the JSON API (SQLite and PostgreSQL): the list with the overdue parts on each
side, a part handed over through the forms (refused, the giver keeping it; accepted), done with files, evidence
downloads audited, an offer withdrawn by marking the part done, another county refused, a task uploaded, the
leader's workload page, its export and capacity form, in Chinese and in English."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO

import pytest
import yaml
from openpyxl import load_workbook
from sqlalchemy import select

from tests.conftest import Web
from tests.tasks.helpers import STEADY, make_steady_tasks
from zhizhi.reports.periods import month
from zhizhi.store.tables import AuditEvent, OfficeCapacity, TaskHandover, TaskPart
from zhizhi.store.types import local_today


@dataclass
class Desk:
    """The app with the steady tasks; `parts` by task number and seq."""

    web: Web
    campaign: str
    local: str
    parts: dict[tuple[str, int], int]

    def as_user(self, username: str) -> None:
        self.web.client.cookies.clear()
        self.web.login_form(username)

    def post(self, path: str, **form: str) -> int:
        csrf = self.web.page_csrf("/tasks")
        return self.web.client.post(path, data={"csrf_token": csrf, **form}, follow_redirects=False).status_code

    def page(self, path: str) -> str:
        response = self.web.client.get(path)
        assert response.status_code == 200, response.text
        return html.unescape(response.text)

    def part_html(self, number: str, seq: int) -> str:
        text = self.page(f"/tasks/{number}")
        return text.split(f'id="part-{self.parts[number, seq]}"', 1)[1].split("</section>", 1)[0]

    def words(self, path: str) -> str:
        """The page's text as read: without its tags, its spaces collapsed."""
        return " ".join(re.sub(r"<[^>]+>", "", self.page(path)).split())


@pytest.fixture
def desk(web: Web) -> Iterator[Desk]:
    with web.sessions() as session, session.begin():
        campaign, local = make_steady_tasks(session)
        numbers = (campaign.number, local.number)
        parts = {(n, p.seq): p.id for n, t in zip(numbers, (campaign, local), strict=True)
                 for p in session.scalars(select(TaskPart).where(TaskPart.task_id == t.id))}  # fmt: skip
    yield Desk(web, *numbers, parts)


def test_the_list_shows_each_side_its_overdue_parts(desk: Desk) -> None:
    c, n = desk.campaign, desk.local
    desk.as_user("sp_leader")
    text = desk.page("/tasks")
    assert f'id="task-{c}"' in text and f'id="task-{n}"' not in text
    overdue = text.split('id="overdue-parts"')[1].split("</section>")[0]
    assert f'id="overdue-{desk.parts[c, 2]}"' in overdue and "牵头" in overdue
    assert f"overdue-{desk.parts[n, 1]}" not in overdue
    assert 'id="new-task"' in text and 'id="workload-link"' in text  # a leader's
    desk.as_user("chengzhong")
    overdue = desk.page("/tasks").split('id="overdue-parts"')[1].split("</section>")[0]
    assert f'id="overdue-{desk.parts[c, 2]}"' in overdue and f'id="overdue-{desk.parts[n, 1]}"' in overdue
    desk.as_user("yf_leader")
    text = desk.page("/tasks?state=overdue")
    assert 'id="no-overdue"' in text and f'id="task-{c}"' in text  # the campaign is late, though not its part
    assert desk.web.client.get(f"/tasks/{n}").status_code == 404  # another county's task
    assert desk.web.client.get(f"/api/tasks/{n}").status_code == 404
    desk.as_user("zhongnan")
    assert 'id="new-task"' not in desk.page("/tasks")  # a handler creates no task


def test_a_part_is_refused_then_accepted_through_the_forms(desk: Desk) -> None:
    c, part = desk.campaign, desk.parts[desk.campaign, 2]
    desk.as_user("chengzhong")
    assert 'class="decide handover"' in desk.part_html(c, 2)
    offer = {"department": "LZ-CZ-ZN", "person": "zhongnan", "reason": "由中南所就近检查"}
    assert desk.post(f"/tasks/parts/{part}/handover", **offer) == 303
    mine = desk.part_html(c, 2)
    assert "移交待接收：中南市场监督管理所" in desk.words(f"/tasks/{c}") and "城中区市场监督管理局" in mine
    assert 'class="decide accept"' not in mine  # the giver does not answer his own offer
    desk.as_user("zhongnan")
    theirs = desk.part_html(c, 2)
    assert 'class="decide accept"' in theirs and 'class="decide refuse"' in theirs
    assert desk.post(f"/tasks/parts/{part}/refuse", reason="本所人员不足") == 303
    assert "分工仍由移交方负责" in desk.page("/tasks?done=refused")  # the campaign is none of 中南所's now
    desk.as_user("chengzhong")
    after = desk.part_html(c, 2)
    assert "城中区市场监督管理局" in after and "已拒绝" in after and "本所人员不足" in after
    assert desk.post(f"/tasks/parts/{part}/handover", department="LZ-CZ-ZN", reason="再次请求") == 303
    desk.as_user("zhongnan")
    assert desk.post(f"/tasks/parts/{part}/accept") == 303
    assert "中南市场监督管理所" in desk.part_html(c, 2).split("part-department")[1][:80]
    with desk.web.sessions() as session:
        actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(part))))
    assert actions == ["task.part.handover", "task.part.refuse", "task.part.handover", "task.part.accept"]


def test_done_with_a_file_and_the_evidence_downloaded(desk: Desk) -> None:
    c, part = desk.campaign, desk.parts[desk.campaign, 1]
    desk.as_user("sp_leader")
    csrf = desk.web.page_csrf("/tasks")
    refused = desk.web.client.post(f"/tasks/parts/{part}/done", data={"csrf_token": csrf, "text": "已印发"})
    assert refused.status_code == 422 and "须提交附件作为证明材料" in html.unescape(refused.text)
    sent = desk.web.client.post(f"/tasks/parts/{part}/done", data={"csrf_token": csrf, "text": "方案已印发"},
                                files=[("files", ("整治方案.pdf", b"%PDF-1.4 plan", "application/pdf"))],
                                follow_redirects=False)  # fmt: skip
    assert sent.status_code == 303 and sent.headers["location"].endswith(f"done=finished#part-{part}")
    view = desk.web.client.get(f"/api/tasks/{c}").json()["items"][0]
    assert view["status"] == "done" and [e["kind"] for e in view["evidence_items"]] == ["file", "text"]
    file_id = view["evidence_items"][0]["id"]
    desk.as_user("yufeng")  # a co-responsible department's handler reads the lead's evidence
    # a link (another site's, say) only leads to the task; the download is the page's form, with its CSRF token
    linked = desk.web.client.get(f"/tasks/evidence/{file_id}", follow_redirects=False)
    assert linked.status_code == 303 and linked.headers["location"] == f"/tasks/{c}#part-{part}"
    guessed = desk.web.client.post(f"/tasks/evidence/{file_id}", data={"csrf_token": "another-sites-guess"})
    assert guessed.status_code == 403 and 'data-code="csrf_failed"' in guessed.text
    with desk.web.sessions() as session:
        assert not session.scalars(select(AuditEvent).where(AuditEvent.action == "task.evidence.read")).all()
    page = desk.web.client.get(f"/tasks/{c}").text
    assert f'action="/tasks/evidence/{file_id}"' in page
    got = desk.web.client.post(f"/tasks/evidence/{file_id}", data={"csrf_token": desk.web.page_csrf(f"/tasks/{c}")})
    assert got.status_code == 200 and got.content == b"%PDF-1.4 plan"
    assert "filename*=UTF-8''%E6%95%B4%E6%B2%BB%E6%96%B9%E6%A1%88.pdf" in got.headers["content-disposition"]
    desk.as_user("zn_leader")  # 中南所 has no part in the campaign
    assert desk.web.client.get(f"/tasks/evidence/{file_id}", follow_redirects=False).status_code == 404
    csrf = desk.web.page_csrf("/tasks")
    assert desk.web.client.post(f"/tasks/evidence/{file_id}", data={"csrf_token": csrf}).status_code == 404
    with desk.web.sessions() as session:
        reads = list(session.scalars(select(AuditEvent.actor).where(AuditEvent.action == "task.evidence.read")))
    assert reads == ["yufeng"]


def test_the_api_twin_and_its_refusals(desk: Desk) -> None:
    csrf = desk.web.login("sp_leader")
    headers = {"X-CSRF-Token": csrf}
    rows = desk.web.client.get("/api/tasks").json()
    assert [r["number"] for r in rows] == [desk.campaign] and rows[0]["overdue"] == 1
    overdue = desk.web.client.get("/api/tasks/overdue").json()
    assert [(r["task"], r["seq"], r["sides"]) for r in overdue] == [(desk.campaign, 2, ["lead"])]
    spec = {**STEADY, "start": "2026-01-05", "title": "API 创建的任务"}
    made = desk.web.client.post("/api/tasks", json=spec, headers=headers)
    assert made.status_code == 200 and made.json()["title"] == "API 创建的任务" and made.json()["parts"] == 3
    part = desk.parts[desk.campaign, 2]
    refused = desk.web.client.post(f"/api/tasks/parts/{part}/handover", json={"department": "LZ-YF", "reason": "x"},
                                   headers=headers)  # fmt: skip
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"  # the lead owns not part 2
    bad = desk.web.client.post("/api/tasks", json={**spec, "lead": "LZ-CZ"}, headers=headers)
    assert bad.status_code == 403 and "lead department `LZ-CZ`" in bad.json()["error"]["message"]


def test_a_task_uploaded_from_a_file(desk: Desk) -> None:
    body = yaml.safe_dump({**STEADY, "title": "上传的任务"}, allow_unicode=True).encode("utf-8")
    desk.as_user("sp_leader")
    csrf = desk.web.page_csrf("/tasks")
    sent = desk.web.client.post("/tasks", data={"csrf_token": csrf}, files={"file": ("任务.yaml", body)},
                                follow_redirects=False)  # fmt: skip
    assert sent.status_code == 303 and sent.headers["location"].endswith("?done=created")
    assert "上传的任务" in desk.page(sent.headers["location"]) and "任务已创建" in desk.page(sent.headers["location"])
    bad = yaml.safe_dump({**STEADY, "parts": [{"department": "LZ-XX", "title": "x", "deadline": "soon"}]})
    sent = desk.web.client.post("/tasks", data={"csrf_token": csrf}, files={"file": ("bad.yaml", bad.encode())})
    assert sent.status_code == 422 and ">parts.1.department</code> = <code translate=\"no\">LZ-XX<" in sent.text
    desk.as_user("zhongnan")
    sent = desk.web.client.post("/tasks", data={"csrf_token": desk.web.page_csrf("/tasks")},
                                files={"file": ("任务.yaml", body)})  # fmt: skip
    assert sent.status_code == 403


def test_an_offer_withdrawn_by_marking_the_part_done_says_so_in_the_readers_language(desk: Desk) -> None:
    c, part = desk.campaign, desk.parts[desk.campaign, 2]
    desk.as_user("chengzhong")
    assert desk.post(f"/tasks/parts/{part}/handover", department="LZ-CZ-ZN", reason="由中南所就近检查") == 303
    assert desk.post(f"/tasks/parts/{part}/done", text="已检查学校食堂12家") == 303
    [withdrawn] = desk.web.client.get(f"/api/tasks/{c}").json()["items"][1]["handovers"]
    assert (withdrawn["status"], withdrawn["answer"], withdrawn["answer_code"]) == ("withdrawn", None, "part_done")
    assert "已撤回 chengzhong · 移交方已自行办结该分工" in desk.words(f"/tasks/{c}")
    desk.web.client.get("/lang/en")
    text = desk.words(f"/tasks/{c}")
    assert "Withdrawn chengzhong · the giver marked the part done" in text and "done by the giver" not in text
    with desk.web.sessions() as session, session.begin():  # an offer withdrawn so before the answer was a code
        session.get_one(TaskHandover, withdrawn["id"]).answer = "done by the giver"
    assert "the giver marked the part done" in desk.words(f"/tasks/{c}")


def test_the_task_page_in_english(desk: Desk) -> None:
    desk.as_user("chengzhong")
    desk.web.client.get("/lang/en")
    text = desk.words(f"/tasks/{desk.campaign}")
    assert "Part 2: 城中区学校食堂检查" in text and "Hand over" in text and "days overdue" in text
    assert "Lead department" in desk.page("/tasks")


def test_the_leaders_workload_page_export_and_capacity(desk: Desk) -> None:
    desk.as_user("chengzhong")
    text = desk.page("/workload?months=2")
    assert 'id="office-LZ-CZ"' in text and 'id="office-LZ-CZ-ZN"' in text and 'id="office-LZ-YF"' not in text
    assert desk.post("/workload/capacity", office="LZ-CZ-ZN", staff="0", per_person="1") == 303  # nobody left
    text = desk.page("/workload?months=1&saved=LZ-CZ-ZN")
    assert "承载能力已保存" in text and 'data-over="yes"' in text.split('id="office-LZ-CZ-ZN"')[1].split("</tr>")[0]
    this_month = month(local_today()).label  # the parts were made today
    assert f"负荷率最高的在前。 ∞ 中南市场监督管理所 · {this_month} · 负荷 1 / 0" in desk.words("/workload?months=1")
    assert desk.post("/workload/capacity", office="LZ-CZ", staff="9", per_person="9") == 403  # its own office
    book = desk.web.client.get("/workload/export.xlsx?months=1")
    assert book.status_code == 200
    rows = list(load_workbook(BytesIO(book.content))["按单位"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == ["LZ-CZ", "LZ-CZ-ZN"] and rows[1][-1] == "是"
    with desk.web.sessions() as session:
        assert session.scalars(select(OfficeCapacity.staff)).all() == [0]
    desk.as_user("zhongnan")
    assert desk.web.client.get("/workload").status_code == 403
    assert desk.web.client.get("/api/workload").status_code == 403


def test_the_list_says_how_many_parts_are_overdue_and_lists_them_all_on_asking(desk: Desk) -> None:
    """A county with 60 overdue parts and more: the list shows the 50 most overdue, says how many there are in all and
    lists every one on asking (the 51st and the other task's part had vanished without a word)."""
    parts = [{"department": "LZ-CZ-ZN", "title": f"检查第{n}组", "deadline": f"2026-11-{n % 28 + 1:02d}",
              "evidence": "text"} for n in range(60)]  # fmt: skip
    body = yaml.safe_dump({"title": "逾期测试任务", "lead": "LZ-CZ", "start": "2026-10-08", "parts": parts},
                          allow_unicode=True).encode("utf-8")  # fmt: skip
    desk.as_user("chengzhong")
    sent = desk.web.client.post("/tasks", data={"csrf_token": desk.web.page_csrf("/tasks")},
                                files={"file": ("逾期.yaml", body)}, follow_redirects=False)  # fmt: skip
    assert sent.status_code == 303
    total = len(desk.web.client.get("/api/tasks/overdue", params={"limit": 1000}).json())
    assert total > 60
    listed = desk.page("/tasks").split('id="overdue-parts"')[1].split("</section>")[0]
    assert len(re.findall(r'<tr id="overdue-\d+">', listed)) == 50
    assert f'id="overdue-total">{total}<' in listed and f"共 {total} 项逾期分工" in listed
    every = desk.page("/tasks?overdue=all").split('id="overdue-parts"')[1].split("</section>")[0]
    assert len(re.findall(r'<tr id="overdue-\d+">', every)) == total and 'id="overdue-more"' not in every
