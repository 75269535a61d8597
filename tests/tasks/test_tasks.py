"""Tasks across departments: every part owned, handed over only when the receiver accepts (a refusal leaves it with
the giver), done only with its evidence, overdue parts seen by both sides' leaders, and nothing seen outside scope."""

from __future__ import annotations

import hashlib
import io
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.tasks.helpers import CAMPAIGN, START, actor, add_people, make_tasks
from zhizhi.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from zhizhi.hotline import load_calendar
from zhizhi.store.tables import AuditEvent, Department, TaskHandover, TaskPart
from zhizhi.tasks import (
    MAX_FILE_BYTES,
    Upload,
    accept,
    add_evidence,
    assign,
    create_task,
    decline,
    finish,
    get_part,
    get_task,
    hand_over,
    list_tasks,
    overdue_parts,
    parse_task,
    read_evidence,
    read_task_bytes,
    task_view,
    withdraw,
)

NO_HANDS = "本所人员不足，本月已有三项专项任务"
PDF = Upload("方案.pdf", "application/pdf", b"%PDF-1.4 plan")


def _part(session: Session, number: str, seq: int) -> TaskPart:
    task = get_task(session, OPERATOR, number)
    return session.scalars(select(TaskPart).where(TaskPart.task_id == task.id, TaskPart.seq == seq)).one()


def _code(session: Session, part: TaskPart) -> str:
    return session.get_one(Department, part.department_id).code


def _actions(session: Session, number: int | str) -> list[str]:
    query = select(AuditEvent.action).where(AuditEvent.object_id == str(number)).order_by(AuditEvent.seq)
    return list(session.scalars(query))


def test_a_task_is_created_with_every_part_owned_and_its_deadlines_counted(city: sessionmaker[Session]) -> None:
    with city() as session, session.begin():
        campaign, _ = make_tasks(session)
        view = task_view(session, actor(session, "sp_leader"), campaign, today=START)
        assert campaign.number == f"RW2026-{campaign.id:04d}"
        assert _actions(session, campaign.number) == ["task.create"]
    parts = view["items"]
    assert [(p["department"]["code"], (p["owner"] or {}).get("username"), p["deadline"], p["deadline_rule"])
            for p in parts] == [
        ("LZ-SP", None, "2026-12-04", "3 working days"),  # Wed, Thu, Fri after Tuesday the 1st
        ("LZ-CZ", "chengzhong", "2026-12-10", "2026-12-10"),
        ("LZ-YF", None, "2026-12-15", "10 working days"),  # two weekends skipped
    ]  # fmt: skip
    assert [p["evidence"] for p in parts] == ["files", "either", "both"]
    assert view["status"] == "open" and view["parts"] == 3 and view["done"] == 0 and view["overdue"] == 0


def test_only_a_leader_over_the_lead_department_creates_its_task(city: sessionmaker[Session]) -> None:
    spec = parse_task(CAMPAIGN, "campaign")
    with city() as session, session.begin():
        add_people(session)
        for username in ("zhongnan", "chengzhong", "yf_leader"):  # a handler; leaders of other departments
            with pytest.raises(PermissionDeniedError, match="lead department `LZ-SP`"):
                create_task(session, actor(session, username), spec, load_calendar(None), today=START)
        create_task(session, actor(session, "leader"), spec, load_calendar(None), today=START)  # the bureau's


