"""The inspection pages and their JSON twins through the ASGI client: a draw shown with its teams and exclusions and
checked, the site form entered once by the team only (a refused entry comes back with every problem), photos, the
entity's page listing its inspections, publication; both languages."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select, update

from tests.conftest import OPERATOR, Web
from tests.inspections.register import build
from tests.inspections.test_draws import plan
from tests.inspections.test_visits import _jpeg_with_location
from zhizhi.access import create_token
from zhizhi.inspections import publication, run_draw, set_inspector, visit_view
from zhizhi.store.tables import Entity, InspectionTarget, InspectionVisit
from zhizhi.store.types import local_today

DRAW = "2026Q4-1"


def drawn(web: Web) -> tuple[str, str, list[str]]:
    """A draw of the small register; the first joint visit's number, its entity id, its team's usernames."""
    with web.sessions() as session, session.begin():
        build(session)
        plan(session, web.workspace)
    with web.sessions() as session, session.begin():
        run_draw(session, OPERATOR, web.workspace, DRAW)
    with web.sessions() as session:
        visit = next(
            v for v in session.scalars(select(InspectionVisit).order_by(InspectionVisit.rank)) if v.entity_id % 2 == 0
        )
        team = [m["username"] for m in visit_view(session, OPERATOR, visit)["team"]]
        return visit.number, str(visit.entity_id), team


def test_the_draw_page_shows_teams_and_exclusions_and_the_check_passes(web: Web) -> None:
    number, _, team = drawn(web)
    web.login_form("registrar")  # a steward of the bureau: every plan in scope
    page = web.client.get(f"/inspections/draws/{DRAW}").text
    assert 'id="draw-seed"' in page and "本所（属地）人员回避" in page and "联合检查" in page
    assert f'href="/inspections/visits/{number}"' in page
    check = web.client.get(f"/inspections/draws/{DRAW}/verify").text
    assert "复核通过" in check and "✗" not in check
    assert web.client.get(f"/api/inspections/draws/{DRAW}/verify").json()["ok"] is True
    twin = web.client.get(f"/api/inspections/draws/{DRAW}").json()
    assert twin["seed"] in page and len(twin["visits"]) == twin["visits_total"] == 16
    overview = web.client.get("/inspections").text
    assert f'href="/inspections/draws/{DRAW}"' in overview and 'id="tile-targets">60<' in overview
    for kind in ("items", "targets", "inspectors"):
        assert web.client.get(f"/inspections/registers/{kind}").status_code == 200
        book = load_workbook(io.BytesIO(web.client.get(f"/inspections/registers/{kind}.xlsx").content))
        assert book.active is not None and book.active.max_row > 1
    web.client.get("/lang/en")
    english = web.client.get(f"/inspections/draws/{DRAW}").text
    assert "Seed (revealed after)" in english and "own office" in english
    assert "Random inspections" in web.client.get("/inspections").text


def test_the_overview_counts_the_target_register_as_its_page_does_and_says_how_many_may_be_drawn(web: Web) -> None:
    with web.sessions() as session, session.begin():
        build(session)
        session.execute(update(InspectionTarget).where(InspectionTarget.entity_id <= 5).values(active=False))
    web.login_form("registrar")
    overview = web.client.get("/inspections").text
    register = web.client.get("/inspections/registers/targets").text
    assert 'id="tile-targets">60<' in overview and 'id="targets-total">共 60 户<' in register
    assert 'id="tile-drawable">其中可抽取 55 户<' in overview
    twin = web.client.get("/api/inspections").json()
    assert (twin["targets_total"], sum(twin["targets"].values()), twin["drawable"]) == (60, 60, 55)
    web.client.get("/lang/en")
    assert 'id="tile-drawable">55 of them may be drawn<' in web.client.get("/inspections").text


def _site_form(page: str) -> dict[str, str]:
    return {"csrf_token": page.split('name="csrf_token" value="')[1].split('"')[0]}


def test_the_site_form_is_entered_once_by_the_team_and_a_refused_entry_names_each_problem(web: Web) -> None:
    number, entity_id, team = drawn(web)
    web.login_form("zhongnan")  # a handler of 中南所: not on the team
    refused = web.client.post(f"/inspections/visits/{number}/site", data={"csrf_token": web.page_csrf("/")})
    assert refused.status_code in (403, 404)
    web.client.post("/logout", data={"csrf_token": web.page_csrf("/")})
    web.login_form(team[0])
    page = web.client.get(f"/inspections/visits/{number}/site").text
    assert 'name="viewport"' in page and 'id="site-form"' in page and "inspections-site.js" in page
    form = _site_form(page) | {
        "inspected_on": str(local_today()),
        "result-SP-01": "rectify",
        "note-SP-01": "进货查验记录不全",
        "acknowledgement": "signed",
    }
    bad = web.client.post(f"/inspections/visits/{number}/site", data=form)
    assert bad.status_code == 422
    said = bad.text.split('id="site-error">')[1].split("</div>")[0]
    # The item without a finding, and the missing signer: in the page's language only (no English list under it).
    assert "事项 `TS-01` 未填写检查结果" in said and "签字" in said and "has no finding" not in said
    web.client.get("/lang/en")
    said = web.client.post(f"/inspections/visits/{number}/site", data=form).text.split('id="site-error">')[1]
    assert "item `TS-01` has no finding" in said.split("</div>")[0] and "未填写" not in said.split("</div>")[0]
    web.client.get("/lang/zh-CN")
    photo = web.client.post(
        f"/inspections/visits/{number}/photos",
        data=_site_form(page),
        files={"photo": ("p.jpg", _jpeg_with_location(), "image/jpeg")},
        follow_redirects=False,
    )
    assert photo.status_code == 303
    form |= {"result-TS-01": "pass", "acknowledged_by": "张老板"}
    done = web.client.post(f"/inspections/visits/{number}/site", data=form, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("done=recorded")
    after = web.client.get(done.headers["location"]).text
    assert 'id="site-done"' in after and 'data-clear="1"' in after
    visit = web.client.get(f"/api/inspections/visits/{number}").json()
    assert visit["status"] == "done" and [i["result"] for i in visit["items"]] == ["rectify", "pass"]
    assert all(i["record_id"] for i in visit["items"]) and len(visit["photos"]) == 1
    image = web.client.get(f"/inspections/visits/{number}/photos/{visit['photos'][0]['id']}")
    assert not Image.open(io.BytesIO(image.content)).getexif().get_ifd(0x8825)
    entity = web.client.get(f"/entities/{entity_id}").text
    assert f'id="entity-inspection-{number}"' in entity and "发现问题，责令整改" in entity


def test_the_api_takes_results_from_the_team_and_publication_from_a_steward(web: Web) -> None:
    number, _, team = drawn(web)
    with web.sessions() as session, session.begin():
        _, member = create_token(session, OPERATOR, name="site", username=team[0])
        outsider = next(f"insp{i}" for i in range(1, 13) if f"insp{i}" not in team)  # the draw's seed is random
        _, other = create_token(session, OPERATOR, name="site", username=outsider)
        _, steward = create_token(session, OPERATOR, name="desk", username="registrar")
    body = {
        "inspected_on": str(local_today()),
        "acknowledgement": "refused",
        "findings": {"SP-01": "pass", "TS-01": {"result": "fail", "note": "电梯超期未检"}},
    }
    url = f"/api/inspections/visits/{number}/results"
    assert web.client.post(url, json=body, headers={"Authorization": f"Bearer {other}"}).status_code in (403, 404)
    made = web.client.post(url, json=body, headers={"Authorization": f"Bearer {member}"})
    assert made.status_code == 200, made.text
    assert made.json()["result"] == "fail" and len(made.json()["records"]) == 2
    clock = web.client.get("/api/inspections/publication", headers={"Authorization": f"Bearer {steward}"}).json()
    assert [w["number"] for w in clock["waiting"]] == [number]
    assert (
        web.client.post("/api/inspections/publish", json={}, headers={"Authorization": f"Bearer {member}"}).status_code
        == 403
    )
    published = web.client.post("/api/inspections/publish", json={}, headers={"Authorization": f"Bearer {steward}"})
    assert published.status_code == 200 and published.json()["visits"] == [number]
    export = web.client.get(
        f"/inspections/publications/{published.json()['number']}.xlsx", headers={"Authorization": f"Bearer {steward}"}
    )
    rows = list(load_workbook(io.BytesIO(export.content))["抽查检查结果"].iter_rows(values_only=True))
    assert rows[1][3] == number and rows[1][5] == "部门联合双随机抽查" and rows[1][9] == "发现问题，待后续处理"
    again = web.client.post(url, json=body, headers={"Authorization": f"Bearer {member}"})
    assert again.status_code == 409  # published: no change


def test_the_targets_own_office_sees_a_visit_only_once_it_is_inspected(web: Web) -> None:
    drawn(web)
    with web.sessions() as session, session.begin():
        visits = session.scalars(select(InspectionVisit).order_by(InspectionVisit.rank)).all()
        visit = next(
            v
            for v in visits
            if v.entity_id % 3 == 1
            and "yufeng" not in [m["username"] for m in visit_view(session, OPERATOR, v)["team"]]
        )
        number, entity_id = visit.number, visit.entity_id  # a firm of 鱼峰区: its office is 天马所, under 鱼峰区局
        view = visit_view(session, OPERATOR, visit)
        member, codes = view["team"][0]["username"], [i["code"] for i in view["items"]]
        _, office = create_token(session, OPERATOR, name="office", username="yufeng")
        _, own = create_token(session, OPERATOR, name="site", username=member)
    headers = {"Authorization": f"Bearer {office}"}
    assert web.client.get(f"/api/inspections/visits/{number}", headers=headers).status_code == 404
    assert f"entity-inspection-{number}" not in web.client.get(f"/entities/{entity_id}", headers=headers).text
    body = {
        "inspected_on": str(local_today()),
        "acknowledgement": "absent",
        "findings": dict.fromkeys(codes, "not_found"),
    }
    done = web.client.post(
        f"/api/inspections/visits/{number}/results", json=body, headers={"Authorization": f"Bearer {own}"}
    )
    assert done.status_code == 200, done.text
    assert web.client.get(f"/api/inspections/visits/{number}", headers=headers).json()["status"] == "done"
    assert f'id="entity-inspection-{number}"' in web.client.get(f"/entities/{entity_id}", headers=headers).text


def test_the_firms_file_lists_the_inspections_of_a_firm_the_register_merged_into_it(web: Web) -> None:
    """一企一档 after a register merge: the visit keeps the id of the firm it was made for, and the page of the firm
    kept (where the merged id now leads) still lists it."""
    number, entity_id, team = drawn(web)
    kept = next(e for e in range(1, 61) if e != int(entity_id))
    with web.sessions() as session, session.begin():
        _, member = create_token(session, OPERATOR, name="site", username=team[0])
        _, steward = create_token(session, OPERATOR, name="desk", username="registrar")
        visit = session.scalars(select(InspectionVisit).where(InspectionVisit.number == number)).one()
        codes = [i["code"] for i in visit_view(session, OPERATOR, visit)["items"]]
    body = {"inspected_on": str(local_today()), "acknowledgement": "absent", "findings": dict.fromkeys(codes, "pass")}
    done = web.client.post(
        f"/api/inspections/visits/{number}/results", json=body, headers={"Authorization": f"Bearer {member}"}
    )
    assert done.status_code == 200, done.text
    with web.sessions() as session, session.begin():
        merged = session.get_one(Entity, int(entity_id))
        merged.status, merged.merged_into = "merged", kept  # as a review decision or a resolution run writes it
    page = web.client.get(f"/entities/{entity_id}", headers={"Authorization": f"Bearer {steward}"})
    assert page.url.path == f"/entities/{kept}" and f'id="entity-inspection-{number}"' in page.text


def test_a_void_draw_shows_as_void_beside_the_redraw_that_replaced_it(web: Web) -> None:
    from zhizhi.inspections.plans import new_draw

    with web.sessions() as session, session.begin():
        build(session)
        plan(session, web.workspace)
    with web.sessions() as session, session.begin():
        new_draw(session, OPERATOR, web.workspace.keys_dir, "2026Q4", "种子文件丢失")
    web.login_form("registrar")
    page = web.client.get(f"/inspections/draws/{DRAW}").text
    assert 'id="void-notice"' in page and "已作废" in page and 'id="committed-notice"' not in page
    assert "已作废" in web.client.get("/inspections").text


QUALIFIED = [f"insp{i}" for i in (3, 5, 7, 9, 11)]  # with insp1, those holding 特种设备


def _short_of_inspectors(web: Web) -> None:
    """The small register with most special-equipment inspectors away, and a plan committed: its draw will leave the
    equipment holders unstaffed."""
    with web.sessions() as session, session.begin():
        build(session)
        for username in QUALIFIED:
            set_inspector(session, OPERATOR, username, available=False)
        plan(session, web.workspace)


def _inspectors_back(web: Web) -> None:
    with web.sessions() as session, session.begin():
        for username in QUALIFIED:
            set_inspector(session, OPERATOR, username, available=True)


def test_the_api_commits_a_staffing_draw_of_the_firms_left_unstaffed_and_runs_it(web: Web) -> None:
    _short_of_inspectors(web)
    with web.sessions() as session, session.begin():
        _, steward = create_token(session, OPERATOR, name="desk", username="registrar")
    auth = {"Authorization": f"Bearer {steward}"}
    unstaffed = web.client.post(f"/api/inspections/draws/{DRAW}/run", headers=auth).json()["summary"]["unstaffed"]
    assert unstaffed
    _inspectors_back(web)
    made = web.client.post(f"/api/inspections/draws/{DRAW}/staff", json={"reason": "人员已恢复"}, headers=auth)
    assert made.status_code == 200, made.text
    second = made.json()["draw"]
    run = web.client.post(f"/api/inspections/draws/{second}/run", headers=auth).json()["summary"]
    assert run["visits"] == len(unstaffed) and run["staffs"] == DRAW
    assert web.client.get(f"/api/inspections/draws/{second}/verify", headers=auth).json()["ok"] is True
    web.login_form("registrar")
    first_page, second_page = (web.client.get(f"/inspections/draws/{d}").text for d in (DRAW, second))
    assert 'id="unstaffed-done"' in first_page and "unstaffed-notice" not in first_page  # staffed by the second
    assert 'id="staffs"' in second_page and "unstaffed-notice" not in second_page
    again = web.client.post(f"/api/inspections/draws/{DRAW}/staff", json={"reason": "再补"}, headers=auth)
    assert again.status_code == 409 and "nothing to staff" in again.text


def test_a_steward_runs_a_committed_draw_and_commits_a_staffing_draw_from_the_draw_page(web: Web) -> None:
    """The draw page's buttons do what the API does: run a committed draw once; commit a staffing draw of the firms
    it left unstaffed (with a reason), whose page then runs it. A leader sees neither button."""
    _short_of_inspectors(web)
    web.login_form("leader")  # the bureau's leader: reads the draw, runs nothing
    assert 'id="committed-notice"' in (seen := web.client.get(f"/inspections/draws/{DRAW}").text)
    assert 'id="run-form"' not in seen
    web.client.post("/logout", data={"csrf_token": web.page_csrf("/")})
    web.login_form("registrar")
    page = web.client.get(f"/inspections/draws/{DRAW}").text
    assert 'id="run-form"' in page
    ran = web.client.post(f"/inspections/draws/{DRAW}/run", data=_site_form(page), follow_redirects=False)
    assert ran.status_code == 303 and ran.headers["location"].endswith("?done=drawn")
    page = web.client.get(ran.headers["location"]).text
    assert 'id="done-notice"' in page and 'id="draw-seed"' in page and 'id="run-form"' not in page
    assert 'id="unstaffed-notice"' in page and 'id="staff-form"' in page and f"zhizhi inspections staff {DRAW}" in page
    again = web.client.post(f"/inspections/draws/{DRAW}/run", data=_site_form(page), follow_redirects=False)
    assert again.status_code == 409  # drawn once
    _inspectors_back(web)
    short = web.client.post(f"/inspections/draws/{DRAW}/staff", data=_site_form(page) | {"reason": "x"})
    assert short.status_code == 422  # a reason of at least two characters
    made = web.client.post(f"/inspections/draws/{DRAW}/staff", data=_site_form(page) | {"reason": "检查人员已恢复"},
                           follow_redirects=False)  # fmt: skip
    assert made.status_code == 303 and made.headers["location"].endswith("?done=staffing")
    second = made.headers["location"].split("/inspections/draws/")[1].split("?")[0]
    staffing = web.client.get(made.headers["location"]).text
    assert 'id="done-notice"' in staffing and 'id="run-form"' in staffing
    ran = web.client.post(f"/inspections/draws/{second}/run", data=_site_form(staffing), follow_redirects=False)
    assert ran.status_code == 303
    twin = web.client.get(f"/api/inspections/draws/{second}").json()
    assert twin["status"] == "drawn" and twin["summary"]["staffs"] == DRAW and not twin["summary"]["unstaffed"]
    assert 'id="staffs"' in web.client.get(f"/inspections/draws/{second}").text
    first = web.client.get(f"/inspections/draws/{DRAW}").text  # its firms staffed now: no form to staff them again
    assert 'id="unstaffed-done"' in first and 'id="staff-form"' not in first


def test_an_inspector_declares_a_relation_with_the_firm_from_the_visit_and_must_be_replaced(web: Web) -> None:
    """The inspector themself declares it (回避申报), on the visit's page or by the API: results are then refused
    until they are replaced, and no later draw sends them there; another team's member may not declare for them."""
    number, entity_id, team = drawn(web)
    web.login_form(team[0])
    page = web.client.get(f"/inspections/visits/{number}").text
    assert 'id="recuse-form"' in page and "申报回避" in page
    csrf = web.page_csrf(f"/inspections/visits/{number}")
    short = web.client.post(f"/inspections/visits/{number}/recuse", data={"csrf_token": csrf, "relation": "x"})
    assert short.status_code == 422 and "回避关系" in short.text
    done = web.client.post(f"/inspections/visits/{number}/recuse", data={"csrf_token": csrf, "relation": "配偶经营"},
                           follow_redirects=False)  # fmt: skip
    assert done.status_code == 303 and done.headers["location"].endswith("done=recused")
    assert 'id="recused-notice"' in web.client.get(done.headers["location"]).text
    with web.sessions() as session:
        from zhizhi.inspections.visits import recused_members

        visit = session.scalars(select(InspectionVisit).where(InspectionVisit.number == number)).one()
        assert recused_members(session, visit) == [team[0]]
    with web.sessions() as session, session.begin():
        _, token = create_token(session, OPERATOR, name="回避", username=team[1])
    mine = {"Authorization": f"Bearer {token}"}
    for_them = {"entity_id": int(entity_id), "relation": "代为申报", "username": team[0]}
    other = web.client.post("/api/inspections/relations", headers=mine, json=for_them)
    # a colleague is not a steward: only the inspector themself (403 in their office, 404 from another office)
    assert other.status_code in (403, 404)
    with web.sessions() as session:
        from zhizhi.store.tables import InspectorRelation

        assert [r.declared_by for r in session.scalars(select(InspectorRelation))] == [team[0]]
    own = web.client.post("/api/inspections/relations", headers=mine,
                          json={"entity_id": int(entity_id), "relation": "曾在该企业任职"})  # fmt: skip
    assert own.status_code == 200 and own.json()["id"] > 0


