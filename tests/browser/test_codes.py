"""A data steward at work on the code lists in a real Chromium: search a list by pinyin, decide a queued code."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.conftest import Visit
from tests.web.test_codes_pages import queue_codes

pytestmark = pytest.mark.browser


def test_a_steward_searches_by_pinyin_and_decides_a_queued_code(visit: Visit, city: sessionmaker[Session]) -> None:
    ids = queue_codes(city)
    page = visit.page
    visit.login("steward")
    with page.expect_navigation():
        page.locator('nav.side a[href="/codes"]').click()
    expect(page.locator("h1")).to_have_text("代码表")
    with page.expect_navigation():
        page.locator("#code-lists a", has_text="GB/T 4754-2017").click()

    search = page.locator("#code-search")
    search.locator('input[name="q"]').fill("gwzz")
    with page.expect_navigation():
        search.locator('button[type="submit"]').click()
    results = page.locator("#search-results")
    expect(results).to_contain_text("谷物种植")
    with page.expect_navigation():
        results.locator('a[href="?code=011"]').click()
    expect(page.locator("#code-detail h2")).to_contain_text("谷物种植")
    expect(page.locator("#breadcrumb")).to_contain_text("01 农业")
    expect(page.locator("#code-children")).to_contain_text("稻谷种植")

    visit.open("/codes/review")
    item = page.locator(f"#item-{ids['0169']}")
    expect(item).to_contain_text("茶叶种植")
    form = item.locator("form.decide")
    form.locator('input[name="to_code"]').fill("0164")
    form.locator('input[name="reason"]').fill("本地该类企业均为茶园")
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    expect(page.locator("#decided-notice")).to_contain_text("0169")
    expect(page.locator(f"#item-{ids['0169']}")).to_have_count(0)
    expect(page.locator("#decisions")).to_contain_text("0164 茶叶种植")

    visit.open("/codes/translate?from=gbt4754-2011&to=gbt4754-2017&code=0169")
    expect(page.locator("#to-code")).to_have_text("0164")
    expect(page.locator("#translation-method")).to_contain_text("人工决定")
    page.wait_for_load_state("networkidle")
    assert [url for url in visit.requests if not url.startswith(visit.base + "/")] == []
    assert visit.errors == []