def test_every_problem_of_a_task_is_named_at_once(city: sessionmaker[Session]) -> None:
    bad = {**CAMPAIGN, "parts": [
        {"department": "LZ-XX", "title": "a", "deadline": "2026-12-10"},
        {"department": "LZ-CZ", "owner": "zhongnan", "title": "b", "deadline": "2026-12-10"},  # of 中南所, not LZ-CZ
        {"department": "LZ-YF", "title": "c", "deadline": "next week"},
        {"department": "LZ-YF", "title": "d", "deadline": "2026-11-30"},  # before the start
    ]}  # fmt: skip
    with city() as session, session.begin(), pytest.raises(InputError) as caught:
        create_task(session, OPERATOR, parse_task(bad, "bad"), load_calendar(None), today=START)
    message = caught.value.message
    assert "4 problem(s)" in message
    for text in ("`parts.1.department` = `LZ-XX`", "`parts.2.owner` = `zhongnan` is not an active user of `LZ-CZ`",
                 "`parts.3.deadline` = `next week`", "`parts.4.deadline` = `2026-11-30` is before"):  # fmt: skip
        assert text in message
    assert "部门" in (caught.value.message_zh or "")
    two_problems = r"`bad` has 2 problem\(s\): `parts.0.title`: missing.*`parts.0.evidence`"
    with pytest.raises(InputError, match=two_problems) as two:
        parse_task({"title": "x", "lead": "LZ", "parts": [{"department": "LZ", "deadline": "3", "evidence": "x"}]},
                   "bad")  # fmt: skip
    assert "`parts.0.title`：未填写" in (two.value.message_zh or "")  # the Chinese page's words, not `missing; give it`
    with pytest.raises(InputError, match="saved as GBK"):
        read_task_bytes("title: 检查\n".encode("gbk"), "task.yaml")


def test_deadlines_reaching_a_year_the_calendar_does_not_know_are_named_by_key(city: sessionmaker[Session]) -> None:
    """2027's holidays are not known: each part whose working days reach into it is named, with every other problem
    (a part's unknown department and its deadline alike)."""
    late = {**CAMPAIGN, "start": date(2026, 12, 20), "parts": [
        {"department": "LZ-CZ", "title": "a", "deadline": "3 working days"},  # 2026-12-23: known
        {"department": "LZ-CZ", "title": "b", "deadline": "10 working days"},
        {"department": "LZ-XX", "title": "c", "deadline": "12个工作日"},
    ]}  # fmt: skip
    with city() as session, session.begin(), pytest.raises(InputError) as caught:
        create_task(session, OPERATOR, parse_task(late, "late"), load_calendar(None), today=START)
    message, zh = caught.value.message, caught.value.message_zh or ""
    assert "3 problem(s)" in message and "parts.1" not in message
    for key, value in (("parts.2.deadline", "10 working days"), ("parts.3.deadline", "12个工作日")):
        assert f"`{key}` = `{value}`: The official holiday schedule of 2027 is not known" in message
        assert f"`{key}` = `{value}`：尚无 2027 年的法定节假日安排" in zh
    assert "`parts.3.department` = `LZ-XX`: no such department" in message


def _workbook(rows: list[list[str | None]], *, blank_before: int = 0, key_rows: int = 0) -> bytes:
    """A task's workbook whose sheet `分工` has a header and `rows` (None: a blank row); its sheet `任务` has
    `blank_before` blank rows before its keys (and runs to row `key_rows` when given)."""
    book = Workbook()
    task = book.active
    assert task is not None
    task.title = "任务"
    for _ in range(blank_before):
        task.append([None, None])
    for key, value in (("标题", "分片检查"), ("牵头部门", "LZ-SP"), ("开始日期", "2026-12-01")):
        task.append([key, value])
    if key_rows:
        task.cell(row=key_rows, column=1, value="备注")
    sheet = book.create_sheet("分工")
    sheet.append(["部门", "内容", "期限"])
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def _parts(count: int, blank_every: int = 0) -> list[list[str | None]]:
    rows: list[list[str | None]] = []
    for n in range(1, count + 1):
        rows.append(["LZ-CZ", f"第{n}项", "2026-12-20"])
        if blank_every and n % blank_every == 0:
            rows.append([None, None, None])  # a blank row between groups of parts
    return rows