def test_a_breach_counted_into_a_year_the_calendar_does_not_know_is_listed_and_published(
    web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inspected 9 November 2026 (due 7 December), seen on 5 January 2027, a year the calendar does not know yet: the
    visit is breached, by how many working days unknown (never guessed), and the page, the API and publication work."""
    number, _, team = drawn(web)
    with web.sessions() as session, session.begin():
        _, member = create_token(session, OPERATOR, name="site", username=team[0])
        _, steward = create_token(session, OPERATOR, name="desk", username="registrar")
    findings = {"SP-01": "pass", "TS-01": "pass"}
    body = {"inspected_on": str(local_today()), "acknowledgement": "absent", "findings": findings}
    entered = web.client.post(
        f"/api/inspections/visits/{number}/results", json=body, headers={"Authorization": f"Bearer {member}"}
    )
    assert entered.status_code == 200, entered.text
    with web.sessions() as session, session.begin():
        visit = session.scalars(select(InspectionVisit).where(InspectionVisit.number == number)).one()
        visit.inspected_on, visit.publish_by = date(2026, 11, 9), None
    monkeypatch.setattr(publication, "local_today", lambda: date(2027, 1, 5))
    clock = web.client.get("/api/inspections/publication", headers={"Authorization": f"Bearer {steward}"})
    assert clock.status_code == 200, clock.text
    assert [(b["number"], b["status"], b["publish_by"], b["working_days_left"]) for b in clock.json()["breaches"]] == [
        (number, "breached", "2026-12-07", None)
    ]
    web.login_form("registrar")
    page = web.client.get("/inspections/publication")
    assert page.status_code == 200 and number in page.text and "超期工作日数无法计算" in page.text
    published = web.client.post("/api/inspections/publish", json={}, headers={"Authorization": f"Bearer {steward}"})
    assert published.status_code == 200 and published.json()["visits"] == [number]


def test_a_steward_changes_a_visit_from_its_page_and_a_team_member_may_not(web: Web) -> None:
    """The visit page's form does what `zhizhi inspections assign` does: a day planned, a member replaced (with the
    reason) by the draw's next inspector, in the ledger; a staffing draw for the visit is asked from the same place.
    A member of the team sees no form and is refused."""
    from zhizhi.store.tables import LedgerEntry

    number, _, team = drawn(web)
    web.login_form(team[0])
    page = web.client.get(f"/inspections/visits/{number}").text
    assert 'id="assign-form"' not in page
    refused = web.client.post(f"/inspections/visits/{number}/assign",
                              data={"csrf_token": web.page_csrf(f"/inspections/visits/{number}"), "planned_on": ""})
    assert refused.status_code == 403  # fmt: skip
    web.client.post("/logout", data={"csrf_token": web.page_csrf("/")})
    web.login_form("registrar")
    page = web.client.get(f"/inspections/visits/{number}").text
    assert 'id="assign-form"' in page and f'<option value="{team[0]}">' in page and 'id="staff-visit-form"' in page
    csrf = web.page_csrf(f"/inspections/visits/{number}")
    assign = f"/inspections/visits/{number}/assign"
    past = web.client.post(assign, data={"csrf_token": csrf, "planned_on": "2020-01-02"})
    assert past.status_code == 422 and "2020-01-02" in past.text
    no_reason = web.client.post(assign, data={"csrf_token": csrf, "replace": team[0]})
    assert no_reason.status_code == 422
    day = date.fromordinal(local_today().toordinal() + 3).isoformat()
    done = web.client.post(f"/inspections/visits/{number}/assign", follow_redirects=False,
                           data={"csrf_token": csrf, "planned_on": day, "replace": team[0], "reason": "病假"})
    assert done.status_code == 303 and done.headers["location"].endswith("?done=assigned")  # fmt: skip
    assert 'id="assigned-notice"' in web.client.get(done.headers["location"]).text
    twin = web.client.get(f"/api/inspections/visits/{number}").json()
    assert twin["planned_on"] == day and [m["username"] for m in twin["team"] if m["removed"]] == [team[0]]
    with web.sessions() as session:
        assert session.scalars(select(LedgerEntry.kind).where(LedgerEntry.kind == "draw.replace")).all()
    # a staffing draw for the visit, from its page: refused while the draw's order can still complete the team (the
    # seed decides whether the small register has anyone left for this firm), committed once it cannot
    with web.sessions() as session:
        from zhizhi.inspections.visits import next_replacement

        visit = session.scalars(select(InspectionVisit).where(InspectionVisit.number == number)).one()
        someone_left = next_replacement(session, web.workspace, visit)[1] is not None
    staffed = web.client.post(f"/inspections/visits/{number}/staff", follow_redirects=False,
                              data={"csrf_token": csrf, "reason": "检查组无法补齐"})  # fmt: skip
    with web.sessions() as session, session.begin():
        _, token = create_token(session, OPERATOR, name="desk", username="registrar")
    api = f"/api/inspections/draws/{DRAW}/staff"
    auth = {"Authorization": f"Bearer {token}"}
    unknown = web.client.post(api, json={"reason": "检查组无法补齐", "visit": "2026Q4-1-99999"}, headers=auth)
    assert unknown.status_code == 404 and "2026Q4-1-99999" in unknown.text
    if someone_left:
        assert staffed.status_code == 409 and "仍可按抽取顺序替换检查人员" in staffed.text
        by_api = web.client.post(api, json={"reason": "检查组无法补齐", "visit": number}, headers=auth)
        assert by_api.status_code == 409 and "can still be completed" in by_api.text
        return
    assert staffed.status_code == 303 and staffed.headers["location"].endswith("?done=staffing")
    second = staffed.headers["location"].split("/inspections/draws/")[1].split("?")[0]
    assert web.client.get(f"/api/inspections/draws/{second}").json()["status"] == "committed"
    assert 'id="run-form"' in web.client.get(staffed.headers["location"]).text
