"""A leader reconciles a month in a real Chromium: choose the period, read each department's table, open the pending
deliveries of one platform, download the workbook; nothing is fetched from elsewhere and nothing errs."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.conftest import Visit
from tests.delivery import test_send
from tests.delivery.test_reconcile import FORMULA, build_state
from tests.delivery.test_send import Receiver
from zhizhi.config import Workspace

pytestmark = pytest.mark.browser
receiver = test_send.receiver  # the real HTTP receiver fixture


def test_a_leader_reconciles_a_month_and_opens_what_is_pending(
    visit: Visit, city: sessionmaker[Session], workspace: Workspace, tmp_path: Path, receiver: Receiver
) -> None:
    build_state(city, workspace.root, tmp_path, receiver)
    page = visit.page
    visit.login("leader")

    with page.expect_navigation():
        page.locator('nav.side a[href="/reconcile"]').click()
    expect(page.locator("h1")).to_have_text("交付对账")
    form = page.locator("#reconcile-filter")
    form.locator('input[name="period"]').fill("2021-07")
    form.locator('select[name="target"]').select_option("city")
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    expect(page.locator("#reconcile-period")).to_have_text("所选期间：2021-07-01 至 2021-07-31。")
    expect(page.locator("section.department")).to_have_count(1)
    line = page.locator("#line-LZ-DJ-dengji-city")
    expect(line.locator(".figure-produced")).to_have_text("6")
    expect(line.locator(".figure-owed")).to_have_text("4")
    expect(line.locator(".figure-acknowledged")).to_have_text("1")

    with page.expect_navigation():
        line.locator(".figure-pending a").click()
    expect(page.locator("h1")).to_have_text("交付明细：待发送")
    rows = page.locator("#deliveries tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator(".name")).to_have_text("丙有限公司")
    expect(rows.nth(1).locator(".name")).to_have_text(FORMULA)  # shown as text
    expect(rows.nth(1)).to_contain_text("第 5 行")
    with page.expect_navigation():
        page.locator("#drill-figures a", has_text="被拒收").click()
    expect(page.locator("#deliveries tbody tr")).to_have_count(1)
    expect(page.locator("#deliveries .reason")).to_contain_text("统一社会信用代码与名称不符")

    with page.expect_navigation():
        page.locator("#back-link").click()
    with page.expect_download() as download:
        page.locator("#export-link").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "reconcile-2021-07.xlsx"
    book = load_workbook(saved)
    assert [row[3] for row in book["summary"].iter_rows(min_row=2, max_row=2, values_only=True)] == ["city"]
    assert len(list(book["deliveries"].iter_rows())) == 1 + 4

    page.wait_for_load_state("networkidle")
    assert [url for url in visit.requests if not url.startswith(visit.base + "/")] == []
    assert visit.errors == []