def test_a_workbook_gives_every_part_between_blank_rows_or_says_why_not() -> None:
    spec = read_task_bytes(_workbook(_parts(100, blank_every=20)), "分片.xlsx")  # 100 parts on rows 2-106
    assert len(spec.parts) == 100 and spec.parts[-1].title == "第100项"
    with pytest.raises(InputError, match=r"sheet `分工` has 101 parts \(rows that are not blank\); a task has at most "
                       "100") as caught:  # fmt: skip
        read_task_bytes(_workbook(_parts(101, blank_every=10)), "分片.xlsx")
    assert "有 101 项分工" in (caught.value.message_zh or "")
    far = _parts(3) + [[None, None, None]] * 9_996 + [["LZ-CZ", "第10001行", "2026-12-20"]]
    with pytest.raises(InputError, match="runs to row 10,001; it is read to row 10,000"):
        read_task_bytes(_workbook(far), "分片.xlsx")


def test_the_task_sheet_is_read_to_its_keys_however_far_down_or_says_why_not() -> None:
    spec = read_task_bytes(_workbook(_parts(2), blank_before=60), "分片.xlsx")  # the keys on rows 61-63
    assert (spec.title, spec.lead) == ("分片检查", "LZ-SP")
    with pytest.raises(InputError, match="sheet `任务` runs to row 1,001; it is read to row 1,000") as caught:
        read_task_bytes(_workbook(_parts(2), key_rows=1_001), "分片.xlsx")
    assert "只读取到第 1,000 行" in (caught.value.message_zh or "")


def test_a_workbook_as_an_office_fills_it_in_is_read() -> None:
    """A title merged above the header, headers marked `*`, broken over two lines or with a note in brackets, keys
    ending in `：`, a staff number or a year typed as a number, a word with a space after it."""
    book = Workbook()
    task = book.active
    assert task is not None
    task.title = "任务"
    for key, value in (("标题：", 2026), ("* 牵头部门", "LZ-SP"), ("开始日期", date(2026, 12, 1))):
        task.append([key, value])
    sheet = book.create_sheet("分工")
    sheet.append(["2026年冬季专项整治分工表"])
    sheet.merge_cells("A1:E1")
    sheet.append(["*部门", "负责人", "内容", "期限\n（工作日）", "证明材料(附件/文字)"])
    sheet.append(["LZ-CZ", 10086, 2027, 10, "附件 "])
    sheet.append(["LZ-CZ", None, "学校食堂检查", date(2026, 12, 20), "照片"])
    data = io.BytesIO()
    book.save(data)
    with pytest.raises(InputError) as caught:
        read_task_bytes(data.getvalue(), "冬季.xlsx")
    assert caught.value.details == ["sheet `分工` row 4 `evidence` = `照片`: Input should be 'files', 'text', 'either' "
                                    "or 'both'"]  # fmt: skip
    assert "工作表「分工」第 4 行「evidence」 = `照片`" in (caught.value.message_zh or "")
    sheet.cell(row=4, column=5, value="两者")
    data = io.BytesIO()
    book.save(data)
    spec = read_task_bytes(data.getvalue(), "冬季.xlsx")
    assert (spec.title, spec.lead, spec.start) == ("2026", "LZ-SP", date(2026, 12, 1))
    assert [(p.owner, p.title, p.deadline, p.evidence) for p in spec.parts] == [
        ("10086", "2027", "10", "files"),
        (None, "学校食堂检查", "2026-12-20", "both"),
    ]


def test_a_workbook_parts_problems_found_on_creation_name_its_sheet_row(city: sessionmaker[Session]) -> None:
    """An unknown department or a deadline before the start was named `parts.2.department`: the office that filled
    the sheet in has rows, not keys, and blank rows between its parts."""
    rows = [["LZ-CZ", "方案", "3"], None, None, ["LZ-CZZ", "检查", "2026-11-01"]]
    spec = read_task_bytes(_workbook([r or [None, None, None] for r in rows]), "冬季.xlsx")
    with city() as session, session.begin(), pytest.raises(InputError) as caught:
        create_task(session, OPERATOR, spec, load_calendar(None), today=START)
    assert [d.split(" = ")[0] for d in caught.value.details] == [
        "sheet `分工` row 5: `parts.2.department`",
        "sheet `分工` row 5: `parts.2.deadline`",
    ]
    assert "工作表「分工」第 5 行：`parts.2.department` = `LZ-CZZ`：没有该部门" in (caught.value.message_zh or "")


