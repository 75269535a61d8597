"""Random inspections across offices, through the ASGI client: a county's steward changes only what its subtree
owns (the targets its offices supervise, the items its departments inspect, the visits it organised, for
publication), a county office's plan draws only the firms its offices supervise, and the export for the public
publicity system carries no personal number from the team's notes. Each write is read back from the store the moment
its answer arrives."""

from __future__ import annotations

import io
import json

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import OPERATOR, Web
from tests.inspections.register import build
from tests.inspections.test_draws import plan
from tests.inspections.test_registers import _book
from zhizhi.inspections import Finding, record_results, run_draw
from zhizhi.store.tables import (
    Department,
    Entity,
    InspectionItem,
    InspectionPlan,
    InspectionTarget,
    InspectionVisit,
    VisitItem,
)
from zhizhi.store.types import local_today

PHONE, ID_NUMBER = "13812345678", "450202199001011237"


def _inspected(web: Web, division_office: str, note: str = "", signed_by: str = "") -> str:
    """A draw organised by 信用监督管理科 (LZ-XY); one visit of a target supervised by `division_office` inspected
    (the results signed for the firm by `signed_by`, when given)."""
    with web.sessions() as session, session.begin():
        build(session)
        number = plan(session, web.workspace)
    with web.sessions() as session, session.begin():
        run_draw(session, OPERATOR, web.workspace, number)
    with web.sessions() as session, session.begin():
        visit = next(
            v for v in session.scalars(select(InspectionVisit).order_by(InspectionVisit.rank))
            if v.office_id is not None and _code(session, v.office_id) == division_office
        )  # fmt: skip
        codes = session.scalars(
            select(InspectionItem.code).where(InspectionItem.id.in_(_item_ids(session, visit.id)))
        ).all()
        record_results(session, OPERATOR, web.workspace, visit.number,
                       findings={c: Finding("rectify", note) for c in codes}, inspected_on=local_today(),
                       acknowledgement="signed" if signed_by else "absent", acknowledged_by=signed_by)  # fmt: skip
        return visit.number


def _code(session: Session, department_id: int) -> str:
    return str(session.scalar(select(Department.code).where(Department.id == department_id)))


def _dept(session: Session, code: str) -> int:
    return int(session.scalar(select(Department.id).where(Department.code == code)) or 0)


def _item_ids(session: Session, visit_id: int) -> list[int]:
    return list(session.scalars(select(VisitItem.item_id).where(VisitItem.visit_id == visit_id)))


def _published_at(web: Web, number: str) -> object:
    with web.sessions() as session:
        return session.scalar(select(InspectionVisit.published_at).where(InspectionVisit.number == number))


def test_a_county_steward_does_not_publish_the_visits_another_department_organised(web: Web) -> None:
    number = _inspected(web, "LZ-YF-TZ")
    # 吴执法, steward of 鱼峰区局: the visit to a firm 天马所 supervises is theirs to read once inspected, but the draw
    # is 信用监督管理科's; publishing it would lock the team's results.
    web.login_form("yufeng")
    page = web.client.get("/inspections/publication").text
    assert number in page
    refused = web.client.post(
        "/inspections/publish", data={"csrf_token": web.page_csrf("/inspections/publication")}, follow_redirects=False
    )
    assert refused.status_code == 422 and _published_at(web, number) is None
    web.client.post("/logout", data={"csrf_token": web.page_csrf("/")})
    web.login_form("registrar")  # the bureau's steward: the organiser is in scope
    done = web.client.post(
        "/inspections/publish", data={"csrf_token": web.page_csrf("/inspections/publication")}, follow_redirects=False
    )
    assert done.status_code == 303 and _published_at(web, number) is not None  # committed before the answer


