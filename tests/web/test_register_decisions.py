"""The stewards' decisions through the API, the pages and the CLI (SQLite and PostgreSQL): an act is undone whole or
not at all, two records are decided once, and an entity's file is the same on its page, in its JSON twin and in
`zhizhi entities show`."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.conftest import OPERATOR, Web, outbox
from tests.ingest.test_pipeline import _write
from tests.web.test_register_pages import CODES, HUAXIN, INSPECTIONS, SOURCES, TODAY, build, doubtful_pair
from zhizhi.cli.main import app
from zhizhi.ingest.pipeline import ingest_file
from zhizhi.resolve import register, review
from zhizhi.sources import parse_source
from zhizhi.store.tables import Case, Department, InspectionVisit, ResolveDecision, ReviewPair

COUNTY = INSPECTIONS.replace("name: inspections", "name: yf_inspections").replace("LZ-CZ-ZN", "LZ-YF")


def county_inspections(web: Web) -> None:
    """Two inspections of 华信食品 by 鱼峰区's bureau (its steward's own records), linked by the credit code."""
    rows = [
        [f"YF-00{n}", HUAXIN, CODES[0], "柳州市城中区文昌路12号", f"2025-0{n + 6}-01", "合格"] for n in (1, 2)
    ]
    path = _write(web.workspace.root / "yf_inspections.csv", rows, header=SOURCES["inspections"][1])
    with web.sessions() as session, session.begin():
        source = parse_source(COUNTY, "sources/yf_inspections.yaml")
        ingest_file(session, OPERATOR, source, path, today=TODAY, outbox=outbox())


def test_a_county_steward_cannot_undo_part_of_a_bureau_stewards_split(web: Web) -> None:
    """The bureau's steward splits one of the county's inspections off 华信食品: an `apart` for each record that
    stays, one of them the county's other inspection. The county's steward saw that one alone and undid "the split":
    `undone: 1`, the rest stayed in force. Now the undo is refused whole, in both languages."""
    county_inspections(web)
    huaxin = build(web.sessions, web.workspace)
    with web.sessions() as session:
        keys = {r["key"]: r["record_id"] for r in register.entity_file(session, OPERATOR, huaxin)["records"]}
    token = web.login("registrar")
    body = {"record_ids": [keys["number=YF-001"]], "reason": "另一家使用单位"}
    made = web.client.post(f"/api/entities/{huaxin}/split", json=body, headers={"X-CSRF-Token": token}).json()
    assert len(made["decisions"]) > 1
    token = web.login("yufeng")
    seen = [d["id"] for d in web.client.get("/api/review").json()["decisions"]]
    assert len(seen) == 1 and seen[0] in made["decisions"]
    undo = {"decision_ids": seen, "reason": "拆分有误"}
    refused = web.client.post("/api/review/decisions/undo", json=undo, headers={"X-CSRF-Token": token})
    assert refused.status_code == 403, refused.text
    assert "nothing was undone" in refused.json()["error"]["message"] and "`registrar`" in refused.text
    web.login_form("yufeng")
    form = {"csrf_token": web.page_csrf("/review"), "decision_id": seen, "reason": "拆分有误"}
    page = web.client.post("/review/decisions/undo", data=form)
    assert page.status_code == 403 and "未撤销任何决定" in page.text
    with web.sessions() as session:
        assert session.scalar(select(func.count()).where(ResolveDecision.undone_at.is_not(None))) == 0
    token = web.login("registrar")  # who made it undoes it, whole
    undone = web.client.post("/api/review/decisions/undo", json=undo, headers={"X-CSRF-Token": token})
    assert undone.status_code == 200 and undone.json()["undone"] == len(made["decisions"])


def test_a_decided_pair_is_not_decided_again_until_the_decision_is_undone(web: Web) -> None:
    """Two records kept apart from the command line left their pair waiting; 合并 on it recorded a merge as well,
    answered as done, while the `apart` won. A decision on two records now answers their pair, and a second one is
    refused (409) until the first is undone."""
    build(web.sessions, web.workspace)
    token = web.login("registrar")
    headers = {"X-CSRF-Token": token}
    pair = doubtful_pair(web)
    records = (pair["left"]["record_id"], pair["right"]["record_id"])
    with web.sessions() as session, session.begin():
        first = review.decide(session, OPERATOR, "apart", [records], "不是同一家")[0].id
    assert [p["id"] for p in web.client.get("/api/review", params={"status": "apart"}).json()["pairs"]] == [pair["id"]]
    assert pair["id"] not in [p["id"] for p in web.client.get("/api/review").json()["pairs"]]
    merge = {"decision": "merge", "reason": "同一家"}
    again = web.client.post(f"/api/review/{pair['id']}", json=merge, headers=headers)
    assert again.status_code == 409 and f"already decided by decision {first}" in again.json()["error"]["message"]
    web.login_form("registrar")
    form = {"csrf_token": web.page_csrf("/review"), **merge}
    page = web.client.post(f"/review/{pair['id']}", data=form)
    assert page.status_code == 409 and f"已由决定 {first} 处理" in page.text
    with web.sessions() as session, session.begin():  # a pair left waiting by an earlier release: refused too
        session.get_one(ReviewPair, pair["id"]).status = "open"
    assert web.client.post(f"/review/{pair['id']}", data=form).status_code == 409
    with web.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ResolveDecision)) == 1
    token = web.login("registrar")
    undo = {"decision_ids": [first], "reason": "看错了"}
    assert web.client.post("/api/review/decisions/undo", json=undo, headers={"X-CSRF-Token": token}).status_code == 200
    answer = web.client.post(f"/api/review/{pair['id']}", json=merge, headers={"X-CSRF-Token": token})
    assert answer.status_code == 200 and answer.json()["kind"] == "merge"


def test_the_entity_file_lists_its_cases_and_inspection_results_on_the_page_in_json_and_in_the_cli(web: Web) -> None:
    """The page listed the entity's hotline cases and inspection results; its JSON twin and `zhizhi entities show`
    left them out."""
    huaxin = build(web.sessions, web.workspace)
    now = datetime(2026, 11, 20, 2, tzinfo=UTC)
    with web.sessions() as session, session.begin():
        desk = session.scalar(select(Department.id).where(Department.code == "LZ-TSJB"))
        office = session.scalar(select(Department.id).where(Department.code == "LZ-CZ"))
        assert desk is not None and office is not None
        session.add(Case(number="20260000042", kind="complaint", stage="received", desk_id=desk, received_at=now,
                         received_on=date(2026, 11, 20), entity_id=huaxin, created_at=now, updated_at=now))  # fmt: skip
        session.add(InspectionVisit(number="2026Q4-1-00042", entity_id=huaxin, entity_name=HUAXIN, status="done",
                                    department_id=office, inspected_on=date(2026, 11, 21), created_at=now))  # fmt: skip
    web.login("leader")
    page = web.client.get(f"/entities/{huaxin}").text
    assert "20260000042" in page and "2026Q4-1-00042" in page
    twin = web.client.get(f"/api/entities/{huaxin}").json()
    assert [c["number"] for c in twin["cases"]] == ["20260000042"] and twin["cases"][0]["stage_zh"] == "待受理"
    assert [v["number"] for v in twin["inspection_results"]] == ["2026Q4-1-00042"]
    assert not any("caller" in key for case in twin["cases"] for key in case)  # no caller named, as on the page
    runner = CliRunner()
    shown = runner.invoke(app, ["-w", str(web.workspace.root), "entities", "show", str(huaxin), "--json"])
    assert shown.exit_code == 0, shown.output
    cli = json.loads(shown.output)
    assert cli["cases"][0]["number"] == "20260000042" and cli["inspection_results"][0]["inspected_on"] == "2026-11-21"
    text = runner.invoke(app, ["-w", str(web.workspace.root), "entities", "show", str(huaxin)]).output
    assert "20260000042" in text and "2026Q4-1-00042" in text


def test_an_entity_page_takes_only_plain_digits_for_the_parts_split_off(web: Web) -> None:
    """`?split=²` (a character `str.isdigit` takes, `int` does not) answered 500."""
    huaxin = build(web.sessions, web.workspace)
    web.login("leader")
    for odd in ("²", "1²,x", "٣"):
        page = web.client.get(f"/entities/{huaxin}", params={"split": odd})
        assert page.status_code == 200 and 'id="split-notice"' not in page.text
    page = web.client.get(f"/entities/{huaxin}", params={"split": "7,²"})
    assert page.status_code == 200 and '<a href="/entities/7">' in page.text