def test_a_deadline_written_as_a_sheets_text_cell_holds_a_day_is_read(city: sessionmaker[Session]) -> None:
    """A text cell of a sheet holds 2026/12/20 or 2026年12月20日 (the registers read them): they were refused."""
    rows: list[list[str | None]] = [["LZ-CZ", "甲", "2026/12/20"], ["LZ-CZ", "乙", "2026年12月21日"],
                                    ["LZ-CZ", "丙", "2026.12.2"]]  # fmt: skip
    spec = read_task_bytes(_workbook(rows), "冬季.xlsx")
    assert spec.start == date(2026, 12, 1)
    assert parse_task({**CAMPAIGN, "start": "2026年12月1日"}, "task.yaml").start == date(2026, 12, 1)
    with city() as session, session.begin():
        task = create_task(session, OPERATOR, spec, load_calendar(None), today=START)
        parts = session.scalars(select(TaskPart).where(TaskPart.task_id == task.id).order_by(TaskPart.seq)).all()
    assert [(p.deadline, p.deadline_rule) for p in parts] == [
        (date(2026, 12, 20), "2026-12-20"),
        (date(2026, 12, 21), "2026-12-21"),
        (date(2026, 12, 2), "2026-12-02"),
    ]


def test_a_refused_handover_leaves_the_part_with_the_giver(city: sessionmaker[Session]) -> None:
    with city() as session, session.begin():
        campaign, _ = make_tasks(session)
        part = _part(session, campaign.number, 2)
        giver, receiver = actor(session, "chengzhong"), actor(session, "zhongnan")
        hand_over(session, giver, part, department="LZ-CZ-ZN", person="zhongnan", reason="由中南所就近检查")
        # Until the receiver answers, the giver owns it: the part is still 城中区局's and 陈所长's.
        assert (_code(session, part), part.owner_id) == ("LZ-CZ", actor(session, "chengzhong").user_id)
        with pytest.raises(PermissionDeniedError, match="its receiver accepts or refuses"):
            accept(session, giver, part)  # the giver, though a leader over 中南所, does not answer his own offer
        with pytest.raises(PermissionDeniedError, match="do not act for the receiving side"):
            accept(session, actor(session, "cz_handler"), part)  # not the person named
        with pytest.raises(InputError, match="Say why"):
            decline(session, receiver, part, " ")
        decline(session, receiver, part, NO_HANDS)
        assert (_code(session, part), part.owner_id) == ("LZ-CZ", giver.user_id)
        refused = session.scalars(select(TaskHandover).where(TaskHandover.part_id == part.id)).one()
        assert (refused.status, refused.answered_by, refused.answer) == ("refused", "zhongnan", NO_HANDS)
        with pytest.raises(ConflictError, match="not being handed over"):
            accept(session, receiver, part)  # nothing waits any more
        assert _actions(session, part.id) == ["task.part.handover", "task.part.refuse"]
        view = task_view(session, giver, campaign, today=START)["items"][1]
        assert view["handover"] is None and [h["status"] for h in view["handovers"]] == ["refused"]
        assert view["may"]["hand_over"] and not view["may"]["answer"]