def test_the_export_for_the_publicity_system_masks_the_numbers_in_the_notes(web: Web) -> None:
    note = f"负责人电话{PHONE}，身份证{ID_NUMBER}，责令7日内改正"
    number = _inspected(web, "LZ-YF-TZ", note)
    web.login_form("registrar")
    web.client.post("/inspections/publish", data={"csrf_token": web.page_csrf("/inspections/publication")})
    made = web.client.get("/api/inspections/publication").json()["exports"][0]["number"]
    web.client.post("/logout", data={"csrf_token": web.page_csrf("/")})
    web.login_form("zhongnan")  # any reader of data downloads what the public system shows
    download = web.client.get(f"/inspections/publications/{made}.xlsx")
    assert download.status_code == 200
    book = load_workbook(io.BytesIO(download.content), read_only=True)
    cells = [str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert number in cells
    notes = [c for c in cells if "责令7日内改正" in c]
    assert notes and all(PHONE not in c and ID_NUMBER not in c for c in notes)
    assert any("138****5678" in c for c in notes)


def test_the_export_for_the_publicity_system_masks_the_names_the_visit_knows_in_the_notes(web: Web) -> None:
    """Who signed for the firm and its legal representative are personal data: written into a note, they leave
    masked (张*), wherever the note writes them; the rest of the note as the inspector wrote it."""
    note = "当事人黎秀梅签字确认；法定代表人覃志刚未到场，黎秀梅称将于7日内整改"
    number = _inspected(web, "LZ-YF-TZ", note, signed_by="黎秀梅")
    with web.sessions() as session, session.begin():
        for entity in session.scalars(select(Entity)):  # the register's legal representative of every firm
            golden = json.loads(entity.golden or "{}")
            entity.golden = json.dumps(golden | {"legal_representative": {"value": "覃志刚"}}, ensure_ascii=False)
    web.login_form("registrar")
    web.client.post("/inspections/publish", data={"csrf_token": web.page_csrf("/inspections/publication")})
    made = web.client.get("/api/inspections/publication").json()["exports"][0]["number"]
    book = load_workbook(io.BytesIO(web.client.get(f"/inspections/publications/{made}.xlsx").content), read_only=True)
    cells = [str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert number in cells
    notes = [c for c in cells if "未到场" in c]
    assert notes and all(c == "当事人黎**签字确认；法定代表人覃**未到场，黎**称将于7日内整改" for c in notes)


def test_a_county_steward_changes_only_the_targets_its_offices_supervise(web: Web) -> None:
    with web.sessions() as session, session.begin():
        build(session)
        offices = {
            code: session.scalar(
                select(InspectionTarget.entity_id).where(InspectionTarget.office_id == _dept(session, code)).limit(1)
            )
            for code in ("LZ-YF-TZ", "LZ-CZ")
        }
    ours, theirs = offices["LZ-YF-TZ"], offices["LZ-CZ"]
    web.login_form("yufeng")  # steward of 鱼峰区局
    csrf = web.page_csrf("/inspections/registers/targets")
    upload = _book(["主体编号", "风险等级", "调整原因"], [[str(ours), "高", "列入经营异常名录"],
                                                  [str(theirs), "低", "整改完毕"]])  # fmt: skip
    refused = web.client.post("/inspections/registers/targets/import", data={"csrf_token": csrf},
                              files={"file": ("adjust.xlsx", upload)}, follow_redirects=False)  # fmt: skip
    assert refused.status_code in (403, 422)
    assert (
        f'第 3 行「主体编号」<code translate="no">{theirs}</code>：该对象由 <code translate="no">LZ-CZ</code> 监管'
        in (refused.text)
    )
    with web.sessions() as session:
        assert session.get_one(InspectionTarget, theirs).manual_class is None
        assert session.get_one(InspectionTarget, ours).manual_class is None  # a refused file changes nothing
    upload = _book(["主体编号", "风险等级", "调整原因"], [[str(ours), "高", "列入经营异常名录"]])
    done = web.client.post("/inspections/registers/targets/import", data={"csrf_token": csrf},
                           files={"file": ("adjust.xlsx", upload)}, follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    with web.sessions() as session:
        assert session.get_one(InspectionTarget, ours).manual_class == "high"


def test_a_county_steward_does_not_take_over_another_departments_item(web: Web) -> None:
    with web.sessions() as session, session.begin():
        build(session)
    web.login_form("yufeng")  # steward of 鱼峰区局; SP-01 is 食品经营安全监督管理科's
    csrf = web.page_csrf("/inspections/registers/items")
    upload = _book(["事项编码", "抽查事项", "检查依据", "实施部门"], [["SP-01", "改名", "依据", "LZ-YF"]])
    refused = web.client.post("/inspections/registers/items/import", data={"csrf_token": csrf},
                              files={"file": ("items.xlsx", upload)}, follow_redirects=False)  # fmt: skip
    assert refused.status_code in (403, 422) and "SP-01" in refused.text
    with web.sessions() as session:
        item = session.scalars(select(InspectionItem).where(InspectionItem.code == "SP-01")).one()
        assert item.name == "食品经营者落实进货查验记录制度情况" and _code(session, item.department_id) == "LZ-SP"
    upload = _book(["事项编码", "抽查事项", "检查依据", "实施部门"], [["YF-01", "鱼峰区事项", "依据", "LZ-YF"]])
    done = web.client.post("/inspections/registers/items/import", data={"csrf_token": csrf},
                           files={"file": ("items.xlsx", upload)}, follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    with web.sessions() as session:
        assert session.scalars(select(InspectionItem.name).where(InspectionItem.code == "YF-01")).one() == "鱼峰区事项"


def test_a_county_offices_plan_draws_only_the_firms_its_offices_supervise(web: Web) -> None:
    with web.sessions() as session, session.begin():
        build(session)
    csrf = web.login("yufeng")  # steward of 鱼峰区局
    plan = {"number": "YF2026Q4", "title": "鱼峰区2026年第四季度双随机抽查", "department": "LZ-YF",
            "first": str(local_today()), "last": str(local_today()),
            "rules": {"items": ["SP-01"], "proportions": {"high": 100, "medium": 100, "low": 100}}}  # fmt: skip
    made = web.client.post("/api/inspections/plans", json=plan, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 200, made.text
    ran = web.client.post(f"/api/inspections/draws/{made.json()['draw']}/run", headers={"X-CSRF-Token": csrf})
    assert ran.status_code == 200, ran.text
    with web.sessions() as session:
        offices = {_code(session, o) for o in session.scalars(select(InspectionVisit.office_id))}
        rules = session.scalar(select(InspectionPlan.rules).where(InspectionPlan.number == "YF2026Q4"))
    assert offices == {"LZ-YF-TZ"}  # not 城中区's nor 柳南区's firms
    assert json.loads(rules or "{}")["population"]["offices"] == ["LZ-YF"]  # as committed to the ledger
    named = {**plan, "number": "YF2026Q4B", "rules": {**plan["rules"], "population": {"offices": ["LZ-CZ"]}}}
    assert web.client.post("/api/inspections/plans", json=named, headers={"X-CSRF-Token": csrf}).status_code == 404


def test_the_export_names_the_authorities_that_inspected_not_their_sections(web: Web) -> None:
    """The publicity system's 抽查机关 is the authority in law (the city bureau, a county bureau), not the section
    or grassroots office inside it that organised or checked the items (信用监督管理科 is no 机关)."""
    number = _inspected(web, "LZ-YF-TZ", "责令7日内改正")
    web.login_form("registrar")
    web.client.post("/inspections/publish", data={"csrf_token": web.page_csrf("/inspections/publication")})
    made = web.client.get("/api/inspections/publication").json()["exports"][0]["number"]
    book = load_workbook(io.BytesIO(web.client.get(f"/inspections/publications/{made}.xlsx").content), read_only=True)
    rows = list(book["抽查检查结果"].iter_rows(values_only=True))
    column = rows[0].index("抽查机关")
    named = [row[column] for row in rows[1:] if number in row]
    with web.sessions() as session:
        authorities = set(session.scalars(select(Department.name).where(Department.kind.in_(("bureau", "county")))))
    assert named and all(name and set(str(name).split("、")) <= authorities for name in named), (named, authorities)
