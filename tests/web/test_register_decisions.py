"""The stewards' decisions and an entity's file through the API, the pages and the CLI (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlalchemy import select
from typer.testing import CliRunner

from tests.conftest import Web
from tests.web.test_register_pages import HUAXIN, build
from zhizhi.cli.main import app
from zhizhi.store.tables import Case, Department, InspectionVisit


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