def test_an_accepted_handover_moves_the_part_to_the_receiver(city: sessionmaker[Session]) -> None:
    with city() as session, session.begin():
        campaign, _ = make_tasks(session)
        part = _part(session, campaign.number, 2)
        giver = actor(session, "chengzhong")
        with pytest.raises(InputError, match="already `LZ-CZ`'s; to name a person there, assign it"):
            hand_over(session, giver, part, department="LZ-CZ", reason="x")
        with pytest.raises(InputError, match="`person` = `yufeng` is not an active user of `LZ-CZ-ZN`"):
            hand_over(session, giver, part, department="LZ-CZ-ZN", person="yufeng", reason="x")
        with pytest.raises(PermissionDeniedError, match="do not act for this part's owner"):
            hand_over(session, actor(session, "cz_handler"), part, department="LZ-CZ-ZN", reason="x")  # named: 陈所长
        hand_over(session, giver, part, department="LZ-CZ-ZN", reason="由中南所就近检查")
        with pytest.raises(ConflictError, match="already offered"):
            hand_over(session, giver, part, department="LZ-YF", reason="x")
        view = task_view(session, actor(session, "zhongnan"), campaign, today=START)["items"][1]
        assert view["handover"]["to"]["code"] == "LZ-CZ-ZN" and view["may"]["answer"]
        accept(session, actor(session, "zhongnan"), part)  # nobody named: a handler of 中南所 answers
        assert (_code(session, part), part.owner_id) == ("LZ-CZ-ZN", None)
        with pytest.raises(PermissionDeniedError):
            hand_over(session, actor(session, "yufeng"), part, department="LZ-YF", reason="x")
        # A handler of the county above acts for none of its grassroots office's parts (a leader over it does).
        with pytest.raises(PermissionDeniedError, match="do not act for"):
            finish(session, actor(session, "cz_handler"), part, text="县局经办人代办")
        assert _actions(session, part.id) == ["task.part.handover", "task.part.accept"]


def test_a_withdrawn_offer_and_the_named_person(city: sessionmaker[Session]) -> None:
    with city() as session, session.begin():
        campaign, _ = make_tasks(session)
        part = _part(session, campaign.number, 3)  # 鱼峰区局's, nobody named
        with pytest.raises(PermissionDeniedError, match="Only a leader over the part's department"):
            assign(session, actor(session, "yufeng"), part, "yufeng")
        with pytest.raises(InputError, match="not an active user of `LZ-YF`"):
            assign(session, actor(session, "yf_leader"), part, "zhongnan")
        assign(session, actor(session, "yf_leader"), part, "yufeng")
        hand_over(session, actor(session, "yufeng"), part, department="LZ-SP", reason="属牵头科室职责")
        withdraw(session, actor(session, "yufeng"), part)
        assert _actions(session, part.id) == ["task.part.assign", "task.part.handover", "task.part.withdraw"]
        assert session.scalars(select(TaskHandover.status).where(TaskHandover.part_id == part.id)).one() == "withdrawn"


def test_a_part_is_done_only_with_its_evidence(city: sessionmaker[Session]) -> None:
    with city() as session, session.begin():
        campaign, _ = make_tasks(session)
        plan, both = _part(session, campaign.number, 1), _part(session, campaign.number, 3)
        lead = actor(session, "sp_leader")
        with pytest.raises(InputError, match=r"needs a file as evidence \(整治方案（盖章扫描件）\)"):
            finish(session, lead, plan, text="方案已印发")
        with pytest.raises(InputError, match="at most 10,485,760"):
            finish(session, lead, plan, files=[Upload("big.pdf", "application/pdf", b"x" * (MAX_FILE_BYTES + 1))])
        finish(session, lead, plan, files=[PDF])
        assert plan.status == "done" and plan.done_by == "sp_leader"
        with pytest.raises(ConflictError, match="already done"):
            finish(session, lead, plan, files=[PDF])
        with pytest.raises(InputError, match="needs a file and a text"):
            finish(session, actor(session, "yufeng"), both, files=[PDF])
        add_evidence(session, actor(session, "yufeng"), both, files=[PDF])  # kept, and counted when done
        finish(session, actor(session, "yufeng"), both, text="检查农贸市场12家，责令整改3家")
        view = task_view(session, lead, campaign, today=START)
        kinds = [(e["kind"], e["name"], e["sha256"]) for e in view["items"][2]["evidence_items"]]
        assert kinds == [("file", "方案.pdf", hashlib.sha256(PDF.data).hexdigest()), ("text", None, kinds[1][2])]
        assert view["done"] == 2 and view["status"] == "open"
        evidence_id = view["items"][0]["evidence_items"][0]["id"]
        with pytest.raises(NotFoundError):
            read_evidence(session, actor(session, "zn_leader"), evidence_id)  # 中南所 has no part in the campaign
        assert read_evidence(session, actor(session, "chengzhong"), evidence_id).content == PDF.data
        assert "task.evidence.read" in _actions(session, plan.id)


