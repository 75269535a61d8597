"""A data steward clears a quarantined row in a real Chromium: find it, fix the date, replay, open the record."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.conftest import Visit
from tests.web.test_ingest_api import FILE_NAME, SCRIPT, ingest_export
from zhizhi.config import Workspace

pytestmark = pytest.mark.browser


def test_a_steward_fixes_and_replays_a_quarantined_row(
    visit: Visit, city: sessionmaker[Session], workspace: Workspace, tmp_path: Path
) -> None:
    done = ingest_export(city, workspace.root, tmp_path)
    item = done.items["date.invalid"]
    page = visit.page
    visit.login("steward")

    with page.expect_navigation():
        page.locator('nav.side a[href="/batches"]').click()
    expect(page.locator("h1")).to_have_text("数据批次")
    with page.expect_navigation():
        page.locator(f"#batch-{done.batch_id} a", has_text=str(done.batch_id)).first.click()
    expect(page.locator("#rows-read")).to_have_text("8")
    expect(page.locator("#report-reasons")).to_contain_text("日期无效")

    with page.expect_navigation():
        page.locator('nav.side a[href="/quarantine"]').click()
    expect(page.locator("h1")).to_have_text("隔离区")
    expect(page.locator("#reason-counts")).to_contain_text("日期无效")
    with page.expect_navigation():
        page.locator(f"#item-{item} a", has_text=str(item)).click()
    expect(page.locator("#item-file")).to_have_text(FILE_NAME)
    expect(page.locator("#item-row")).to_have_text("6")
    expect(page.locator("#item-findings")).to_contain_text("不是有效日期")
    expect(page.locator("#item-cells")).to_contain_text(SCRIPT)  # shown as text, not run

    # One form for the row: each input labelled by its column, the value as read beside it, one save.
    cell = page.locator("#item-cells tr", has_text="成立日期")
    expect(cell.locator(".as-read")).to_have_text("2021-02-30")
    page.get_by_label("成立日期", exact=True).fill("2021-02-28")
    with page.expect_navigation():
        page.locator("#fix-save").click()
    expect(page.locator("#fixed-notice")).to_contain_text("成立日期")
    expect(page.get_by_label("成立日期", exact=True)).to_have_value("2021-02-28")

    with page.expect_navigation():
        page.locator("#replay-item button").click()
    expect(page.locator("#replay-outcome")).to_contain_text("重新处理成功")
    expect(page.locator("#item-status")).to_have_text("已重新处理")
    with page.expect_navigation():
        page.locator("#item-record a").click()
    expect(page.locator("h1")).to_contain_text("记录")
    expect(page.locator("#version-1")).to_contain_text("2021-02-28")
    expect(page.locator("#version-1 .version-origin")).to_contain_text(FILE_NAME)
    expect(page.locator("#version-1 .version-origin")).to_contain_text("第 6 行")

    visit.open("/quarantine?status=replayed")
    expect(page.locator(f"#item-{item}")).to_contain_text("已重新处理")
    page.wait_for_load_state("networkidle")
    assert [url for url in visit.requests if not url.startswith(visit.base + "/")] == []
    assert visit.errors == []