def test_overdue_parts_show_to_the_leaders_of_both_sides(city: sessionmaker[Session]) -> None:
    day = date(2026, 12, 11)  # the plan (12-04) and 城中区's part (12-10) are past; 鱼峰区's (12-15) is not
    with city() as session, session.begin():
        campaign, local = make_tasks(session)

        def seen(username: str) -> list[tuple[str, int, list[str]]]:
            rows = overdue_parts(session, actor(session, username), today=day)
            return [(r["task"], r["seq"], r["sides"]) for r in rows]

        c, n = campaign.number, local.number
        assert seen("sp_leader") == [(c, 1, ["lead", "owner"]), (c, 2, ["lead"])]
        assert seen("chengzhong") == [(n, 1, ["lead", "owner"]), (c, 2, ["owner"])]
        assert seen("zn_leader") == [(n, 1, ["owner"])]
        assert seen("yf_leader") == []  # 鱼峰区's own part is not late; 城中区's parts are none of its business
        assert [r["task"] for r in overdue_parts(session, actor(session, "leader"), today=day)] == [c, n, c]
        assert [t.number for t in list_tasks(session, actor(session, "yf_leader"), state="overdue", today=day)] == [c]
        # Handed to 中南所 but not yet accepted: still 城中区局's, and shown to 中南所 as its receiver; 城中区局 and the
        # bureau stand on the receiving side too, 中南所 being theirs.
        hand_over(session, actor(session, "chengzhong"), _part(session, c, 2), department="LZ-CZ-ZN", reason="就近")
        assert seen("zn_leader") == [(n, 1, ["owner"]), (c, 2, ["receiver"])]
        assert seen("chengzhong") == [(n, 1, ["lead", "owner"]), (c, 2, ["owner", "receiver"])]
        assert seen("leader")[2] == (c, 2, ["lead", "owner", "receiver"])
        assert seen("sp_leader") == [(c, 1, ["lead", "owner"]), (c, 2, ["lead"])]
        later = overdue_parts(session, actor(session, "yf_leader"), today=date(2026, 12, 16))
        assert [(r["task"], r["seq"], r["days_overdue"]) for r in later] == [(c, 3, 1)]  # its own part only


def test_another_county_sees_nothing_of_a_task_that_is_not_its_own(city: sessionmaker[Session]) -> None:
    with city() as session, session.begin():
        campaign, local = make_tasks(session)
        part = _part(session, local.number, 1)
        for username in ("yf_leader", "yufeng"):
            outsider = actor(session, username)
            assert [t.number for t in list_tasks(session, outsider)] == [campaign.number]
            with pytest.raises(NotFoundError, match=f"No task `{local.number}` in your scope"):
                get_task(session, outsider, local.number)
            with pytest.raises(NotFoundError):
                get_part(session, outsider, part.id)
        assert {t.number for t in list_tasks(session, actor(session, "zhongnan"))} == {local.number}
        assert {t.number for t in list_tasks(session, actor(session, "leader"))} == {campaign.number, local.number}
        with pytest.raises(PermissionDeniedError):
            list_tasks(session, actor(session, "auditor"))  # no data.read


def test_the_store_keeps_one_offer_waiting_per_part(city: sessionmaker[Session]) -> None:
    """Two offers written at the same moment: the partial unique index of migration 0014 keeps the second out."""
    with city() as session, session.begin():
        campaign, _ = make_tasks(session)
        part = _part(session, campaign.number, 2)
        first = hand_over(session, actor(session, "chengzhong"), part, department="LZ-CZ-ZN", reason="就近")
        second = TaskHandover(**{c: getattr(first, c) for c in ("part_id", "from_department_id", "to_department_id",
                                                                 "reason", "status", "asked_by", "asked_at")})
        with pytest.raises(IntegrityError), session.begin_nested():
            session.add(second)
        first.status = "refused"
        with session.begin_nested():
            session.add(second)  # once the first is answered, a new offer may wait
